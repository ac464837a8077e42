"""Publishing a built site: swap the new folder in for the old one in one atomic step.

The site is built in a temporary folder next to site/. Only when it is complete is it exchanged with
site/ by renameat2(RENAME_EXCHANGE), so a build stopped at any moment, even by SIGKILL, leaves the
previous site complete. Where the exchange is not available, two renames are the fallback.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


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


def staging_dir(target: Path) -> Path:
    """A fresh folder next to `target` to build into (left-overs of killed builds are removed)."""
    for old in target.parent.glob(f".{target.name}-tmp-*"):
        shutil.rmtree(old, ignore_errors=True)
    path = target.parent / f".{target.name}-tmp-{os.getpid()}"
    return path


def swap_in(built: Path, target: Path) -> None:
    """Make `built` the content of `target` atomically and remove the previous content."""
    if not target.exists():
        built.rename(target)
        return
    if _exchange(built, target):
        shutil.rmtree(built, ignore_errors=True)  # now holds the previous site
        return
    old = target.parent / f".{target.name}-old-{os.getpid()}"
    target.rename(old)
    built.rename(target)
    shutil.rmtree(old, ignore_errors=True)
