"""Atom and RSS 2.0 feeds, site-wide and per series and topic, with the full text of each brief."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, replace
from email.utils import format_datetime

from .finish import expand
from .html import absolute_html, page_url
from .listings import Listing
from .resolve import ResolvedBrief
from .sanitize import clean


@dataclass(frozen=True)
class FeedEntry:
    url: str
    title: str
    authors: list[str]
    published: dt.datetime
    updated: dt.datetime
    summary: str
    content_html: str
    categories: list[str]
    lang: str = "en"  # the brief's language (xml:lang of its entry)

    @property
    def rfc822(self) -> str:
        return format_datetime(self.published)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


_HEADING_ID = re.compile(r'(<h[1-6])\sid="[^"]*"')


_PICTURE = re.compile(r"<picture><source [^>]*>|</picture>")


@dataclass(frozen=True)
class RenderedFeedEntry:
    """A feed entry whose content is rendered but not finished: `finish` is done by finish.Finisher, on
    any core, next to the brief's page (whose body it converts again: finish.py keeps the last ones)."""

    entry: FeedEntry  # content_html: the rendered template, Markdown still marked
    page_path: str
    site_url: str
    slug: str

    def finish(self) -> FeedEntry:
        # headings without the page's ids: a feed holds many briefs, and readers drop ids anyway
        html = _HEADING_ID.sub(r"\1", expand(self.entry.content_html).strip("\n"))
        # pictures as plain images: feed readers take an <img>'s src (the copy no wider than the widest)
        # and drop <picture> and <source>
        html = _PICTURE.sub("", html) if "<picture>" in html else html
        content = clean(absolute_html(html, self.page_path, self.site_url, footnote_prefix=self.slug))
        return replace(self.entry, content_html=content)


def feed_entry(rb: ResolvedBrief, renderer, site_url: str) -> RenderedFeedEntry:
    brief = rb.brief
    entry = FeedEntry(
        page_url(site_url, rb.page_path), brief.title, [renderer.corpus.authors[a].name for a in brief.authors],
        midnight(brief.date), midnight(brief.last_modified or brief.date), (brief.summary or "").strip(),
        renderer.feed_content(rb), list(brief.topics), brief.lang)
    return RenderedFeedEntry(entry, rb.page_path, site_url, rb.slug)


def feed_page(listing: Listing, rel: str, items: list[FeedEntry], renderer, site_url: str, site_name: str) -> str:
    """The Atom (feed.xml) or RSS (rss.xml) feed of a listing, with `items`: its newest briefs in full."""
    updated = max((e.updated for e in items), default=midnight(dt.date(2000, 1, 1)))
    context = {
        "title": site_name if listing.kind == "home" else f"{listing.title} — {site_name}",
        "subtitle": listing.description or "",
        "self_url": site_url.rstrip("/") + "/" + listing.feed,
        "rss_url": site_url.rstrip("/") + "/" + listing.feed.replace("feed.xml", "rss.xml"),
        "page_url": page_url(site_url, listing.first),
        "updated": updated, "entries": items, "site_name": site_name, "lang": renderer.site_labels.lang,
    }
    template = "feeds/rss.xml.j2" if rel.endswith("rss.xml") else "feeds/atom.xml.j2"
    return renderer.env.get_template(template).render(**context)
