"""The whole generation step: load and check, format notes, render pages, write what changed.

Nothing is written unless there are zero errors. The output is a folder of Markdown pages plus the
list of editors' assets (images) any site engine can publish; see mkdocs_glue for MkDocs.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .cite import CiteprocError, check_style
from .config import Config
from .diagnostics import Diagnostics, EditorError, Span
from .feeds import feed_pages
from .listings import Listing, build_listings
from .load import Corpus, load_corpus
from .model import brief_json_schema
from .pdf import PdfBuilder, pdf_path
from .related import related_briefs
from .render import Renderer
from .resolve import ResolvedBrief, resolve
from .selfcite import bibtex, ris

LATEST_MARKER = "<!-- latest-briefs -->"


@dataclass
class Generation:
    config: Config
    corpus: Corpus
    briefs: list[ResolvedBrief]  # published, newest first
    pages: dict[str, str]  # path relative to the pages folder → content
    assets: list[str]  # files under briefs/ to publish at the same relative path
    latest_markdown: str  # the home page's list of latest briefs
    warnings: Diagnostics = field(default_factory=Diagnostics)
    files: dict[str, Path] = field(default_factory=dict)  # published path → file elsewhere (PDFs in the cache)
    changed: list[str] = field(default_factory=list)


def check(config: Config) -> tuple[Corpus, Diagnostics]:
    corpus, diags = load_corpus(config)
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


def generate(config: Config, *, write: bool = True, drafts: bool = False, progress: bool = False,
             pdfs: set[str] | None = None) -> Generation:
    """Everything the site needs. With drafts=True (preview), drafts and scheduled briefs are included.

    PDFs are built for every brief when the site has them, or only for the slugs in `pdfs` if given.
    """
    corpus, diags = check(config)
    if diags.has_errors:
        raise EditorError(diags)
    day = today()
    status = {b.slug: status_of(b.brief, day) for b in corpus.briefs}
    visible = [b for b in corpus.briefs if drafts or not status[b.slug]]
    corpus_published = Corpus(visible, corpus.authors, corpus.series, corpus.topics, corpus.bibliography)
    try:
        resolved = resolve(corpus_published, config.csl_path, config.cache_path, config.site_name, config.site_url)
    except CiteprocError as exc:
        diags.error(Span(config.csl, 1, 1), f"pandoc could not format the citations with this style: {exc}")
        raise EditorError(diags) from None
    related = related_briefs(resolved, config.related)
    renderer = Renderer(config, corpus, {slug: s for slug, s in status.items() if s})
    pages: dict[str, str] = {}
    assets: set[str] = set()
    for rb in resolved:
        pages[rb.page_path] = renderer.brief_page(rb, related[rb.slug])
        own = rb.page_path.removesuffix(".md") + "/" + rb.slug
        pages[own + ".bib"] = bibtex(corpus, rb.source, rb.citation_item)
        pages[own + ".ris"] = ris(corpus, rb.source, rb.citation_item)
        if rb.brief.image:
            assets.add(rb.brief.image.file)
        assets.update(f.file for f in rb.brief.figures.values())
    assets.update(a.photo for a in corpus.authors.values() if a.photo)
    listings = build_listings(corpus, resolved)
    latest = ""
    for listing in listings:
        listing_pages = renderer.listing_pages(listing, config.page_size)
        if listing.kind == "home":
            latest = listing_pages.pop("index.md")
        pages.update(listing_pages)
    pages.update(index_pages(renderer, corpus, listings))
    pages.update(feed_pages(listings, renderer, config.site_url, config.site_name, config.feed_size))
    files: dict[str, Path] = {}
    if config.pdf or pdfs is not None:
        chosen = [rb for rb in resolved if pdfs is None or rb.slug in pdfs]
        built = PdfBuilder(config, corpus, renderer).build(chosen, progress=progress)
        files.update({pdf_path(rb): built[rb.slug] for rb in chosen})
    pages["schema/brief.schema.json"] = json.dumps(brief_json_schema(config.site_url), indent=2,
                                                   ensure_ascii=False) + "\n"
    generation = Generation(config, corpus, resolved, pages, sorted(assets), latest, diags, files=files)
    if write:
        generation.changed = write_pages(config.pages_path, pages)
    return generation


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


def write_pages(folder: Path, pages: dict[str, str]) -> list[str]:
    """Write pages whose content changed and delete stale ones; untouched files keep their mtime."""
    changed = []
    for rel, content in sorted(pages.items()):
        path = folder / rel
        data = content.encode("utf-8")
        if path.exists() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_bytes(data)
        tmp.replace(path)
        changed.append(rel)
    if folder.exists():
        for path in sorted(folder.rglob("*"), reverse=True):
            rel = path.relative_to(folder).as_posix()
            if path.is_file() and rel not in pages:
                path.unlink()
                changed.append(rel)
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()
    return changed
