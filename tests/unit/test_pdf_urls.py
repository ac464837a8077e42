"""Printed web addresses (issue 18): a URL in a PDF breaks across lines only after a slash or before a
period or other punctuation, never at or next to a hyphen and never inside the scheme and host
(templates/pdf/urls.typ). Small documents are compiled by Typst with the project's fonts, in narrow and
normal columns, and read back with poppler (pdftotext -bbox), pikepdf/pypdf (tests/pdf_tags.py)
and pdfua: the printed lines, joined, are the address itself, and each break is one the rules allow.

A piece of an address wider than a whole line (less 2em and the hanging indent) may be cut anywhere but
next to a hyphen: that is urls.typ's fallback, so that nothing runs into the margin."""

from __future__ import annotations

import functools
import html
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pdfua
import pikepdf
import pytest
import typst
from fontTools.ttLib import TTFont
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pdf_tags import read_tagged

from briefkit.pdf import typst_string
from conftest import REPO

FONTS = REPO / "templates" / "fonts"
CM = 72 / 2.54  # points
MARGIN = 1.0  # cm, left and right
PUNCTUATION = set(".,;:?#&=%~_!+$*@|([")

URLS = [
    "https://www.38north.org/2021/09/understanding-kim-jong-uns-economic-policymaking-defense-versus-civilian-spending/",
    "https://www.38north.org/2023/01/north-korea-makes-a-still-more-conservative-turn-at-party-plenum/",
    "https://doi.org/10.1080/00963402.2024.2314434",
    "https://www.nknews.org/2024/02/north-korea-unveils-new-hwasong-18-solid-fuel-icbm-at-military-parade/"
    "?utm_source=newsletter&utm_medium=email",
    "https://carnegieendowment.org/research/2023/08/north-korean-nuclear-weapons-policy?lang=en#section-3",
    "https://www.state.gov/wp-content/uploads/2023/04/2023-Adherence-to-and-Compliance-With-Arms-Control-"
    "Nonproliferation-and-Disarmament-Agreements-and-Commitments.pdf",
    "https://en.wikipedia.org/wiki/Punggye-ri_Nuclear_Test_Site",
    "https://www.iiss.org/online-analysis/military-balance/2024/02/north-koreas-missile-programme/",
    "https://doi.org/10.1002/(SICI)1097-4571(199806)49:8<693::AID-ASI4>3.0.CO;2-O",
    "https://kcnawatch.org/newstream/1698765432-123456789/kim-jong-un-inspects-munitions-factories/",
    "https://www.armscontrol.org/factsheets/chronology-of-us-north-korean-nuclear-and-missile-diplomacy",
    "https://web.archive.org/web/20240101000000/https://www.38north.org/2024/01/is-kim-jong-un-preparing-for-war/",
    "https://www.rand.org/pubs/research_reports/RRA2130-1.html",
    "http://www.nti.org/analysis/articles/north-korea-nuclear/",
    "https://www.unification.go.kr/eng/news/releases/view.do?mode=view&seq=12345&page=2",
    "https://dprk-watch.example.org/2024/03/satellite-imagery-sohae-launch-pad-18-expansion/",
]
LEAD = ("Carlin and Lee, “Understanding Kim Jong Un’s Economic Policymaking,” 38 North, September 22, 2021, "
        "see also the wider context at").split()


# ---- Typst ----

@functools.cache
def compiler() -> typst.Compiler:
    fonts = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[str(FONTS)])
    return typst.Compiler(root=str(REPO), font_paths=fonts, ignore_system_fonts=True)


def compile_pdf(source: str, path: Path) -> Path:
    """The PDF of `source` (importing /templates/pdf/urls.typ), PDF/UA-1 and PDF/A-2a as the briefs."""
    path.write_bytes(compiler().compile(input=source.encode("utf-8"), format="pdf",
                                        pdf_standards=["ua-1", "a-2a"]))
    return path


@dataclass(frozen=True)
class Layout:
    width: float = 16.4  # cm between the margins: A4's text width in brief.typ
    size: float = 8.5  # pt: the notes' size
    justify: bool = False
    hanging: float = 0.0  # em
    footnotes: bool = False

    @property
    def widest(self) -> float:
        """Points: the widest a piece of an address may be before urls.typ cuts it anywhere."""
        return self.width * CM - (2 + self.hanging) * self.size

    @property
    def right_edge(self) -> float:
        return (MARGIN + self.width) * CM


