"""Note references, citation clusters and figure placeholders in Markdown text, and note numbering.

Citations follow pandoc's syntax: `[see @key, 12; and @other]`. Offsets are character offsets in
the string value; the loader maps them back to file positions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_KEY = r"(?:\{(?P<bkey>[^{}]*)\}|(?P<key>[\w](?:\w|[:.#$%&\-+?<>~/](?=\w))*))"
_ITEM = re.compile(r"(?P<prefix>.*?)(?<![\w@])(?P<minus>-?)@" + _KEY + r"(?P<suffix>.*)", re.S)
_AT_KEY = re.compile(r"(?<![\w@])-?@(?:\{|\w)")
_NOTE_REF = re.compile(r"\[\^(?P<label>[^\]\s]*)\]")
_FIGURE = re.compile(r"^[ ]{0,3}\[figure:\s*(?P<label>[^\]\s]*)\s*\][ \t]*$", re.M)
_BLANK_LINE = re.compile(r"\n[ \t]*(\n|$)")
_FENCE = re.compile(r"^[ ]{0,3}(`{3,}|~{3,})")


@dataclass(frozen=True)
class CiteItem:
    key: str
    prefix: str
    suffix: str
    suppress_author: bool
    key_offset: int  # offset of the key (after '@') in the scanned text


@dataclass(frozen=True)
class Cluster:
    start: int
    end: int
    source: str
    items: tuple[CiteItem, ...]


@dataclass(frozen=True)
class NoteRef:
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class FigureRef:
    label: str
    start: int
    end: int


@dataclass(frozen=True)
class Problem:
    offset: int
    message: str
    hint: str | None = None


@dataclass
class Scan:
    clusters: list[Cluster] = field(default_factory=list)
    note_refs: list[NoteRef] = field(default_factory=list)
    figures: list[FigureRef] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def code_ranges(text: str) -> list[tuple[int, int]]:
    """Ranges of fenced code blocks and inline code spans, where brackets mean nothing."""
    ranges: list[tuple[int, int]] = []
    pos, fence_start, fence = 0, None, ""
    for line in text.splitlines(keepends=True):
        m = _FENCE.match(line)
        if fence_start is None and m:
            fence_start, fence = pos, m.group(1)[0] * len(m.group(1))
        elif fence_start is not None and line.strip().startswith(fence):
            ranges.append((fence_start, pos + len(line)))
            fence_start = None
        pos += len(line)
    if fence_start is not None:
        ranges.append((fence_start, len(text)))
    for m in re.finditer(r"(`+)(.+?)(?<!`)\1(?!`)", text, re.S):
        if not any(a <= m.start() < b for a, b in ranges):
            ranges.append((m.start(), m.end()))
    return sorted(ranges)


def _in(ranges: list[tuple[int, int]], offset: int) -> bool:
    return any(a <= offset < b for a, b in ranges)


def _closing_bracket(text: str, start: int) -> int | None:
    """Index of the ']' that closes the '[' at `start`, within the same paragraph."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
            if depth == 0:
                return i
        elif ch == "\n" and _BLANK_LINE.match(text, i):
            return None  # a blank line ends the paragraph
        i += 1
    return None


def parse_cluster(text: str, start: int, end: int) -> tuple[Cluster | None, list[Problem]]:
    """Parse the bracketed text text[start:end+1] as a citation cluster."""
    inner_start = start + 1
    inner = text[inner_start:end]
    items: list[CiteItem] = []
    problems: list[Problem] = []
    offset = inner_start
    for part in inner.split(";"):
        m = _ITEM.fullmatch(part)
        key = m and (m.group("key") if m.group("key") is not None else m.group("bkey"))
        if not m or not key or not key.strip():
            at = part.find("@")
            if at >= 0:
                problems.append(Problem(offset + at, "citation with an empty key",
                                        "write the BibTeX key right after '@', e.g. [@lee2024nucleartest]"))
            else:
                problems.append(Problem(offset + len(part) - len(part.lstrip()),
                                        f"part '{part.strip()}' of a citation has no @key",
                                        "separate works with ';' and start each with its @key"))
        else:
            key_offset = offset + m.start("key" if m.group("key") is not None else "bkey")
            items.append(CiteItem(key=key.strip(), prefix=m.group("prefix").strip(),
                                  suffix=m.group("suffix").rstrip(), suppress_author=m.group("minus") == "-",
                                  key_offset=key_offset))
        offset += len(part) + 1
    if problems:
        return None, problems
    return Cluster(start, end + 1, text[start : end + 1], tuple(items)), []


