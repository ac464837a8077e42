"""A WordPress export (WXR, what Tools → Export writes) read into typed records.

WXR is RSS 2.0 with WordPress's namespaces (`wp:`, `content:`, `excerpt:`, `dc:`), whose version
(1.0, 1.1, 1.2) is part of the namespace: elements are found by their local name, and `encoded` by
whether its namespace is the content or the excerpt one. Every record keeps the line of its <item>,
so that the import report can say where in the export a problem came from. Nothing is fetched: an
attachment's address is kept as text.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

CONTENT_NS = "purl.org/rss/1.0/modules/content"
EXCERPT_NS = "/excerpt/"


class WxrError(Exception):
    """The file is not a WordPress export (an editor's error: reported with its position)."""

    def __init__(self, message: str, line: int = 1):
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class WpAuthor:
    login: str
    display_name: str
    first_name: str = ""
    last_name: str = ""


@dataclass(frozen=True)
class WpTerm:
    """A category or tag of a post: its taxonomy (`category`, `post_tag`), slug and name."""

    domain: str
    nicename: str
    name: str


@dataclass(frozen=True)
class WpItem:
    """One <item>: a post, page, attachment or other post type."""

    id: int
    type: str  # post, page, attachment, nav_menu_item, …
    status: str  # publish, draft, pending, future, private, inherit, trash
    title: str
    link: str
    slug: str  # post_name ("" for a draft that never had one)
    creator: str  # the author's login
    date: dt.datetime | None  # post_date, the site's local time
    date_gmt: dt.datetime | None  # post_date_gmt (UTC); None for drafts ("0000-00-00 00:00:00")
    content: str
    excerpt: str
    terms: tuple[WpTerm, ...] = ()
    meta: dict[str, str] = field(default_factory=dict)
    parent: int = 0
    attachment_url: str = ""
    line: int = 0  # of the <item> in the export

    @property
    def categories(self) -> list[WpTerm]:
        return [t for t in self.terms if t.domain == "category"]

    @property
    def tags(self) -> list[WpTerm]:
        return [t for t in self.terms if t.domain == "post_tag"]

    @property
    def thumbnail_id(self) -> int | None:
        value = self.meta.get("_thumbnail_id", "").strip()
        return int(value) if value.isdigit() else None


@dataclass(frozen=True)
class WpSite:
    title: str
    link: str  # the blog's address (wp:base_blog_url, else the channel's link)
    language: str
    authors: dict[str, WpAuthor]
    items: list[WpItem]

    def by_id(self) -> dict[int, WpItem]:
        return {item.id: item for item in self.items}


def _local(element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def _text(parent, name: str) -> str:
    for child in parent:
        if _local(child) == name:
            return (child.text or "").strip() if name not in ("encoded",) else (child.text or "")
    return ""


def _encoded(item, namespace_part: str) -> str:
    for child in item:
        if _local(child) == "encoded" and namespace_part in (etree.QName(child).namespace or ""):
            return child.text or ""
    return ""


def _moment(value: str) -> dt.datetime | None:
    value = value.strip()
    if not value or value.startswith("0000-00-00"):
        return None
    try:
        return dt.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None


def _int(value: str) -> int:
    value = value.strip()
    return int(value) if value.isdigit() else 0


def read_wxr(path: Path) -> WpSite:
    """The site, its authors and every item of the export at `path`."""
    parser = etree.XMLParser(recover=False, huge_tree=True, resolve_entities=False, no_network=True)
    try:
        root = etree.parse(str(path), parser).getroot()
    except etree.XMLSyntaxError as exc:
        raise WxrError(f"not a readable XML file: {exc.msg}", exc.lineno or 1) from None
    channel = next((c for c in root if _local(c) == "channel"), None)
    if _local(root) != "rss" or channel is None:
        raise WxrError("not a WordPress export: the file has no <rss><channel>", root.sourceline or 1)
    authors = {}
    for element in channel:
        if _local(element) == "author":
            login = _text(element, "author_login")
            if login:
                authors[login] = WpAuthor(login, _text(element, "author_display_name") or login,
                                          _text(element, "author_first_name"), _text(element, "author_last_name"))
    items = [_item(element) for element in channel if _local(element) == "item"]
    if not any(_local(e) in ("wxr_version", "base_site_url") for e in channel):
        raise WxrError("not a WordPress export: the channel has no wp:wxr_version", channel.sourceline or 1)
    link = _text(channel, "base_blog_url") or _text(channel, "link")
    return WpSite(_text(channel, "title"), link.rstrip("/"), _text(channel, "language"), authors, items)


def _item(element) -> WpItem:
    terms, meta = [], {}
    for child in element:
        name = _local(child)
        if name == "category" and child.get("domain"):
            terms.append(WpTerm(child.get("domain", ""), child.get("nicename", ""), (child.text or "").strip()))
        elif name == "postmeta":
            key = _text(child, "meta_key")
            if key:
                meta[key] = next(((v.text or "") for v in child if _local(v) == "meta_value"), "")
    return WpItem(
        id=_int(_text(element, "post_id")), type=_text(element, "post_type") or "post",
        status=_text(element, "status") or "publish", title=_text(element, "title"), link=_text(element, "link"),
        slug=_text(element, "post_name"), creator=_text(element, "creator"),
        date=_moment(_text(element, "post_date")), date_gmt=_moment(_text(element, "post_date_gmt")),
        content=_encoded(element, CONTENT_NS), excerpt=_encoded(element, EXCERPT_NS).strip(),
        terms=tuple(terms), meta=meta, parent=_int(_text(element, "post_parent")),
        attachment_url=_text(element, "attachment_url"), line=element.sourceline or 0)
