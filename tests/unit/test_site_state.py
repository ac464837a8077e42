"""site_state.sync_tree: the spare site brought up to date is what a new tree of hard links would be."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit.site_state import link_tree, sync_tree

NAMES = st.sampled_from(["a", "b", "c.html", "d"])
# a tree: name → None (a file) or a subtree; paths of the target are drawn from the same names, so
# that files and folders of the same name meet
TREES = st.recursive(st.just(None), lambda sub: st.dictionaries(NAMES, sub, max_size=4), max_leaves=12)


def make(folder: Path, tree, files: list[Path]) -> None:
    folder.mkdir(exist_ok=True)
    for name, sub in (tree or {}).items():
        if sub is None:
            (folder / name).write_text(f"{folder}/{name}", encoding="utf-8")
            files.append(folder / name)
        else:
            make(folder / name, sub, files)


def shape(folder: Path) -> dict[str, int | None]:
    """Every path below `folder`: a file's inode, None for a folder."""
    out = {}
    for directory, dirs, names in os.walk(folder):
        for name in dirs:
            out[os.path.relpath(os.path.join(directory, name), folder)] = None
        for name in names:
            path = os.path.join(directory, name)
            out[os.path.relpath(path, folder)] = os.stat(path).st_ino
    return out


@settings(max_examples=150, deadline=None)
@given(source=TREES, target=TREES, linked=st.lists(st.integers(0, 30), max_size=8))
def test_a_synced_tree_is_the_tree_link_tree_makes(source, target, linked):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch)
        source_files: list[Path] = []
        make(root / "site", source if isinstance(source, dict) else {}, source_files)
        make(root / "spare", target if isinstance(target, dict) else {}, [])
        # some files of the spare are already hard links to the site's, as after a dirty build
        for i in linked:
            if source_files:
                file = source_files[i % len(source_files)]
                there = root / "spare" / file.relative_to(root / "site")
                if there.parent.is_dir() and not there.is_dir():
                    there.unlink(missing_ok=True)
                    os.link(file, there)
        sync_tree(root / "site", root / "spare")
        link_tree(root / "site", root / "fresh")
        fresh, synced = shape(root / "fresh"), shape(root / "spare")
        assert synced == fresh  # the same folders, and every file a hard link to the site's own
        assert set(synced) == set(shape(root / "site"))
