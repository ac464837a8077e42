"""Incremental builds: after any edit, a build that reuses the previous one's work gives exactly the
pages a build from scratch gives, and it redoes only what the edit touched."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefkit.config import load_config
from briefkit.diagnostics import EditorError
from briefkit.generate import generate
from briefkit.memo import Memo
from conftest import make_project, tree_digest, write_corpus

LISTINGS = ("page/", "series/", "topics/", "authors/", "archive/")
ALWAYS = {"series/index.md", "topics/index.md", "authors/index.md", "archive/index.md", "schema/brief.schema.json",
          "index.md"}  # index.md: the home page (docs/index.md with the latest briefs), finished by the engine


@pytest.fixture
def site(tmp_path, monkeypatch):
    monkeypatch.setenv("BRIEFKIT_TODAY", "2026-11-22")
    # a cache of its own: the memo and citations must not come from other tests
    cache = tmp_path / "cache"
    cache.mkdir()
    root = tmp_path / "project"
    root.mkdir()
    project = make_project(root, cache, with_samples=True)
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("    pdf: true ", "    pdf: false "))
    write_corpus(project, 30, days=300, start="2023-01-01")
    return project


def build(project):
    return generate(load_config(project.root))


def from_scratch(project) -> str:
    """The pages a build with no memo and no earlier pages gives (citations stay cached: they are keyed)."""
    config = load_config(project.root)
    shutil.rmtree(Memo.file(config).parent, ignore_errors=True)
    shutil.rmtree(config.pages_path, ignore_errors=True)
    generate(config)
    return tree_digest(config.pages_path)


def edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (old, path)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


SAMPLE = "2024-04-29-defence-industrial-enterprise.yml"
OLDEST = "2023-01-01-generated-00000.yml"


def edits(project):
    b = project.briefs
    yield "body", lambda: edit(b / OLDEST, "Words of the body.", "Other words of the body.")
    yield "title", lambda: edit(b / SAMPLE, "title: North Korea", "title: Pyongyang")
    yield "topics", lambda: edit(b / "2023-01-11-generated-00001.yml", "topics: [defense-industry, leadership]",
                                 "topics: [economy]")
    yield "new brief", lambda: (b / "2023-06-01-a-new-brief.yml").write_text(
        (b / "2023-01-11-generated-00001.yml").read_text().replace("Generated brief", "A new brief")
        .replace("date: 2023-01-11", "date: 2023-06-01"))
    yield "deleted brief", lambda: (b / "2023-06-01-a-new-brief.yml").unlink()
    yield "author name", lambda: edit(b / "authors.yml", "name: Mina Cho", "name: Mina Cho-Park")
    yield "template", lambda: edit(project.root / "templates/partials/entry.html.j2", ">{{ e.title }}</a>",
                                   ">{{ 'Brief: ' ~ e.title }}</a>")
    yield "index template", lambda: edit(project.root / "templates/index.html.j2", '<span class="count">',
                                         '<span class="count number">')
    yield "feed entry template", lambda: (project.root / "templates/feeds/entry.html.j2").write_text(
        "<p>Edited.</p>\n" + (project.root / "templates/feeds/entry.html.j2").read_text())
    yield "draft", lambda: edit(b / "2023-01-21-generated-00002.yml", "title:", "status: draft\ntitle:")
    yield "bibliography", lambda: edit(b / "references.bib", "title = {North Korea Makes a Still More",
                                       "title = {North Korea Makes an Even More")
    yield "date", lambda: move(b / "2023-01-31-generated-00003.yml", "2023-02-01")


def move(path, day: str) -> None:
    """A brief's date and file name change together (its page moves to another month)."""
    text = path.read_text().replace(f"date: {path.name[:10]}", f"date: {day}")
    path.unlink()
    (path.parent / f"{day}{path.name[10:]}").write_text(text)


def test_every_kind_of_edit_gives_the_pages_of_a_build_from_scratch(site):
    pages = load_config(site.root).pages_path
    from_scratch(site)
    for name, change in edits(site):
        change()
        build(site)
        incremental = tree_digest(pages)
        assert incremental == from_scratch(site), f"after the {name} edit"


def test_an_unchanged_build_parses_no_brief_and_renders_no_brief_page(site):
    build(site)
    again = build(site)
    assert again.corpus.parsed == []  # every card came from the memo
    assert again.changed == []
    assert set(again.pages.made) == ALWAYS  # small pages that list every series, topic, author, month
    assert len(again.pages) > 100 and "2024/04/defence-industrial-enterprise.md" in again.pages


