"""Web copies of editors' images (briefkit/pictures.py): which copies, their sizes, the cache."""

from __future__ import annotations

import io
import random

import pytest
from PIL import Image

from briefkit import pictures
from briefkit.pictures import WIDTHS, plan, prepare, site_files


def photo(path, width: int, height: int, fmt: str = "JPEG", **options) -> None:
    """A photograph-like picture (noise, so that encoders cannot make it trivially small)."""
    rng = random.Random(width * 7 + height)
    img = Image.frombytes("RGB", (width, height), rng.randbytes(width * height * 3))
    path.parent.mkdir(parents=True, exist_ok=True)
    img.save(path, fmt, **options)


def test_a_wide_photograph_gets_every_width_and_a_fallback_no_wider_than_the_widest():
    p = plan("images/a.jpg", "jpeg", 4000, 2500, "d" * 64, "v", social=True)
    assert [c.width for c in p.sources] == list(WIDTHS)
    assert [c.height for c in p.sources] == [round(2500 * w / 4000) for w in WIDTHS]
    assert all(c.rel.startswith("images/a-") and c.rel.endswith(".webp") for c in p.sources)
    assert p.fallback is not None and p.fallback.width == WIDTHS[-1] and p.fallback.rel.endswith(".jpg")
    assert p.src == p.fallback.rel
    assert (p.social.width, p.social.height) == pictures.SOCIAL_SIZE


def test_a_narrow_picture_is_never_blown_up():
    p = plan("images/b.png", "png", 1000, 500, "d" * 64, "v", social=True)
    assert [c.width for c in p.sources] == [480, 800, 1000]
    assert p.fallback is None and p.src == "images/b.png"  # the original is small enough
    assert p.social.width <= 1000 and p.social.height <= 500
    tiny = plan("images/c.png", "png", 300, 200, "d" * 64, "v", social=False)
    assert [c.width for c in tiny.sources] == [300] and tiny.social is None


@pytest.mark.parametrize("fmt", ["gif", "svg"])
def test_gifs_and_svgs_are_served_as_they_are(fmt):
    p = plan(f"images/x.{fmt}", fmt, 2000, 1000, "d" * 64, "v", social=True)
    assert p.sources == () and p.fallback is None and p.social is None and p.src == f"images/x.{fmt}"


def test_names_follow_the_content():
    a = plan("images/a.jpg", "jpeg", 2000, 1000, "1" * 64, "v", social=False)
    b = plan("images/a.jpg", "jpeg", 2000, 1000, "2" * 64, "v", social=False)
    assert a.key != b.key and not {c.rel for c in a.sources} & {c.rel for c in b.sources}


def test_copies_are_made_with_their_sizes_and_the_same_bytes_every_time(tmp_path):
    briefs = tmp_path / "briefs"
    photo(briefs / "images/wide.jpg", 2400, 1500)
    photo(briefs / "images/clear.png", 900, 600, "PNG")
    found = {}
    for run in ("one", "two"):
        cache = tmp_path / run
        made = prepare(briefs, cache, ["images/wide.jpg", "images/clear.png"], heroes=["images/wide.jpg"])
        files = site_files(made, cache)
        found[run] = {rel: path.read_bytes() for rel, path in files.items()}
    assert found["one"] == found["two"]  # deterministic: same inputs, same bytes
    wide = made["images/wide.jpg"]
    for copy in [*wide.sources, wide.fallback, wide.social]:
        with Image.open(io.BytesIO(found["two"][copy.rel])) as img:
            assert img.size == (copy.width, copy.height), copy.rel
            assert img.format == ("WEBP" if copy.rel.endswith(".webp") else "JPEG")
    assert made["images/clear.png"].fallback is None and made["images/clear.png"].social is None


def test_exif_orientation_is_applied_to_sizes_and_copies(tmp_path):
    briefs = tmp_path / "briefs"
    exif = Image.Exif()
    exif[0x0112] = 6  # turned 90°: stored 600 × 300, shown 300 × 600
    photo(briefs / "images/turned.jpg", 600, 300, exif=exif.tobytes())
    made = prepare(briefs, tmp_path / "cache", ["images/turned.jpg"])["images/turned.jpg"]
    assert (made.width, made.height) == (300, 600)
    [copy] = made.sources
    with Image.open(tmp_path / "cache/images" / copy.cache_name) as img:
        assert img.size == (300, 600)


def test_the_cache_is_used_and_a_replaced_image_gets_new_copies(tmp_path, monkeypatch):
    briefs, cache = tmp_path / "briefs", tmp_path / "cache"
    photo(briefs / "images/a.jpg", 1000, 600)
    first = prepare(briefs, cache, ["images/a.jpg"])["images/a.jpg"]
    calls = []
    monkeypatch.setattr(pictures, "_make", lambda *args: calls.append(args) or True)
    assert prepare(briefs, cache, ["images/a.jpg"])["images/a.jpg"] == first
    assert calls == []  # nothing made again
    photo(briefs / "images/a.jpg", 1000, 601)
    second = prepare(briefs, cache, ["images/a.jpg"])["images/a.jpg"]
    assert second.key != first.key and len(calls) == 1


def test_a_picture_pillow_cannot_decode_is_served_as_it_is(tmp_path):
    briefs = tmp_path / "briefs"
    photo(briefs / "images/cut.jpg", 1200, 800)
    data = (briefs / "images/cut.jpg").read_bytes()
    (briefs / "images/cut.jpg").write_bytes(data[: len(data) // 3])  # the header is whole, the picture is not
    made = prepare(briefs, tmp_path / "cache", ["images/cut.jpg"])["images/cut.jpg"]
    assert made.sources == () and made.src == "images/cut.jpg" and made.width == 1200


def test_a_wide_png_falls_back_to_jpeg_unless_it_can_be_transparent(tmp_path):
    briefs = tmp_path / "briefs"
    photo(briefs / "images/photo.png", 2000, 1000, "PNG")
    clear = Image.new("RGBA", (2000, 1000), (0, 0, 0, 0))
    (briefs / "images").mkdir(parents=True, exist_ok=True)
    clear.save(briefs / "images/chart.png")
    made = prepare(briefs, tmp_path / "cache", ["images/photo.png", "images/chart.png"])
    assert made["images/photo.png"].fallback.rel.endswith(".jpg")
    assert made["images/chart.png"].fallback.rel.endswith(".png")
    with Image.open(tmp_path / "cache/images" / made["images/chart.png"].sources[0].cache_name) as img:
        assert img.mode == "RGBA"  # the WebP copies keep the transparency
