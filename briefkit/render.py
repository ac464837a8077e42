"""Jinja templates (editable in templates/) → Markdown pages for the site engine."""

from __future__ import annotations

import datetime as dt
import html
import json
import posixpath
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .load import Corpus
from .model import Figure
from .resolve import ResolvedBrief

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|~^])")


def md_text(value: str) -> str:
    """Plain text made safe inside Markdown: no emphasis, links or HTML from stray characters."""
    return _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(1))};", html.escape(value or "", quote=False))


def md_attr(value: str) -> str:
    return html.escape(value or "", quote=True)


def indent_md(value: str, spaces: int = 4) -> str:
    """Indent continuation lines so a multi-line Markdown value stays inside its list item or note."""
    pad = " " * spaces
    lines = (value or "").strip("\n").split("\n")
    return "\n".join([lines[0]] + [pad + line if line.strip() else "" for line in lines[1:]])


def long_date(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def guess_lang(text: str, default: str) -> str:
    """'ko' when most letters of `text` are Hangul (a Korean disclaimer in an English brief)."""
    letters = [ch for ch in text or "" if ch.isalpha()]
    hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff")
    return "ko" if letters and hangul / len(letters) > 0.5 else default


def make_environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # the output is Markdown; templates escape with the filters below
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md_text=md_text, attr=md_attr, indent_md=indent_md, long_date=long_date,
                       tojson=lambda v: json.dumps(v, ensure_ascii=False))
    return env


@dataclass(frozen=True)
class PageLink:
    title: str
    path: str  # relative Markdown path from the page being rendered


def relative(from_page: str, to_file: str) -> str:
    return posixpath.relpath(to_file, posixpath.dirname(from_page) or ".")


class Renderer:
    def __init__(self, templates: Path, corpus: Corpus, site_name: str):
        self.env = make_environment(templates)
        self.corpus = corpus
        self.site_name = site_name

    def figure(self, figure: Figure, page: str, css_class: str) -> str:
        return self.env.get_template("partials/figure.md.j2").render(
            figure=figure, src=relative(page, figure.file), css_class=css_class)

    def body(self, rb: ResolvedBrief) -> str:
        """The body with note references numbered and figures placed."""
        body = rb.brief.body
        edits = [(r.start, r.end, f"[^{r.number}]") for r in rb.plan.body_refs]
        edits += [(f.start, f.end, self.figure(rb.brief.figures[f.label], rb.page_path, "brief-figure").rstrip("\n"))
                  for f in rb.source.body_scan.figures]
        for start, end, text in sorted(edits, reverse=True):
            body = body[:start] + text + body[end:]
        return body

    def brief_page(self, rb: ResolvedBrief, related_briefs: list[ResolvedBrief]) -> str:
        brief = rb.brief
        series = self.corpus.series.get(brief.series) if brief.series else None
        disclaimer = brief.disclaimer if brief.disclaimer is not None else (series.disclaimer if series else None)
        authors = [(self.corpus.authors[k], relative(rb.page_path, f"authors/{k}.md")) for k in brief.authors]
        related = [PageLink(r.brief.title, relative(rb.page_path, r.page_path)) for r in related_briefs]
        topics = [(self.corpus.topics[t].label if t in self.corpus.topics else t.replace("-", " ").title())
                  for t in brief.topics]
        return self.env.get_template("brief.md.j2").render(
            brief=brief, slug=rb.slug, series=series, authors=authors, topics=topics,
            hero=self.figure(brief.image, rb.page_path, "brief-hero") if brief.image else "",
            body=self.body(rb), notes=rb.notes, related=related,
            disclaimer=disclaimer, disclaimer_lang=guess_lang(disclaimer or "", brief.lang),
            site_name=self.site_name)

    def latest(self, briefs: list[ResolvedBrief], page: str) -> str:
        entries = [(rb, relative(page, rb.page_path), self._series_label(rb)) for rb in briefs]
        return self.env.get_template("latest.md.j2").render(entries=entries)

    def author_page(self, key: str, briefs: list[ResolvedBrief]) -> str:
        page = f"authors/{key}.md"
        author = self.corpus.authors[key]
        entries = [(rb, relative(page, rb.page_path), self._series_label(rb)) for rb in briefs]
        photo = relative(page, author.photo) if author.photo else None
        return self.env.get_template("author.md.j2").render(author=author, key=key, entries=entries, photo=photo)

    def _series_label(self, rb: ResolvedBrief) -> str:
        series = self.corpus.series.get(rb.brief.series) if rb.brief.series else None
        return series.label if series else ""
