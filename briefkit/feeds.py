"""Atom and RSS 2.0 feeds, site-wide and per series and topic, with the full text of each brief."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from email.utils import format_datetime

from .html import page_url, to_html
from .listings import Listing
from .resolve import ResolvedBrief
from .sanitize import clean


@dataclass(frozen=True)
class FeedEntry:
    brief: ResolvedBrief
    url: str
    title: str
    authors: list[str]
    published: dt.datetime
    updated: dt.datetime
    summary: str
    content_html: str
    categories: list[str]

    @property
    def rfc822(self) -> str:
        return format_datetime(self.published)


def midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def feed_pages(listings: list[Listing], renderer, site_url: str, site_name: str, size: int) -> dict[str, str]:
    """Atom (feed.xml) and RSS (rss.xml) for every listing that has a feed."""
    entries: dict[str, FeedEntry] = {}

    def entry(rb: ResolvedBrief) -> FeedEntry:
        if rb.slug not in entries:
            brief = rb.brief
            content = clean(to_html(renderer.feed_content(rb), rb.page_path, site_url))
            entries[rb.slug] = FeedEntry(
                rb, page_url(site_url, rb.page_path), brief.title,
                [renderer.corpus.authors[a].name for a in brief.authors],
                midnight(brief.date), midnight(brief.updated or brief.date),
                (brief.summary or "").strip(), content, list(brief.topics))
        return entries[rb.slug]

    pages = {}
    for listing in listings:
        if not listing.feed:
            continue
        items = [entry(rb) for rb in listing.briefs[:size]]
        updated = max((e.updated for e in items), default=midnight(dt.date(2000, 1, 1)))
        context = {
            "title": site_name if listing.kind == "home" else f"{listing.title} — {site_name}",
            "subtitle": listing.description or "",
            "self_url": site_url.rstrip("/") + "/" + listing.feed,
            "rss_url": site_url.rstrip("/") + "/" + listing.feed.replace("feed.xml", "rss.xml"),
            "page_url": page_url(site_url, listing.first),
            "updated": updated, "entries": items, "site_name": site_name,
        }
        pages[listing.feed] = renderer.env.get_template("feeds/atom.xml.j2").render(**context)
        pages[listing.feed.replace("feed.xml", "rss.xml")] = renderer.env.get_template("feeds/rss.xml.j2").render(
            **context)
    return pages
