"""A catalog of bad inputs: each gives a contract error line at the right place, exit code 1, no
traceback, and leaves the previously published site byte for byte as it was.

Each case is a folder in tests/fixtures/invalid/: files laid over the sample project, and
expected.txt with the start of the error line it must produce. A few cases that cannot be stored as
plain files (a gigantic file, a symlink, a missing or broken CSL style) are made by the test.
"""

from __future__ import annotations

import os
import re
import shutil
from dataclasses import dataclass, field

import pytest

from conftest import REPO, make_project
from conftest import tree_digest as digest

FIXTURES = REPO / "tests" / "fixtures" / "invalid"
CONTRACT_LINE = re.compile(r"^(?P<file>\S[^:]*):(?P<line>\d+):(?P<col>\d+): (error|warning): .+$")
CSL_LINE = next(i for i, line in enumerate((REPO / "mkdocs.yml").read_text().splitlines(), 1)
                if line.strip().startswith("csl:"))
BASE = (FIXTURES / "unknown-field" / "briefs" / "2024-05-01-bad.yml").read_text().replace("colour: red\n", "")


@dataclass
class Case:
    name: str
    expected: str
    files: dict[str, bytes] = field(default_factory=dict)
    remove: list[str] = field(default_factory=list)
    symlinks: dict[str, str] = field(default_factory=dict)


def stored_cases() -> list[Case]:
    cases = []
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        files = {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*")
                 if p.is_file() and p.name != "expected.txt"}
        cases.append(Case(folder.name, (folder / "expected.txt").read_text(encoding="utf-8").strip(), files))
    return cases


NAME = "briefs/2024-05-01-bad.yml"
MADE = [
    Case("gigantic-file", f"{NAME}:1:1: error: file is too large",
         {NAME: BASE.encode() + b"# " + b"x" * 3_000_000 + b"\n"}),
    Case("image-symlink-escapes", f"{NAME}:11:9: error: image path 'images/escape.svg' points outside briefs/",
         {NAME: (BASE + "image:\n  file: images/escape.svg\n  alt: A drawing.\n  credit: Us\n").encode()},
         symlinks={"briefs/images/escape.svg": "/etc/hostname"}),
    Case("missing-csl", f"mkdocs.yml:{CSL_LINE}:10: error: extra.briefkit.csl: the CSL style "
                        "'templates/house-chicago-notes.csl' does not exist",
         {NAME: BASE.encode()}, remove=["templates/house-chicago-notes.csl"]),
    Case("invalid-csl", "templates/house-chicago-notes.csl:1:20: error: the CSL style is not well-formed XML",
         {NAME: BASE.encode(), "templates/house-chicago-notes.csl": b"<style><citation></style>"}),
]


@pytest.fixture(scope="module")
def published(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("catalog"), shared_cache, with_samples=True)
    assert project.run().returncode == 0
    return project




def test_the_catalog_has_at_least_thirty_cases():
    assert len(stored_cases()) + len(MADE) >= 30


@pytest.mark.parametrize("case", stored_cases() + MADE, ids=lambda c: c.name)
def test_bad_input(published, case):
    root = published.root
    site_before = digest(root / "site")
    touched = list(case.files) + case.remove + list(case.symlinks)
    saved = {rel: (root / rel).read_bytes() for rel in touched if (root / rel).is_file()}
    try:
        for rel, content in case.files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(content)
        for rel in case.remove:
            (root / rel).unlink()
        for rel, target in case.symlinks.items():
            os.symlink(target, root / rel)
        result = published.run()
        assert result.returncode == 1, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert lines and all(CONTRACT_LINE.match(line) for line in lines), lines
        assert any(line.startswith(case.expected) for line in lines), (case.expected, lines)
        assert digest(root / "site") == site_before
        # `check` is the build without writing: it finds the same errors
        checked = published.run("check")
        assert checked.returncode == 1, checked.stderr
        errors = sorted(line for line in lines if ": error: " in line or line.startswith("error: "))
        assert sorted(line for line in checked.stderr.strip().splitlines()
                      if ": error: " in line or line.startswith("error: ")) == errors
    finally:
        for rel in touched:
            path = root / rel
            if path.is_symlink() or path.is_file():
                path.unlink()
            if rel in saved:
                path.write_bytes(saved[rel])
        for rel in case.files:
            parent = (root / rel).parent
            if parent != root / "briefs" and parent.exists() and not any(parent.iterdir()):
                shutil.rmtree(parent)
    assert published.run("check").returncode == 0  # the project is back as it was
