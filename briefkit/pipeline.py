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
from collections.abc import Callable
from pathlib import Path

from .config import Config
from .generate import Generation
from .outputs import read_manifest
from .publish import discard, remove_leftovers, site_folder, spare_dir, staging_dir, swap_in
from .site_engine import build_site
from .site_extras import add_extras
from .site_state import current_state, forget_stamp, link_tree, read_stamp, stale_outputs, sync_tree, write_stamp


def source_date_epoch(generation: Generation) -> str:
    """Dates the site engine writes (sitemap, gzip headers) come from the briefs: reproducible output."""
    dates = [d for c in generation.cards for d in (c.brief.date, c.brief.updated) if d]
    newest = max(dates) if dates else dt.date(2000, 1, 1)
    return str(int(dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.UTC).timestamp()))


def remove_output(site: Path, rel: str) -> None:
    """Remove a file of a site, and the folders it leaves empty."""
    path = site / rel
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != site and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def copy_of_site(folder: Path, staging: Path, spare: Path | None) -> None:
    """`staging` as a copy of the site `folder` made of hard links, for a dirty build: the spare site
    the last dirty build left (publish.spare_dir) brought up to date where there is one, else a new one."""
    if spare is not None and spare.is_dir() and not spare.is_symlink():
        try:
            spare.rename(staging)
            sync_tree(folder, staging)
            return
        except OSError:
            discard(staging)
    link_tree(folder, staging)


_USERS_EPOCH = os.environ.get("SOURCE_DATE_EPOCH")  # set by whoever runs us: kept as it is


def publish(config: Config, generation: Generation, target: Path, engine: str = "mkdocs",
            remove_old: Callable[[Path], None] | None = None, in_place: bool = False,
            pages_ready: Callable[[list[str]], None] | None = None) -> str:
    """Run the site engine into a staging folder next to `target`, add the extras, swap it in.

    Incremental (site_state.py): nothing is done when the site was built from the same files, and only
    the changed pages are built again when only pages changed. Returns "unchanged", "changed" (a dirty
    build) or "full". `remove_old` deletes the previous site (by default at once).

    For the preview, `in_place` makes a dirty build straight into `target` (every write replaces its
    file, so a reader never sees half of one), and `pages_ready` is called once the pages are there,
    before the search index and the web font, with the site paths built again."""
    os.environ["SOURCE_DATE_EPOCH"] = _USERS_EPOCH or source_date_epoch(generation)
    now, foreign = current_state(config, engine, read_manifest(config.pages_path))
    folder = site_folder(target)
    before = read_stamp(config, folder) if folder.is_dir() else None
    if before == now:
        remove_leftovers(folder)  # staging folders of builds that died
        return "unchanged"
    dirty = before is not None and before.context == now.context
    if dirty and in_place:
        try:
            stale = stale_outputs(before, now)
            # outputs of removed files go; changed ones are newer than their outputs: built again, and
            # replaced (never removed first: a reader asking for one meanwhile still gets a page)
            for rel in [*stale_outputs(before, now, removed_only=True), "sitemap.xml.gz"]:
                remove_output(folder, rel)
            build_site(config, folder, engine, dirty=True, exclude=foreign)
            if pages_ready is not None:
                pages_ready(stale)
            add_extras(config, generation, folder)
            write_stamp(config, folder, folder, now)
        except BaseException:
            forget_stamp(config, folder)  # the next build is a full one
            raise
        return "changed"
    staging = staging_dir(target)  # next to the folder a symbolic link site/ points to, if it is one
    # the site before a dirty build is kept for the next one (publish.spare_dir), but never next to a
    # folder a link site/ points to: a web server may serve what is beside it
    spare = spare_dir(folder) if not target.is_symlink() else None
    try:
        if dirty:
            copy_of_site(folder, staging, spare)
            # outputs of changed or removed files go, so that the site engine writes them anew (or not);
            # the compressed sitemap is the one file the engine writes in place
            for rel in [*stale_outputs(before, now), "sitemap.xml.gz"]:
                remove_output(staging, rel)
        build_site(config, staging, engine, dirty=dirty, exclude=foreign)
        add_extras(config, generation, staging)
        write_stamp(config, folder, staging, now)
        if spare is not None and not dirty:
            discard(spare)  # the site it was kept for is gone: it shares no file with the new one
        swap_in(staging, target, remove_old=remove_old, keep_old=spare if dirty else None)
    except BaseException:
        forget_stamp(config, folder)
        discard(staging)
        raise
    return "changed" if dirty else "full"
