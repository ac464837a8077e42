"""What the build adds to the theme's files: the patched Material bundle and the Korean web font."""

from __future__ import annotations

import hashlib
import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit import webfonts
from briefkit.theme_patches import PATCHES, ThemePatchError, patch_material_bundle
from briefkit.webfonts import (
    CSS_TARGET,
    CSS_UNICODE_RANGE,
    FAMILY,
    FULL_FAMILY,
    RANGES,
    SENTINEL_FAMILY,
    SLICE_GROUP,
    SLICE_SIZE,
    SLICES_FOLDER,
    SOURCE,
    TARGET,
    CharacterCollector,
    cached_slices,
    font_css,
    make_slices,
    plan_slices,
    subset_woff2,
    unicode_range,
    write_font_slices,
    write_web_font,
    write_web_fonts,
)
from conftest import REPO

FONT = REPO / "templates" / SOURCE


def bundle_dir(tmp_path, code: bytes):
    folder = tmp_path / "site" / "assets" / "javascripts"
    folder.mkdir(parents=True)
    (folder / "bundle.abc123.min.js").write_bytes(code)
    return tmp_path / "site"


def test_material_bundle_is_patched_once_and_patching_again_changes_nothing(tmp_path):
    site = bundle_dir(tmp_path, b'x;e.pipe(b(()=>M("link[rel=alternate]")),m(r=>new URL(r.href)));y')
    bundle = patch_material_bundle(site)
    patched = bundle.read_bytes()
    # only language versions of the site: not feeds, not a brief's translations (data-translation)
    assert patched == (b'x;e.pipe(b(()=>M("link[rel=alternate][hreflang]:not([data-translation])")),'
                       b'm(r=>new URL(r.href)));y')
    patch_material_bundle(site)
    assert bundle.read_bytes() == patched


def test_a_bundle_patched_by_an_earlier_briefkit_gets_the_new_patch(tmp_path):
    site = bundle_dir(tmp_path, b'x;e.pipe(b(()=>M("link[rel=alternate][hreflang]")),m(r=>new URL(r.href)));y')
    assert b"[hreflang]:not([data-translation])" in patch_material_bundle(site).read_bytes()


def test_a_changed_material_bundle_stops_the_build(tmp_path):
    site = bundle_dir(tmp_path, b'e.pipe(b(()=>document.querySelectorAll("link[rel=alternate]")))')
    with pytest.raises(ThemePatchError, match="Material changed"):
        patch_material_bundle(site)


def test_the_pinned_material_bundle_has_the_code_the_patch_expects():
    import material

    theme = Path(material.__file__).parent / "templates" / "assets" / "javascripts"
    bundles = list(theme.glob("bundle.*.min.js"))
    assert len(bundles) == 1
    code = bundles[0].read_bytes()
    for old, _, _ in PATCHES:
        assert code.count(old) == 1


def test_collector_keeps_korean_characters_only():
    collector = CharacterCollector()
    collector.add("<p lang=ko>본 요약은 「인용」 ｂ</p> English — “quotes” 中文")
    collector.add("plain ascii")
    assert collector.chars == set("본요약은「인용」ｂ")


def cmap_of(data: bytes) -> set[str]:
    return {chr(code) for code in TTFont(io.BytesIO(data)).getBestCmap()}


def test_web_font_has_exactly_the_characters_asked_for():
    data = subset_woff2(FONT, set("본요약은"))
    assert data[:4] == b"wOF2"
    assert cmap_of(data) == set("본요약은")
    assert len(data) < 10_000  # a few glyphs, not the megabyte-sized face


def test_web_font_for_no_characters_is_still_a_font():
    data = subset_woff2(FONT, set())
    assert data[:4] == b"wOF2"
    assert cmap_of(data) == {"\u3000"}  # one character, or browsers reject the font


@settings(max_examples=15, deadline=None)
@given(st.sets(st.characters(min_codepoint=0xAC00, max_codepoint=0xD7A3), max_size=30))
def test_web_font_bytes_depend_only_on_the_characters(chars):
    assert subset_woff2(FONT, set(chars)) == subset_woff2(FONT, set(sorted(chars, reverse=True)))


