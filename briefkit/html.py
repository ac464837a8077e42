"""Markdown → HTML for content published outside the site engine's pages (feed entries).

Uses the same Markdown dialect as the site (see mkdocs.yml), and makes every link absolute.
"""

from __future__ import annotations

import functools
import posixpath
import re

import markdown

EXTENSIONS = ["footnotes", "attr_list", "md_in_html", "admonition", "tables"]
_URL_ATTR = re.compile(r'(?P<attr>\b(?:href|src))="(?P<url>[^"]*)"')


def page_url(site_url: str, page_path: str) -> str:
    """The published URL of a generated Markdown page (directory URLs)."""
    path = page_path.removesuffix(".md")
    if path == "index" or path.endswith("/index"):
        path = path.removesuffix("index")
    else:
        path += "/"
    return site_url.rstrip("/") + "/" + path.lstrip("/")


def absolute_url(site_url: str, path: str) -> str:
    return site_url.rstrip("/") + "/" + path.lstrip("/")


_FOOTNOTE_ID = re.compile(r'\b(id|href)="(#?)(fn|fnref\d*):')


@functools.cache
def _converter() -> markdown.Markdown:
    """One Markdown converter: building one costs more than converting a summary."""
    return markdown.Markdown(extensions=EXTENSIONS)


def _convert(text: str) -> str:
    return _converter().reset().convert(text)


def absolute_html(html: str, page_path: str, site_url: str, footnote_prefix: str = "") -> str:
    """`html` with absolute links. Footnote ids get `footnote_prefix`, so that several documents can
    share one page (entries of a feed) whatever was converted before."""
    if footnote_prefix:
        html = _FOOTNOTE_ID.sub(lambda m: f'{m.group(1)}="{m.group(2)}{m.group(3)}:{footnote_prefix}-', html)
    return absolutize(html, page_path, site_url)


def absolutize(html: str, page_path: str, site_url: str) -> str:
    base = posixpath.dirname(page_path)

    def fix(m: re.Match) -> str:
        url = m.group("url")
        if re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I) or url.startswith(("#", "/")):
            return m.group(0)
        target, _, fragment = url.partition("#")
        resolved = posixpath.normpath(posixpath.join(base, target))
        absolute = page_url(site_url, resolved) if resolved.endswith(".md") else site_url.rstrip("/") + "/" + resolved
        return f'{m.group("attr")}="{absolute}{"#" + fragment if fragment else ""}"'

    return _URL_ATTR.sub(fix, html)


@functools.lru_cache(maxsize=256)
def plain_text(text: str) -> str:
    """Markdown → one line of plain text (for meta descriptions and social cards). Cached: a brief's
    summary is asked for by its page, its head and its JSON-LD."""
    import html as html_lib

    from .finish import is_plain

    if is_plain((text or "").strip()):  # what Markdown would leave as it is
        return " ".join((text or "").split())
    rendered = _convert(text or "")
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", rendered)).split())
