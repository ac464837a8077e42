"""Full-text search for a built site: each page's text goes into the static index of search_index.py.

Only pages whose layout marks their content with `data-search-body` (briefs and hand-written pages,
not listings) are indexed, without the parts listed in NOT_INDEXED. A record's texts are kept in NFC
(Hangul as syllables: search_index.py splits and search.js highlights Hangul by syllable).

The engine takes each page's record when it finishes the page (finish.py); site_extras.py writes the
bundle into <site>/search-index/.
"""

from __future__ import annotations

import os
import posixpath
import unicodedata
from pathlib import Path

from .search_index import PageRecord

BUNDLE = "search-index"
BODY_ATTRIBUTE = "data-search-body"
# Parts of a page that belong to other pages or repeat on every page (the support block, the share
# links, a comparison's "Before:"/"After:"); footnote markers would glue their numbers to the word
# before them.
NOT_INDEXED = [".brief-dates", ".brief-related", ".brief-cite", ".brief-actions", ".brief-cta", ".footnote-backref",
               ".footnote-ref", ".headerlink", ".brief-support", ".brief-share", ".brief-compare-which",
               "[data-search-ignore]"]
# Found by search and shown under a result's title, but not part of its excerpt.
META = [".brief-series", ".brief-byline", ".brief-topics"]
_BLOCKS = {"p", "li", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "div", "section", "article", "figcaption",
           "blockquote", "pre", "td", "th", "tr", "br", "hr", "table", "ul", "ol", "figure"}


class SearchIndexError(Exception):
    pass


def _xpath_of(selector: str) -> str:
    if selector.startswith("."):
        return f"contains(concat(' ', normalize-space(@class), ' '), ' {selector[1:]} ')"
    if selector.startswith("[") and selector.endswith("]"):
        return "@" + selector[1:-1]
    raise ValueError(f"unsupported selector: {selector}")


_DROPPED = ".//*[" + " or ".join(_xpath_of(s) for s in NOT_INDEXED) + "] | .//script | .//style | .//template"
_META = ".//*[" + " or ".join(_xpath_of(s) for s in META) + "]"


def page_record(url: str, html: str) -> PageRecord | None:
    """What the index keeps of one built page, or None when the page is not marked for search."""
    if BODY_ATTRIBUTE not in html:
        return None
    import lxml.html

    document = lxml.html.document_fromstring(html)
    bodies = document.xpath(f"//*[@{BODY_ATTRIBUTE}]")
    if not bodies:
        return None
    body = bodies[0]
    for element in body.xpath(_DROPPED):
        element.drop_tree()
    meta = []
    for element in body.xpath(_META):
        meta.append(_meta_text(element))
        element.drop_tree()
    for element in body.iter(*_BLOCKS):
        element.tail = "\n" + (element.tail or "")
    headings = body.xpath(".//h1")
    if headings:  # the title is kept apart: results show it above the excerpt
        title = _squash(headings[0].text_content())
        headings[0].drop_tree()
    else:
        title = _squash(document.findtext(".//title") or url)
    langs = body.xpath("(.//*[@lang])[1]/@lang", smart_strings=False) or \
        body.xpath("ancestor-or-self::*[@lang][1]/@lang", smart_strings=False)
    # plain strings only: lxml's "smart" strings keep the whole parsed page alive
    return PageRecord(url, title, str(langs[0]) if langs else "", _squash(body.text_content()), " · ".join(meta))


def _meta_text(element) -> str:
    """An element's text; a bare list of links (topic chips) as "one, two"."""
    links = list(element)
    if links and not (element.text or "").strip() and all(
            link.tag == "a" and not (link.tail or "").strip() for link in links):
        return ", ".join(_squash(link.text_content()) for link in links)
    return _squash(element.text_content())


def _squash(text: str) -> str:
    """Whitespace runs as one space, in NFC: Hangul typed as jamo (NFD) is kept as syllables, so that the
    browser finds the words of an excerpt where the index found them (search.js: marks)."""
    text = " ".join(text.split())
    return text if text.isascii() else unicodedata.normalize("NFC", text)


def url_of(dest_path: str) -> str:
    """The URL of a built file relative to the site root: 2024/04/slug/index.html → 2024/04/slug/."""
    return dest_path.removesuffix("index.html")


def write_bundle(bundle: Path, files: dict[str, bytes]) -> None:
    """The index's files (path in the bundle → bytes) in the folder `bundle`, and nothing else there.

    A file that holds the same bytes already is left alone (a one-brief rebuild changes a few of a
    thousand: reading them costs a tenth of writing them). Any other is replaced, never written in
    place: the folder may be made of hard links to the published site's files (pipeline.publish), and
    the preview's reader may be fetching it."""
    if bundle.is_symlink() or bundle.exists() and not bundle.is_dir():
        bundle.unlink()
    there: set[str] = set()
    for directory, _dirs, names in os.walk(bundle):
        base = os.path.relpath(directory, bundle).replace(os.sep, "/")
        there.update(name if base == "." else f"{base}/{name}" for name in names)
    for gone in sorted(there - files.keys()):
        os.unlink(os.path.join(bundle, gone))
    for folder in sorted({posixpath.dirname(path) for path in files}):
        os.makedirs(os.path.join(bundle, folder), exist_ok=True)
    for path, data in files.items():
        target = os.path.join(bundle, path)
        if path in there and _holds(target, data):
            continue
        temporary = f"{target}.{os.getpid()}.tmp"
        with open(temporary, "wb") as out:
            out.write(data)
        os.replace(temporary, target)
    for directory, dirs, names in os.walk(bundle, topdown=False):  # folders left empty
        if not dirs and not names and directory != str(bundle):
            os.rmdir(directory)


def _holds(path: str, data: bytes) -> bool:
    try:
        with open(path, "rb") as existing:
            return existing.read(len(data) + 1) == data
    except OSError:
        return False
