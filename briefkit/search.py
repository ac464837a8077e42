"""Full-text search for a built site: a Pagefind index, split into small chunks the browser fetches on demand.

Material's built-in search ships one JSON index that every reader downloads whole (tens of MB for a
large archive); Pagefind's first search fetches tens of KB. Only pages whose layout marks their
content with `data-pagefind-body` (briefs and hand-written pages, not listings) are indexed.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

BUNDLE = "pagefind"
# Parts of a brief page that belong to other briefs or repeat on every page.
NOT_INDEXED = ".brief-dates, .brief-related, .brief-cite, .brief-actions, .brief-cta, .footnote-backref"


class SearchIndexError(Exception):
    pass


def pagefind_executable() -> Path:
    from pagefind_bin import get_executable

    return Path(get_executable())


def index_site(site: Path) -> None:
    """Write the search bundle into site/pagefind/."""
    proc = subprocess.run(
        [str(pagefind_executable()), "--site", str(site), "--output-subdir", BUNDLE,
         "--exclude-selectors", NOT_INDEXED, "--silent"],
        capture_output=True, text=True)
    if proc.returncode != 0:
        raise SearchIndexError((proc.stderr or proc.stdout).strip())
