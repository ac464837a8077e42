"""No build writes outside its folders or deletes a file it did not write (issue 13).

The catalog (test_catalog.py, tests/fixtures/invalid/) holds one case per refused input: registry
keys and slugs that would be paths or reserved names, folder settings that are not the build's own,
control characters, line breaks in one-line fields. The tests here check what the catalog cannot:
the project's files after a refused build, what the manifest lets the build delete, the safe-path
function itself, and the names that are accepted.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from briefkit.outputs import MANIFEST, UnsafeOutputPath, output_path
from conftest import VALID_BRIEF, make_project


def project_digest(root: Path) -> str:
    """Every file of the project but what builds write (site, caches, generated pages)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in ("site", ".cache", ".build") or "__pycache__" in rel or not path.is_file():
            continue
        digest.update(rel.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("safety"), shared_cache, with_samples=True)
    (project.root / "README.md").write_text("The project's own README.\n")
    result = project.run()
    assert result.returncode == 0, result.stderr
    return project


@pytest.mark.parametrize("registry, text", [
    ("topics.yml", '"../../../README":\n  label: Escape\n'),
    ("topics.yml", '"../README":\n  label: Escape\n'),
    ("series.yml", '"../../briefs/references":\n  label: Escape\n'),
    ("authors.yml", '"../../../README":\n  name: Escape Artist\n'),
])
def test_registry_keys_never_become_paths(built, registry, text):
    root = built.root
    path = built.briefs / registry
    saved = path.read_bytes()
    before = project_digest(root)
    site_before = project_digest(root / "site")
    try:
        path.write_bytes(saved + b"\n" + text.encode())
        result = built.run()
        assert result.returncode == 1
        assert "is not a valid key" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        path.write_bytes(saved)
    assert project_digest(root) == before  # README.md and every brief as they were
    assert project_digest(root / "site") == site_before
    assert (root / "README.md").read_text() == "The project's own README.\n"


@pytest.mark.parametrize("setting", ["briefs", ".", "./", "briefs/pages", "docs", "templates", ".git", "site",
                                     "../elsewhere", "/tmp/pages", ""])
def test_folder_settings_that_are_not_the_builds_own_are_refused(built, setting):
    root = built.root
    (root / ".git").mkdir(exist_ok=True)
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    mkdocs = root / "mkdocs.yml"
    saved = mkdocs.read_text()
    before = project_digest(root)
    try:
        mkdocs.write_text(saved.replace("    csl: templates", f"    pages_dir: '{setting}'\n    csl: templates"))
        result = built.run()
        assert result.returncode == 1, result.stderr
        lines = result.stderr.strip().splitlines()
        assert lines and all(line.startswith("mkdocs.yml:") and ": error: extra.briefkit.pages_dir" in line
                             for line in lines), lines
    finally:
        mkdocs.write_text(saved)
    assert project_digest(root) == before


def test_a_pages_folder_that_leads_into_briefs_through_a_link_is_refused(built):
    root = built.root
    (root / "pages-link").symlink_to(root / "briefs", target_is_directory=True)
    mkdocs = root / "mkdocs.yml"
    saved = mkdocs.read_text()
    try:
        mkdocs.write_text(saved.replace("    csl: templates", "    pages_dir: pages-link\n    csl: templates"))
        result = built.run()
        assert result.returncode == 1
        assert "leads into briefs/ through a symbolic link" in result.stderr
    finally:
        mkdocs.write_text(saved)
        (root / "pages-link").unlink()


def test_the_build_deletes_only_the_pages_it_wrote(built):
    root = built.root
    pages = root / ".build" / "pages"
    foreign = pages / "notes-of-an-editor.md"
    foreign.write_text("not the build's\n")
    nested = pages / "2024" / "mine.txt"
    nested.write_text("not the build's either\n")
    extra = built.write("2024-06-01-short-lived.yml", VALID_BRIEF.replace("date: 2024-04-29", "date: 2024-06-01"))
    try:
        assert built.run().returncode == 0
        page = pages / "2024" / "06" / "short-lived" / "index.md"  # pages are written as <url>/index.md
        assert page.is_file()
        assert "2024/06/short-lived/index.md" in (pages / MANIFEST).read_text()
    finally:
        extra.unlink()
    assert built.run().returncode == 0
    assert not page.exists()  # written by the build, no longer wanted: deleted
    assert foreign.read_text() == "not the build's\n"
    assert nested.read_text() == "not the build's either\n"


