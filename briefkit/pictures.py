"""Web copies of editors' raster images, made at build time and cached by content.

A 4,000-pixel photograph stays one file for the PDF and becomes several for the web (Picture):
WebP copies at the widths in WIDTHS for `srcset`, a fallback in the file's own format no wider than
the widest copy (for browsers without WebP and for feed readers, which take `src`), and for heroes a
1200 × 630 crop for link previews (og:image: X and Facebook show neither SVG nor WebP reliably).
GIFs (they may move) and SVGs (they scale) are served as they are.

Copies are named after the image's content, so a replaced image gets new addresses and no reader or
CDN keeps showing the old one. They are kept in .cache/images/ between builds and never deleted by a
build (a cache folder may serve several checkouts; delete it to start afresh). Only missing ones are
made, in threads: Pillow lets go of the GIL while it decodes, resizes and encodes. Which content a
file has is remembered by its size and modification time (an index per project), so an unchanged
archive is not read again.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from .images import ImageError, check_image
from .limits import MAX_IMAGE_PIXELS

WIDTHS = (480, 800, 1200, 1600)  # srcset widths: phones, tablets, the text column at 1× and 2×
SOCIAL_SIZE = (1200, 630)  # what Facebook, X, LinkedIn and Bluesky show as a large card
WEBP_QUALITY = 78
JPEG_QUALITY = 84
RESIZED = {"png", "jpeg", "webp"}
_ENCODER_VERSION = 2  # bump when the way copies are made changes: every copy is made again


@dataclass(frozen=True)
class Copy:
    rel: str  # where it is in the site
    width: int
    height: int
    cache_name: str  # its file in .cache/images/


@dataclass(frozen=True)
class Picture:
    """One of the editors' image files as the web pages show it."""

    file: str  # relative to briefs/, and the original's path in the site
    format: str  # png, jpeg, gif, webp, svg
    width: int | None  # as displayed (EXIF orientation applied)
    height: int | None
    key: str  # changes whenever anything a page says about the picture would
    sources: tuple[Copy, ...] = ()  # the WebP copies, narrowest first
    fallback: Copy | None = None  # the <img src> when the original is wider than the widest copy
    social: Copy | None = None  # the link-preview crop (heroes only)

    @property
    def src(self) -> str:
        return self.fallback.rel if self.fallback else self.file


def _version_tag() -> str:
    from PIL import __version__ as pillow
    from PIL import features

    settings = (WIDTHS, SOCIAL_SIZE, WEBP_QUALITY, JPEG_QUALITY)
    return f"{_ENCODER_VERSION}/{pillow}/{features.version('webp')}/{settings}"


class _ContentIndex:
    """The content digest and displayed size of each image file, by the file's size and mtime."""

    def __init__(self, cache: Path, project: Path):
        # one per project: a cache folder may be shared by several checkouts (memo.py)
        self.path = cache / f"index-{hashlib.sha256(str(project.resolve()).encode()).hexdigest()[:16]}.json"
        try:
            self.entries: dict[str, list] = json.loads(self.path.read_text("utf-8"))
        except (OSError, ValueError):
            self.entries = {}
        self.changed = False

    def lookup(self, path: Path, rel: str) -> tuple[str, int | None, int | None, bool]:
        st = path.stat()
        known = self.entries.get(rel)
        if known and len(known) == 6 and known[0] == st.st_size and known[1] == st.st_mtime_ns:
            return known[2], known[3], known[4], known[5]
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        width, height, alpha = _header(path)
        self.entries[rel] = [st.st_size, st.st_mtime_ns, digest, width, height, alpha]
        self.changed = True
        return digest, width, height, alpha

    def save(self, used: set[str]) -> None:
        if self.changed or self.entries.keys() - used:
            kept = {rel: e for rel, e in sorted(self.entries.items()) if rel in used}
            tmp = self.path.with_suffix(".tmp")
            tmp.write_text(json.dumps(kept), "utf-8")
            os.replace(tmp, self.path)


def _header(path: Path) -> tuple[int | None, int | None, bool]:
    """The size a browser shows (the header's, turned when the EXIF orientation says so) and whether
    the picture can be transparent."""
    info = check_image(path)
    if info.format not in RESIZED:
        return info.width, info.height, False
    from PIL import Image

    with Image.open(path) as img:  # reads the header (and EXIF) only
        turned = info.format == "jpeg" and img.getexif().get(0x0112) in (5, 6, 7, 8)
        alpha = img.mode in ("RGBA", "LA", "PA", "La", "RGBa") or "transparency" in img.info
    return ((info.height, info.width) if turned else (info.width, info.height)) + (alpha,)


