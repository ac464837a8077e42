"""The engine's build: load and check, format notes, make every output, write what changed.

Nothing is written unless there are zero errors. The output is the site engine's whole input, in the
pages folder: finished pages (finish.py), feeds and reference files, and links to the hand-written
pages of docs/, to editors' images and to the PDFs. Any site engine that builds a folder of Markdown
pages with the theme can publish it (site_engine.py runs MkDocs).
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from .cards import Card
from .cite import CiteprocError, check_style
from .config import Config
from .depends import (
    BRIEF_TEMPLATES,
    FEED_ENTRY_TEMPLATES,
    FEED_TEMPLATES,
    INDEX_TEMPLATES,
    LISTING_TEMPLATES,
    Dependencies,
)
from .diagnostics import Diagnostics, EditorError, Span
from .feeds import FeedEntry, RenderedFeedEntry, feed_entry, feed_page
from .finish import FinishedPage, Finisher, expand, file_of, finish_page, record_of_file
from .i18n import load_translations
from .listings import Listing, build_listings
from .load import BRIEF_NAME, Corpus, KnownBrief, brief_files, display_path, load_corpus
from .memo import Memo, context_key, digest
from .model import UNPUBLISHED_STATUSES, brief_json_schema
from .outputs import MANIFEST, UnsafeOutputPath, output_path, read_manifest, write_manifest
from .pdf import PdfBuilder, pdf_is_whole, pdf_path
from .pictures import prepare as prepare_pictures
from .pictures import site_files as picture_files
from .records import Record, RecordStore
from .redirects import check_against_pages, load_redirects
from .related import related_briefs
from .render import Renderer, template_errors
from .resolve import ResolvedBrief, resolve
from .selfcite import bibtex, ris
from .social import TEMPLATE as SOCIAL_TEMPLATE
from .social import SocialCardError, SocialCards, cards_for
from .social import check_template as check_social_template
from .translations import groups as translation_groups

LATEST_MARKER = "<!-- latest-briefs -->"


class PageSet(Mapping[str, str]):
    """Every generated file of the site: made now, or unchanged since the last build and read from disk."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.rendered: dict[str, str] = {}  # until written (see release)
        self.made: set[str] = set()  # made in this build
        self.kept: set[str] = set()

    def __getitem__(self, rel: str) -> str:
        if rel in self.rendered:
            return self.rendered[rel]
        if rel in self.kept:
            return (self.folder / file_of(rel)).read_text(encoding="utf-8")
        raise KeyError(rel)

    def release(self) -> None:
        """The pages are written: read them back from disk when asked, as 10,000 of them add up."""
        self.made.update(self.rendered)
        self.kept.update(self.rendered)
        self.rendered.clear()

    def __iter__(self):
        return iter(sorted(self.names()))

    def names(self) -> set[str]:
        """Every page, in no order (sorting 37,000 names at 10,000 briefs costs more than using them)."""
        return self.rendered.keys() | self.kept

    def __len__(self) -> int:
        return len(self.rendered.keys() | self.kept)

    def __contains__(self, rel) -> bool:
        return rel in self.rendered or rel in self.kept


@dataclass
class Generation:
    """What the engine made for the site engine: a folder of finished pages and links (config.pages_path)."""

    config: Config
    corpus: Corpus
    cards: list[Card]  # published (or previewed) briefs, newest first
    pages: PageSet  # generated files by path in the pages folder
    assets: list[str]  # files under briefs/ published at the same relative path
    warnings: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, Path] = field(default_factory=dict)  # published path → file elsewhere (PDFs in the cache)
    changed: list[str] = field(default_factory=list)  # files of the pages folder written or deleted
    records: dict[str, Record] = field(default_factory=dict)  # page finished here → its search record …
    # … and each page whose record is in the store (records.py) → its key: kept from the last build, or
    # finished and stored by a worker (10,000 records in memory would be a third of a build's peak)
    kept: dict[str, str] = field(default_factory=dict)
    materialize: Callable[[list[Card]], dict[str, ResolvedBrief]] | None = None

    def all_records(self) -> Iterator[Record]:
        """The record of every finished page; those of kept pages from the store (or their file)."""
        yield from self.records.values()
        store = RecordStore(self.config)
        for rel, key in self.kept.items():
            yield store.get(rel, key) or record_of_file(rel, self.pages[rel])

    @property
    def briefs(self) -> list[ResolvedBrief]:
        """Every published brief with its formatted notes (loaded and formatted on demand)."""
        resolved = self.materialize(self.cards) if self.materialize else {}
        return [resolved[c.slug] for c in self.cards]


CARD_TEMPLATE_ERROR = "the link-preview card template does not compile: "
CARD_TEMPLATE_HINT = "fix the template (a Typst file; its first lines say what data it gets)"


