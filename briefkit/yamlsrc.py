"""YAML documents that remember where every key and value came from.

PyYAML composes a node tree with positions; we build plain Python values from it ourselves so that
duplicate keys, unsafe tags and impossible dates become diagnostics instead of silent surprises,
and so that an offset inside a string value (say, a citation in the body) maps back to the file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from .diagnostics import Diagnostics, Span
from .yaml_hints import indentation_problem

Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
Path = tuple  # a path into the document: keys and list indices

_STANDARD_TAGS = {
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "map", "seq", "binary")
}


@dataclass
class LocatedDocument:
    """A parsed YAML file: its value plus the position of every key and value node."""

    file: str
    text: str
    value: Any = None
    key_pos: dict[Path, tuple[int, int]] = field(default_factory=dict)
    value_pos: dict[Path, tuple[int, int]] = field(default_factory=dict)
    scalars: dict[Path, yaml.ScalarNode] = field(default_factory=dict)
    bad_paths: set[Path] = field(default_factory=set)
    _line_starts: list[int] | None = None

    def span(self, path: Path, *, key: bool = False) -> Span:
        """Where the node at `path` starts (its key with key=True); the nearest parent if absent."""
        table = self.key_pos if key else self.value_pos
        p = tuple(path)
        while p:
            if p in table:
                line, col = table[p]
                return Span(self.file, line + 1, col + 1)
            if not key and p in self.key_pos:
                line, col = self.key_pos[p]
                return Span(self.file, line + 1, col + 1)
            p = p[:-1]
        return Span(self.file, 1, 1)

    def text_span(self, path: Path, offset: int) -> Span:
        """Where character `offset` of the string value at `path` is in the file."""
        node = self.scalars.get(tuple(path))
        if node is None:
            return self.span(path)
        index = _map_offset(self.text, node, offset)
        return self._span_at(index)

    def _span_at(self, index: int) -> Span:
        if self._line_starts is None:
            starts = [0]
            for i, ch in enumerate(self.text):
                if ch == "\n":
                    starts.append(i + 1)
            self._line_starts = starts
        line = bisect.bisect_right(self._line_starts, index) - 1
        return Span(self.file, line + 1, index - self._line_starts[line] + 1)


def _map_offset(text: str, node: yaml.ScalarNode, offset: int) -> int:
    """Align the scalar's value with its raw source text and return the source index of `offset`.

    Folding, indentation and quoting only remove or change whitespace and quote characters, so a
    greedy alignment that skips unmatched source characters finds each value character.
    """
    start, end = node.start_mark.index, node.end_mark.index
    raw = text[start:end]
    j = 0
    if node.style in ("|", ">"):
        j = raw.find("\n") + 1
    value = node.value
    offset = max(0, min(offset, len(value)))
    for i in range(offset):
        ch = value[i]
        k = j
        while k < len(raw) and raw[k] != ch and not (ch.isspace() and raw[k].isspace()):
            k += 1
        if k < len(raw):
            j = k + 1
    while j < len(raw) and raw[j] in " \t\n" and offset < len(value) and not value[offset].isspace():
        j += 1
    return start + min(j, max(len(raw) - 1, 0))


def _forbidden_characters() -> re.Pattern:
    """Characters that no text field may hold, however they were written (YAML escapes such as "\\x07"
    or "\\ud800" reach them): C0 and C1 controls but tab and line feed (feeds would not be well-formed
    XML, a page would lose its front matter), lone surrogates (not characters: UTF-8 cannot encode
    them) and noncharacters (reserved for programs' internal use)."""
    ranges = ["\x00-\x08", "\x0b-\x1f", "\x7f-\x9f", "\ud800-\udfff", "\ufdd0-\ufdef"]
    ranges += [f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)]
    return re.compile("[" + "".join(ranges) + "]")


FORBIDDEN_CHARACTERS = _forbidden_characters()
# the same characters as a set: whether a long text has one is asked of its few distinct characters
# (the pattern's search costs more, character by character); the pattern then says where
_FORBIDDEN_SET = frozenset(chr(c) for r in ((*range(0x20), *range(0x7F, 0xA0)), range(0xD800, 0xE000),
                                            range(0xFDD0, 0xFDF0)) for c in r if chr(c) not in "\t\n") | \
    frozenset(chr(plane * 0x10000 + low) for plane in range(17) for low in (0xFFFE, 0xFFFF))


