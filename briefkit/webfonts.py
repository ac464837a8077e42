"""The Korean web font: the shipped Hangul face, as a subset of the site's own characters and as slices.

Readers whose system has no Korean font (many Linux machines, some e-readers) would see boxes
where a brief quotes Korean. The site's stylesheet names system Korean fonts first and two faces of
the shipped font last:

- "Briefs Gothic", the face cut down to the characters the built site uses: a page's readers
  download these few kilobytes, not the megabyte of the full face;
- "Briefs Gothic Full", the whole face cut into slices of about SLICE_SIZE characters, each its own
  @font-face with a `unicode-range` (the way Google Fonts serves Korean): for any other character
  (Hangul a reader types into the search box, text a script writes, a subset cached by the browser
  before the site gained a character) the browser downloads only the slice that holds it.

Browsers fall back per character through the family list, and download a face only for a character
of its `unicode-range` that no family before it can draw. Both are written into the site with every
build together with their @font-face rules (CSS_TARGET, named in mkdocs.yml's extra_css); the
subset's URL carries a digest of its bytes, the slices' folder one of the source font. The same
characters give the same subset, and the same source font the same slices (made once, on every core,
in a few seconds); both are cached. A third family, SENTINEL_FAMILY, works around Chromium.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

# Hangul jamo, CJK symbols and punctuation, compatibility jamo, jamo extended A, syllables, jamo
# extended B, full-width forms: what the web faces answer for (their unicode-range).
RANGES = [(0x1100, 0x11FF), (0x3000, 0x303F), (0x3130, 0x318F), (0xA960, 0xA97F), (0xAC00, 0xD7A3),
          (0xD7B0, 0xD7FF), (0xFF00, 0xFFEF)]
_IN_RANGE = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in RANGES) + "]")

IDEOGRAPHIC_SPACE = 0x3000
FAMILY = "Briefs Gothic"  # the subset of the site's characters
FULL_FAMILY = "Briefs Gothic Full"  # the slices of the whole face
# First in the font stacks, for no character (U+10FFFF is not one): Chromium redraws text when a web
# font arrives only if the text's font list met a web font before its first font that has a space.
# Without it, the first text that sends for a Korean face (the header's page title, a topic, text a
# script writes: the search box, search results) keeps its boxes after the face has come.
SENTINEL_FAMILY = "Briefs Gothic Sentinel"
# `block`, not `swap`: while a face loads, the only fallback for its characters on a system without a
# Korean font is a box; text waits invisible (at most ~3 s) instead of showing boxes at first paint.
FONT_DISPLAY = "block"
SUBSET_VERSION = "1"  # part of the cache key: change it with the options of subset_woff2
SLICES_VERSION = "1"  # part of the slices' cache key: change it with the slicing (and see SLICE_SIZE)
SLICE_SIZE = 128  # characters the face has, per slice: 90 slices of 5-14 KB (median 11 KB), 0.97 MB in all
SLICE_GROUP = 8  # slices made from one cut of the face (a fixed number: the bytes never depend on cores)
SOURCE = Path("webfonts") / "BriefsGothic-Regular.ttf"  # under the templates folder
TARGET = Path("assets") / "fonts" / "briefs-gothic.woff2"  # under the site folder
CSS_TARGET = Path("assets") / "fonts" / "briefs-gothic.css"  # the @font-face rules of both faces
SLICES_FOLDER = Path("assets") / "fonts" / "briefs-gothic-full"  # <key>/<nnn>.woff2 under the site folder


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


def unicode_range(codepoints) -> str:
    """The CSS unicode-range of `codepoints`: runs of consecutive ones as U+XXXX-YYYY."""
    parts: list[str] = []
    run: list[int] = []
    for code in sorted(set(codepoints)):
        if run and code == run[-1] + 1:
            run[-1] = code
            continue
        if run:
            parts.append(_run(*run))
        run = [code, code]
    if run:
        parts.append(_run(*run))
    return ", ".join(parts)


def _run(first: int, last: int) -> str:
    return f"U+{first:04X}" if first == last else f"U+{first:04X}-{last:04X}"


CSS_UNICODE_RANGE = unicode_range(code for a, b in RANGES for code in range(a, b + 1))


def _options():
    from fontTools import subset  # imported when a font is made: most builds reuse the cached ones
    options = subset.Options()
    options.flavor = "woff2"
    options.layout_features = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, license
    return options


def _cut(font_file, unicodes: list[int], flavor: str | None = "woff2") -> bytes:
    from fontTools import subset
    options = _options()
    options.flavor = flavor
    font = subset.load_font(font_file, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    out = io.BytesIO()
    subset.save_font(font, out, options)
    return out.getvalue()


def subset_woff2(source: Path, chars: set[str]) -> bytes:
    """`source` cut down to `chars`, as WOFF2. With no characters, it keeps the ideographic space:
    a font without any mapped character is rejected by browsers' font sanitizers."""
    return _cut(str(source), sorted(ord(c) for c in chars) or [IDEOGRAPHIC_SPACE])


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


