"""Images: pixel sizes read from headers only, limits on pixels and bytes, and SVGs that could run
script or load anything refused (briefkit/images.py)."""

from __future__ import annotations

import os
import struct
import time
import zlib

import pytest

from briefkit.images import ImageError, check_image, read_info
from briefkit.limits import MAX_IMAGE_BYTES, MAX_SVG_ELEMENTS
from conftest import REPO


def chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(width: int, height: int, pixels: bool = True) -> bytes:
    """A real 8-bit grey PNG (with pixels) or only its header (what a decompression bomb shows first)."""
    ihdr = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
    idat = chunk(b"IDAT", zlib.compress(b"".join(b"\0" + b"\x80" * width for _ in range(height)))) if pixels else b""
    return b"\x89PNG\r\n\x1a\n" + ihdr + idat + chunk(b"IEND", b"")


def jpeg(width: int, height: int) -> bytes:
    """SOI, a JFIF APP0, a comment, a baseline SOF0 frame header, EOI: what the size is read from."""
    app0 = b"\xff\xe0" + struct.pack(">H", 16) + b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"
    comment = b"\xff\xfe" + struct.pack(">H", 2 + 5) + b"hello"
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 17, 8, height, width, 3) + b"\x01\x11\0\x02\x11\0\x03\x11\0"
    return b"\xff\xd8" + app0 + comment + sof + b"\xff\xd9"


