"""Publishing a built site: swap the new folder in for the old one in one atomic step.

The site is built in a staging folder `.site-tmp-<pid>` next to site/. Only when it is complete is it
exchanged with site/ by renameat2(RENAME_EXCHANGE), so a build stopped at any moment, even by
SIGKILL, leaves the previous site complete. Where the exchange is not available, two renames are the
fallback.

When site/ is a symbolic link (to a web server's folder, say), the link stays: the staging folder is
made next to the folder it points to (on the same file system), and exchanged with that folder.

A dirty build (pipeline.publish) keeps the site it replaced as `.site-spare`: mostly hard links to the
new site's files, it is brought up to date and built into by the next dirty build, instead of making a
new tree of links and removing the old one (most of a one-brief rebuild's time at 1,000 briefs). Not
when site/ is a link: what is beside the folder it points to may be served.

Left-over staging folders of builds that were killed are removed by the next build; those of a build
that still runs never are (the project lock, see lock.py, keeps a second build out anyway).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import re
import shutil
import time
from pathlib import Path

from .lock import pid_alive

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_NOT_A_FOLDER = "it is a file, not a folder"


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux); False when the system cannot."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def site_folder(target: Path) -> Path:
    """The folder that holds the site: `target`, or the folder a symbolic link `target` points to."""
    return Path(os.path.realpath(target)) if target.is_symlink() else target


def staging_dir(target: Path) -> Path:
    """A fresh folder to build into, next to the site's folder; left-overs of dead builds are removed."""
    folder = site_folder(target)
    if folder.exists() and not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, _NOT_A_FOLDER, str(target))
    remove_leftovers(folder)
    return folder.parent / f".{folder.name}-tmp-{os.getpid()}"


def spare_dir(folder: Path) -> Path:
    """Where the site before the last dirty build is kept, for the next one (see above)."""
    return folder.parent / f".{folder.name}-spare"


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove staging (and half-swapped) folders next to `folder` whose build is no longer running."""
    pattern = re.compile(rf"\.{re.escape(folder.name)}-(?:tmp|old)-(\d+)(?:-\d+)?")
    removed = []
    for path in sorted(folder.parent.glob(f".{folder.name}-*-*")):
        match = pattern.fullmatch(path.name)
        if not match:
            continue
        pid = int(match.group(1))
        if pid == os.getpid() and path.name.count("-") > folder.name.count("-") + 2:
            continue  # a previous site this process is removing in the background (serve.py)
        if pid == os.getpid() or not pid_alive(pid):
            _remove(path)
            removed.append(path)
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            path.unlink()
        except OSError:
            pass


def discard(built: Path) -> None:
    """Remove a staging folder that will not be published."""
    _remove(built)


def swap_in(built: Path, target: Path, remove_old=None, keep_old: Path | None = None) -> None:
    """Make `built` the content of `target` (or of the folder the link `target` points to) atomically,
    and remove the previous content (with `remove_old(folder)` if given: the preview does it later), or
    keep it as `keep_old` (a path that does not exist)."""
    folder = site_folder(target)
    if not folder.exists() and not folder.is_symlink():
        built.rename(folder)
        return
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, _NOT_A_FOLDER, str(target))
    if _exchange(built, folder):
        if keep_old is not None:
            try:
                built.rename(keep_old)
                return
            except OSError:
                pass  # removed below instead
        if remove_old is not None:  # `built` now holds the previous site: out of the next build's way
            old = folder.parent / f".{folder.name}-old-{os.getpid()}-{time.monotonic_ns()}"
            built.rename(old)
            remove_old(old)
        else:
            shutil.rmtree(built, ignore_errors=True)
        return
    old = folder.parent / f".{folder.name}-old-{os.getpid()}"
    folder.rename(old)
    try:
        built.rename(folder)
    except BaseException:
        old.rename(folder)  # the previous site back
        raise
    shutil.rmtree(old, ignore_errors=True)
