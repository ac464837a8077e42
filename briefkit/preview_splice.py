"""The preview's first answer to a save: the new version of a changed page, put into its built page.

A finished page (finish.py) is built by the site engine into the theme unchanged, between the
markers of finished.py, and its <head> additions between those of templates/overrides/main.html. So
the preview can show a saved brief at once: its new HTML, title and head go into the page built last
time, in place of the old, while the site engine builds the real page (and everything else) a moment
later. A page that was never built, or whose built page lacks the markers, waits for the site engine.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path

import yaml

from .finish import file_of, page_url, split_front_matter
from .finished import CONTENT_END, CONTENT_START, MARKER

HEAD_START, HEAD_END = "<!--briefkit:head-->", "<!--/briefkit:head-->"
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _between(text: str, start: str, end: str, new: str) -> str | None:
    a = text.find(start)
    b = text.find(end, a + len(start)) if a >= 0 else -1
    if a < 0 or b < 0:
        return None
    return text[: a + len(start)] + new + text[b:]


def splice_page(built: str, finished: str, site_name: str) -> str | None:
    """`built` (a themed page) with the content, title and head of the finished page file `finished`."""
    front, body = split_front_matter(finished)
    content = body.removeprefix(MARKER + "\n").rstrip("\n")
    out = _between(built, CONTENT_START, CONTENT_END, content)
    if out is None:
        return None
    try:
        meta = yaml.safe_load(front.strip().strip("-")) or {} if front else {}
    except yaml.YAMLError:
        meta = {}
    if isinstance(meta, dict) and isinstance(meta.get("head"), str):
        out = _between(out, HEAD_START, HEAD_END, meta["head"]) or out
    if isinstance(meta, dict) and isinstance(meta.get("title"), str):
        title = html.escape(html.unescape(meta["title"]), quote=False)
        out = _TITLE.sub(lambda _: f"<title>{title} - {html.escape(site_name, quote=False)}</title>", out, count=1)
    return out


def splice_changed(site: Path, pages: Path, changed: list[str], site_name: str) -> list[str]:
    """Put the changed finished pages (generated pages, as generate.Generation.changed names them) into
    their built pages in `site`; the URLs of those updated."""
    done = []
    for rel in changed:
        if not rel.endswith(".md"):
            continue
        url = page_url(rel)
        target = site / url / "index.html" if url else site / "index.html"
        try:
            built = target.read_text(encoding="utf-8")
            finished = (pages / file_of(rel)).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        new = splice_page(built, finished, site_name)
        if new is None or new == built:
            continue
        old = target.stat()
        tmp = target.with_name(f".{target.name}.{os.getpid()}.splice")
        tmp.write_text(new, encoding="utf-8")
        # the old page's time: older than its new source, so the site engine still builds it for real
        os.utime(tmp, ns=(old.st_atime_ns, old.st_mtime_ns))
        tmp.replace(target)  # readers see the old page or the new one, never half of one
        done.append("/" + url)
    return done