def test_a_body_edit_renders_that_brief_only(site):
    build(site)
    edit(site.briefs / OLDEST, "Words of the body.", "Changed words of the body.")
    again = build(site)
    assert again.corpus.parsed == ["generated-00000"]
    assert "2023/01/generated-00000.md" in again.changed
    feeds = set(again.changed) - {"2023/01/generated-00000.md"}  # its full text is in the feeds it is in
    assert feeds and all(p.endswith(("feed.xml", "rss.xml")) for p in feeds)
    assert "Changed words" in again.pages["2023/01/generated-00000.md"]
    assert not [p for p in set(again.pages.made) - ALWAYS - feeds if p.startswith(LISTINGS)]


def test_a_title_edit_reaches_listings_and_related_links(site):
    build(site)
    edit(site.briefs / SAMPLE, "title: North Korea", "title: Pyongyang")
    again = build(site)
    changed = set(again.changed)
    assert "2024/04/defence-industrial-enterprise.md" in changed
    assert any(p.startswith("topics/") for p in changed) and any(p.startswith("archive/") for p in changed)
    linking = [p for p in changed if p.startswith("20") and "defence-industrial-enterprise" not in p]
    assert linking and all("Pyongyang" in again.pages[p] for p in linking)  # their "Related" lists


def test_problems_outside_an_unchanged_file_are_still_reported(site):
    build(site)
    (site.briefs / "images/2024-04-defence-enterprise.svg").unlink()
    with pytest.raises(EditorError) as raised:
        build(site)
    assert f"briefs/{SAMPLE}:" in raised.value.diagnostics.format()
    assert "image file 'images/2024-04-defence-enterprise.svg' not found" in raised.value.diagnostics.format()


def test_a_related_brief_that_disappears_is_reported_in_the_unchanged_brief(site):
    edit(site.briefs / OLDEST, "title:", "related: [generated-00001]\ntitle:")
    build(site)
    (site.briefs / "2023-01-11-generated-00001.yml").unlink()
    with pytest.raises(EditorError) as raised:
        build(site)
    assert f"briefs/{OLDEST}:1:11: error: unknown related brief 'generated-00001'" in raised.value.diagnostics.format()


def test_warnings_of_unchanged_briefs_are_repeated(site):
    edit(site.briefs / OLDEST, "topics: [economy, defense-industry]", "topics: [economy, defence-industry]")
    first = build(site).warnings.format()
    assert "topic 'defence-industry' is not in topics.yml" in first
    assert build(site).warnings.format() == first


def test_a_page_changed_on_disk_is_written_again(site):
    build(site)
    page = load_config(site.root).pages_path / "2024/04/defence-industrial-enterprise/index.md"
    good = page.read_text()
    page.write_text("tampered")
    build(site)
    assert page.read_text() == good


def test_a_damaged_memo_is_ignored(site):
    build(site)
    before = tree_digest(load_config(site.root).pages_path)
    memo = Memo.file(load_config(site.root))
    memo.write_bytes(b"not a pickle")
    again = build(site)
    assert len(again.corpus.parsed) == 35 and tree_digest(load_config(site.root).pages_path) == before


def test_unchanged_pdfs_are_found_without_loading_any_brief(site):
    config = site.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("    pdf: false ", "    pdf: true "))
    first = build(site)
    again = build(site)
    assert again.corpus.parsed == [] and again.files == first.files and len(again.files) == 35
    edit(site.briefs / SAMPLE, "title: North Korea", "title: Pyongyang")
    third = build(site)
    changed = [rel for rel in third.files if third.files[rel] != first.files[rel]]
    assert changed == ["2024/04/defence-industrial-enterprise/defence-industrial-enterprise.pdf"]


# ---- build.py without PDFs: brief pages come from a producer process while MkDocs runs ----

BROKEN_CSL = ('<?xml version="1.0"?>\n<style xmlns="http://purl.org/net/xbiblio/csl" class="note" version="1.0">'
              "<citation><layout><bogus/></layout></citation></style>\n")


def test_pages_made_during_the_build_are_the_pages_of_a_build_in_one_piece(site):
    result = site.run()
    assert result.returncode == 0, result.stderr
    config = load_config(site.root)
    made_during = tree_digest(config.pages_path)
    published = tree_digest(site.root / "site")
    assert made_during == from_scratch(site)  # generate() alone, nothing deferred
    shutil.rmtree(Memo.file(config).parent)
    shutil.rmtree(config.pages_path)
    assert site.run().returncode == 0
    assert tree_digest(site.root / "site") == published


