"""Print: one PDF per brief (and collections) through Typst, with the notes of the web page.

1. A digest of everything a PDF depends on (the brief's file, its formatted notes, registry entries,
   images, fonts, templates, versions) names it in the cache; unchanged briefs are not rebuilt.
2. The Markdown of the briefs to build goes through one pandoc process per core (totypst.lua), the
   formatted citations spliced into the notes, so the notes print exactly as on the web page.
3. A Jinja template (templates/pdf/brief.typ.j2) writes each Typst document, which imports the
   layout in templates/pdf/brief.typ; Typst compiles them across all cores with the fonts of
   templates/fonts/ only (system fonts ignored), dated from the brief, so the bytes are reproducible.
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import re
import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .diagnostics import Diagnostics, EditorError, Span
from .glyphs import check_brief_glyphs, coverage
from .html import page_url, plain_text
from .i18n import PRINT_LABELS
from .listings import topic_label
from .load import Corpus
from .pandoc import pandoc_path, pandoc_version
from .render import Renderer, support_markers
from .resolve import CITATION_CLOSE, CITATION_OPEN, ResolvedBrief, in_text_edit
from .typography import smarten

PDF_ENGINE_VERSION = "2"
_LUA = Path(__file__).with_name("totypst.lua")
PAPERS = {"letter": "us-letter", "us-letter": "us-letter", "a4": "a4"}
# Every PDF is accessible (PDF/UA-1: tagged, with alt text, language and title) and archival (PDF/A-2a,
# which is PDF/A-2 with the same tagging). Typst checks both while writing and stops on a breach.
PDF_STANDARDS = ("ua-1", "a-2a")


def typst_string(value: str) -> str:
    escaped = (value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
               .replace("\t", "\\t"))
    return f'"{escaped}"'


@functools.cache
def typst_version() -> str:
    from importlib.metadata import version

    return version("typst")


def _digest_files(paths) -> str:
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@dataclass(frozen=True)
class PdfSettings:
    root: Path
    fonts: Path
    templates: Path
    cache: Path
    paper: str
    site_name: str
    site_url: str

    @classmethod
    def from_config(cls, config: Config) -> PdfSettings:
        paper = PAPERS.get(str(config.paper).lower())
        if paper is None:
            raise SystemExit(f"mkdocs.yml: extra.briefkit.paper must be letter or a4, not {config.paper!r}")
        return cls(config.root, config.templates_path / "fonts", config.templates_path / "pdf",
                   config.cache_path / "pdf", paper, config.site_name, config.site_url)

    @functools.cached_property
    def environment_digest(self) -> str:
        """Fonts, templates, versions and what every PDF prints of the site (its name and address):
        a change to any of them rebuilds every PDF."""
        parts = [PDF_ENGINE_VERSION, typst_version(), pandoc_version(), self.paper, self.site_name, self.site_url,
                 *PDF_STANDARDS,
                 _digest_files(self.fonts.glob("*.[ot]tf")), _digest_files(self.templates.glob("*")),
                 hashlib.sha256(_LUA.read_bytes()).hexdigest()]
        return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def pdf_is_whole(path: Path) -> bool:
    """Whether `path` is a PDF written to its end: the header, and a trailer whose `startxref` points
    at a cross-reference section inside the file. Only the two ends are read (a build looks at
    every cached PDF); a PDF cut short (a killed build, a full disk) or overwritten fails."""
    try:
        with path.open("rb") as f:
            if f.read(5) != b"%PDF-":
                return False
            size = f.seek(0, os.SEEK_END)
            f.seek(max(0, size - 1024))
            tail = f.read()
            match = _TRAILER.search(tail)
            if match is None or not 0 < int(match.group(1)) < size:
                return False
            f.seek(int(match.group(1)))
            return _XREF.match(f.read(32)) is not None
    except (OSError, ValueError):
        return False


_TRAILER = re.compile(rb"startxref\s+(\d+)\s+%%EOF\s*\Z")
_XREF = re.compile(rb"xref\s|\d+\s+\d+\s+obj\b")  # a table, or a cross-reference stream object


def pdf_path(rb: ResolvedBrief) -> str:
    """Where the PDF is published: /<YYYY>/<MM>/<slug>/<slug>.pdf."""
    return rb.page_path.removesuffix(".md") + f"/{rb.slug}.pdf"


class PdfBuilder:
    def __init__(self, config: Config, corpus: Corpus, renderer: Renderer):
        self.settings = PdfSettings.from_config(config)
        self.config = config
        self.corpus = corpus
        self.renderer = renderer

    # ---- what a PDF depends on ----

    def digest(self, rb: ResolvedBrief) -> str:
        brief = rb.brief
        images = [brief.image.file] if brief.image else []
        images += [file for f in brief.figures.values() for file in f.files]
        parts = {
            "environment": self.settings.environment_digest,
            # the slug comes from the file name, not its content: a renamed brief prints its new address
            "slug": rb.slug,
            "page": rb.page_path,
            "brief": (self.config.root / rb.source.file).read_text(encoding="utf-8"),
            "notes": [[n.template, list(n.citations)] for n in rb.notes],
            "in_text": [list(rb.in_text), list(rb.references)],
            "authors": [self.corpus.authors[a].model_dump() for a in brief.authors],
            # the PDF's keywords are the topics' labels
            "topics": [topic_label(self.corpus, key, brief.lang) for key in brief.topics],
            "series": self.corpus.series[brief.series].model_dump() if brief.series in self.corpus.series else None,
            "images": [hashlib.sha256((self.config.briefs_path / f).read_bytes()).hexdigest() for f in images],
            # the words it prints (templates/i18n/) in its language (the site's when the brief names none)
            "labels": [brief.lang, self.renderer.labels(brief.lang).texts],
        }
        return hashlib.sha256(json.dumps(parts, sort_keys=True, ensure_ascii=False).encode()).hexdigest()

    # ---- Markdown pieces → Typst ----

    def markdown_parts(self, rb: ResolvedBrief) -> dict:
        brief = rb.brief
        key = rb.slug
        body = brief.body
        seen: set[int] = set()
        edits = []
        for ref in rb.plan.body_refs:
            if ref.citation >= 0:  # an in-text citation, spliced in by totypst.lua as on the web page
                start, end, before, after = in_text_edit(brief.body, ref)
                edits.append((start, end, f"{before}{CITATION_OPEN}{ref.citation}{CITATION_CLOSE}{after}"))
                continue
            first = ref.number not in seen
            seen.add(ref.number)
            call = f'#note(notes, {typst_string(key)}, {ref.number}, {"true" if first else "false"})'
            edits.append((ref.start, ref.end, f"`{call}`{{=typst}}"))
        for fig in rb.source.body_scan.figures:
            edits.append((fig.start, fig.end, f"```{{=typst}}\n#figures.at({typst_string(fig.label)})\n```"))
        # the support block is for the web page: print leaves it out
        edits += [(m.start(), m.end(), "") for m in support_markers(body)]
        for start, end, text in sorted(edits, reverse=True):
            body = body[:start] + text + body[end:]
        parts = {"body": smarten(body)}  # the same typography as the web page (render.Renderer.body)
        if brief.summary:
            parts["summary"] = brief.summary
        for i, item in enumerate(brief.takeaways):
            parts[f"takeaway:{i}"] = item
        for i, correction in enumerate(brief.corrections):
            parts[f"correction:{i}"] = correction.text
        if brief.image and brief.image.caption:
            parts["hero:caption"] = brief.image.caption
        for label, fig in brief.figures.items():
            if fig.caption:
                parts[f"figure:{label}:caption"] = fig.caption
        disclaimer = self.renderer.disclaimer(rb)
        if disclaimer:
            parts["disclaimer"] = disclaimer
        notes = [{"template": n.template, "citations": list(n.citations)} for n in rb.notes]
        return {"parts": parts, "notes": notes, "citations": list(rb.in_text), "references": list(rb.references),
                "lang": brief.lang.split("-")[0]}

    def convert(self, briefs: list[ResolvedBrief]) -> dict[str, dict]:
        """Typst markup of every Markdown piece of `briefs`, one pandoc process per core."""
        if not briefs:
            return {}
        workers = max(1, min(os.cpu_count() or 1, 8, len(briefs)))
        groups = [briefs[i::workers] for i in range(workers)]

        def run(group: list[ResolvedBrief]) -> list[dict]:
            request = {"docs": [self.markdown_parts(rb) for rb in group]}
            proc = subprocess.run([pandoc_path(), "lua", str(_LUA)], input=json.dumps(request).encode(),
                                  capture_output=True)
            if proc.returncode != 0:
                raise RuntimeError(f"pandoc could not convert briefs to Typst: {proc.stderr.decode()}")
            return json.loads(proc.stdout)["docs"]

        with ThreadPoolExecutor(len(groups)) as pool:
            outputs = list(pool.map(run, groups))
        converted = {}
        for group, docs in zip(groups, outputs, strict=True):
            for rb, doc in zip(group, docs, strict=True):
                doc["parts"] = doc["parts"] or {}
                doc["notes"] = [] if doc["notes"] == {} else doc["notes"]
                doc["references"] = [] if doc.get("references", {}) == {} else doc["references"]
                converted[rb.slug] = doc
        return converted

    # ---- Typst documents ----

    @staticmethod
    def print_labels(t) -> dict:
        """The words templates/pdf/brief.typ prints, in one language."""
        return {key: t(key) for key in PRINT_LABELS}

    def meta(self, rb: ResolvedBrief) -> dict:
        brief = rb.brief
        t = self.renderer.labels(brief.lang)
        series = self.corpus.series.get(brief.series) if brief.series else None
        authors = [self.corpus.authors[a].name for a in brief.authors]
        return {
            "title": brief.title, "short_title": brief.short_title,
            "series": series.label_in(brief.lang) if series else None,
            "site_name": self.settings.site_name,
            "authors": authors, "byline": t("byline", authors=t.names(authors)), "labels": self.print_labels(t),
            "date": t.date(brief.date),
            "updated": t.date(brief.last_modified) if brief.last_modified else None,
            "year": brief.date.year, "month": brief.date.month, "day": brief.date.day,
            "lang": brief.lang.split("-")[0], "paper": self.settings.paper,
            # the document's subject and keywords, as the page's description and article:tag
            "description": plain_text(brief.summary) if brief.summary else None,
            "keywords": [topic_label(self.corpus, key, brief.lang) for key in brief.topics],
            "url": page_url(self.settings.site_url, rb.page_path) if self.settings.site_url else None,
        }

    def document_parts(self, rb: ResolvedBrief, converted: dict) -> dict:
        """What templates/pdf/brief.typ.j2 needs for one brief (also used for collections)."""
        brief = rb.brief
        parts = converted["parts"]
        t = self.renderer.labels(brief.lang)

        def figure_call(fig, caption_key: str, float_: bool = True) -> str:
            caption = f"[{parts[caption_key]}]" if caption_key in parts else "none"
            if fig.compare:  # print shows both pictures, side by side
                def frame(f, which: str) -> str:
                    alt = f.alt or f"{fig.alt} ({t.date(f.date)})"
                    return (f"(path: {typst_string('/' + self.config.briefs_dir + '/' + f.file)}, "
                            f"alt: {typst_string(alt)}, label: {typst_string(which)}, "
                            f"date: {typst_string(t.date(f.date))}, credit: {typst_string(f.credit_text)})")
                credit = typst_string(fig.credit_text) if fig.credit_text else "none"
                return (f"brief-compare({frame(fig.before, t('before'))}, {frame(fig.after, t('after'))}, "
                        f"caption: {caption}, credit: {credit})")
            if fig.embed:  # a chart or video online: print says where it is
                return (f"brief-embed({typst_string(fig.embed)}, title: {typst_string(fig.alt)}, caption: {caption}, "
                        f"credit: {typst_string(fig.credit_text)})")
            return (f"brief-figure({typst_string('/' + self.config.briefs_dir + '/' + fig.file)}, "
                    f"alt: {typst_string(fig.alt)}, caption: {caption}, credit: {typst_string(fig.credit_text)}"
                    f"{'' if float_ else ', float: false'})")

        return {
            "key": rb.slug,
            "meta_json": typst_string(json.dumps(self.meta(rb), ensure_ascii=False)),
            "notes": [(n.number, text) for n, text in zip(rb.notes, converted["notes"], strict=True)],
            "references": converted["references"],
            "references_title": typst_string(t("references")),
            "figures": [(typst_string(label), figure_call(fig, f"figure:{label}:caption"))
                        for label, fig in brief.figures.items()],
            "summary": parts.get("summary"),
            # the hero stays under the title; the body's figures float
            "hero": figure_call(brief.image, "hero:caption", float_=False) if brief.image else None,
            "takeaways": [parts[f"takeaway:{i}"] for i in range(len(brief.takeaways))],
            # latest first, as on the web page
            "corrections": [(typst_string(t.date(c.date)), parts[f"correction:{i}"])
                            for i, c in sorted(enumerate(brief.corrections), key=lambda ic: ic[1].date, reverse=True)],
            "disclaimer": parts.get("disclaimer"),
            "disclaimer_lang": self.disclaimer_lang(rb),
            "body": parts.get("body", ""),
        }

    def disclaimer_lang(self, rb: ResolvedBrief) -> str:
        """The disclaimer's language as Typst: none when it is the brief's own."""
        disclaimer = self.renderer.disclaimer(rb)
        lang = self.renderer.disclaimer_lang(rb, disclaimer).split("-")[0]
        return "none" if not disclaimer or lang == rb.brief.lang.split("-")[0] else typst_string(lang)

    def source(self, rb: ResolvedBrief, converted: dict) -> str:
        return self.renderer.env.get_template("pdf/brief.typ.j2").render(
            brief=self.document_parts(rb, converted), collection=None)

    # ---- building ----

    def build(self, briefs: list[ResolvedBrief], progress: bool = False) -> dict[str, Path]:
        """The PDF of every brief in `briefs`, from the cache or built now. Missing glyphs are errors."""
        self.settings.cache.mkdir(parents=True, exist_ok=True)
        targets = {rb.slug: self.settings.cache / f"{self.digest(rb)}.pdf" for rb in briefs}
        todo = [rb for rb in briefs if not pdf_is_whole(targets[rb.slug])]  # a damaged one is made again
        if todo:
            self.check_glyphs(todo)
            converted = self.convert(todo)
            jobs = [(self.source(rb, converted[rb.slug]).encode("utf-8"), str(targets[rb.slug]), rb.source.file)
                    for rb in todo]
            compile_all(jobs, self.settings, progress=progress and len(jobs) > 5)
        return targets

    def check_glyphs(self, briefs: list[ResolvedBrief]) -> None:
        """Every character the briefs print must be in a shipped font; all misses are reported at once."""
        diags = Diagnostics()
        covered = coverage(str(self.settings.fonts))
        for rb in briefs:
            check_brief_glyphs(rb, covered, diags)
        if diags.has_errors:
            raise EditorError(diags)

    def collection(self, title: str, subtitle: str, briefs: list[ResolvedBrief], out: Path) -> Path:
        self.check_glyphs(briefs)
        converted = self.convert(briefs)
        newest = max(rb.brief.date for rb in briefs)
        meta = {"title": title, "subtitle": subtitle, "description": subtitle, "site_name": self.settings.site_name,
                "paper": self.settings.paper, "lang": self.config.language.split("-")[0],
                "labels": self.print_labels(self.renderer.site_labels),
                "year": newest.year, "month": newest.month, "day": newest.day}
        source = self.renderer.env.get_template("pdf/brief.typ.j2").render(
            collection={"meta_json": typst_string(json.dumps(meta, ensure_ascii=False)),
                        "briefs": [self.document_parts(rb, converted[rb.slug]) for rb in briefs]},
            brief=None)
        out.parent.mkdir(parents=True, exist_ok=True)
        compile_all([(source.encode("utf-8"), str(out), title)], self.settings, progress=False)
        return out


# ---- Typst, in worker processes ----

_compiler = None


def _init_worker(root: str, fonts: str) -> None:
    global _compiler
    import typst

    font_set = typst.Fonts(include_system_fonts=False, include_embedded_fonts=False, font_paths=[fonts])
    _compiler = typst.Compiler(root=root, font_paths=font_set, ignore_system_fonts=True)


def _compile(job: tuple[bytes, str, str]) -> str | None:
    """Compile one document; the Typst error message when it fails (an image Typst cannot read, say)."""
    import typst

    source, target, _ = job
    try:
        pdf = _compiler.compile(input=source, format="pdf", pdf_standards=list(PDF_STANDARDS))
    except typst.TypstError as exc:
        return " ".join(str(getattr(exc, "message", exc)).split())
    tmp = Path(f"{target}.{os.getpid()}.tmp")
    tmp.write_bytes(pdf)
    tmp.replace(target)
    return None


def compile_all(jobs: list[tuple[bytes, str, str]], settings: PdfSettings, progress: bool) -> None:
    """Compile (source, target path, brief file) jobs on every core; Typst errors become editor errors."""
    workers = max(1, min(os.cpu_count() or 1, len(jobs)))
    args = (str(settings.root), str(settings.fonts))
    if workers == 1:
        _init_worker(*args)
        errors = _drain(map(_compile, jobs), len(jobs), progress)
    else:
        # spawn, not fork: the parent runs threads (pandoc pipes), and a forked child can inherit held locks
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker, initargs=args) as pool:
            errors = _drain(pool.map(_compile, jobs, chunksize=4), len(jobs), progress)
    diags = Diagnostics()
    for (_, _, file), error in zip(jobs, errors, strict=True):
        if error:
            diags.error(Span(file, 1, 1), f"the PDF could not be made: {error}")
    if diags.has_errors:
        raise EditorError(diags)


def _drain(results, total: int, progress: bool) -> list:
    if not progress:
        return list(results)
    import click

    with click.progressbar(results, length=total, label="Building PDFs", file=sys.stderr) as bar:
        return list(bar)
