"""What the build adds to the theme's files: the patched Material bundle and the Korean web font."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fontTools.ttLib import TTFont
from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit.theme_patches import PATCHES, ThemePatchError, patch_material_bundle
from briefkit.webfonts import CSS_UNICODE_RANGE, SOURCE, TARGET, CharacterCollector, subset_woff2, write_web_font
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
    assert patched == b'x;e.pipe(b(()=>M("link[rel=alternate][hreflang]")),m(r=>new URL(r.href)));y'
    patch_material_bundle(site)
    assert bundle.read_bytes() == patched


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
    for old, _ in PATCHES:
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


def test_stylesheet_announces_the_font_for_the_same_ranges():
    css = (REPO / "docs" / "assets" / "briefs.css").read_text(encoding="utf-8")
    rule = re.search(r"@font-face\s*{[^}]*}", css).group(0)
    assert '"Briefs Gothic"' in rule
    assert f'url("{TARGET.relative_to("assets").as_posix()}")' in rule
    assert re.search(r"unicode-range:\s*([^;]+);", rule).group(1).strip() == CSS_UNICODE_RANGE
    assert '"Briefs Gothic", sans-serif' in css  # the last resort before the generic family
