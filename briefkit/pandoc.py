"""Where the pandoc binary is: the one inside the pypandoc-binary wheel, never a system install."""

from __future__ import annotations

import functools


@functools.cache
def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()


@functools.cache
def pandoc_version() -> str:
    """The version of the wheel that ships pandoc: part of every cache key built on pandoc's output."""
    from importlib.metadata import version

    return version("pypandoc-binary")
