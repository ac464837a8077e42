"""Formatting each distinct citation once (citereuse.py) gives exactly what formatting every brief
whole gives, note for note, on varied corpora; briefs it cannot do exactly go the whole way."""

from __future__ import annotations

import random

import pytest

from briefkit import cite, citereuse
from briefkit.bib import BibEntry, csl_items
from briefkit.cite import CiteJob, Style, format_jobs
from briefkit.citereuse import eligible
from briefkit.inlines import to_html
from briefkit.notes import number_notes, scan
from conftest import REPO

CSL = REPO / "templates" / "house-chicago-notes.csl"
OFFICIAL = REPO / "tests" / "data" / "csl"
# note styles: the house style, the official Chicago ones (one prints "Ibid."), OSCOLA ("(n 3)")
NOTE_STYLES = [CSL, OFFICIAL / "chicago-notes-bibliography.csl",
               OFFICIAL / "chicago-notes-bibliography-subsequent-ibid.csl", OFFICIAL / "oscola.csl"]
SURNAMES = ["Lee", "Kim", "Park", "Carlin", "Hecker"]
WORDS = "policy economy missile plenum enterprise launcher factory congress army export".split()


def bibliography(rng: random.Random, n: int) -> list[BibEntry]:
    entries = []
    for i in range(n):
        names = " and ".join(f"{rng.choice(SURNAMES)}, {rng.choice(['Ann', 'Jin', 'Bo'])}"
                             for _ in range(rng.randint(1, 4)))
        title = " ".join(rng.choice(WORDS).title() for _ in range(rng.randint(2, 6)))
        title += rng.choice(["", "?", f" {i}", ": A Study", " and “Quoted” Words"])
        kind = ("article", "online", "book", "report")[i % 4]
        fields = {"author": names, "title": title, "date": f"{rng.randint(1990, 2025)}-0{rng.randint(1, 9)}-1{i % 9}"}
        if kind == "article":
            fields |= {"journaltitle": "Journal of Korean Studies", "volume": str(i), "pages": "10--30"}
        elif kind == "online":
            fields |= {"journaltitle": "38 North", "url": f"https://example.org/{i}/"}
        elif kind == "book":
            fields |= {"publisher": "University Press", "location": "Seoul"}
        else:
            fields |= {"institution": "Institute", "url": f"https://example.org/r/{i}"}
        entries.append(BibEntry(f"ref{i}", kind, "test.bib", i + 1, fields))
    return entries


SUFFIXES = ["", ", 12", ", 4", ", 33-35", ", chap. 2", ", 7n3", ", 120", ", para. 4"]
PREFIXES = ["", "", "see", "cf.", "and"]


def cite_source(rng: random.Random, keys: list[str]) -> str:
    parts = []
    for key in rng.sample(keys, min(len(keys), rng.choice([1, 1, 1, 1, 2, 3]))):
        prefix = rng.choice(PREFIXES)
        minus = "-" if rng.random() < 0.1 else ""
        parts.append(f"{prefix + ' ' if prefix else ''}{minus}@{key}{rng.choice(SUFFIXES)}")
    return "[" + "; ".join(parts) + "]"


def corpus_jobs(seed: int, briefs: int, entries: int) -> tuple[list[CiteJob], dict]:
    rng = random.Random(seed)
    bib = bibliography(rng, entries)
    keys = [e.key for e in bib]
    jobs = []
    for b in range(briefs):
        own = rng.sample(keys, rng.randint(3, 9))  # briefs re-cite their works, sometimes in a row (ibid.)
        body = " ".join(f"Sentence {i}.{cite_source(rng, own)}" for i in range(rng.randint(2, 6)))
        body += " A note.[^n]"
        notes = {"n": f"As {cite_source(rng, own)} argues, and {cite_source(rng, own)}."}
        plan = number_notes(scan(body), notes, {k: scan(v, allow_notes=False) for k, v in notes.items()})
        jobs.append(CiteJob(f"brief{b}", rng.choice(["en", "en", "ko"]), plan.notes))
    return jobs, bib


