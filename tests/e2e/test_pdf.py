"""PDFs: where they are, what their first page says, notes identical to the web page, fonts, Korean,
missing glyphs, collections, incremental and reproducible builds."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from briefkit import pdf as pdf_module
from briefkit.config import load_config
from briefkit.generate import generate
from conftest import REPO, VALID_BRIEF, make_project

SAMPLES = {
    "2024/04/defence-industrial-enterprise": ("North Korea’s New “National Defence Industrial Enterprise”",
                                              "Jordan Park", "April 29, 2024"),
    "2025/12/munitions-modernization": ("Kim Tours Munitions Plants as Five-Year Missile Plans Take Shape",
                                        "Mina Cho", "December 26, 2025"),
    "2025/12/new-munitions-factories": ("Kim Calls for New Munitions Factories to Raise Missile and Shell Output",
                                        "Mina Cho", "December 27, 2025"),
    "2025/12/munitions-expansion-summary": (
        "In Brief: North Korea Plans a Large Expansion of Missile and Shell Factories", "Sam Ortiz",
        "December 28, 2025"),
}


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("pdfsite"), shared_cache, with_samples=True)
    result = project.run()
    assert result.returncode == 0, result.stderr
    return project


def pdf_of(project, url: str) -> Path:
    return project.root / "site" / url / f"{url.rsplit('/', 1)[1]}.pdf"


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def web_notes(project, url: str) -> list[str]:
    soup = BeautifulSoup((project.root / "site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")
    notes = []
    for li in soup.select(".footnote > ol > li"):
        li.select_one("a.footnote-backref").decompose()
        notes.append(li.get_text().strip())
    return notes


@pytest.mark.parametrize("url", SAMPLES)
def test_pdf_is_published_and_linked(built, url):
    path = pdf_of(built, url)
    assert path.read_bytes().startswith(b"%PDF-")
    soup = BeautifulSoup((built.root / "site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")
    link = soup.select_one("a.brief-pdf")
    assert link is not None and link.get_text() == "Download PDF"
    target = urljoin(f"http://x/{url}/", link["href"]).removeprefix("http://x/")
    assert (built.root / "site" / target) == path
    pdf_meta = soup.find("meta", attrs={"name": "citation_pdf_url"})["content"]
    assert pdf_meta == f"https://briefs.example.org/{url}/{url.rsplit('/', 1)[1]}.pdf"


@pytest.mark.parametrize("url", SAMPLES)
def test_first_page_has_title_authors_and_date(built, url):
    title, author, date = SAMPLES[url]
    first = squash(PdfReader(pdf_of(built, url)).pages[0].extract_text())
    assert squash("North Korea Briefs (sample)".upper()) in first
    assert squash(title) in first and squash(f"By {author}") in first and squash(date) in first


@pytest.mark.parametrize("url", SAMPLES)
def test_every_note_prints_the_web_page_text(built, url):
    text = squash("".join(page.extract_text() for page in PdfReader(pdf_of(built, url)).pages))
    notes = web_notes(built, url)
    assert notes
    for number, note in enumerate(notes, start=1):
        assert squash(f"{number}{note}") in text, (number, note)


def test_page_numbers_and_running_head_from_page_two(built):
    pages = PdfReader(pdf_of(built, "2024/04/defence-industrial-enterprise")).pages
    assert len(pages) >= 2
    assert "Page" not in pages[0].extract_text()
    count = len(pages)
    for number, page in enumerate(pages[1:], start=2):
        text = page.extract_text()
        assert f"Page {number} of {count}" in text
        assert "Quick Take" in text  # running head: the series (no short title)


def fonts(path: Path) -> dict[str, bool]:
    """Font name → embedded, for every font used on any page."""
    found = {}
    for page in PdfReader(path).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font["/DescendantFonts"][0].get_object() if "/DescendantFonts" in font else font)
            descriptor = descriptor["/FontDescriptor"].get_object()
            found[str(font["/BaseFont"]).split("+")[-1]] = any(k in descriptor for k in
                                                               ("/FontFile", "/FontFile2", "/FontFile3"))
    return found


def test_fonts_are_the_shipped_ones_and_embedded(built):
    used = fonts(pdf_of(built, "2025/12/munitions-expansion-summary"))
    assert used and all(used.values())
    assert {"NotoSerif-Regular", "BriefsMyeongjo-Regular"} <= set(used)
    assert all(name.startswith(("NotoSerif", "BriefsMyeongjo")) for name in used)


def test_korean_disclaimer_prints_hangul(built):
    text = "".join(p.extract_text() for p in PdfReader(pdf_of(built, "2025/12/munitions-expansion-summary")).pages)
    assert "본 요약은 여러 언론 보도를 바탕으로" in text


def test_a_korean_brief_prints(project):
    project.write("2024-04-29-korean.yml", VALID_BRIEF.replace("title: A test brief", "title: 북한의 새 군수기업")
                  .replace("Text with a note.", "북한 매체가 새 기업을 소개했다.") + "lang: ko\n")
    assert project.run().returncode == 0
    text = PdfReader(project.root / "site/2024/04/korean/korean.pdf").pages[0].extract_text()
    assert "북한의 새 군수기업" in text and "북한 매체가 새 기업을 소개했다" in text


def test_character_without_glyph_is_an_error_naming_brief_character_and_place(project):
    project.write("2024-04-29-test-brief.yml", VALID_BRIEF)
    assert project.run().returncode == 0
    before = sorted(p.relative_to(project.root).as_posix() for p in (project.root / "site").rglob("*"))
    text = VALID_BRIEF.replace("Text with a note.", "Launch \U0001F680 day.")
    project.write("2024-04-29-test-brief.yml", text)
    result = project.run()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    line = text.splitlines().index("  Launch \U0001F680 day.[^a] And a citation.[@lee2024nucleartest, 90]") + 1
    assert result.stderr.strip() == (
        f"briefs/2024-04-29-test-brief.yml:{line}:10: error: '\U0001F680' (U+1F680 ROCKET) cannot be printed: "
        "no font shipped for the PDF has it (replace the character, or add a font that has it to templates/fonts/)")
    assert sorted(p.relative_to(project.root).as_posix() for p in (project.root / "site").rglob("*")) == before


def test_character_without_glyph_in_a_cited_entry(project):
    project.write("references.bib", (project.briefs / "references.bib").read_text() +
                  "\n@book{snow2020,\n  author = {Roe, Ann},\n  title = {Winter \u2603 notes},\n"
                  "  date = {2020},\n}\n",
                  dedent=False)
    text = VALID_BRIEF.replace("@lee2024nucleartest, 90", "@snow2020")
    project.write("2024-04-29-test-brief.yml", text)
    result = project.run()
    assert result.returncode == 1
    assert "briefs/2024-04-29-test-brief.yml:7:" in result.stderr and "U+2603 SNOWMAN" in result.stderr


def test_pdfs_are_reproducible(tmp_path, shared_cache, built):
    """A build in another folder, with its own empty cache, gives the same bytes."""
    (tmp_path / "cache").mkdir()
    other = make_project(tmp_path, tmp_path / "cache", with_samples=True)
    assert other.run().returncode == 0
    for url in SAMPLES:
        assert hashlib.sha256(pdf_of(other, url).read_bytes()).digest() == \
            hashlib.sha256(pdf_of(built, url).read_bytes()).digest(), url


def test_only_changed_briefs_are_rebuilt(sample_project, monkeypatch):
    config = load_config(sample_project.root)
    generate(config, write=False)
    compiled: list[str] = []
    real = pdf_module.compile_all
    monkeypatch.setattr(pdf_module, "compile_all",
                        lambda jobs, *a, **k: compiled.extend(j[2] for j in jobs) or real(jobs, *a, **k))
    generate(config, write=False)
    assert compiled == []
    path = sample_project.briefs / "2025-12-27-new-munitions-factories.yml"
    # an edit no other test makes: the cache folder is shared by the whole session
    path.write_text(path.read_text().replace("Kim Jong Un has called", "Kim Jong Un, in a test of PDFs, called"))
    generate(config, write=False)
    assert compiled == ["briefs/2025-12-27-new-munitions-factories.yml"]
    (sample_project.root / "templates/pdf/brief.typ").write_text(
        (sample_project.root / "templates/pdf/brief.typ").read_text() + "\n// edited\n")
    compiled.clear()
    generate(config, write=False)
    assert len(compiled) == len(list((sample_project.root / "briefs").glob("20*.yml")))  # a template change: every PDF


def test_pdf_command_builds_only_the_named_briefs(sample_project):
    result = sample_project.run("pdf", "new-munitions-factories")
    assert result.returncode == 0, result.stderr
    pdfs = sorted(p.name for p in (sample_project.root / "site").rglob("*.pdf"))
    assert pdfs == ["new-munitions-factories.pdf"]
    assert sample_project.run("pdf", "no-such-brief").returncode == 1


def test_collection_pdf(sample_project):
    result = sample_project.run("pdf", "--series", "news", "--from", "2025-01", "--to", "2025-12")
    assert result.returncode == 0, result.stderr
    path = sample_project.root / "pdf/news-2025-01-2025-12.pdf"
    reader = PdfReader(path)
    cover = reader.pages[0].extract_text()
    assert "Latest news" in cover and "January 2025 – December 2025 · 2 briefs" in cover
    assert "Contents" in reader.pages[1].extract_text()
    text = squash("".join(p.extract_text() for p in reader.pages))
    first, second = "Kim Tours Munitions Plants", "Kim Calls for New Munitions Factories"
    assert text.index(squash(first)) < text.index(squash(second))  # oldest first
    # each brief restarts its notes at 1
    assert squash("1Korean Central News Agency, report of December 26, 2025.") in text
    assert squash("1Quotations are from the English-language service") in text
    topic = sample_project.run("pdf", "--topic", "economy")
    assert topic.returncode == 0 and (sample_project.root / "pdf/economy.pdf").is_file()


def test_a4_paper(project):
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("    paper: letter ", "    paper: a4 "))
    project.write("2024-04-29-test-brief.yml", VALID_BRIEF)
    assert project.run().returncode == 0
    box = PdfReader(project.root / "site/2024/04/test-brief/test-brief.pdf").pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_letter_paper_by_default(built):
    box = PdfReader(pdf_of(built, "2024/04/defence-industrial-enterprise")).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (612, 792)


def test_layout_template_is_in_templates():
    assert (REPO / "templates/pdf/brief.typ").is_file() and (REPO / "templates/pdf/brief.typ.j2").is_file()


def test_body_markdown_prints_headings_lists_tables_quotes_and_link_addresses(project):
    body = ("  Opening paragraph.[^a]\n\n  ## A section heading\n\n  - first item\n  - second item\n\n"
            "  | Year | Tests |\n  |---|---|\n  | 2006 | 1 |\n  | 2017 | 6 |\n\n"
            "  > A pulled quotation.\n\n  See [the report](https://example.org/report) and <https://example.org/x>.\n")
    text = VALID_BRIEF.split("body: |\n")[0] + "body: |\n" + body + "notes:\n  a: A note.\n"
    project.write("2024-04-29-test-brief.yml", text)
    result = project.run()
    assert result.returncode == 0, result.stderr
    reader = PdfReader(project.root / "site/2024/04/test-brief/test-brief.pdf")
    printed = "".join(p.extract_text() for p in reader.pages)
    for piece in ["A section heading", "first item", "second item", "Year", "Tests", "2017", "A pulled quotation.",
                  "the report (https://example.org/report)", "https://example.org/x."]:
        assert piece in printed, piece
    assert "https://example.org/x (https://example.org/x)" not in printed  # an address is printed once


def test_east_asian_script_in_a_citation_keeps_its_language_and_stays_upright_in_typst():
    """The Span with `lang` that the notes carry (inlines.mark_scripts) becomes Typst text with that
    language, upright inside the italics of a journal's name, as on the web page."""
    import json
    import subprocess

    from briefkit.inlines import mark_scripts
    from briefkit.pandoc import pandoc_path

    citation = mark_scripts([{"t": "Emph", "c": [{"t": "Str", "c": "세계지역연구논총"}]},
                             {"t": "Space"}, {"t": "Str", "c": "37."}])
    request = {"docs": [{"parts": {}, "notes": [{"template": "See \ue1000\ue101", "citations": [citation]}]}]}
    out = subprocess.run([pandoc_path(), "lua", str(pdf_module._LUA)], input=json.dumps(request).encode(),
                         capture_output=True, check=True).stdout
    note = json.loads(out)["docs"][0]["notes"][0]
    # (the word kept whole in a box: Korean lines break between words)
    assert note == 'See #emph[#text(lang: "ko", style: "normal")[#box[세계지역연구논총]]] 37.'


def test_korean_citation_prints_in_the_pdf(project):
    project.write("references.bib", (project.briefs / "references.bib").read_text() +
                  "\n@article{im2019,\n  author = {{임을출}},\n  title = {첨단기술개발구 연구},\n"
                  "  usere = {A study},\n  journaltitle = {세계지역연구논총},\n  volume = {37},\n"
                  "  date = {2019-09},\n}\n", dedent=False)
    project.write("2024-04-29-test-brief.yml", VALID_BRIEF.replace("@lee2024nucleartest, 90", "@im2019"))
    assert project.run().returncode == 0
    text = squash("".join(p.extract_text() for p in
                          PdfReader(project.root / "site/2024/04/test-brief/test-brief.pdf").pages))
    assert squash("임을출, “첨단기술개발구 연구” [A study], 세계지역연구논총 37 (September 2019).") in text