def test_web_font_is_written_into_the_site_and_reused_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    first = write_web_font(set("바랍니다"), FONT, tmp_path / "site", cache)
    assert first == tmp_path / "site" / TARGET
    cached = list((cache / "webfonts").glob("*.woff2"))
    assert len(cached) == 1
    other = subset_woff2(FONT, set("다른"))  # a whole font, told apart from the one it replaces
    cached[0].write_bytes(other)  # the next build copies the cached bytes
    write_web_font(set("바랍니다"), FONT, tmp_path / "site2", cache)
    assert (tmp_path / "site2" / TARGET).read_bytes() == other
    cached[0].write_bytes(b"wOF2 cut short")  # not a whole font: made again, never published
    write_web_font(set("바랍니다"), FONT, tmp_path / "site3", cache)
    assert (tmp_path / "site3" / TARGET).read_bytes() == first.read_bytes()
    write_web_font(set("다른"), FONT, tmp_path / "site3", cache)  # other characters, another subset
    assert cmap_of((tmp_path / "site3" / TARGET).read_bytes()) == set("다른")


def test_stylesheet_names_the_web_fonts_last_and_the_sentinel_first():
    css = (REPO / "docs" / "assets" / "briefs.css").read_text(encoding="utf-8")
    assert not re.search(r"@font-face\s*{", css)  # the rules are the build's (CSS_TARGET), with the ranges of the code
    for name in ("--md-text-font-family", "--md-code-font-family"):
        stack = [f.strip().strip('"') for f in re.search(rf"{name}:([^;]+);", css).group(1).split(",")]
        assert stack[0] == SENTINEL_FAMILY  # see webfonts.SENTINEL_FAMILY
        # the reader's own Korean fonts first, then the site's characters, then any other Hangul
        assert stack.index("Malgun Gothic") < stack.index(FAMILY) == stack.index(FULL_FAMILY) - 1
        assert stack[stack.index(FULL_FAMILY) + 1:] in ([], ["sans-serif"])
    mkdocs = (REPO / "mkdocs.yml").read_text(encoding="utf-8")
    assert re.search(rf"^extra_css:\n(  - .*\n)*  - {re.escape(CSS_TARGET.as_posix())}\b", mkdocs, re.M)


# ---- the slices of the whole face ----

def cmap_of_font(source) -> set[int]:
    return set(TTFont(source, lazy=True).getBestCmap())


def every_code_point() -> list[int]:
    return [code for a, b in RANGES for code in range(a, b + 1)]


def covered(slices) -> list[int]:
    return [code for s in slices for a, b in s.ranges for code in range(a, b + 1)]


def test_slices_share_the_ranges_out_each_code_point_to_exactly_one():
    mapped = cmap_of_font(str(FONT))
    slices = plan_slices(mapped)
    assert sorted(covered(slices)) == every_code_point()  # no code point twice, none left out
    assert [c for s in slices for c in s.codepoints] == sorted(mapped & set(every_code_point()))
    assert len(mapped & set(every_code_point())) == 11_462  # all 11,172 syllables, jamo, punctuation
    sizes = [len(s.codepoints) for s in slices]
    assert all(size == SLICE_SIZE for size in sizes[:-1]) and SLICE_SIZE // 2 <= sizes[-1] < 2 * SLICE_SIZE
    for s in slices:  # each answers for its own code points, in order
        assert all(a <= b for a, b in s.ranges)
        assert set(s.codepoints) <= set(covered([s]))
    assert plan_slices(mapped) == slices


@settings(max_examples=25, deadline=None)
@given(st.sets(st.sampled_from(every_code_point()), max_size=400), st.integers(1, 300))
def test_any_face_is_sliced_without_gaps_or_overlaps(mapped, size):
    slices = plan_slices(mapped, size)
    assert sorted(covered(slices)) == every_code_point()
    assert sorted(c for s in slices for c in s.codepoints) == sorted(mapped)
    for s in slices[:-1]:
        assert len(s.codepoints) == size


