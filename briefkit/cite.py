"""Formatted citations through pandoc citeproc and a CSL style: batched, parallel, cached on disk.

Starting pandoc and parsing a large CSL style costs far more than formatting a citation, so many
briefs are formatted by one citeproc run. Each brief still gets its own first/subsequent
positions and disambiguation: its keys are namespaced (`b3:lee2024`) and every title gets an
invisible private-use marker unique to the brief, so copies of one work cited by two briefs never
look alike to citeproc. The markers are removed from the output. Results are cached per brief,
keyed by everything that can change them.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from .diagnostics import Diagnostics, Span
from .inlines import MARKERS, tidy_punctuation, without_markers
from .notes import Cluster, Note
from .pandoc import pandoc_path, pandoc_version

ENGINE_VERSION = "5"
BATCH_SIZE = 24  # briefs per citeproc run; one run must stay under the number of markers
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

    @classmethod
    def load(cls, path: Path) -> Style:
        return cls(path, hashlib.sha256(path.read_bytes()).hexdigest())


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
                workers: int | None = None) -> dict[str, FormattedNotes]:
    """Formatted clusters for every job, from the cache where possible."""
    results: dict[str, FormattedNotes] = {}
    todo: list[tuple[CiteJob, Path]] = []
    for job in jobs:
        if not job.notes:
            results[job.brief_id] = []
            continue
        digest = _job_key(job, style, items)
        cache_file = cache_dir / "citations" / digest[:2] / f"{digest}.json"
        if cache_file.exists():
            results[job.brief_id] = json.loads(cache_file.read_text(encoding="utf-8"))
        else:
            todo.append((job, cache_file))
    if not todo:
        return results
    todo.sort(key=lambda t: (csl_lang(t[0].lang), t[0].brief_id))
    batches: list[list[tuple[CiteJob, Path]]] = []
    for job_file in todo:
        lang = csl_lang(job_file[0].lang)
        if not batches or len(batches[-1]) >= BATCH_SIZE or csl_lang(batches[-1][0][0].lang) != lang:
            batches.append([])
        batches[-1].append(job_file)
    workers = workers or max(1, min(os.cpu_count() or 1, 8))
    groups = [batches[i::workers] for i in range(workers) if batches[i::workers]]
    csl = citation_only_style(style, cache_dir)
    with ThreadPoolExecutor(len(groups)) as pool:
        outputs = list(pool.map(lambda g: _run_pandoc(g, csl, items), groups))
    for group, output in zip(groups, outputs, strict=True):
        for batch, batch_out in zip(group, output["batches"], strict=True):
            for (job, cache_file), brief_out in zip(batch, batch_out["briefs"], strict=True):
                formatted = _as_list(brief_out["notes"])
                formatted = [[without_markers(tidy_punctuation(c)) for c in _as_list(n)] for n in formatted]
                results[job.brief_id] = formatted
                cache_file.parent.mkdir(parents=True, exist_ok=True)
                tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
                tmp.write_text(json.dumps(formatted, ensure_ascii=False), encoding="utf-8")
                tmp.replace(cache_file)
    return results


def _as_list(value) -> list:
    return [] if value == {} else value  # Lua encodes an empty table as {}


_BIBLIOGRAPHY = re.compile(r"<bibliography\b[^>]*/>|<bibliography\b.*?</bibliography>", re.DOTALL)


def citation_only_style(style: Style, cache_dir: Path) -> Path:
    """The style without its <bibliography>: notes never use it, and citeproc would lay out a
    bibliography entry for every reference anyway (a third of its time)."""
    path = cache_dir / "csl" / f"{style.digest}.csl"
    if not path.exists():
        text = _BIBLIOGRAPHY.sub("", style.path.read_text(encoding="utf-8"), count=1)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    return path


def _run_pandoc(batches: list[list[tuple[CiteJob, Path]]], csl: Path, items: dict[str, dict]) -> dict:
    request = {"csl": str(csl), "batches": [_batch_request(b, items) for b in batches]}
    proc = subprocess.run([pandoc_path(), "lua", str(_LUA)], input=json.dumps(request).encode(),
                          capture_output=True)
    if proc.returncode != 0:
        raise CiteprocError(proc.stderr.decode(errors="replace").strip())
    return json.loads(proc.stdout)


def _batch_request(batch: list[tuple[CiteJob, Path]], items: dict[str, dict]) -> dict:
    references, briefs = [], []
    for index, (job, _) in enumerate(batch):
        namespace = f"b{index}:"
        marker = chr(MARKERS.start + index)
        keys = sorted({i.key for n in job.notes for c in n.clusters for i in c.items})
        for key in keys:
            item = dict(items[key])
            item["id"] = namespace + key
            for name in ("title", "title-short"):
                if name in item:
                    item[name] = item[name] + marker
            references.append(item)
        briefs.append({"notes": [{"kind": n.kind, "clusters": [cluster_source(c, namespace) for c in n.clusters]}
                                 for n in job.notes]})
    return {"lang": csl_lang(batch[0][0].lang), "references": references, "briefs": briefs}


CSL_NS = "{http://purl.org/net/xbiblio/csl}"


def check_style(path: Path, display: str, diags: Diagnostics) -> None:
    """The CSL file exists, is well-formed XML and is a CSL style with a citation layout."""
    if not path.is_file():
        diags.error(Span(display, 1, 1), "CSL style file not found", "set extra.briefkit.csl in mkdocs.yml")
        return
    try:
        root = ElementTree.parse(path).getroot()
    except ElementTree.ParseError as exc:
        line, col = exc.position
        diags.error(Span(display, line, col + 1), f"the CSL style is not well-formed XML: {exc.msg}")
        return
    if root.tag != CSL_NS + "style":
        diags.error(Span(display, 1, 1), "this file is not a CSL style (no <style> element in the CSL namespace)")
    elif root.find(CSL_NS + "citation") is None:
        diags.error(Span(display, 1, 1), "the CSL style has no <citation> element", "notes need a citation layout")
