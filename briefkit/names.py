"""Names that become parts of paths and URLs: brief slugs and the keys of series, authors and topics.

Each such name is a slug (lowercase letters, digits, single hyphens between them), so it can never
climb out of its folder (`../`), hide (`.git`), or change meaning on another file system (case,
Unicode). A few slugs are the names of the site's own pages and are refused for that reason.
"""

from __future__ import annotations

import re

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_SLUG = re.compile(SLUG_PATTERN)
MAX_SLUG_LENGTH = 80  # URLs and file names stay readable; a file name may have 255 bytes at most
# `index` would replace a folder's own page (topics/index.md is the list of all topics, and a brief
# at 2024/04/index.md would be published at /2024/04/); `page` holds the pages of a listing; `feed`
# and `rss` are the names of a listing's feeds.
RESERVED = frozenset({"index", "page", "feed", "rss"})


def slug_problem(name: str, what: str) -> tuple[str, str] | None:
    """(message, hint) when `name` cannot be a slug of `what` (a topic, a series …); None when it can."""
    if not _SLUG.match(name):
        from .slugs import slug_from_title

        suggestion = slug_from_title(name, MAX_SLUG_LENGTH)  # in Latin letters whatever the script
        hint = "lowercase letters, digits and hyphens only"
        if suggestion and suggestion != name and _SLUG.match(suggestion):
            hint += f", e.g. '{suggestion}'"
        return f"{what} '{name}' is not a valid key", hint
    if len(name) > MAX_SLUG_LENGTH:
        return f"{what} '{name[:20]}…' is longer than {MAX_SLUG_LENGTH} characters", "use a shorter key"
    if name in RESERVED:
        return (f"{what} '{name}' is a reserved name", f"the site uses {', '.join(sorted(RESERVED))} for its own "
                "pages; choose another key")
    return None


def is_slug(name: object) -> bool:
    return isinstance(name, str) and slug_problem(name, "") is None
