"""The only module that knows MkDocs: it wraps the engine's finished pages in the theme.

The engine has made everything before this runs (generate.py): the pages folder holds finished
pages, feeds, reference files and links to docs/, images and PDFs. MkDocs (or ProperDocs, its fork,
which has the same API) builds that folder with the settings of mkdocs.yml, as if it were docs/, into
a folder of the caller's choice. No hooks, no plugin, no state: swapping the site engine means
rewriting this file.
"""

from __future__ import annotations

import importlib
import logging
import os
from pathlib import Path

from .config import Config

ENGINES = ("mkdocs", "properdocs")  # the packages this adapter can drive (same API)


class SiteEngineError(Exception):
    """The site engine refused the site (a theme or settings problem, not an editor's brief)."""


def quiet(level: int = logging.WARNING) -> None:
    """Silence the MkDocs 2.0 banners; show the site engine's own messages from `level` up."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    for name in ENGINES:
        log = logging.getLogger(name)
        if not log.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            log.addHandler(handler)
            log.propagate = False
        log.setLevel(level)


def build_site(config: Config, site_dir: Path, engine: str = "mkdocs") -> None:
    """Build the pages folder into `site_dir` with the theme and settings of mkdocs.yml."""
    if engine not in ENGINES:
        raise ValueError(f"unknown site engine {engine!r}")
    build = importlib.import_module(f"{engine}.commands.build")
    load = importlib.import_module(f"{engine}.config")
    exceptions = importlib.import_module(f"{engine}.exceptions")
    try:
        settings = load.load_config(str(config.root / config.mkdocs_file), docs_dir=str(config.pages_path),
                                    site_dir=str(site_dir))
        settings.plugins.on_startup(command="build", dirty=False)
        try:
            build.build(settings)
        finally:
            settings.plugins.on_shutdown()
    except exceptions.MkDocsException as exc:
        raise SiteEngineError(exc.format_message() if hasattr(exc, "format_message") else str(exc)) from None
