"""Explain a YAML syntax error that comes from indentation, at the line where it went wrong.

PyYAML reports where it gave up, which is often far from the mistake: a body line that lost its
indentation ends the `body: |` text, and YAML then reads it as a key and fails several lines further
down ("could not find expected ':'"). Editors fix what they are shown, so the line shown must be the
one to indent. Only the text is read here (lines and their leading spaces); nothing is guessed when
the text does not show an indentation mistake.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# `key: |`, `key: >-`, `- key: |2`: a block scalar's header (its text follows on more indented lines)
_BLOCK_HEADER = re.compile(r"^(?P<indent> *)(?:- +)?(?P<key>[^\s#'\"][^#]*?):[ \t]+[|>][0-9+-]*[ \t]*(?:#.*)?$")
# a line YAML reads as a key (`key:` or `key: value`) or a list item
_KEY_LINE = re.compile(r"^ *(?:- +)?[^\s#:'\"][^#]*?:(?: |$)|^ *-(?: |$)")
_MISALIGNED = ("mapping values are not allowed", "expected <block end>", "did not find expected key",
               "could not find expected ':'")


@dataclass(frozen=True)
class IndentationProblem:
    line: int  # 1-based
    column: int
    message: str
    hint: str


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _spaces(n: int) -> str:
    return "1 space" if n == 1 else f"{n} spaces"


def _blank(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _text_read_as_key(lines: list[str], index: int, text_indent: int) -> bool:
    """A line of prose that YAML reads as `key: value` ("Note: the test…" pulled to the left): its key
    has spaces, which no field's name has, or the text goes on after it at the text's indentation."""
    key, _, value = lines[index].strip().partition(":")
    if key.startswith("- ") or key.startswith(("'", '"')):
        return False
    if re.search(r"\s", key):
        return True
    after = next((j for j in range(index + 1, len(lines)) if not _blank(lines[j])), None)
    return bool(value.strip()) and after is not None and _indent(lines[after]) >= text_indent


def lost_block_indentation(lines: list[str], until: int) -> IndentationProblem | None:
    """The first line (index <= until) that ends a `key: |` text by having less indentation than the
    text, where it cannot be the next key: the line that lost its indentation."""
    i = 0
    while i <= min(until, len(lines) - 1):
        header = _BLOCK_HEADER.match(lines[i])
        if not header:
            i += 1
            continue
        own = len(header.group("indent"))
        first = next((j for j in range(i + 1, len(lines)) if lines[j].strip()), None)
        if first is None or _indent(lines[first]) <= own:
            i += 1
            continue  # an empty block: the next line is the next key
        text_indent = _indent(lines[first])
        j = first
        while j < len(lines) and (not lines[j].strip() or _indent(lines[j]) >= text_indent):
            j += 1
        if j > until or j >= len(lines):
            return None
        line = lines[j]
        if _indent(line) > own or not _KEY_LINE.match(line) or _text_read_as_key(lines, j, text_indent):
            key = header.group("key").strip()
            return IndentationProblem(
                j + 1, _indent(line) + 1,
                f"this line has {_spaces(_indent(line))} of indentation, less than the text of '{key}:' above it "
                f"(from line {first + 1}), so the text ends here and YAML reads this line as a new field",
                f"indent it by {_spaces(text_indent)}, like the other lines of '{key}:'")
        i = j
    return None


def block_ending_at(lines: list[str], index: int) -> tuple[str, int] | None:
    """(key, indentation of its text) when line `index` is the first line after a `key: |` text: a
    field there may be a line of that text that lost its indentation."""
    j = index - 1
    while j >= 0 and not lines[j].strip():
        j -= 1
    while j >= 0:
        header = _BLOCK_HEADER.match(lines[j])
        if header:
            text = [k for k in range(j + 1, index) if lines[k].strip()]
            if text and all(_indent(lines[k]) > len(header.group("indent")) for k in text):
                return header.group("key").strip(), min(_indent(lines[k]) for k in text)
            return None
        if lines[j].strip() and _indent(lines[j]) <= _indent(lines[index]):
            return None
        j -= 1
    return None


def misaligned_line(lines: list[str], line_index: int) -> IndentationProblem | None:
    """A key or list item indented differently from the line above it, where the line above is not its
    parent (a `key:` with nothing after it)."""
    if line_index >= len(lines) or _blank(lines[line_index]):
        return None
    here = lines[line_index]
    above = next((j for j in range(line_index - 1, -1, -1) if not _blank(lines[j])), None)
    if above is None:
        return None
    mine, theirs = _indent(here), _indent(lines[above])
    parent = re.match(r"^ *(?:- +)?[^#]*:[ \t]*(?:#.*)?$", lines[above]) is not None
    if mine == theirs or (parent and mine > theirs):
        return None
    # the nearest line above with this line's indentation: where it should line up
    peers = [j for j in range(above, -1, -1) if not _blank(lines[j]) and _indent(lines[j]) <= mine]
    if mine > theirs:
        message = (f"this line is indented by {_spaces(mine)}, more than line {above + 1} above it ({theirs}), "
                   "so YAML reads it as part of that line's value")
        hint = f"start it in column {theirs + 1}, like line {above + 1}, if it is a field of its own"
    elif peers and _indent(lines[peers[0]]) == mine:
        return None  # it closes a nested mapping and lines up with its parent's keys: not the mistake
    else:
        message = (f"this line is indented by {_spaces(mine)}, less than line {above + 1} above it ({theirs}), "
                   "and lines up with no field above it")
        hint = f"indent it by {_spaces(theirs)}, like line {above + 1}, if it belongs to the same field"
    return IndentationProblem(line_index + 1, mine + 1, message, hint)


def indentation_problem(text: str, problem: str, problem_line: int,
                        context_line: int | None = None) -> IndentationProblem | None:
    """The indentation mistake behind a YAML syntax error (0-based lines from PyYAML's marks), if any."""
    lines = text.splitlines()
    lost = lost_block_indentation(lines, problem_line)
    if lost is not None:
        return lost
    if any(problem.startswith(p) for p in _MISALIGNED):
        for index in dict.fromkeys(i for i in (problem_line, context_line) if i is not None):
            found = misaligned_line(lines, index)
            if found is not None:
                return found
    return None
