"""Korean text is never drawn as boxes, on a machine without a Korean font (this one: `fc-list
:lang=ko` prints nothing), whatever the page, the moment or the text.

Chromium says which fonts drew each text node (CDP CSS.getPlatformFontsForNode): every Hangul
character must be drawn by a font that has Hangul, where a box would be a Latin font's missing
glyph. Checked on the sample's Korean brief (lang: ko) and the listings that show its title and
summary, right after the page has loaded and again once `document.fonts.ready`; at first paint,
while the web font is still on its way (a picture of the summary: nothing drawn, not boxes); with a
subset the browser kept from an earlier build (its characters, less the summary's own); and for
Hangul a reader types or pastes into the search boxes that is nowhere on the site, which comes from
the slices of the whole face. Pictures of each case, on a desktop and a phone, are written to
test-artifacts/korean-fonts/.

The site and the browser are test_browser.py's fixtures (a conftest.py in this folder would take the
name `conftest` from tests/conftest.py, which the other test modules import from).
"""

from __future__ import annotations

import base64
import io
import re
import urllib.request

import pytest
import test_browser
import yaml
from browser_support import ARTIFACTS, DESKTOP, Trouble
from fontTools.ttLib import TTFont
from PIL import Image

from briefkit import webfonts
from conftest import REPO

BRIEF = "2025/12/munitions-expansion-summary-ko"
SOURCE = yaml.safe_load((REPO / "briefs" / "2025-12-28-munitions-expansion-summary-ko.yml").read_text(encoding="utf-8"))
# the listings that show the Korean brief's title and summary (its series and its first topic)
LISTINGS = {"home": "", "series": "series/summary/", "topic": "topics/defense-industry/"}
NOVEL = "뷁똠햏"  # Hangul that is nowhere on the site: drawn from the slices of the whole face
KOREAN_CHAR = re.compile("[" + "".join(f"{chr(a)}-{chr(b)}" for a, b in webfonts.RANGES) + "]")
FAMILIES = test_browser.KOREAN_FAMILIES | {webfonts.FAMILY, webfonts.FULL_FAMILY}
SHOTS = ARTIFACTS / "korean-fonts"
# test_browser.py's fixtures (module-scoped: this module builds and serves a site of its own)
browser, site, visit = test_browser.browser, test_browser.site, test_browser.visit
# a picture's pixels darker than this are ink
INK = 140


def settled(page) -> None:
    """Wait until the fonts the page asked for have come, and two frames were drawn with them."""
    page.evaluate("() => document.fonts.ready.then(() => 1)")
    page.wait_for_load_state("networkidle")
    page.evaluate("() => document.fonts.ready.then(() => new Promise(r => requestAnimationFrame(() => "
                  "requestAnimationFrame(r))))")


