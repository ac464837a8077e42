"""Caches can never change the output: every cached item is checked when read, a bad one is made
again (not published, not fatal), and every cache key holds everything its output depends on."""

from __future__ import annotations

import pickle
import re
import shutil
import sqlite3
from pathlib import Path

import jinja2.bccache
import pytest
from pypdf import PdfReader

from briefkit.cite import CitationCache
from briefkit.config import load_config
from briefkit.generate import generate
from briefkit.memo import Memo
from briefkit.pdf import pdf_is_whole
from conftest import Project, make_project, tree_digest

DAY = "2026-01-15"  # the build date of every build here, so that they all publish the same briefs
RENAMED = "2024-04-29-defence-industrial-enterprise.yml"  # no other brief names it in related:
OLD_URL = "https://briefs.example.org/2024/04/defence-industrial-enterprise/"


@pytest.fixture(scope="module", autouse=True)
def build_day():
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("BRIEFKIT_TODAY", DAY)
        yield


def new_project(folder: Path) -> Project:
    """The sample site with a cache of its own (these tests damage it)."""
    (folder / "cache").mkdir()
    (folder / "project").mkdir()
    return make_project(folder / "project", folder / "cache", with_samples=True)


def build(project: Project) -> None:
    """python build.py (the site with its PDFs): it must succeed without a Python error."""
    result = project.run()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr


def site(project: Project) -> str:
    return tree_digest(project.root / "site")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> str:
    """The site built from scratch, with an empty cache."""
    project = new_project(tmp_path_factory.mktemp("scratch"))
    build(project)
    return site(project)


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> Project:
    """A project built once, its cache full: each case damages one cache and builds again."""
    project = new_project(tmp_path_factory.mktemp("warm"))
    build(project)
    return project


# ---- ways to damage each cache (cache folder → None) ----

def forget_memo(cache: Path) -> None:
    """Without the memo every brief is formatted and rendered again: every cache below is read."""
    shutil.rmtree(cache / "memo")


def files(cache: Path, pattern: str) -> list[Path]:
    found = sorted(cache.glob(pattern))
    assert found, f"nothing cached as {pattern}"
    return found


def garbage_memo(cache: Path) -> None:
    for path in files(cache, "memo/*.pickle"):
        path.write_bytes(path.read_bytes()[:40] + b"garbage")


def memo_of_another_shape(cache: Path) -> None:
    """A memo that unpickles, for the same context, with a field that is not what it should be."""
    for path in files(cache, "memo/*.pickle"):
        memo = pickle.loads(path.read_bytes())
        memo.pages = None
        path.write_bytes(pickle.dumps(memo))


def cut_pdfs(cache: Path) -> None:
    """PDFs cut short (a killed build, a full disk), one deleted; the memo still points at them."""
    pdfs = files(cache, "pdf/*.pdf")
    pdfs[0].unlink()
    for path in pdfs[1:]:
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def cut_pdfs_without_memo(cache: Path) -> None:
    for path in files(cache, "pdf/*.pdf"):
        path.write_bytes(path.read_bytes()[:-200])
    forget_memo(cache)


def garbage_citations(cache: Path) -> None:
    for path in files(cache, "citations.sqlite"):
        path.write_bytes(b"this is not an SQLite database\n" * 100)
    forget_memo(cache)


def garbage_citation_rows(cache: Path) -> None:
    with sqlite3.connect(cache / "citations.sqlite") as db:
        assert db.execute("UPDATE notes SET json = '[[[{\"t\": \"Str\"'").rowcount > 0
    db.close()
    forget_memo(cache)


def garbage_bib_json(cache: Path) -> None:
    for path in files(cache, "bib/*.json"):
        path.write_text('[{"id": "lee2024nucleartest", "title": "Cut', encoding="utf-8")


def garbage_webfont(cache: Path) -> None:
    for path in files(cache, "webfonts/*.woff2"):
        path.write_bytes(b"not a font")


