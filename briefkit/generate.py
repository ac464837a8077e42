"""The whole generation step: load and check, format notes, render pages, write what changed.

Nothing is written unless there are zero errors. The output is a folder of Markdown pages plus the
list of editors' assets (images) any site engine can publish; see mkdocs_glue for MkDocs.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .cards import Card
from .cite import CiteprocError, check_style
from .config import Config
from .diagnostics import Diagnostics, EditorError, Span
from .feeds import FeedEntry, feed_entry, feed_page
from .listings import Listing, build_listings
from .load import Corpus, KnownBrief, load_corpus
from .memo import Memo, context_key, digest
from .model import brief_json_schema
from .outputs import UnsafeOutputPath, output_path, read_manifest, write_manifest
from .pdf import PdfBuilder, pdf_is_whole, pdf_path
from .producer import BIB, FEED_ENTRY, PAGE, RIS, Producer, Request, Task
from .related import related_briefs
from .render import Renderer
from .resolve import ResolvedBrief, resolve
from .selfcite import bibtex, ris

LATEST_MARKER = "<!-- latest-briefs -->"


class PageSet(Mapping[str, str]):
    """Every page of the site: rendered now, or unchanged since the last build and read from disk."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.rendered: dict[str, str] = {}  # until written (see release)
        self.made: set[str] = set()  # rendered in this build
        self.kept: set[str] = set()
        self.deferred: dict[str, object] = {}  # rendered once their briefs are formatted (Generation.produce)

    def __getitem__(self, rel: str) -> str:
        if rel in self.rendered:
            return self.rendered[rel]
        if rel in self.kept:
            return (self.folder / rel).read_text(encoding="utf-8")
        raise KeyError(rel)

    def release(self) -> None:
        """The rendered pages are written: read them back from disk when asked, as 10,000 of them add up."""
        self.made.update(self.rendered)
        self.kept.update(self.rendered)
        self.rendered.clear()

    def __iter__(self):
        return iter(sorted(self.rendered.keys() | self.kept | self.deferred.keys()))

    def __len__(self) -> int:
        return len(self.rendered.keys() | self.kept | self.deferred.keys())

    def __contains__(self, rel) -> bool:
        return rel in self.rendered or rel in self.kept or rel in self.deferred



@dataclass
class Generation:
    config: Config
    corpus: Corpus
    cards: list[Card]  # published (or previewed) briefs, newest first
    pages: PageSet  # path relative to the pages folder → content
    assets: list[str]  # files under briefs/ to publish at the same relative path
    latest_markdown: str  # the home page's list of latest briefs
    warnings: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, Path] = field(default_factory=dict)  # published path → file elsewhere (PDFs in the cache)
    changed: list[str] = field(default_factory=list)
    materialize: Callable[[list[Card]], dict[str, ResolvedBrief]] | None = None
    _memo: Memo | None = None
    _write: bool = True
    _todo: list = field(default_factory=list)
    _producer: Producer | None = None

    def produce(self, rel: str) -> str:
        """A page that the producer process makes (see generate's defer)."""
        todo = self.pages.deferred.pop(rel, None)
        if todo is None:
            return self.pages[rel]
        try:
            if todo.tasks and todo.tasks[0].kind == FEED_ENTRY:
                for task in todo.tasks:
                    entry = self._producer.result(task.key, keep=True)
                    card = next(c for c in todo.needs if c.slug == task.slug)
                    self._memo.feed_entries[card.slug] = (feed_entry_key(self._memo, card), entry)
                content = todo.render({})
            else:
                content = self._producer.result(rel)
        except BaseException:
            self._producer.close()
            raise
        if write_page(output_path(self.config.pages_path, rel), content):
            self.changed.append(rel)
        self.pages.made.add(rel)
        self.pages.kept.add(rel)  # on disk now: 10,000 pages are not kept in memory too
        return content

    def abandon(self) -> None:
        """Stop the producer process of a build that failed."""
        if self._producer is not None:
            self._producer.close()

    def complete(self) -> None:
        """Produce what is left, then remember this build for the next one."""
        for rel in list(self.pages.deferred):
            self.produce(rel)
        if self._producer is not None:
            self._producer.close()
        memo = self._memo
        if self._write:
            folder = self.config.pages_path
            for t in self._todo:
                memo.record_page(folder, t.rel, t.key)
            memo.pages = {rel: r for rel, r in memo.pages.items() if rel in self.pages}
            memo.written = set(self.pages)
        visible = {c.slug for c in self.cards}
        memo.feed_entries = {slug: e for slug, e in memo.feed_entries.items() if slug in visible}
        memo.save(self.config)

    @property
    def briefs(self) -> list[ResolvedBrief]:
        """Every published brief with its formatted notes (loaded and formatted on demand)."""
        resolved = self.materialize(self.cards) if self.materialize else {}
        return [resolved[c.slug] for c in self.cards]


