"""The site engine only wraps finished pages: the same site builds with MkDocs and with ProperDocs
(MkDocs 1.6's fork, the fallback when MkDocs or Material stop being maintained), and the adapter
holds no state between builds."""

from __future__ import annotations

import json
import re
import subprocess
import sys

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')

SCRIPT = """
import sys
from pathlib import Path
from briefkit.config import load_config
from briefkit.generate import generate
from briefkit.pipeline import publish
root = Path(sys.argv[1])
config = load_config(root)
generation = generate(config)
publish(config, generation, root / sys.argv[2], engine=sys.argv[3])
"""


def files_of(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def build_with(project, engine: str) -> dict[str, bytes]:
    subprocess.run([sys.executable, "-c", SCRIPT, str(project.root), f"site-{engine}", engine], check=True,
                   cwd=project.root, env={"PYTHONPATH": str(project.root), "PATH": "/usr/bin:/bin",
                                          "SOURCE_DATE_EPOCH": "1700000000"})
    return files_of(project.root / f"site-{engine}")


def test_the_same_site_builds_with_properdocs(sample_project):
    with_mkdocs = build_with(sample_project, "mkdocs")
    with_properdocs = build_with(sample_project, "properdocs")
    assert with_mkdocs.keys() == with_properdocs.keys()
    assert "2024/04/defence-industrial-enterprise/index.html" in with_mkdocs
    differ = [name for name in with_mkdocs
              if GENERATOR.sub(b"", with_mkdocs[name]) != GENERATOR.sub(b"", with_properdocs[name])]
    # only the generator's name differs (in <meta name="generator"> and in the compressed sitemap's header)
    assert differ in ([], ["sitemap.xml.gz"]), differ
    page = with_properdocs["2024/04/defence-industrial-enterprise/index.html"].decode()
    assert 'class="brief"' in page and "Cite this brief" in page and 'id="fn:1"' in page


FORKED = """
import os, sys
from pathlib import Path
import briefkit.site_engine as site_engine
from briefkit.config import load_config
from briefkit.generate import generate
from briefkit.pipeline import publish
site_engine.FORK_FROM = int(sys.argv[3])
forks = []
real_fork = os.fork
def counted():
    pid = real_fork()
    if pid:
        forks.append(pid)
    return pid
os.fork = counted
root = Path(sys.argv[1])
config = load_config(root)
publish(config, generate(config), root / sys.argv[2])
print(len(forks))
"""


def test_pages_built_by_forked_copies_are_the_pages_one_process_builds(sample_project):
    """With many pages the theme is put around them by a copy of the build on each core: the site is
    byte for byte the one a single process builds."""
    def build(folder: str, fork_from: int) -> tuple[int, dict[str, bytes]]:
        done = subprocess.run([sys.executable, "-c", FORKED, str(sample_project.root), folder, str(fork_from)],
                              check=True, cwd=sample_project.root, capture_output=True, text=True,
                              env={"PYTHONPATH": str(sample_project.root), "PATH": "/usr/bin:/bin",
                                   "SOURCE_DATE_EPOCH": "1700000000"})
        return int(done.stdout.split()[-1]), files_of(sample_project.root / folder)

    forks, forked = build("site-forked", 1)
    alone, single = build("site-single", 10**9)
    assert forks >= 1 and alone == 0
    assert forked.keys() == single.keys() and len(forked) > 20
    assert [name for name in forked if forked[name] != single[name]] == []


READ_WHEN_BUILT = """
import contextlib, json, sys
from pathlib import Path
import mkdocs.commands.build as engine_build
import briefkit.site_engine as site_engine
from briefkit.config import load_config
from briefkit.generate import generate
from briefkit.pipeline import publish
site_engine.FORK_FROM = int(sys.argv[3])
if sys.argv[4] == "eager":  # the site engine's own order: every page read before the first is built
    site_engine._pages_read_when_built = lambda build, settings: contextlib.nullcontext()
events, built = [], []
populate, build_page = engine_build._populate_page, engine_build._build_page
def spy_populate(page, *args, **kwargs):
    events.append(("read", page.file.src_uri))
    return populate(page, *args, **kwargs)
def spy_build(page, *args, **kwargs):
    events.append(("built", page.file.src_uri))
    build_page(page, *args, **kwargs)
    built.append(page)
engine_build._populate_page, engine_build._build_page = spy_populate, spy_build
root = Path(sys.argv[1])
config = load_config(root)
publish(config, generate(config), root / sys.argv[2])
events += [("kept" if page.content else "let go", page.file.src_uri) for page in built]  # once the site is built
print(json.dumps(events))
"""


def test_pages_outside_the_navigation_are_read_where_they_are_built_and_let_go(sample_project):
    """The site engine reads every page before building the first and keeps them all (10,000 pages'
    HTML twice over); the adapter reads a brief or listing page just before it is built, in the copy
    that builds it, and lets it go once written. The site is byte for byte the same."""
    def build(folder: str, fork_from: int, order: str) -> tuple[list, dict[str, bytes]]:
        done = subprocess.run([sys.executable, "-c", READ_WHEN_BUILT, str(sample_project.root), folder,
                               str(fork_from), order], check=True, cwd=sample_project.root, capture_output=True,
                              text=True, env={"PYTHONPATH": str(sample_project.root), "PATH": "/usr/bin:/bin",
                                              "SOURCE_DATE_EPOCH": "1700000000"})
        return [tuple(e) for e in json.loads(done.stdout.strip().splitlines()[-1])], \
            files_of(sample_project.root / folder)

    events, lazy = build("site-lazy", 10**9, "lazy")
    _, eager = build("site-eager", 10**9, "eager")
    _, forked = build("site-forked", 1, "lazy")
    assert lazy.keys() == eager.keys() == forked.keys() and len(lazy) > 20
    assert [name for name in lazy if lazy[name] != eager[name] or forked[name] != lazy[name]] == []
    brief = "2024/04/defence-industrial-enterprise/index.md"
    first_built = events.index(next(e for e in events if e[0] == "built"))
    assert ("read", "index.md") in events[:first_built]  # a page of the navigation: read first, as before
    at = events.index(("read", brief))
    assert at > first_built and events[at + 1] == ("built", brief)
    assert ("let go", brief) in events and ("kept", "index.md") in events