def check(config: Config, known: dict[str, KnownBrief] | None = None,
          bibs: dict | None = None, keep_sources: bool = True, known_checks: str = "",
          positions: bool = True, registries: dict | None = None) -> tuple[Corpus, Diagnostics]:
    corpus, diags = load_corpus(config, known, bibs, keep_sources, known_checks, positions, registries)
    load_redirects(config.root, diags)  # redirects.yml: its problems at their lines
    check_style(config.csl_path, config.csl, diags, config.cache_path)
    load_translations(config.templates_path, config.templates_dir, diags)
    if (problem := check_social_template(config)) is not None:
        diags.error(Span(f"{config.templates_dir}/{SOCIAL_TEMPLATE}", 1, 1), CARD_TEMPLATE_ERROR + problem,
                    CARD_TEMPLATE_HINT)
    return corpus, diags


SCHEMA_PATH = "schema/brief.schema.json"  # the brief's JSON Schema on the site (editors' tools read it)


def build_moment() -> dt.datetime:
    """The moment of the build, which decides which briefs are due. BRIEFKIT_NOW (an ISO date and time
    with an offset) or BRIEFKIT_TODAY (YYYY-MM-DD: the start of that day in UTC) fix it for tests."""
    fixed = os.environ.get("BRIEFKIT_NOW")
    if fixed:
        moment = dt.datetime.fromisoformat(fixed)
        return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)
    day = os.environ.get("BRIEFKIT_TODAY")
    if day:
        return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(), dt.UTC)
    return dt.datetime.now(dt.UTC)


def today() -> dt.date:
    """The day of the build (UTC)."""
    return build_moment().date()


def zone(name: str | None) -> dt.tzinfo:
    """A time zone from an IANA name or a ±HH:MM offset (both checked when the brief was read)."""
    if not name or name == "UTC":
        return dt.UTC
    if name[0] in "+-":
        hours, minutes = int(name[1:3]), int(name[4:6])
        sign = -1 if name[0] == "-" else 1
        return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def publication_moment(brief, site_zone: str = "UTC") -> dt.datetime:
    """When a brief is due: its date at its time (the start of the day without one), in its time zone
    (the site's without one)."""
    return dt.datetime.combine(brief.date, brief.time or dt.time(), zone(brief.timezone or site_zone))


def status_of(brief, now: dt.datetime, site_zone: str = "UTC") -> str:
    """"" for a published brief; "draft", "review" or "scheduled" (due later) otherwise."""
    if brief.status in UNPUBLISHED_STATUSES:
        return brief.status
    return "scheduled" if publication_moment(brief, site_zone) > now else ""


@dataclass
class _Todo:
    """A file to make: its key, the briefs it needs in full, and how to render it from them."""

    rel: str
    key: str
    needs: tuple[Card, ...]
    render: Callable[[dict[str, ResolvedBrief]], str | RenderedFeedEntry]


REGISTRY_OF = {"author": "authors", "series": "series", "topic": "topics"}  # listing kind → registry
FEED_ENTRY_PREFIX = "feed-entry:"  # a _Todo whose result is a brief's feed entry, not a file
BATCH = 400  # briefs formatted at once: pandoc runs in batches, and memory stays bounded at 10,000 briefs


@dataclass
class Session:
    """What a long-running process (the preview) keeps between its builds: the memo in memory, so a
    build neither reads it first nor waits to write it (the preview writes it once the saved page
    shows: `save`). A build that fails leaves no memo here: the next one reads the file."""

    memo: Memo | None = None
    unsaved: bool = False
    dependencies: dict = field(default_factory=dict)  # depends.Dependencies' digests, kept between builds
    # the token this session's last build left in Memo.pages_token_file: while the file still holds it,
    # no other build wrote the pages folder, and the memo's records of it are trusted without a stat
    pages_token: str | None = None
    listings: ListingPlan | None = None  # the last build's listing pages, reused while their inputs stand
    registries: dict = field(default_factory=dict)  # parsed registries, by their text (load.load_registry)
    related_key: tuple | None = None  # (what, its digest) of the last build's related briefs (_related)

    def take(self, config: Config, key: str) -> Memo:
        memo, self.memo, self.unsaved = self.memo, None, False
        # a memo not written yet is still right about the pages folder, which the file may lag behind
        # (that is safe too: a page whose file is not the one recorded is made again)
        return Memo.load(config, key) if memo is None else memo.usable(config, key)

    def keep(self, memo: Memo) -> None:
        self.memo, self.unsaved = memo, True

    @staticmethod
    def settle() -> None:
        """Between builds, while the preview waits: collect the garbage, then freeze what is left (the
        memo, cards and records of 10,000 briefs, the site engine's modules), so that the collector's
        full passes during the next build do not go through them again (at 10,000 briefs, one such
        pass every other build took 0.1–0.25 s of the page's wait). What is frozen and later dropped is
        still freed by its reference count, and the next settle collects any cycles among it."""
        gc.unfreeze()
        gc.collect()
        gc.freeze()

    def save(self, config: Config) -> None:
        if self.memo is not None and self.unsaved:
            memo, self.memo = self.memo, None  # a save that fails (a full disk) leaves nothing half-known
            memo.save(config)
            self.memo, self.unsaved = memo, False


