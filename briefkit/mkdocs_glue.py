"""The only module that knows MkDocs: MkDocs hooks that run the engine and publish its pages.

`mkdocs.yml` names briefkit/mkdocs_hooks.py, which re-exports the hooks below. Everything else
happens in the engine; swapping the site engine means rewriting this file only.
"""

from __future__ import annotations

import sys
from pathlib import Path

from mkdocs.exceptions import Abort
from mkdocs.structure.files import File, Files

from .config import Config, load_config
from .diagnostics import EditorError
from .generate import LATEST_MARKER, Generation, generate
from .sanitize import clean
from .search import SearchIndexer, SearchIndexError

_state: dict[str, object] = {"pregenerated": None, "generation": None, "drafts": False, "search": None}


def use_generation(generation: Generation) -> None:
    """Let the next MkDocs build publish a generation made beforehand (by build.py)."""
    _state["pregenerated"] = generation


def show_drafts(enabled: bool) -> None:
    """Preview drafts and scheduled briefs (`python build.py serve --drafts`)."""
    _state["drafts"] = enabled


def _engine_config(config) -> Config:
    root = Path(config.config_file_path).resolve().parent
    return load_config(root, Path(config.config_file_path).name)


def on_pre_build(config) -> None:
    generation = _state["pregenerated"]
    _state["pregenerated"] = None
    if generation is None:
        try:
            generation = generate(_engine_config(config), drafts=bool(_state["drafts"]))
        except EditorError as exc:
            print(exc.diagnostics.format(), file=sys.stderr)
            raise Abort(f"{exc.diagnostics.error_count} problem(s) in the briefs; nothing was published") from None
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
    for rel in sorted(generation.pages):
        _add(files, File(rel, str(engine.pages_path), config.site_dir, config.use_directory_urls))
    for rel in generation.assets:
        _add(files, File(rel, str(engine.briefs_path), config.site_dir, config.use_directory_urls))
    for rel, source in sorted(generation.files.items()):
        _add(files, File.generated(config, rel, abs_src_path=str(source)))
    return files


def _add(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        raise Abort(f"{file.src_uri}: a hand-written file in docs/ has the same path as a generated one")
    files.append(file)


def on_page_markdown(markdown: str, page, config, files) -> str:
    if LATEST_MARKER in markdown:
        generation: Generation = _state["generation"]
        markdown = markdown.replace(LATEST_MARKER, generation.latest_markdown)
    return markdown


def on_page_content(html: str, page, config, files) -> str:
    """Editors' content (every generated page, and the home page's list) goes through the sanitizer."""
    generation: Generation = _state["generation"]
    source = Path(page.file.abs_src_path or "")
    if generation.config.pages_path in source.parents or LATEST_MARKER in (page.markdown or "") or \
            page.file.src_uri == "index.md":
        return clean(html)
    return html


def on_post_page(output: str, page, config) -> str:
    indexer = _state["search"]
    if indexer is not None:
        indexer.add(page.file.dest_uri, output)
    return output


def on_post_build(config) -> None:
    indexer, _state["search"] = _state["search"], None
    if indexer is not None:
        try:
            indexer.finish()
        except SearchIndexError as exc:
            raise Abort(f"the search index could not be built: {exc}") from None


def on_build_error(error) -> None:
    indexer, _state["search"] = _state["search"], None
    if indexer is not None:
        indexer.close()
