"""The sample site in a real browser, used the way readers use it.

Debian's Chromium, driven by Playwright, reads the built sample site from a local server that the
tests start and stop. Every page a test opens is also watched for console errors, uncaught
exceptions and failed requests (checked when the test ends). Screenshots of each sample brief, on
a desktop and on a phone, are written to test-artifacts/screenshots/ on every run.

The sample site is built as it is, except for the number of briefs per listing page (3 instead of
10), so that its four briefs span two listing pages.
"""

from __future__ import annotations

import re

import pytest
import yaml
from browser_support import (
    ARTIFACTS,
    AXE,
    CHROMIUM_ARGS,
    DESKTOP,
    PHONE,
    SiteServer,
    Trouble,
    axe_violations,
    chromium_path,
    horizontal_overflow,
)
from playwright.sync_api import sync_playwright

from conftest import REPO, make_project

BRIEFS = {
    "2024/04/defence-industrial-enterprise": "2024-04-29-defence-industrial-enterprise.yml",
    "2025/12/munitions-modernization": "2025-12-26-munitions-modernization.yml",
    "2025/12/new-munitions-factories": "2025-12-27-new-munitions-factories.yml",
    "2025/12/munitions-expansion-summary": "2025-12-28-munitions-expansion-summary.yml",
    "2025/12/munitions-expansion-summary-ko": "2025-12-28-munitions-expansion-summary-ko.yml",  # its translation
}
QUICK_TAKE = "2024/04/defence-industrial-enterprise"  # four notes, two topics, an author
KOREAN = "2025/12/munitions-expansion-summary"  # its disclaimer is in Korean
BODY_ONLY_WORD = "submarine"  # in one brief's body, nowhere else in the sample (checked below)
PAGE_SIZE = 3
# Families that can draw Hangul: the reader's own Korean fonts named in briefs.css, then ours.
KOREAN_FAMILIES = {"Briefs Gothic", "Apple SD Gothic Neo", "Malgun Gothic", "Noto Sans KR", "Noto Sans CJK KR",
                   "Nanum Gothic", "NanumGothic"}
HANGUL = re.compile("[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def brief_source(path: str) -> dict:
    return yaml.safe_load((REPO / "briefs" / BRIEFS[path]).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("browser"), shared_cache, with_samples=True)
    config = project.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "page_size: 10 " in text
    config.write_text(text.replace("page_size: 10 ", f"page_size: {PAGE_SIZE} "), encoding="utf-8")
    result = project.run()
    assert result.returncode == 0, result.stderr
    server = SiteServer(project.root / "site")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def visit(browser, site):
    """Open a page of the site in a fresh desktop (or phone) browser; every page opened is checked
    for console errors, uncaught exceptions and failed requests when the test ends."""
    contexts, watched = [], []

    def open_page(path: str, *, phone: bool = False):
        options = {"viewport": PHONE, "has_touch": True, "is_mobile": True} if phone else {"viewport": DESKTOP}
        context = browser.new_context(**options)
        context.set_default_timeout(10_000)  # a page of this site that takes longer is broken
        contexts.append(context)
        page = context.new_page()
        trouble = Trouble()
        trouble.watch(page)
        watched.append((path, trouble))
        page.goto(site.url(path))
        page.wait_for_load_state("networkidle")
        return page

    yield open_page
    problems = [f"{path}: {problem}" for path, trouble in watched for problem in trouble.problems]
    for context in contexts:
        context.close()
    assert not problems, "\n".join(problems)


def in_viewport(locator) -> bool:
    return locator.evaluate("e => { const r = e.getBoundingClientRect();"
                            " return r.bottom > 0 && r.top < window.innerHeight; }")


def hash_of(page) -> str:
    return page.evaluate("() => decodeURIComponent(location.hash)")


# ---- briefs: open, screenshots, PDF ----

@pytest.mark.parametrize("path", BRIEFS)
def test_brief_opens_on_desktop_and_phone(visit, path):
    source = brief_source(path)
    slug = path.rsplit("/", 1)[1]
    shots = ARTIFACTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)

    page = visit(path + "/")
    assert page.locator("article h1").inner_text() == source["title"]
    assert page.title().startswith(source["title"])
    page.screenshot(path=str(shots / f"{slug}-desktop.png"), full_page=True)

    phone = visit(path + "/", phone=True)
    assert phone.locator("article h1").is_visible()
    assert horizontal_overflow(phone) == 0
    phone.screenshot(path=str(shots / f"{slug}-phone.png"), full_page=True)
    assert (shots / f"{slug}-phone.png").stat().st_size > 10_000