class Glyphs:
    """Which fonts Chromium drew each text node of a page with (one CDP session per check)."""

    def __init__(self, page) -> None:
        self.cdp = page.context.new_cdp_session(page)
        self.cdp.send("DOM.enable")
        self.cdp.send("CSS.enable")
        self.root = self.cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        self.parent: dict[int, dict] = {}
        self.texts: list[dict] = []
        stack = [self.root]
        while stack:
            node = stack.pop()
            if node["nodeType"] == 3:
                self.texts.append(node)
            for child in node.get("children", []) + node.get("shadowRoots", []):
                self.parent[child["nodeId"]] = node
                stack.append(child)

    def korean(self, text_node: dict) -> tuple[int, int] | None:
        """(Korean characters, of them drawn by a Korean-capable font) of a text node, or None when
        the node is not drawn (in <head>, a script, a hidden part of the page)."""
        fonts = self.cdp.send("CSS.getPlatformFontsForNode", {"nodeId": text_node["nodeId"]})["fonts"]
        if not fonts:
            return None
        return (len(KOREAN_CHAR.findall(text_node["nodeValue"])),
                sum(f["glyphCount"] for f in fonts if f["familyName"] in FAMILIES))

    def within(self, element_ids: list[int]) -> list[dict]:
        """The text nodes inside the elements (shadow trees too: the text of an input)."""
        wanted = set(element_ids)
        found = []
        for text in self.texts:
            node = text
            while node["nodeId"] in self.parent:
                node = self.parent[node["nodeId"]]
                if node["nodeId"] in wanted:
                    found.append(text)
                    break
        return found

    def select(self, selector: str) -> list[int]:
        return self.cdp.send("DOM.querySelectorAll", {"nodeId": self.root["nodeId"], "selector": selector})["nodeIds"]

    def boxes(self, selector: str | None = None) -> tuple[int, list[str]]:
        """(Korean characters drawn, those not drawn by a Korean-capable font, with their text) in
        the elements of `selector`, or in the whole page."""
        texts = self.within(self.select(selector)) if selector else self.texts
        drawn, missing = 0, []
        for text in texts:
            if KOREAN_CHAR.search(text["nodeValue"]) and (counts := self.korean(text)) is not None:
                drawn += counts[0]
                if counts[1] < counts[0]:  # (more: a text shaped twice, an ellipsis on a phone)
                    missing.append(f"{counts[0] - counts[1]} of {text['nodeValue'].strip()[:40]!r}")
        return drawn, missing

    def close(self) -> None:
        self.cdp.detach()


def assert_all_drawn(page, selectors: dict[str, str], at: str) -> None:
    """Every Korean character of the elements of each selector (each must have some), and of the
    whole page, is drawn by a font that has it."""
    glyphs = Glyphs(page)
    try:
        for name, selector in selectors.items():
            drawn, missing = glyphs.boxes(selector)
            assert drawn >= 2, f"{at}: no Korean text drawn in {name} ({selector})"
            assert not missing, f"{at}: boxes in {name}: {missing}"
        drawn, missing = glyphs.boxes()
        assert not missing, f"{at}: boxes on the page: {missing}"
    finally:
        glyphs.close()


def font_requests(page) -> list[tuple[str, int]]:
    """(URL under assets/fonts/, bytes over the wire) of each web font the page fetched."""
    entries = page.evaluate("() => performance.getEntriesByType('resource').filter(e => e.name.includes('.woff2'))"
                            ".map(e => [e.name, e.encodedBodySize])")
    return [(name.split("/assets/fonts/")[1], size) for name, size in entries]


def shot(target, name: str, **options) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    target.screenshot(path=str(SHOTS / f"{name}.png"), **options)


# ---- the Korean brief ----

BRIEF_PARTS = {
    "title": "article h1",
    "summary": ".brief-summary p",
    "body": ".brief-body > p",
    "caption": ".brief-hero figcaption",
    "notes": ".brief-notes li",
    "disclaimer": ".brief-disclaimer",
}


@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
def test_korean_brief_is_drawn_with_korean_fonts_at_load_and_once_fonts_are_ready(visit, phone):
    page = visit(BRIEF + "/", phone=phone)
    assert page.locator(BRIEF_PARTS["summary"]).evaluate("e => getComputedStyle(e).fontStyle") == "italic"
    assert_all_drawn(page, BRIEF_PARTS, "as loaded")  # `visit` returns when the network is idle
    settled(page)
    assert_all_drawn(page, BRIEF_PARTS, "fonts ready")
    # the page title in the header, shown when the reader scrolls past the heading
    page.mouse.wheel(0, 1200)
    page.locator(".md-header__title--active").wait_for()
    assert_all_drawn(page, {"title in the header": ".md-header__topic:last-child"}, "scrolled")
    page.mouse.wheel(0, -10_000)
    page.locator(".md-header__title--active").wait_for(state="detached")
    page.wait_for_timeout(400)  # the header's title fades back
    shot(page, f"brief-{'phone' if phone else 'desktop'}", full_page=True)
    # the page's readers download the subset of the site's characters and nothing else
    fonts = font_requests(page)
    assert [url.split("?")[0] for url, _ in fonts] == [webfonts.TARGET.name], fonts
    assert fonts[0][1] < 40_000