def generate(config: Config, *, write: bool = True, drafts: bool = False, progress: bool = False,
             pdfs: set[str] | None = None, every_pdf: bool = False, check_print: bool = False,
             session: Session | None = None) -> Generation:
    """Every generated file of the site. With drafts=True (preview), drafts and scheduled briefs are included.

    PDFs are built for every brief when the site has them (or with every_pdf), or only for the
    slugs in `pdfs` if given. Only outputs whose inputs changed since the last build are made again.
    The pages folder then holds the site engine's whole input: finished pages, links to the
    hand-written pages of docs/, to editors' images and to the PDFs.

    `check` is this without writing (write=False) and with check_print: everything the PDFs print is
    checked against the shipped fonts (when the site has PDFs) without making them.

    With a `session`, the memo comes from it and goes back to it, not yet written (Session.save).
    """
    with template_errors(config.templates_path, config.root):
        return _generate(config, write, drafts, progress, pdfs, every_pdf, check_print, session)


def _generate(config: Config, write: bool, drafts: bool, progress: bool, pdfs: set[str] | None, every_pdf: bool,
              check_print: bool, session: Session | None = None) -> Generation:
    now = build_moment()
    key = context_key(config, now.date(), drafts)  # a brief due later today changes its pages' own keys (status)
    memo = session.take(config, key) if session is not None else Memo.load(config, key)
    memo.trusted_pages = bool(write and session is not None and session.pages_token is not None
                              and _read_token(config) == session.pages_token)
    pdf_wanted = bool(config.pdf or every_pdf or pdfs is not None)
    # where each value of a brief file was: only the PDFs' glyph check reports at a place after the checks
    positions = pdf_wanted or check_print
    corpus, diags = check(config, memo.known, memo.bibs, known_checks=memo.checks, positions=positions,
                          registries=session.registries if session is not None else None)
    if not drafts:
        diags = unpublished_as_warnings(config, diags, now)
    if diags.has_errors:
        raise EditorError(diags)
    if not positions:
        for source in corpus.briefs:
            source.doc = None  # most of a parsed brief's memory (the few checked after the others kept it)
    memo.known = {c.file: KnownBrief(c.digest, c, tuple(corpus.warnings.get(c.file, ())),
                                     corpus.stamps.get(c.file)) for c in corpus.cards}
    memo.checks = corpus.checks
    deps = Dependencies(config.templates_path, corpus, session.dependencies if session is not None else None)
    status = {c.slug: status_of(c.brief, now, config.timezone) for c in corpus.cards}
    visible = [c for c in corpus.cards if drafts or not status[c.slug]]
    by_slug = {c.slug: c for c in visible}
    related = _related(memo, visible, config.related, session)
    # editors' images as the pages show them: resized copies made (or found in the cache) first
    pictures = prepare_pictures(config.briefs_path, config.cache_path, (f for c in visible for f in c.images),
                                (c.brief.image.file for c in visible if c.brief.image and c.brief.image.file))
    # link-preview cards for briefs without a photograph, drawn in the background while pages are made
    renderer = Renderer(config, corpus, {slug: s for slug, s in status.items() if s}, pictures)
    social = SocialCards(config, cards_for(config, corpus, visible, pictures, renderer.labels))
    if write:
        social.start()

    picture_keys: dict[str, tuple[str, ...]] = {}

    def seen(card: Card) -> tuple[str, ...]:  # the keys of a brief's pictures: a replaced image changes its pages
        if card.slug not in picture_keys:
            picture_keys[card.slug] = tuple(pictures[f].key for f in card.images if f in pictures)
        return picture_keys[card.slug]
    resolved: dict[str, ResolvedBrief] = {}
    pieces: dict = {}  # citations formatted for one batch of briefs, reused by the next (cite.format_jobs)

    lock = threading.Lock()  # the next batch is formatted in a thread while this one is rendered (_make)

    def materialize(cards: list[Card]) -> dict[str, ResolvedBrief]:
        with lock:
            out = {c.slug: resolved[c.slug] for c in cards if c.slug in resolved}
        missing = [c for c in cards if c.slug not in out]
        if missing:
            sources = corpus.load(config, missing, positions)
            subset = Corpus(sources, corpus.authors, corpus.series, corpus.topics, corpus.bibliography)
            try:
                done = resolve(subset, config.csl_path, config.cache_path, config.site_name, config.site_url,
                               pieces=pieces)
            except CiteprocError as exc:
                diags.error(Span(config.csl, 1, 1), f"pandoc could not format the citations with this style: {exc}")
                raise EditorError(diags) from None
            out.update((rb.slug, rb) for rb in done)
            with lock:
                resolved.update((rb.slug, rb) for rb in done)
        return out

    def forget(cards) -> None:
        with lock:
            for card in cards:
                resolved.pop(card.slug, None)

    pages = PageSet(config.pages_path)
    folder = str(config.pages_path)
    todo: list[_Todo] = []
    records = RecordStore(config)
    kept_keys: dict[str, str] = {}

    def want(rel: str, key: str, needs: tuple[Card, ...], render: Callable[..., str], *args) -> None:
        """Keep the file from the last build if its key is unchanged, else make it: render(full briefs, *args)."""
        if write and memo.page_is_current(folder, file_of(rel), key):
            pages.kept.add(rel)
            kept_keys[rel] = key
        else:
            todo.append(_Todo(rel, key, needs, functools.partial(render, *args)))

    def brief_page(card: Card, near: list[Card], versions: tuple[Card, ...], full: dict[str, ResolvedBrief]) -> str:
        return renderer.brief_page(full[card.slug], near, versions)

    def own_reference(card: Card, fn, full: dict[str, ResolvedBrief]) -> str:
        rb = full[card.slug]
        return fn(corpus, rb.source, rb.citation_item)

    def listing_page(listing: Listing, number: int, chunk, count: int, _full) -> str:
        return renderer.listing_page(listing, number, chunk, count)

    def entry_of(card: Card, full: dict[str, ResolvedBrief]) -> RenderedFeedEntry:
        return feed_entry(full[card.slug], renderer, config.site_url)

    def brief_key(card: Card, context: str, state: str, near: tuple[str, ...], templates: str,
                  shown: tuple[str, ...]) -> str:
        return digest(context, card.digest, state, list(near), templates, deps.registries(card), deps.works(card),
                      list(shown))

    def reference_key(card: Card, context: str, kind: str) -> str:
        return digest(digest(context, card.digest, deps.registries(card)), kind)  # the authors' names are in it

    assets: set[str] = set()
    brief_templates = deps.templates(*BRIEF_TEMPLATES)
    versions_of = translation_groups(visible)  # a draft translation is linked only by previews
    for card in visible:
        near = [by_slug[s] for s in related[card.slug]]
        versions = versions_of.get(card.slug, ())
        key = deps.per_card("page", card, brief_key, memo.key, status[card.slug],
                            tuple(r.shown for r in near) + tuple("translation:" + c.shown for c in versions),
                            brief_templates, seen(card))
        want(card.page_path, key, (card,), brief_page, card, near, versions)
        own = f"{card.url}{card.slug}"
        want(own + ".bib", deps.per_card("bib", card, reference_key, memo.key, "bib"), (card,), own_reference,
             card, bibtex)
        want(own + ".ris", deps.per_card("ris", card, reference_key, memo.key, "ris"), (card,), own_reference,
             card, ris)
        assets.update(card.images)
    assets.update(a.photo for a in corpus.authors.values() if a.photo)
    plan = _listing_plan(config, corpus, memo, deps, renderer, visible, status, seen,
                         session.listings if session is not None else None)
    if session is not None:
        session.listings = plan
    listings, latest = plan.listings, plan.latest
    for rel, key, listing, number, chunk, count in plan.pages:
        want(rel, key, (), listing_page, listing, number, chunk, count)
    feeds: list[tuple[str, str, Listing]] = []
    for listing, slugs in plan.feeds:
        newest = [by_slug[slug] for slug in slugs]  # this build's cards: the plan's may be older
        # each entry's slug and address too: a renamed or re-dated brief has the same bytes (c.digest)
        key = digest(memo.key, listing.feed, listing.title, listing.description, listing.first,
                     deps.templates(*FEED_TEMPLATES),
                     [(feed_entry_key(memo, deps, c, seen(c)), status[c.slug]) for c in newest])
        for rel in (listing.feed, listing.feed.replace("feed.xml", "rss.xml")):
            feeds.append((rel, key, listing))
    # the feed entries the feeds of this build show that are not known from an earlier one
    shown = {slug: by_slug[slug] for _, slugs in plan.feeds for slug in slugs}
    for slug, card in sorted(shown.items()):
        if memo.feed_entries.get(slug, ("",))[0] != feed_entry_key(memo, deps, card, seen(card)):
            todo.append(_Todo(FEED_ENTRY_PREFIX + slug, feed_entry_key(memo, deps, card, seen(card)), (card,),
                              functools.partial(entry_of, card)))
    memo.feed_entries = {slug: e for slug, e in memo.feed_entries.items() if slug in shown}

    files: dict[str, Path] = {}
    if check_print and config.pdf:
        _check_print(config, corpus, renderer, visible, materialize, forget)
    if pdf_wanted:
        chosen = [c for c in visible if pdfs is None or c.slug in pdfs]
        files.update(_pdfs(config, corpus, renderer, memo, deps, chosen, materialize, progress))

    links = site_links(config, sorted(assets),
                       {**files, **picture_files(pictures, config.cache_path), **social.site_files()})
    # before any page is written: a hand-written file where the build would write a page stops it
    check_clashes({t.rel for t in todo if not t.rel.startswith(FEED_ENTRY_PREFIX)} | pages.kept, links,
                  config.root)
    def release(cards) -> None:  # pages are made last: their briefs are not needed after (10,000 add up)
        forget(cards)
        corpus.release(cards)

    if write:  # pages are written from here on: until this build ends, no session trusts its records
        if session is not None:
            session.pages_token = None
        Memo.pages_token_file(config).unlink(missing_ok=True)

    made = _make(todo, materialize, release, (config.pages_path, records) if write else None)
    for rel, key in ((t.rel, t.key) for t in todo if t.rel.startswith(FEED_ENTRY_PREFIX)):
        memo.feed_entries[rel.removeprefix(FEED_ENTRY_PREFIX)] = (key, made.pop(rel))

    def feed(listing: Listing, rel: str, _full) -> str:
        items = [memo.feed_entries[c.slug][1] for c in listing.briefs[: config.feed_size]]  # by slug: any card
        return feed_page(listing, rel, items, renderer, config.site_url, config.site_name)

    feed_todo: list[_Todo] = []
    for rel, key, listing in feeds:
        before = len(todo)
        want(rel, key, (), feed, listing, rel)
        feed_todo += todo[before:]
    made.update((t.rel, t.render({})) for t in feed_todo)
    todo = [t for t in todo if not t.rel.startswith(FEED_ENTRY_PREFIX)] + feed_todo

    generation = Generation(config, corpus, visible, pages, sorted(assets), diags, files=files,
                            materialize=materialize)
    written: list[str] = []  # by the finisher (finish.py), as soon as each page was finished
    for t in todo:
        content = made[t.rel]
        if isinstance(content, FinishedPage):
            if content.written is not None:  # on disk: read from there when asked (PageSet) ...
                pages.made.add(t.rel)
                pages.kept.add(t.rel)
                written += [t.rel] if content.written else []
                kept_keys[t.rel] = t.key  # ... and its record from the store, as a kept page's (10,000 add up)
                continue
            generation.records[t.rel] = (content.record, content.chars, content.weights)
            if write:
                records.put(t.rel, t.key, content)
            content = content.text
        pages.rendered[t.rel] = content
    for rel, content in fixed_pages(config, renderer, corpus, listings, latest, plan.index).items():
        if isinstance(content, FinishedPage):
            generation.records[rel] = (content.record, content.chars, content.weights)
            content = content.text
        pages.rendered[rel] = content
    # in no order: the search index and the web font come out the same from any (10,000 add up)
    generation.kept = {rel: key for rel, key in kept_keys.items() if rel.endswith(".md")}
    check_clashes(pages.names(), links, config.root)  # shown relative to the project (write_pages' are not)
    clashes = Diagnostics()  # an old address in redirects.yml that is a page of the site
    docs = config.root / config.docs_dir
    by_hand = {p.relative_to(docs).as_posix() for p in docs.rglob("*.md")} if docs.is_dir() else set()
    check_against_pages(load_redirects(config.root, clashes), set(pages.names()) | by_hand, clashes)
    if clashes.has_errors:
        raise EditorError(clashes)
    if write:
        files = {file_of(rel) for rel in pages.names()}
        generation.changed = sorted(written + write_pages(config.pages_path, pages, links, files))
        pages.release()
        for t in todo:
            memo.record_page(config.pages_path, file_of(t.rel), t.key)
        if not memo.pages.keys() <= files:  # pages gone since the last build (a set comparison costs less)
            memo.pages = {rel: r for rel, r in memo.pages.items() if rel in files}
    try:
        social.wait()  # the site engine copies the cards
    except SocialCardError as exc:
        diags.error(Span(f"{config.templates_dir}/{SOCIAL_TEMPLATE}", 1, 1), CARD_TEMPLATE_ERROR + str(exc),
                    CARD_TEMPLATE_HINT)
        raise EditorError(diags) from None
    if session is not None:
        if write:
            session.pages_token = _write_token(config)
        session.keep(memo)
    else:
        memo.save(config)
    return generation