def gif(width: int, height: int) -> bytes:
    """A 1 × 1 image (two-colour table) on a width × height logical screen."""
    return (b"GIF89a" + struct.pack("<HHBBB", width, height, 0x80, 0, 0) + b"\xff\xff\xff\0\0\0"
            + b"!\xf9\x04\x01\0\0\0\0" + b"," + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02D\x01\0;")


def riff(kind: bytes, payload: bytes) -> bytes:
    body = b"WEBP" + kind + struct.pack("<I", len(payload)) + payload
    return b"RIFF" + struct.pack("<I", len(body)) + body


def webp_vp8l(width: int, height: int) -> bytes:
    bits = (width - 1) | (height - 1) << 14
    return riff(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\0\0\0")


def webp_vp8x(width: int, height: int) -> bytes:
    return riff(b"VP8X", b"\0\0\0\0" + (width - 1).to_bytes(3, "little") + (height - 1).to_bytes(3, "little"))


def webp_vp8(width: int, height: int) -> bytes:
    return riff(b"VP8 ", b"\x10\x02\0" + b"\x9d\x01\x2a" + struct.pack("<HH", width, height) + b"\0" * 8)


def write(tmp_path, name: str, data: bytes | str):
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize("name, data, size", [
    ("a.png", png(3, 2), ("png", 3, 2)),
    ("a.jpg", jpeg(640, 480), ("jpeg", 640, 480)),
    ("a.jpeg", jpeg(1, 7000), ("jpeg", 1, 7000)),
    ("a.gif", gif(300, 200), ("gif", 300, 200)),
    ("a.webp", webp_vp8l(123, 45), ("webp", 123, 45)),
    ("b.webp", webp_vp8x(4000, 3000), ("webp", 4000, 3000)),
    ("c.webp", webp_vp8(640, 360), ("webp", 640, 360)),
    ("a.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="80"/>', ("svg", 120, 80)),
    ("b.svg", '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 300 150"/>', ("svg", 300, 150)),
    ("c.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="2in" viewBox="0 0 2 1"/>', ("svg", 192, 96)),
])
def test_size_from_the_header(tmp_path, name, data, size):
    info = read_info(write(tmp_path, name, data))
    assert (info.format, info.width, info.height) == size


def test_a_real_png_is_read_from_its_header_only(tmp_path):
    path = write(tmp_path, "big.png", png(2000, 1000))
    assert read_info(path).pixels == 2_000_000


def test_a_png_claiming_60000_by_60000_pixels_is_refused_without_decoding(tmp_path):
    path = write(tmp_path, "bomb.png", png(60_000, 60_000, pixels=False) + b"\0" * 400_000)
    start = time.perf_counter()
    with pytest.raises(ImageError) as exc:
        read_info(path)
    assert time.perf_counter() - start < 1
    assert exc.value.message == ("image is too large: 60,000 × 60,000 pixels (3,600 megapixels; "
                                 "the limit is 40 megapixels)")


@pytest.mark.parametrize("name, data", [
    ("huge.jpg", jpeg(10_000, 10_000)), ("huge.gif", gif(65_535, 65_535)), ("huge.webp", webp_vp8x(100_000, 1_000)),
    ("huge.svg", '<svg xmlns="http://www.w3.org/2000/svg" width="100000" height="100000"/>'),
])
def test_every_format_has_the_pixel_limit(tmp_path, name, data):
    with pytest.raises(ImageError, match="image is too large: .* the limit is 40 megapixels"):
        read_info(write(tmp_path, name, data))


def test_a_file_above_the_byte_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "large.png"
    with open(path, "wb") as f:
        f.write(png(1, 1))
        f.truncate(MAX_IMAGE_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(ImageError, match=r"image file is too large \(20.0 MB; the limit is 20 MB\)"):
        read_info(path)


@pytest.mark.parametrize("name, data, message", [
    ("a.bmp", b"BM" + b"\0" * 60,
     "not an image format the site and the PDFs can show (use PNG, JPEG, GIF, WebP or SVG)"),
    ("a.png", b"%PDF-1.7\n", "not an image format the site and the PDFs can show"),
    ("a.tiff", b"II*\0" + b"\0" * 60, "not an image format"),
    ("a.png", jpeg(10, 10), "the file is a JPEG image but its name ends in '.png'"),
    ("a.svg", png(2, 2), "the file is a PNG image but its name ends in '.svg'"),
    ("a.jpg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "the file is an SVG image but its name ends in '.jpg'"),
    ("a.png", png(1, 1)[:20], "the PNG file has no IHDR header"),
    ("a.jpg", b"\xff\xd8\xff\xe0\0\x10JFIF", "the JPEG file has no frame header"),
    ("a.webp", riff(b"VP8Z", b"\0" * 20), "the WebP file has no VP8, VP8L or VP8X header"),
    ("a.png", png(0, 5, pixels=False), "the PNG file says it is 0 × 5 pixels"),
])
def test_unknown_and_damaged_files(tmp_path, name, data, message):
    with pytest.raises(ImageError) as exc:
        read_info(write(tmp_path, name, data))
    assert exc.value.message.startswith(message), exc.value.message


SVG = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">'
       "{}</svg>")


@pytest.mark.parametrize("inner, message", [
    ("<script>alert(1)</script>", "SVG image carries a <script> element"),
    ('<script xlink:href="https://evil.example/x.js"/>', "SVG image carries a <script> element"),
    ('<rect width="1" height="1" onclick="alert(1)"/>', "SVG image carries an event handler attribute 'onclick'"),
    ('<g onload="alert(1)"/>', "SVG image carries an event handler attribute 'onload'"),
    ("<foreignObject><div xmlns='http://www.w3.org/1999/xhtml'>x</div></foreignObject>",
     "SVG image carries a <foreignObject> element"),
    ("<iframe xmlns='http://www.w3.org/1999/xhtml' src='https://evil.example'/>",
     "SVG image carries an HTML element <iframe>"),
    ('<a href="javascript:alert(1)"><text>x</text></a>', "SVG image refers to 'javascript:alert(1)' outside itself"),
    ('<a xlink:href="https://evil.example"><text>x</text></a>',
     "SVG image refers to 'https://evil.example' outside itself"),
    ('<image href="https://evil.example/pixel.png" width="1" height="1"/>',
     "SVG image refers to 'https://evil.example/pixel.png' outside itself (<image href>)"),
    ('<use xlink:href="https://evil.example/sprites.svg#a"/>', "SVG image refers to 'https://evil.example/sprites.svg#a'"),
    ('<image href="data:image/png;base64,iVBORw0KGgo=" width="1" height="1"/>',
     "SVG image embeds a data: address (<image href>)"),
    ('<rect width="1" height="1" style="fill: url(https://evil.example/p.svg#g)"/>',
     "SVG image refers to 'url(https://evil.example/p.svg#g)' outside itself"),
    ('<rect width="1" height="1" fill="url(\'//evil.example/p#g\')"/>',
     "SVG image refers to 'url(//evil.example/p#g)'"),
    ("<style>@import url(https://evil.example/a.css);</style>", "SVG image has a <style> with @import"),
    ("<style>rect { fill: url(https://evil.example/p.svg#g) }</style>", "SVG image refers to 'url(https://evil.example"),
    ('<set attributeName="href" to="javascript:alert(1)"/>', "SVG image animates the attribute 'href'"),
    ('<animate attributeName="onclick" to="alert(1)"/>', "SVG image animates the attribute 'onclick'"),
])
def test_svg_attacks_are_refused(tmp_path, inner, message):
    with pytest.raises(ImageError) as exc:
        read_info(write(tmp_path, "a.svg", SVG.format(inner)))
    assert exc.value.message.startswith(message), exc.value.message


@pytest.mark.parametrize("text, message", [
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg xmlns="http://www.w3.org/2000/svg">&x;</svg>',
     "SVG image has a DOCTYPE (entities are not allowed)"),
    ('<!DOCTYPE svg SYSTEM "https://evil.example/svg.dtd"><svg xmlns="http://www.w3.org/2000/svg"/>',
     "SVG image has a DOCTYPE"),
    ('<?xml-stylesheet href="https://evil.example/a.css"?><svg xmlns="http://www.w3.org/2000/svg"/>',
     "SVG image has a processing instruction <?xml-stylesheet …?>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><?php echo 1; ?></svg>', "SVG image has a processing instruction"),
    ("<svg><script>alert(1)</script></svg>", "not an SVG image: its root element is <svg> outside the SVG namespace"),
    ('<html xmlns="http://www.w3.org/1999/xhtml"><svg/></html>', "not an SVG image: its root element is <html>"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect></svg>', "SVG image is not well-formed XML"),
])
def test_svg_documents_that_are_refused(tmp_path, text, message):
    with pytest.raises(ImageError) as exc:
        read_info(write(tmp_path, "a.svg", text))
    assert exc.value.message.startswith(message), exc.value.message


def test_a_billion_laughs_of_use_elements_is_refused(tmp_path):
    levels = ['<g id="l0"><rect width="1" height="1"/></g>']
    for i in range(1, 12):
        levels.append(f'<g id="l{i}">' + f'<use href="#l{i - 1}"/>' * 10 + "</g>")
    with pytest.raises(ImageError, match=f"more than {MAX_SVG_ELEMENTS:,} elements once its <use>"):
        read_info(write(tmp_path, "a.svg", SVG.format("<defs>" + "".join(levels) + "</defs>")))


def test_a_use_that_refers_to_itself_is_refused(tmp_path):
    with pytest.raises(ImageError, match="refers to itself"):
        read_info(write(tmp_path, "a.svg", SVG.format('<g id="a"><use href="#a"/></g>')))


def test_references_inside_the_drawing_are_allowed(tmp_path):
    inner = ('<defs><linearGradient id="g"><stop offset="0"/></linearGradient><path id="p" d="M0 0"/></defs>'
             '<rect width="1" height="1" fill="url(#g)" style="stroke: url( \'#g\' )"/><use xlink:href="#p"/>'
             '<a href="#p"><text>x</text></a><style>rect { fill: url(#g) }</style>')
    assert read_info(write(tmp_path, "a.svg", SVG.format(inner))).format == "svg"


def test_the_sample_images_pass():
    folder = REPO / "briefs" / "images"
    images = sorted(folder.rglob("*.svg"))
    assert len(images) >= 5
    for path in images:
        info = read_info(path)
        assert info.format == "svg" and info.width and info.height


def test_a_changed_file_is_checked_again(tmp_path):
    path = write(tmp_path, "a.svg", SVG.format("<rect width='1' height='1'/>"))
    assert check_image(path).format == "svg"
    path.write_text(SVG.format("<script>alert(1)</script>"))
    os.utime(path, ns=(time.time_ns() + 10**9, time.time_ns() + 10**9))
    with pytest.raises(ImageError, match="<script>"):
        check_image(path)