def paragraph(i: int, url: str, lead: int) -> tuple[str, str, str]:
    """(Typst markup, the text it prints, the address it shows) of the paragraph that prints `url`,
    after `lead` words."""
    words = " ".join(LEAD[:lead % (len(LEAD) + 1)])
    # pandoc writes an address shown as itself as #link("…") (which shows a mailto: address without
    # its scheme); a body that repeats it, as #link("…")[…]
    if i % 2:
        link, shown = f"#link({typst_string(url)})", url.removeprefix("mailto:")
    else:
        link, shown = f"#link({typst_string(url)})[#{typst_string(url)}]", url
    return f"U{i}: {words} {link}.", f"U{i}: {words} {shown}.".replace("  ", " "), shown


def document(urls: list[str], layout: Layout, leads: list[int], show_rule: str = "#show link: url-link\n") -> str:
    paragraphs = [paragraph(i, url, lead)[0] for i, (url, lead) in enumerate(zip(urls, leads, strict=True))]
    if layout.footnotes:
        paragraphs = [f"Note#footnote[{p}]" for p in paragraphs]
    return (
        '#import "/templates/pdf/urls.typ": url-text, url-link, is-url-link, link-text\n'
        '#set document(title: "Addresses")\n'
        # no hanging punctuation (text.overhang): a line's end is then exactly the margin
        f'#set text(font: ("Noto Serif",), size: {layout.size}pt, lang: "en", hyphenate: false, overhang: false)\n'
        f"#set page(width: {layout.width + 2 * MARGIN}cm, height: auto, margin: (x: {MARGIN}cm, y: 1cm))\n"
        f"#set par(justify: {str(layout.justify).lower()}, hanging-indent: {layout.hanging}em)\n"
        f"#set footnote.entry(indent: 0em)\n#show footnote.entry: set text(size: {layout.size}pt)\n"
        + show_rule + "\n" + "\n\n".join(paragraphs) + "\n"
    )


# ---- reading the PDF back ----

@dataclass(frozen=True)
class Line:
    text: str
    right: float  # points from the page's left edge


def printed_lines(pdf: Path) -> list[Line]:
    """Every printed line, top to bottom: poppler's words (split where glyphs leave a gap) whose middles
    are at one height (a note's raised number goes with its line), left to right, joined by a space."""
    xhtml = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                           check=True).stdout
    lines = []
    for chunk in xhtml.split("<page ")[1:]:
        words = [(float(y0), float(y1), float(x0), float(x1), html.unescape(text)) for x0, y0, x1, y1, text in
                 re.findall(r'<word xMin="([^"]*)" yMin="([^"]*)" xMax="([^"]*)" yMax="([^"]*)">(.*?)</word>',
                            chunk, re.S)]
        rows: list[list[tuple]] = []
        for word in sorted(words, key=lambda w: (w[0] + w[1]) / 2):
            middle = (word[0] + word[1]) / 2
            if rows and abs(middle - (rows[-1][0][0] + rows[-1][0][1]) / 2) < 0.4 * (rows[-1][0][1] - rows[-1][0][0]):
                rows[-1].append(word)
            else:
                rows.append([word])
        lines += [Line(" ".join(w[4] for w in sorted(row, key=lambda w: w[2])), max(w[3] for w in row))
                  for row in rows]
    return lines


def paragraphs_of(lines: list[Line]) -> dict[int, list[Line]]:
    """The lines of paragraph U<i>, by i (a footnote's line starts with the note's number)."""
    out: dict[int, list[Line]] = {}
    current = None
    for line in lines:
        marker = re.match(r"\d*U(\d+):(?: |$)", line.text)
        if marker:
            current = int(marker.group(1))
            out[current] = [Line(line.text[marker.start(1) - 1:], line.right)]
        elif current is not None and not line.text.startswith("Note"):
            out[current].append(line)
    return out


def breaks_inside_words(expected: str, lines: list[str]) -> list[int]:
    """Where `lines` break inside a word of `expected` (offsets into it). Fails unless the lines are
    exactly `expected`: a line break at a space takes the space, any other adds nothing."""
    joined = "\n".join(lines)
    out, i, j = [], 0, 0
    while i < len(expected) and j < len(joined):
        if joined[j] == "\n":
            if expected[i] == " ":
                i += 1
            else:
                out.append(i)
            j += 1
        elif joined[j] == expected[i]:
            i, j = i + 1, j + 1
        else:
            raise AssertionError(f"printed {joined!r}, not {expected!r} (at {expected[:i]!r})")
    assert (i, j) == (len(expected), len(joined)), f"printed {joined!r}, not {expected!r}"
    return out


