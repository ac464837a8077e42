"""Format each distinct citation once for a whole corpus, instead of once per brief.

A thousand briefs citing a 300-entry bibliography cite the same works over and over: the first
note citing a work, or a later short note, reads the same in every brief (up to its page number).
citeproc's cost is per reference in a run, so this module reduces a brief's clusters to item
signatures (the work, its position, prefix, suffix, with a plain page number replaced by a
placeholder), formats each distinct signature once in a small synthetic document that puts the
work in the same position, and assembles every brief's clusters from those pieces.

Only briefs where this is exact are handled here; the others go through citeproc whole (see
`eligible`). A test formats random corpora both ways and compares every note.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .inlines import _strs, capitalize_first, punctuation_inside_quotes
from .notes import CiteItem, Cluster, Note

PLACEHOLDER = "970135"  # a page number standing for any page number (a number: the style may test for one)
SPACER = "\ue0ff-spacer"  # a work cited between a first note and a later one, so the later one is not "ibid."
_PAGE = re.compile(r", (\d{1,6})")
_WORDS = re.compile(r"[A-Za-z][A-Za-z.]*(?: [A-Za-z][A-Za-z.]*)*")


@dataclass(frozen=True)
class Piece:
    """One cited work as it appears in one cluster, up to its page number."""

    lang: str
    key: str
    position: str  # "first" or "subsequent"
    prefix: str
    suffix: str  # with PLACEHOLDER for a plain page number
    suppress_author: bool
    whole_note: bool  # the only work of a cluster that is a whole note: formatted with the note's capital and period


@dataclass(frozen=True)
class PlannedCluster:
    pieces: tuple[tuple[Piece, str | None, str], ...]  # each with its page number (None: as written) and prefix
    whole_note: bool


def short_title(item: dict) -> str:
    return (item.get("title-short") or item.get("title") or "").strip().casefold()


def eligible(notes: tuple[Note, ...], items: dict[str, dict]) -> bool:
    """Whether every cluster of a brief can be assembled from pieces exactly: no work cited twice in a
    row ("ibid."), no two works that the style could confuse (same short title), every work titled."""
    titles = set()
    keys = {i.key for n in notes for c in n.clusters for i in c.items}
    for key in keys:
        title = short_title(items.get(key) or {})
        if not title or title in titles:
            return False
        titles.add(title)
    previous: set[str] = set()
    for note in notes:
        for cluster in note.clusters:
            in_cluster: set[str] = set()
            for item in cluster.items:
                if item.key in previous or item.key in in_cluster:
                    return False
                in_cluster.add(item.key)
            previous = in_cluster
    return True


def plan(notes: tuple[Note, ...], lang: str) -> list[list[PlannedCluster]]:
    """For each note, for each cluster: its pieces."""
    seen: set[str] = set()
    out = []
    for note in notes:
        clusters = []
        for cluster in note.clusters:
            whole = note.kind == "cite" and len(cluster.items) == 1
            pieces = []
            for item in cluster.items:
                page = None
                suffix = item.suffix
                if (m := _PAGE.fullmatch(suffix)) is not None:
                    page, suffix = m.group(1), f", {PLACEHOLDER}"
                position = "subsequent" if item.key in seen else "first"
                seen.add(item.key)
                prefix, words = item.prefix, ""
                if not whole and _WORDS.fullmatch(prefix):
                    prefix, words = "", prefix  # "see", "and", "cf." are printed as written, before the piece
                pieces.append((Piece(lang, item.key, position, prefix, suffix, item.suppress_author, whole), page,
                               words))
            clusters.append(PlannedCluster(tuple(pieces), note.kind == "cite"))
        out.append(clusters)
    return out


def _cluster(piece: Piece | None, key: str | None = None) -> Cluster:
    if piece is None:
        item = CiteItem(key, "", "", False, 0)
    else:
        item = CiteItem(piece.key, piece.prefix, piece.suffix, piece.suppress_author, 0)
    return Cluster(0, 0, "", (item,))


def synthetic_notes(pieces: list[Piece], title_of) -> list[tuple[str, tuple[Note, ...], list[tuple[Piece, int]]]]:
    """Small documents that put every piece in its position: (document id, notes, [(piece, note index)]).

    A work is "first" once per document, so its first pieces go to different documents; works
    that the style could confuse (same short title, `title_of`) are never in the same document.
    Later pieces follow their work's first piece, never right after a note citing the same work
    (that would be "ibid."): a spacer note is put between when needed."""
    wanted = set(pieces)
    firsts: dict[tuple[str, str], list[Piece]] = {}
    later: dict[tuple[str, str], list[Piece]] = {}
    for piece in pieces:
        (firsts if piece.position == "first" else later).setdefault((piece.lang, piece.key), []).append(piece)
    for work in later:
        if work not in firsts:  # a later piece needs its work cited first: a plain first cite does
            firsts[work] = [Piece(work[0], work[1], "first", "", "", False, False)]
    rounds: list[list[tuple[tuple[str, str], Piece]]] = []
    for work, variants in firsts.items():
        for r, piece in enumerate(variants):
            while len(rounds) <= r:
                rounds.append([])
            rounds[r].append((work, piece))
    docs = []
    for r, members in enumerate(rounds):
        buckets: list[tuple[set, list]] = []
        for work, piece in members:
            title = title_of(work[1])
            bucket = next((b for b in buckets if len(b[1]) < MAX_WORKS and (work[0], title) not in b[0]
                           and b[1][0][0][0] == work[0]), None)
            if bucket is None:
                bucket = (set(), [])
                buckets.append(bucket)
            bucket[0].add((work[0], title))
            bucket[1].append((work, piece))
        for _, works in buckets:
            notes: list[Note] = []
            targets: list[tuple[Piece, int]] = []
            for _, piece in works:
                notes.append(Note(len(notes) + 1, "cite" if piece.whole_note else "prose", "", (_cluster(piece),)))
                if piece in wanted:
                    targets.append((piece, len(notes) - 1))
            if r == 0:
                queue = [p for work, _ in works for p in later.get(work, [])]
                last_key = works[-1][1].key
                for piece in _alternate(queue):
                    if piece.key == last_key:
                        notes.append(Note(len(notes) + 1, "prose", "", (_cluster(None, SPACER),)))
                    notes.append(Note(len(notes) + 1, "cite" if piece.whole_note else "prose", "", (_cluster(piece),)))
                    targets.append((piece, len(notes) - 1))
                    last_key = piece.key
            docs.append((f"pieces:{len(docs)}", tuple(notes), targets))
    return docs


MAX_WORKS = 40  # works per synthetic document


def _alternate(queue: list[Piece]) -> list[Piece]:
    """The pieces reordered so that, where possible, no two pieces of one work are next to each other."""
    by_key: dict[str, list[Piece]] = {}
    for piece in queue:
        by_key.setdefault(piece.key, []).append(piece)
    out = []
    while by_key:
        for key in list(by_key):
            out.append(by_key[key].pop(0))
            if not by_key[key]:
                del by_key[key]
    return out


def spacer_item() -> dict:
    return {"id": SPACER, "type": "book", "title": "Spacer"}


class PieceMissing(Exception):
    """A page number could not be put back: the brief is formatted whole instead."""


def _with_page(encoded: str, page: str | None) -> list:
    """A copy of a piece (as JSON text) with its page number put back in place of the placeholder."""
    if page is not None:
        if encoded.count(PLACEHOLDER) != 1:
            raise PieceMissing(page)
        encoded = encoded.replace(PLACEHOLDER, page)
    return json.loads(encoded)


def _last_text(inlines: list) -> str:
    """The text the cluster ends with; PieceMissing if it ends inside a Quoted node (quotes not as text)."""
    for node in reversed(inlines):
        if node["t"] in ("Space", "SoftBreak"):
            continue
        if node["t"] == "Quoted":
            raise PieceMissing("ends with a quotation")
        strs = _strs([node], [])
        return strs[-1]["c"] if strs else ""
    return ""


def assemble(cluster: PlannedCluster, rendered: dict[Piece, str]) -> list:
    """A cluster's inlines from its pieces (each as JSON text, punctuation already tidied), as citeproc
    and tidy_punctuation would print the cluster: the tidying rules never reach across pieces."""
    if len(cluster.pieces) == 1 and cluster.pieces[0][0].whole_note:
        piece, page, _ = cluster.pieces[0]
        return _with_page(rendered[piece], page)
    out: list = []
    for i, (piece, page, words) in enumerate(cluster.pieces):
        if i:
            out += [{"t": "Str", "c": ";"}, {"t": "Space"}]
        for word in words.split():
            out += [{"t": "Str", "c": word}, {"t": "Space"}]
        out += _with_page(rendered[piece], page)
    if not cluster.whole_note:
        return out
    # the note's capital and closing period, as the style gives a note
    out = capitalize_first(out, in_place=True)
    end = _last_text(out)
    if end.rstrip("”’").endswith(("?", "!", ".")):
        return out
    if end.endswith(("”", "’")):
        if not cluster.pieces[0][0].lang.startswith("en"):
            raise PieceMissing("where the period goes depends on the language")
        moved = punctuation_inside_quotes(out, ".")  # American usage: “Title.”
        if moved is None:
            raise PieceMissing("closing quote")
        return moved
    return out + [{"t": "Str", "c": "."}]
