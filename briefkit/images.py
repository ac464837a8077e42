"""Images editors publish (heroes, figures, author photos), checked before anything decodes them.

- The pixel size comes from the file's header only (PNG IHDR, JPEG SOFn, GIF screen and frames,
  WebP VP8/VP8L/VP8X, SVG width/height/viewBox): a 400 KB PNG can claim 60,000 × 60,000 pixels and
  take gigabytes to decode. Sizes and bytes above the limits in limits.py are errors.
- Only the formats both the web pages and the PDFs (Typst) show are accepted, and a file's name
  must end as its format does (servers send the type by the extension).
- An SVG is a document: opened on its own it runs on the site's origin. SVGs that carry scripts,
  event handlers, foreign objects, references outside the file, a DOCTYPE (entities) or style
  imports are refused, never rewritten.
"""

from __future__ import annotations

import os
import re
import struct
from dataclasses import dataclass
from pathlib import Path

from .limits import MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS, MAX_SVG_ELEMENTS

ACCEPTED = "PNG, JPEG, GIF, WebP or SVG"
EXTENSIONS = {"png": (".png",), "jpeg": (".jpg", ".jpeg"), "gif": (".gif",), "webp": (".webp",), "svg": (".svg",)}
FORMAT_NAMES = {"png": "PNG", "jpeg": "JPEG", "gif": "GIF", "webp": "WebP", "svg": "SVG"}


