"""Publishing: atomic swap of site/, builds killed at any moment, stale pages, editors' files untouched."""

from __future__ import annotations

import hashlib
import signal
import subprocess
import sys
import time

from conftest import VALID_BRIEF
from conftest import tree_digest as tree


def test_a_build_killed_at_any_moment_leaves_a_complete_site(sample_project):
    project = sample_project
    started = time.monotonic()
    assert project.run().returncode == 0
    duration = time.monotonic() - started
    old = tree(project.root / "site")
    path = project.briefs / "2025-12-27-new-munitions-factories.yml"
    path.write_text(path.read_text().replace("Kim Jong Un has called", "Kim Jong Un called"))
    for fraction in (0.05, 0.2, 0.4, 0.6, 0.75, 0.85, 0.9, 0.95, 1.0, 1.1):
        proc = subprocess.Popen([sys.executable, "build.py"], cwd=project.root, stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)
        time.sleep(duration * fraction)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        current = tree(project.root / "site")
        if current != old:  # the build finished and swapped: the new site, complete
            assert (project.root / "site/2025/12/new-munitions-factories/index.html").read_text().count(
                "Kim Jong Un called") >= 1
            old = current
        assert (project.root / "site/index.html").is_file()
    assert project.run().returncode == 0
    assert not list(project.root.glob(".site-tmp-*"))  # left-overs of killed builds are cleaned up
    assert "Kim Jong Un called" in (project.root / "site/2025/12/new-munitions-factories/index.html").read_text()


def test_pages_of_deleted_briefs_disappear(project):
    project.write("2024-04-29-first.yml", VALID_BRIEF)
    project.write("2024-04-30-second.yml", VALID_BRIEF.replace("date: 2024-04-29", "date: 2024-04-30"))
    assert project.run().returncode == 0
    assert (project.root / "site/2024/04/second/index.html").is_file()
    (project.briefs / "2024-04-30-second.yml").unlink()
    assert project.run().returncode == 0
    assert not (project.root / "site/2024/04/second").exists()
    assert "second" not in (project.root / "site/feed.xml").read_text()


def test_no_command_changes_the_editors_files(sample_project):
    before = tree(sample_project.briefs)
    for args in ([], ["check"], ["pdf"], ["pdf", "--series", "news"]):
        assert sample_project.run(*args).returncode == 0, args
    assert tree(sample_project.briefs) == before
    result = sample_project.run("new", "Another Brief", "--author", "mina-cho", "--date", "2025-01-01")
    assert result.returncode == 0
    created = sample_project.briefs / "2025-01-01-another-brief.yml"
    created.unlink()
    assert tree(sample_project.briefs) == before  # `new` only added its own file


def test_builds_in_different_folders_at_different_times_are_identical(tmp_path):
    """Pages, search index, feeds, sitemap and PDFs: byte for byte, with nothing shared between the builds."""
    from conftest import make_project

    trees = []
    for name in ("first", "second"):
        (tmp_path / name).mkdir()
        (tmp_path / f"{name}-cache").mkdir()
        project = make_project(tmp_path / name, tmp_path / f"{name}-cache", with_samples=True)
        result = project.run()
        assert result.returncode == 0, result.stderr
        site = project.root / "site"
        assert (site / "search-index/manifest.json").is_file() and (site / "sitemap.xml.gz").is_file()
        files = {p.relative_to(site).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                 for p in site.rglob("*") if p.is_file()}
        trees.append(files)
        time.sleep(1.5)
    first, second = trees
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_staging_folders_are_removed_only_when_their_build_is_dead(sample_project):
    from briefkit.lock import pid_alive

    project = sample_project
    running = subprocess.Popen(["sleep", "120"])
    ended = subprocess.Popen(["true"])
    ended.wait()
    assert pid_alive(running.pid) and not pid_alive(ended.pid)
    try:
        live = project.root / f".site-tmp-{running.pid}"
        dead = project.root / f".site-tmp-{ended.pid}"
        half_swapped = project.root / f".site-old-{ended.pid}"
        for folder in (live, dead, half_swapped):
            (folder / "sub").mkdir(parents=True)
            (folder / "sub/page.html").write_text("a page being written")
        assert project.run().returncode == 0
        assert (live / "sub/page.html").read_text() == "a page being written"  # another build's: kept
        assert not dead.exists() and not half_swapped.exists()  # their build is dead: removed
    finally:
        running.kill()
        running.wait()
    assert project.run().returncode == 0
    assert not list(project.root.glob(".site-*"))  # its build is dead now


def test_a_symlinked_site_stays_a_link_and_its_folder_is_swapped(sample_project, tmp_path_factory):
    project = sample_project
    webroot = tmp_path_factory.mktemp("www")
    (project.root / "site").symlink_to(webroot / "briefs")  # published where a web server reads it
    assert project.run().returncode == 0
    site = project.root / "site"
    assert site.is_symlink() and site.readlink() == webroot / "briefs"
    assert (webroot / "briefs/index.html").is_file()
    first = tree(webroot / "briefs")
    path = project.briefs / "2025-12-27-new-munitions-factories.yml"
    path.write_text(path.read_text().replace("Kim Jong Un has called", "Kim Jong Un called"))
    result = project.run()
    assert result.returncode == 0, result.stderr
    assert site.is_symlink() and site.readlink() == webroot / "briefs"
    assert tree(webroot / "briefs") != first
    assert "Kim Jong Un called" in (site / "2025/12/new-munitions-factories/index.html").read_text()
    assert sorted(p.name for p in webroot.iterdir()) == ["briefs"]  # no staging folder left next to it
    assert not list(project.root.glob(".site-*"))
    assert project.run("pdf", "new-munitions-factories").returncode == 0  # PDFs go through the link too
    assert site.is_symlink() and (webroot / "briefs/2025/12/new-munitions-factories").is_dir()
    # an editor's error: the folder behind the link is left exactly as it was
    published = tree(webroot / "briefs")
    project.write("2024-05-01-broken.yml", "title: [unclosed\n")
    assert project.run().returncode == 1
    assert site.is_symlink() and tree(webroot / "briefs") == published


def test_swap_without_the_exchange_of_renameat2(tmp_path, monkeypatch):
    """Where renameat2 cannot exchange, two renames publish; a folder and a link both keep their kind."""
    from briefkit import publish

    monkeypatch.setattr(publish, "_exchange", lambda a, b: False)
    for target in (tmp_path / "site", tmp_path / "link"):
        real = tmp_path / "real" if target.name == "link" else target
        if target.name == "link":
            target.symlink_to(real)
        for content in ("first", "second"):
            built = publish.staging_dir(target)
            assert built.parent == real.parent
            built.mkdir()
            (built / "index.html").write_text(content)
            publish.swap_in(built, target)
            assert (target / "index.html").read_text() == content
        assert target.is_symlink() == (target.name == "link")
        assert not list(tmp_path.glob(".*-tmp-*")) and not list(tmp_path.glob(".*-old-*"))
