"""Listings of briefs: home, series, topics, authors and the archive, paginated.

Every listing page holds at most `page_size` entries, so no page grows with the number of briefs;
the index pages (all series, all topics, all authors, years and months) grow only with those.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .cards import Card
from .i18n import Labels
from .load import Corpus


def topic_label(corpus: Corpus, key: str, lang: str = "") -> str:
    """A topic's label (in `lang` when topics.yml gives one); a topic not in topics.yml is named after its key."""
    topic = corpus.topics.get(key)
    return topic.label_in(lang) if topic else key.replace("-", " ").title()


@dataclass(frozen=True)
class Listing:
    """A paginated list of briefs. Page 1 is `first`; page n is `<first without .md>/page/<n>.md`."""

    kind: str  # home, series, topic, author, year, month
    key: str
    first: str  # Markdown path of page 1, e.g. series/quick-take.md
    title: str
    briefs: tuple[Card, ...]
    description: str | None = None
    feed: str | None = None  # Atom feed path for this listing
    extra: dict = field(default_factory=dict, hash=False, compare=False)

    def page_path(self, number: int) -> str:
        if number == 1:
            return self.first
        stem = self.first.removesuffix(".md")
        if stem == "index":
            stem = ""
        return f"{stem}/page/{number}.md" if stem else f"page/{number}.md"

    def pages(self, size: int) -> list[tuple[int, tuple[Card, ...]]]:
        chunks = [self.briefs[i : i + size] for i in range(0, len(self.briefs), size)] or [()]
        return list(enumerate(chunks, start=1))


def feed_path(kind: str, key: str) -> str | None:
    return {"home": "feed.xml", "series": f"series/{key}/feed.xml", "topic": f"topics/{key}/feed.xml"}.get(kind)


def build_listings(corpus: Corpus, briefs: list[Card], t: Labels) -> list[Listing]:
    """All listings; `briefs` are the cards of the visible briefs, newest first; titles in the site's language."""
    listings = [Listing("home", "", "index.md", t("latest_briefs"), tuple(briefs), feed=feed_path("home", ""))]
    by_series: dict[str, list[Card]] = defaultdict(list)
    by_topic: dict[str, list[Card]] = defaultdict(list)
    by_author: dict[str, list[Card]] = defaultdict(list)
    by_year: dict[int, list[Card]] = defaultdict(list)
    by_month: dict[tuple[int, int], list[Card]] = defaultdict(list)
    for rb in briefs:
        if rb.brief.series:
            by_series[rb.brief.series].append(rb)
        for topic in rb.brief.topics:
            by_topic[topic].append(rb)
        for author in rb.brief.authors:
            by_author[author].append(rb)
        by_year[rb.brief.date.year].append(rb)
        by_month[(rb.brief.date.year, rb.brief.date.month)].append(rb)
    for key, series in sorted(corpus.series.items()):
        listings.append(Listing("series", key, f"series/{key}.md", series.label_in(t.lang), tuple(by_series[key]),
                                series.description, feed_path("series", key)))
    for key in sorted(set(corpus.topics) | set(by_topic)):
        topic = corpus.topics.get(key)
        listings.append(Listing("topic", key, f"topics/{key}.md", topic_label(corpus, key, t.lang),
                                tuple(by_topic[key]), topic.description if topic else None, feed_path("topic", key)))
    for key, author in sorted(corpus.authors.items()):
        listings.append(Listing("author", key, f"authors/{key}.md", author.name, tuple(by_author[key]),
                                extra={"author": author}))
    for year, items in sorted(by_year.items()):
        listings.append(Listing("year", str(year), f"archive/{year}.md", t("briefs_of", period=str(year)), tuple(items),
                                extra={"period": str(year)}))
    for (year, month), items in sorted(by_month.items()):
        name = t.month(year, month)
        listings.append(Listing("month", f"{year}-{month:02d}", f"archive/{year}/{month:02d}.md",
                                t("briefs_of", period=name), tuple(items),
                                extra={"year": year, "month": month, "period": name}))
    return listings
