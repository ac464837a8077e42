"""The Korean edition as a reader uses it in Chromium: a Korean brief and its English original link
each other, the page's scripts speak Korean, and the Korean pages are accessible (axe), on a desktop
and on a phone. Pictures go to test-artifacts/korean-pages/. (That Hangul is never drawn as boxes,
on this machine without Korean fonts, is test_korean_fonts.py.)"""

from __future__ import annotations

import re

import pytest
import test_browser
from browser_support import ARTIFACTS, axe_violations, horizontal_overflow

KO = "2025/12/munitions-expansion-summary-ko"
EN = "2025/12/munitions-expansion-summary"
SHOTS = ARTIFACTS / "korean-pages"
browser, site, visit = test_browser.browser, test_browser.site, test_browser.visit


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", [KO + "/", "series/summary/", "topics/north-korea-russia/"])
def test_korean_pages_are_accessible_and_fit_a_phone(visit, path, phone):
    page = visit(path, phone=phone)
    assert axe_violations(page) == []
    assert horizontal_overflow(page) <= 0
    SHOTS.mkdir(parents=True, exist_ok=True)
    name = path.strip("/").replace("/", "_")
    page.screenshot(path=str(SHOTS / f"{name}-{'phone' if phone else 'desktop'}.png"), full_page=True)


def test_a_reader_goes_from_the_korean_brief_to_the_english_one_and_back(visit):
    page = visit(KO + "/")
    assert page.evaluate("() => document.documentElement.lang") == "ko"
    page.locator(".brief-translations").get_by_role("link", name="English").click()
    page.wait_for_url(re.compile(EN + "/$"))
    assert page.evaluate("() => document.documentElement.lang") == "en"
    page.locator(".brief-translations").get_by_role("link", name="한국어").click()
    page.wait_for_url(re.compile(KO + "/$"))
    assert page.locator("h1").inner_text().startswith("요약:")


def test_the_korean_page_scripts_speak_korean(visit):
    page = visit(KO + "/")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    page.get_by_role("button", name="인쇄").click()
    assert page.evaluate("() => window.printed") == 1
    page.locator("sup#fnref\\:1 a").hover()
    preview = page.locator("#note-preview")
    preview.wait_for(state="visible")
    assert preview.locator(".note-preview-go").inner_text() == "주 1 보기"
    assert "Robert Carlin · Siegfried S. Hecker" in preview.inner_text()


def test_korean_lines_break_between_words(visit):
    page = visit("series/summary/", phone=True)
    title = page.locator(".brief-entry[lang=ko] .brief-entry-title a")
    assert title.evaluate("e => getComputedStyle(e).wordBreak") == "keep-all"
    # each line of the wrapped title ends at a space or at the end: no word is cut in two
    lines = title.evaluate("""e => {
        const text = e.firstChild, range = document.createRange(), tops = [];
        for (let i = 0; i < text.length; i++) {
            range.setStart(text, i); range.setEnd(text, i + 1);
            tops.push(Math.round(range.getBoundingClientRect().top));
        }
        const lines = []; let line = "";
        for (let i = 0; i < text.length; i++) {
            if (i > 0 && tops[i] !== tops[i - 1]) { lines.push(line); line = ""; }
            line += text.data[i];
        }
        return [...lines, line];
    }""")
    assert len(lines) > 1, lines  # a phone wraps it
    assert all(line.endswith(" ") for line in lines[:-1]), lines


def test_a_korean_word_without_its_particle_finds_the_korean_brief_in_the_browser(visit):
    page = visit("search/?q=" + "계획")  # the brief has 계획을, 계획은
    page.locator("li.brief-search-result").first.wait_for()
    links = [a.get_attribute("href") for a in page.locator("li.brief-search-result a").all()]
    assert len(links) == 1 and links[0].rstrip("/").endswith(KO.split("/")[-1]), links
    # the status line comes from the labels (templates/i18n/en.yml: search_result), through the page
    assert page.locator(".brief-search-status").inner_text() == "1 result for “계획”"
