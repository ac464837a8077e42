"""Shared fixtures: a throw-away copy of the project with the sample registries and bibliography."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _shared_folder() -> Path:
    """../shared beside the project; for a clone of a local clone (say in /tmp), beside its origin."""
    beside = REPO.parent / "shared"
    if beside.is_dir():
        return beside
    origin = subprocess.run(["git", "-C", str(REPO), "config", "--get", "remote.origin.url"],
                            capture_output=True, text=True).stdout.strip()
    if origin and Path(origin).is_dir():
        return Path(origin).resolve().parent / "shared"
    return beside


SEEDS = _shared_folder() / "seeds"


def pytest_collection_modifyitems(items) -> None:
    """Tiers by folder: tests/e2e are `slow`, tests/browser are `browser` (and slow)."""
    for item in items:
        parts = Path(str(item.fspath)).parts
        if "browser" in parts:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)
        elif "e2e" in parts:
            item.add_marker(pytest.mark.slow)

from briefkit.config import load_config  # noqa: E402  (the package is installed: pip install -e .)
from briefkit.generate import check  # noqa: E402

VALID_BRIEF = """\
title: A test brief
series: quick-take
date: 2024-04-29
authors: [jordan-park]
summary: One sentence.
body: |
  Text with a note.[^a] And a citation.[@lee2024nucleartest, 90]
notes:
  a: A prose note citing [@carlin2021defense].
"""


@dataclass
class Project:
    root: Path

    @property
    def briefs(self) -> Path:
        return self.root / "briefs"

    def write(self, name: str, text: str, dedent: bool = True) -> Path:
        path = self.briefs / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if dedent else text, encoding="utf-8")
        return path

    def errors(self) -> list[str]:
        _, diags = check(load_config(self.root))
        return [d.format() for d in diags.sorted()]

    def run(self, *args: str, check_: bool = False) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(self.root / "build.py"), *args], cwd=self.root,
                              capture_output=True, text=True, check=check_)


def tree_digest(folder: Path) -> str:
    """One digest of every file's path and bytes below `folder`."""
    import hashlib

    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(folder).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def assert_inert(html: str) -> None:
    """No element, attribute or address in `html` that could run script."""
    import re

    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    root = soup.select_one("article") or soup  # the theme's own scripts live outside the article
    found = root.find_all(["script", "iframe", "style", "meta", "svg", "object", "embed"])
    assert not found, found
    for tag in root.find_all(True):
        for name, value in tag.attrs.items():
            assert not name.lower().startswith("on"), tag
            if name in ("href", "src"):
                assert not re.match(r"\s*(javascript|data|vbscript):", str(value), re.I), tag


@pytest.fixture(scope="session")
def shared_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("cache")


def make_project(dest: Path, cache: Path, with_samples: bool = False, cms: bool = False) -> Project:
    """A copy of the project. The editor at /admin/ (`cms:` in mkdocs.yml) is off unless `cms` asks for
    it: then node_modules/ (Decap's bundle, decap-server) is linked in, else every build copies 5.8 MB."""
    for name in ("mkdocs.yml", "build.py"):
        shutil.copy(REPO / name, dest / name)
    settings = dest / "mkdocs.yml"
    settings.write_text(re.sub(r"^(\s+cms:\s*)true\b", r"\g<1>true" if cms else r"\g<1>false",
                               settings.read_text(encoding="utf-8"), flags=re.M), encoding="utf-8")
    if cms:
        (dest / "node_modules").symlink_to(REPO / "node_modules")
    for folder in ("templates", "docs", "briefkit"):
        shutil.copytree(REPO / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    briefs = dest / "briefs"
    briefs.mkdir()
    for name in ("authors.yml", "series.yml", "topics.yml", "references.bib"):
        shutil.copy(REPO / "briefs" / name, briefs / name)
    shutil.copytree(REPO / "briefs" / "images", briefs / "images")
    if with_samples:
        for path in (REPO / "briefs").glob("*.yml"):
            shutil.copy(path, briefs / path.name)
    (dest / ".cache").symlink_to(cache)
    return Project(dest)


@pytest.fixture
def project(tmp_path, shared_cache) -> Project:
    """An empty project (registries, bibliography, images, templates) to write briefs into."""
    return make_project(tmp_path, shared_cache)


@pytest.fixture
def sample_project(tmp_path, shared_cache) -> Project:
    """A copy of the repository's sample site."""
    return make_project(tmp_path, shared_cache, with_samples=True)


SERIES = ["quick-take", "news", "summary"]
TOPICS = ["economy", "defense-industry", "leadership", "north-korea-russia"]
AUTHORS = ["jordan-park", "mina-cho", "sam-ortiz"]


def write_corpus(project: Project, count: int, days: int = 360, start: str = "2024-01-01") -> list[dict]:
    """`count` generated briefs spread evenly over `days`, cycling through series, topics and authors.

    Titles, summaries and bodies have the same length whatever `count` is, so page sizes compare.
    """
    import datetime as dt

    first = dt.date.fromisoformat(start)
    briefs = []
    for i in range(count):
        day = first + dt.timedelta(days=i * days // count)
        info = {"slug": f"generated-{i:05d}", "date": day, "series": SERIES[i % 3],
                "topics": [TOPICS[i % 4], TOPICS[(i + 1) % 4]], "author": AUTHORS[i % 3], "i": i}
        image = ("image:\n  file: images/2025-12-components.svg\n  alt: A drawing.\n  credit: Sample\n"
                 if i % 2 == 0 else "")
        project.write(f"{day.isoformat()}-{info['slug']}.yml",
                      f"title: Generated brief {i:05d}\nseries: {info['series']}\ndate: {day.isoformat()}\n"
                      f"authors: [{info['author']}]\ntopics: [{', '.join(info['topics'])}]\n"
                      f"summary: Summary of generated brief {i:05d}.\n{image}"
                      f"body: |\n  {' '.join(['Words of the body.'] * 40)}[^a]\n"
                      f"notes:\n  a: A note of brief {i:05d}.\n", dedent=False)
        briefs.append(info)
    return briefs
