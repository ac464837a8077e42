"""The whole generation step: load and check, format notes, render pages, write what changed.

Nothing is written unless there are zero errors. The output is a folder of Markdown pages plus the
list of editors' assets (images) any site engine can publish; see mkdocs_glue for MkDocs.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .cite import CiteprocError, check_style
from .config import Config
from .diagnostics import Diagnostics, EditorError, Span
from .load import Corpus, load_corpus
from .model import brief_json_schema
from .related import related_briefs
from .render import Renderer
from .resolve import ResolvedBrief, resolve

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
    changed: list[str] = field(default_factory=list)


def check(config: Config) -> tuple[Corpus, Diagnostics]:
    corpus, diags = load_corpus(config)
    check_style(config.csl_path, config.csl, diags)
    return corpus, diags


def generate(config: Config, *, write: bool = True) -> Generation:
    corpus, diags = check(config)
    if diags.has_errors:
        raise EditorError(diags)
    published = [b for b in corpus.briefs if b.brief.status == "published"]
    corpus_published = Corpus(published, corpus.authors, corpus.series, corpus.topics, corpus.bibliography)
    try:
        resolved = resolve(corpus_published, config.csl_path, config.cache_path)
    except CiteprocError as exc:
        diags.error(Span(config.csl, 1, 1), f"pandoc could not format the citations with this style: {exc}")
        raise EditorError(diags) from None
    related = related_briefs(resolved, config.related)
    renderer = Renderer(config.templates_path, corpus, config.site_name)
    pages: dict[str, str] = {}
    assets: set[str] = set()
    for rb in resolved:
        pages[rb.page_path] = renderer.brief_page(rb, related[rb.slug])
        if rb.brief.image:
            assets.add(rb.brief.image.file)
        assets.update(f.file for f in rb.brief.figures.values())
    for key, author in corpus.authors.items():
        theirs = [rb for rb in resolved if key in rb.brief.authors]
        pages[f"authors/{key}.md"] = renderer.author_page(key, theirs)
        if author.photo:
            assets.add(author.photo)
    pages["schema/brief.schema.json"] = json.dumps(brief_json_schema(config.site_url), indent=2,
                                                   ensure_ascii=False) + "\n"
    generation = Generation(config, corpus, resolved, pages, sorted(assets),
                            renderer.latest(resolved[: config.latest], "index.md"), diags)
    if write:
        generation.changed = write_pages(config.pages_path, pages)
    return generation


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