def find_forbidden(text: str) -> re.Match | None:
    """The first character of `text` that no text field may hold (see _forbidden_characters)."""
    return None if _FORBIDDEN_SET.isdisjoint(set(text)) else FORBIDDEN_CHARACTERS.search(text)
# Line breaks to YAML, invisible to editors: PyYAML counts lines at them (every later position would
# be wrong) and a block scalar ends at them. Pasted from word processors and web pages.
_NUMERIC_REFERENCE = re.compile(r"&#(\d{1,8}|[xX][0-9a-fA-F]{1,8});")
_UNICODE_LINE_BREAKS = re.compile("[\x85\u2028\u2029]")


def character_problem(ch: str) -> tuple[str, str]:
    """(message, hint) for a character of FORBIDDEN_CHARACTERS."""
    code = ord(ch)
    if 0xD800 <= code <= 0xDFFF:
        return (f"the lone surrogate U+{code:04X} is not a character",
                "a \\u escape must name a whole character, e.g. \\U0001F600 rather than two \\u halves")
    if code < 0x20 or 0x7F <= code <= 0x9F:
        return (f"the control character U+{code:04X} is not allowed in text",
                "delete it, or the escape that wrote it, such as \\x07")
    return f"U+{code:04X} is a noncharacter and is not allowed in text", "delete it"


class _Builder:
    def __init__(self, doc: LocatedDocument, diags: Diagnostics):
        self.doc = doc
        self.diags = diags
        self.constructor = SafeConstructor()
        self.seen: set[int] = set()
        # where the file itself holds no forbidden character and no numeric reference, only a
        # double-quoted value can hold one (through an escape): the others need no check of their own
        self.plain_text_is_clean = find_forbidden(doc.text) is None and "&#" not in doc.text

    def span(self, node: yaml.Node) -> Span:
        return Span(self.doc.file, node.start_mark.line + 1, node.start_mark.column + 1)

    def build(self, node: yaml.Node, path: Path) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            # an alias makes the composer reuse a node: expanding reused nodes can blow up (a
            # "billion laughs" document), and briefs have no use for anchors and aliases
            if id(node) in self.seen:
                self.diags.error(self.doc.span(path, key=True), "YAML aliases (*name) are not allowed in briefs",
                                 "write the value out instead of referring to an anchor")
                self.doc.bad_paths.add(path)
                return None
            self.seen.add(id(node))
        self.doc.value_pos[path] = (node.start_mark.line, node.start_mark.column)
        if node.tag not in _STANDARD_TAGS and not (
            isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:merge"
        ):
            self.diags.error(
                self.span(node),
                f"YAML tag '{node.tag}' is not allowed",
                "briefs may only use plain YAML values: text, numbers, dates, lists and mappings",
            )
            self.doc.bad_paths.add(path)
            return None
        if isinstance(node, yaml.MappingNode):
            return self.build_mapping(node, path)
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, path + (i,)) for i, item in enumerate(node.value)]
        self.doc.scalars[path] = node
        if node.tag.endswith(":str") and (node.style == '"' or not self.plain_text_is_clean):
            self.check_characters(node.value, path)
        try:
            return self.constructor.construct_object(node, deep=True)
        except (ConstructorError, ValueError, TypeError) as exc:
            if node.tag.endswith(":timestamp"):
                message = f"'{node.value}' is not a real date"
                hint = "dates are written YYYY-MM-DD, e.g. 2024-04-29"
            else:
                message, hint = f"cannot read value '{node.value}': {exc}", None
            self.diags.error(self.span(node), message, hint)
            self.doc.bad_paths.add(path)
            return node.value

    def check_characters(self, text: str, path: Path) -> None:
        """Report the first forbidden character of a string value (one line per value is enough),
        written as itself, through a YAML escape, or as an HTML reference (&#7;) in Markdown."""
        found = find_forbidden(text)
        if found:
            self.diags.error(self.doc.text_span(path, found.start()), *character_problem(found.group()))
            self.doc.bad_paths.add(path)
            return
        if "&#" in text:
            for ref in _NUMERIC_REFERENCE.finditer(text):
                code = int(ref.group(1)[1:], 16) if ref.group(1)[0] in "xX" else int(ref.group(1))
                if code == 0 or code > 0x10FFFF or FORBIDDEN_CHARACTERS.match(chr(code)):
                    self.diags.error(self.doc.text_span(path, ref.start()),
                                     f"the reference {ref.group()} writes a character that is not allowed in text "
                                     f"(U+{code:04X})", "delete it")
                    self.doc.bad_paths.add(path)
                    return

    def build_mapping(self, node: yaml.MappingNode, path: Path) -> dict:
        result: dict = {}
        first_seen: dict[Any, yaml.Node] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                self.diags.error(self.span(key_node), "a key must be plain text")
                continue
            key = key_node.value
            if FORBIDDEN_CHARACTERS.search(key):
                self.diags.error(self.span(key_node), *character_problem(FORBIDDEN_CHARACTERS.search(key).group()))
                continue
            if key in first_seen:
                self.diags.error(
                    self.span(key_node),
                    f"duplicate key '{key}'",
                    f"first given on line {first_seen[key].start_mark.line + 1}; remove one of them",
                )
                continue
            first_seen[key] = key_node
            self.doc.key_pos[path + (key,)] = (key_node.start_mark.line, key_node.start_mark.column)
            result[key] = self.build(value_node, path + (key,))
        return result