@pytest.mark.parametrize("path", BRIEFS)
def test_pdf_link_answers_with_a_pdf(visit, path):
    page = visit(path + "/")
    link = page.locator("a.brief-pdf")  # "Download PDF", or in the brief's language
    assert link.inner_text() in ("Download PDF", "PDF 내려받기")
    href = link.get_attribute("href")
    assert href.endswith(".pdf")
    response = page.request.get(page.evaluate("h => new URL(h, location.href).href", href))
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF-")


# ---- notes ----

def test_note_marker_goes_to_the_note_and_its_back_link_returns(visit):
    page = visit(QUICK_TAKE + "/")
    marker = page.locator("sup#fnref\\:2 a.footnote-ref")
    assert marker.inner_text() == "2"
    marker.click()
    page.wait_for_function("() => location.hash === '#fn:2'")
    note = page.locator("li#fn\\:2")
    assert page.evaluate("() => document.querySelector(':target').id") == "fn:2"
    assert in_viewport(note)
    assert not in_viewport(marker)  # the page really moved

    note.locator("a.footnote-backref").click()
    page.wait_for_function("() => location.hash === '#fnref:2'")
    assert page.evaluate("() => document.querySelector(':target').id") == "fnref:2"
    assert in_viewport(marker)


def note_text(page, number: int) -> str:
    """The text of note `number` without its back link, whitespace collapsed."""
    text = page.locator(f"li#fn\\:{number}").evaluate(
        "e => { const c = e.cloneNode(true); c.querySelectorAll('.footnote-backref').forEach(a => a.remove());"
        " return c.textContent; }")
    return " ".join(text.split())


def test_note_preview_appears_on_hover(visit):
    page = visit(QUICK_TAKE + "/")
    preview = page.locator("#note-preview")
    assert preview.count() == 0 or not preview.is_visible()
    page.locator("sup#fnref\\:1 a").hover()
    preview.wait_for(state="visible")
    shown = " ".join(preview.inner_text().split())
    assert shown.startswith("1. ")
    assert note_text(page, 1)[:60] in shown
    page.mouse.move(5, 5)
    preview.wait_for(state="hidden")
    assert hash_of(page) == ""  # hovering is not following


def test_note_preview_opens_on_keyboard_focus_and_closes_with_escape(visit):
    page = visit(QUICK_TAKE + "/")
    for _ in range(200):  # Tab through the page as a keyboard user does, to the first note marker
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.matches('a.footnote-ref')"):
            break
    else:
        pytest.fail("no note marker is reachable with Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    preview = page.locator("#note-preview")
    preview.wait_for(state="visible")
    assert note_text(page, int(focused))[:60] in " ".join(preview.inner_text().split())
    assert page.evaluate("() => document.activeElement.getAttribute('aria-describedby')") == "note-preview"

    page.keyboard.press("Escape")
    preview.wait_for(state="hidden")
    assert page.evaluate("() => document.activeElement.matches('a.footnote-ref')")  # focus stays put
    assert page.evaluate("() => document.activeElement.getAttribute('aria-describedby')") is None

    page.keyboard.press("Enter")  # and the marker still leads to its note
    page.wait_for_function(f"() => location.hash === '#fn:{focused}'")


def test_note_preview_opens_on_tap_on_a_phone(visit):
    page = visit(QUICK_TAKE + "/", phone=True)
    marker = page.locator("sup#fnref\\:3 a")
    target = marker.bounding_box()
    assert target["width"] >= 24 and target["height"] >= 24  # a finger-sized target (WCAG 2.5.8)
    preview = page.locator("#note-preview")
    marker.tap()
    preview.wait_for(state="visible")
    for link in preview.locator("a").all():  # its links look like links, as in the article
        assert "underline" in link.evaluate("a => getComputedStyle(a).textDecorationLine")
    assert hash_of(page) == ""  # a tap shows the note where the reader is
    assert note_text(page, 3)[:60] in " ".join(preview.inner_text().split())
    box = preview.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]  # fits the screen
    assert horizontal_overflow(page) == 0

    page.locator("article h1").tap()  # a tap elsewhere closes it
    preview.wait_for(state="hidden")

    marker.tap()
    preview.wait_for(state="visible")
    preview.get_by_role("link", name="Go to note 3").tap()
    page.wait_for_function("() => location.hash === '#fn:3'")
    preview.wait_for(state="hidden")
    assert in_viewport(page.locator("li#fn\\:3"))


