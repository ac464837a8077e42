"""Brief pages made in another process while the site engine builds the rest of the site.

MkDocs works on one core. Formatting notes (pandoc) and rendering brief pages can use another, but
only from another process: Python threads share one interpreter lock with MkDocs. The producer
process loads the briefs it is asked for, formats their notes and renders their pages in the order
the site engine will ask for them, and sends each result back as soon as it is done.
"""

from __future__ import annotations

import multiprocessing
import os
import queue as queue_module
import traceback
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

from .diagnostics import EditorError

PAGE, BIB, RIS, FEED_ENTRY = "page", "bib", "ris", "feed-entry"
AHEAD = 256
NICENESS = 10


@dataclass(frozen=True)
class Task:
    kind: str  # PAGE, BIB, RIS or FEED_ENTRY
    slug: str
    key: str  # where the result goes: a page's path, or the slug for a feed entry
    related: tuple[str, ...] = ()  # for PAGE: slugs of the related briefs shown under it


@dataclass(frozen=True)
class Request:
    root: str
    mkdocs_file: str
    known: dict  # file → KnownBrief: the cards of this build, so the producer parses only what it needs
    status: dict[str, str]  # slug → "", "draft" or "scheduled"
    tasks: tuple[Task, ...]
    workers: int


class ProducerFailed(Exception):
    """The producer process stopped without an editor's error to report: a bug."""


class Producer:
    """Starts the process; `result(key)` waits for one result (raising the editor's errors)."""

    def __init__(self, request: Request):
        context = multiprocessing.get_context("spawn")  # the parent runs threads: no fork
        # bounded: the producer runs ahead of the site engine by this many results, not by the whole site
        self._queue = context.Queue(maxsize=AHEAD)
        self._process = context.Process(target=_run, args=(request, self._queue), name="briefkit-producer",
                                        daemon=True)
        self._process.start()
        self._results: dict[str, object] = {}
        self._expected = {t.key for t in request.tasks}
        self._failure: BaseException | None = None

    def result(self, key: str, keep: bool = False):
        """The result for `key`; it is forgotten once taken unless `keep` (feed entries serve several feeds)."""
        while key not in self._results:
            if self._failure is not None:
                raise self._failure
            try:
                kind, got_key, value = self._queue.get(timeout=1)
            except queue_module.Empty:
                if not self._process.is_alive() and self._queue.empty():
                    self._failure = ProducerFailed(f"the producer process ended (exit code {self._process.exitcode})")
                continue
            if kind == "error":
                self._failure = EditorError(value)
            elif kind == "crash":
                self._failure = ProducerFailed(value)
            else:
                self._results[got_key] = value
        return self._results[key] if keep else self._results.pop(key)

    def close(self) -> None:
        if self._process.is_alive():
            self._process.terminate()
        self._process.join(timeout=10)


def _run(request: Request, out) -> None:
    try:
        os.nice(NICENESS)  # the site engine is the build's critical path: it goes first for the CPU
        _produce(request, out)
    except EditorError as exc:
        out.put(("error", None, exc.diagnostics))
    except BaseException:
        out.put(("crash", None, traceback.format_exc()))


def _produce(request: Request, out) -> None:
    from .config import load_config
    from .load import load_corpus
    from .render import Renderer
    from .resolve import pack, resolve
    from .selfcite import bibtex, ris

    config = load_config(Path(request.root), request.mkdocs_file)
    corpus, diags = load_corpus(config, request.known)
    if diags.has_errors:
        raise EditorError(diags)
    cards = {c.slug: c for c in corpus.cards}
    order = list(dict.fromkeys(t.slug for t in request.tasks))
    resolved: dict[str, Future] = {slug: Future() for slug in order}

    def sources():
        # one at a time, without positions for editors' errors (the main process checked every brief);
        # each is then held compressed, by resolve and by its future, until its last task is done
        for slug in order:
            yield corpus.load_one(config, cards[slug], positions=False)

    # notes are formatted far ahead of rendering: each brief waits packed until its tasks come, and is
    # let go after its last one
    last_task = {task.slug: i for i, task in enumerate(request.tasks)}

    import threading

    def format_notes() -> None:
        try:
            resolve(corpus, config.csl_path, config.cache_path, config.site_name, config.site_url,
                    on_ready=lambda rb: resolved[rb.slug].set_result(pack(rb)), workers=request.workers,
                    sources=sources())
        except BaseException as exc:
            for future in resolved.values():
                if not future.done():
                    future.set_exception(exc)

    threading.Thread(target=format_notes, daemon=True).start()
    renderer = Renderer(config, corpus, {s: v for s, v in request.status.items() if v})
    from .feeds import feed_entry

    for i, task in enumerate(request.tasks):
        rb = _resolved(resolved[task.slug], config)
        if last_task[task.slug] == i:
            del resolved[task.slug]
        if task.kind == PAGE:
            value = renderer.brief_page(rb, [cards[s] for s in task.related])
        elif task.kind == BIB:
            value = bibtex(corpus, rb.source, rb.citation_item)
        elif task.kind == RIS:
            value = ris(corpus, rb.source, rb.citation_item)
        else:
            value = feed_entry(rb, renderer, config.site_url)
        out.put(("result", task.key, value))


def _resolved(future: Future, config):
    from .cite import CiteprocError
    from .diagnostics import Diagnostics, Span
    from .resolve import unpack

    try:
        return unpack(future.result())
    except CiteprocError as exc:
        diags = Diagnostics()
        diags.error(Span(config.csl, 1, 1), f"pandoc could not format the citations with this style: {exc}")
        raise EditorError(diags) from None
