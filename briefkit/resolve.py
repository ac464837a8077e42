"""From validated briefs to briefs with numbered, formatted notes (one source for web and print)."""

from __future__ import annotations

import functools
import pickle
import re
import threading
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .cite import CiteJob, Style, format_jobs
from .inlines import capitalize_first, punctuation_inside_quotes, to_html
from .load import BriefSource, Corpus
from .notes import BodyRef, CiteItem, Cluster, Note, NotePlan, number_notes
from .selfcite import SELF_PREFIX, csl_item, self_key
from .typography import smarten

CITATION_OPEN, CITATION_CLOSE = "\ue100", "\ue101"  # marks the place of citation i in a note's template


@dataclass(frozen=True)
class FormattedNote:
    """A numbered note: the single source of its text on the web page and in the PDF."""

    number: int
    kind: str
    template: str  # the note's Markdown with each citation replaced by a marker (see citation_marker)
    citations: tuple[list, ...]  # the formatted citations, as pandoc inlines
    label: str | None = None

    @functools.cached_property  # the page, the feed entry and the PDF's check all ask for it
    def markdown(self) -> str:
        """The note as Markdown for the web page, citations as inline HTML."""
        text = self.template
        for i, inlines in enumerate(self.citations):
            text = text.replace(citation_marker(i), to_html(inlines))
        return text


_MOVED_PUNCTUATION = re.compile(r"([.,;:])([”’\"')\]]*)$")


def in_text_edit(body: str, ref: BodyRef) -> tuple[int, int, str, str]:
    """Where an in-text citation goes in the body: (start, end, before, after), body[start:end] being
    replaced by before + citation + after. Editors write a citation after the punctuation, where a
    note's number goes ("…enterprise.[@lee2024]"); an in-text citation goes before it, after a space:
    "…enterprise (Lee 2024)." A question or exclamation mark stays with its sentence."""
    head = body[: ref.start]
    moved = _MOVED_PUNCTUATION.search(head)
    if moved:
        return moved.start(), ref.end, moved.group(2) + " ", moved.group(1)
    if head and not head[-1].isspace() and head[-1] not in "([":
        return ref.start, ref.end, " ", ""
    return ref.start, ref.end, "", ""


def citation_marker(index: int) -> str:
    return f"{CITATION_OPEN}{index}{CITATION_CLOSE}"


def page_path_of(date, slug: str) -> str:
    return f"{date:%Y}/{date:%m}/{slug}.md"


@dataclass(frozen=True)
class ResolvedBrief:
    source: BriefSource
    plan: NotePlan
    notes: tuple[FormattedNote, ...]
    citation: str = ""  # the brief's own citation in the house style ("Cite this brief"), as HTML
    citation_item: dict | None = None  # … and as CSL-JSON, for the BibTeX and RIS files
    # with an in-text style (author-date, numeric): the citations printed in the body (BodyRef.citation
    # indexes them) and the list of references at the end, each as pandoc inlines
    in_text: tuple[list, ...] = ()
    references: tuple[list, ...] = ()

    @property
    def brief(self):
        return self.source.brief

    @property
    def slug(self) -> str:
        return self.source.slug

    @property
    def page_path(self) -> str:
        """Generated Markdown file, relative to the pages folder; its URL is /YYYY/MM/<slug>/."""
        return page_path_of(self.brief.date, self.slug)

    @property
    def url(self) -> str:
        d = self.brief.date
        return f"{d:%Y}/{d:%m}/{self.slug}/"


def _self_citation_job(slug: str, lang: str) -> CiteJob:
    key = self_key(slug)
    cluster = Cluster(0, len(key) + 3, f"[@{key}]", (CiteItem(key, "", "", False, 2),))
    return CiteJob(key, lang, (Note(1, "cite", cluster.source, (cluster,)),))


