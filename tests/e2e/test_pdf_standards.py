"""Print that screen readers and archives accept: every brief and collection PDF is PDF/UA-1 and
PDF/A-2a, tagged (headings, lists, notes, figures with their alt text), with its language (Korean
passages marked ko), bookmarks, the title shown, and the page's metadata. Checked with pikepdf, pypdf,
`qpdf --check` and an outside PDF/UA checker (pdfua), never with the code that wrote the PDFs."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pdfua
import pytest
import yaml
from bs4 import BeautifulSoup
from pdf_tags import has_hangul, read_tagged
from pypdf import PdfReader

from conftest import REPO, make_project

SAMPLES = {  # page address -> brief file
    "2024/04/defence-industrial-enterprise": "2024-04-29-defence-industrial-enterprise.yml",
    "2025/12/munitions-modernization": "2025-12-26-munitions-modernization.yml",
    "2025/12/new-munitions-factories": "2025-12-27-new-munitions-factories.yml",
    "2025/12/munitions-expansion-summary": "2025-12-28-munitions-expansion-summary.yml",
    "2025/12/munitions-expansion-summary-ko": "2025-12-28-munitions-expansion-summary-ko.yml",
}


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("pdfua"), shared_cache, with_samples=True)
    result = project.run()
    assert result.returncode == 0, result.stderr
    collection = project.run("pdf", "--series", "news", "--from", "2025-01", "--to", "2025-12")
    assert collection.returncode == 0, collection.stderr
    return project


def pdf_of(project, url: str) -> Path:
    return project.root / "site" / url / f"{url.rsplit('/', 1)[1]}.pdf"


def collection_of(project) -> Path:
    return project.root / "pdf/news-2025-01-2025-12.pdf"


def brief_of(url: str) -> dict:
    return yaml.safe_load((REPO / "briefs" / SAMPLES[url]).read_text(encoding="utf-8"))


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def body_headings(body: str) -> list[str]:
    return [m.group(2).strip() for m in re.finditer(r"^(#{1,6})\s+(.+)$", body, re.M)]


def expected_alts(brief: dict) -> list[str]:
    """The alt text of every picture the PDF prints, in order: the hero, then the body's figures
    (a comparison's two pictures: each its own alt, or the figure's followed by the picture's date)."""
    alts = [brief["image"]["alt"]] if brief.get("image", {}).get("file") else []
    figures = brief.get("figures", {})
    for label in re.findall(r"\[figure:\s*([\w-]+)\s*\]", brief["body"]):
        figure = figures[label]
        if "before" in figure:
            alts += [figure[k].get("alt") or figure["alt"] for k in ("before", "after")]
        elif "file" in figure:
            alts.append(figure["alt"])
    return alts


def page(project, url: str) -> BeautifulSoup:
    return BeautifulSoup((project.root / "site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def meta(soup: BeautifulSoup, key: str) -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={"property": key})] + \
        [m["content"] for m in soup.find_all("meta", attrs={"name": key})]


# ---- the standards ----

@pytest.mark.parametrize("url", SAMPLES)
def test_brief_pdf_declares_pdf_ua_1_and_pdf_a_2a_with_what_they_require(built, url):
    pdf = read_tagged(pdf_of(built, url))
    brief = brief_of(url)
    assert pdf.catalog == {"Lang": brief.get("lang", "en"), "Marked": True, "StructTreeRoot": True,
                           "DisplayDocTitle": True}
    assert pdf.xmp_value("pdfuaid:part") == "1"
    assert (pdf.xmp_value("pdfaid:part"), pdf.xmp_value("pdfaid:conformance")) == ("2", "A")


def test_collection_pdf_declares_the_standards_and_has_a_bookmark_per_brief(built):
    pdf = read_tagged(collection_of(built))
    assert pdf.catalog == {"Lang": "en", "Marked": True, "StructTreeRoot": True, "DisplayDocTitle": True}
    assert pdf.xmp_value("pdfuaid:part") == "1"
    assert (pdf.xmp_value("pdfaid:part"), pdf.xmp_value("pdfaid:conformance")) == ("2", "A")
    news = ["2025/12/munitions-modernization", "2025/12/new-munitions-factories"]
    briefs = [(brief_of(url)["title"], [(h, []) for h in body_headings(brief_of(url)["body"])]) for url in news]
    # the contents page, then each brief with its headings under it
    assert [mark for mark in pdf.outline if mark[0] != "Contents"] == briefs
    assert [squash(pdf.text_of(h)) for h in pdf.tags("H1")][-2:] == [title for title, _ in briefs]
    assert (pdf.info["Title"], pdf.info["Author"]) == ("Latest news", "North Korea Briefs (sample)")
    assert pdf.info["Subject"] == "January 2025 – December 2025 · 2 briefs"


def test_qpdf_finds_nothing_wrong(built):
    qpdf = shutil.which("qpdf")
    assert qpdf, "Debian's qpdf is missing (make test installs it as root)"
    for path in [*(pdf_of(built, url) for url in SAMPLES), collection_of(built)]:
        result = subprocess.run([qpdf, "--check", str(path)], capture_output=True, text=True)
        assert result.returncode == 0, (path.name, result.stdout, result.stderr)
        assert "No syntax or stream encoding errors found" in result.stdout, path.name
        assert "WARNING" not in result.stdout + result.stderr, (path.name, result.stdout, result.stderr)


def test_an_outside_pdf_ua_checker_finds_nothing(built):
    """pdfua checks a machine-checkable part of PDF/UA-1 (title shown, pdfuaid, tags, alt text, language,
    tab order…): not a certification (veraPDF does not run here), a second opinion by other hands."""
    for path in [*(pdf_of(built, url) for url in SAMPLES), collection_of(built)]:
        report = pdfua.validate(str(path))
        problems = [(f.rule_id, f.severity.name, f.message) for f in report.findings]
        assert problems == [], (path.name, problems)


# ---- the tags ----

@pytest.mark.parametrize("url", SAMPLES)
def test_title_and_headings_are_tagged_in_order_without_skipping_a_level(built, url):
    pdf = read_tagged(pdf_of(built, url))
    brief = brief_of(url)
    headings = [(t.role, squash(pdf.text_of(t))) for t in pdf.root.walk() if re.fullmatch(r"H[1-6]", t.role)]
    assert headings == [("H1", squash(brief["title"]))] + [("H2", h) for h in body_headings(brief["body"])]


@pytest.mark.parametrize("url", SAMPLES)
def test_every_picture_is_a_figure_with_the_briefs_alt_text(built, url):
    pdf = read_tagged(pdf_of(built, url))
    alts = [t.attributes.get("/Alt") for t in pdf.tags("Figure")]
    expected = expected_alts(brief_of(url))
    assert len(alts) == len(expected) > 0
    assert all(alt == want or alt.startswith(want + " (") for alt, want in zip(alts, expected, strict=True)), alts


@pytest.mark.parametrize("url", SAMPLES)
def test_notes_are_tagged_as_notes(built, url):
    pdf = read_tagged(pdf_of(built, url))
    notes = page(built, url).select(".footnote > ol > li")
    assert len(pdf.tags("Note")) == len(notes) > 0
    # each note's number and text are inside its Note element
    for number, (note, tagged) in enumerate(zip(notes, pdf.tags("Note"), strict=True), start=1):
        text = squash(note.get_text().replace("↩", "")).replace(" ", "")
        assert squash(pdf.text_of(tagged)).replace(" ", "") == f"{number}{text}"


def test_lists_are_tagged_as_lists(built):
    url = "2024/04/defence-industrial-enterprise"
    items = brief_of(url)["takeaways"]  # the key takeaways box is a list
    pdf = read_tagged(pdf_of(built, url))
    assert len(pdf.tags("L")) >= 1 and len(pdf.tags("LI")) == len(items) > 0
    assert all(li.children and li.children[-1].role == "LBody" for li in pdf.tags("LI"))


@pytest.mark.parametrize("url", SAMPLES)
def test_bookmarks_are_the_title_and_the_headings(built, url):
    pdf = read_tagged(pdf_of(built, url))
    brief = brief_of(url)
    assert pdf.outline == [(brief["title"], [(h, []) for h in body_headings(brief["body"])])]


# ---- languages ----

def test_korean_disclaimer_in_an_english_brief_is_marked_korean(built):
    pdf = read_tagged(pdf_of(built, "2025/12/munitions-expansion-summary"))
    by_language = pdf.text_by_language()
    assert set(by_language) == {"en", "ko"}
    disclaimer = squash(brief_of("2025/12/munitions-expansion-summary")["disclaimer"])
    assert squash(by_language["ko"]) == disclaimer
    assert not has_hangul(by_language["en"])


def test_a_korean_brief_is_korean_and_its_hangul_never_marked_otherwise(built):
    pdf = read_tagged(pdf_of(built, "2025/12/munitions-expansion-summary-ko"))
    by_language = pdf.text_by_language()
    assert pdf.catalog["Lang"] == "ko"
    assert all(not has_hangul(text) for lang, text in by_language.items() if lang != "ko")
    assert squash(brief_of("2025/12/munitions-expansion-summary-ko")["title"]) in squash(by_language["ko"])


def test_hangul_inside_an_english_body_and_note_is_marked_korean(project):
    project.write("2024-04-29-hangul.yml", """\
        title: Names in two scripts
        series: quick-take
        date: 2024-04-29
        authors: [jordan-park]
        summary: One sentence.
        body: |
          The party newspaper 로동신문 carried the speech.[^a]

          ## What it said

          Nothing about 핵 at all.
        notes:
          a: Its title means "Workers' Newspaper" (로동신문).
        """)
    result = project.run()
    assert result.returncode == 0, result.stderr
    pdf = read_tagged(project.root / "site/2024/04/hangul/hangul.pdf")
    by_language = pdf.text_by_language()
    assert not has_hangul(by_language["en"])
    assert sorted(re.sub(r"\W", "", by_language["ko"])) == sorted("로동신문" "핵" "로동신문")


# ---- headings an editor may write ----

def test_headings_that_start_at_one_or_skip_levels_print_as_an_even_outline(project):
    project.write("2024-04-29-levels.yml", """\
        title: Uneven headings
        series: quick-take
        date: 2024-04-29
        authors: [jordan-park]
        summary: One sentence.
        body: |
          # A first-level heading

          Text.

          #### Four levels down

          Text.

          ### Three

          ## Back to two

          Text.
        """)
    result = project.run()
    assert result.returncode == 0, result.stderr  # Typst's PDF/UA check would stop at a skipped level
    pdf = read_tagged(project.root / "site/2024/04/levels/levels.pdf")
    headings = [(t.role, squash(pdf.text_of(t))) for t in pdf.root.walk() if re.fullmatch(r"H[1-6]", t.role)]
    assert headings == [("H1", "Uneven headings"), ("H2", "A first-level heading"), ("H3", "Four levels down"),
                        ("H3", "Three"), ("H2", "Back to two")]
    assert pdf.outline == [("Uneven headings", [("A first-level heading", [("Four levels down", []), ("Three", [])]),
                                                ("Back to two", [])])]
    # the web page keeps what the editor wrote
    soup = page(project, "2024/04/levels")
    assert soup.find("h4", string=re.compile("Four levels down")) is not None


# ---- metadata ----

@pytest.mark.parametrize("url", SAMPLES)
def test_metadata_is_the_pages(built, url):
    """Title, authors, subject, keywords and dates as the page gives them to crawlers and citation tools."""
    pdf = read_tagged(pdf_of(built, url))
    soup = page(built, url)
    assert pdf.info["Title"] == meta(soup, "og:title")[0]
    assert pdf.info["Author"] == ", ".join(meta(soup, "citation_author"))
    assert pdf.info["Subject"] == meta(soup, "og:description")[0]
    assert pdf.info["Keywords"] == ", ".join(meta(soup, "article:tag"))
    published = meta(soup, "article:published_time")[0].replace("-", "")
    assert pdf.info["CreationDate"].startswith(f"D:{published}")
    assert pdf.xmp_value("dc:language") is not None or "<dc:language>" in pdf.xmp
    assert brief_of(url).get("lang", "en") in pdf.xmp.split("<dc:language>", 1)[1].split("</dc:language>", 1)[0]


def test_every_markdown_construct_prints_and_stays_tagged(project):
    """What pandoc's Typst writer leaves to its own template (a thematic break, definition lists) and
    what a show rule could stumble on (a link without text) print; tables keep header cells."""
    project.write("2024-04-29-constructs.yml", """\
        title: Every construct
        series: quick-take
        date: 2024-04-29
        authors: [jordan-park]
        summary: One sentence.
        body: |
          A link without text: [](https://example.org/a). Typed as on the web: $x^2$ and \\emph{this}.

          ---

          Term
          : Its definition.

          | Year | Tests |
          |------|-------|
          | 2017 | 6     |

          ```
          code block
          ```

          - one
            - nested
        """)
    result = project.run()
    assert result.returncode == 0, result.stderr
    path = project.root / "site/2024/04/constructs/constructs.pdf"
    pdf = read_tagged(path)
    assert [squash(pdf.text_of(t)) for t in pdf.tags("TH")] == ["Year", "Tests"]
    assert len(pdf.tags("LI")) == 2 and len(pdf.tags("L")) == 2
    # no TeX in the site's Markdown: what the web page prints as typed, the PDF prints too (pandoc
    # would make math, which has no font here, and drop the command)
    printed = " ".join(page.extract_text() for page in PdfReader(path).pages)
    assert "$x^2$ and \\emph{this}" in printed
    assert "$x^2$ and \\emph{this}" in page(project, "2024/04/constructs").get_text()
    assert list(pdfua.validate(str(path)).findings) == []


def test_a_topics_new_label_reaches_the_pdfs_keywords_on_the_next_build(sample_project):
    assert sample_project.run().returncode == 0
    path = pdf_of(sample_project, "2024/04/defence-industrial-enterprise")
    assert read_tagged(path).info["Keywords"] == "Defense industry, Economy"
    topics = sample_project.briefs / "topics.yml"
    topics.write_text(topics.read_text(encoding="utf-8").replace("label: Economy", "label: Economics"),
                      encoding="utf-8")
    result = sample_project.run()
    assert result.returncode == 0, result.stderr
    assert read_tagged(path).info["Keywords"] == "Defense industry, Economics"