def check(config: Config, known: dict[str, KnownBrief] | None = None,
          bibs: dict | None = None, keep_sources: bool = True) -> tuple[Corpus, Diagnostics]:
    corpus, diags = load_corpus(config, known, bibs, keep_sources)
    check_style(config.csl_path, config.csl, diags)
    return corpus, diags


def today() -> dt.date:
    """The build date that decides which briefs are due; BRIEFKIT_TODAY (YYYY-MM-DD) fixes it for tests."""
    fixed = os.environ.get("BRIEFKIT_TODAY")
    return dt.date.fromisoformat(fixed) if fixed else dt.date.today()


def status_of(brief, day: dt.date) -> str:
    """"" for a published brief, "draft" or "scheduled" (dated in the future) otherwise."""
    if brief.status == "draft":
        return "draft"
    return "scheduled" if brief.date > day else ""


@dataclass
class _Todo:
    """A page to render: its key, the briefs it needs in full, and how to render it from them."""

    rel: str
    key: str
    needs: tuple[Card, ...]
    render: Callable[[dict[str, ResolvedBrief]], str]
    tasks: tuple[Task, ...] = ()


def generate(config: Config, *, write: bool = True, drafts: bool = False, progress: bool = False,
             pdfs: set[str] | None = None, every_pdf: bool = False, defer: bool = False) -> Generation:
    """Everything the site needs. With drafts=True (preview), drafts and scheduled briefs are included.

    PDFs are built for every brief when the site has them (or with every_pdf), or only for the
    slugs in `pdfs` if given. Only outputs whose inputs changed since the last build are made again.

    With defer=True (and no PDFs), pages that need formatted notes are made by a producer process
    while the site engine works: the engine takes each with `produce` when it reads it, and calls
    `complete` before it copies files. MkDocs (one core) then overlaps with pandoc and rendering.
    """
    day = today()
    memo = Memo.load(config, context_key(config, day, drafts))
    pdf_wanted = bool(config.pdf or every_pdf or pdfs is not None)
    producing = defer and write and not pdf_wanted
    # a producer process loads the full briefs it needs: here, cards are enough
    corpus, diags = check(config, memo.known, memo.bibs, keep_sources=not producing)
    if diags.has_errors:
        raise EditorError(diags)
    memo.known = {c.file: KnownBrief(c.digest, c, tuple(corpus.warnings.get(c.file, ()))) for c in corpus.cards}
    status = {c.slug: status_of(c.brief, day) for c in corpus.cards}
    visible = [c for c in corpus.cards if drafts or not status[c.slug]]
    by_slug = {c.slug: c for c in visible}
    related = _related(memo, visible, config.related)
    renderer = Renderer(config, corpus, {slug: s for slug, s in status.items() if s})
    resolved: dict[str, ResolvedBrief] = {}

    def materialize(cards: list[Card]) -> dict[str, ResolvedBrief]:
        missing = [c for c in cards if c.slug not in resolved]
        if missing:
            sources = corpus.load(config, missing)
            subset = Corpus(sources, corpus.authors, corpus.series, corpus.topics, corpus.bibliography)
            try:
                done = resolve(subset, config.csl_path, config.cache_path, config.site_name, config.site_url)
            except CiteprocError as exc:
                diags.error(Span(config.csl, 1, 1), f"pandoc could not format the citations with this style: {exc}")
                raise EditorError(diags) from None
            resolved.update((rb.slug, rb) for rb in done)
        return {c.slug: resolved[c.slug] for c in cards}

    pages = PageSet(config.pages_path)
    folder = str(config.pages_path)
    todo: list[_Todo] = []

    def want(rel: str, key: str, needs: tuple[Card, ...], tasks: tuple[Task, ...], render: Callable[..., str],
             *args) -> None:
        """Keep the page from the last build if its key is unchanged, else render it: render(full briefs, *args).
        `tasks` are what a producer process does instead when rendering is deferred."""
        if write and memo.page_is_current(folder, rel, key):
            pages.kept.add(rel)
        else:
            todo.append(_Todo(rel, key, needs, functools.partial(render, *args), tasks))

    def brief_page(card: Card, near: list[Card], full: dict[str, ResolvedBrief]) -> str:
        return renderer.brief_page(full[card.slug], near)

    def own_reference(card: Card, fn, full: dict[str, ResolvedBrief]) -> str:
        rb = full[card.slug]
        return fn(corpus, rb.source, rb.citation_item)

    def listing_page(listing: Listing, number: int, chunk, count: int, _full) -> str:
        return renderer.listing_page(listing, number, chunk, count)

    def feed_entry_of(card: Card, full: dict[str, ResolvedBrief]) -> FeedEntry:
        """A brief's feed entry (its full text as HTML), made again only when its file, name or date changed."""
        key = feed_entry_key(memo, card)
        known = memo.feed_entries.get(card.slug)
        if known is None or known[0] != key:
            known = memo.feed_entries[card.slug] = (key, feed_entry(full[card.slug], renderer, config.site_url))
        return known[1]

    def feed(listing: Listing, rel: str, full: dict[str, ResolvedBrief]) -> str:
        items = [feed_entry_of(c, full) for c in listing.briefs[: config.feed_size]]
        return feed_page(listing, rel, items, renderer, config.site_url, config.site_name)

    assets: set[str] = set()
    for card in visible:
        near = [by_slug[s] for s in related[card.slug]]
        key = digest(memo.key, card.digest, status[card.slug], [r.shown for r in near])
        want(card.page_path, key, (card,), (Task(PAGE, card.slug, card.page_path, related[card.slug]),),
             brief_page, card, near)
        own = card.page_path.removesuffix(".md") + "/" + card.slug
        want(own + ".bib", digest(memo.key, card.digest, "bib"), (card,), (Task(BIB, card.slug, own + ".bib"),),
             own_reference, card, bibtex)
        want(own + ".ris", digest(memo.key, card.digest, "ris"), (card,), (Task(RIS, card.slug, own + ".ris"),),
             own_reference, card, ris)
        assets.update(card.images)
    assets.update(a.photo for a in corpus.authors.values() if a.photo)
    listings = build_listings(corpus, visible)
    latest = ""
    for listing in listings:
        chunks = listing.pages(config.page_size)
        for number, chunk in chunks:
            if listing.kind == "home" and number == 1:
                latest = renderer.listing_page(listing, number, chunk, len(chunks))
                continue
            rel = listing.page_path(number)
            key = digest(memo.key, rel, listing.title, listing.description, len(chunks),
                         [(c.shown, status[c.slug]) for c in chunk])
            want(rel, key, (), (), listing_page, listing, number, chunk, len(chunks))
        if listing.feed:
            entries = listing.briefs[: config.feed_size]
            # each entry's slug and address too: a renamed or re-dated brief has the same bytes (c.digest)
            key = digest(memo.key, listing.feed, listing.title, listing.description, listing.first,
                         [(c.digest, c.slug, c.url, status[c.slug]) for c in entries])
            entry_key = {c.slug: feed_entry_key(memo, c) for c in entries}
            needs = tuple(c for c in entries if memo.feed_entries.get(c.slug, ("",))[0] != entry_key[c.slug])
            tasks = tuple(Task(FEED_ENTRY, c.slug, c.slug) for c in needs)
            for rel in (listing.feed, listing.feed.replace("feed.xml", "rss.xml")):
                want(rel, key, needs, tasks, feed, listing, rel)
    pages.rendered.update(index_pages(renderer, corpus, listings))
    pages.rendered["schema/brief.schema.json"] = json.dumps(brief_json_schema(config.site_url), indent=2,
                                                            ensure_ascii=False) + "\n"

    deferred = [t for t in todo if t.needs] if producing else []
    for t in todo:
        if not (deferred and t.needs):
            pages.rendered[t.rel] = t.render(materialize(list(t.needs)))
    producer = None
    if deferred:
        # in the order the site engine reads them: pages (sorted), then the files it copies
        ordered = sorted(deferred, key=lambda t: (not t.rel.endswith(".md"), t.rel))
        # ... and each brief's other files (.bib, .ris, feed entry) right after its page, so that they
        # are ready when the engine copies files, instead of being made while it waits
        by_slug: dict[str, list[Task]] = {}
        for task in dict.fromkeys(task for t in ordered for task in t.tasks):
            by_slug.setdefault(task.slug, []).append(task)
        tasks = tuple(task for group in by_slug.values() for task in group)
        producer = Producer(Request(str(config.root), config.mkdocs_file, memo.known, status, tasks,
                                    workers=max(1, (os.cpu_count() or 2) - 1)))
        pages.deferred.update((t.rel, t) for t in deferred)

    files: dict[str, Path] = {}
    if pdf_wanted:
        chosen = [c for c in visible if pdfs is None or c.slug in pdfs]
        files.update(_pdfs(config, corpus, renderer, memo, chosen, materialize, progress))
    generation = Generation(config, corpus, visible, pages, sorted(assets), latest, diags, files=files,
                            materialize=materialize, _memo=memo, _write=write, _todo=todo, _producer=producer)
    if write:
        generation.changed = write_pages(config.pages_path, pages)
        pages.release()
    if not pages.deferred:
        generation.complete()
    return generation