def plan(file: str, fmt: str, width: int | None, height: int | None, digest: str, version: str,
         social: bool, alpha: bool = False) -> Picture:
    """What copies a picture gets, and their names (no file is read or written here). The fallback of
    a wide PNG without transparency is a JPEG: a photograph saved as PNG takes seconds to compress
    again as one, and many times the bytes."""
    key = hashlib.sha256(f"{digest}/{version}/{social}".encode()).hexdigest()
    if fmt not in RESIZED or not width or not height:
        return Picture(file, fmt, width, height, key)
    stem = PurePosixPath(file)
    tag = key[:10]

    def copy(kind: str, w: int, h: int, ext: str) -> Copy:
        return Copy(f"{stem.with_suffix('')}-{kind}.{tag}.{ext}", w, h, f"{key}-{kind}.{ext}")

    widths = sorted({min(w, width) for w in WIDTHS if w < width} | {min(width, WIDTHS[-1])})
    sources = tuple(copy(f"{w}w", w, max(1, round(height * w / width)), "webp") for w in widths)
    fallback = None
    if width > WIDTHS[-1]:
        ext = {"jpeg": stem.suffix.lstrip(".").lower(), "png": "png" if alpha else "jpg", "webp": "webp"}[fmt]
        fallback = copy(f"{WIDTHS[-1]}", WIDTHS[-1], sources[-1].height, ext)
    shot = None
    if social:
        w, h = SOCIAL_SIZE
        scale = min(1.0, width / w, height / h)  # never blown up: a small hero gives a small card
        shot = copy("social", max(1, round(w * scale)), max(1, round(h * scale)), "jpg")
    return Picture(file, fmt, width, height, key, sources, fallback, shot)


def prepare(briefs: Path, cache: Path, files: Iterable[str], heroes: Iterable[str] = ()) -> dict[str, Picture]:
    """The Picture of every file (relative to `briefs`), its copies made in `cache` where missing.

    A file Pillow cannot decode (damaged after its header) is served as it is, without copies."""
    folder = cache / "images"
    folder.mkdir(parents=True, exist_ok=True)
    index = _ContentIndex(folder, briefs)
    version = _version_tag()
    heroes = set(heroes)
    pictures: dict[str, Picture] = {}
    for rel in sorted(set(files)):
        path = briefs / rel
        try:
            digest, width, height, alpha = index.lookup(path, rel)
            fmt = check_image(path).format
        except (ImageError, OSError):
            continue  # not the build's to report: load.py has
        pictures[rel] = plan(rel, fmt, width, height, digest, version, rel in heroes, alpha)
    index.save(set(pictures))
    todo = [p for p in pictures.values() if any(not (folder / c.cache_name).is_file() for c in _copies(p))]
    if todo:
        with ThreadPoolExecutor(max(2, os.cpu_count() or 1)) as pool:
            failed = [p.file for p, ok in zip(todo, pool.map(lambda p: _make(briefs / p.file, p, folder), todo),
                                              strict=True) if not ok]
        for rel in failed:
            p = pictures[rel]
            pictures[rel] = Picture(p.file, p.format, p.width, p.height, p.key + "-plain")
    return pictures


def site_files(pictures: dict[str, Picture], cache: Path) -> dict[str, Path]:
    """Path in the site → cached file, for every copy of `pictures`."""
    return {c.rel: cache / "images" / c.cache_name for p in pictures.values() for c in _copies(p)}


def _copies(p: Picture) -> list[Copy]:
    return [*p.sources, *([p.fallback] if p.fallback else []), *([p.social] if p.social else [])]


def _make(path: Path, picture: Picture, folder: Path) -> bool:
    """Decode once, write every copy of `picture` (largest first, each from the one before)."""
    from PIL import Image, ImageOps

    Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS  # the editors' limit (checked before) is Pillow's too
    try:
        with Image.open(path) as opened:
            if opened.format == "JPEG":
                opened.draft("RGB", (WIDTHS[-1], WIDTHS[-1] * opened.height // max(opened.width, 1)))
            img = ImageOps.exif_transpose(opened)
            img.load()
            icc = opened.info.get("icc_profile")
    except (OSError, ValueError, Image.DecompressionBombError, SyntaxError):
        return False
    alpha = img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info)
    img = img.convert("RGBA" if alpha else "RGB")
    extra = {"icc_profile": icc} if icc else {}
    current = widest = img
    for c in sorted([*picture.sources, *([picture.fallback] if picture.fallback else [])],
                    key=lambda c: (-c.width, c.rel)):
        if current.size != (c.width, c.height):
            current = current.resize((c.width, c.height), Image.Resampling.LANCZOS, reducing_gap=3.0)
            if widest is img:
                widest = current  # 1600 pixels wide at most: enough for the link-preview crop
        ext = c.cache_name.rsplit(".", 1)[1]
        if ext == "webp":
            # method 2: half the time of the default 4 for a few per cent more bytes
            _save(current, folder / c.cache_name, "WEBP", quality=WEBP_QUALITY, method=2, **extra)
        elif ext == "png":
            _save(current, folder / c.cache_name, "PNG", compress_level=6, **extra)
        else:
            _save(_flatten(current), folder / c.cache_name, "JPEG", quality=JPEG_QUALITY, optimize=True,
                  progressive=True, **extra)
    if picture.social:
        w, h = picture.social.width, picture.social.height
        source = widest if widest.width >= w and widest.height >= h else img
        card = ImageOps.fit(_flatten(source), (w, h), Image.Resampling.LANCZOS, centering=(0.5, 0.5))
        _save(card, folder / picture.social.cache_name, "JPEG", quality=JPEG_QUALITY, optimize=True, **extra)
    return True


def _flatten(img):
    """On white, for JPEG (no transparency)."""
    if img.mode != "RGBA":
        return img
    from PIL import Image

    white = Image.new("RGB", img.size, (255, 255, 255))
    white.paste(img, mask=img.getchannel("A"))
    return white


def _save(img, target: Path, fmt: str, **options) -> None:
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{id(img)}.tmp")
    img.save(tmp, fmt, **options)
    os.replace(tmp, target)  # a reader of the cache never sees half a file
