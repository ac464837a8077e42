"""Labels from one file per language (templates/i18n/), dates from CLDR, and the errors `check` gives
for a labels file with gaps."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import Markup

from briefkit.diagnostics import Diagnostics
from briefkit.i18n import CODE_LABELS, language_name, load_translations, used_labels

REPO = Path(__file__).resolve().parents[2]
TEMPLATES = REPO / "templates"


def translations():
    diags = Diagnostics()
    loaded = load_translations(TEMPLATES, "templates", diags)
    assert not diags.items, diags.format()
    return loaded


def copy_templates(tmp_path: Path) -> Path:
    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    return folder


def errors(folder: Path) -> list[str]:
    diags = Diagnostics()
    load_translations(folder, "templates", diags)
    return [d.format() for d in diags.sorted()]


def test_the_shipped_labels_files_are_complete_and_used():
    used = used_labels(TEMPLATES)
    english = translations().files["en"]
    assert set(used) | CODE_LABELS <= set(english)
    # every English label is printed somewhere: a label nobody uses would be translated for nothing
    assert set(english) <= set(used) | CODE_LABELS, set(english) - set(used) - CODE_LABELS
    assert set(translations().files["ko"]) == set(english)


def test_korean_labels_and_dates():
    t = translations().for_lang("ko")
    assert t("notes") == "주"
    assert t.date(dt.date(2025, 12, 28)) == "2025년 12월 28일"
    assert t.month(2025, 12) == "2025년 12월"
    assert t("page_of", page=2, pages=3) == "2 / 3쪽"
    # a regional code takes its language's file
    assert translations().for_lang("ko-KR")("notes") == "주"


def test_a_language_without_a_file_gets_english_labels_and_its_own_dates():
    t = translations().for_lang("fr")
    assert t("notes") == "Notes"
    assert t.date(dt.date(2025, 12, 28)) == "28 décembre 2025"
    assert translations().for_lang("tlh").date(dt.date(2025, 12, 28)) == "December 28, 2025"  # unknown to CLDR


def test_names_are_joined_as_the_language_joins_them():
    en, ko = translations().for_lang("en"), translations().for_lang("ko")
    assert en.names(["A"]) == "A" and en.names(["A", "B"]) == "A and B" and en.names(["A", "B", "C"]) == "A, B and C"
    assert ko.names(["A", "B", "C"]) == "A, B, C"


def test_language_names_are_written_in_the_language_itself():
    assert [language_name(code) for code in ("en", "ko", "fr", "ko-KR", "en-GB")] == \
        ["English", "한국어", "français", "한국어 (대한민국)", "English (United Kingdom)"]


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40))
def test_html_given_to_a_label_stays_html_and_the_rest_is_escaped(name):
    t = translations().for_lang("en")
    link = Markup('<a href="x">') + name + Markup("</a>")  # the name is escaped by Markup's +
    out = t("byline", authors=link)
    assert isinstance(out, Markup)
    assert out == Markup("By ") + link
    plain = t("byline", authors=name)  # plain text stays plain: the template escapes it
    assert plain == "By " + name and not isinstance(plain, Markup)


def test_a_missing_label_names_the_language_and_the_label(tmp_path):
    folder = copy_templates(tmp_path)
    ko = folder / "i18n" / "ko.yml"
    lines = ko.read_text(encoding="utf-8").splitlines()
    ko.write_text("\n".join(line for line in lines if not line.startswith("notes:")) + "\n", encoding="utf-8")
    last = len(ko.read_text(encoding="utf-8").rstrip("\n").splitlines()) + 1
    assert errors(folder) == [
        f'templates/i18n/ko.yml:{last}:1: error: the Korean labels (ko) have no \'notes\' (in English: "Notes") '
        "(add `notes: \"…\"` to templates/i18n/ko.yml)"]


def test_a_new_language_file_must_give_every_label(tmp_path):
    folder = copy_templates(tmp_path)
    (folder / "i18n" / "fr.yml").write_text('notes: "Notes"\nbyline: "Par {authors}"\n', encoding="utf-8")
    found = errors(folder)
    english = translations().files["en"]
    assert len(found) == len(english) - 2
    assert "templates/i18n/fr.yml:3:1: error: the French labels (fr) have no 'related' (in English: \"Related\") " \
           "(add `related: \"…\"` to templates/i18n/fr.yml)" in found


def test_an_unknown_label_and_a_dropped_value_are_errors_at_their_line(tmp_path):
    folder = copy_templates(tmp_path)
    ko = folder / "i18n" / "ko.yml"
    text = ko.read_text(encoding="utf-8")
    text = text.replace('updated: "{date} 수정"', 'updated: "수정됨"')
    text = text.replace('related: "관련 글"', 'realted: "관련 글"')
    ko.write_text(text, encoding="utf-8")
    line_of = {key: n for n, line in enumerate(text.splitlines(), 1) for key in ("updated", "realted")
               if line.startswith(key + ":")}
    found = errors(folder)
    assert f"templates/i18n/ko.yml:{line_of['realted']}:1: error: unknown label 'realted' in the Korean labels " \
           "(did you mean 'related'?)" in found
    assert f"templates/i18n/ko.yml:{line_of['updated']}:10: error: the Korean label 'updated' leaves out {{date}} " \
           "(the English label is \"Updated {date}\": keep {date} where the value goes)" in found
    assert any("have no 'related'" in e for e in found)


def test_a_label_a_template_uses_must_be_in_the_english_file(tmp_path):
    folder = copy_templates(tmp_path)
    brief = folder / "brief.html.j2"
    brief.write_text(brief.read_text(encoding="utf-8") + '\n<p>{{ t("printed_by") }}</p>\n', encoding="utf-8")
    line = len(brief.read_text(encoding="utf-8").splitlines())
    found = errors(folder)
    assert found[0] == ("templates/i18n/en.yml:1:1: error: the English labels have no 'printed_by' "
                        f"(used by templates/brief.html.j2:{line}; add `printed_by: \"…\"`)")
    assert any("the Korean labels (ko) have no 'printed_by'" in e for e in found)


@pytest.mark.parametrize("text, message", [
    ("- a\n- b\n", "templates/i18n/ko.yml:1:1: error: a labels file is a list of `label: text` lines"),
    ("notes: [1, 2]\n", "templates/i18n/ko.yml:1:8: error: the label 'notes' must be a text "
                        "(write it in quotes: notes: \"Notes\")"),
    ("notes: \"unclosed\n", "templates/i18n/ko.yml:2:1: error: YAML syntax error"),
])
def test_a_broken_labels_file_is_an_error_at_its_place(tmp_path, text, message):
    folder = copy_templates(tmp_path)
    (folder / "i18n" / "ko.yml").write_text(text, encoding="utf-8")
    found = errors(folder)
    assert any(e.startswith(message) for e in found), found


@pytest.mark.parametrize("text, default, site, expected", [
    ("본 요약은 여러 언론 보도를 바탕으로 작성되었습니다.", "en", "en", "ko"),  # Korean in an English brief
    ("This summary was written from news reports.", "ko", "en", "en"),  # a series' English text, Korean brief
    ("This summary was written from news reports.", "ko", "ko", "en"),  # Latin letters are not Korean
    ("Ce résumé a été écrit pour le site.", "fr", "en", "fr"),  # the brief's own language otherwise
    ("", "ko", "en", "ko"),
])
def test_a_disclaimer_is_marked_with_the_language_its_letters_are_in(text, default, site, expected):
    from briefkit.render import guess_lang

    assert guess_lang(text, default, site) == expected
