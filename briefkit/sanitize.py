"""The raw-HTML policy for what editors write: an allow-list enforced by an HTML sanitizer (nh3).

Editors write Markdown; a little inline HTML is allowed (the tags below, e.g. <sup>, <abbr>, <mark>).
Everything else is removed from the published HTML: <script>, <style>, <iframe>, <meta>, <form> and
the like with their content, every on…= attribute, and links or images whose address is not http,
https, mailto or relative (so no javascript: or data: URLs). The rules are applied to the rendered
HTML of every generated page and feed entry, after Markdown, so no syntax can get around them.
"""

from __future__ import annotations

import re

import nh3

from .embeds import allowed_frame
from .yamlsrc import FORBIDDEN_CHARACTERS, find_forbidden

TAGS = {
    "a", "abbr", "article", "aside", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "nav", "ol", "p", "pre", "q", "s", "section", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
    "u", "ul", "iframe", "picture", "source",
}
GENERIC = {"class", "id", "lang", "dir", "title", "role", "aria-label", "aria-current", "aria-describedby",
           "aria-hidden"}
ATTRIBUTES = {
    "*": GENERIC,
    "a": {"href", "rel", "download", "type", "hreflang"},
    # labels in the page's language for what the scripts add (docs/assets/notes.js, compare.js)
    "p": {"data-label-print"},
    "section": {"data-label-go-to-note"},
    "figure": {"data-label-compare"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "fetchpriority", "srcset", "sizes"},
    "source": {"srcset", "sizes", "type", "media", "width", "height"},
    "time": {"datetime"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "q": {"cite"},
    "blockquote": {"cite"},
    "iframe": {"src", "title", "loading", "referrerpolicy", "allowfullscreen"},
}
URL_SCHEMES = {"http", "https", "mailto"}
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea", "select",
                     "svg", "math", "title", "head", "meta", "link", "form", "button", "input"}


def clean(html: str) -> str:
    # a numeric reference (&#7;) is decoded by the sanitizer: characters no page or feed may hold go
    # (the check refuses them in editors' text first; this is for anything that slips through)
    cleaned = _clean(html)
    return FORBIDDEN_CHARACTERS.sub("", cleaned) if find_forbidden(cleaned) else cleaned


def _frames_only_allowed(tag: str, attribute: str, value: str) -> str | None:
    """An iframe stays only with the address of an allowed embed (embeds.py); any other goes. A srcset
    (responsive images) stays only when every address in it is relative or http(s), as src must be."""
    if tag == "iframe" and attribute == "src":
        return value if allowed_frame(value) else None
    if attribute == "srcset":
        urls = [candidate.strip().split()[0] for candidate in value.split(",") if candidate.strip()]
        return value if all(_SAFE_ADDRESS.match(url) for url in urls) else None
    return value


_SAFE_ADDRESS = re.compile(r"^(?:https?://|[^:/?#]*(?:[/?#]|$))", re.I)  # http(s), or a path without a scheme


def _clean(html: str) -> str:
    if "<iframe" in html:
        html = _IFRAME_WITHOUT_ALLOWED_SRC.sub("", html)
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags=DROP_WITH_CONTENT - TAGS,
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"text-align"},
        attribute_filter=_frames_only_allowed,
    )


# an iframe whose address is not an allowed embed's loses its tag here (nh3 would keep it without src)
_IFRAME_WITHOUT_ALLOWED_SRC = re.compile(r"<iframe\b(?![^>]*\bsrc=\"(?:https://datawrapper\.dwcdn\.net/|"
                                         r"https://flo\.uri\.sh/|https://www\.youtube-nocookie\.com/embed/))"
                                         r"[^>]*>", re.I)
