"""The build, top to bottom: compile first, publish second.

    source files ─ load.py ─▶ Corpus (checked briefs, registries, bibliography)
        ─ resolve.py ─▶ ResolvedBrief (numbered notes, formatted citations)
        ─ generate.py ─▶ Generation (finished pages, feeds, reference files, PDFs, search records)
        ─ site_engine.py ─▶ the site in a staging folder (the theme around finished pages)
        ─ site_extras.py ─▶ search index, web font, theme fixes
        ─ publish.py ─▶ site/ swapped in whole, or left as it was

Every stage is done before the next starts; editors' errors stop the build at the first two.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .config import Config
from .generate import Generation, generate
from .publish import discard, staging_dir, swap_in
from .site_engine import build_site
from .site_extras import add_extras


def source_date_epoch(generation: Generation) -> str:
    """Dates the site engine writes (sitemap, gzip headers) come from the briefs: reproducible output."""
    dates = [d for c in generation.cards for d in (c.brief.date, c.brief.updated) if d]
    newest = max(dates) if dates else dt.date(2000, 1, 1)
    return str(int(dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.UTC).timestamp()))


def build(config: Config, *, progress: bool = False) -> Generation:
    """The whole site into site/ (the previous one stays if anything fails)."""
    generation = generate(config, progress=progress)
    publish(config, generation, config.root / "site")
    return generation


def publish(config: Config, generation: Generation, target: Path, engine: str = "mkdocs") -> None:
    """Run the site engine into a staging folder next to `target`, add the extras, swap it in."""
    os.environ.setdefault("SOURCE_DATE_EPOCH", source_date_epoch(generation))
    staging = staging_dir(target)  # next to the folder a symbolic link site/ points to, if it is one
    try:
        build_site(config, staging, engine)
        add_extras(config, generation, staging)
        swap_in(staging, target)
    except BaseException:
        discard(staging)
        raise