@dataclass(frozen=True)
class ListingPlan:
    """The listing pages of a build with their keys, from the cards of its visible briefs."""

    inputs: tuple  # what the plan was made from: the next build reuses it when they are the same
    listings: list[Listing]
    pages: list[tuple[str, str, Listing, int, tuple[Card, ...], int]]  # rel, key, listing, number, chunk, count
    latest: str  # the home page's first listing page, finished (it goes into docs/index.md)
    feeds: list[tuple[Listing, tuple[str, ...]]]  # each listing with a feed, and the slugs its feed shows
    index: dict[str, FinishedPage] = field(default_factory=dict)  # the index pages, once made (fixed_pages)


def _listing_plan(config: Config, corpus: Corpus, memo: Memo, deps: Dependencies, renderer: Renderer,
                  visible: list[Card], status: dict[str, str], seen: Callable[[Card], tuple[str, ...]],
                  last: ListingPlan | None) -> ListingPlan:
    """The listing pages of this build, or the last build's plan (the preview's Session keeps it) when it
    was made from the same inputs: the same visible briefs in the same order showing the same (a body
    edit changes none of them), the same registries, templates, page sizes and build context. The
    cards of a reused plan may be older objects, but what listings show of them is the same."""
    inputs = (memo.key, config.page_size, config.feed_size, deps.templates(*LISTING_TEMPLATES),
              deps.templates(*INDEX_TEMPLATES), corpus.registries,
              tuple((c.slug, c.shown, status[c.slug], seen(c)) for c in visible))
    if last is not None and last.inputs == inputs:
        return last
    listings = build_listings(corpus, visible, renderer.site_labels)
    # what a listing shows of each brief (a brief is in several listings: made once)
    rows = {c.slug: (c.shown, status[c.slug], deps.names(c), seen(c)) for c in visible}
    pages: list[tuple[str, str, Listing, int, tuple[Card, ...], int]] = []
    feeds: list[tuple[Listing, tuple[str, ...]]] = []
    latest = ""
    for listing in listings:
        chunks = listing.pages(config.page_size)
        for number, chunk in chunks:
            if listing.kind == "home" and number == 1:
                latest = expand(renderer.listing_page(listing, number, chunk, len(chunks)))
                continue
            rel = listing.page_path(number)
            key = deps.key(memo.key, rel, listing.title, listing.description, len(chunks),
                           deps.templates(*LISTING_TEMPLATES), deps.entry(REGISTRY_OF.get(listing.kind), listing.key),
                           tuple(rows[c.slug] for c in chunk))
            pages.append((rel, key, listing, number, chunk, len(chunks)))
        if listing.feed:
            feeds.append((listing, tuple(c.slug for c in listing.briefs[: config.feed_size])))
    return ListingPlan(inputs, listings, pages, latest, feeds)