def _replace(target: Path, data: bytes) -> None:
    """Write `target` by replacing it, never in place (it may be a hard link to the published site);
    left alone when it has these bytes already (a dirty build's copy of the site)."""
    try:
        if target.stat().st_size == len(data) and target.read_bytes() == data:
            return
    except OSError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(target)


def _made_by(version: str) -> bytes:
    import fontTools  # fontTools makes the bytes: another version may make others

    return f"{version}\0{fontTools.version}\0".encode()


def write_web_font(chars: set[str], source: Path, site_dir: Path, cache_dir: Path) -> Path:
    """Write the subset for `chars` into the site (always, so that a page never asks for a missing
    file), reusing the cached subset for the same input."""
    key = hashlib.sha256(_made_by(SUBSET_VERSION) + source.read_bytes()
                         + "".join(sorted(chars)).encode("utf-8")).hexdigest()[:32]
    cached = cache_dir / "webfonts" / f"{key}.woff2"
    data = _cached_woff2(cached)
    if data is None:  # not cached, or not a whole WOFF2 file: made again
        data = subset_woff2(source, chars)
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.part")  # a killed build leaves no half file under the name
        partial.write_bytes(data)
        partial.replace(cached)
    target = site_dir / TARGET
    _replace(target, data)
    return target


# ---- the slices of the whole face ----

@dataclass(frozen=True)
class Slice:
    """One slice of the whole face: the part of RANGES it answers for (its unicode-range: the slices
    share RANGES out, each code point to exactly one) and those of its code points the face has."""

    ranges: tuple[tuple[int, int], ...]
    codepoints: tuple[int, ...]

    @property
    def unicode_range(self) -> str:
        return ", ".join(_run(a, b) for a, b in self.ranges)


def plan_slices(mapped: set[int], size: int = SLICE_SIZE) -> list[Slice]:
    """RANGES cut, in code point order, into slices of `size` characters the face has (`mapped`);
    code points it lacks go with their neighbours, and a short last slice joins the one before."""
    cuts: list[list[int]] = [[]]
    held = 0
    for code in (c for a, b in RANGES for c in range(a, b + 1)):
        if held == size:
            cuts.append([])
            held = 0
        cuts[-1].append(code)
        held += code in mapped
    if len(cuts) > 1 and sum(c in mapped for c in cuts[-1]) < size // 2:
        last = cuts.pop()  # (`cuts[-2] += cuts.pop()` assigns to cuts[-2] after the pop: wrong with two cuts)
        cuts[-1] += last
    slices = []
    for codes in cuts:
        ranges: list[tuple[int, int]] = []
        for code in codes:
            if ranges and ranges[-1][1] == code - 1:
                ranges[-1] = (ranges[-1][0], code)
            else:
                ranges.append((code, code))
        slices.append(Slice(tuple(ranges), tuple(c for c in codes if c in mapped)))
    return slices


def _make_group(source: bytes, groups: list[list[int]]) -> list[bytes]:
    """The WOFF2 slices of `groups` (code points each): the face is cut to all of them first, so that
    each slice is cut from a small font (most of the time of a slice cut from the whole face)."""
    part = _cut(io.BytesIO(source), sorted(c for g in groups for c in g), flavor=None)
    return [_cut(io.BytesIO(part), g or [IDEOGRAPHIC_SPACE]) for g in groups]


def make_slices(source: Path, slices: list[Slice], workers: int | None = None) -> list[bytes]:
    """The WOFF2 file of each slice of `source`, made on every core (a few seconds, once per face)."""
    data = source.read_bytes()
    codes = [list(s.codepoints) for s in slices]
    groups = [codes[i:i + SLICE_GROUP] for i in range(0, len(codes), SLICE_GROUP)]
    workers = min(workers or os.cpu_count() or 1, 8, len(groups))
    if workers > 1:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        try:  # spawned, not forked: the preview runs threads
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
                return [font for made in pool.map(_make_group, [data] * len(groups), groups) for font in made]
        except (BrokenProcessPool, OSError):  # no other process here: all made in this one
            pass
    return [font for group in groups for font in _make_group(data, group)]


def _slices_key(source_bytes: bytes) -> str:
    return hashlib.sha256(_made_by(SLICES_VERSION) + f"{SLICE_SIZE}\0{SLICE_GROUP}\0".encode()
                          + source_bytes).hexdigest()[:32]


def _file_name(index: int) -> str:
    return f"{index:03d}.woff2"


def _read_cached_slices(folder: Path) -> tuple[list[Slice], list[bytes]] | None:
    """The slices cached in `folder` with their files, or None when anything is missing or damaged."""
    try:
        plan = json.loads((folder / "slices.json").read_text(encoding="utf-8"))
        slices = [Slice(tuple((a, b) for a, b in s["ranges"]), tuple(s["codepoints"])) for s in plan["slices"]]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    files = [_cached_woff2(folder / _file_name(i)) for i in range(len(slices))]
    if not slices or any(f is None for f in files):
        return None
    return slices, files  # type: ignore[return-value]


