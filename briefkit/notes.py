"""Note references, citation clusters and figure placeholders in Markdown text, and note numbering.

Citations follow pandoc's syntax: `[see @key, 12; and @other]`. Offsets are character offsets in
the string value; the loader maps them back to file positions.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass, field

from .limits import MAX_PROBLEMS_PER_TEXT

_KEY = r"(?:\{(?P<bkey>[^{}]*)\}|(?P<key>[\w](?:\w|[:.#$%&\-+?<>~/](?=\w))*))"
_ITEM = re.compile(r"(?P<prefix>.*?)(?<![\w@])(?P<minus>-?)@" + _KEY + r"(?P<suffix>.*)", re.S)
_AT_KEY = re.compile(r"(?<![\w@])-?@(?:\{|\w)")
_NOTE_REF = re.compile(r"\[\^(?P<label>[^\]\[\s]*)\]")
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
    """Ranges of fenced code blocks and inline code spans, where brackets mean nothing; sorted and
    merged where they overlap. Linear in the text, however its backticks are laid out.

    A run of n backticks opens a code span closed by the next run of exactly n backticks (as
    Python-Markdown reads them); a run with no such partner may open a shorter span with its first
    backticks; otherwise it is text."""
    fences: list[tuple[int, int]] = []
    pos, fence_start, fence = 0, None, ""
    for line in text.splitlines(keepends=True):
        m = _FENCE.match(line)
        if fence_start is None and m:
            fence_start, fence = pos, m.group(1)[0] * len(m.group(1))
        elif fence_start is not None and line.strip().startswith(fence):
            fences.append((fence_start, pos + len(line)))
            fence_start = None
        pos += len(line)
    if fence_start is not None:
        fences.append((fence_start, len(text)))
    in_fence = _Ranges(fences)
    # every run pairs up, as one regular expression over the whole text would; only spans that start
    # outside fenced blocks count
    runs = [(m.start(), m.end() - m.start()) for m in _BACKTICKS.finditer(text)]
    by_length: dict[int, list[int]] = {}  # run length → indices in `runs`, increasing
    for index, (_, length) in enumerate(runs):
        by_length.setdefault(length, []).append(index)
    cursor = dict.fromkeys(by_length, 0)  # per length: the first index in by_length not yet passed
    ranges = list(fences)
    i = 0
    while i < len(runs):
        start, length = runs[i]
        partner = None
        for k in range(length, 0, -1):  # the longest opener that has a partner
            candidates = by_length.get(k)
            if not candidates:
                continue
            c = cursor[k]
            while c < len(candidates) and candidates[c] <= i:
                c += 1
            cursor[k] = c
            if c < len(candidates):
                partner = candidates[c]
                break
        if partner is None:
            i += 1
            continue
        if not in_fence(start):
            ranges.append((start, runs[partner][0] + runs[partner][1]))
        i = partner + 1
    return _merge(ranges)


_BACKTICKS = re.compile(r"`+")


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for a, b in sorted(ranges):
        if out and a < out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


class _Ranges:
    """Membership in sorted, non-overlapping [start, end) ranges, by bisection."""

    def __init__(self, ranges: list[tuple[int, int]]):
        self.starts = [a for a, _ in ranges]
        self.ends = [b for _, b in ranges]

    def __call__(self, offset: int) -> bool:
        i = bisect.bisect_right(self.starts, offset) - 1
        return i >= 0 and offset < self.ends[i]


def closing_brackets(text: str) -> dict[int, int | None]:
    """For every '[' not escaped by a backslash: the index of the ']' that closes it within the same
    paragraph, or None (a blank line, or the end of the text, comes first). One pass."""
    closing: dict[int, int | None] = {}
    stack: list[int] = []
    i = 0
    for m in _BRACKET_EVENTS.finditer(text):
        j = m.start()
        if j < i:
            continue  # the character after a backslash
        ch = text[j]
        if ch == "\\":
            i = j + 2
            continue
        i = j + 1
        if ch == "[":
            stack.append(j)
            closing[j] = None
        elif ch == "]":
            if stack:
                closing[stack.pop()] = j
        elif _BLANK_LINE.match(text, j):
            stack.clear()  # a blank line ends the paragraph: what is open stays unclosed
    return closing


_BRACKET_EVENTS = re.compile(r"[\\\[\]\n]")
_AT_SIGN = re.compile(r"(?<![\w@])@(?=[{\w])")  # where _AT_KEY can match (its '-' changes nothing)
_NON_SPACE = re.compile(r"\S")
_OPENING_MISSING = re.compile(r"(?<![\w\[@-])-?@(?:\{|\w)")
_BRACKET_OR_LINE = re.compile(r"[\[\]\n]")


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


@functools.lru_cache(maxsize=8)
def scan_body(text: str) -> Scan:
    """scan(text) of a brief's body, kept for the next call: the limits and the checks both scan it
    (the result is shared: do not change it)."""
    return scan(text)


def scan(text: str, *, allow_notes: bool = True, allow_figures: bool = True) -> Scan:
    """Note references, citation clusters, figures and problems of `text`, in one linear pass over
    each kind of mark (a 2 MB text of brackets or backticks takes a second, not hours)."""
    result = Scan()
    in_code = _Ranges(code_ranges(text))
    taken: list[tuple[int, int]] = []
    for m in _FIGURE.finditer(text):
        if in_code(m.start()):
            continue
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
        if allow_figures:
            result.figures.append(FigureRef(m.group("label"), start, m.end()))
        else:
            result.problems.append(Problem(start, "figures can only be placed in the body"))
        taken.append((m.start(), m.end()))
    in_figure = _Ranges(taken)
    closing = closing_brackets(text) if "[" in text else {}
    at_signs = [m.start() for m in _AT_SIGN.finditer(text)] if "@" in text else []
    paragraph_end = -1  # the first "\n\n" at or after the last unclosed "[" (its citation ends there)
    spans: list[tuple[int, int]] = []  # every bracketed span that contained an @
    i = 0
    while len(result.problems) <= MAX_PROBLEMS_PER_TEXT:
        i = text.find("[", i)
        if i < 0:
            break
        if in_code(i) or in_figure(i) or (i > 0 and text[i - 1] == "\\"):
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
        end = closing.get(i)
        if end is None:
            if paragraph_end < i + 1:
                found = text.find("\n\n", i + 1)
                paragraph_end = found if found >= 0 else len(text)
            inner_end = paragraph_end
        else:
            inner_end = end
        first = _NON_SPACE.search(text, i + 1, inner_end)
        k = bisect.bisect_left(at_signs, i + 1)
        if (k < len(at_signs) and at_signs[k] + 1 < inner_end) or (first and text[first.start()] == "@"):
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
    in_span = _Ranges(spans)
    stop = -1  # the first '[', ']' or line break at or after the last @ looked at
    for m in _OPENING_MISSING.finditer(text) if at_signs else ():
        # a citation whose opening bracket is missing: `see @key]`
        if len(result.problems) > MAX_PROBLEMS_PER_TEXT:
            break
        if in_code(m.start()) or in_span(m.start()):
            continue
        if stop < m.end():
            found = _BRACKET_OR_LINE.search(text, m.end())
            stop = found.start() if found else len(text)
        if stop < len(text) and text[stop] == "]":
            result.problems.append(Problem(m.start(), "citation is missing its opening '['",
                                           "a citation looks like [@key] or [see @key, 12]"))
    del result.problems[MAX_PROBLEMS_PER_TEXT:]
    return result


# [support] on a line of its own in a body: the support block (extra.briefkit.support) goes there
SUPPORT_MARKER = re.compile(r"^[ \t]*\[support\][ \t]*$", re.MULTILINE)


@dataclass(frozen=True)
class Note:
    """One numbered note of a brief, in the order readers meet it."""

    number: int  # 0 for an in-text citation, which is not a note
    # "cite": a citation written in the body; "prose": a note from the notes field; "intext": a citation
    # written in the body, printed in the text by an in-text style (author-date, numeric)
    kind: str
    text: str  # the cluster source (cite, intext) or the note's Markdown (prose)
    clusters: tuple[Cluster, ...]
    label: str | None = None


@dataclass(frozen=True)
class BodyRef:
    start: int
    end: int
    number: int  # the note's number; 0 for an in-text citation
    citation: int = -1  # for an in-text citation: its index among the brief's in-text citations


@dataclass(frozen=True)
class NotePlan:
    notes: tuple[Note, ...]  # in reading order; the in-text citations among them when the style has them
    body_refs: tuple[BodyRef, ...]


def number_notes(body_scan: Scan, note_texts: dict[str, str], note_scans: dict[str, Scan],
                 in_text: bool = False) -> NotePlan:
    """Number notes by first reference in the body: labelled notes and body citations alike. With an
    in-text style (`in_text`), body citations stay in the text and only the prose notes are numbered."""
    refs = [(r.start, r.end, r) for r in body_scan.note_refs] + [(c.start, c.end, c) for c in body_scan.clusters]
    refs.sort(key=lambda t: t[0])
    numbers: dict[str, int] = {}
    notes: list[Note] = []
    body_refs: list[BodyRef] = []
    counted = 0  # notes numbered so far
    citations = 0  # in-text citations so far
    for start, end, ref in refs:
        if isinstance(ref, NoteRef):
            if ref.label not in note_texts:
                continue
            if ref.label not in numbers:
                counted += 1
                numbers[ref.label] = counted
                scan_ = note_scans[ref.label]
                notes.append(Note(numbers[ref.label], "prose", note_texts[ref.label], tuple(scan_.clusters), ref.label))
            body_refs.append(BodyRef(start, end, numbers[ref.label]))
        elif in_text:
            notes.append(Note(0, "intext", ref.source, (ref,)))
            body_refs.append(BodyRef(start, end, 0, citations))
            citations += 1
        else:
            counted += 1
            notes.append(Note(counted, "cite", ref.source, (ref,)))
            body_refs.append(BodyRef(start, end, counted))
    return NotePlan(tuple(notes), tuple(body_refs))
