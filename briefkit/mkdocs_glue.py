"""The only module that knows MkDocs: MkDocs hooks that run the engine and publish its pages.

`mkdocs.yml` names briefkit/mkdocs_hooks.py, which re-exports the hooks below. Everything else
happens in the engine; swapping the site engine means rewriting this file only.
"""

from __future__ import annotations

import logging
import sys
import zlib
from pathlib import Path

from mkdocs.exceptions import Abort
from mkdocs.structure.files import File, Files

from . import lock
from .config import Config, load_config
from .diagnostics import EditorError
from .generate import LATEST_MARKER, Generation, generate
from .outputs import output_path
from .sanitize import clean
from .search import SearchIndexer, SearchIndexError
from .theme_patches import ThemePatchError, patch_material_bundle
from .webfonts import SOURCE as WEB_FONT_SOURCE
from .webfonts import CharacterCollector, write_web_font

_state: dict[str, object] = {"pregenerated": None, "generation": None, "drafts": False, "search": None,
                             "editor_error": None, "stash": {}, "chars": CharacterCollector()}


class _QuietAfterEditorError(logging.Filter):
    """Once editors' errors stopped the build, MkDocs' own account of the abort is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _state["editor_error"] is None


_QUIET = _QuietAfterEditorError()


def use_generation(generation: Generation) -> None:
    """Let the next MkDocs build publish a generation made beforehand (by build.py), which reports
    editors' errors found during the build itself (see editor_error)."""
    _state["pregenerated"] = generation
    _state["editor_error"] = None
    for handler in logging.getLogger("mkdocs").handlers:  # records of child loggers pass handlers' filters only
        handler.addFilter(_QUIET)  # the same filter object is added once


def editor_error() -> EditorError | None:
    """The editors' errors that stopped the last build of a pregenerated generation, if any."""
    return _state["editor_error"]


def show_drafts(enabled: bool) -> None:
    """Preview drafts and scheduled briefs (`python build.py serve --drafts`)."""
    _state["drafts"] = enabled


def _engine_config(config) -> Config:
    root = Path(config.config_file_path).resolve().parent
    return load_config(root, Path(config.config_file_path).name)


def on_pre_build(config) -> None:
    # one build at a time per project (lock.py), held for this build only: `serve` holds it while it
    # rebuilds, not while it waits for changes (reentrant: `python build.py` holds it already)
    _state["lock"] = lock.acquire(Path(config.config_file_path).resolve().parent)
    _state["stash"] = {}  # a page the last build did not write must not come back
    _state["chars"] = CharacterCollector()
    generation = _state["pregenerated"]
    _state["pregenerated"] = None
    _state["report"] = generation is None
    if generation is None:
        try:
            generation = generate(_engine_config(config), drafts=bool(_state["drafts"]), defer=True)
        except EditorError as exc:
            raise _editor_errors(exc) from None
        if generation.warnings.items:
            print(generation.warnings.format(), file=sys.stderr)
    _state["generation"] = generation
    try:
        _state["search"] = SearchIndexer(Path(config.site_dir))
    except SearchIndexError as exc:
        raise Abort(f"the search index could not be started: {exc}") from None


def on_files(files: Files, config) -> Files:
    generation: Generation = _state["generation"]
    engine = generation.config
    # pages still waiting for their notes go last: MkDocs reads pages in this order
    for rel in sorted(generation.pages, key=lambda rel: (rel in generation.pages.deferred, rel)):
        _add(files, File(rel, str(engine.pages_path), config.site_dir, config.use_directory_urls))
    for rel in generation.assets:
        _add(files, File(rel, str(engine.briefs_path), config.site_dir, config.use_directory_urls))
    for rel, source in sorted(generation.files.items()):
        _add(files, File.generated(config, rel, abs_src_path=str(source)))
    return files


def _add(files: Files, file: File) -> None:
    output_path(Path(file.dest_dir), file.dest_uri)  # never outside the site folder, whatever the name
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        raise Abort(f"{file.src_uri}: a hand-written file in docs/ has the same path as a generated one")
    files.append(file)


def _editor_errors(exc: EditorError, report: bool = True) -> Abort:
    if report:
        print(exc.diagnostics.format(), file=sys.stderr)
    else:
        _state["editor_error"] = exc  # the caller (build.py) reports them in its own way
    return Abort(f"{exc.diagnostics.error_count} problem(s) in the briefs; nothing was published")


def on_page_read_source(page, config) -> str | None:
    generation: Generation = _state["generation"]
    rel = page.file.src_uri
    if rel not in generation.pages.deferred:
        return None  # MkDocs reads the file
    try:
        return generation.produce(rel)
    except EditorError as exc:
        raise _editor_errors(exc, bool(_state["report"])) from None


def on_env(env, config, files):
    """Every page has been read: finish the generated files MkDocs copies next (feeds, .bib, .ris)."""
    generation: Generation = _state["generation"]
    try:
        generation.complete()
    except EditorError as exc:
        raise _editor_errors(exc, bool(_state["report"])) from None
    return env


def on_page_markdown(markdown: str, page, config, files) -> str:
    if LATEST_MARKER in markdown:
        generation: Generation = _state["generation"]
        markdown = markdown.replace(LATEST_MARKER, generation.latest_markdown)
    return markdown


def on_page_content(html: str, page, config, files) -> str:
    """Editors' content (every generated page, and the home page's list) goes through the sanitizer.

    MkDocs renders every page before it writes any, and would hold all their Markdown and HTML at
    once (gigabytes for 10,000 briefs): the HTML waits compressed until its page is written."""
    generation: Generation = _state["generation"]
    source = Path(page.file.abs_src_path or "")
    if generation.config.pages_path in source.parents or LATEST_MARKER in (page.markdown or "") or \
            page.file.src_uri == "index.md":
        html = clean(html)
    head = page.meta.pop("head", None)  # what the generator puts in <head>: a few KB a page too
    _state["stash"][page.file.src_uri] = (zlib.compress(html.encode("utf-8"), 1), head and zlib.compress(
        head.encode("utf-8"), 1))
    page.markdown = None
    return ""


def on_page_context(context, page, config, nav):
    stashed = _state["stash"].pop(page.file.src_uri, None)
    if stashed is not None:
        html, head = stashed
        page.content = zlib.decompress(html).decode("utf-8")
        if head is not None:
            page.meta["head"] = zlib.decompress(head).decode("utf-8")
    return context


def on_post_page(output: str, page, config) -> str:
    page.content = None  # written: nothing reads it again
    _state["chars"].add(output)
    indexer = _state["search"]
    if indexer is not None:
        indexer.add(page.file.dest_uri, output)
    return output


def on_post_build(config) -> None:
    try:
        patch_material_bundle(Path(config.site_dir))
    except ThemePatchError as exc:
        raise Abort(str(exc)) from None
    engine: Config = _state["generation"].config
    write_web_font(_state["chars"].chars, engine.templates_path / WEB_FONT_SOURCE, Path(config.site_dir),
                   engine.cache_path)
    indexer, _state["search"] = _state["search"], None
    if indexer is not None:
        try:
            indexer.finish()
        except SearchIndexError as exc:
            raise Abort(f"the search index could not be built: {exc}") from None
    lock.release(_state.pop("lock", None))


def on_build_error(error) -> None:
    lock.release(_state.pop("lock", None))
    _state["stash"] = {}
    indexer, _state["search"] = _state["search"], None
    if indexer is not None:
        indexer.close()
    generation: Generation | None = _state["generation"]
    if generation is not None:
        generation.abandon()