def feed_entry_key(memo: Memo, card: Card) -> str:
    """What a brief's feed entry is made from: the build context, the file's bytes, and its slug and
    address, which come from the file's name and date rather than its bytes."""
    return digest(memo.key, card.digest, card.slug, card.url)


def _related(memo: Memo, visible: list[Card], limit: int) -> dict[str, tuple[str, ...]]:
    """Related briefs by slug, computed again only when a date, topic or related list changed."""
    key = digest(limit, [(c.slug, c.brief.date, c.brief.topics, c.brief.related) for c in visible])
    if memo.related is None or memo.related[0] != key:
        chosen = related_briefs(visible, limit)
        memo.related = (key, {slug: tuple(c.slug for c in cards) for slug, cards in chosen.items()})
    return memo.related[1]


def _pdfs(config: Config, corpus: Corpus, renderer: Renderer, memo: Memo, cards: list[Card], materialize,
          progress: bool) -> dict[str, Path]:
    """Published path → PDF in the cache, for `cards`; a brief whose inputs did not change is not loaded."""
    builder = PdfBuilder(config, corpus, renderer)
    environment = builder.settings.environment_digest  # includes the site's name and address
    keys = {}
    for card in cards:
        images = [(f, (config.briefs_path / f).stat().st_size, (config.briefs_path / f).stat().st_mtime_ns)
                  for f in card.images]
        # the slug and address are not in the file's bytes (card.digest): the file name gives them
        keys[card.slug] = digest(memo.key, environment, card.digest, card.slug, card.url, images)
    out: dict[str, Path] = {}
    todo = []
    for card in cards:
        known = memo.pdfs.get(card.slug)
        # the cached PDF is checked, not trusted: one that is gone or cut short is built again
        if known and known[0] == keys[card.slug] and pdf_is_whole(Path(known[1])):
            out[card.page_path.removesuffix(".md") + f"/{card.slug}.pdf"] = Path(known[1])
        else:
            todo.append(card)
    if todo:
        full = materialize(todo)
        built = builder.build([full[c.slug] for c in todo], progress=progress)
        for card in todo:
            memo.pdfs[card.slug] = (keys[card.slug], str(built[card.slug]))
            out[pdf_path(full[card.slug])] = built[card.slug]
    return out


