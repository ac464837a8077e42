"""Command line: `python build.py [check|serve|new]`.

Exit codes: 0 success, 1 problems in the editors' input or faults of the machine (a full disk, a
read-only folder, a busy port, another build running), printed in the contract's format; 2 a command
line click cannot parse; 3 an internal error (a bug: one line says where its traceback was written).

One build at a time per project: `build`, `pdf` and `serve` hold the project's lock (lock.py) while
they write; a second one waits for the first (or, with --no-wait, exits 1 saying who holds it).
`check` and `new` take no lock: they write no generated file (only atomically written caches, and
`new` its own new brief).
"""

from __future__ import annotations

import datetime as dt
import errno
import logging
import os
import re
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from .config import Config, load_config
from .diagnostics import EditorError
from .faults import QUIET_OS_ERRORS, check_collection_output, check_port, port_error, reported
from .generate import SCHEMA_PATH, Generation, check, generate
from .lock import project_lock, timeout_from_environment
from .names import slug_problem
from .pipeline import publish
from .placeholders import scaffold
from .publish import site_folder
from .site_engine import ENGINES, SiteEngineError, quiet
from .slugs import slug_from_title
from .theme_patches import ThemePatchError

ROOT = Path.cwd()
MKDOCS_FILE = "mkdocs.yml"


def _config() -> Config:
    try:
        return load_config(ROOT, MKDOCS_FILE)
    except EditorError as exc:  # mkdocs.yml itself: a syntax error, a bad option, a folder not ours
        _fail(exc)


def _fail(exc: EditorError) -> None:
    # only diagnostic lines: tools and tests read this output line by line
    click.echo(exc.diagnostics.format(), err=True)
    sys.exit(1)


_faults = reported(lambda: ROOT)  # OSError and the like → one `error: …` line, exit 1 (faults.py)

_NO_WAIT_HELP = "If another build of this project is running, exit at once (1) instead of waiting for it."


def _no_wait_option(command):
    return click.option("--no-wait", is_flag=True, help=_NO_WAIT_HELP)(command)


@contextmanager
def _one_build_at_a_time(config: Config, no_wait: bool):
    """Hold the project's lock; --no-wait given to the command or before it (`build.py --no-wait pdf`)."""
    context = click.get_current_context(silent=True)
    if context is not None:
        no_wait = no_wait or bool(context.find_root().params.get("no_wait"))
    with project_lock(config.root, wait=not no_wait, timeout=timeout_from_environment()):
        yield