def scan(text: str, *, allow_notes: bool = True, allow_figures: bool = True) -> Scan:
    result = Scan()
    code = code_ranges(text)
    taken: list[tuple[int, int]] = []
    for m in _FIGURE.finditer(text):
        if _in(code, m.start()):
            continue
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        if allow_figures:
            result.figures.append(FigureRef(m.group("label"), start, m.end()))
        else:
            result.problems.append(Problem(start, "figures can only be placed in the body"))
        taken.append((m.start(), m.end()))
    spans: list[tuple[int, int]] = []  # every bracketed span that contained an @
    i = 0
    while True:
        i = text.find("[", i)
        if i < 0:
            break
        if _in(code, i) or _in(taken, i) or (i > 0 and text[i - 1] == "\\"):
            i += 1
            continue
        if text.startswith("[^", i):
            m = _NOTE_REF.match(text, i)
            if m and text[m.end() : m.end() + 1] == ":":
                result.problems.append(Problem(i, "note definitions belong in the 'notes:' field, not in the text",
                                               f"move it to notes: {m.group('label')}: …"))
            elif m and not allow_notes:
                result.problems.append(Problem(i, f"note reference [^{m.group('label')}] inside a note",
                                               "notes cannot refer to other notes"))
            elif m and not m.group("label"):
                result.problems.append(Problem(i, "note reference without a label", "write [^label]"))
            elif m:
                result.note_refs.append(NoteRef(m.group("label"), i, m.end()))
            if m:
                i = m.end()
                continue
        end = _closing_bracket(text, i)
        inner = text[i + 1 : end] if end is not None else _rest_of_paragraph(text, i + 1)
        if _AT_KEY.search(inner) or inner.lstrip().startswith("@"):
            if end is None:
                result.problems.append(Problem(i, "citation is missing its closing ']'",
                                               "a citation looks like [@key] or [see @key, 12]"))
                i += 1
                continue
            spans.append((i, end + 1))
            if text[end + 1 : end + 2] == "(":  # an inline link whose text contains '@'
                i = end + 1
                continue
            cluster, problems = parse_cluster(text, i, end)
            result.problems.extend(problems)
            if cluster:
                result.clusters.append(cluster)
            i = end + 1
            continue
        i += 1
    for m in re.finditer(r"(?<![\w\[@-])-?@(?:\{|\w)", text):
        # a citation whose opening bracket is missing: `see @key]`
        if _in(code, m.start()) or _in(spans, m.start()):
            continue
        if re.match(r"[^\[\]\n]*\]", text[m.end() :]):
            result.problems.append(Problem(m.start(), "citation is missing its opening '['",
                                           "a citation looks like [@key] or [see @key, 12]"))
    return result


def _rest_of_paragraph(text: str, start: int) -> str:
    end = text.find("\n\n", start)
    return text[start : end if end >= 0 else len(text)]


@dataclass(frozen=True)
class Note:
    """One numbered note of a brief, in the order readers meet it."""

    number: int
    kind: str  # "cite": a citation written in the body; "prose": a note from the notes field
    text: str  # the cluster source (cite) or the note's Markdown (prose)
    clusters: tuple[Cluster, ...]
    label: str | None = None


@dataclass(frozen=True)
class BodyRef:
    start: int
    end: int
    number: int


@dataclass(frozen=True)
class NotePlan:
    notes: tuple[Note, ...]
    body_refs: tuple[BodyRef, ...]


def number_notes(body_scan: Scan, note_texts: dict[str, str], note_scans: dict[str, Scan]) -> NotePlan:
    """Number notes by first reference in the body: labelled notes and body citations alike."""
    refs = [(r.start, r.end, r) for r in body_scan.note_refs] + [(c.start, c.end, c) for c in body_scan.clusters]
    refs.sort(key=lambda t: t[0])
    numbers: dict[str, int] = {}
    notes: list[Note] = []
    body_refs: list[BodyRef] = []
    for start, end, ref in refs:
        if isinstance(ref, NoteRef):
            if ref.label not in note_texts:
                continue
            if ref.label not in numbers:
                numbers[ref.label] = len(notes) + 1
                scan_ = note_scans[ref.label]
                notes.append(Note(numbers[ref.label], "prose", note_texts[ref.label], tuple(scan_.clusters), ref.label))
            body_refs.append(BodyRef(start, end, numbers[ref.label]))
        else:
            number = len(notes) + 1
            notes.append(Note(number, "cite", ref.source, (ref,)))
            body_refs.append(BodyRef(start, end, number))
    return NotePlan(tuple(notes), tuple(body_refs))
