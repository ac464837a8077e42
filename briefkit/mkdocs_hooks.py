"""Loaded by MkDocs from mkdocs.yml (`hooks:`); the hooks live in briefkit.mkdocs_glue."""

import sys
from pathlib import Path

_root = str(Path(__file__).resolve().parents[1])
if _root not in sys.path:  # `mkdocs serve` run directly does not put the project on sys.path
    sys.path.insert(0, _root)

from briefkit.mkdocs_glue import (  # noqa: E402
    on_build_error,
    on_env,
    on_files,
    on_page_content,
    on_page_context,
    on_page_markdown,
    on_page_read_source,
    on_post_build,
    on_post_page,
    on_pre_build,
)

__all__ = ["on_build_error", "on_env", "on_files", "on_page_content", "on_page_context", "on_page_markdown",
           "on_page_read_source", "on_post_build", "on_post_page", "on_pre_build"]
