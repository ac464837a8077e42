"""The raw-HTML policy for what editors write: an allow-list enforced by an HTML sanitizer (nh3).

Editors write Markdown; a little inline HTML is allowed (the tags below, e.g. <sup>, <abbr>, <mark>).
Everything else is removed from the published HTML: <script>, <style>, <iframe>, <meta>, <form> and
the like with their content, every on…= attribute, and links or images whose address is not http,
https, mailto or relative (so no javascript: or data: URLs). The rules are applied to the rendered
HTML of every generated page and feed entry, after Markdown, so no syntax can get around them.
"""

from __future__ import annotations

import nh3

from .yamlsrc import FORBIDDEN_CHARACTERS, find_forbidden

TAGS = {
    "a", "abbr", "article", "aside", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup",
    "dd", "del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "nav", "ol", "p", "pre", "q", "s", "section", "small",
    "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
    "u", "ul",
}
GENERIC = {"class", "id", "lang", "dir", "title", "role", "aria-label", "aria-current", "aria-describedby",
           "aria-hidden"}
ATTRIBUTES = {
    "*": GENERIC,
    "a": {"href", "rel", "download", "type"},
    "img": {"src", "alt", "width", "height", "loading"},
    "time": {"datetime"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "q": {"cite"},
    "blockquote": {"cite"},
}
URL_SCHEMES = {"http", "https", "mailto"}
DROP_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "template", "noscript", "textarea", "select",
                     "svg", "math", "title", "head", "meta", "link", "form", "button", "input"}


def clean(html: str) -> str:
    # a numeric reference (&#7;) is decoded by the sanitizer: characters no page or feed may hold go
    # (the check refuses them in editors' text first; this is for anything that slips through)
    cleaned = _clean(html)
    return FORBIDDEN_CHARACTERS.sub("", cleaned) if find_forbidden(cleaned) else cleaned


def _clean(html: str) -> str:
    return nh3.clean(
        html,
        tags=TAGS,
        attributes=ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        clean_content_tags=DROP_WITH_CONTENT - TAGS,
        link_rel=None,
        strip_comments=True,
        filter_style_properties={"text-align"},
    )
