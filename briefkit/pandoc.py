"""Where the pandoc binary is: the one inside the pypandoc-binary wheel, never a system install."""

from __future__ import annotations

import functools


@functools.cache
def pandoc_path() -> str:
    import pypandoc

    return pypandoc.get_pandoc_path()