def test_the_summary_has_words_of_its_own():
    """The premise of the test with an old subset below: the summary has Hangul of its own."""
    own = set(KOREAN_CHAR.findall(SOURCE["summary"]))
    for field in ("title", "body", "disclaimer"):
        own -= set(KOREAN_CHAR.findall(SOURCE[field]))
    own -= set(KOREAN_CHAR.findall(str(SOURCE["notes"]) + str(SOURCE["image"])))
    assert own


def test_a_subset_kept_from_an_earlier_build_leaves_no_boxes(browser, site):
    """A returning reader's browser (or a cache between) has the subset of an earlier build, made
    before the summary gained words: the characters it lacks come from the slices."""
    page_text = urllib.request.urlopen(site.url(BRIEF + "/")).read().decode("utf-8")
    summary_only = set(KOREAN_CHAR.findall(SOURCE["summary"])) - set(KOREAN_CHAR.findall(
        SOURCE["title"] + SOURCE["body"] + SOURCE["disclaimer"] + str(SOURCE["notes"]) + str(SOURCE["image"])))
    earlier = webfonts.subset_woff2(REPO / "templates" / webfonts.SOURCE,
                                    set(KOREAN_CHAR.findall(page_text)) - summary_only)
    context = browser.new_context(viewport=DESKTOP)
    try:
        context.route(re.compile(r"/assets/fonts/briefs-gothic\.woff2"),
                      lambda route: route.fulfill(status=200, body=earlier, content_type="font/woff2"))
        page = context.new_page()
        trouble = Trouble()
        trouble.watch(page)
        page.goto(site.url(BRIEF + "/"))
        page.wait_for_load_state("networkidle")
        settled(page)
        assert_all_drawn(page, {"summary": BRIEF_PARTS["summary"]}, "earlier subset")
        assert any(webfonts.SLICES_FOLDER.name in url for url, _ in font_requests(page))
        shot(page.locator(".brief-summary"), "summary-with-an-earlier-subset")
        assert not trouble.problems
    finally:
        context.close()


