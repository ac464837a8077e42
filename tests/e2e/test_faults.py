"""Faults of the machine give one contract line and exit 1, never a traceback, and publish nothing:
a full disk, a read-only project, a collection PDF aimed at editors' files. (Ports: test_serve.py.)"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import tree_digest as tree

# Runs build.py's command line in a project, with a fault injected where the files are written:
# `site:N` makes MkDocs' N-th write into the site fail, `pages` the generator's first page.
FAULTY = """
import errno, os, sys
sys.path.insert(0, os.getcwd())
kind, code = sys.argv[1], getattr(errno, sys.argv[2])
def fault(path):
    return OSError(code, os.strerror(code), str(path))
if kind.startswith("site:"):
    import mkdocs.utils
    write_file, count = mkdocs.utils.write_file, [int(kind[5:])]
    def failing(content, path):
        count[0] -= 1
        if count[0] <= 0:
            raise fault(path)
        return write_file(content, path)
    mkdocs.utils.write_file = failing
else:
    import pathlib
    write_bytes = pathlib.Path.write_bytes
    def failing(self, data):
        if ".build" in self.parts:
            raise fault(self)
        return write_bytes(self, data)
    pathlib.Path.write_bytes = failing
from briefkit.cli import main
sys.argv = ["build.py", *sys.argv[3:]]
main()
"""


def run_with_fault(project, kind: str, code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", FAULTY, kind, code, *args], cwd=project.root, capture_output=True,
                          text=True)


def error_lines(stderr: str) -> list[str]:
    assert "Traceback" not in stderr, stderr
    return [line for line in stderr.splitlines() if "error" in line.lower()]


def edit(project) -> None:
    path = project.briefs / "2025-12-27-new-munitions-factories.yml"
    path.write_text(path.read_text().replace("Kim Jong Un has called", "Kim Jong Un called"))


@pytest.mark.parametrize("code, reason, hint", [
    ("ENOSPC", "no space left on device", "free some disk space"),
    ("EROFS", "read-only file system", "check the folder's permissions"),
    ("EACCES", "permission denied", "check the folder's permissions"),
])
def test_a_fault_while_the_site_is_written_publishes_nothing(sample_project, code, reason, hint):
    project = sample_project
    assert project.run().returncode == 0
    before = tree(project.root / "site")
    edit(project)
    result = run_with_fault(project, "site:2", code)  # the 2nd write: a rebuild writes only what changed
    assert result.returncode == 1
    lines = error_lines(result.stderr)
    assert len(lines) == 1, lines  # not MkDocs' "Error building page" as well
    assert lines[0].startswith("error: cannot write site/") and f": {reason} (" in lines[0] and hint in lines[0]
    assert tree(project.root / "site") == before  # the previous site, complete
    assert not list(project.root.glob(".site-*"))
    assert project.run().returncode == 0  # once the disk has room again
    assert "Kim Jong Un called" in (project.root / "site/2025/12/new-munitions-factories/index.html").read_text()


def test_a_fault_while_pages_are_generated_is_one_line(sample_project):
    project = sample_project
    result = run_with_fault(project, "pages", "EROFS")
    assert result.returncode == 1
    lines = error_lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: cannot write .build/pages/"), lines
    assert lines[0].endswith(": read-only file system (the file system is read-only: check the folder's "
                             "permissions, or build in a writable copy)")
    assert not (project.root / "site").exists()
    result = run_with_fault(project, "pages", "ENOSPC", "pdf", "--series", "news")
    assert result.returncode == 1
    assert error_lines(result.stderr) == [next(line for line in result.stderr.splitlines()
                                               if line.startswith("error: cannot write .build/pages/"))]


def test_a_site_that_is_a_file_is_one_line(sample_project):
    project = sample_project
    (project.root / "site").write_text("not a folder")
    result = project.run()
    assert result.returncode == 1
    assert error_lines(result.stderr) == ["error: cannot use site: it is a file, not a folder"]
    assert (project.root / "site").read_text() == "not a folder"
    assert not list(project.root.glob(".site-*"))


# ---- real file systems: a small tmpfs (skipped where mounting is not allowed) ----

def _mount(point: Path, size: str) -> None:
    point.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(point)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {result.stderr.strip()}")


@pytest.fixture
def tmpfs(tmp_path_factory):
    if shutil.which("mount") is None or os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root and mount(8)")
    point = tmp_path_factory.mktemp("tmpfs")  # outside the project copy, which is tmp_path
    mounted = []

    def mount(size: str) -> Path:
        _mount(point, size)
        mounted.append(point)
        return point

    yield mount
    for path in mounted:
        subprocess.run(["umount", "-l", str(path)], check=False)


def _remount(point: Path, options: str) -> None:
    subprocess.run(["mount", "-o", f"remount,{options}", str(point)], check=True)


def test_a_full_disk_behind_a_symlinked_site(sample_project, tmpfs):
    project = sample_project
    disk = tmpfs("64m")
    (project.root / "site").symlink_to(disk / "briefs")
    assert project.run().returncode == 0
    stat = os.statvfs(disk)
    used = (stat.f_blocks - stat.f_bfree) * stat.f_frsize
    # room for the site and hardly more: a rebuild shares the unchanged files with the published site
    # (hard links), and needs room only for what changed: here it has not even that
    _remount(disk, f"size={used + 8192}")
    before = tree(disk / "briefs")
    edit(project)
    result = project.run()
    assert result.returncode == 1
    lines = error_lines(result.stderr)
    assert len(lines) == 1 and lines[0].startswith("error: cannot write site/"), lines
    assert lines[0].endswith(": no space left on device (free some disk space)")
    assert (project.root / "site").is_symlink() and tree(disk / "briefs") == before
    assert sorted(p.name for p in disk.iterdir()) == ["briefs"]  # the staging folder is gone
    _remount(disk, "size=64m")
    assert project.run().returncode == 0


def test_a_read_only_project(sample_project, tmpfs):
    disk = tmpfs("256m")
    shutil.copytree(sample_project.root, disk / "project", symlinks=True)
    project = type(sample_project)(disk / "project")
    assert project.run().returncode == 0
    before = tree(project.root / "site")
    edit(project)
    _remount(disk, "ro")
    try:
        result = project.run()
        assert result.returncode == 1
        assert error_lines(result.stderr) == ["error: cannot write .briefkit.lock: read-only file system (the file "
                                              "system is read-only: check the folder's permissions, or build in a "
                                              "writable copy)"]
        assert tree(project.root / "site") == before
        assert project.run("check").returncode == 0  # checking writes nothing in the project
    finally:
        _remount(disk, "rw")


# ---- `pdf -o`: a collection is written to a new or existing PDF outside the project's own folders ----

def test_a_collection_is_never_written_over_editors_files(sample_project):
    project = sample_project
    root = project.root

    def state():
        return sorted(p.name for p in root.iterdir()), [tree(root / f) for f in ("briefs", "templates", "docs")]

    before = state()
    (root / "notes.pdf").write_text("my notes, not a PDF")
    (root / "notes.txt").write_text("my notes")
    (root / "link.pdf").symlink_to(root / "notes.txt")
    (root / "brief.pdf").symlink_to(root / "briefs/series.yml")
    refused = {
        "briefs/2025-12-27-new-munitions-factories.yml": "is inside briefs/",
        "briefs/collection.pdf": "is inside briefs/",
        "templates/brief.pdf": "is inside templates/",
        "docs/about.pdf": "is inside docs/",
        "site/news.pdf": "is inside site/",
        "briefkit/x.pdf": "is inside briefkit/",
        ".git/x.pdf": "is inside .git/",
        "build.py": "does not end in .pdf",
        "collection.txt": "does not end in .pdf",
        "notes.pdf": "exists and is not a PDF",
        "link.pdf": "links to notes.txt, which is not a PDF",
        "brief.pdf": "links to briefs/series.yml, inside briefs/",
    }
    for output, reason in refused.items():
        result = project.run("pdf", "--series", "news", "-o", output)
        assert result.returncode == 1, output
        lines = error_lines(result.stderr)
        assert len(lines) == 1 and lines[0].startswith(f"error: {output}" if "does not" not in reason
                                                       else "error: the collection is a PDF"), lines
        assert reason in lines[0] and "nothing was written" in lines[0], lines
    for name in ("notes.pdf", "notes.txt", "link.pdf", "brief.pdf"):
        (root / name).unlink()
    assert state() == before
    assert not (root / ".build").exists()  # refused before anything was generated


def test_a_collection_replaces_a_pdf(sample_project, tmp_path_factory):
    out = tmp_path_factory.mktemp("out") / "news.pdf"
    assert sample_project.run("pdf", "--series", "news", "-o", str(out)).returncode == 0
    first = out.read_bytes()
    assert first.startswith(b"%PDF-")
    result = sample_project.run("pdf", "--series", "news", "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert out.read_bytes() == first


def test_faults_are_described_with_the_path_editors_know(tmp_path):
    from briefkit.faults import describe_os_error

    error = OSError(errno.ENOSPC, "No space left on device", str(tmp_path / "site/index.html"))
    assert describe_os_error(error, tmp_path) == ("cannot write site/index.html: no space left on device",
                                                  "free some disk space")
    error = OSError(errno.EACCES, "Permission denied", "/elsewhere/site")
    assert describe_os_error(error, tmp_path) == ("cannot write /elsewhere/site: permission denied",
                                                  "check the folder's permissions")