class ImageError(Exception):
    """What is wrong with an image, in an editor's words: message and hint."""

    def __init__(self, message: str, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint


@dataclass(frozen=True)
class ImageInfo:
    format: str  # png, jpeg, gif, webp, svg
    width: int | None  # pixels (for SVG: CSS pixels of its width/height or viewBox; None if not given)
    height: int | None
    frames: int = 1

    @property
    def pixels(self) -> int:
        return (self.width or 0) * (self.height or 0)


# ---- header readers ---------------------------------------------------------------------------

def sniff(head: bytes) -> str | None:
    """The format of a file from its first bytes."""
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") and (b"<svg" in head or text.startswith((b"<?xml", b"<!--", b"<!DOCTYPE", b"<!doctype"))):
        return "svg"
    return None


def png_size(data: bytes) -> tuple[int, int]:
    if len(data) < 33 or data[12:16] != b"IHDR":
        raise ImageError("the PNG file has no IHDR header: it is cut short or damaged")
    width, height = struct.unpack(">II", data[16:24])
    return width, height


_SOF = {0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF}


def jpeg_size(data: bytes) -> tuple[int, int]:
    """Width and height from the first SOFn segment (before the image data starts)."""
    i = 2
    while i + 4 <= len(data):
        if data[i] != 0xFF:
            break
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:  # no length
            i += 2
            continue
        if marker in (0xD9, 0xDA):  # end of image, start of scan: no frame header before
            break
        (length,) = struct.unpack(">H", data[i + 2 : i + 4])
        if length < 2:
            break
        if marker in _SOF:
            if i + 9 > len(data):
                break
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            if height == 0 or width == 0:
                raise ImageError("the JPEG file does not give its size in its header",
                                 "save it again from an image editor")
            return width, height
        i += 2 + length
    raise ImageError("the JPEG file has no frame header: it is cut short or damaged")


def gif_size(data: bytes) -> tuple[int, int, int]:
    """The logical screen's size, grown to hold every frame, and the number of frames."""
    if len(data) < 13:
        raise ImageError("the GIF file is cut short")
    width, height, flags = struct.unpack("<HHB", data[6:11])
    i = 13 + (3 << ((flags & 7) + 1) if flags & 0x80 else 0)
    frames = 0
    while i < len(data):
        kind = data[i]
        if kind == 0x3B:  # trailer
            break
        if kind == 0x21:  # extension: label, then sub-blocks
            i = _skip_sub_blocks(data, i + 2)
        elif kind == 0x2C:  # image descriptor
            if i + 10 > len(data):
                break
            left, top, w, h, local = struct.unpack("<HHHHB", data[i + 1 : i + 10])
            width, height = max(width, left + w), max(height, top + h)
            frames += 1
            i += 10 + (3 << ((local & 7) + 1) if local & 0x80 else 0)
            i = _skip_sub_blocks(data, i + 1)  # after the LZW minimum code size
        else:
            raise ImageError("the GIF file is damaged (unknown block)")
    return width, height, max(frames, 1)


def _skip_sub_blocks(data: bytes, i: int) -> int:
    while i < len(data):
        size = data[i]
        i += 1 + size
        if size == 0:
            break
    return i


def webp_size(data: bytes) -> tuple[int, int]:
    kind, body = data[12:16], data[20:]
    if kind == b"VP8X" and len(body) >= 10:
        width = int.from_bytes(body[4:7], "little") + 1
        height = int.from_bytes(body[7:10], "little") + 1
        return width, height
    if kind == b"VP8L" and len(body) >= 5 and body[0] == 0x2F:
        bits = int.from_bytes(body[1:5], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if kind == b"VP8 " and len(body) >= 10 and body[3:6] == b"\x9d\x01\x2a":
        width, height = struct.unpack("<HH", body[6:10])
        return width & 0x3FFF, height & 0x3FFF
    raise ImageError("the WebP file has no VP8, VP8L or VP8X header: it is cut short or damaged")


# ---- SVG ------------------------------------------------------------------------------------

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
# namespaces whose elements a browser would make live inside an SVG
_FOREIGN_NS = {"http://www.w3.org/1999/xhtml": "HTML", "http://www.w3.org/1998/Math/MathML": "MathML"}
_ANIMATIONS = {"set", "animate", "animatetransform", "animatemotion", "animatecolor"}
_URL = re.compile(r"url\(\s*(['\"]?)\s*(?P<target>[^)'\"]*)", re.I)
_UNITS = {"": 1.0, "px": 1.0, "pt": 4 / 3, "pc": 16.0, "in": 96.0, "cm": 96 / 2.54, "mm": 96 / 25.4,
          "q": 96 / 101.6, "em": 16.0, "ex": 8.0}
_LENGTH = re.compile(r"^\s*([0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?)\s*([a-zA-Z]*)\s*$")


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


def _namespace(name: str) -> str:
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def _length(value: str | None) -> float | None:
    m = _LENGTH.match(value or "")
    if not m or m.group(2).lower() not in _UNITS:
        return None  # a percentage or no value: the size comes from the viewBox
    return float(m.group(1)) * _UNITS[m.group(2).lower()]


def svg_check(data: bytes) -> tuple[int | None, int | None]:
    """The SVG's size in CSS pixels; ImageError when it could run script or load anything."""
    from lxml import etree

    if re.search(rb"<!DOCTYPE|<!ENTITY", data, re.I):
        raise ImageError("SVG image has a DOCTYPE (entities are not allowed)",
                         "save it as plain SVG, without a DOCTYPE")
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False,
                             dtd_validation=False, remove_comments=True, collect_ids=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise ImageError(f"SVG image is not well-formed XML: {exc.msg or exc}",
                         "save it again from a drawing program") from None
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise ImageError("SVG image has a DOCTYPE (entities are not allowed)",
                         "save it as plain SVG, without a DOCTYPE")
    if root.tag != f"{{{SVG_NS}}}svg":
        raise ImageError(f"not an SVG image: its root element is <{_local(str(root.tag))}>"
                         + ("" if _local(str(root.tag)) != "svg" else " outside the SVG namespace"),
                         f'the root element must be <svg xmlns="{SVG_NS}">')
    sibling = root.getprevious()
    while sibling is not None:  # <?xml-stylesheet href=…?> before the root loads a style sheet
        if isinstance(sibling, etree._ProcessingInstruction):
            raise ImageError(f"SVG image has a processing instruction <?{sibling.target} …?>",
                             "remove it: an image may not load anything")
        sibling = sibling.getprevious()
    ids: dict[str, object] = {}
    for el in root.iter():
        if isinstance(el, etree._ProcessingInstruction):
            raise ImageError(f"SVG image has a processing instruction <?{el.target} …?>",
                             "remove it: an image may not load anything")
        if isinstance(el, etree._Entity):
            raise ImageError("SVG image uses an entity", "save it as plain SVG")
        if not isinstance(el.tag, str):
            continue
        _check_element(el)
        element_id = el.get("id")
        if element_id:
            ids.setdefault(element_id, el)
    _check_expansion(root, ids)
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = [float(v) for v in re.findall(r"[-+]?[0-9]*\.?[0-9]+(?:[eE][-+]?[0-9]+)?", root.get("viewBox") or "")]
    if len(box) == 4 and box[2] > 0 and box[3] > 0:
        if width is None and height is None:
            width, height = box[2], box[3]
        elif width is None:
            width = height * box[2] / box[3]
        elif height is None:
            height = width * box[3] / box[2]
    to_int = lambda v: None if v is None else max(0, round(v))  # noqa: E731
    return to_int(width), to_int(height)


def _check_element(el) -> None:
    name = _local(el.tag)
    lower = name.lower()
    namespace = _namespace(el.tag)
    if lower == "script":
        raise ImageError("SVG image carries a <script> element", "remove the script: images must not run code")
    if lower == "foreignobject":
        raise ImageError("SVG image carries a <foreignObject> element",
                         "remove it: it can hold HTML that runs in the page")
    if namespace in _FOREIGN_NS:
        raise ImageError(f"SVG image carries an {_FOREIGN_NS[namespace]} element <{name}>",
                         "remove it: only SVG elements are allowed")
    if lower == "style":
        css = "".join(el.itertext())
        if re.search(r"@import", css, re.I):
            raise ImageError("SVG image has a <style> with @import", "remove it: an image may not load anything")
        _check_css(css, "<style>")
    if lower in _ANIMATIONS:
        target = (el.get("attributeName") or "").lower()
        if target.split(":")[-1] == "href" or target.startswith("on"):
            raise ImageError(f"SVG image animates the attribute '{target}' (<{name}>)",
                             "remove the animation: it can change links or run code")
    for attr, value in el.attrib.items():
        attr_name = _local(attr)
        if attr_name.lower().startswith("on"):
            raise ImageError(f"SVG image carries an event handler attribute '{attr_name}' (on <{name}>)",
                             "remove it: images must not run code")
        if attr_name.lower() in ("href", "src") or (attr_name.lower() == "base" and _namespace(attr)):  # xml:base
            if value.strip().lower().startswith("data:"):
                raise ImageError(f"SVG image embeds a data: address (<{name} {attr_name}>)",
                                 "export the picture inside as its own PNG or JPEG, or remove it")
            if not value.strip().startswith("#"):
                shown = value.strip()
                shown = shown if len(shown) <= 60 else shown[:57] + "…"
                raise ImageError(f"SVG image refers to '{shown}' outside itself (<{name} {attr_name}>)",
                                 "embed what it shows or remove it; only references to #ids in the file are allowed")
        if "url(" in value.lower() or "image-set(" in value.lower() or "@import" in value.lower():
            _check_css(value, f"<{name} {attr_name}>")


def _check_css(css: str, where: str) -> None:
    if re.search(r"@import|image-set\(", css, re.I):
        raise ImageError(f"SVG image loads a style or image from outside itself ({where})",
                         "remove it: an image may not load anything")
    for m in _URL.finditer(css):
        if not m.group("target").strip().startswith("#"):
            target = m.group("target").strip()
            target = target if len(target) <= 60 else target[:57] + "…"
            raise ImageError(f"SVG image refers to 'url({target})' outside itself ({where})",
                             "only url(#id) references to the file itself are allowed")


def _check_expansion(root, ids: dict) -> None:
    """<use> copies what it points to: a few nested <use>s can stand for billions of elements."""
    sizes: dict[int, int] = {}
    visiting: set[int] = set()

    def size(el) -> int:
        key = id(el)
        if key in sizes:
            return sizes[key]
        if key in visiting:
            raise ImageError("SVG image has a <use> that refers to itself", "remove the loop")
        visiting.add(key)
        stack, total = [el], 0
        while stack:  # the element's own subtree, iteratively; <use> targets through size()
            node = stack.pop()
            if not isinstance(node.tag, str):
                continue
            total += 1
            if _local(node.tag) == "use":
                ref = node.get("href") or node.get(f"{{{XLINK_NS}}}href") or ""
                target = ids.get(ref.strip()[1:]) if ref.strip().startswith("#") else None
                if target is not None:
                    total += size(target)
            stack.extend(node)
            if total > MAX_SVG_ELEMENTS:
                break
        visiting.discard(key)
        sizes[key] = total
        if total > MAX_SVG_ELEMENTS:
            raise ImageError(f"SVG image has more than {MAX_SVG_ELEMENTS:,} elements once its <use> "
                             f"references are expanded (the limit is {MAX_SVG_ELEMENTS:,})",
                             "simplify the drawing")
        return total

    size(root)


# ---- the check ------------------------------------------------------------------------------

def read_info(path: Path) -> ImageInfo:
    """The format and size of the image file at `path`; ImageError for anything that is not allowed."""
    size = path.stat().st_size
    if size > MAX_IMAGE_BYTES:
        raise ImageError(f"image file is too large ({size / 1e6:.1f} MB; the limit is {MAX_IMAGE_BYTES / 1e6:.0f} MB)",
                         "save it smaller: a web page needs a few hundred KB")
    with open(path, "rb") as f:
        head = f.read(64)
        kind = sniff(head)
        if kind is None:
            raise ImageError(f"not an image format the site and the PDFs can show (use {ACCEPTED})",
                             "export it as PNG or JPEG")
        extension = path.suffix.lower()
        if extension not in EXTENSIONS[kind]:
            article = "an" if kind == "svg" else "a"
            raise ImageError(f"the file is {article} {FORMAT_NAMES[kind]} image but its name ends in '{path.suffix}'",
                             f"rename it to end in {' or '.join(EXTENSIONS[kind])}")
        if kind in ("png", "webp"):
            data = head
        elif kind == "jpeg":
            data = head + f.read(min(size, 1 << 16))  # the frame header comes after the metadata segments
            if len(data) < size:
                try:
                    jpeg_size(data)
                except ImageError:
                    data += f.read()
        else:
            data = head + f.read()
    frames = 1
    if kind == "png":
        width, height = png_size(data)
    elif kind == "jpeg":
        width, height = jpeg_size(data)
    elif kind == "gif":
        width, height, frames = gif_size(data)
    elif kind == "webp":
        width, height = webp_size(data)
    else:
        width, height = svg_check(data)
    info = ImageInfo(kind, width, height, frames)
    if kind != "svg" and (not width or not height):
        raise ImageError(f"the {FORMAT_NAMES[kind]} file says it is {width} × {height} pixels",
                         "save it again from an image editor")
    if info.pixels > MAX_IMAGE_PIXELS:
        raise ImageError(f"image is too large: {width:,} × {height:,} pixels ({info.pixels / 1e6:,.0f} megapixels; "
                         f"the limit is {MAX_IMAGE_PIXELS / 1e6:.0f} megapixels)",
                         "scale it down: a page shows at most a few thousand pixels across")
    return info


_checked: dict[tuple[str, int, int], ImageInfo | ImageError] = {}


def check_image(path: Path) -> ImageInfo:
    """read_info, remembered for the run while the file's size and modification time stay the same
    (briefs share images; a brief known from an earlier build has its images checked again)."""
    st = os.stat(path)
    key = (os.fspath(path), st.st_size, st.st_mtime_ns)
    if key not in _checked:
        try:
            _checked[key] = read_info(path)
        except ImageError as exc:
            _checked[key] = exc
        except OSError as exc:
            _checked[key] = ImageError(f"image file cannot be read ({exc.strerror or exc})")
    result = _checked[key]
    if isinstance(result, ImageError):
        raise result
    return result


def image_ok(path: Path) -> bool:
    """Whether the image at `path` passes check_image (a missing file does not)."""
    try:
        check_image(path)
    except (ImageError, OSError):
        return False
    return True


def report_image(path: Path, span, diags) -> None:
    """check_image, its problem reported at `span` (the line that names the file)."""
    try:
        check_image(path)
    except ImageError as exc:
        diags.error(span, exc.message, exc.hint)
