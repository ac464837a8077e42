"""Formatted citations through pandoc citeproc and a CSL style: batched, parallel, cached on disk.

Starting pandoc and parsing a large CSL style costs far more than formatting a citation, so many
briefs are formatted by one citeproc run. Each brief still gets its own first/subsequent
positions and disambiguation: its keys are namespaced (`b3:lee2024`) and every title gets an
invisible private-use marker unique to the brief, so copies of one work cited by two briefs never
look alike to citeproc. The markers are removed from the output. Results are cached per brief,
keyed by everything that can change them.

Most briefs are not formatted whole: citereuse.py formats each distinct citation of the corpus
once and assembles the briefs' notes from those pieces (citeproc's cost grows with the number of
references in a run, and a corpus cites the same works again and again).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import sqlite3
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from . import citereuse, name_order
from .diagnostics import Diagnostics, Span
from .inlines import MARKERS, mark_scripts, tidy_punctuation, without_markers
from .notes import Cluster, Note
from .pandoc import pandoc_path, pandoc_version

ENGINE_VERSION = "7"  # bumped whenever the post-processing of formatted notes changes (they are cached)
# A citeproc run costs a fixed part (reading the style) plus a part per reference and cluster: runs
# of about 400 clusters keep the fixed part small and still give each worker several runs.
BATCH_CLUSTERS = 400
BATCH_SIZE = 1000  # briefs per citeproc run at most: each needs one of the 4,096 title markers
_LUA = Path(__file__).with_name("citeproc.lua")


class CiteprocError(Exception):
    """pandoc could not format the citations, almost always because of the CSL style file."""


@dataclass(frozen=True)
class CiteJob:
    """The notes of one brief that contain citations."""

    brief_id: str
    lang: str
    notes: tuple[Note, ...]


# For each note of a job: for each cluster in it, the formatted inlines (pandoc JSON).
FormattedNotes = list[list[list]]


@dataclass(frozen=True)
class Style:
    path: Path
    digest: str
    # whether notes can be assembled from pieces formatted elsewhere (citereuse.py): not when the style
    # prints a note's distance to, or the number of, an earlier note ("(n 3)" in OSCOLA), which
    # depends on where the piece stood. "Ibid." is safe: briefs that would need it are formatted whole.
    pieces_exact: bool = True
    # whether names marked family-name-first are printed so (name_order.py): not in styles that
    # reduce given names to initials, which invert every name
    family_first: bool = True

    # whether citations are printed in the text (author-date, numeric: APA, IEEE) with a list of
    # references at the end, rather than as notes
    in_text: bool = False

    @classmethod
    def load(cls, path: Path) -> Style:
        data = path.read_bytes()
        in_text = is_in_text(data)
        return cls(path, hashlib.sha256(data).hexdigest(),
                   not in_text and not any(word in data for word in _NOTE_DISTANCE),
                   not name_order.style_initializes(data), in_text)


_CITATION_FORMAT = re.compile(rb'<category\b[^>]*\bcitation-format="([a-z-]+)"')


def is_in_text(csl: bytes) -> bool:
    """Whether a CSL style's citations go in the text (its citation-format is not "note")."""
    match = _CITATION_FORMAT.search(csl)
    return match is not None and match.group(1) != b"note"


# CSL conditions and variables that depend on the note a citation is in
_NOTE_DISTANCE = (b"near-note", b"first-reference-note-number")


def csl_lang(lang: str) -> str:
    return {"en": "en-US", "ko": "ko-KR"}.get(lang, lang)


def cluster_source(cluster: Cluster, namespace: str = "") -> str:
    parts = []
    for item in cluster.items:
        prefix = f"{item.prefix} " if item.prefix else ""
        minus = "-" if item.suppress_author else ""
        parts.append(f"{prefix}{minus}@{{{namespace}{item.key}}}{item.suffix}")
    return "[" + "; ".join(parts) + "]"


@functools.cache
def _engine_id() -> str:
    """Changes whenever the formatting machinery does: our version, pandoc's, the Lua script."""
    return hashlib.sha256(f"{ENGINE_VERSION}\0{pandoc_version()}\0".encode() + _LUA.read_bytes()).hexdigest()


