"""The Korean web font: the shipped Hangul face cut down to the characters the built site uses.

Readers whose system has no Korean font (many Linux machines, some e-readers) would see boxes
where a brief quotes Korean. The site's stylesheet names system Korean fonts first and this face
last, with a `unicode-range`, so a browser downloads it only for a page with Hangul and only when
the system cannot draw it. Cut to the site's own characters, it weighs a few kilobytes, not the
megabyte of the full face. The same characters give the same bytes, and the result is cached.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
from pathlib import Path

# Hangul jamo, CJK symbols and punctuation, compatibility jamo, jamo extended A, syllables, jamo
# extended B, full-width forms: the same ranges as the @font-face rule in docs/assets/briefs.css.
RANGES = [(0x1100, 0x11FF), (0x3000, 0x303F), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7A3),
          (0xD7B0, 0xD7FF), (0xFF00, 0xFFEF)]
CSS_UNICODE_RANGE = ", ".join(f"U+{a:04X}-{b:04X}" for a, b in RANGES)
_IN_RANGE = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in RANGES) + "]")

IDEOGRAPHIC_SPACE = 0x3000
SUBSET_VERSION = "1"  # part of the cache key: change it with the options of subset_woff2
SOURCE = Path("webfonts") / "BriefsGothic-Regular.ttf"  # under the templates folder
TARGET = Path("assets") / "fonts" / "briefs-gothic.woff2"  # under the site folder


def hangul_of(text: str) -> set[str]:
    """The characters of RANGES in `text`."""
    return set(_IN_RANGE.findall(text)) if not text.isascii() else set()


class CharacterCollector:
    """The characters of RANGES found in the pages of one build."""

    def __init__(self) -> None:
        self.chars: set[str] = set()

    def add(self, text: str) -> None:
        if not text.isascii():
            self.chars.update(_IN_RANGE.findall(text))


def subset_woff2(source: Path, chars: set[str]) -> bytes:
    """`source` cut down to `chars`, as WOFF2. With no characters, it keeps the ideographic space:
    a font without any mapped character is rejected by browsers' font sanitizers."""
    from fontTools import subset  # imported when a subset is made: most builds reuse the cached one
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, license
    font = subset.load_font(str(source), options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars) or [IDEOGRAPHIC_SPACE])
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def _cached_woff2(path: Path) -> bytes | None:
    """The bytes of a cached WOFF2 file, or None when it is missing or not whole: a WOFF2 header
    (signature wOF2, flavor, then the length of the whole file) that gives this file's size."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) < 48 or data[:4] != b"wOF2" or int.from_bytes(data[8:12], "big") != len(data):
        return None
    return data


def write_web_font(chars: set[str], source: Path, site_dir: Path, cache_dir: Path) -> Path:
    """Write the subset for `chars` into the site (always, so that a reader typing Korean in the
    search box never asks for a missing file), reusing the cached subset for the same input."""
    # fontTools makes the bytes: another version may make others (the options are in SUBSET_VERSION)
    import fontTools

    made_by = f"{SUBSET_VERSION}\0{fontTools.version}\0".encode()
    key = hashlib.sha256(made_by + source.read_bytes() + "".join(sorted(chars)).encode("utf-8")).hexdigest()[:32]
    cached = cache_dir / "webfonts" / f"{key}.woff2"
    data = _cached_woff2(cached)
    if data is None:  # not cached, or not a whole WOFF2 file: made again
        data = subset_woff2(source, chars)
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.part")  # a killed build leaves no half file under the name
        partial.write_bytes(data)
        partial.replace(cached)
    target = site_dir / TARGET
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(target)  # replaced, not written in place: it may be a hard link to the published site
    return target
