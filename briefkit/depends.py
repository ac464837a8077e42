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
INDEX_TEMPLATES = ("index.html.j2",)  # the pages listing every series, topic, author and archive period
FEED_ENTRY_TEMPLATES = ("feeds/entry.html.j2", "partials/figure.html.j2")
FEED_TEMPLATES = ("feeds/atom.xml.j2", "feeds/rss.xml.j2")


class Dependencies:
    """Digests of the parts outputs are made from, each computed once per build.

    With `shared` (a dict a long-running process keeps: generate.Session), the digests of each brief's
    parts and of each template's includes are kept from one build to the next while no registry entry
    and no work of any .bib file changed (then they start again): at 10,000 briefs, most of the time of
    a build after one edit."""

    def __init__(self, templates: Path, corpus: Corpus, shared: dict | None = None):
        self.folder = templates
        self.corpus = corpus
        self._env = jinja2.Environment()  # only to parse templates for what they include
        self._cards: dict[tuple, str] = {}  # (what, slug, file digest, …) → digest
        self._includes: dict[str, list] = {}  # template source digest → the templates it names
        self._keys: dict[tuple, str] = {}  # parts → digest (see key)
        if shared is not None:
            if len(shared.get("keys", ())) > 200_000:  # keys of outputs that changed since: let go now and then
                shared.clear()
            world = self._world()
            if shared.get("world") != world:
                shared.clear()
                shared.update(world=world, cards={}, includes={}, keys={})
            self._cards, self._includes, self._keys = shared["cards"], shared["includes"], shared["keys"]

    def _world(self) -> str:
        """Every registry entry and every work, as the engine read them."""
        corpus = self.corpus
        return digest([(name, sorted((k, v.model_dump()) for k, v in getattr(corpus, name).items()))
                       for name in ("authors", "series", "topics")],
                      sorted(corpus.bibliography.csl_items.items()))

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
            if seen[name] not in self._includes:
                try:
                    self._includes[seen[name]] = list(jinja2.meta.find_referenced_templates(self._env.parse(source)))
                except jinja2.TemplateSyntaxError:
                    self._includes[seen[name]] = []  # the render reports it at its line
            referenced = self._includes[seen[name]]
            if None in referenced:
                return digest(sorted((p.relative_to(self.folder).as_posix(), digest(p.read_bytes()))
                                     for p in self.folder.rglob("*.j2") if p.is_file()))
            todo += referenced
        return digest(sorted(seen.items()), self._labels())

    @functools.cache  # noqa: B019
    def _labels(self) -> str:
        """The label files (templates/i18n/): every template prints labels from them."""
        folder = self.folder / "i18n"
        return digest(sorted((p.name, digest(p.read_bytes())) for p in folder.glob("*.yml"))) if folder.is_dir() else ""

    @functools.cache  # noqa: B019
    def entry(self, registry: str | None, key: str | None) -> str:
        """One entry of authors.yml, series.yml or topics.yml, as the engine read it (none: no registry)."""
        value = getattr(self.corpus, registry).get(key) if registry and key else None
        return digest(value.model_dump() if value is not None else None)

    def key(self, *parts) -> str:
        """memo.digest(*parts) of hashable parts, remembered (with `shared`, from one build to the next)."""
        if parts not in self._keys:
            self._keys[parts] = digest(*parts)
        return self._keys[parts]

    def per_card(self, what: str, card: Card, make, *more) -> str:
        """make(card, *more), remembered by the card's slug and file digest and `more`."""
        key = (what, card.slug, card.digest, *more)
        if key not in self._cards:
            self._cards[key] = make(card, *more)
        return self._cards[key]

    def registries(self, card: Card) -> str:
        """Every registry entry a brief's own pages show: its authors, series and topics."""
        return self.per_card("registries", card, self._registries)

    def _registries(self, card: Card) -> str:
        b = card.brief
        return self._registries_of(b.authors, b.series, b.topics)

    @functools.cache  # noqa: B019 (briefs share authors, series and topics: each combination digested once)
    def _registries_of(self, authors: tuple[str, ...], series: str | None, topics: tuple[str, ...]) -> str:
        return digest([self.entry("authors", a) for a in authors], self.entry("series", series),
                      [self.entry("topics", t) for t in topics])

    def names(self, card: Card) -> str:
        """What a listing shows of a brief's registry entries: its authors' names and its series' label."""
        return self.per_card("names", card, self._names)

    def _names(self, card: Card) -> str:
        return self._names_of(card.brief.authors, card.brief.series)

    @functools.cache  # noqa: B019
    def _names_of(self, authors: tuple[str, ...], series_key: str | None) -> str:
        names = [a.name if (a := self.corpus.authors.get(k)) else None for k in authors]
        series = self.corpus.series.get(series_key) if series_key else None
        return digest(names, series.label if series else None)

    def works(self, card: Card) -> str:
        """The works a brief cites, as citeproc gets them (a `.bib` edit elsewhere leaves it alone)."""
        return self.per_card("works", card, lambda c: self._works_of(c.cited_keys))

    @functools.cache  # noqa: B019
    def _works_of(self, keys: frozenset[str]) -> str:
        return digest(sorted((key, self.work(key)) for key in keys))

    @functools.cache  # noqa: B019
    def work(self, key: str) -> str:
        return digest(self.corpus.bibliography.csl_items.get(key))
