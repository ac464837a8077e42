"""The site engine's part of a rebuild: nothing when nothing changed, only the changed pages otherwise
(site_state.py), with the published site never written in place, and the same bytes as a full build."""

from __future__ import annotations

import hashlib
import os
import shutil

from conftest import VALID_BRIEF, tree_digest


def contents(folder):
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def edit_body(project, words: str) -> None:
    path = project.briefs / "2025-12-27-new-munitions-factories.yml"
    text = path.read_text(encoding="utf-8")
    assert "Kim Jong Un has called" in text
    path.write_text(text.replace("Kim Jong Un has called", f"Kim Jong Un ({words}) has called"), encoding="utf-8")


def replace_in(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_rebuild_builds_only_what_changed_and_gives_the_bytes_of_a_full_build(sample_project, tmp_path):
    project = sample_project
    site = project.root / "site"
    first = project.run()
    assert first.returncode == 0, first.stderr
    assert first.stderr.strip().endswith("into site/.")  # a full build
    unchanged = project.run()
    assert unchanged.stderr.strip().endswith("(nothing changed).")
    # every file of the published site, hard linked: a rebuild writing into the site in place would show here
    witness = tmp_path / "witness"
    before = contents(site)
    for rel in before:
        (witness / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(site / rel, witness / rel)
    edit_body(project, "incrementally rebuilt")
    again = project.run()
    assert again.returncode == 0, again.stderr
    assert again.stderr.strip().endswith("(only what changed was built again).")
    assert contents(witness) == before  # the old site's files were replaced, never changed
    page = (site / "2025/12/new-munitions-factories/index.html").read_text(encoding="utf-8")
    assert "incrementally rebuilt" in page
    assert "incrementally rebuilt" in (site / "feed.xml").read_text(encoding="utf-8")
    rebuilt = tree_digest(site)
    shutil.rmtree(site)
    shutil.rmtree(project.root / ".build")
    full = project.run()
    assert full.stderr.strip().endswith("into site/.")
    assert tree_digest(site) == rebuilt  # the same bytes as a build from scratch


def test_a_removed_brief_leaves_no_page_behind(sample_project):
    project = sample_project
    brief = project.write("2024-04-29-short-lived.yml", VALID_BRIEF)
    assert project.run().returncode == 0
    assert (project.root / "site/2024/04/short-lived/index.html").is_file()
    brief.unlink()
    result = project.run()
    assert result.returncode == 0 and result.stderr.strip().endswith("(only what changed was built again).")
    assert not (project.root / "site/2024/04/short-lived").exists()
    assert "short-lived" not in (project.root / "site/sitemap.xml").read_text(encoding="utf-8")


def test_a_change_to_the_theme_rebuilds_everything(sample_project):
    project = sample_project
    assert project.run().returncode == 0
    # the theme's templates are kept compiled (site_engine._compiled_templates_kept): the edit below
    # must still show, on pages built from them
    compiled = list((project.root / ".cache/site-engine-templates").glob("*/*.cache"))
    assert len(compiled) > 5
    main = project.root / "templates/overrides/main.html"
    main.write_text(main.read_text(encoding="utf-8").replace("{% block content %}",
                                                             "{% block content %}<!-- theme edit -->"),
                    encoding="utf-8")
    result = project.run()
    assert result.returncode == 0 and result.stderr.strip().endswith("into site/.")
    assert "<!-- theme edit -->" in (project.root / "site/about/index.html").read_text(encoding="utf-8")
    assert "<!-- theme edit -->" in (project.root / "site/2024/04/defence-industrial-enterprise/index.html") \
        .read_text(encoding="utf-8")


def test_dirty_builds_in_a_row_reuse_the_site_they_replaced_and_give_the_bytes_of_a_full_build(sample_project,
                                                                                                 tmp_path):
    """A dirty build keeps the site it replaced (.site-spare) and the next one builds into it, brought up
    to date: the published site is still never written in place, and a brief removed, added back or
    edited in between leaves the bytes of a build from scratch."""
    project = sample_project
    site, spare = project.root / "site", project.root / ".site-spare"
    extra = project.write("2024-04-29-short-lived.yml", VALID_BRIEF)
    assert project.run().returncode == 0
    assert not spare.exists()  # a full build keeps nothing
    page = site / "2025/12/new-munitions-factories/index.html"
    brief = project.briefs / "2025-12-27-new-munitions-factories.yml"
    # (what changes, the word the edited brief's page must show after it): a page left alone by a build
    # must be the one the build before made, not the older one the spare holds
    steps = [(lambda: edit_body(project, "first edit"), "first edit"),
             (lambda: replace_in(extra, "Text with a note.", "Text with an edited note."), "first edit"),
             (extra.unlink, "first edit"),
             (lambda: project.write("2024-04-29-short-lived.yml",
                                    VALID_BRIEF.replace("A test brief", "A test brief, again")), "first edit"),
             (lambda: replace_in(brief, "first edit", "third edit"), "third edit")]
    for number, (step, word) in enumerate(steps):
        witness = tmp_path / f"witness{number}"
        before = contents(site)
        for rel in before:
            (witness / rel).parent.mkdir(parents=True, exist_ok=True)
            os.link(site / rel, witness / rel)
        step()
        result = project.run()
        assert word in page.read_text(encoding="utf-8")
        assert result.returncode == 0, result.stderr
        assert result.stderr.strip().endswith("(only what changed was built again).")
        assert contents(witness) == before  # built into the spare: the published files were never changed
        assert spare.is_dir() and contents(spare) == before  # the site it replaced, kept for the next build
        shared = [rel for rel in before if (site / rel).is_file()
                  and (site / rel).stat().st_ino == (spare / rel).stat().st_ino]
        assert len(shared) > len(before) // 2  # mostly hard links to the same files (a small site: feeds,
        # listings and search chunks are a fifth of it)
    assert (site / "2024/04/short-lived/index.html").is_file()
    rebuilt = tree_digest(site)
    shutil.rmtree(site)
    shutil.rmtree(project.root / ".build")
    full = project.run()
    assert full.stderr.strip().endswith("into site/.")
    assert tree_digest(site) == rebuilt
    assert not spare.exists()  # a full build let it go
