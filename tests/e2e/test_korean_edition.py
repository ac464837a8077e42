"""A Korean edition: a brief in `lang: ko` reads in Korean everywhere (page, theme, listings, feeds,
JSON-LD, cite files, PDF), a brief and its translation link each other, a whole site can be Korean,
and the labels come from one file per language whose gaps `check` names."""

from __future__ import annotations

import json
import re
import subprocess
import xml.etree.ElementTree as ET

import pytest
from bs4 import BeautifulSoup

from conftest import make_project

KO = "2025/12/munitions-expansion-summary-ko"
EN = "2025/12/munitions-expansion-summary"
SITE = "https://briefs.example.org/"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("korean"), shared_cache, with_samples=True)
    result = project.run()
    assert result.returncode == 0, result.stderr
    return project


def page(site, url: str) -> BeautifulSoup:
    return BeautifulSoup((site.root / "site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def json_ld(soup: BeautifulSoup) -> dict:
    return json.loads(soup.select_one('script[type="application/ld+json"]').string)


# ---- the brief in Korean ----

def test_a_korean_brief_is_a_korean_page(site):
    soup = page(site, KO)
    assert soup.html["lang"] == "ko"
    assert soup.select_one("article.brief")["lang"] == "ko"
    assert soup.select_one(".brief-byline").get_text() == "글: Sam Ortiz"
    assert soup.select_one(".brief-dates time").get_text() == "2025년 12월 28일"
    assert soup.select_one(".brief-reading-time").get_text() == "1분 분량"
    assert soup.select_one(".brief-pdf").get_text() == "PDF 내려받기"
    assert soup.select_one("#notes").get_text() == "주"
    assert soup.select_one("#related").get_text() == "관련 글"
    assert soup.select_one("#cite-this-brief h2").get_text() == "이 브리프 인용하기"
    # the series' and the topics' labels in Korean (series.yml, topics.yml: labels: {ko: …})
    assert soup.select_one(".brief-series a").get_text() == "요약"
    assert [a.get_text() for a in soup.select(".brief-topic")] == ["방위산업", "북러 관계"]
    # the theme's own words and briefkit's in the header and footer
    assert soup.select_one(".md-skip").get_text(strip=True) == "콘텐츠로 이동"
    assert soup.select_one("#brief-search-q")["placeholder"] == "검색"
    assert "보관함" in soup.select_one(".brief-footer-links").get_text()
    # headings keep their Hangul in their anchors
    assert soup.select_one(".brief-body h2")["id"] == "억제력을-위한-생산"
    # the scripts' words (print button, note preview) come from the page
    assert soup.select_one(".brief-actions")["data-label-print"] == "인쇄"
    assert soup.select_one(".brief-notes")["data-label-go-to-note"] == "주 {number} 보기"


def test_the_english_brief_stays_english(site):
    soup = page(site, EN)
    assert soup.html["lang"] == "en"
    assert soup.select_one(".brief-byline").get_text() == "By Sam Ortiz"
    assert soup.select_one(".brief-dates time").get_text() == "December 28, 2025"
    assert soup.select_one(".brief-series a").get_text() == "In brief"
    assert soup.select_one(".md-skip").get_text(strip=True) == "Skip to content"
    # its Korean disclaimer is still marked as Korean
    assert soup.select_one(".brief-disclaimer")["lang"] == "ko"


def test_a_brief_and_its_translation_link_each_other(site):
    for url, other, other_lang, name in ((KO, EN, "en", "English"), (EN, KO, "ko", "한국어")):
        soup = page(site, url)
        alternates = {link["hreflang"]: link["href"] for link in soup.select('head link[rel="alternate"][hreflang]')}
        assert alternates == {"en": SITE + EN + "/", "ko": SITE + KO + "/"}
        visible = soup.select_one(".brief-translations a")
        assert visible.get_text() == name and visible["hreflang"] == other_lang and visible["lang"] == other_lang
        assert (site.root / "site" / url / visible["href"] / "index.html").resolve() == \
            (site.root / "site" / other / "index.html").resolve()
    # the translation names its original; the original lists its translation (schema.org)
    ko, en = json_ld(page(site, KO)), json_ld(page(site, EN))
    assert ko["inLanguage"] == "ko" and en["inLanguage"] == "en"
    assert ko["translationOfWork"]["url"] == SITE + EN + "/"
    assert [w["url"] for w in en["workTranslation"]] == [SITE + KO + "/"]
    # Material must not take a brief's translations for language versions of the site (it would fetch
    # a sitemap.xml beside each): they are marked, and the patched theme skips them
    assert all(link.has_attr("data-translation") for link in page(site, KO).select("head link[hreflang]"))


def test_a_brief_without_translation_has_no_alternates(site):
    soup = page(site, "2024/04/defence-industrial-enterprise")
    assert not soup.select("head link[hreflang]") and not soup.select(".brief-translations")


def test_korean_in_listings_feeds_and_cite_files(site):
    home = page(site, "")
    entry = next(e for e in home.select(".brief-entry") if e.select_one(f'a[href*="{KO.split("/")[-1]}"]'))
    assert entry["lang"] == "ko"
    # labels and dates of an English listing stay in the site's language, marked as such
    meta = entry.select_one(".brief-entry-meta")
    assert meta["lang"] == "en" and meta.get_text().startswith("By Sam Ortiz")
    assert page(site, "archive/2025/12").select_one("h1").get_text(strip=True) == "Briefs of December 2025"
    feed = ET.parse(site.root / "site" / "feed.xml").getroot()
    assert feed.get(XML_LANG) == "en"
    langs = {e.find(ATOM + "link").get("href"): e.get(XML_LANG) for e in feed.iter(ATOM + "entry")}
    assert langs[SITE + KO + "/"] == "ko" and langs[SITE + EN + "/"] is None  # inherits en
    rss = ET.parse(site.root / "site" / "rss.xml").getroot()
    assert rss.find("channel/language").text == "en"
    item = next(i for i in rss.iter("item") if i.find("link").text == SITE + KO + "/")
    assert item.find("{http://purl.org/dc/elements/1.1/}language").text == "ko"
    folder = site.root / "site" / KO
    assert "langid = {korean}" in (folder / "munitions-expansion-summary-ko.bib").read_text(encoding="utf-8")
    assert "LA  - ko" in (folder / "munitions-expansion-summary-ko.ris").read_text(encoding="utf-8")
    citation = page(site, KO).select_one(".brief-citation").get_text()
    assert "2025년 12월 28일" in citation


def test_the_korean_pdf_prints_korean_labels_dates_and_notes(site):
    pdf = site.root / "site" / KO / "munitions-expansion-summary-ko.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "글: Sam Ortiz" in text and "2025년 12월 28일" in text
    assert re.search(r"\b2 / 2쪽", text), text  # "Page 2 of 2" in Korean, on every page but the first
    assert "Page " not in text
    # notes with the Korean locale of the citation style, and the house rule for "and" (·, not 와/과)
    assert "Robert Carlin · Siegfried S. Hecker" in text and "와/과" not in text
    assert "2024년 1월 11일" in text
    # and the same note on the web page
    web_notes = " ".join(page(site, KO).select_one(".brief-notes").get_text().split())
    assert "Robert Carlin · Siegfried S. Hecker" in web_notes and "2024년 1월 11일" in web_notes


# ---- a whole site in Korean ----

KOREAN_BRIEF = """\
title: 새 공장 계획
series: news
date: 2025-12-20
authors: [mina-cho, jordan-park]
summary: 새 공장 계획에 관한 짧은 글.
body: |
  관영 매체가 새 공장 계획을 보도했다.
"""

ENGLISH_BRIEF = """\
title: A new factory plan
series: news
date: 2025-12-21
lang: en
authors: [mina-cho]
translation: new-factories
body: |
  State media reported a plan for new factories.
"""


def test_a_whole_site_in_korean(tmp_path, shared_cache):
    project = make_project(tmp_path, shared_cache)
    mkdocs = project.root / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8").replace("language: en", "language: ko"), encoding="utf-8")
    project.write("2025-12-20-new-factories.yml", KOREAN_BRIEF)
    project.write("2025-12-21-new-factories-en.yml", ENGLISH_BRIEF)
    result = project.run()
    assert result.returncode == 0, result.stderr
    home = page(project, "")
    assert home.html["lang"] == "ko"
    assert home.select_one("#brief-search-q")["placeholder"] == "검색"
    ko_entry = next(e for e in home.select(".brief-entry") if "새 공장" in e.get_text())
    assert not ko_entry.has_attr("lang")  # the site's language
    assert ko_entry.select_one(".brief-entry-meta").get_text().startswith("글: Mina Cho, Jordan Park")
    assert "2025년 12월 20일" in ko_entry.get_text()
    en_entry = next(e for e in home.select(".brief-entry") if "A new factory plan" in e.get_text())
    assert en_entry["lang"] == "en"
    archive = page(project, "archive")
    assert archive.select_one("h1").get_text() == "보관함"
    assert "2025년 12월" in archive.get_text()
    # a brief without `lang` is in the site's language; one in English is an English page in it
    brief = page(project, "2025/12/new-factories")
    assert brief.html["lang"] == "ko" and brief.select_one("#notes") is None
    assert brief.select_one(".brief-translations a")["hreflang"] == "en"
    english = page(project, "2025/12/new-factories-en")
    assert english.html["lang"] == "en" and english.select_one(".brief-byline").get_text() == "By Mina Cho"
    feed = ET.parse(project.root / "site" / "feed.xml").getroot()
    assert feed.get(XML_LANG) == "ko"
    assert json_ld(brief)["inLanguage"] == "ko"
    search = page(project, "search").select_one("#brief-search-app")
    assert search["data-label-results"] == "“{query}” 검색 결과 {count}건"


# ---- translations: editors' mistakes ----

def brief(title: str, lang: str | None = None, translation: str | None = None) -> str:
    lines = [f"title: {title}", "date: 2025-12-20", "authors: [mina-cho]"]
    if lang:
        lines.append(f"lang: {lang}")
    if translation:
        lines.append(f"translation: {translation}")
    return "\n".join([*lines, "body: Text."]) + "\n"


def test_a_translation_that_is_no_brief_is_an_error_at_its_place(project):
    project.write("2025-12-20-plan.yml", brief("Plan", "en"))
    project.write("2025-12-20-plan-ko.yml", brief("계획", "ko", "plna"))
    assert project.errors() == [
        "briefs/2025-12-20-plan-ko.yml:5:14: error: unknown brief 'plna' (did you mean 'plan'?)"]


def test_a_brief_cannot_be_its_own_translation(project):
    project.write("2025-12-20-plan.yml", brief("Plan", "en", "plan"))
    assert project.errors() == [
        "briefs/2025-12-20-plan.yml:5:14: error: a brief cannot be its own translation "
        "(give the slug of the brief in the other language)"]


def test_a_translation_in_the_same_language_is_an_error(project):
    project.write("2025-12-20-plan.yml", brief("Plan", "en"))
    project.write("2025-12-20-plan-two.yml", brief("Plan two", None, "plan"))  # the site's language: en
    assert project.errors() == [
        "briefs/2025-12-20-plan-two.yml:4:14: error: 'plan' is in the same language as this brief (en) "
        "(a translation is in another language: set `lang:` in the translated brief)"]


def test_two_translations_in_one_language_are_errors(project):
    project.write("2025-12-20-plan.yml", brief("Plan", "en"))
    project.write("2025-12-20-plan-ko.yml", brief("계획", "ko", "plan"))
    project.write("2025-12-20-plan-ko-2.yml", brief("계획 2", "ko", "plan"))
    errors = project.errors()
    assert errors == [
        "briefs/2025-12-20-plan-ko-2.yml:5:14: error: this brief and 'plan-ko' are translations of one brief and "
        "both in ko (a group of translations has one brief per language: point `translation:` at the right brief)",
        "briefs/2025-12-20-plan-ko.yml:5:14: error: this brief and 'plan-ko-2' are translations of one brief and "
        "both in ko (a group of translations has one brief per language: point `translation:` at the right brief)"]


def test_a_translation_group_of_three_links_every_page(project):
    project.write("2025-12-20-plan.yml", brief("Plan", "en"))
    project.write("2025-12-20-plan-ko.yml", brief("계획", "ko", "plan"))
    project.write("2025-12-20-plan-fr.yml", brief("Projet", "fr", "plan"))
    result = project.run()
    assert result.returncode == 0, result.stderr
    for slug, others in (("plan", ["fr", "ko"]), ("plan-ko", ["en", "fr"]), ("plan-fr", ["en", "ko"])):
        soup = page(project, f"2025/12/{slug}")
        assert [a["hreflang"] for a in soup.select(".brief-translations a")] == others
        assert len(soup.select("head link[hreflang]")) == 3
    # French has no labels file: English labels, French dates and <html lang>
    french = page(project, "2025/12/plan-fr")
    assert french.html["lang"] == "fr"
    assert french.select_one(".brief-dates time").get_text() == "20 décembre 2025"
    assert french.select_one(".brief-byline").get_text() == "By Mina Cho"
    assert [a.get_text() for a in page(project, "2025/12/plan").select(".brief-translations a")] == \
        ["français", "한국어"]


def test_a_changed_translation_remakes_the_page_that_links_it(project):
    project.write("2025-12-20-plan.yml", brief("Plan", "en"))
    project.write("2025-12-20-plan-ko.yml", brief("계획", "ko", "plan"))
    assert project.run().returncode == 0
    project.write("2025-12-20-plan-ko.yml", brief("새 계획", "ko", "plan"))
    result = project.run()
    assert result.returncode == 0, result.stderr
    assert page(project, "2025/12/plan").select_one(".brief-translations a")["title"] == "새 계획"
    # and a brief that stops naming its translation is no longer linked from it
    project.write("2025-12-20-plan-ko.yml", brief("새 계획", "ko"))
    assert project.run().returncode == 0
    assert not page(project, "2025/12/plan").select(".brief-translations")


def test_a_korean_note_says_accessed_as_the_styles_korean_locale_does(project):
    (project.briefs / "pages.bib").write_text(
        "@online{kcna2025, author = {{Korean Central News Agency}}, title = {Report on the Factories},\n"
        "  url = {https://kcna.example/report}, urldate = {2025-12-27}}\n", encoding="utf-8")
    project.write("2025-12-20-plan-ko.yml", brief("계획", "ko").replace(
        "body: Text.", "bibliography: [pages.bib]\nbody: 보도가 있었다.[@kcna2025]"))
    project.write("2025-12-20-plan.yml", brief("Plan", "en").replace(
        "body: Text.", "bibliography: [pages.bib]\nbody: It was reported.[@kcna2025]"))
    result = project.run()
    assert result.returncode == 0, result.stderr
    korean = " ".join(page(project, "2025/12/plan-ko").select_one(".footnote").get_text().split())
    english = " ".join(page(project, "2025/12/plan").select_one(".footnote").get_text().split())
    assert "접근된 2025년 12월 27일" in korean, korean
    assert "accessed December 27, 2025" in english, english


def test_an_edited_label_reaches_every_page_on_the_next_build(project):
    project.write("2025-12-20-plan.yml", brief("Plan", "en"))
    assert project.run().returncode == 0
    labels = project.root / "templates" / "i18n" / "en.yml"
    labels.write_text(labels.read_text(encoding="utf-8").replace('search: "Search"', 'search: "Find"')
                      .replace('notes: "Notes"', 'notes: "Endnotes"'), encoding="utf-8")
    result = project.run()
    assert result.returncode == 0, result.stderr
    # a hand-written page's header (the theme's labels) and a brief's own labels
    assert page(project, "about").select_one("#brief-search-q")["placeholder"] == "Find"
    assert page(project, "2025/12/plan").select_one("#brief-search-q")["placeholder"] == "Find"