def test_a_citation_failure_during_the_build_is_reported_and_publishes_nothing(site):
    assert site.run().returncode == 0
    before = tree_digest(site.root / "site")
    (site.root / "templates/house-chicago-notes.csl").write_text(BROKEN_CSL)
    result = site.run()
    assert result.returncode == 1 and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    # found by the checks now (pandoc is asked once whether it can use the style), before anything is built
    assert lines == ["templates/house-chicago-notes.csl:1:1: error: pandoc cannot use this CSL style: "
                     "unknown element \"bogus\" (fix the style, or use one from the CSL repository "
                     "(github.com/citation-style-language/styles))"], lines
    assert tree_digest(site.root / "site") == before


def test_the_memo_is_found_however_the_project_folder_is_named(site, monkeypatch):
    build(site)
    monkeypatch.chdir(site.root)
    again = generate(load_config(Path(".")))  # relative, where build.py uses an absolute path
    assert again.corpus.parsed == []


def made_pages(generation) -> set[str]:
    """Pages (and feeds) made again by a build, not counting the small ones every build makes."""
    return set(generation.pages.made) - ALWAYS


def test_a_listing_template_edit_remakes_the_listings_and_no_brief(site):
    build(site)
    edit(site.root / "templates/listing.html.j2", '<p class="listing-empty">', '<p class="listing-empty edited">')
    again = build(site)
    made = made_pages(again)
    assert made and all(p.startswith(LISTINGS) for p in made), sorted(made)[:5]
    assert again.corpus.parsed == []  # no brief was even loaded


def test_a_brief_template_edit_remakes_the_briefs_and_no_listing(site):
    build(site)
    edit(site.root / "templates/brief.html.j2", '<p class="brief-actions"', '<p class="brief-actions edited"')
    again = build(site)
    made = made_pages(again)
    assert "2024/04/defence-industrial-enterprise.md" in made
    assert not [p for p in made if p.startswith(LISTINGS)]
    assert 'class="brief-actions edited"' in again.pages["2024/04/defence-industrial-enterprise.md"]


def test_an_author_bio_edit_remakes_that_authors_briefs_and_page_only(site):
    build(site)
    edit(site.briefs / "authors.yml", "bio: Sam Ortiz is a fictional editor", "bio: Sam Ortiz is an editor")
    again = build(site)
    made = {p for p in made_pages(again) if p.endswith(".md")}
    by_sam = {c.page_path for c in again.cards if "sam-ortiz" in c.brief.authors}
    assert by_sam and by_sam <= made
    others = made - by_sam  # the author's own pages (the listing of their briefs: the bio is on page 1)
    assert "authors/sam-ortiz.md" in others and all(p.startswith("authors/sam-ortiz") for p in others), others
    assert "Sam Ortiz is an editor" in again.pages["authors/sam-ortiz.md"]


def test_a_bibliography_edit_remakes_only_the_briefs_that_cite_the_entry(site):
    build(site)
    edit(site.briefs / "references.bib", "title = {North Korea Makes a Still More",
         "title = {North Korea Makes an Even More")
    again = build(site)
    made = {p for p in made_pages(again) if p.endswith(".md")}
    assert made == {c.page_path for c in again.cards if "carlin2023plenum" in c.cited_keys}
    assert "Even More Conservative" in again.pages["2024/04/defence-industrial-enterprise.md"]


def age(folder: Path, seconds: float = 3600) -> None:
    """Every brief file as if saved `seconds` ago (a file just written is always read again: load.STAMP_AGE_NS)."""
    import os
    import time

    when = time.time_ns() - int(seconds * 1e9)
    for path in folder.glob("*.yml"):
        os.utime(path, ns=(when, when))


def files_read(monkeypatch) -> list[str]:
    import briefkit.load

    read: list[str] = []
    real = briefkit.load.read_bytes

    def counting(path, display, diags):
        if path.name[:1].isdigit():  # a brief file (registries are read every build: they are small)
            read.append(path.name)
        return real(path, display, diags)
    monkeypatch.setattr(briefkit.load, "read_bytes", counting)
    return read


def test_a_brief_file_known_by_its_size_time_and_inode_is_not_read_again(site, monkeypatch):
    age(site.briefs)
    build(site)
    read = files_read(monkeypatch)
    again = build(site)
    assert read == [] and again.corpus.parsed == [] and again.changed == []
    edit(site.briefs / OLDEST, "Words of the body.", "Other words of the body.")
    again = build(site)
    assert read == [OLDEST] and "Other words" in again.pages["2023/01/generated-00000.md"]