def garbage_jinja(cache: Path) -> None:
    """Each compiled template: Jinja's own header, then garbage (also cut short, and pure garbage)."""
    for i, path in enumerate(files(cache, "jinja/*")):
        data = path.read_bytes()
        path.write_bytes([jinja2.bccache.bc_magic + b"garbage", data[: len(data) // 2], b"garbage"][i % 3])
    forget_memo(cache)


def garbage_style(cache: Path) -> None:
    """The style as cached for citeproc, cut short; no formatted citation cached, so it is used."""
    for path in files(cache, "csl/*.csl"):
        path.write_text(path.read_text(encoding="utf-8")[:300], encoding="utf-8")
    (cache / "citations.sqlite").unlink()
    forget_memo(cache)


DAMAGE = {
    "memo": garbage_memo, "memo-shape": memo_of_another_shape, "pdf": cut_pdfs, "pdf-no-memo": cut_pdfs_without_memo,
    "citations": garbage_citations, "citation-rows": garbage_citation_rows, "bib-json": garbage_bib_json,
    "webfont": garbage_webfont, "jinja": garbage_jinja, "csl": garbage_style,
}


@pytest.mark.parametrize("kind", DAMAGE)
def test_a_damaged_cache_gives_the_site_of_a_build_from_scratch(warm, scratch, kind):
    DAMAGE[kind]((warm.root / ".cache").resolve())
    build(warm)
    assert site(warm) == scratch
    for path in (warm.root / ".cache" / "pdf").glob("*.pdf"):
        assert pdf_is_whole(path), path  # a damaged PDF is replaced, not left for the next build


# ---- what cache keys must include ----

def pdf_text(path: Path) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(path).pages))


def xml_files(project: Project) -> dict[Path, str]:
    return {p: p.read_text(encoding="utf-8") for p in sorted((project.root / "site").rglob("*.xml"))}


def test_a_new_site_url_reaches_pdfs_and_feeds(tmp_path):
    project = new_project(tmp_path)
    build(project)
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("site_url: https://briefs.example.org/",
                                                 "site_url: https://briefs.example.net/"))
    build(project)
    pdfs = sorted((project.root / "site").rglob("*.pdf"))
    assert len(pdfs) == len(list((project.root / "briefs").glob("20*.yml")))  # one per sample brief
    for path in pdfs:
        text = pdf_text(path)
        assert "briefs.example.net" in text and "briefs.example.org" not in text, path
    feeds = xml_files(project)
    assert len(feeds) > 10
    for path, text in feeds.items():
        assert "briefs.example.org" not in text, path


def test_a_renamed_brief_leaves_no_link_to_its_old_address(tmp_path):
    project = new_project(tmp_path)
    build(project)
    assert any(OLD_URL in text for text in xml_files(project).values())
    (project.briefs / RENAMED).rename(project.briefs / "2024-04-29-defence-enterprise.yml")
    build(project)
    for path, text in xml_files(project).items():
        assert OLD_URL not in text, path
    new_url = OLD_URL.replace("defence-industrial-enterprise", "defence-enterprise")
    assert new_url in (project.root / "site" / "series/quick-take/feed.xml").read_text(encoding="utf-8")
    pdf = project.root / "site" / "2024/04/defence-enterprise/defence-enterprise.pdf"
    assert squash(new_url) in pdf_text(pdf) and squash(OLD_URL) not in pdf_text(pdf)


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


OWN_REFERENCES = """\
@report{extra2024own,
  author = {Smith, Jane},
  title = {The First Title of the Report},
  institution = {Institute of Examples},
  date = {2024},
}
"""

BRIEF_WITH_OWN_REFERENCES = """\
title: A brief with references of its own
series: quick-take
date: 2024-05-02
authors: [jordan-park]
summary: One sentence.
bibliography: [extra-refs.txt]
body: |
  Text citing a work of its own.[@extra2024own, 12]
"""


def test_an_edited_bibliography_file_of_any_name_changes_the_note(tmp_path):
    project = new_project(tmp_path)
    config_file = project.root / "mkdocs.yml"
    config_file.write_text(config_file.read_text().replace("    pdf: true ", "    pdf: false "))
    project.write("extra-refs.txt", OWN_REFERENCES)
    project.write("2024-05-02-own-references.yml", BRIEF_WITH_OWN_REFERENCES)
    config = load_config(project.root)
    page = config.pages_path / "2024/05/own-references/index.md"
    generate(config)
    assert "First Title of the Report" in page.read_text(encoding="utf-8")
    refs = project.briefs / "extra-refs.txt"
    refs.write_text(OWN_REFERENCES.replace("First Title", "Second Title"), encoding="utf-8")
    generate(config)
    text = page.read_text(encoding="utf-8")
    assert "Second Title of the Report" in text and "First Title" not in text
    again = generate(config)  # and then nothing is made again
    assert again.corpus.parsed == [] and "2024/05/own-references.md" not in again.pages.made


# ---- the checks themselves, on one cache at a time ----

def test_citation_cache_with_a_table_of_another_shape_starts_empty(tmp_path):
    with sqlite3.connect(tmp_path / "citations.sqlite") as db:
        db.execute("CREATE TABLE notes (digest TEXT, json TEXT, other TEXT)")
        db.execute("INSERT INTO notes VALUES ('a', '[[[]]]', 'x')")
    db.close()
    with CitationCache(tmp_path) as cache:
        assert cache.get(["a"]) == {}
        cache.put({"a": "[[[1]]]", "b": "[]"})
        assert cache.get(["a", "b"]) == {"a": [[[1]]], "b": []}


def test_citation_cache_rows_that_are_not_notes_are_missing(tmp_path):
    with CitationCache(tmp_path) as cache:
        cache.put({"a": "not json", "b": '{"x": 1}', "c": "[1]", "d": "[[[2]]]"})
        assert cache.get(["a", "b", "c", "d"]) == {"d": [[[2]]]}


def test_a_memo_of_another_shape_is_an_empty_memo(tmp_path):
    (tmp_path / "cache").mkdir()
    project = make_project(tmp_path, tmp_path / "cache")
    config = load_config(project.root)
    memo = Memo("k")
    memo.save(config)
    assert Memo.load(config, "k") == memo
    memo.pdfs = []
    Memo.file(config).write_bytes(pickle.dumps(memo))
    assert Memo.load(config, "k") == Memo("k")