def _job_key(job: CiteJob, style: Style, items: dict[str, dict]) -> str:
    keys = sorted({i.key for n in job.notes for c in n.clusters for i in c.items})
    payload = {
        "engine": _engine_id(),
        "csl": style.digest,
        "lang": csl_lang(job.lang),
        "notes": [[n.kind, [cluster_source(c) for c in n.clusters]] for n in job.notes],
        "items": [items[k] for k in keys],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def format_jobs(jobs: list[CiteJob], style: Style, items: dict[str, dict], cache_dir: Path,
                workers: int | None = None,
                on_ready: Callable[[dict[str, FormattedNotes]], None] | None = None,
                pieces: dict | None = None) -> dict[str, FormattedNotes]:
    """Formatted clusters for every job, from the cache where possible.

    `pieces` keeps the citations formatted by pieces (citereuse.py) for the next call with the same
    bibliography and style: a build formats its briefs in batches, and most pieces recur across them.

    Jobs are formatted in the order given; `on_ready` (if given) receives results as soon as each
    batch is done, from the cache first, then from the worker threads, and then they are not kept
    (the dict returned is empty): 10,000 briefs' notes as pandoc's JSON would take gigabytes.
    """
    keep = on_ready is None
    results: dict[str, FormattedNotes] = {}

    def deliver(batch: dict[str, FormattedNotes]) -> None:
        if keep:
            results.update(batch)
        elif batch:
            on_ready(batch)

    todo: list[tuple[CiteJob, str]] = []
    digests = {job.brief_id: _job_key(job, style, items) for job in jobs if job.notes}
    with CitationCache(cache_dir) as cache:
        for start in range(0, len(jobs), CACHE_READS):
            chunk = jobs[start : start + CACHE_READS]
            known = cache.get([digests[job.brief_id] for job in chunk if job.notes])
            found = {}
            for job in chunk:
                if not job.notes:
                    found[job.brief_id] = []
                elif digests[job.brief_id] in known:
                    found[job.brief_id] = known[digests[job.brief_id]]
                else:
                    todo.append((job, digests[job.brief_id]))
            deliver(found)
        if not todo:
            return results
        csl = style.path if style.in_text else citation_only_style(style, cache_dir)

        def finished(done: dict[str, tuple[str, FormattedNotes]]) -> None:
            cache.put({digest: json.dumps(formatted, ensure_ascii=False) for digest, formatted in done.values()})
            deliver({brief_id: formatted for brief_id, (_, formatted) in done.items()})

        by_pieces = {job.brief_id for job, _ in todo
                     if REUSE and style.pieces_exact and citereuse.eligible(job.notes, items)}
        reusable = [(job, digest) for job, digest in todo if job.brief_id in by_pieces]
        whole = [(job, digest) for job, digest in todo if job.brief_id not in by_pieces]
        options = RunOptions(separate=not style.pieces_exact, family_first=style.family_first, in_text=style.in_text)
        retry = _format_by_pieces(reusable, csl, items, workers, finished, {} if pieces is None else pieces,
                                  RunOptions(family_first=style.family_first)) if reusable else []
        _format_whole(whole + retry, csl, items, workers, finished, options)
    return results


CACHE_READS = 500  # jobs looked up in the cache at a time
BATCHES_PER_PANDOC = 8
ASSEMBLED = 200  # jobs assembled from pieces before they are handed on
REUSE = True  # format each distinct citation once (citereuse.py); False formats every brief whole


@dataclass(frozen=True)
class RunOptions:
    separate: bool = False  # each brief is a citeproc document of its own (the style numbers notes)
    family_first: bool = True  # names marked family-name-first are printed so (name_order.py)
    # in-text style: citations in prose notes keep their parentheses, and each brief's list of
    # references comes back after its notes (as one more "note", whose "clusters" are the entries)
    in_text: bool = False


def _format_whole(todo: list[tuple[CiteJob, str]], csl: Path, items: dict[str, dict], workers: int | None,
                  finished: Callable[[dict[str, tuple[str, FormattedNotes]]], None],
                  options: RunOptions = RunOptions()) -> None:
    """Format jobs in batched citeproc runs, one pandoc process per worker; `finished` gets each batch."""
    if not todo:
        return

    def done(job: CiteJob, digest: str, notes: list) -> tuple[str, FormattedNotes]:
        return digest, [[mark_scripts(without_markers(tidy_punctuation(c))) for c in _as_list(n)] for n in notes]

    _run_batches(todo, csl, items, workers, lambda batch: finished(
        {job.brief_id: done(job, digest, out) for (job, digest), out in batch}), options)


def _run_batches(todo: list[tuple[CiteJob, str]], csl: Path, items: dict[str, dict], workers: int | None,
                 on_batch: Callable[[list[tuple[tuple[CiteJob, str], list]]], None],
                 options: RunOptions = RunOptions()) -> None:
    ordered = sorted(todo, key=lambda t: csl_lang(t[0].lang))  # stable: the given order within a language
    workers = workers or max(1, min(os.cpu_count() or 1, 8))
    counts = [sum(len(n.clusters) for n in job.notes) for job, _ in ordered]
    # two runs per worker at least, so that the workers finish together
    limit = max(50, min(BATCH_CLUSTERS, sum(counts) // (2 * workers) + 1))
    batches: list[list[tuple[CiteJob, str]]] = []
    size = 0
    for job_digest, clusters in zip(ordered, counts, strict=True):
        lang = csl_lang(job_digest[0].lang)
        if not batches or size + clusters > limit or len(batches[-1]) >= BATCH_SIZE \
                or csl_lang(batches[-1][0][0].lang) != lang:
            batches.append([])
            size = 0
        batches[-1].append(job_digest)
        size += clusters
    groups = [batches[i::workers] for i in range(workers) if batches[i::workers]]

    def run(group: list[list[tuple[CiteJob, str]]]) -> None:
        # pandoc reads a whole request before it answers: a bounded number of batches per process
        # keeps its memory flat whatever the size of the archive
        for start in range(0, len(group), BATCHES_PER_PANDOC):
            part = group[start : start + BATCHES_PER_PANDOC]
            for batch, batch_out in zip(part, _run_pandoc(part, csl, items, options), strict=True):
                on_batch([(job_digest, _as_list(brief_out["notes"])
                           + ([_as_list(brief_out.get("references", []))] if options.in_text else []))
                          for job_digest, brief_out in zip(batch, batch_out["briefs"], strict=True)])

    with ThreadPoolExecutor(len(groups)) as pool:
        for future in [pool.submit(run, g) for g in groups]:
            future.result()


def _format_by_pieces(todo: list[tuple[CiteJob, str]], csl: Path, items: dict[str, dict], workers: int | None,
                      finished, rendered: dict, options: RunOptions = RunOptions()) -> list[tuple[CiteJob, str]]:
    """Format the distinct pieces of all jobs once (those not in `rendered` already, which gets the
    new ones), then assemble each job; the jobs that cannot be assembled exactly are returned, to be
    formatted whole."""
    plans = {job.brief_id: citereuse.plan(job.notes, csl_lang(job.lang)) for job, _ in todo}
    pieces = list(dict.fromkeys(piece for clusters in plans.values() for note in clusters for cluster in note
                                for piece, _, _ in cluster.pieces if piece not in rendered))
    docs = citereuse.synthetic_notes(pieces, lambda key: citereuse.short_title(items.get(key) or {}))
    synthetic = [(CiteJob(doc_id, piece_lang(targets), notes), doc_id) for doc_id, notes, targets in docs]
    # rendered: piece → its inlines as JSON text (each use decodes its own copy)
    where = {doc_id: targets for doc_id, _, targets in docs}
    items = {**items, citereuse.SPACER: citereuse.spacer_item()}

    def on_batch(batch) -> None:
        for (job, _), notes in batch:
            for piece, index in where[job.brief_id]:
                inlines = mark_scripts(tidy_punctuation(without_markers(_as_list(notes[index])[0])))
                rendered[piece] = json.dumps(inlines, ensure_ascii=False)

    if synthetic:
        _run_batches(synthetic, csl, items, workers, on_batch, options)
    retry = []
    done = {}
    for job, digest in todo:
        try:
            notes = [[citereuse.assemble(c, rendered) for c in clusters] for clusters in plans.pop(job.brief_id)]
        except citereuse.PieceMissing:
            retry.append((job, digest))
            continue
        done[job.brief_id] = (digest, notes)
        if len(done) >= ASSEMBLED:
            finished(done)
            done = {}
    finished(done)
    return retry


def piece_lang(targets: list) -> str:
    return targets[0][0].lang


class CitationCache:
    """Formatted notes by job digest, in one SQLite file (thousands of small files cost more to write).

    It is a cache, checked as it is read: a file that is not an SQLite database (or is damaged), or
    a table of another shape, is replaced by an empty one; a row whose JSON does not parse into
    notes is treated as missing (and formatted and stored again). Nothing here can stop a build:
    when the file cannot be used at all, the cache lives in memory for this build."""

    COLUMNS = [("digest", "TEXT", 1), ("json", "TEXT", 0)]  # name, type, part of the primary key
    _BUSY = {"SQLITE_BUSY", "SQLITE_LOCKED"}  # another process holds the file: not a damaged file

    def __init__(self, cache_dir: Path):
        cache_dir.mkdir(parents=True, exist_ok=True)
        self._path = cache_dir / "citations.sqlite"
        # written from the threads that run pandoc, one batch at a time (see put)
        self._lock = threading.Lock()
        self._db = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect(str(self._path))
        except sqlite3.DatabaseError as exc:
            if _sqlite_error(exc) in self._BUSY:
                return self._connect(":memory:")
        return self._recreate()

    def _connect(self, where: str) -> sqlite3.Connection:
        db = sqlite3.connect(where, timeout=60, check_same_thread=False)
        try:
            columns = [(r[1], r[2].upper(), r[5]) for r in db.execute("PRAGMA table_info(notes)")]
            if columns and columns != self.COLUMNS:
                with db:
                    db.execute("DROP TABLE notes")
            with db:
                db.execute("CREATE TABLE IF NOT EXISTS notes (digest TEXT PRIMARY KEY, json TEXT NOT NULL)")
        except BaseException:
            db.close()
            raise
        return db

    def _recreate(self) -> sqlite3.Connection:
        """A new empty file in place of a damaged one (or an empty cache in memory if that fails)."""
        for suffix in ("", "-journal", "-wal", "-shm"):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(f"{self._path}{suffix}")
        try:
            return self._connect(str(self._path))
        except (sqlite3.Error, OSError):
            return self._connect(":memory:")

    def _damaged(self, exc: sqlite3.Error) -> None:
        """After an error while in use: start again from an empty file unless the file is only busy."""
        if _sqlite_error(exc) not in self._BUSY:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
            self._db = self._recreate()

    def __enter__(self) -> CitationCache:
        return self

    def __exit__(self, *exc) -> None:
        self._db.close()

    def get(self, digests: list[str]) -> dict[str, FormattedNotes]:
        found = {}
        for i in range(0, len(digests), 500):
            chunk = digests[i : i + 500]
            with self._lock:
                try:
                    rows = self._db.execute(
                        f"SELECT digest, json FROM notes WHERE digest IN ({','.join('?' * len(chunk))})",
                        chunk).fetchall()
                except sqlite3.DatabaseError as exc:
                    self._damaged(exc)
                    continue  # missing: formatted again
            for d, text in rows:
                notes = _formatted_notes(text)
                if notes is not None:
                    found[d] = notes
        return found

    def put(self, entries: dict[str, str]) -> None:
        """Store formatted notes, given as JSON text by digest."""
        if not entries:
            return
        rows = list(entries.items())
        with self._lock:
            for attempt in range(2):
                try:
                    with self._db:
                        self._db.executemany("INSERT OR REPLACE INTO notes VALUES (?, ?)", rows)
                    return
                except sqlite3.DatabaseError as exc:
                    if attempt or _sqlite_error(exc) in self._BUSY:
                        return  # not stored: formatted again by a later build
                    self._damaged(exc)


def _sqlite_error(exc: sqlite3.Error) -> str:
    return getattr(exc, "sqlite_errorname", "") or ""


def _formatted_notes(text) -> FormattedNotes | None:
    """Notes as stored by CitationCache.put: for each note, for each cluster, a list of inlines."""
    try:
        notes = json.loads(text)
    except (TypeError, ValueError):
        return None
    if not isinstance(notes, list) or not all(isinstance(n, list) and all(isinstance(c, list) for c in n)
                                              for n in notes):
        return None
    return notes


def _as_list(value) -> list:
    return [] if value == {} else value  # Lua encodes an empty table as {}


_BIBLIOGRAPHY = re.compile(r"<bibliography\b[^>]*/>|<bibliography\b.*?</bibliography>", re.DOTALL)


def citation_only_style(style: Style, cache_dir: Path) -> Path:
    """The style without its <bibliography>: notes never use it, and citeproc would lay out a
    bibliography entry for every reference anyway (a third of its time)."""
    path = cache_dir / "csl" / f"{style.digest}.csl"
    text = _BIBLIOGRAPHY.sub("", style.path.read_text(encoding="utf-8"), count=1)
    try:
        whole = path.read_text(encoding="utf-8") == text  # cheap to check: a damaged copy is written again
    except (OSError, ValueError):
        whole = False
    if not whole:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


def _run_pandoc(batches: list[list[tuple[CiteJob, str]]], csl: Path, items: dict[str, dict],
                options: RunOptions = RunOptions()) -> Iterator[dict]:
    """The output of each batch, as soon as pandoc has written it."""
    names = [name_order.Placeholders() if options.family_first else None for _ in batches]
    request = json.dumps({"csl": str(csl), "batches": [
        _batch_request(b, items, n) | {"separate": options.separate, "in_text": options.in_text}
        for b, n in zip(batches, names, strict=True)]}).encode()
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen([pandoc_path(), "lua", str(_LUA)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=errors)
        proc.stdin.write(request)  # pandoc reads its whole input before it writes anything
        proc.stdin.close()
        count = 0
        for line in proc.stdout:
            out = json.loads(line)
            if count < len(names) and names[count] is not None:
                names[count].decode(out)
            count += 1
            yield out
        proc.stdout.close()
        if proc.wait() != 0 or count != len(batches):
            errors.seek(0)
            raise CiteprocError(_first_error(errors.read().decode(errors="replace")))


def _first_error(stderr: str) -> str:
    """The line of pandoc's error output that says what is wrong (not the Lua stack trace)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    lines = [line for line in lines if line not in ("Error running Lua:", "stack traceback:")
             and not line.startswith(("[", "/", "\t", "citeproc.lua", "["))]
    return lines[0] if lines else "pandoc stopped"


def _batch_request(batch: list[tuple[CiteJob, str]], items: dict[str, dict],
                   names: name_order.Placeholders | None = None) -> dict:
    references, briefs = [], []
    for index, (job, _) in enumerate(batch):
        namespace = f"b{index}:"
        marker = chr(MARKERS.start + index)
        keys = sorted({i.key for n in job.notes for c in n.clusters for i in c.items})
        for key in keys:
            item = dict(items[key] if names is None else names.encode(items[key]))
            item["id"] = namespace + key
            for name in ("title", "title-short"):
                if name in item:
                    item[name] = item[name] + marker
            references.append(item)
        briefs.append({"notes": [{"kind": n.kind, "clusters": [cluster_source(c, namespace) for c in n.clusters]}
                                 for n in job.notes]})
    return {"lang": csl_lang(batch[0][0].lang), "references": references, "briefs": briefs}


CSL_NS = "{http://purl.org/net/xbiblio/csl}"


def check_style(path: Path, display: str, diags: Diagnostics, cache_dir: Path | None = None) -> None:
    """The CSL file exists, is well-formed XML, is a CSL style with a citation layout, and pandoc can
    use it. `cache_dir` remembers the styles pandoc accepted (a pandoc run costs a tenth of a second)."""
    try:
        data = path.read_bytes()
    except OSError:
        diags.error(Span(display, 1, 1), "CSL style file not found", "set extra.briefkit.csl in mkdocs.yml")
        return
    accepted = cache_dir / "csl" / f"{hashlib.sha256(data).hexdigest()}.accepted" if cache_dir else None
    problems = _style_problems(data, accepted is not None and accepted.exists())
    for line, col, message, *hint in problems:
        diags.error(Span(display, line, col), message, *hint)
    if accepted is not None and not problems and not accepted.exists():
        with contextlib.suppress(OSError):
            accepted.parent.mkdir(parents=True, exist_ok=True)
            accepted.write_bytes(b"")


@functools.lru_cache(maxsize=4)  # a long style takes a tenth of a second to parse: the preview asks every build
def _style_problems(data: bytes, accepted: bool = False) -> tuple[tuple, ...]:
    """(line, column, message[, hint]) of each problem of a CSL style's bytes."""
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        line, col = exc.position
        return ((line, col + 1, f"the CSL style is not well-formed XML: {exc.msg}"),)
    if root.tag != CSL_NS + "style":
        return ((1, 1, "this file is not a CSL style (no <style> element in the CSL namespace)"),)
    if root.find(CSL_NS + "citation") is None:
        return ((1, 1, "the CSL style has no <citation> element", "notes need a citation layout"),)
    refused = None if accepted else _pandoc_refuses(data)
    if refused:
        return ((1, 1, f"pandoc cannot use this CSL style: {refused}",
                 "fix the style, or use one from the CSL repository (github.com/citation-style-language/styles)"),)
    return ()


def _pandoc_refuses(data: bytes) -> str | None:
    """What pandoc says when it cannot format a citation with the style `data`, or None: the build
    would stop on it, so check finds it first (one small pandoc run per style, then remembered)."""
    with tempfile.TemporaryDirectory() as folder:
        style, refs = Path(folder, "style.csl"), Path(folder, "refs.json")
        style.write_bytes(data)
        refs.write_text('[{"id": "x", "type": "book", "title": "T", "issued": {"date-parts": [[2020]]}}]',
                        encoding="utf-8")
        proc = subprocess.run([pandoc_path(), "-f", "markdown", "-t", "plain", "--citeproc", "--csl", str(style),
                               "--bibliography", str(refs)], input=b"A[@x].\n", capture_output=True)
    if proc.returncode == 0:
        return None
    message = _first_error(proc.stderr.decode(errors="replace"))
    return re.sub(r"^Citeproc\w*Error:\s*", "", message)
