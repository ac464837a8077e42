"""The editor's preview pane in `build.py serve` (briefkit/cms_preview.py): a brief as the form holds it,
rendered by the site's own engine against the corpus, or its errors in the contract's format."""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from briefkit.cms import PAGE_PREFIX
from briefkit.cms_preview import NO_PREVIEW, page_file, render_brief, safe_host
from briefkit.config import load_config
from briefkit.finished import CONTENT_END, CONTENT_START
from briefkit.load import load_corpus
from conftest import VALID_BRIEF

NAME = "briefs/2024-04-29-a-test.yml"
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def loaded(sample_project):
    config = load_config(sample_project.root)
    corpus, _ = load_corpus(config)
    return config, corpus, sample_project.root / ".build" / "preview"


def test_the_brief_is_rendered_with_its_notes_and_citations(loaded):
    config, corpus, site = loaded
    answer = render_brief(config, corpus, site, NAME, VALID_BRIEF, BASE)
    soup = BeautifulSoup(answer["html"], "html.parser")
    assert soup.select_one("base")["href"] == f"{BASE}{PAGE_PREFIX}2024/04/a-test/"
    notes = soup.select(".footnote ol > li")
    assert len(notes) == 2  # the note, then the citation of the body as a note of its own
    assert "Carlin" in notes[0].get_text() and "Understanding Kim Jong Un" in notes[0].get_text()
    assert "Bulletin of the Atomic Scientists" in notes[1].get_text() and "(2024): 90" in notes[1].get_text()
    assert soup.select_one("h1").get_text(strip=True) == "A test brief"


def test_the_page_is_put_into_a_brief_page_the_preview_built(loaded):
    config, corpus, site = loaded
    card = corpus.cards[-1]
    built = site / card.url / "index.html"
    built.parent.mkdir(parents=True)
    built.write_text("<!doctype html><html><head><title>Old - Site</title><link rel=stylesheet href=../../../x.css>"
                     f"</head><body><nav>theme</nav>{CONTENT_START}<p>old text</p>{CONTENT_END}</body></html>",
                     encoding="utf-8")
    page = render_brief(config, corpus, site, NAME, VALID_BRIEF, BASE)["html"]
    assert "<nav>theme</nav>" in page and "old text" not in page and "Text with a note" in page
    assert re.search(r"<head><base href=\"[^\"]+\"><title>A test brief - ", page)


def test_errors_are_the_contract_lines_with_their_source(loaded):
    config, corpus, site = loaded
    text = VALID_BRIEF.replace("lee2024nucleartest", "lee2024nucleartes").replace("jordan-park", "jordan-parc")
    answer = render_brief(config, corpus, site, NAME, text, BASE)
    assert "html" not in answer
    assert [p["line"] for p in answer["problems"]] == [
        f"{NAME}:4:11: error: unknown author 'jordan-parc' (did you mean 'jordan-park'?)",
        f"{NAME}:7:42: error: unknown citation key 'lee2024nucleartes' (did you mean 'lee2024nucleartest'?)"]
    assert answer["problems"][1]["source"] == "  Text with a note.[^a] And a citation.[@lee2024nucleartes, 90]"
    broken = render_brief(config, corpus, site, NAME, "title: [unclosed\n", BASE)
    assert broken["problems"][0]["line"].startswith(f"{NAME}:")
    # the file name says the day: a date that differs is the error check gives
    moved = render_brief(config, corpus, site, "briefs/2024-05-01-a-test.yml", VALID_BRIEF, BASE)
    assert any("file name" in p["line"] for p in moved["problems"])


@pytest.mark.parametrize("name", ["briefs/YYYY-MM-DD-new-brief.yml", "briefs/2024-04-29-Bad Slug.yml",
                                  "elsewhere/2024-04-29-a-test.yml", "briefs/sub/2024-04-29-a-test.yml"])
def test_no_preview_without_a_brief_file_name(loaded, name):
    config, corpus, site = loaded
    assert render_brief(config, corpus, site, name, VALID_BRIEF, BASE) == {"message": NO_PREVIEW}


def test_the_pages_files_come_from_the_site_or_are_images_of_briefs(loaded):
    config, corpus, site = loaded
    (site / "assets").mkdir(parents=True)
    (site / "assets" / "a.css").write_text("p{}", encoding="utf-8")
    assert page_file(config, site, "assets/a.css") == (site / "assets" / "a.css").resolve()
    image = next(p for p in (config.briefs_path / "images").iterdir() if p.is_file())
    assert page_file(config, site, f"images/{image.name}") == image.resolve()  # uploaded, not yet published
    for refused in ("references.bib", "authors.yml", "../mkdocs.yml", "images/../../mkdocs.yml", "/etc/passwd", ""):
        assert page_file(config, site, refused) is None, refused


def test_the_host_header_is_used_only_when_plain():
    assert safe_host("127.0.0.1:8000", "x") == "127.0.0.1:8000"
    assert safe_host("localhost:8000", "x") == "localhost:8000"
    assert safe_host('evil"><script>', "127.0.0.1:1") == "127.0.0.1:1"
    assert safe_host(None, "127.0.0.1:1") == "127.0.0.1:1"


def test_an_upload_not_saved_yet_is_checked_and_shown_from_the_shadow(loaded):
    import base64

    from briefkit.cms_preview import decode_media, shadow_folder

    config, corpus, site = loaded
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'
    text = VALID_BRIEF + "image:\n  file: images/new-upload.svg\n  alt: A square.\n  credit: Test\n"
    missing = render_brief(config, corpus, site, NAME, text, BASE)
    assert [p["line"] for p in missing["problems"]] == [
        f"{NAME}:11:9: error: image file 'images/new-upload.svg' not found (paths are relative to briefs/)"]
    media = decode_media(config, [{"path": "briefs/images/new-upload.svg",
                                   "data": "data:image/svg+xml;base64," + base64.b64encode(svg).decode()},
                                  {"path": "briefs/../mkdocs.yml", "data": "eA=="},  # refused: outside
                                  {"path": "briefs/notes.txt", "data": "eA=="}])  # refused: not an image
    assert media == {"images/new-upload.svg": svg}
    answer = render_brief(config, corpus, site, NAME, text, BASE, media)
    assert 'src="../../../images/new-upload.svg"' in answer["html"]
    assert not (config.briefs_path / "images" / "new-upload.svg").exists()  # nothing written into briefs/
    assert page_file(config, site, "images/new-upload.svg") == (shadow_folder(config) / "images" / "new-upload.svg")
    assert (shadow_folder(config) / "images" / "new-upload.svg").read_bytes() == svg