# ---- the rules ----

def host_end(url: str) -> int:
    """The end of the scheme and host, with the slash(es) after them: no line breaks before it."""
    scheme = re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", url)
    stops = "?" if not scheme and url.lower().startswith("mailto:") else "/?#"
    end = scheme.end() if scheme else 0
    while end < len(url) and url[end] not in stops:
        end += 1
    while end < len(url) and url[end] == "/":
        end += 1
    return end


def may_break(url: str, k: int) -> bool:
    """Whether a line may break before url[k]: after a slash or before (a run of) punctuation, never
    next to a hyphen, never inside the scheme and host."""
    before, after = url[k - 1], url[k]
    if "-" in (before, after) or k < host_end(url):
        return False
    return (before == "/" and after != "/") or (after in PUNCTUATION and before not in PUNCTUATION)


@functools.cache
def _advances() -> tuple[dict[int, str], dict[str, tuple[int, int]], int]:
    font = TTFont(FONTS / "NotoSerif-Regular.ttf")
    return font.getBestCmap(), dict(font["hmtx"].metrics), font["head"].unitsPerEm


def text_width(text: str, size: float) -> float:
    """Points, from the font's advances (no kerning: a few percent off at most)."""
    cmap, metrics, upem = _advances()
    return sum(metrics[cmap[ord(c)]][0] if ord(c) in cmap else upem * 0.6 for c in text) * size / upem


def piece_around(url: str, k: int) -> str:
    """The piece of `url` that holds offset k: between the breaks the rules allow."""
    start = max((j for j in range(1, k + 1) if may_break(url, j)), default=0)
    end = min((j for j in range(k + 1, len(url)) if may_break(url, j)), default=len(url))
    return url[start:end]


def wrong_breaks(url: str, breaks: list[int], layout: Layout) -> list[str]:
    """The breaks (offsets into `url`) that the rules do not allow, described; a break inside a piece
    wider than a line (the fallback) is allowed anywhere but next to a hyphen."""
    wrong = []
    for k in breaks:
        shown = f"{url[:k]} / {url[k:]}"
        if k <= 0:
            wrong.append(f"the punctuation before the address ends a line: {shown}")
        elif k >= len(url):
            wrong.append(f"the punctuation after the address starts a line: {shown}")
        elif "-" in url[k - 1:k + 1]:
            wrong.append(f"at a hyphen: {shown}")
        elif not may_break(url, k):
            piece = piece_around(url, k)  # the scheme and host, or more when no break may follow them
            if text_width(piece, layout.size) <= 0.97 * layout.widest:
                where = "inside the host" if k < host_end(url) else "where no break is allowed"
                wrong.append(f"{where} ({piece!r} fits a line): {shown}")
    return wrong


def check_document(urls: list[str], layout: Layout, leads: list[int], tmp: Path,
                   show_rule: str = "#show link: url-link\n") -> list[str]:
    """Everything wrong with the printed addresses of a document of `urls` in `layout`."""
    pdf = compile_pdf(document(urls, layout, leads, show_rule), tmp / "urls.pdf")
    lines = paragraphs_of(printed_lines(pdf))
    wrong = []
    for i, (url, lead) in enumerate(zip(urls, leads, strict=True)):
        _, expected, shown = paragraph(i, url, lead)
        start = expected.index(shown)
        assert i in lines, f"paragraph U{i} not found in {lines}"
        for k in breaks_inside_words(expected, [line.text for line in lines[i]]):
            if start <= k <= start + len(shown):
                wrong += wrong_breaks(shown, [k - start], layout)
        wrong += [f"runs into the margin by {line.right - layout.right_edge:.1f}pt: {line.text!r}"
                  for line in lines[i] if line.right > layout.right_edge + 0.5]
    return wrong


def leads_for(urls: list[str], offset: int = 0) -> list[int]:
    """Leading words before each address, so that addresses start all along a line."""
    return [(offset + 5 * i) % (len(LEAD) + 1) for i in range(len(urls))]


# ---- the tests ----

LAYOUTS = {
    "notes, A4": Layout(),
    "notes, narrow": Layout(width=6.0),
    "body, justified": Layout(size=10.5, justify=True),
    "body, narrow, justified": Layout(width=8.0, size=10.5, justify=True),
    "references, hanging indent": Layout(width=11.0, size=9.5, hanging=1.5),
    "footnotes": Layout(width=9.0, footnotes=True),
}


