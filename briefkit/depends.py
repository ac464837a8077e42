"""What an output is made from besides its own brief file: templates, registry entries, works cited.

The build context (memo.context_key: engine code, mkdocs.yml, the CSL style, the date) is in every
output's key. Templates, registries and bibliographies are not: each output's key names the parts it
uses (generate.py), so that an edit makes again only what shows it. Editing `listing.html.j2` makes
the listings again, not the briefs; an author's bio, the pages of that author's briefs and the
author's own page; a `.bib` entry, the briefs that cite it.
"""

from __future__ import annotations

import functools
from pathlib import Path

import jinja2
import jinja2.meta

from .cards import Card
from .load import Corpus
from .memo import digest

# The templates each kind of output renders (besides those they include or extend)
BRIEF_TEMPLATES = ("brief.html.j2", "head.html.j2", "partials/figure.html.j2")
LISTING_TEMPLATES = ("listing.html.j2",)
FEED_ENTRY_TEMPLATES = ("feeds/entry.html.j2", "partials/figure.html.j2")
FEED_TEMPLATES = ("feeds/atom.xml.j2", "feeds/rss.xml.j2")


class Dependencies:
    """Digests of the parts outputs are made from, each computed once per build."""

    def __init__(self, templates: Path, corpus: Corpus):
        self.folder = templates
        self.corpus = corpus
        self._env = jinja2.Environment()  # only to parse templates for what they include
        self._cards: dict[tuple[str, str, str], str] = {}  # (what, slug, file digest) → digest

    @functools.cache  # noqa: B019 (one object per build)
    def templates(self, *names: str) -> str:
        """The templates `names` and every template they include, import or extend (all templates when
        one names another by a variable: then which one cannot be known)."""
        seen: dict[str, str] = {}
        todo = list(names)
        while todo:
            name = todo.pop()
            if name in seen:
                continue
            path = self.folder / name
            try:
                source = path.read_text(encoding="utf-8")
            except OSError:
                seen[name] = ""  # missing: the render says so
                continue
            seen[name] = digest(source)
            try:
                referenced = list(jinja2.meta.find_referenced_templates(self._env.parse(source)))
            except jinja2.TemplateSyntaxError:
                continue  # the render reports it at its line
            if None in referenced:
                return digest(sorted((p.relative_to(self.folder).as_posix(), digest(p.read_bytes()))
                                     for p in self.folder.rglob("*.j2") if p.is_file()))
            todo += referenced
        return digest(sorted(seen.items()))

    @functools.cache  # noqa: B019
    def entry(self, registry: str | None, key: str | None) -> str:
        """One entry of authors.yml, series.yml or topics.yml, as the engine read it (none: no registry)."""
        value = getattr(self.corpus, registry).get(key) if registry and key else None
        return digest(value.model_dump() if value is not None else None)

    def per_card(self, what: str, card: Card, make) -> str:
        key = (what, card.slug, card.digest)
        if key not in self._cards:
            self._cards[key] = make(card)
        return self._cards[key]

    def registries(self, card: Card) -> str:
        """Every registry entry a brief's own pages show: its authors, series and topics."""
        return self.per_card("registries", card, self._registries)

    def _registries(self, card: Card) -> str:
        b = card.brief
        return digest([self.entry("authors", a) for a in b.authors], self.entry("series", b.series),
                      [self.entry("topics", t) for t in b.topics])

    def names(self, card: Card) -> str:
        """What a listing shows of a brief's registry entries: its authors' names and its series' label."""
        return self.per_card("names", card, self._names)

    def _names(self, card: Card) -> str:
        b = card.brief
        authors = [a.name if (a := self.corpus.authors.get(k)) else None for k in b.authors]
        series = self.corpus.series.get(b.series) if b.series else None
        return digest(authors, series.label if series else None)

    def works(self, card: Card) -> str:
        """The works a brief cites, as citeproc gets them (a `.bib` edit elsewhere leaves it alone)."""
        return self.per_card("works", card, lambda c: digest(sorted((key, self.work(key)) for key in c.cited_keys)))

    @functools.cache  # noqa: B019
    def work(self, key: str) -> str:
        return digest(self.corpus.bibliography.csl_items.get(key))