def shipped_slices_folder(source: Path, key: str) -> Path:
    """Where the project ships the slices of its face, cut once by tools/cut_web_font_slices.py: next
    to the face, named by the same key as the cache (a replaced face, another fontTools or other
    options find none there, and are cut at build time as before)."""
    return source.parent / f"slices-{key}"


def cached_slices(source: Path, cache_dir: Path, shipped: bool = True) -> tuple[str, list[Slice], list[bytes]]:
    """(key, slices, their WOFF2 files) of the whole face `source`: shipped with the templates, from
    the cache, or made (and cached) when neither has them for these bytes, this fontTools and these
    options. Cutting them takes some 11 s of processor time: a build with an empty cache would pay it."""
    source_bytes = source.read_bytes()
    key = _slices_key(source_bytes)
    folder = cache_dir / "webfonts" / f"slices-{key}"
    found = (_read_cached_slices(shipped_slices_folder(source, key)) if shipped else None) or \
        _read_cached_slices(folder)
    if found is not None:
        return key, *found
    from fontTools.ttLib import TTFont

    mapped = set(TTFont(io.BytesIO(source_bytes), lazy=True).getBestCmap())
    slices = plan_slices(mapped)
    files = make_slices(source, slices)
    # made in a folder of its own, then renamed: a killed build leaves no half set under the name
    partial = folder.with_name(f"{folder.name}.{os.getpid()}.part")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    for i, data in enumerate(files):
        (partial / _file_name(i)).write_bytes(data)
    plan = {"slices": [{"ranges": s.ranges, "codepoints": s.codepoints} for s in slices]}
    (partial / "slices.json").write_text(json.dumps(plan, separators=(",", ":")), encoding="utf-8")
    shutil.rmtree(folder, ignore_errors=True)  # a damaged set
    try:
        partial.rename(folder)
    except OSError:  # another build cached the same set meanwhile
        shutil.rmtree(partial, ignore_errors=True)
    return key, slices, files


def write_font_slices(source: Path, site_dir: Path, cache_dir: Path) -> tuple[list[str], list[Slice]]:
    """Write the slices of the whole face into the site (SLICES_FOLDER/<key>/, a name of their own
    for each source font: browsers may keep them for good); the URLs under SLICES_FOLDER and the slices."""
    key, slices, files = cached_slices(source, cache_dir)
    folder = site_dir / SLICES_FOLDER / key[:16]
    names = [_file_name(i) for i in range(len(slices))]
    for name, data in zip(names, files, strict=True):
        _replace(folder / name, data)
    # what an earlier build left (a dirty build starts from a copy of the site): another face's
    # slices, or more of them
    for old in (site_dir / SLICES_FOLDER).iterdir():
        if old.name != folder.name:
            shutil.rmtree(old) if old.is_dir() and not old.is_symlink() else old.unlink()
    for old in folder.iterdir():
        if old.name not in names:
            old.unlink()
    return [f"{folder.name}/{name}" for name in names], slices


def font_css(subset: bytes, slice_urls: list[str], slices: list[Slice]) -> str:
    """The @font-face rules of both faces, as written to CSS_TARGET (URLs relative to its folder).
    The subset's URL carries a digest of its bytes: the file keeps its name while the site's
    characters change, and a browser must not draw a new page with a subset it kept from before."""
    version = hashlib.sha256(subset).hexdigest()[:12]
    subset_url = f"{TARGET.name}?v={version}"
    base = SLICES_FOLDER.relative_to(CSS_TARGET.parent).as_posix()
    lines = [
        "/* The Korean web font, written by briefkit with every build (briefkit/webfonts.py): do not edit.",
        f'   "{FAMILY}": the characters of this site; "{FULL_FAMILY}": the whole face in slices, each',
        "   downloaded only for a character no font before it can draw (docs/assets/briefs.css);",
        f'   "{SENTINEL_FAMILY}", never downloaded, makes Chromium redraw text when they arrive. */',
        # a URL of its own: were it the subset's, text would wait for the subset in all fonts alike
        _face(SENTINEL_FAMILY, f"{subset_url}&sentinel", "U+10FFFF"),
        _face(FAMILY, subset_url, CSS_UNICODE_RANGE),
    ]
    lines += [_face(FULL_FAMILY, f"{base}/{url}", s.unicode_range) for url, s in zip(slice_urls, slices, strict=True)]
    return "\n".join(lines) + "\n"


def _face(family: str, url: str, ranges: str) -> str:
    return (f'@font-face {{ font-family: "{family}"; src: url("{url}") format("woff2"); '
            f"unicode-range: {ranges}; font-display: {FONT_DISPLAY}; }}")


def write_web_fonts(chars: set[str], source: Path, site_dir: Path, cache_dir: Path) -> Path:
    """Write the subset for `chars`, the slices of the whole face and their @font-face rules into
    the site; the path of the rules (CSS_TARGET)."""
    subset = write_web_font(chars, source, site_dir, cache_dir).read_bytes()
    urls, slices = write_font_slices(source, site_dir, cache_dir)
    target = site_dir / CSS_TARGET
    _replace(target, font_css(subset, urls, slices).encode("utf-8"))
    return target
