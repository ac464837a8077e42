"""The notes of a WordPress post, in each way WordPress sites write them, taken out of its HTML.

A post's notes come in one of five forms:

- WordPress's own footnotes block (6.3 and later): `<sup data-fn="ID" class="fn"><a href="#ID">1</a></sup>`
  in the text, the notes' HTML in the post's `footnotes` meta (JSON: `[{"id": ID, "content": …}]`);
- the shortcodes of the common footnote plugins: `[efn_note]…[/efn_note]` (Easy Footnotes),
  `[mfn]…[/mfn]` (Modern Footnotes), and `((…))` (Footnotes Made Easy, WP Footnotes);
- hand-numbered notes, as 38 North's pages and Word's HTML show them: `[1]` in the text (often in
  <sup> or a link to `#_ftn1`), and at the end, paragraphs that start with `[1]`.

Each note is replaced in the text by a marker (`MARKER.format(n)`: letters and digits only, so that
converting the HTML to Markdown leaves it whole), numbered in the order of the text; the note's own
HTML is kept to be converted the same way. A marker whose note has no text, and a numbered note that
the text never refers to, are problems to report, never dropped.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

MARKER = "BRIEFKITNOTE{0}X"
# what could not be matched, wrapped so that the next stage (wp_html.set_aside) keeps it as a marked block
PROBLEM = "<!--briefkit-note-problem {0}-->{1}<!--/briefkit-note-problem-->"
PROBLEM_PATTERN = re.compile(r"<!--briefkit-note-problem (?P<what>.*?)-->(?P<source>.*?)<!--/briefkit-note-problem-->",
                             re.S)
MARKER_PATTERN = re.compile(r"BRIEFKITNOTE(\d+)X")


@dataclass(frozen=True)
class FoundNote:
    number: int  # 1, 2, 3 … in the order of the text
    html: str  # the note's text, as HTML
    style: str  # "footnotes-block", "efn_note", "mfn", "parentheses", "numbered"


@dataclass
class PostNotes:
    html: str  # the post's HTML with a marker where each note was
    notes: list[FoundNote] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what could not be matched, in words


# WordPress's footnotes block: the reference in the text, and the block that lists the notes
_BLOCK_REFERENCE = re.compile(
    r"<sup\b[^>]*\bdata-fn=[\"'](?P<id>[^\"']+)[\"'][^>]*>.*?</sup>", re.S | re.I)
_BLOCK_LIST = re.compile(r"<!--\s*wp:footnotes\b.*?(?:/-->|<!--\s*/wp:footnotes\s*-->)", re.S)
_SHORTCODES = {
    "efn_note": re.compile(r"\[efn_note(?:\s[^\]]*)?\](?P<text>.*?)\[/efn_note\]", re.S | re.I),
    "mfn": re.compile(r"\[mfn(?:\s[^\]]*)?\](?P<text>.*?)\[/mfn\]", re.S | re.I),
    # one paragraph at most: (( … )) never spans a blank line
    "parentheses": re.compile(r"\(\((?P<text>(?:(?!\n\s*\n).)+?)\)\)", re.S),
}
# a numbered note's reference: [1], perhaps in <sup> and/or a link (Word: <a href="#_ftn1" name="_ftnref1">)
_NUMBERED_REFERENCE = re.compile(
    r"(?:<sup\b[^>]*>\s*)?(?:<a\b[^>]*>\s*)?(?:<sup\b[^>]*>\s*)?\[(?P<n>\d{1,3})\]"
    r"(?:\s*</sup>)?(?:\s*</a>)?(?:\s*</sup>)?", re.I)
# …and its text: a paragraph (or a line, before autop) that starts with [1]
_NUMBERED_NOTE = re.compile(
    r"^[ \t]*(?:<p\b[^>]*>)?[ \t]*(?:<a\b[^>]*>\s*)?(?:<sup\b[^>]*>\s*)?\[(?P<n>\d{1,3})\](?:\s*</sup>)?"
    r"(?:\s*</a>)?[ \t]*(?P<text>.*?)[ \t]*(?:</p>)?[ \t]*$", re.I | re.M)
_NOTES_HEADING = re.compile(r"^\s*(?:<h\d[^>]*>|<p>\s*<strong>|<strong>)?\s*(?:end)?notes?:?\s*"
                            r"(?:</h\d>|</strong>\s*</p>|</strong>)?\s*$", re.I | re.M)
_RULE = re.compile(r"^\s*(?:<hr\b[^>]*>|<p>\s*(?:[-_*]\s*){3,}</p>|(?:[-_*]\s*){3,}|<!--\s*/?wp:separator[^>]*-->)\s*$",
                   re.I | re.M)


def find_notes(html: str, meta: dict[str, str] | None = None) -> PostNotes:
    """The post's notes in whichever form it uses (the footnotes block, a plugin's shortcodes, or
    numbered paragraphs at the end), each replaced by a marker in the text."""
    meta = meta or {}
    if _BLOCK_REFERENCE.search(html) or "footnotes" in meta:
        return _footnotes_block(html, meta)
    if any(pattern.search(html) for pattern in _SHORTCODES.values()):
        return _shortcodes(html)
    return _numbered(html)


def _footnotes_block(html: str, meta: dict[str, str]) -> PostNotes:
    out = PostNotes(html)
    try:
        listed = json.loads(meta.get("footnotes") or "[]")
    except json.JSONDecodeError:
        listed = []
        out.problems.append("the post's footnotes (its `footnotes` field) could not be read")
    texts = {str(n.get("id")): str(n.get("content") or "") for n in listed if isinstance(n, dict)}
    used: set[str] = set()

    def replace(match: re.Match) -> str:
        note_id = match.group("id")
        text = texts.get(note_id, "").strip()
        if not text:
            out.problems.append(f"a footnote marker ({note_id}) has no text")
            return PROBLEM.format("a footnote marker without text", match.group(0))
        used.add(note_id)
        out.notes.append(FoundNote(len(out.notes) + 1, text, "footnotes-block"))
        return MARKER.format(len(out.notes))

    out.html = _BLOCK_LIST.sub("", _BLOCK_REFERENCE.sub(replace, html))
    for note_id, text in texts.items():
        if note_id not in used and text.strip():
            out.problems.append(f"a footnote ({note_id}) is never referred to in the text")
            out.html += "\n\n" + PROBLEM.format("a footnote the text never refers to", text)
    return out


def _shortcodes(html: str) -> PostNotes:
    out = PostNotes(html)
    spans = sorted((m.start(), m.end(), style, m.group("text"))
                   for style, pattern in _SHORTCODES.items() for m in pattern.finditer(html))
    pieces, last = [], 0
    for start, end, style, text in spans:
        if start < last:
            continue  # inside a note already taken (a shortcode in a shortcode)
        pieces.append(html[last:start])
        if not text.strip():
            out.problems.append(f"an empty [{style}] note")
            pieces.append(PROBLEM.format(f"an empty [{style}] note", html[start:end]))
        else:
            out.notes.append(FoundNote(len(out.notes) + 1, text.strip(), style))
            pieces.append(MARKER.format(len(out.notes)))
        last = end
    pieces.append(html[last:])
    out.html = "".join(pieces)
    return out


def _numbered(html: str) -> PostNotes:
    """Numbered notes: the run of lines (paragraphs) at the end that start with [n], after an optional
    rule or "Notes" heading; their references are the [n] before them."""
    out = PostNotes(html)
    lines = html.rstrip().split("\n")
    notes: dict[int, str] = {}
    end = len(lines)
    start = end
    i = end - 1
    while i >= 0:
        line = lines[i]
        if not line.strip():
            i -= 1
            continue
        match = _NUMBERED_NOTE.match(line)
        if not match:
            break
        notes[int(match.group("n"))] = match.group("text").strip()
        start = i
        i -= 1
    if not notes:
        return out
    # a rule or a "Notes" heading just above the notes goes with them
    j = start - 1
    while j >= 0 and (not lines[j].strip() or _RULE.match(lines[j]) or _NOTES_HEADING.match(lines[j])):
        j -= 1
    body = "\n".join(lines[: j + 1])
    found: dict[int, int] = {}  # the note's own number → its number in the brief

    def replace(match: re.Match) -> str:
        n = int(match.group("n"))
        if n not in notes:
            out.problems.append(f"note [{n}] in the text has no text at the end")
            return PROBLEM.format(f"note [{n}] without text", match.group(0))
        if n in found:
            return MARKER.format(found[n])  # a second reference to the same note
        out.notes.append(FoundNote(len(out.notes) + 1, notes[n], "numbered"))
        found[n] = len(out.notes)
        return MARKER.format(found[n])

    body = _NUMBERED_REFERENCE.sub(replace, body)
    for n in sorted(notes):
        if n not in found:
            out.problems.append(f"note [{n}] at the end is never referred to in the text")
            body += "\n\n" + PROBLEM.format(f"note [{n}] the text never refers to", f"[{n}] {notes[n]}")
    out.html = body
    return out