def formatted(jobs, bib, tmp_path, reuse: bool, monkeypatch, csl=CSL) -> dict:
    monkeypatch.setattr(cite, "REUSE", reuse)
    cache = tmp_path / ("reuse" if reuse else "whole")
    items = csl_items(bib, cache)
    out = format_jobs(jobs, Style.load(csl), items, cache)
    return {brief: [[to_html(c) for c in note] for note in notes] for brief, notes in out.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pieces_give_what_whole_briefs_give(seed, tmp_path, monkeypatch):
    jobs, bib = corpus_jobs(seed, briefs=80, entries=40)
    items = csl_items(bib, tmp_path / "items")
    reusable = [j for j in jobs if eligible(j.notes, items)]
    assert 5 <= len(reusable) < len(jobs)  # both ways are exercised
    by_pieces = formatted(jobs, bib, tmp_path, True, monkeypatch)
    whole = formatted(jobs, bib, tmp_path, False, monkeypatch)
    for job in jobs:
        assert by_pieces[job.brief_id] == whole[job.brief_id], job.brief_id


@pytest.mark.parametrize("csl", NOTE_STYLES[1:], ids=lambda p: p.stem)
def test_every_note_style_gives_what_whole_briefs_give(csl, tmp_path, monkeypatch):
    """A style whose notes depend on where they stand ("Ibid.", "(n 3)") is never changed by reuse:
    OSCOLA's cross-references to earlier notes are formatted whole, always."""
    jobs, bib = corpus_jobs(4, briefs=60, entries=30)
    pieces: dict = {}
    real = citereuse.plan
    monkeypatch.setattr(citereuse, "plan", lambda *a: pieces.setdefault("used", True) and real(*a))
    by_pieces = formatted(jobs, bib, tmp_path, True, monkeypatch, csl)
    assert pieces.get("used", False) is Style.load(csl).pieces_exact
    whole = formatted(jobs, bib, tmp_path, False, monkeypatch, csl)
    for job in jobs:
        assert by_pieces[job.brief_id] == whole[job.brief_id], job.brief_id
    if csl.stem == "oscola":
        # each brief counts its own notes, as pandoc does for the brief alone, whatever it was batched with
        assert any("(n " in c for notes in whole.values() for note in notes for c in note)
        monkeypatch.setattr(cite, "REUSE", False)
        items = csl_items(bib, tmp_path / "alone")
        for job in jobs[:12]:
            alone = format_jobs([job], Style.load(csl), items, tmp_path / f"a-{job.brief_id}")
            assert [[to_html(c) for c in note] for note in alone[job.brief_id]] == whole[job.brief_id], job.brief_id


def test_only_styles_that_count_notes_are_formatted_whole():
    assert [Style.load(p).pieces_exact for p in NOTE_STYLES] == [True, True, True, False]


def test_streamed_results_in_small_batches_are_the_kept_results(tmp_path, monkeypatch):
    """With on_ready, results are handed on a batch at a time and not kept; with tiny batches (several
    pandoc processes, assembly and cache reads in small groups) every brief arrives once, the same."""
    jobs, bib = corpus_jobs(4, briefs=40, entries=30)
    kept = formatted(jobs, bib, tmp_path, True, monkeypatch)
    monkeypatch.setattr(cite, "ASSEMBLED", 3)
    monkeypatch.setattr(cite, "BATCHES_PER_PANDOC", 1)
    monkeypatch.setattr(cite, "BATCH_CLUSTERS", 1)
    monkeypatch.setattr(cite, "CACHE_READS", 7)
    for cache in ("cold", "cold"):  # the second pass reads everything back from the cache
        arrived: dict = {}

        def on_ready(batch, arrived=arrived):
            assert not set(batch) & set(arrived)
            arrived.update(batch)

        items = csl_items(bib, tmp_path / cache)
        assert format_jobs(jobs, Style.load(CSL), items, tmp_path / cache, workers=2, on_ready=on_ready) == {}
        assert {b: [[to_html(c) for c in note] for note in notes] for b, notes in arrived.items()} == kept


def test_pieces_formatted_for_one_batch_serve_the_next(tmp_path, monkeypatch):
    """A build formats its briefs in batches with one piece book: the second batch sends pandoc only the
    pieces the first did not have, and its notes are those of formatting it alone."""
    # few works, page numbers and no prefixes: pieces recur across batches, as in a real archive
    monkeypatch.setitem(globals(), "SUFFIXES", ["", ", 12", ", 4"])
    monkeypatch.setitem(globals(), "PREFIXES", [""])
    jobs, bib = corpus_jobs(5, briefs=160, entries=12)
    alone = formatted(jobs[80:], bib, tmp_path / "alone", True, monkeypatch)
    asked: list[list] = []
    real = citereuse.synthetic_notes

    def recording(pieces, title_of):
        asked.append(list(pieces))
        return real(pieces, title_of)

    monkeypatch.setattr(citereuse, "synthetic_notes", recording)
    book: dict = {}
    items = csl_items(bib, tmp_path / "book")
    format_jobs(jobs[:80], Style.load(CSL), items, tmp_path / "book", pieces=book)
    known = set(book)
    asked.clear()
    out = format_jobs(jobs[80:], Style.load(CSL), items, tmp_path / "book", pieces=book)
    needed = {piece for job in jobs[80:] if eligible(job.notes, items)
              for clusters in citereuse.plan(job.notes, cite.csl_lang(job.lang)) for cluster in clusters
              for piece, _, _ in cluster.pieces}
    assert needed & known, "the corpus should make the second batch reuse pieces"
    assert asked and asked[0] and not set(asked[0]) & known  # only what the first batch did not format
    assert needed <= set(book)
    batch = {brief: [[to_html(c) for c in note] for note in notes] for brief, notes in out.items()}
    for job in jobs[80:]:
        assert batch[job.brief_id] == alone[job.brief_id], job.brief_id
