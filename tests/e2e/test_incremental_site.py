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
    main = project.root / "templates/overrides/main.html"
    main.write_text(main.read_text(encoding="utf-8").replace("{% block content %}",
                                                             "{% block content %}<!-- theme edit -->"),
                    encoding="utf-8")
    result = project.run()
    assert result.returncode == 0 and result.stderr.strip().endswith("into site/.")
    assert "<!-- theme edit -->" in (project.root / "site/about/index.html").read_text(encoding="utf-8")
    assert "<!-- theme edit -->" in (project.root / "site/2024/04/defence-industrial-enterprise/index.html") \
        .read_text(encoding="utf-8")