@pytest.mark.parametrize("offset", [0, 3])
@pytest.mark.parametrize("name", LAYOUTS)
def test_addresses_break_only_where_the_rules_allow(tmp_path, name, offset):
    assert check_document(URLS, LAYOUTS[name], leads_for(URLS, offset), tmp_path) == []


def test_typst_alone_breaks_addresses_at_hyphens_and_inside_the_host(tmp_path):
    """The check has teeth: plain links (#link(u) and #link(u)[#u], no url-text) break at hyphens
    (`economic-` / `policymaking`) and between letters and digits of the host (`www.38` / `north.org`)."""
    wrong = []
    for name, layout in LAYOUTS.items():
        for offset in range(4):
            (tmp_path / name).mkdir(exist_ok=True)
            wrong += check_document(URLS, layout, leads_for(URLS, offset), tmp_path / name, show_rule="")
    assert any(w.startswith("at a hyphen") for w in wrong), wrong
    assert any(w.startswith("inside the host") for w in wrong), wrong


def test_the_rules():
    url = "https://www.38north.org/2021/09/kim-jong-uns-policy?lang=en&x=1#part-2"
    assert [k for k in range(1, len(url)) if may_break(url, k)] == [
        url.index("2021"), url.index("09/"), url.index("kim"), url.index("?"), url.index("=en"), url.index("&"),
        url.index("=1"), url.index("#")]
    assert host_end("mailto:press@38north.org?subject=Hi") == len("mailto:press@38north.org")
    assert host_end("www.38north.org/a") == len("www.38north.org/")
    assert wrong_breaks(url, [url.index("north")], Layout()) != []
    assert wrong_breaks(url, [url.index("policy")], Layout()) == [
        "at a hyphen: https://www.38north.org/2021/09/kim-jong-uns- / policy?lang=en&x=1#part-2"]


def test_a_piece_wider_than_a_line_is_cut_but_never_next_to_a_hyphen(tmp_path):
    """urls.typ's fallback: a host and a path segment wider than the line are cut (the host after
    `://` and before its dots first), nothing runs into the margin, no break touches a hyphen."""
    host = "https://www.strategic-studies.far-eastern-institute.example.org/"
    urls = [host + "2024/report/",
            "https://www.38north.org/" + "a8f5f167f44f4964e6c998dee827110c" * 2 + "/index.html",
            "https://www.38north.org/2021/09/understanding-kim-jong-uns-economic-policymaking-defense/"]
    layout = Layout(width=5.0)
    assert text_width(host, layout.size) > layout.widest  # the case at hand
    assert check_document(urls, layout, [0, 3, 6], tmp_path) == []
    lines = [line.text for line in paragraphs_of(printed_lines(tmp_path / "urls.pdf"))[0]]
    breaks = breaks_inside_words(paragraph(0, urls[0], 0)[1], lines)
    offset = paragraph(0, urls[0], 0)[1].index(urls[0])
    # the host is cut, but its own pieces (`https://`, `www`, `.strategic-studies`, `.far-eastern-institute`…)
    # fit a line: it breaks after `://` or before a dot
    in_host = [urls[0][k - offset] for k in breaks if k - offset < len(host)]
    assert in_host and set(in_host) <= {".", "w"}, lines


def test_the_show_rule_the_layout_uses(tmp_path):
    """brief.typ's show rule (address-link of urls.typ): no endless recursion though it makes a new link; the address
    after a link whose text is not its address, the brief's own address (link(url)), an embed's
    (#link(url)[#url]), a DOI and an e-mail address all break only where the rules allow."""
    long = URLS[0]
    source = (
        # the layout's own rules (brief.typ's typography, with its `show link`), in a narrow column
        '#import "/templates/pdf/brief.typ": typography\n'
        '#set document(title: "Addresses")\n'
        "#set page(width: 8cm, height: auto, margin: (x: 1cm, y: 1cm))\n"
        '#show: typography.with((lang: "en"))\n'
        '#set text(size: 8.5pt, hyphenate: false, overhang: false)\n' +
        f"U0: See #link({typst_string(long)})[the report on Kim’s economic policymaking]\n\n"
        f"U1: #link({typst_string(long)})\n\n"
        f"U2: Interactive online: #link({typst_string(URLS[1])})[#{typst_string(URLS[1])}]\n\n"
        f"U3: {' '.join(LEAD[:8])} #link({typst_string(URLS[2])})[10.1080/00963402.2024.2314434].\n\n"
        "U4: Write to #link(\"mailto:press@38north.org\") or #link(\"mailto:a@b.org\")[the press office]\n"
    )
    pdf = compile_pdf(source, tmp_path / "rule.pdf")
    lines = paragraphs_of(printed_lines(pdf))
    layout = Layout(width=6.0)
    expected = {
        # (poppler starts a new word where the size changes: no period after the smaller address)
        0: ("U0: See the report on Kim’s economic policymaking (" + long + ")", long),
        1: ("U1: " + long, long),
        2: ("U2: Interactive online: " + URLS[1], URLS[1]),
        3: ("U3: " + " ".join(LEAD[:8]) + " 10.1080/00963402.2024.2314434.", "10.1080/00963402.2024.2314434"),
        4: ("U4: Write to press@38north.org or the press office (mailto:a@b.org)", "mailto:a@b.org"),
    }
    for i, (text, url) in expected.items():
        start = text.index(url)
        breaks = breaks_inside_words(text, [line.text for line in lines[i]])
        assert wrong_breaks(url, [k - start for k in breaks if start <= k <= start + len(url)], layout) == [], i
        assert all(line.right <= layout.right_edge + 0.5 for line in lines[i]), lines[i]


