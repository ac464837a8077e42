"""The only module that knows MkDocs: it wraps the engine's finished pages in the theme.

The engine has made everything before this runs (generate.py): the pages folder holds finished
pages, feeds, reference files and links to docs/, images and PDFs. MkDocs (or ProperDocs, its fork,
which has the same API) builds that folder with the settings of mkdocs.yml, as if it were docs/, into
a folder of the caller's choice. No hooks, no plugin, no state: swapping the site engine means
rewriting this file.
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import os
import sys
import threading
from pathlib import Path

from .config import Config

ENGINES = ("mkdocs", "properdocs")  # the packages this adapter can drive (same API)


class SiteEngineError(Exception):
    """The site engine refused the site (a theme or settings problem, not an editor's brief)."""


def quiet(level: int = logging.WARNING) -> None:
    """Silence the MkDocs 2.0 banners; show the site engine's own messages from `level` up."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    for name in ENGINES:
        log = logging.getLogger(name)
        if not log.handlers:
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(message)s"))
            log.addHandler(handler)
            log.propagate = False
        log.setLevel(level)


def build_site(config: Config, site_dir: Path, engine: str = "mkdocs", dirty: bool = False,
               exclude: list[str] | None = None) -> None:
    """Build the pages folder into `site_dir` with the theme and settings of mkdocs.yml.

    With `dirty`, `site_dir` holds the site of an earlier build (hard links to its files, see
    pipeline.publish) and only pages whose file in the pages folder is newer than their output are
    built again. Every file is then written by replacing it, never in place: the hard links are left
    to the published site. Files of the pages folder in `exclude` (not the engine's) are left out."""
    if engine not in ENGINES:
        raise ValueError(f"unknown site engine {engine!r}")
    give_back_memory()
    if engine == "properdocs":
        # ProperDocs' own command does this: every `mkdocs` import (Material's plugins) is ProperDocs
        importlib.import_module("properdocs.replacement")
    build = importlib.import_module(f"{engine}.commands.build")
    load = importlib.import_module(f"{engine}.config")
    exceptions = importlib.import_module(f"{engine}.exceptions")
    utils = importlib.import_module(f"{engine}.utils")
    try:
        extra = {"exclude_docs": "\n".join("/" + _escaped(rel) for rel in exclude)} if exclude else {}
        settings = load.load_config(str(config.root / config.mkdocs_file), docs_dir=str(config.pages_path),
                                    site_dir=str(site_dir), **extra)
        _labels_for_theme(settings, config)
        settings.plugins.on_startup(command="build", dirty=dirty)
        _compiled_templates_kept(settings, config.cache_path / "site-engine-templates", engine)
        try:
            with _replacing_writes(utils) if dirty else contextlib.nullcontext(), _known_dirty_warning(engine), \
                    _pages_read_when_built(build, settings), _pages_on_every_core(build, settings, engine):
                build.build(settings, dirty=dirty)
        finally:
            settings.plugins.on_shutdown()
    except exceptions.MkDocsException as exc:
        raise SiteEngineError(exc.format_message() if hasattr(exc, "format_message") else str(exc)) from None


def _labels_for_theme(settings, config: Config) -> None:
    """briefkit's labels in every language (templates/i18n/) and the languages the theme has labels
    for, for the theme's templates (templates/overrides/partials/language.html)."""
    from .diagnostics import Diagnostics
    from .i18n import load_translations

    translations = load_translations(config.templates_path, config.templates_dir, Diagnostics())
    ui = sorted({p.stem for d in settings.theme.dirs for p in (Path(d) / "partials" / "languages").glob("*.html")})
    settings["extra"]["briefkit_labels"] = {lang: translations.for_lang(lang).texts for lang in translations.languages}
    settings["extra"]["briefkit_ui_languages"] = ui


def _compiled_templates_kept(settings, folder: Path, engine: str) -> None:
    """The theme's templates compiled once and kept in the cache, as the engine's own are (render.py):
    a one-brief rebuild renders a few pages, and compiling the templates they use was a tenth of it.
    Jinja checks each kept template against its source; the folder is by engine, theme and Jinja
    versions, since the environment they set up decides how a template compiles."""
    import importlib.metadata

    import jinja2

    versions = []
    for package in (engine, "mkdocs-material", "jinja2"):
        try:
            versions.append(f"{package}-{importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            versions.append(package)
    cache = folder / "_".join(versions)
    theme = settings.theme
    make_env = theme.get_env

    def get_env():
        env = make_env()
        cache.mkdir(parents=True, exist_ok=True)
        env.bytecode_cache = jinja2.FileSystemBytecodeCache(str(cache))
        return env

    theme.get_env = get_env


def give_back_memory() -> None:
    """Return the memory the engine let go of to the system before the site engine takes its own: the
    C library keeps freed blocks of the finished pages (10,000 of them) for later, and the site engine's
    pages would come on top of them in a copy per core (see _pages_on_every_core). glibc only."""
    import ctypes
    import ctypes.util
    import gc

    gc.collect()
    try:
        ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):
        pass  # not glibc: nothing to do


def _escaped(rel: str) -> str:
    """A path as a gitignore pattern that matches only itself."""
    return "".join("\\" + ch if ch in "\\*?[]!# " else ch for ch in rel)


def replace_file(path: str, write) -> None:
    """Write a new file at `path` through a temporary one: a hard link at `path` is replaced, not changed."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.briefkit-{os.getpid()}.tmp"
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise


@contextlib.contextmanager
def _replacing_writes(utils):
    """The site engine's two ways of writing a file, made to replace the file instead."""
    write_file, copy_file = utils.write_file, utils.copy_file

    def write(content: bytes, output_path: str) -> None:
        replace_file(output_path, lambda tmp: write_file(content, tmp))

    def copy(source_path: str, output_path: str) -> None:
        if os.path.isdir(output_path):
            output_path = os.path.join(output_path, os.path.basename(source_path))
        replace_file(output_path, lambda tmp: copy_file(source_path, tmp))

    utils.write_file, utils.copy_file = write, copy
    try:
        yield
    finally:
        utils.write_file, utils.copy_file = write_file, copy_file


@contextlib.contextmanager
def _pages_read_when_built(build, settings):
    """Pages outside the navigation are read and converted just before they are built, then let go.

    The site engine reads and converts every page before it builds the first (so that navigation and
    plugins see them all), and keeps them all until the end: at 10,000 pages, every page's HTML twice
    in memory, and one process reading them all while the other cores wait. No other page uses the
    content of a page outside the navigation (briefs, listings: mkdocs.yml's `not_in_nav`), so here
    each is read where it is built (in the forked copy that builds it, see _pages_on_every_core) and
    dropped once written. Only without plugins, which may want every page before the first is built."""
    if len(settings.plugins):
        yield
        return
    populate, navigation, build_page = build._populate_page, build.get_navigation, build._build_page
    in_nav: set[int] = set()
    later: set[int] = set()

    def get_navigation(files, config):
        nav = navigation(files, config)
        in_nav.update(id(page) for page in nav.pages)
        return nav

    site_files = []  # the site's Files: a hand-written page's relative links are resolved against them

    def populate_page(page, config, files, dirty=False):
        site_files[:] = [files]
        if id(page) in in_nav:
            populate(page, config, files, dirty)
        else:
            later.add(id(page))

    def build_later(page, config, doc_files, nav, env, dirty=False, excluded=False):
        if id(page) not in later:
            return build_page(page, config, doc_files, nav, env, dirty, excluded)
        populate(page, config, site_files[0] if site_files else doc_files, dirty)
        try:
            build_page(page, config, doc_files, nav, env, dirty, excluded)
        finally:
            page.markdown = page.content = None  # written: its text is not needed any more

    build._populate_page, build.get_navigation, build._build_page = populate_page, get_navigation, build_later
    try:
        yield
    finally:
        build._populate_page, build.get_navigation, build._build_page = populate, navigation, build_page


FORK_FROM = 200  # pages: below this, one process builds them (forking costs more than it saves)


@contextlib.contextmanager
def _pages_on_every_core(build, settings, engine: str, workers: int | None = None):
    """The theme put around the pages by forked copies of this process, each taking every n-th page.

    The site engine renders pages one at a time, once everything they need (navigation, every page's
    content) is known: at its first page, the process forks, and each copy builds its share. Only where
    that is safe: on a system that forks, with no plugins (they may keep state from page to page), when
    this process runs no other thread (the preview does: it builds in one process), and for many pages."""
    workers = workers or min(os.cpu_count() or 1, 8)
    if workers < 2 or not hasattr(os, "fork") or len(settings.plugins) or threading.active_count() > 1:
        yield
        return
    original = build._build_page
    state: dict = {}

    def build_page(page, config, doc_files, nav, env, dirty=False, excluded=False):
        if "order" not in state:
            todo = [f for f in doc_files if not dirty or f.page.file.is_modified()]
            if len(todo) < FORK_FROM:
                state["order"] = None
            else:
                state["order"] = {id(f.page): i % workers for i, f in enumerate(todo)}
                state["last"] = doc_files[-1].page
                state["children"] = [_fork_share(original, todo, k, workers, config, doc_files, nav, env, dirty,
                                                 engine) for k in range(1, workers)]
        order = state["order"]
        if order is None or order.get(id(page), 0) == 0:
            original(page, config, doc_files, nav, env, dirty, excluded)
        if order is not None and page is state["last"]:
            _wait_for(state.pop("children"), engine)

    build._build_page = build_page
    try:
        yield
    finally:
        build._build_page = original
        for pid in state.get("children", []):  # the parent failed first: its copies are not needed
            with contextlib.suppress(OSError):
                os.kill(pid, 9)
                os.waitpid(pid, 0)


WARNED = 3  # exit status of a copy that logged a warning (strict mode must then stop the build)


def _fork_share(original, todo, share: int, workers: int, config, doc_files, nav, env, dirty, engine) -> int:
    pid = os.fork()
    if pid:
        return pid
    status = 1
    try:  # the copy: its share of the pages, then out, without running anything of the parent's
        counter = _WarningCounter()
        logging.getLogger(engine).addHandler(counter)
        for i, file in enumerate(todo):
            if i % workers == share:
                original(file.page, config, doc_files, nav, env, dirty, file.inclusion.is_excluded())
        status = WARNED if counter.count else 0
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(status)


class _WarningCounter(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _wait_for(children: list[int], engine: str) -> None:
    failed = warned = 0
    for pid in children:
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        warned += code == WARNED
        failed += code not in (0, WARNED)
    if failed:
        raise SiteEngineError(f"{failed} of the processes building pages failed (see above)")
    if warned:  # counted by the site engine's strict mode, like the warnings of its own process
        logging.getLogger(f"{engine}.commands.build").warning("warnings while building pages (see above)")


class _DropDirtyWarning(logging.Filter):
    """MkDocs warns that a dirty build may leave navigation stale; here nothing else changes but the
    pages that are built again (pipeline.publish makes a full build when anything else changed), and
    in strict mode the warning would stop the build."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "'dirty' build" not in record.getMessage()


@contextlib.contextmanager
def _known_dirty_warning(engine: str):
    log = logging.getLogger(f"{engine}.commands.build")
    drop = _DropDirtyWarning()
    log.addFilter(drop)
    try:
        yield
    finally:
        log.removeFilter(drop)