def _read_token(config: Config) -> str | None:
    try:
        return Memo.pages_token_file(config).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _write_token(config: Config) -> str | None:
    token = f"{os.getpid()}-{time.time_ns()}-{secrets.token_hex(8)}"
    try:
        path = Memo.pages_token_file(config)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(token, encoding="utf-8")
    except OSError:
        return None  # the next build stats every page, as without a session
    return token


def _check_print(config: Config, corpus: Corpus, renderer: Renderer, cards: list[Card], materialize,
                 forget) -> None:
    """What the PDFs would print, checked against the shipped fonts, in batches; all misses at once."""
    builder = PdfBuilder(config, corpus, renderer)
    found = Diagnostics()
    for start in range(0, len(cards), BATCH):
        batch = cards[start: start + BATCH]
        full = materialize(batch)
        try:
            builder.check_glyphs([full[c.slug] for c in batch])
        except EditorError as exc:
            found.extend(exc.diagnostics)
        forget(batch)
    if found.has_errors:
        raise EditorError(found)


def unpublished_as_warnings(config: Config, diags: Diagnostics, now: dt.datetime) -> Diagnostics:
    """The problems of drafts and scheduled briefs, as warnings: a half-written draft never stops the
    site from publishing (`check` and `serve --drafts` report them as errors)."""
    if not diags.has_errors:
        return diags
    unpublished = set(unpublished_files(config, now))
    if not unpublished or not any(d.span.file in unpublished for d in diags.items):
        return diags
    out = Diagnostics()
    for d in diags.items:
        if d.span.file in unpublished and d.severity == "error":
            out.warning(d.span, d.message, d.hint)
        else:
            out.items.append(d)
    return out