def test_a_file_saved_again_within_the_clocks_granularity_is_still_read(site, monkeypatch):
    """A file written just before it was read gets no stamp: written again with the same size and the
    same time (as a coarse clock gives), its new bytes are still seen."""
    import os

    brief = site.briefs / OLDEST
    build(site)  # the files were just written: their stamps are not kept
    before = os.stat(brief)
    edit(brief, "Words of the body.", "Wards of the body.")  # the same size
    os.utime(brief, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert os.stat(brief).st_size == before.st_size
    again = build(site)
    assert "Wards of the body" in again.pages["2023/01/generated-00000.md"]


def test_a_session_keeps_the_memo_in_memory_and_gives_the_pages_of_a_build_from_scratch(site):
    """The preview's builds (generate.Session): the memo is not read before a build nor written after
    it until Session.save, and every kind of edit still gives the pages of a build from scratch."""
    from briefkit.generate import Session

    config = load_config(site.root)
    memo_file = Memo.file(config)
    session = Session()
    generate(config, session=session)
    assert session.unsaved and not memo_file.exists()
    session.save(config)
    assert memo_file.exists() and not session.unsaved
    memo_file.write_bytes(b"not read while the session has its memo")
    again = generate(config, session=session)
    assert again.corpus.parsed == [] and again.changed == []
    for name, change in edits(site):
        session = Session()  # warm: the memo and the digests of the build before the edit in memory
        generate(config, session=session)
        change()
        generate(config, session=session)
        session.save(config)
        incremental = tree_digest(config.pages_path)
        assert incremental == from_scratch(site), f"after the {name} edit"


def test_a_session_plans_the_listings_again_only_when_what_they_show_changed(site):
    """The listing pages' plan (generate.ListingPlan) of a session's last build is reused after a body
    edit, and made again after an edit that listings show (the test above checks every kind gives the
    pages of a build from scratch)."""
    from briefkit.generate import Session

    config = load_config(site.root)
    session = Session()
    generate(config, session=session)
    plan = session.listings
    assert plan is not None and plan.pages
    edit(site.briefs / OLDEST, "Words of the body.", "Other words of the body.")
    assert generate(config, session=session).changed  # the brief's page, its feeds
    assert session.listings is plan
    for change in (lambda: edit(site.briefs / SAMPLE, "title: North Korea", "title: Pyongyang"),
                   lambda: edit(site.briefs / "series.yml", "label: ", "label: The "),
                   lambda: edit(site.root / "templates/partials/entry.html.j2", ">{{ e.title }}</a>",
                                ">{{ 'Brief: ' ~ e.title }}</a>"),
                   lambda: edit(site.root / "templates/index.html.j2", '<span class="count">', '<span class="n">')):
        change()
        generate(config, session=session)
        assert session.listings is not plan
        plan = session.listings
    # the session keeps parsed registries by their text: a problem in a registry read before is found
    authors = site.briefs / "authors.yml"
    good = authors.read_text(encoding="utf-8")
    authors.write_text(good.replace("name: Mina Cho", "name: [Mina Cho"), encoding="utf-8")
    with pytest.raises(EditorError) as failed:
        generate(config, session=session)
    assert any(d.span.file.endswith("authors.yml") for d in failed.value.diagnostics.items)
    authors.write_text(good, encoding="utf-8")
    assert generate(config, session=session).corpus.authors


def test_a_failed_build_leaves_the_session_without_a_memo(site):
    from briefkit.generate import Session

    config = load_config(site.root)
    session = Session()
    generate(config, session=session)
    edit(site.briefs / OLDEST, "title:", "title: [unclosed")
    with pytest.raises(EditorError):
        generate(config, session=session)
    assert session.memo is None
    edit(site.briefs / OLDEST, "title: [unclosed", "title:")
    again = generate(config, session=session)  # from the memo file: the pages were not lost
    assert again.changed == [] and session.memo is not None


def test_a_session_trusts_its_own_pages_until_another_build_writes_them(site, monkeypatch):
    """A preview's build does not stat the pages its session's last build wrote (37,000 at 10,000
    briefs) while the token that build left is there; any other build that writes pages removes it."""
    import os

    from briefkit.generate import Session

    config = load_config(site.root)
    session = Session()
    generate(config, session=session)
    folder = str(config.pages_path)
    looked: list[str] = []
    real_stat = os.stat

    def stat(path, *args, **kwargs):
        looked.append(str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    assert generate(config, session=session).changed == []
    briefs_looked_at = [p for p in looked if p.startswith(f"{folder}/20")]  # (indexes are made every build)
    assert briefs_looked_at == [] and any(p.startswith(folder) for p in looked)
    monkeypatch.setattr(os, "stat", real_stat)
    page = config.pages_path / "2024/04/defence-industrial-enterprise/index.md"
    good = page.read_text()
    edit(site.briefs / SAMPLE, "title: North Korea", "title: Pyongyang")
    generate(config)  # another build (`build.py` in a terminal) writes the page the session recorded
    assert page.read_text() != good
    edit(site.briefs / SAMPLE, "title: Pyongyang", "title: North Korea")
    generate(config, session=session)  # the session's record of that page is its old key: not trusted
    assert page.read_text() == good