@click.group(invoke_without_command=True)
@_no_wait_option
@click.pass_context
def main(ctx: click.Context, no_wait: bool) -> None:
    """Build the site of briefs (the default command), check the briefs, preview or start a brief."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(build)


@main.command()
@_no_wait_option
@_faults
def build(no_wait: bool = False) -> None:
    """Check everything, then build the site into site/ (the previous site stays if anything fails)."""
    config = _config()
    with _one_build_at_a_time(config, no_wait):
        try:
            generation = generate(config, progress=True)
        except EditorError as exc:
            _fail(exc)
        if generation.warnings.items:
            click.echo(generation.warnings.format(), err=True)
        how = publish_site(config, generation)
    said = {"unchanged": " (nothing changed)", "changed": " (only what changed was built again)"}.get(how, "")
    click.echo(f"Built {len(generation.cards)} briefs into site/{said}.", err=True)


def publish_site(config: Config, generation: Generation, site_dir: str = "site") -> str:
    """The site engine, the extras and the atomic swap (pipeline.publish), with their failures said once."""
    quiet()
    target = config.root / site_dir
    handlers = [h for name in ENGINES for h in logging.getLogger(name).handlers]
    for handler in handlers:
        handler.addFilter(QUIET_OS_ERRORS)  # a full disk is reported once, by the contract line
    try:
        return publish(config, generation, target)
    except EditorError as exc:
        _fail(exc)
    except (SiteEngineError, ThemePatchError) as exc:
        click.echo(f"error: the site engine failed: {exc}; nothing was published.", err=True)
        sys.exit(1)
    except OSError as exc:
        for name in ("filename", "filename2"):  # editors know site/, not the staging folder
            if getattr(exc, name) is not None:
                setattr(exc, name, _as_published(os.fsdecode(getattr(exc, name)), site_folder(target).parent,
                                                 target))
        raise
    finally:
        for handler in handlers:
            handler.removeFilter(QUIET_OS_ERRORS)


def _as_published(path: str, staging_parent: Path, target: Path) -> str:
    """A path in a staging folder (.site-tmp-*) as the path it would have had in site/."""
    path = re.sub(r"\.briefkit-\d+\.tmp$", "", path)  # written through a temporary file (site_engine.py)
    absolute = Path(os.path.abspath(path))
    try:
        inside = absolute.relative_to(os.path.abspath(staging_parent))
    except ValueError:
        return path
    if inside.parts and inside.parts[0].startswith(f".{site_folder(target).name}-"):
        return str(target.joinpath(*inside.parts[1:]))
    return path


@main.command(name="check")
@_faults
def check_command() -> None:
    """Check everything the build checks (briefs, drafts included, registries, bibliographies, the CSL
    style, templates, what the PDFs print) without writing the site; print every problem."""
    config = _config()
    try:
        generation = generate(config, write=False, drafts=True, check_print=True)
    except EditorError as exc:
        _fail(exc)
    if generation.warnings.items:
        click.echo(generation.warnings.format(), err=True)
    click.echo(f"{len(generation.cards)} briefs OK.", err=True)


@main.command()
@click.option("--port", default=8000, show_default=True, help="Port to listen on.")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (the preview shows drafts: keep it on this machine unless you mean it).")
@click.option("--drafts", is_flag=True, help="Also show drafts and scheduled briefs, with a banner.")
@_no_wait_option
@_faults
def serve(port: int, host: str, drafts: bool, no_wait: bool = False) -> None:
    """Preview the site; it rebuilds when a brief, the .bib, a registry, a template or docs/ changes."""
    check_port(port, host)  # a busy port is said at once, not after the first build
    from .serve import serve as run_preview

    config = _config()
    context = click.get_current_context(silent=True)
    no_wait = no_wait or bool(context and context.find_root().params.get("no_wait"))
    if no_wait:  # said at once, like build's: another build holds the project
        with _one_build_at_a_time(config, True):
            pass
    # The lock is held for each build only, not while the preview waits for changes: editors run
    # `python build.py` while a preview is open (serve.Preview.rebuild takes it).
    try:
        run_preview(config, port, drafts, host)
    except OSError as exc:
        if exc.filename is None and exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            port_error(exc, port)  # taken between the check and the server's start
        raise


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--series", help="Collection: the briefs of this series.")
@click.option("--topic", help="Collection: the briefs of this topic.")
@click.option("--from", "start", help="Collection: from this month on (YYYY-MM).")
@click.option("--to", "end", help="Collection: up to this month (YYYY-MM).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Collection file to write: a new .pdf file, or a PDF to replace (not inside the project's "
                   "own folders).")
@_no_wait_option
@_faults
def pdf(slugs: tuple[str, ...], series: str | None, topic: str | None, start: str | None, end: str | None,
        output: Path | None, no_wait: bool = False) -> None:
    """Build PDFs only: of the given briefs (all when none is given) into site/, or one collection PDF."""
    config = _config()
    if series or topic or start or end:
        if output is not None:
            check_collection_output(output, config.root, _protected(config))
        with _one_build_at_a_time(config, no_wait):
            _collection(config, series, topic, start, end, output)
        return
    if output is not None:
        raise click.BadParameter("only for a collection (with --series, --topic, --from or --to)",
                                 param_hint="-o")
    with _one_build_at_a_time(config, no_wait):
        _brief_pdfs(config, slugs)


def _protected(config: Config) -> dict[str, Path]:
    """Folders a collection PDF must not be written into: editors' files, the engine's, generated ones."""
    root = config.root
    folders = {"briefs/": config.briefs_path, "templates/": config.templates_path, "docs/": root / _docs_dir(),
               "site/": root / "site", ".git/": root / ".git", "briefkit/": root / "briefkit",
               ".build/": root / ".build", ".cache/": config.cache_path, "tests/": root / "tests",
               "benchmarks/": root / "benchmarks", "tools/": root / "tools"}
    folders[f"{config.pages_dir}/"] = config.pages_path
    return folders


def _docs_dir() -> str:
    try:
        text = (ROOT / MKDOCS_FILE).read_text(encoding="utf-8")
    except OSError:
        return "docs"
    match = re.search(r"^docs_dir:\s*['\"]?([^'\"\s#]+)", text, re.MULTILINE)
    return match.group(1) if match else "docs"


def _brief_pdfs(config: Config, slugs: tuple[str, ...]) -> None:
    try:
        generation = generate(config, pdfs=set(slugs) if slugs else None, every_pdf=True, progress=True)
    except EditorError as exc:
        _fail(exc)
    unknown = sorted(set(slugs) - {c.slug for c in generation.cards})
    if unknown:
        click.echo(f"error: no published brief with the slug {', '.join(map(repr, unknown))}", err=True)
        sys.exit(1)
    for rel, built in sorted(generation.files.items()):
        target = config.root / "site" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if not (target.exists() and target.stat().st_size == built.stat().st_size
                and target.read_bytes() == built.read_bytes()):
            partial = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            try:  # a full disk leaves the previous PDF, not half of the new one
                shutil.copyfile(built, partial)
                partial.replace(target)
            finally:
                partial.unlink(missing_ok=True)
    count = len(generation.files)
    click.echo(f"Wrote {count} PDF{'s' if count != 1 else ''} into site/.", err=True)


def _month(value: str | None, option: str) -> tuple[int, int] | None:
    if value is None:
        return None
    match = re.fullmatch(r"(\d{4})-(\d{2})", value)
    if not match or not 1 <= int(match.group(2)) <= 12:
        raise click.BadParameter("use YYYY-MM, e.g. 2024-01", param_hint=option)
    return int(match.group(1)), int(match.group(2))


def _collection(config: Config, series, topic, start, end, output) -> None:
    from .pdf import PdfBuilder
    from .render import Renderer

    first, last = _month(start, "--from"), _month(end, "--to")
    try:
        generation = generate(config, pdfs=set())
    except EditorError as exc:
        _fail(exc)
    corpus = generation.corpus
    if series and series not in corpus.series:
        raise click.BadParameter(f"unknown series {series!r} (known: {', '.join(sorted(corpus.series))})",
                                 param_hint="--series")
    cards = [c for c in reversed(generation.cards)  # oldest first
             if (not series or c.brief.series == series) and (not topic or topic in c.brief.topics)
             and (not first or (c.brief.date.year, c.brief.date.month) >= first)
             and (not last or (c.brief.date.year, c.brief.date.month) <= last)]
    if not cards:
        click.echo("error: no published brief matches", err=True)
        sys.exit(1)
    try:
        full = generation.materialize(cards)
    except EditorError as exc:
        _fail(exc)
    chosen = [full[c.slug] for c in cards]
    from .listings import topic_label

    title = corpus.series[series].label if series else topic_label(corpus, topic) if topic else config.site_name
    span_start = dt.date(*first, 1) if first else chosen[0].brief.date
    span_end = dt.date(*last, 1) if last else chosen[-1].brief.date
    span = f"{span_start:%B %Y} – {span_end:%B %Y}"
    name = "-".join(p for p in [series or topic or "briefs", start, end] if p)
    out = output or config.root / "pdf" / f"{name}.pdf"
    try:
        PdfBuilder(config, corpus, Renderer(config, corpus)).collection(
            title, f"{span} · {len(chosen)} briefs", chosen, out)
    except EditorError as exc:
        _fail(exc)
    click.echo(f"Wrote {out} ({len(chosen)} briefs).", err=True)


def entry() -> None:
    """The `briefkit` command and build.py: main, with a bug reported as one line and exit code 3."""
    try:
        main()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception:
        import tempfile
        import traceback

        with tempfile.NamedTemporaryFile("w", prefix="briefkit-crash-", suffix=".txt", delete=False,
                                         encoding="utf-8") as f:
            traceback.print_exc(file=f)
        click.echo(f"internal error: briefkit failed (a bug, not a problem in the briefs); the traceback is in "
                   f"{f.name}: please report it", err=True)
        sys.exit(3)


@main.command()
@click.argument("title")
@click.option("--series", help="Series key from briefs/series.yml.")
@click.option("--author", "authors", multiple=True, required=True,
              help="Author key from briefs/authors.yml (repeatable).")
@click.option("--date", "date_", type=click.DateTime(["%Y-%m-%d"]), help="Publication date (default: today).")
@click.option("--slug", help="URL slug (default: from the title, romanized when it is not in Latin letters).")
@_faults
def new(title: str, series: str | None, authors: tuple[str, ...], date_, slug: str | None) -> None:
    """Start a new brief file (a draft) from templates/new-brief.yml.j2."""
    config = _config()
    corpus, _ = check(config)
    problems = []
    if series and series not in corpus.series:
        problems.append(f"unknown series '{series}' (known: {', '.join(sorted(corpus.series))})")
    for a in authors:
        if a not in corpus.authors:
            problems.append(f"unknown author '{a}' (known: {', '.join(sorted(corpus.authors))})")
    if problems:
        for p in problems:
            click.echo(f"error: {p}", err=True)
        sys.exit(1)
    day = (date_.date() if date_ else dt.date.today())
    slug = slug or slug_from_title(title)
    if not slug:
        click.echo("error: the title has no letter or digit to make a slug from; give one with --slug", err=True)
        sys.exit(1)
    if problem := slug_problem(slug, "slug"):
        click.echo(f"error: the {problem[0]} ({problem[1]}); nothing was written", err=True)
        sys.exit(1)
    path = config.briefs_path / f"{day.isoformat()}-{slug}.yml"
    if path.exists():
        click.echo(f"error: {path.relative_to(config.root)} already exists; nothing was written",
                   err=True)
        click.echo(f"hint: give the new brief another slug: --slug {slug}-2", err=True)
        sys.exit(1)
    text = scaffold(config, title, series, list(authors), day, schema_reference(config, path))
    with open(path, "x", encoding="utf-8") as f:
        f.write(text)
    click.echo(f"Created {path.relative_to(config.root)} (a draft): replace its summary and body, then run "
               "`python build.py check`.")


@main.group(name="import")
def import_group() -> None:
    """Bring an archive in from another system (WordPress)."""


@import_group.command(name="wordpress")
@click.argument("export", type=click.Path(path_type=Path))
@click.option("--uploads", type=click.Path(path_type=Path),
              help="A copy of the site's wp-content/uploads folder, where pictures are taken from "
                   "(default: wp-content/uploads beside the export). Nothing is downloaded.")
@_faults
def import_wordpress_command(export: Path, uploads: Path | None) -> None:
    """One brief per post of a WordPress export (Tools → Export): never overwrites a brief."""
    from .wp_import import REPORT, import_wordpress
    from .wxr import WxrError

    config = _config()
    if not export.is_file():
        click.echo(f"error: {export} is not a file: give the export WordPress wrote (Tools → Export)", err=True)
        sys.exit(1)
    try:
        result = import_wordpress(config, export, uploads)
    except WxrError as exc:
        click.echo(f"{export}:{exc.line}:1: error: {exc}", err=True)
        sys.exit(1)
    click.echo(f"Wrote {len(result.written)} briefs ({len(result.kept)} existing left alone) and "
               f"{result.redirects} redirects; {len(result.report)} things to look at are listed in {REPORT}.")


def schema_reference(config: Config, brief: Path) -> str:
    """Where editors' tools find the brief's JSON Schema: the published one when the site has an address
    (what `yaml-language-server` in VS Code reads), else the built site's copy, relative to the brief."""
    if config.site_url:
        return config.site_url.rstrip("/") + "/" + SCHEMA_PATH
    return os.path.relpath(config.root / "site" / SCHEMA_PATH, brief.parent).replace(os.sep, "/")