MAX_DEPTH = 100  # briefs nest three or four levels; deeper is a mistake or an attack
_DEEP_INDENT = re.compile(rf"^ {{{2 * MAX_DEPTH + 1},}}\S", re.MULTILINE)


def _nesting_too_deep(text: str) -> tuple[int, int] | None:
    """(line, col) where flow collections or indentation nest deeper than MAX_DEPTH, before parsing."""
    if text.count("[") + text.count("{") <= MAX_DEPTH and not _DEEP_INDENT.search(text):
        return None  # the common case, decided without a pass over every character
    depth = 0
    for number, line in enumerate(text.split("\n"), start=1):
        indent = len(line) - len(line.lstrip(" "))
        if indent > 2 * MAX_DEPTH and line.strip():
            return number, 1
        for col, ch in enumerate(line, start=1):
            if ch in "[{":
                depth += 1
                if depth > MAX_DEPTH:
                    return number, col
            elif ch in "]}":
                depth = max(0, depth - 1)
    return None


def parse_yaml(file: str, text: str, diags: Diagnostics) -> LocatedDocument | None:
    """Parse one YAML document; on a syntax error report it and return None."""
    doc = LocatedDocument(file=file, text=text)
    breaks = list(_UNICODE_LINE_BREAKS.finditer(text))
    for found in breaks:
        code = ord(found.group())
        diags.error(doc._span_at(found.start()),
                    f"the invisible line separator U+{code:04X} is not allowed",
                    "it is often pasted in from a word processor: replace it with a space or a line break")
    if breaks:
        return None
    deep = _nesting_too_deep(text)
    if deep:
        diags.error(Span(file, *deep), f"values are nested more than {MAX_DEPTH} levels deep",
                    "a brief needs only a few levels of nesting")
        return None
    try:
        node = yaml.compose(text, Loader=Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = exc.problem or exc.context or "invalid YAML"
        # PyYAML says where it gave up; an indentation mistake is shown where it was made
        indented = indentation_problem(text, problem, mark.line, exc.context_mark.line if exc.context_mark else None) \
            if mark else None
        if indented is not None:
            diags.error(Span(file, indented.line, indented.column), f"YAML indentation: {indented.message}",
                        indented.hint)
            return None
        diags.error(Span(file, line, col), f"YAML syntax error: {problem}", _syntax_hint(text, mark))
        return None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        col = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        diags.error(Span(file, line, col), f"the control character U+{code:04X} is not allowed in YAML",
                    "delete it (it is often pasted in invisibly from another program)")
        return None
    except yaml.YAMLError as exc:
        diags.error(Span(file, 1, 1), "YAML error: " + " ".join(str(exc).split()))
        return None
    if node is None:
        doc.value = None
        return doc
    try:
        doc.value = _Builder(doc, diags).build(node, ())
    except RecursionError:
        diags.error(Span(file, 1, 1), "values are nested too deeply")
        return None
    return doc


def _syntax_hint(text: str, mark) -> str | None:
    if mark is None:
        return None
    lines = text.splitlines()
    line = lines[mark.line] if mark.line < len(lines) else ""
    at = line[mark.column : mark.column + 1]
    if at == "\t" or "\t" in line[: mark.column]:
        return "YAML indentation must use spaces, not tabs"
    if at == "@" or line[mark.column :].startswith("[@"):
        return (
            "a value that starts with a citation must be quoted, "
            "e.g. sec: \"[@carlin2021defense] shows…\""
        )
    if ": " in line[mark.column :]:
        return "a value containing ': ' must be quoted or written as a block (key: |)"
    return None
