"""Command line: `python build.py [check|serve|new]`.

Exit codes: 0 success, 1 problems in the editors' input (printed in the contract's format).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import re
import shutil
import sys
import unicodedata
from pathlib import Path

import click

from .config import Config, load_config
from .diagnostics import EditorError
from .generate import Generation, check, generate
from .publish import staging_dir, swap_in

ROOT = Path.cwd()
MKDOCS_FILE = "mkdocs.yml"


def _quiet_mkdocs(level: int = logging.WARNING) -> None:
    """Silence the MkDocs 2.0 banners; show MkDocs' own messages from `level` up."""
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    os.environ.setdefault("DISABLE_MKDOCS_2_WARNING", "true")
    log = logging.getLogger("mkdocs")
    if not log.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(message)s"))
        log.addHandler(handler)
        log.propagate = False
    log.setLevel(level)


def _config() -> Config:
    return load_config(ROOT, MKDOCS_FILE)


def _fail(exc: EditorError) -> None:
    # only diagnostic lines: tools and tests read this output line by line
    click.echo(exc.diagnostics.format(), err=True)
    sys.exit(1)


@click.group(invoke_without_command=True)
@click.pass_context
def main(ctx: click.Context) -> None:
    """Build the site of briefs (the default command), check the briefs, preview or start a brief."""
    if ctx.invoked_subcommand is None:
        ctx.invoke(build)


@main.command()
def build() -> None:
    """Check everything, then build the site into site/ (the previous site stays if anything fails)."""
    config = _config()
    try:
        generation = generate(config, progress=True, defer=True)
    except EditorError as exc:
        _fail(exc)
    if generation.warnings.items:
        click.echo(generation.warnings.format(), err=True)
    publish_site(config, generation)
    click.echo(f"Built {len(generation.cards)} briefs into site/.", err=True)


def _source_date_epoch(generation: Generation) -> str:
    dates = [d for c in generation.cards for d in (c.brief.date, c.brief.updated) if d]
    newest = max(dates) if dates else dt.date(2000, 1, 1)
    return str(int(dt.datetime(newest.year, newest.month, newest.day, tzinfo=dt.UTC).timestamp()))


def publish_site(config: Config, generation: Generation, site_dir: str = "site") -> None:
    """Run MkDocs into a temporary folder next to site/ and swap it in only when it succeeded."""
    _quiet_mkdocs()
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config as mkdocs_config
    from mkdocs.exceptions import MkDocsException

    from . import mkdocs_glue

    # Reproducible output: dates MkDocs writes (sitemap, gzip headers) come from the briefs.
    os.environ.setdefault("SOURCE_DATE_EPOCH", _source_date_epoch(generation))
    target = config.root / site_dir
    tmp = staging_dir(target)
    cfg = mkdocs_config(str(config.root / MKDOCS_FILE), site_dir=str(tmp))
    cfg.plugins.on_startup(command="build", dirty=False)
    mkdocs_glue.use_generation(generation)
    try:
        mkdocs_build(cfg)
    except MkDocsException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        if mkdocs_glue.editor_error() is not None:  # found while MkDocs was running (deferred pages)
            _fail(mkdocs_glue.editor_error())
        click.echo(f"error: the site engine failed: {exc.format_message()}; nothing was published.", err=True)
        sys.exit(1)
    finally:
        cfg.plugins.on_shutdown()
    swap_in(tmp, target)


@main.command(name="check")
def check_command() -> None:
    """Only validate briefs, registries and bibliography; print every problem."""
    corpus, diags = check(_config())
    if diags.items:
        click.echo(diags.format(), err=True)
    if diags.has_errors:
        sys.exit(1)
    click.echo(f"{len(corpus.briefs)} briefs OK.", err=True)


@main.command()
@click.option("--port", default=8000, show_default=True, help="Port on 127.0.0.1.")
@click.option("--drafts", is_flag=True, help="Also show drafts and scheduled briefs, with a banner.")
def serve(port: int, drafts: bool) -> None:
    """Preview the site with live reload when a brief, the .bib, a registry or a template changes."""
    _quiet_mkdocs(logging.INFO)
    from mkdocs.commands.serve import serve as mkdocs_serve

    from . import mkdocs_glue

    config = _config()
    try:
        generate(config, drafts=drafts)  # fail early, with the editor's errors, before starting the server
    except EditorError as exc:
        _fail(exc)
    mkdocs_glue.show_drafts(drafts)
    mkdocs_serve(str(config.root / MKDOCS_FILE), dev_addr=f"127.0.0.1:{port}", livereload=True)


@main.command()
@click.argument("slugs", nargs=-1)
@click.option("--series", help="Collection: the briefs of this series.")
@click.option("--topic", help="Collection: the briefs of this topic.")
@click.option("--from", "start", help="Collection: from this month on (YYYY-MM).")
@click.option("--to", "end", help="Collection: up to this month (YYYY-MM).")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Collection file to write.")
def pdf(slugs: tuple[str, ...], series: str | None, topic: str | None, start: str | None, end: str | None,
        output: Path | None) -> None:
    """Build PDFs only: of the given briefs (all when none is given) into site/, or one collection PDF."""
    config = _config()
    if series or topic or start or end:
        _collection(config, series, topic, start, end, output)
        return

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
            shutil.copyfile(built, target)
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


def slugify(title: str) -> str:
    text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].strip("-") or "brief"


@main.command()
@click.argument("title")
@click.option("--series", help="Series key from briefs/series.yml.")
@click.option("--author", "authors", multiple=True, required=True,
              help="Author key from briefs/authors.yml (repeatable).")
@click.option("--date", "date_", type=click.DateTime(["%Y-%m-%d"]), help="Publication date (default: today).")
@click.option("--slug", help="URL slug (default: from the title).")
def new(title: str, series: str | None, authors: tuple[str, ...], date_, slug: str | None) -> None:
    """Start a new brief file from templates/new-brief.yml.j2."""
    from .render import make_environment

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
    slug = slug or slugify(title)
    path = config.briefs_path / f"{day.isoformat()}-{slug}.yml"
    if path.exists():
        click.echo(f"error: {path.relative_to(config.root)} already exists; nothing was written", err=True)
        sys.exit(1)
    text = make_environment(config.templates_path).get_template("new-brief.yml.j2").render(
        title=title, series=series, authors=list(authors), date=day)
    with open(path, "x", encoding="utf-8") as f:
        f.write(text)
    click.echo(f"Created {path.relative_to(config.root)}: write its body, then run `python build.py check`.")