_DRAFT_LINE = re.compile(r"^status:[ \t]*[\"']?(draft|review)[\"']?[ \t]*(#.*)?$", re.M)
_LATEST_OFFSET = dt.timedelta(hours=14)  # the time zone furthest ahead of UTC (Kiribati)


def unpublished_files(config: Config, now: dt.datetime) -> list[str]:
    """Brief files (as shown to editors) that are drafts, in review, or dated after today in every time
    zone. Read from the file name and a `status:` line, so that it holds for a file too broken to be
    parsed (a brief due today somewhere counts as published: its errors stop the build)."""
    out = []
    latest_day = (now.astimezone(dt.UTC) + _LATEST_OFFSET).date()
    for path in brief_files(config):
        match = BRIEF_NAME.match(path.name)
        try:
            scheduled = bool(match) and dt.date.fromisoformat(match.group("date")) > latest_day
        except ValueError:
            scheduled = False
        try:
            draft = bool(_DRAFT_LINE.search(path.read_text(encoding="utf-8", errors="replace")))
        except OSError:
            draft = False
        if scheduled or draft:
            out.append(display_path(config, path))
    return out


def _make(todo: list[_Todo], materialize, forget, output: tuple | None) -> dict[str, str | FeedEntry | FinishedPage]:
    """Make every file of `todo`: generated pages come out finished (finish.py), on every core, and
    with `output` (pages folder, record store) already written there.

    Briefs are formatted in batches (their notes by pandoc), the next batch while this one is rendered."""
    finisher = Finisher(sum(1 for t in todo if t.rel.endswith(".md")), output=output)
    try:
        for t in todo:
            if not t.needs:
                finisher.add(t.rel, t.render({}), t.key)
        heavy = [t for t in todo if t.needs]
        # in batches of briefs: formatted together (one pandoc run), then let go
        order = list(dict.fromkeys(c for t in heavy for c in t.needs))
        batches = [order[i: i + BATCH] for i in range(0, len(order), BATCH)]
        batch_of = {c.slug: n for n, cards in enumerate(batches) for c in cards}
        by_batch: dict[int, list[_Todo]] = {}
        for t in heavy:
            by_batch.setdefault(max(batch_of[c.slug] for c in t.needs), []).append(t)
        position = {c.slug: i for i, c in enumerate(order)}
        for todos in by_batch.values():  # a brief's page and feed entry one after the other (finish._body)
            todos.sort(key=lambda t: position[t.needs[0].slug])
        needed = [list(dict.fromkeys(c for t in by_batch.get(n, []) for c in t.needs)) for n in range(len(batches))]
        with ThreadPoolExecutor(1) as formatting:  # pandoc runs in its own processes: the wait is free
            coming = formatting.submit(materialize, needed[0]) if batches else None
            for n, cards in enumerate(batches):
                full = coming.result()
                coming = formatting.submit(materialize, needed[n + 1]) if n + 1 < len(batches) else None
                for t in by_batch.get(n, []):
                    finisher.add(t.rel, t.render(full), t.key)
                forget(cards)
        return finisher.results()
    finally:
        finisher.close()