def index_pages(renderer: Renderer, corpus: Corpus, listings: list[Listing]) -> dict[str, str]:
    """The pages that list all series, topics, authors and archive periods."""
    by_kind: dict[str, list[Listing]] = {}
    for listing in listings:
        by_kind.setdefault(listing.kind, []).append(listing)
    pages = {
        "series/index.md": renderer.index_page(
            "series/index.md", "Series", "", [(x.title, x.first, x.description, len(x.briefs))
                                              for x in by_kind.get("series", [])]),
        "topics/index.md": renderer.index_page(
            "topics/index.md", "Topics", "", [(x.title, x.first, x.description, len(x.briefs))
                                              for x in by_kind.get("topic", []) if x.briefs]),
        "authors/index.md": renderer.index_page(
            "authors/index.md", "Authors", "", [(x.title, x.first, x.extra["author"].role, len(x.briefs))
                                                for x in by_kind.get("author", [])]),
    }
    months: dict[str, list[Listing]] = {}
    for x in by_kind.get("month", []):
        months.setdefault(str(x.extra["year"]), []).append(x)
    items = []
    for year in sorted(by_kind.get("year", []), key=lambda x: x.key, reverse=True):
        items.append((year.key, year.first, None, len(year.briefs)))
        items += [(f"{x.title.removeprefix('Briefs of ')}", x.first, None, len(x.briefs))
                  for x in sorted(months.get(year.key, []), key=lambda x: x.key, reverse=True)]
    pages["archive/index.md"] = renderer.index_page("archive/index.md", "Archive", "", items)
    return pages