# ---- search ----

def test_the_search_word_is_only_in_one_brief_body():
    """The premise of the next test: the word is in the body of one brief and nowhere else."""
    holders = []
    for path in BRIEFS:
        source = brief_source(path)
        if BODY_ONLY_WORD in source["body"].lower():
            holders.append(path)
        outside_body = {key: value for key, value in source.items() if key != "body"}
        assert BODY_ONLY_WORD not in str(outside_body).lower()
    assert holders == [KOREAN]
    assert BODY_ONLY_WORD not in (REPO / "briefs" / "references.bib").read_text(encoding="utf-8").lower()


def test_search_finds_a_brief_by_a_word_only_in_its_body(visit):
    page = visit("")
    page.get_by_role("searchbox", name="Search briefs").fill(BODY_ONLY_WORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/search/\?q=submarine$"))
    results = page.locator("li.brief-search-result")
    results.first.wait_for()
    assert results.count() == 1
    assert results.first.locator("mark").first.inner_text().lower() == BODY_ONLY_WORD
    assert page.get_by_role("searchbox", name="Search the briefs").input_value() == BODY_ONLY_WORD
    title = brief_source(KOREAN)["title"]
    results.first.get_by_role("link").first.click()
    page.wait_for_url(re.compile(KOREAN + "/$"))
    assert page.locator("article h1").inner_text() == title


def test_search_button_on_a_phone_opens_the_search_box(visit):
    page = visit(QUICK_TAKE + "/", phone=True)
    assert not page.locator("#brief-search-q").is_visible()  # no room for a box beside the site name
    page.get_by_role("button", name="Search").tap()
    page.wait_for_url(re.compile(r"/search/\?q=$"))
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'brief-search-page-q'")
    page.keyboard.type("factories")
    page.locator("li.brief-search-result").first.wait_for()
    assert horizontal_overflow(page) == 0


def test_menu_button_opens_the_navigation_on_a_phone(visit):
    page = visit(QUICK_TAKE + "/", phone=True)
    archive = page.locator(".md-nav--primary").get_by_role("link", name="Archive", exact=True)
    on_screen = "a => { const r = a.getBoundingClientRect(); return r.left >= 0 && r.right <= window.innerWidth; }"
    assert not archive.evaluate(on_screen)  # the drawer is off the screen, to the left
    page.locator("label.md-header__button[for=__drawer]").tap()
    page.wait_for_function(on_screen, arg=archive.element_handle())  # slid in
    archive.tap()
    page.wait_for_url(re.compile(r"/archive/$"))


# ---- listings ----

def entry_links(page) -> list[str]:
    return page.locator(".brief-entry-title a").evaluate_all("links => links.map(a => a.pathname)")


def test_listing_pages_follow_each_other(visit):
    page = visit("")
    first = entry_links(page)
    assert len(first) == PAGE_SIZE
    page.get_by_role("link", name="Older →").click()
    page.wait_for_url(re.compile(r"/page/2/$"))
    second = entry_links(page)
    assert len(second) == len(BRIEFS) - PAGE_SIZE
    assert sorted(p.strip("/") for p in first + second) == sorted(BRIEFS)
    assert page.locator(".brief-pagination .current").inner_text() == "2"
    page.get_by_role("link", name="← Newer").click()
    page.wait_for_url(re.compile(r"127\.0\.0\.1:\d+/$"))
    assert entry_links(page) == first
    page.locator(".brief-pagination").get_by_role("link", name="2", exact=True).click()
    page.wait_for_url(re.compile(r"/page/2/$"))


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_listing_thumbnails_keep_their_size_and_shape(visit, phone):
    page = visit("", phone=phone)
    boxes = [thumb.bounding_box() for thumb in page.locator("img.brief-entry-thumb").all()]
    assert boxes
    for box in boxes:
        assert box["width"] >= (80 if phone else 140)  # not squeezed by the text beside it
        assert abs(box["width"] / box["height"] - 16 / 9) < 0.02


def test_topic_and_author_links_lead_to_listings_of_the_brief(visit):
    page = visit(QUICK_TAKE + "/")
    title = brief_source(QUICK_TAKE)["title"]
    page.locator(".brief-topics").get_by_role("link", name="Economy").click()
    page.wait_for_url(re.compile(r"/topics/economy/$"))
    assert page.locator("article h1").inner_text().startswith("Economy")
    page.locator(".brief-entry-title").get_by_role("link", name=title).click()
    page.wait_for_url(re.compile(QUICK_TAKE + "/$"))

    page.locator(".brief-byline").get_by_role("link", name="Jordan Park").click()
    page.wait_for_url(re.compile(r"/authors/jordan-park/$"))
    assert "Jordan Park" in page.locator("article h1").inner_text()
    assert "/" + QUICK_TAKE + "/" in entry_links(page)


# ---- Korean ----

def test_korean_text_is_drawn_with_hangul_glyphs(visit):
    page = visit(KOREAN + "/")
    paragraph = page.locator(".brief-disclaimer[lang=ko] p")
    text = paragraph.inner_text()
    hangul = HANGUL.findall(text)
    assert len(hangul) > 20
    paragraph.screenshot(path=str(ARTIFACTS / "korean-disclaimer.png"))
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": ".brief-disclaimer[lang=ko] p"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    korean = sum(f["glyphCount"] for f in fonts if f["familyName"] in KOREAN_FAMILIES)
    # every Hangul character is drawn by a font that has Hangul, none by a Latin font's missing-glyph box
    assert korean == len(hangul), fonts


# ---- every page a reader reaches: phones and accessibility ----

READER_PAGES = ["", "archive/", "series/quick-take/", "topics/economy/", "authors/jordan-park/",
                "search/?q=munitions", *(path + "/" for path in BRIEFS)]


def loaded(page) -> None:
    """Wait for what scripts add to the page (search results)."""
    if "search/?q=" in page.url:
        page.locator("li.brief-search-result").first.wait_for()


@pytest.mark.parametrize("path", READER_PAGES)
def test_no_sideways_scrolling_on_a_phone(visit, path):
    page = visit(path, phone=True)
    loaded(page)
    assert horizontal_overflow(page) == 0


AXE_PAGES = ["", "series/quick-take/", "series/", "topics/", "authors/jordan-park/", "archive/", "search/?q=munitions",
             *(path + "/" for path in BRIEFS)]


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("path", AXE_PAGES)
def test_no_serious_accessibility_violations(visit, path, phone):
    assert AXE.is_file(), "axe-core is missing: run `npm ci` (make test does)"
    page = visit(path, phone=phone)
    loaded(page)
    assert axe_violations(page) == []


def test_print_button_prints_the_brief_with_keyboard_and_mouse(visit):
    page = visit(QUICK_TAKE + "/")
    page.evaluate("() => { window.printed = 0; window.print = () => { window.printed += 1; }; }")
    button = page.get_by_role("button", name="Print")
    button.click()
    button.focus()
    page.keyboard.press("Enter")
    assert page.evaluate("() => window.printed") == 2
    # printing from the browser leaves out the site around the brief and the reader actions
    page.emulate_media(media="print")
    assert page.locator(".md-header").evaluate("e => getComputedStyle(e).display") == "none"
    assert page.locator(".brief-share").evaluate("e => getComputedStyle(e).display") == "none"


# ---- before/after imagery ----

COMPARE = "2025/12/new-munitions-factories/"


def slider_value(page) -> int:
    return int(page.locator(".brief-compare-range").input_value())


def after_clip(page) -> str:
    return page.locator(".brief-compare-after img").evaluate("e => getComputedStyle(e).clipPath")


def test_comparison_slider_follows_the_mouse_and_the_keyboard(visit):
    page = visit(COMPARE)
    frames = page.locator(".brief-compare-frames")
    frames.scroll_into_view_if_needed()
    before, after = page.locator(".brief-compare-before img"), page.locator(".brief-compare-after img")
    assert before.bounding_box() == after.bounding_box()  # one over the other
    assert slider_value(page) == 50 and "50%" in after_clip(page)
    box = before.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.25, box["y"] + box["height"] / 2)
    assert abs(slider_value(page) - 25) <= 1 and "25%" in after_clip(page)
    page.mouse.move(box["x"] + box["width"] * 0.25, box["y"] + box["height"] / 2)  # a drag
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] * 0.8, box["y"] + box["height"] / 2, steps=5)
    page.mouse.up()
    assert abs(slider_value(page) - 80) <= 1
    # the keyboard: the slider is focused by a click, and reached with Tab
    page.keyboard.press("Home")
    assert slider_value(page) == 0 and "0%" in after_clip(page)
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert slider_value(page) == 2
    page.keyboard.press("End")
    assert slider_value(page) == 100
    slider = page.get_by_role("slider")
    assert "May 14, 2024" in slider.get_attribute("aria-label")
    assert "November 20, 2025" in slider.get_attribute("aria-label")
    assert page.evaluate("() => document.activeElement.classList.contains('brief-compare-range')")
    outline = page.evaluate("() => getComputedStyle(document.querySelector('.brief-compare-handle'), '::after')"
                            ".outlineStyle")
    assert outline == "solid"  # the focus shows on the handle
    page.screenshot(path=str(ARTIFACTS / "compare-desktop.png"))