def test_link_tags_hold_the_address_and_the_pdf_stays_pdf_ua(tmp_path):
    """Each address is one Link structure element whose marked content is the address (no added
    character), with its link annotation; an outside PDF/UA checker finds nothing."""
    urls = [*URLS[:6], "mailto:press@38north.org"]
    pdf = compile_pdf(document(urls, Layout(width=6.0), leads_for(urls)), tmp_path / "tags.pdf")
    tagged = read_tagged(pdf)
    texts = [tagged.text_of(tag) for tag in tagged.tags("Link")]
    assert [re.sub(r"\s", "", t) for t in texts] == [paragraph(i, u, 0)[2] for i, u in enumerate(urls)]
    assert not any(c in "".join(texts) for c in "\u00ad\u200b\u200c\u200d\u2060\ufeff")
    with pikepdf.open(pdf) as doc:
        annotations = [a for page in doc.pages for a in page.obj.get("/Annots", [])]
        assert [str(a.A.URI) for a in annotations] == urls
        assert all("/StructParent" in a for a in annotations)
    findings = [(f.rule_id, f.message) for f in pdfua.validate(str(pdf)).findings]
    assert findings == []


# ---- any address, any column ----

WORDS = ["north", "korea", "kim", "jong", "un", "economic", "policymaking", "defense", "missile", "nuclear",
         "test", "site", "punggye", "ri", "sohae", "satellite", "launch", "hwasong", "18", "2024", "v2"]
slug = st.lists(st.sampled_from(WORDS), min_size=1, max_size=7).map("-".join)
segment = st.one_of(slug, st.sampled_from(["2021", "09", "index.html", "report-2021.pdf", "~jpark", "_layouts",
                                           "wp-content", "uploads", "view.do", "Kim%20Jong%20Un", "RRA2130-1.html"]))
host = st.builds("".join, st.tuples(
    st.sampled_from(["https://", "https://www.", "http://", "https://en."]),
    st.sampled_from(["38north", "nknews", "csis", "armscontrol", "carnegieendowment", "sipri", "cns.miis",
                     "dprk-watch", "kcnawatch", "unification", "3n-monitor"]),
    st.sampled_from([".org", ".com", ".gov", ".ac.uk", ".go.kr", ".edu"])))
query = st.one_of(st.just(""), st.builds(lambda k, v: f"?{k}={v}", st.sampled_from(["id", "lang", "utm_source"]),
                                         st.sampled_from(["1234", "en", "newsletter", "a-b"])))
fragment = st.one_of(st.just(""), st.sampled_from(["#section-2", "#fn3", "#kim-jong-un"]))
address = st.builds(lambda h, path, q, f, slash: h + "/" + "/".join(path) + ("/" if slash and path else "") + q + f,
                    host, st.lists(segment, max_size=5), query, fragment, st.booleans())
layout = st.builds(Layout, width=st.sampled_from([4.5, 6.0, 8.0, 11.0, 16.4]), size=st.sampled_from([8.5, 10.5]),
                   justify=st.booleans(), hanging=st.sampled_from([0.0, 1.5]))


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(address, min_size=1, max_size=3), layout, st.integers(0, len(LEAD)))
def test_any_address_in_any_column(tmp_path, urls, layout, offset):
    assert check_document(urls, layout, leads_for(urls, offset), tmp_path) == []