def test_a_face_of_two_slices_whose_last_is_short_is_one_slice():
    # found by the property test above: the short last slice was joined to an index that had moved
    slices = plan_slices({0x1100, 0x1101}, 2)
    assert len(slices) == 1 and sorted(covered(slices)) == every_code_point()


def test_unicode_range_joins_runs():
    assert unicode_range([0xAC01, 0xAC00, 0xAC02, 0xAC05, 0x3000]) == "U+3000, U+AC00-AC02, U+AC05"
    assert CSS_UNICODE_RANGE == ", ".join(f"U+{a:04X}-{b:04X}" for a, b in RANGES)


@pytest.fixture(scope="module")
def slices(tmp_path_factory):
    """The slices of the shipped face, made once (a few seconds) into a cache of this module."""
    import time

    cache = tmp_path_factory.mktemp("slices-cache")
    start = time.perf_counter()
    key, plan, files = cached_slices(FONT, cache)
    return {"cache": cache, "key": key, "plan": plan, "files": files, "seconds": time.perf_counter() - start}


def test_slices_hold_exactly_their_characters_and_weigh_little(slices):
    files, plan = slices["files"], slices["plan"]
    assert len(files) == len(plan) == 90
    for data, s in zip(files, plan, strict=True):
        assert data[:4] == b"wOF2"
        assert {ord(c) for c in cmap_of(data)} == set(s.codepoints)
        assert 4_000 < len(data) < 20_000, len(data)  # a few kilobytes for a reader who needs one
    total = sum(map(len, files))
    assert 600_000 < total < 1_300_000  # the whole face, about the TrueType file, less than twice the
    # single WOFF2 of all of it (small slices compress less well)
    print(f"{len(files)} slices, {total:,} bytes, made in {slices['seconds']:.1f} s")


def test_slices_are_the_same_bytes_however_they_are_made(slices):
    """Made again in this process (not on other cores), a group of slices is byte for byte the same."""
    group = slice(SLICE_GROUP, 2 * SLICE_GROUP)
    assert make_slices(FONT, slices["plan"][group], workers=1) == slices["files"][group]