def write_page(path: Path, content: str, made: set[Path] | None = None) -> bool:
    """Write one page unless it is already there as it is; whether it was written."""
    data = content.encode("utf-8")
    try:
        if path.stat().st_size == len(data) and path.read_bytes() == data:
            return False
    except FileNotFoundError:
        pass
    if made is None or path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        if made is not None:
            made.add(path.parent)
    path.write_bytes(data)  # an intermediate file: a page cut short is written again next time
    return True


def write_pages(folder: Path, pages: PageSet) -> list[str]:
    """Write pages whose content changed and delete stale ones; untouched files keep their mtime.

    Stale pages are those the previous build wrote (its manifest) that are gone now: the build never
    deletes a file it did not write itself, whatever else is in the folder."""
    changed = []
    made: set[Path] = set()
    previous = read_manifest(folder)
    for rel, content in sorted(pages.rendered.items()):
        if write_page(output_path(folder, rel), content, made):
            changed.append(rel)
    current = set(pages)
    write_manifest(folder, current)
    for rel in sorted(previous - current):
        try:
            path = output_path(folder, rel)
        except UnsafeOutputPath:
            continue  # not a name this build could have written: leave it alone
        if path.is_file() and not path.is_symlink():
            path.unlink()
            changed.append(rel)
        parent = path.parent
        while parent != folder and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return changed