def fixed_pages(config: Config, renderer: Renderer, corpus: Corpus, listings: list[Listing],
                latest: str, index: dict[str, FinishedPage] | None = None) -> dict[str, str | FinishedPage]:
    """Pages made on every build (they are small): the indexes, the JSON Schema, the home page. `index`
    keeps the finished index pages of these listings: made once, when it is empty."""
    if index is None or not index:
        made = {rel: finish_page(rel, text) for rel, text in index_pages(renderer, corpus, listings).items()}
        if index is None:
            index = made
        else:
            index.update(made)
    pages: dict[str, str | FinishedPage] = dict(index)
    pages[SCHEMA_PATH] = json.dumps(brief_json_schema(config.site_url), indent=2,
                                                   ensure_ascii=False) + "\n"
    home = config.root / config.docs_dir / "index.md"
    if home.is_file():
        # the editors' home page with the latest briefs in place of its marker
        text = home.read_text(encoding="utf-8").replace(LATEST_MARKER, latest)
        pages["index.md"] = finish_page("index.md", text, markdown_page=True)
    return pages


def site_links(config: Config, assets: list[str], files: dict[str, Path]) -> dict[str, Path]:
    """Files of the site that are not generated: path in the site → the file, linked from the pages folder."""
    links: dict[str, Path] = {}
    docs = config.root / config.docs_dir
    if docs.is_dir():
        for path in sorted(docs.rglob("*")):
            rel = path.relative_to(docs).as_posix()
            if path.is_file() and rel != "index.md" and not any(p.startswith(".") for p in rel.split("/")):
                links[rel] = path.resolve()
    for rel in assets:
        links[rel] = (config.briefs_path / rel).resolve()
    for rel, path in files.items():
        links[rel] = path.resolve()
    return links


def feed_entry_key(memo: Memo, deps: Dependencies, card: Card, pictures: tuple[str, ...] = ()) -> str:
    """What a brief's feed entry is made from: the build context, the file's bytes, its slug and
    address (they come from the file's name and date rather than its bytes), its template, the
    registry entries it shows, the works it cites and its pictures' keys (pictures.py)."""
    # what is not the card's, in the cache's key too (Dependencies may keep it from one build to the next)
    return deps.per_card("feed entry", card, lambda c, context, templates, shown: digest(
        context, c.digest, c.slug, c.url, templates, deps.registries(c), deps.works(c), list(shown)),
        memo.key, deps.templates(*FEED_ENTRY_TEMPLATES), pictures)


def _related(memo: Memo, visible: list[Card], limit: int, session: Session | None = None) -> dict[str, tuple[str, ...]]:
    """Related briefs by slug, computed again only when a date, topic or related list changed. A session
    keeps what the last key was made from: the same facts give it without digesting them again."""
    facts = (limit, [(c.slug, c.brief.date, c.brief.topics, c.brief.related, c.brief.translation) for c in visible])
    if session is not None and session.related_key is not None and session.related_key[0] == facts:
        key = session.related_key[1]
    else:
        key = digest(*facts)
        if session is not None:
            session.related_key = (facts, key)
    if memo.related is None or memo.related[0] != key:
        chosen = related_briefs(visible, limit)
        memo.related = (key, {slug: tuple(c.slug for c in cards) for slug, cards in chosen.items()})
    return memo.related[1]