def test_slices_are_reused_from_the_cache(slices, monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("made again")

    monkeypatch.setattr(webfonts, "make_slices", never)
    key, plan, files = cached_slices(FONT, slices["cache"])
    assert (key, plan, files) == (slices["key"], slices["plan"], slices["files"])


def fake_woff2(n: int) -> bytes:
    """Not a font, but a whole WOFF2 file as far as the cache can tell."""
    data = bytearray(b"wOF2" + bytes(60))
    data[8:12] = len(data).to_bytes(4, "big")
    data[20] = n
    return bytes(data)


def test_a_damaged_or_half_cached_set_of_slices_is_made_again(tmp_path, monkeypatch):
    """The cache of slices a build cut (a face shipped without them, or another fontTools)."""
    made = []

    def fake(source, plan, workers=None):
        made.append(len(plan))
        return [fake_woff2(i) for i in range(len(plan))]

    monkeypatch.setattr(webfonts, "make_slices", fake)
    key, plan, files = cached_slices(FONT, tmp_path, shipped=False)
    folder = tmp_path / "webfonts" / f"slices-{key}"
    assert sorted(p.name for p in folder.iterdir())[-2:] == [f"{len(plan) - 1:03d}.woff2", "slices.json"]
    assert cached_slices(FONT, tmp_path, shipped=False) == (key, plan, files) and len(made) == 1
    for damage in (lambda: (folder / "007.woff2").write_bytes(b"wOF2 cut short"),
                   lambda: (folder / "012.woff2").unlink(),
                   lambda: (folder / "slices.json").write_text("{", encoding="utf-8")):
        damage()
        assert cached_slices(FONT, tmp_path, shipped=False) == (key, plan, files)
    assert len(made) == 4
    assert not list((tmp_path / "webfonts").glob("*.part"))  # nothing half made left behind


def test_another_face_has_other_slices_and_names(tmp_path, monkeypatch):
    monkeypatch.setattr(webfonts, "make_slices", lambda source, plan, workers=None: [fake_woff2(0)] * len(plan))
    other = tmp_path / "Other.ttf"
    other.write_bytes(FONT.read_bytes() + b"\0")  # any other bytes (fontTools reads past the end)
    assert cached_slices(FONT, tmp_path)[0] != cached_slices(other, tmp_path)[0]


def test_web_fonts_and_their_rules_are_written_into_the_site(slices, tmp_path):
    site = tmp_path / "site"
    stale = site / SLICES_FOLDER / "0123456789abcdef"  # an earlier face's slices, in a dirty build's copy
    stale.mkdir(parents=True)
    (stale / "000.woff2").write_bytes(b"old")
    css_path = write_web_fonts(set("본요약은"), FONT, site, slices["cache"])
    assert not stale.exists()
    css = css_path.read_text(encoding="utf-8")
    rules = re.findall(r"@font-face \{([^}]*)\}", css)
    assert len(rules) == 2 + len(slices["plan"])
    faces = [dict(re.findall(r"([a-z-]+): ([^;]+);", rule)) for rule in rules]
    assert [f["font-family"] for f in faces[:3]] == [f'"{SENTINEL_FAMILY}"', f'"{FAMILY}"', f'"{FULL_FAMILY}"']
    assert faces[0]["unicode-range"] == "U+10FFFF"
    assert faces[1]["unicode-range"] == CSS_UNICODE_RANGE
    assert all(f["font-display"] == "block" for f in faces)
    subset = (site / TARGET).read_bytes()
    assert cmap_of(subset) == set("본요약은")
    for face, plan_slice, data in zip(faces[2:], slices["plan"], slices["files"], strict=True):
        assert face["unicode-range"] == plan_slice.unicode_range
        url = re.fullmatch(r'url\("([^"]+)"\) format\("woff2"\)', face["src"]).group(1)
        assert (css_path.parent / url).read_bytes() == data
    url = re.fullmatch(r'url\("([^"]+)"\) format\("woff2"\)', faces[1]["src"]).group(1)
    name, version = url.split("?v=")
    assert (css_path.parent / name).read_bytes() == subset
    assert version == hashlib.sha256(subset).hexdigest()[:12]  # a new subset, a new URL: never an old copy
    # the same build again changes no file (a dirty build's files are hard links to the published site)
    before = {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()}
    write_web_fonts(set("본요약은"), FONT, site, slices["cache"])
    assert {p: p.stat().st_mtime_ns for p in site.rglob("*") if p.is_file()} == before
    write_web_fonts(set("다른"), FONT, site, slices["cache"])
    assert f"?v={version}" not in css_path.read_text(encoding="utf-8")


def test_font_css_is_the_same_for_the_same_fonts(slices):
    urls = [f"{slices['key'][:16]}/{i:03d}.woff2" for i in range(len(slices["plan"]))]
    assert font_css(b"a", urls, slices["plan"]) == font_css(b"a", urls, slices["plan"])
    assert font_css(b"a", urls, slices["plan"]) != font_css(b"b", urls, slices["plan"])


def test_slices_written_into_the_site_are_named_after_the_face(slices, tmp_path):
    names, plan = write_font_slices(FONT, tmp_path, slices["cache"])
    assert plan == slices["plan"]
    assert names[0] == f"{slices['key'][:16]}/000.woff2"
    assert sorted(p.name for p in (tmp_path / SLICES_FOLDER / slices["key"][:16]).iterdir()) == [
        n.split("/")[1] for n in names]


def test_the_shipped_slices_are_what_a_build_would_cut_and_spare_an_empty_cache(tmp_path):
    source = FONT
    key, slices, files = cached_slices(source, tmp_path / "empty")
    assert webfonts.shipped_slices_folder(source, key).is_dir(), "run tools/cut_web_font_slices.py"
    assert not (tmp_path / "empty").exists()  # nothing was cut, nothing cached
    cut_key, cut_slices, cut_files = cached_slices(source, tmp_path / "cut", shipped=False)
    assert (cut_key, cut_slices, cut_files) == (key, slices, files)
