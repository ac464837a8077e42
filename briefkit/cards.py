"""What listings, related links and the build's bookkeeping need of a brief: a small, cacheable card.

A card is made when a brief file is loaded and kept between builds (see memo.py), so a build where
one brief changed reads the other briefs' cards instead of parsing and rendering them again.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .load import BriefSource


@dataclass(frozen=True)
class CardImage:
    file: str
    alt: str


@dataclass(frozen=True)
class CardFields:
    """The fields of a brief that other pages show (same names as on the Brief model)."""

    title: str
    date: dt.date
    updated: dt.date | None  # the last change readers are told of: `updated` or the latest correction
    status: str
    series: str | None
    topics: tuple[str, ...]
    authors: tuple[str, ...]
    summary: str | None
    image: CardImage | None
    related: tuple[str, ...]
    lang: str
    translation: str | None = None  # slug of the brief in another language that this one names
    time: dt.time | None = None  # when a scheduled brief is due (generate.publication_moment)
    timezone: str | None = None


@dataclass(frozen=True)
class Card:
    file: str  # briefs/<name>
    slug: str
    digest: str  # of the file's bytes
    brief: CardFields
    images: tuple[str, ...]  # hero and figure files, relative to briefs/
    bibliography: tuple[str, ...]  # the brief's extra .bib files
    cited_keys: frozenset[str]
    shown: str = field(default="", compare=False)  # digest of `brief`: what other pages show of it

    @functools.cached_property  # asked for by every output that shows the brief (10,000 briefs a build)
    def page_path(self) -> str:
        return f"{self.url[:-1]}.md"

    @functools.cached_property
    def url(self) -> str:
        d = self.brief.date
        return f"{d:%Y}/{d:%m}/{self.slug}/"


def card_of(source: BriefSource, digest: str) -> Card:
    b = source.brief
    fields = CardFields(
        title=b.title, date=b.date, updated=b.last_modified, status=b.status, series=b.series, topics=tuple(b.topics),
        authors=tuple(b.authors), summary=b.summary, image=CardImage(b.image.file, b.image.alt) if b.image else None,
        related=tuple(b.related), lang=b.lang, translation=b.translation, time=b.time, timezone=b.timezone)
    images = ((b.image.file,) if b.image else ()) + tuple(file for f in b.figures.values() for file in f.files)
    cited = frozenset(i.key for s in [source.body_scan, *source.note_scans.values()] for c in s.clusters
                      for i in c.items)
    extra = tuple(b.bibliography)
    shown = hashlib.blake2b(repr((source.slug, fields)).encode(), digest_size=16).hexdigest()
    return Card(source.file, source.slug, digest, fields, images, extra, cited, shown)
