"""CSL-JSON bibliographies (`references.json`): what Zotero and Better BibTeX keep exported for a
collection. Read without pandoc (the items are CSL already), checked with line and column like a .bib.

Zotero writes its own item ID in `id` and, since Zotero 7 or with Better BibTeX, the key editors
cite in `citation-key`: that key is the one cited when present.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .bib import KEY_HINT, BibEntry, key_problem, short_title_of, with_romanization
from .diagnostics import Diagnostics, Span, did_you_mean

CSL_TYPES = frozenset("""
article article-journal article-magazine article-newspaper bill book broadcast chapter classic collection
dataset document entry entry-dictionary entry-encyclopedia event figure graphic hearing interview
legal_case legislation manuscript map motion_picture musical_score pamphlet paper-conference patent
performance periodical personal_communication post post-weblog regulation report review review-book
software song speech standard thesis treaty webpage""".split())
NAME_VARIABLES = frozenset("""
author chair collection-editor compiler composer container-author contributor curator director editor
editor-translator editorial-director executive-producer guest host illustrator interviewer narrator
organizer original-author performer producer recipient reviewed-author script-writer series-creator
translator""".split())
DATE_VARIABLES = frozenset("accessed available-date event-date issued original-date submitted".split())
DATE_HINT = ('write a date as {"date-parts": [[2024, 1, 16]]} (year, month, day; month and day optional), '
             'or as text: "2024-01-16"')
WEB_TYPES = frozenset({"webpage", "post", "post-weblog"})
_EDTF = re.compile(r"-?\d{4}(-\d{2}(-\d{2})?)?(/-?\d{4}(-\d{2}(-\d{2})?)?)?[~?%]?")


@dataclass(frozen=True)
class Located:
    """Where each item of a CSL-JSON array starts, and where each of its fields does (offsets)."""

    start: int
    fields: dict[str, int]


def read_csl_json(text: str, display: str, diags: Diagnostics) -> list[BibEntry]:
    """The items of a CSL-JSON file as entries (with their CSL item in `csl`); problems as errors."""
    text = text.replace("\ufeff", " ", 1) if text.startswith("\ufeff") else text  # a byte-order mark
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        diags.error(Span(display, exc.lineno, exc.colno), f"not valid JSON: {exc.msg}",
                    "a CSL-JSON file is a list of items: [{\"id\": \"…\", \"type\": \"…\", …}, …]")
        return []
    lines = _LineIndex(text)
    if not isinstance(data, list):
        diags.error(Span(display, *lines.at(_first_token(text))), "a CSL-JSON bibliography is a list of items",
                    "export the collection as CSL JSON from Zotero or Better BibTeX")
        return []
    located = _locate(text, len(data))
    entries: list[BibEntry] = []
    seen: dict[str, BibEntry] = {}
    for item, where in zip(data, located, strict=True):
        span = Span(display, *lines.at(where.start))
        if not isinstance(item, dict):
            diags.error(span, "an item of a CSL-JSON list must be an object", "{\"id\": \"…\", \"type\": \"…\", …}")
            continue

        def at(name: str, where=where) -> Span:
            return Span(display, *lines.at(where.fields.get(name, where.start)))

        key = item.get("citation-key") or item.get("id")
        key_field = "citation-key" if item.get("citation-key") else "id"
        if isinstance(key, int):
            key = str(key)
        if not isinstance(key, str) or not key:
            diags.error(span, "item has no id", "every item needs an \"id\" (or \"citation-key\"): the key briefs cite")
            continue
        problem = key_problem(key)
        if problem:
            diags.error(at(key_field), problem, KEY_HINT)
            continue
        kind = item.get("type")
        if not isinstance(kind, str) or kind not in CSL_TYPES:
            message = f"item '{key}' has no type" if kind is None else f"item '{key}' has the unknown CSL type '{kind}'"
            diags.error(at("type") if kind is not None else span, message,
                        (did_you_mean(kind, CSL_TYPES) if isinstance(kind, str) else None)
                        or "a CSL type such as article-journal, article-newspaper, book, report or webpage")
            continue
        for name, value in item.items():
            problem = _value_problem(name, value)
            if problem:
                diags.error(at(name), f"item '{key}': {problem[0]}", problem[1])
        if key in seen:
            first = seen[key]
            diags.error(span, f"duplicate entry key '{key}'", f"already defined at {first.file}:{first.line}")
            continue
        line = lines.at(where.start)[0]
        entry = BibEntry(key, kind, display, line, {}, {n: lines.at(o)[0] for n, o in where.fields.items()},
                         csl=csl_item(key, item))
        seen[key] = entry
        entries.append(entry)
    return entries


def csl_item(key: str, item: dict) -> dict:
    """The item as the notes use it: cited by `key`, with the house's short title and newspaper rules
    applied as for a .bib entry."""
    out = {k: v for k, v in item.items() if k != "citation-key"}
    out["id"] = key
    title = out.get("title")
    if isinstance(title, str) and not out.get("title-short") and ": " in title:
        out["title-short"] = short_title_of(title)
    if out.get("type") == "article-newspaper" and isinstance(out.get("container-title"), str):
        # Chicago leaves out the "The" of a newspaper's name in notes (CMOS 14.89): New York Times
        out["container-title"] = re.sub(r"^The\s+", "", out["container-title"])
    with_romanization(out)
    return out


def _value_problem(name: str, value) -> tuple[str, str] | None:
    if name in NAME_VARIABLES:
        if not isinstance(value, list) or not all(isinstance(n, dict) for n in value):
            return (f"'{name}' must be a list of names",
                    '[{"family": "Choe", "given": "Sang-Hun"}] or [{"literal": "Korean Central News Agency"}]')
        for n in value:
            if not any(isinstance(n.get(part), str) and n.get(part).strip() for part in ("family", "given", "literal")):
                return (f"a name in '{name}' has no family, given or literal part",
                        '{"family": "Choe", "given": "Sang-Hun"}')
        return None
    if name in DATE_VARIABLES:
        return None if _readable_date(value) else (f"cannot read the date in '{name}'", DATE_HINT)
    if name in ("title", "container-title", "title-short", "URL", "DOI", "publisher", "translated-title",
                "romanized-title") and not isinstance(value, str):
        return f"'{name}' must be text", f'"{name}": "…"'
    return None


def _readable_date(value) -> bool:
    if isinstance(value, str):
        return bool(_EDTF.fullmatch(value.strip()))
    if not isinstance(value, dict):
        return False
    if isinstance(value.get("raw"), str) or isinstance(value.get("literal"), str):
        return True
    parts = value.get("date-parts")
    if not isinstance(parts, list) or not 1 <= len(parts) <= 2:
        return False
    for date in parts:
        if not isinstance(date, list) or not 1 <= len(date) <= 3:
            return False
        try:
            numbers = [int(p) for p in date]
        except (TypeError, ValueError):
            return False
        if len(numbers) > 1 and not 1 <= numbers[1] <= 24 or len(numbers) > 2 and not 1 <= numbers[2] <= 31:
            return False
    return True


def citation_problems(entry: BibEntry, item: dict) -> list[tuple[int, str, str]]:
    """(line, message, hint) of what stops a CSL-JSON item from being cited (see bib.citation_problems)."""
    where = f"item '{entry.key}' ({entry.entry_type})"
    needed = "the citation style needs it to print the note"
    problems = []
    if not item.get("title"):
        problems.append((entry.line, f"{where} has no title", needed))
    web = entry.entry_type in WEB_TYPES
    if "issued" not in item and not (web and "accessed" in item):
        problems.append((entry.line, f"{where} has no date",
                         "give its \"issued\" date, or \"accessed\" (the day you read it) for an undated web page"
                         if web else needed))
    if entry.entry_type in ("article-journal", "article-magazine", "article-newspaper", "chapter") \
            and not item.get("container-title"):
        problems.append((entry.line, f"{where} has no container-title", needed))
    if web and not item.get("URL") and not item.get("DOI"):
        problems.append((entry.line, f"{where} has no URL", needed))
    return problems


# ---- positions ----------------------------------------------------------------------------------

_WS = re.compile(r"\s*")


def _first_token(text: str) -> int:
    return _WS.match(text).end()


def _locate(text: str, count: int) -> list[Located]:
    """The offset of each item of the top-level array (already known to be valid JSON) and of each
    of an object item's own keys, found with the C JSON decoder item by item."""
    decoder = json.JSONDecoder()
    pos = _WS.match(text, _first_token(text) + 1).end()  # after "["
    out = []
    for _ in range(count):
        start = pos
        fields = {}
        if text[pos] == "{":
            inner = _WS.match(text, pos + 1).end()
            while text[inner] != "}":
                key, after = decoder.raw_decode(text, inner)
                fields[key] = inner
                after = _WS.match(text, after).end() + 1  # the colon
                _, after = decoder.raw_decode(text, _WS.match(text, after).end())
                inner = _WS.match(text, after).end()
                if text[inner] == ",":
                    inner = _WS.match(text, inner + 1).end()
            end = inner + 1
        else:
            _, end = decoder.raw_decode(text, pos)
        out.append(Located(start, fields))
        pos = _WS.match(text, end).end()
        if pos < len(text) and text[pos] == ",":
            pos = _WS.match(text, pos + 1).end()
    return out


class _LineIndex:
    """Line and column (1-based) of an offset in a text."""

    def __init__(self, text: str):
        self._starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def at(self, offset: int) -> tuple[int, int]:
        import bisect

        line = bisect.bisect_right(self._starts, offset)
        return line, offset - self._starts[line - 1] + 1