def test_comparison_slider_follows_a_finger_on_a_phone(visit):
    page = visit(COMPARE, phone=True)
    frames = page.locator(".brief-compare-frames")
    frames.scroll_into_view_if_needed()
    box = page.locator(".brief-compare-before img").bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] * 0.7, box["y"] + box["height"] / 2)
    assert abs(slider_value(page) - 70) <= 2
    assert horizontal_overflow(page) == 0
    page.screenshot(path=str(ARTIFACTS / "compare-phone.png"))


def test_comparison_without_javascript_and_in_print_shows_both_pictures_one_above_the_other(browser, site):
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    try:
        page = context.new_page()
        page.goto(site.url(COMPARE))
        before = page.locator(".brief-compare-before img").bounding_box()
        after = page.locator(".brief-compare-after img").bounding_box()
        assert after["y"] >= before["y"] + before["height"]  # stacked, both whole
        assert page.locator(".brief-compare-range").count() == 0
        assert page.locator(".brief-compare-label").all_inner_texts()[0].startswith("Before: May 14, 2024")
    finally:
        context.close()
    page = browser.new_page(viewport=DESKTOP)
    try:
        page.goto(site.url(COMPARE))
        page.wait_for_load_state("networkidle")
        page.emulate_media(media="print")
        before = page.locator(".brief-compare-before img").bounding_box()
        after = page.locator(".brief-compare-after img").bounding_box()
        assert after["y"] >= before["y"] + before["height"]
        assert "none" in after_clip(page)
    finally:
        page.close()


def test_responsive_images_load_a_copy_that_fits_the_screen(visit):
    page = visit("2025/12/munitions-expansion-summary/", phone=True)
    hero = page.locator("figure.brief-hero img")
    hero.evaluate("e => e.decode()")
    current = hero.evaluate("e => e.currentSrc")
    # a phone 390 CSS pixels wide at the device's ratio: not the 1600-pixel original
    assert current.endswith(".webp") and "-1600w." not in current, current