def _pdfs(config: Config, corpus: Corpus, renderer: Renderer, memo: Memo, deps: Dependencies, cards: list[Card],
          materialize, progress: bool) -> dict[str, Path]:
    """Published path → PDF in the cache, for `cards`; a brief whose inputs did not change is not loaded."""
    builder = PdfBuilder(config, corpus, renderer)
    environment = builder.settings.environment_digest  # includes the site's name and address
    keys = {}
    for card in cards:
        images = [(f, (config.briefs_path / f).stat().st_size, (config.briefs_path / f).stat().st_mtime_ns)
                  for f in card.images]
        # the slug and address are not in the file's bytes (card.digest): the file name gives them
        keys[card.slug] = digest(memo.key, environment, card.digest, card.slug, card.url, images,
                                 deps.registries(card), deps.works(card))
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
    t = renderer.site_labels
    pages = {
        "series/index.md": renderer.index_page(
            "series/index.md", t("series"), "", [(x.title, x.first, x.description, len(x.briefs))
                                              for x in by_kind.get("series", [])]),
        "topics/index.md": renderer.index_page(
            "topics/index.md", t("topics"), "", [(x.title, x.first, x.description, len(x.briefs))
                                              for x in by_kind.get("topic", []) if x.briefs]),
        "authors/index.md": renderer.index_page(
            "authors/index.md", t("authors"), "", [(x.title, x.first, x.extra["author"].role, len(x.briefs))
                                                for x in by_kind.get("author", [])]),
    }
    months: dict[str, list[Listing]] = {}
    for x in by_kind.get("month", []):
        months.setdefault(str(x.extra["year"]), []).append(x)
    items = []
    for year in sorted(by_kind.get("year", []), key=lambda x: x.key, reverse=True):
        items.append((year.key, year.first, None, len(year.briefs)))
        items += [(x.extra["period"], x.first, None, len(x.briefs))
                  for x in sorted(months.get(year.key, []), key=lambda x: x.key, reverse=True)]
    pages["archive/index.md"] = renderer.index_page("archive/index.md", t("archive"), "", items)
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


def write_pages(folder: Path, pages: PageSet, links: dict[str, Path] | None = None,
                files: set[str] | None = None) -> list[str]:
    """Write pages whose content changed, link the files in `links`, and delete stale ones; untouched
    files keep their mtime. `files` are the pages' files (file_of), when the caller has them.

    Stale files are those the previous build wrote (its manifest) that are gone now: the build never
    deletes a file it did not write itself, whatever else is in the folder."""
    links = links or {}
    check_clashes(pages.names(), links, folder)
    changed = []
    made: set[Path] = set()
    real_dirs: dict[str, str] = {}
    previous = read_manifest(folder)
    for rel, content in sorted(pages.rendered.items()):
        if write_page(output_path(folder, file_of(rel), real_dirs=real_dirs), content, made):
            changed.append(rel)
    for rel, target in sorted(links.items()):
        if link_file(output_path(folder, rel, link=True, real_dirs=real_dirs), target, made):
            changed.append(rel)
    current = (files if files is not None else {file_of(rel) for rel in pages.names()}) | links.keys()
    if current != previous or not (folder / MANIFEST).is_file():
        write_manifest(folder, current)
    for rel in sorted(previous - current):
        try:
            path = output_path(folder, rel, link=True)
        except UnsafeOutputPath:
            continue  # not a name this build could have written: leave it alone
        if path.is_symlink() or path.is_file():
            path.unlink()  # a link goes, never what it points to
            changed.append(rel)
        parent = path.parent
        while parent != folder and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    return changed


def check_clashes(pages: Iterable[str], links: dict[str, Path], root: Path) -> None:
    """A hand-written file (docs/, briefs/) at the path of a generated one is an editor's error, shown
    at the hand-written file (relative to the project, as editors know it)."""
    # the pages that could be written at each link's path (a/b/index.md is made from a/b.md or itself)
    names = pages if isinstance(pages, set | frozenset) else set(pages)
    clash = sorted(rel for rel in links if (rel in names and file_of(rel) == rel)
                   or (rel.endswith("/index.md") and (made := f"{rel[:-len('/index.md')]}.md") in names
                       and file_of(made) == rel))  # not index.md: the home page is written as itself
    if clash:
        diags = Diagnostics()
        base = root.resolve()
        for rel in clash:
            target = links[rel]
            shown = target.relative_to(base).as_posix() if base in target.parents else str(target)
            diags.error(Span(shown, 1, 1), f"the site already makes {rel} from the briefs",
                        "rename or move this file")
        raise EditorError(diags)


def link_file(path: Path, target: Path, made: set[Path]) -> bool:
    """A symbolic link at `path` to `target`, unless it is there already; whether it was made."""
    try:
        if path.is_symlink() and os.readlink(path) == str(target):
            return False
    except OSError:
        pass
    if path.parent not in made:
        path.parent.mkdir(parents=True, exist_ok=True)
        made.add(path.parent)
    if path.is_symlink() or path.exists():
        path.unlink()
    path.symlink_to(target)
    return True
