"""In-text citation styles (author-date, numeric): citations printed in the text as the style prints
them, a list of references at the end of the brief (web page, feed and PDF), notes kept for prose notes.
Each is compared with pandoc run directly with the same style on the same brief, formatted whole."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader
from test_citations import brief_yaml

from briefkit.pandoc import pandoc_path

CSL = Path(__file__).parents[1] / "data" / "csl"
STYLES = ["apa.csl", "chicago-author-date.csl", "ieee.csl"]

BODY = ("The enterprise was new.[@lee2024nucleartest, 88] Analysts disagreed[@cha2012impossible; "
        "@lankov2013real] and the plenum turned.[^a] Later reports said so.[@carlin2023plenum]\n\n"
        "A second look confirmed it [see @lee2024nucleartest, 90].")
NOTES = {"a": "A prose note citing [@haggard2007famine, 12] in its sentence."}


def use_style(project, name: str) -> None:
    """Name a style in the project's mkdocs.yml: one of tests/data/csl, or a file already in templates/."""
    if not (project.root / "templates" / name).exists():
        shutil.copy(CSL / name, project.root / "templates" / name)
    config = (project.root / "mkdocs.yml").read_text()
    (project.root / "mkdocs.yml").write_text(config.replace("templates/house-chicago-notes.csl", f"templates/{name}"))


def pandoc_whole(project, style: str) -> tuple[list[str], list[str]]:
    """pandoc's own in-text citations (in order) and references for the brief's body and note, from
    the CSL items briefkit made of the .bib (so that titles are as given in both)."""
    from briefkit.bib import csl_items, read_bib
    from briefkit.diagnostics import Diagnostics

    entries = read_bib(project.root / "briefs" / "references.bib", "references.bib", Diagnostics())
    refs_json = project.root / "refs.json"
    refs_json.write_text(json.dumps(list(csl_items(entries, project.root / ".cache-test").values())),
                         encoding="utf-8")
    source = ("A [@lee2024nucleartest, 88]. B [@cha2012impossible; @lankov2013real]. C [^a]. "
              "D [@carlin2023plenum]. E [see @lee2024nucleartest, 90].\n\n"
              "[^a]: A prose note citing [@haggard2007famine, 12] in its sentence.\n")
    out = subprocess.run([pandoc_path(), "-f", "markdown", "-t", "html", "--citeproc", "--wrap=none",
                          "--bibliography", str(refs_json),
                          "--csl", str(CSL / style)], input=source.encode(), capture_output=True, check=True)
    soup = BeautifulSoup(out.stdout.decode(), "html.parser")
    cites = [c.get_text() for c in soup.select("span.citation")]
    refs = [squash(e.get_text(" ")) for e in soup.select("div.csl-entry")]
    return cites, refs


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("style", STYLES)
def test_in_text_style_prints_citations_in_the_text_and_references_at_the_end(project, style):
    use_style(project, style)
    project.write("2024-04-29-test.yml", brief_yaml(BODY, NOTES))
    result = project.run()
    assert result.returncode == 0, result.stderr
    page = BeautifulSoup((project.root / "site/2024/04/test/index.html").read_text(encoding="utf-8"), "html.parser")
    cites, refs = pandoc_whole(project, style)
    text = squash(page.select_one(".brief-body").get_text(" "))
    body_cites, note_cite = cites[:4], cites[4]  # pandoc's page has the note's citation last
    # each citation where it was written, moved before the sentence's period
    assert text.startswith(f"The enterprise was new {body_cites[0]}. Analysts disagreed {body_cites[1]} and")
    assert f"Later reports said so {body_cites[2]}. A second look confirmed it {body_cites[3]}." in text
    # notes: only the prose note, its citation formatted in place as the style prints it
    notes = [squash(li.get_text(" ")) for li in page.select(".brief-notes li")]
    assert len(notes) == 1 and note_cite in notes[0], (notes, note_cite)
    # the references: the style's own order and text
    ours = [squash(p.get_text(" ")) for p in page.select(".brief-references .csl-entry")]
    assert ours == refs
    # in the feed, after the body
    feed = (project.root / "site" / "feed.xml").read_text(encoding="utf-8")
    entries = BeautifulSoup(BeautifulSoup(feed, "xml").get_text(), "html.parser")
    assert "References" in entries.get_text() and refs[0][:30] in squash(entries.get_text(" "))
    # and in the PDF, after the body
    pdf = "".join(p.extract_text() for p in PdfReader(project.root / "site/2024/04/test/test.pdf").pages)
    flat = re.sub(r"\s+", "", pdf)
    assert "References" in pdf
    for entry in refs:
        assert re.sub(r"\s+", "", entry) in flat, entry


def test_a_style_pandoc_refuses_is_an_error_from_check_naming_the_style(project):
    (project.root / "templates" / "broken.csl").write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<style xmlns="http://purl.org/net/xbiblio/csl" class="in-text" version="1.0">\n'
        '  <info><title>Broken</title><id>broken</id><updated>2024-01-01T00:00:00+00:00</updated></info>\n'
        '  <citation><text variable="title"/></citation>\n</style>\n', encoding="utf-8")
    use_style(project, "broken.csl")
    project.write("2024-04-29-test.yml", brief_yaml("A.[@cha2012impossible]"))
    result = project.run("check")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip() == (
        "templates/broken.csl:1:1: error: pandoc cannot use this CSL style: No layout element present in citation "
        "(fix the style, or use one from the CSL repository (github.com/citation-style-language/styles))")