def test_without_a_manifest_nothing_is_deleted(built):
    pages = built.root / ".build" / "pages"
    (pages / MANIFEST).unlink()
    stale = pages / "2020" / "01" / "old.md"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_text("# Old\n")
    assert built.run().returncode == 0
    assert stale.exists()
    assert (pages / MANIFEST).is_file()
    assert not (built.root / "site" / "2020").exists()  # a page the build did not make is not published


@pytest.mark.parametrize("rel", ["../x.md", "a/../../x.md", "/etc/passwd", "", ".", "a/./b.md", "a//b.md",
                                 "a\\..\\b.md", MANIFEST, "nul\0.md"])
def test_output_path_refuses_anything_but_a_plain_relative_path(tmp_path, rel):
    with pytest.raises(UnsafeOutputPath):
        output_path(tmp_path, rel)


def test_output_path_refuses_a_symbolic_link_that_leads_out(tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "escape").symlink_to(tmp_path, target_is_directory=True)
    with pytest.raises(UnsafeOutputPath):
        output_path(folder, "escape/x.md")
    assert output_path(folder, "2024/04/a-brief.md") == folder / "2024" / "04" / "a-brief.md"


@pytest.mark.parametrize("name", ["2024-07-01-upper.YML", "2024-07-02-long.yaml", "2024-07-03-mixed.Yaml"])
def test_brief_files_in_any_case_of_yml_and_yaml_are_briefs(project, name):
    date = name[:10]
    project.write(name, VALID_BRIEF.replace("date: 2024-04-29", f"date: {date}"))
    result = project.run()
    assert result.returncode == 0, result.stderr
    slug = name[11:].split(".")[0]
    assert (project.root / "site" / date[:4] / date[5:7] / slug / "index.html").is_file()


def test_registry_fields_are_checked_for_characters_and_line_breaks(project):
    authors = project.briefs / "authors.yml"
    authors.write_text(authors.read_text() + 'bad-one:\n  name: "Bad\\x1bOne"\n'
                       'bad-two:\n  name: |\n    Bad\n    Two\n')
    project.write("2024-04-29-a.yml", VALID_BRIEF)
    errors = project.errors()
    assert any("authors.yml" in e and "control character U+001B" in e for e in errors), errors
    assert any("authors.yml" in e and "'bad-two.name' must be a single line" in e for e in errors), errors


def test_keys_that_were_valid_before_still_are(project):
    """Keys with digits and hyphens, and registry keys YAML reads as numbers, are slugs."""
    topics = project.briefs / "topics.yml"
    topics.write_text(topics.read_text() + "2024-election:\n  label: The 2024 election\n7th-congress: Seventh\n")
    project.write("2024-04-29-a.yml", VALID_BRIEF + "topics: [2024-election, 7th-congress, brand-new]\n")
    assert project.errors() == []


def test_uppercase_or_spaced_keys_get_a_suggestion(project):
    project.write("2024-04-29-a.yml", VALID_BRIEF + "topics: [Defense Industry]\n")
    errors = project.errors()
    assert any("topic 'Defense Industry' is not a valid key (lowercase letters, digits and hyphens only, "
               "e.g. 'defense-industry')" in e for e in errors), errors


def test_no_file_outside_site_is_written_by_a_build(tmp_path, shared_cache):
    """What a build may touch: site/, the pages folder, the cache and its lock file; nothing else."""
    (tmp_path / "p").mkdir()
    project = make_project(tmp_path / "p", shared_cache, with_samples=True)
    before = {p.relative_to(project.root).as_posix(): p.stat().st_mtime_ns
              for p in project.root.rglob("*") if p.is_file() and ".cache" not in p.parts}
    assert project.run().returncode == 0
    after = {p.relative_to(project.root).as_posix(): p.stat().st_mtime_ns
             for p in project.root.rglob("*") if p.is_file() and ".cache" not in p.parts}
    touched = {rel for rel in after if before.get(rel) != after[rel]}
    allowed = ("site/", ".build/", "pdf/")
    assert all(rel.startswith(allowed) or rel == ".briefkit.lock" or "__pycache__" in rel for rel in touched), \
        sorted(rel for rel in touched if not rel.startswith(allowed))[:10]


@pytest.mark.parametrize("args, message", [
    (["--slug", "../../README"], "slug '../../README' is not a valid key"),
    (["--slug", "index"], "slug 'index' is a reserved name"),
    ([], "slug 'index' is a reserved name"),  # the title "Index" gives the slug index
])
def test_new_refuses_a_slug_that_is_not_one(project, args, message):
    before = project_digest(project.root)
    result = project.run("new", "Index", "--author", "jordan-park", *args)
    assert result.returncode == 1 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert project_digest(project.root) == before
