"""Where the build may write: one function computes every output path and checks it stays inside
its folder, and a manifest records what the build wrote so that it only ever deletes its own files.

Names that reach a path (slugs, registry keys, image paths) are validated where editors write them
(names.py, load.py); this is the last line of defence against a bug letting one through.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

MANIFEST = ".briefkit-manifest.json"  # in the pages folder: every file the last build wrote there


class UnsafeOutputPath(Exception):
    """An output path that would leave its folder: a bug, since names are checked before."""


def output_path(folder: Path, rel: str, link: bool = False, real_dirs: dict[str, str] | None = None) -> Path:
    """`folder/rel`, refused unless `rel` is a plain relative path that stays inside `folder`, also
    through symbolic links. With `link`, the path is a symbolic link the build makes (or removes): its
    folder must stay inside, the link itself leads where the build decided.

    `real_dirs` keeps the real path of each folder for the next call: a build writes thousands of files
    into a few hundred folders (use one for one batch of writes, as a folder could change between)."""
    parts = rel.split("/")
    if (not rel or "\\" in rel or "\0" in rel or rel.startswith("/") or rel == MANIFEST
            or any(p in ("", ".", "..") for p in parts)):
        raise UnsafeOutputPath(f"refusing to write {rel!r} in {folder}")
    target = folder.joinpath(*parts)
    real_dirs = {} if real_dirs is None else real_dirs
    real_folder = Path(_real_dir(str(folder), real_dirs))
    parent = _real_dir(str(target.parent), real_dirs)
    if link or not os.path.islink(target):
        real = Path(parent) / target.name
    else:
        real = target.resolve()
    if real_folder not in real.parents:
        raise UnsafeOutputPath(f"refusing to write {rel!r}: it leads to {real}, outside {folder}")
    return target


def _real_dir(path: str, known: dict[str, str]) -> str:
    if path not in known:
        known[path] = os.path.realpath(path)
    return known[path]


def read_manifest(folder: Path) -> set[str]:
    """What the build wrote into `folder` last time (nothing known: nothing will be deleted)."""
    try:
        names = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()


def write_manifest(folder: Path, names: set[str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f"{MANIFEST}.{os.getpid()}.tmp"
    tmp.write_text(json.dumps(sorted(names), ensure_ascii=False, indent=0), encoding="utf-8")
    tmp.replace(folder / MANIFEST)