def ink(png: bytes, box: dict) -> int:
    """The dark pixels of a picture of the page within a CSS-pixel box (device pixel ratio 1)."""
    picture = Image.open(io.BytesIO(png)).convert("L")
    crop = picture.crop((int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"])))
    return sum(crop.histogram()[:INK])


def test_no_boxes_at_first_paint_while_the_font_is_on_its_way(browser, site):
    """The web font held back: the page is drawn without it, and its Korean text must not show as
    boxes meanwhile (it waits, invisible, for at most the browser's block period); once the font
    comes, the same text is drawn."""
    context = browser.new_context(viewport={"width": DESKTOP["width"], "height": 2000})  # the summary in view
    held = []
    try:
        context.route(re.compile(r"\.woff2"), lambda route: held.append(route))
        page = context.new_page()
        page.goto(site.url(BRIEF + "/"), wait_until="domcontentloaded")
        page.wait_for_function("() => [...document.fonts].some(f => f.status === 'loading')")
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
        cdp = context.new_cdp_session(page)
        parts = ("title", "summary")
        first_boxes = {name: page.locator(BRIEF_PARTS[name]).first.bounding_box() for name in parts}
        first = base64.b64decode(cdp.send("Page.captureScreenshot", {"format": "png"})["data"])
        assert held, "the font was not asked for"
        for route in held:
            route.continue_()
        context.unroute(re.compile(r"\.woff2"))
        page.wait_for_load_state("networkidle")
        settled(page)
        boxes = {name: page.locator(BRIEF_PARTS[name]).first.bounding_box() for name in parts}
        then = base64.b64decode(cdp.send("Page.captureScreenshot", {"format": "png"})["data"])
        SHOTS.mkdir(parents=True, exist_ok=True)
        (SHOTS / "first-paint-font-on-its-way.png").write_bytes(first)
        (SHOTS / "first-paint-font-come.png").write_bytes(then)
        for name in parts:
            before, after = ink(first, first_boxes[name]), ink(then, boxes[name])
            # the Korean text drawn at the end; at first paint only its few Latin marks (: , .)
            assert after > 500, (name, after)
            assert before < after * 0.15, f"{name}: {before} dark pixels at first paint, {after} with the font"
        assert_all_drawn(page, {"summary": BRIEF_PARTS["summary"]}, "after the font came")
    finally:
        context.close()


# ---- listings that show its title and summary ----

@pytest.mark.parametrize("phone", [False, True], ids=["desktop", "phone"])
@pytest.mark.parametrize("listing", LISTINGS)
def test_listing_entry_of_the_korean_brief_is_drawn_with_korean_fonts(visit, listing, phone):
    page = visit(LISTINGS[listing], phone=phone)
    entry = f'.brief-entry:has(.brief-entry-title a[href$="{BRIEF.rsplit("/", 1)[1]}/"])'
    assert page.locator(entry).count() == 1
    assert page.locator(f"{entry} .brief-entry-title").inner_text() == SOURCE["title"]
    assert page.locator(f"{entry} .brief-entry-summary").inner_text().split() == SOURCE["summary"].split()
    parts = {"title": f"{entry} .brief-entry-title", "summary": f"{entry} .brief-entry-summary"}
    assert_all_drawn(page, parts, "as loaded")
    settled(page)
    assert_all_drawn(page, parts, "fonts ready")
    page.locator(entry).scroll_into_view_if_needed()
    shot(page.locator(entry), f"{listing}-entry-{'phone' if phone else 'desktop'}")
    assert [url.split("?")[0] for url, _ in font_requests(page)] == [webfonts.TARGET.name]


# ---- Hangul that is nowhere on the site, typed or pasted into the search boxes ----

def test_the_typed_hangul_is_nowhere_on_the_site(site):
    """The premise of the next tests: the subset does not have these characters."""
    subset = urllib.request.urlopen(site.url(webfonts.TARGET.as_posix())).read()
    cmap = {chr(code) for code in TTFont(io.BytesIO(subset)).getBestCmap()}
    assert "요" in cmap
    assert not set(NOVEL) & cmap


SEARCH_BOXES = {
    "header-typed": ("", "#brief-search-q", "type", False),
    "header-pasted": ("", "#brief-search-q", "fill", False),
    "search-page-pasted": ("search/", "#brief-search-page-q", "fill", False),
    "search-page-phone": ("search/", "#brief-search-page-q", "type", True),
    "english-brief-pasted": ("2024/04/defence-industrial-enterprise/", "#brief-search-q", "fill", False),
}


@pytest.mark.parametrize("case", SEARCH_BOXES)
def test_hangul_typed_into_the_search_box_is_drawn(visit, case):
    path, box, how, phone = SEARCH_BOXES[case]
    page = visit(path, phone=phone)
    field = page.locator(box)
    field.click()
    field.type(NOVEL) if how == "type" else field.fill(NOVEL)
    settled(page)
    assert_all_drawn(page, {"search box": box}, f"{how} into {box}")
    assert any(webfonts.SLICES_FOLDER.name in url for url, _ in font_requests(page))
    shot(field, f"search-{case}")


def test_a_search_for_hangul_that_is_nowhere_on_the_site_shows_it_drawn(visit):
    page = visit("search/?q=" + NOVEL)  # the box filled in by the page's script
    settled(page)
    assert page.locator("#brief-search-page-q").input_value() == NOVEL
    assert_all_drawn(page, {"search box": "#brief-search-page-q"}, "search page")
    shot(page, "search-page-with-the-query", full_page=True)