def resolve(corpus: Corpus, style_path: Path, cache_dir: Path, site_name: str = "", site_url: str = "",
            on_ready: Callable[[ResolvedBrief], None] | None = None, workers: int | None = None,
            sources: Iterable[BriefSource] | None = None, pieces: dict | None = None) -> list[ResolvedBrief]:
    """Every brief of `corpus` (or of `sources`) with its notes formatted. With `on_ready`, each one goes
    there as soon as it is done (briefs are formatted in the given order) and is not kept: the list
    returned is empty, and the briefs wait for their notes compressed, so that `sources` can be a
    generator that loads them one at a time."""
    plans: dict[str, NotePlan] = {}
    jobs = []
    needs: dict[str, tuple[str, ...]] = {}
    items = dict(corpus.bibliography.csl_items)
    by_slug: dict[str, BriefSource | bytes] = {}
    style = Style.load(style_path)
    for source in corpus.briefs if sources is None else sources:
        by_slug[source.slug] = pack(source) if on_ready else source
        item = csl_item(corpus, source, page_path_of(source.brief.date, source.slug), site_name, site_url)
        items[item["id"]] = item
        plan = number_notes(source.body_scan, dict(source.brief.notes), source.note_scans, style.in_text)
        plans[source.slug] = plan
        jobs.append(_self_citation_job(source.slug, source.brief.lang))
        needs[source.slug] = (self_key(source.slug),)
        if any(n.clusters for n in plan.notes):
            jobs.append(CiteJob(source.slug, source.brief.lang, plan.notes))
            needs[source.slug] += (source.slug,)
    done: dict[str, ResolvedBrief] = {}
    formatted: dict[str, list] = {}
    lock = threading.Lock()

    def assemble(slug: str) -> ResolvedBrief:
        source, plan = by_slug[slug], plans[slug]
        if isinstance(source, bytes):
            source = unpack(source)
        clusters = formatted.get(slug, [[] for _ in plan.notes])
        notes = tuple(_format_note(note, clusters[i]) for i, note in enumerate(plan.notes) if note.kind != "intext")
        in_text = tuple(clusters[i][0] for i, note in enumerate(plan.notes) if note.kind == "intext")
        references = tuple(clusters[len(plan.notes)]) if len(clusters) > len(plan.notes) else ()
        own = formatted[self_key(slug)]
        # "Cite this brief": the full note of a note style, the entry in the references of an in-text one
        own = own[1][0] if style.in_text and len(own) > 1 and own[1] else own[0][0]
        return ResolvedBrief(source, plan, notes, to_html(own), items[self_key(slug)], in_text, references)

    def arrived(results: dict[str, list]) -> None:
        ready = []
        with lock:
            formatted.update(results)
            for slug in {r.removeprefix(SELF_PREFIX) for r in results} & by_slug.keys() - done.keys():
                if all(job in formatted for job in needs[slug]):
                    done[slug] = rb = assemble(slug)
                    ready.append(rb)
                    if on_ready:  # streamed: nothing of it stays here
                        done[slug] = None
                        for job in needs[slug]:
                            del formatted[job]
                        del by_slug[slug], plans[slug]
        if on_ready:
            for rb in ready:
                on_ready(rb)

    format_jobs(jobs, style, items, cache_dir, workers=workers, on_ready=arrived, pieces=pieces)
    return [] if on_ready else [done[slug] for slug in by_slug]


def pack(value) -> bytes:
    """A brief (source or formatted) while it waits for its turn, in a few KB instead of tens."""
    return zlib.compress(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL), 1)


def unpack(data: bytes):
    return pickle.loads(zlib.decompress(data))


def _format_note(note: Note, clusters: list[list]) -> FormattedNote:
    if note.kind == "cite":
        return FormattedNote(note.number, note.kind, citation_marker(0), (clusters[0],))
    text = note.text
    citations: list[list] = [[] for _ in note.clusters]
    ordered = sorted(enumerate(zip(note.clusters, clusters, strict=True)), key=lambda t: t[1][0].start, reverse=True)
    for index, (cluster, inlines) in ordered:
        if not text[: cluster.start].strip():
            inlines = capitalize_first(inlines)  # a note opens with a capital, as in "See Cha, …"
        after = text[cluster.end :]
        if after[:1] in (".", ","):
            # American punctuation, as the style does inside the citation: “Title.” not “Title”.
            moved = punctuation_inside_quotes(inlines, after[0])
            if moved is not None:
                inlines, after = moved, after[1:]
        citations[index] = inlines
        text = text[: cluster.start] + citation_marker(index) + after
    # the editor's words get typographic punctuation (the formatted citations have theirs already)
    return FormattedNote(note.number, note.kind, smarten(text), tuple(citations), note.label)

