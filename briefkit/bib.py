"""The bibliography: .bib files read with bibtexparser (every failed block is an error) and
converted to CSL-JSON items by pandoc, with titles kept exactly as the .bib spells them."""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import subprocess
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import bibtexparser
from bibtexparser import model as bibmodel

from . import biblatex
from .diagnostics import Diagnostics, Span
from .pandoc import pandoc_path, pandoc_version

# Fields whose case pandoc would change (it converts English titles to sentence case for CSL);
# an extra pair of braces protects them, so the notes print the capitalisation the .bib gives.
_TITLE_FIELDS = {"title", "subtitle", "titleaddon", "shorttitle", "booktitle", "booksubtitle",
                 "maintitle", "mainsubtitle", "journaltitle", "journal", "journalsubtitle",
                 "issuetitle", "eventtitle", "series"}

KNOWN_TYPES = {
    "article", "book", "mvbook", "inbook", "bookinbook", "suppbook", "booklet", "collection",
    "mvcollection", "incollection", "suppcollection", "dataset", "manual", "misc", "online",
    "electronic", "www", "patent", "periodical", "suppperiodical", "proceedings", "mvproceedings",
    "inproceedings", "conference", "reference", "mvreference", "inreference", "report", "techreport",
    "set", "software", "thesis", "mastersthesis", "phdthesis", "unpublished", "xdata", "customa",
    "customb", "customc", "customd", "custome", "customf", "video", "audio", "movie", "music",
    "performance", "standard", "letter", "legislation", "legal", "jurisdiction", "review", "image",
    "artwork", "commentary", "interview", "newsarticle",
}


# bibtexparser logs each failed block; we report them ourselves, once, in the contract's format.
logging.getLogger("bibtexparser").setLevel(logging.CRITICAL)

_PARSER_PREAMBLE = re.compile(
    r"^Parsing of `[^`]*` block \(line \d+\) aborted on line \d+ due to syntactical error in bibtex:\s*")


@dataclass
class BibEntry:
    key: str
    entry_type: str
    file: str
    line: int  # 1-based
    fields: dict[str, str]  # as biblatex reads them: macros and `#` resolved, outer braces removed
    field_lines: dict[str, int] = field(default_factory=dict)  # 1-based line of each field
    csl: dict | None = None  # the CSL item, for an entry of a CSL-JSON file (its type is a CSL type)


@dataclass
class Bibliography:
    entries: dict[str, BibEntry] = field(default_factory=dict)
    csl_items: dict[str, dict] = field(default_factory=dict)

    def keys(self) -> set[str]:
        return set(self.entries)


def read_bib(path: Path, display: str, diags: Diagnostics) -> list[BibEntry]:
    """Parse one .bib file (or CSL-JSON file, by its .json suffix); every block bibtexparser could not
    read becomes an error."""
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix.lower() == ".json":
            from .csljson import read_csl_json

            return read_csl_json(text, display, diags)
    except FileNotFoundError:
        diags.error(Span(display, 1, 1), "bibliography file not found")
        return []
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        diags.error(Span(display, line, 1), "file is not valid UTF-8 text", "save the file as UTF-8")
        return []
    # raw values: bibtexparser's own middleware resolves a lone @string macro but not `#` concatenation
    library = bibtexparser.parse_string(text, parse_stack=[])
    strings = biblatex.resolve_strings([(s.key, s.value) for s in library.strings])
    for block in library.failed_blocks:
        line = (block.start_line or 0) + 1
        if isinstance(block, bibmodel.DuplicateFieldKeyBlock):
            names = ", ".join(sorted(block.duplicate_keys))
            key = _entry_key(block.raw)
            diags.error(Span(display, line, 1), f"entry '{key}' has the field '{names}' twice",
                        "keep one of them")
        elif isinstance(block, bibmodel.DuplicateBlockKeyBlock):
            diags.error(Span(display, line, 1), f"duplicate entry key '{block.key}'",
                        "every entry needs its own key")
        else:
            message = getattr(block.error, "abort_reason", None) or str(block.error or "") or "syntax error"
            message = _PARSER_PREAMBLE.sub("", message.strip().splitlines()[0])
            diags.error(Span(display, line, 1), f"cannot read this .bib entry: {_short(message)}",
                        "check for a missing '}' or ',' before the next entry")
    entries = []
    for entry in library.entries:
        line = entry.start_line + 1
        problem = key_problem(entry.key)
        if problem:
            diags.error(Span(display, line, 1), problem, KEY_HINT)
        if entry.entry_type.lower() not in KNOWN_TYPES:
            diags.error(Span(display, line, 1), f"unknown entry type '@{entry.entry_type}' for '{entry.key}'",
                        "use a BibLaTeX type such as @article, @book, @online or @report")
        entries.append(BibEntry(entry.key, entry.entry_type.lower(), display, line,
                                {f.key.lower(): biblatex.resolve(str(f.value), strings) for f in entry.fields},
                                {f.key.lower(): (f.start_line or entry.start_line) + 1 for f in entry.fields}))
    return entries


# What pandoc's BibTeX reader takes in a key besides letters and digits (any script): every entry
# goes through it (csl_items), cited or not, so a key it cannot read stops the build.
KEY_PUNCTUATION = frozenset(".:;?!`'()/*@_+=-[]&$")
KEY_HINT = "a key is letters, digits and . : ; ? ! ` ' ( ) / * @ _ + = - [ ] & $, e.g. lee2024nucleartest"


def key_problem(key: str) -> str | None:
    """Why pandoc cannot read `key` as an entry key, or None."""
    if not key:
        return "entry has an empty key"
    bad = next((ch for ch in key if not (ch.isalnum() or ch in KEY_PUNCTUATION)), None)
    if bad is None:
        return None
    names = {" ": "a space", "\t": "a tab", "\u00a0": "a no-break space"}
    visible = bad.isprintable() and unicodedata.category(bad)[0] not in "MZ"
    shown = names.get(bad) or (f"the character '{bad}'" if visible else f"the character U+{ord(bad):04X}")
    return f"entry key '{key}' has {shown}, which pandoc cannot read in a key"


def _entry_key(raw: str) -> str:
    m = re.match(r"\s*@\w+\s*[{(]\s*([^,\s]+)", raw)
    return m.group(1) if m else "?"


def _short(message: str) -> str:
    message = " ".join(message.split())
    return message if len(message) < 160 else message[:157] + "…"


# Entries written only to have pandoc convert (LaTeX to text) a field it would drop or misplace: the
# key of the entry, this suffix, and the CSL variable the converted title goes to (see to_biblatex).
_CONVERTED = {":briefkit-short-title": "title-short", ":briefkit-translated-title": "translated-title",
              ":briefkit-romanized-title": "romanized-title"}


def to_biblatex(entries: list[BibEntry]) -> str:
    """Write entries back as BibLaTeX for pandoc, with title fields brace-protected."""
    out = []
    for e in entries:
        lines = [f"@{e.entry_type}{{{e.key},"]
        fields = biblatex.for_pandoc(e.entry_type, e.fields)
        title = fields.get("title", "")
        if "shorttitle" not in fields and (fields.get("subtitle") or ": " in title):
            # what pandoc derives itself from an unprotected title: the main title, before the subtitle
            # or the colon (Chicago 14.30: an initial A, An or The is usually omitted from a short title)
            fields["shorttitle"] = short_title_of(title)
        for name, value in fields.items():
            if name in _TITLE_FIELDS and not (name == "series" and biblatex.SERIES_KEY.fullmatch(value)):
                value = "{" + biblatex.typographic_quotes(value) + "}"
            lines.append(f"  {name} = {{{value}}},")
        lines.append("}")
        out.append("\n".join(lines))
        converted = biblatex.title_versions(e.entry_type, e.fields)
        if fields.get("maintitle") and fields.get("shorttitle"):
            # pandoc drops the short title of one volume of a multi-volume work ("Knuth, TeX, B")
            converted["title-short"] = fields["shorttitle"]
        for suffix, variable in _CONVERTED.items():
            if variable in converted:  # converted as the title of an entry of its own, put back by csl_items
                title = biblatex.typographic_quotes(converted[variable])
                out.append(f"@misc{{{e.key}{suffix},\n  title = {{{{{title}}}}},\n}}")
    return "\n\n".join(out) + "\n"


def csl_items(entries: list[BibEntry], cache_dir: Path) -> dict[str, dict]:
    """CSL-JSON item per key, converted by pandoc and cached on disk by the .bib content."""
    from_json = {e.key: dict(e.csl) for e in entries if e.csl is not None}
    entries = [e for e in entries if e.csl is None]
    if not entries:
        return from_json
    text = to_biblatex(entries)
    digest = hashlib.sha256((pandoc_version() + "\0" + text).encode()).hexdigest()
    cache_file = cache_dir / "bib" / f"{digest}.json"
    items = _cached_items(cache_file)
    if items is None:  # not cached, or not a whole list of items: converted again
        proc = subprocess.run([pandoc_path(), "-f", "biblatex", "-t", "csljson"], input=text.encode(),
                              capture_output=True, check=True)
        items = json.loads(proc.stdout)
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(items, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        tmp.replace(cache_file)
    by_key = {item["id"]: item for item in items}
    for suffix, variable in _CONVERTED.items():
        for key in [k for k in by_key if k.endswith(suffix)]:
            converted = by_key.pop(key)
            main = by_key.get(key[: -len(suffix)])
            if main is not None and converted.get("title"):
                main[variable] = converted["title"]
    for item in by_key.values():
        with_romanization(item)
    for e in entries:
        _with_short_author(e, by_key.get(e.key))
    return by_key | from_json


def _with_short_author(entry: BibEntry, item: dict | None) -> None:
    """biblatex's `shortauthor` for an organisation (a name in one field), kept on the name for the
    short notes (see name_order.py): pandoc's reader drops it. Short forms of people's names are the
    family names the style prints already."""
    short = entry.fields.get("shortauthor", "").strip().strip("{}").strip()
    authors = item.get("author") if item else None
    if short and isinstance(authors, list) and len(authors) == 1 and isinstance(authors[0], dict) \
            and isinstance(authors[0].get("literal"), str) and authors[0]["literal"] != short:
        authors[0]["short"] = short


def with_romanization(item: dict) -> None:
    """A title in another script printed after its romanization (CMOS 11.86), which gives the short
    title: “Pukhan ŭi kyŏngje 북한의 경제,” and later “Pukhan ŭi kyŏngje.”"""
    romanized = item.get("romanized-title")
    if not isinstance(romanized, str) or not isinstance(item.get("title"), str) or romanized in item["title"]:
        return
    item["title"] = f"{romanized} {item['title']}"
    if not item.get("title-short") or item["title-short"] not in romanized:  # not a short title given in romanization
        item["title-short"] = short_title_of(romanized)


def short_title_of(title: str) -> str:
    """The main title, before the subtitle's colon, without an initial article (CMOS 14.30)."""
    return re.sub(r"^(A|An|The)\s+", "", title.split(": ", 1)[0])


def _cached_items(path: Path) -> list[dict] | None:
    """The CSL-JSON items cached in `path`, or None when there are none or they are not whole."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, not UTF-8, not JSON
        return None
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
        return None
    return items


# What a citation style needs to print an entry at all, checked for the entries briefs cite, on the
# CSL item pandoc made of it: fields inherited through crossref and xdata count, an arXiv eprint gives
# the URL. (CSL variable, the biblatex field to name, the entry types that need it)
_NEEDS = [
    ("container-title", "journaltitle", {"article"}),
    ("URL", "url", biblatex.WEB_TYPES),
    ("container-title", "booktitle", {"incollection", "inbook", "inproceedings"}),
]
# biblatex's date fields and the CSL variables pandoc reads them into
DATE_FIELDS = {"date": "issued", "year": "issued", "urldate": "accessed", "origdate": "original-date",
               "eventdate": "event-date"}
DATE_HINT = ("write dates as YYYY-MM-DD (2024-01-16), YYYY-MM or YYYY; a range as 2024-01-16/2024-01-18, "
             "a season as 2024-21 (spring) to 2024-24 (winter)")
NEEDED_HINT = "the citation style needs it to print the note"


def citation_problems(entry: BibEntry, item: dict) -> list[tuple[int, str, str]]:
    """(line, message, hint) of what stops `entry` (converted to `item`) from being cited."""
    if entry.csl is not None:
        from .csljson import citation_problems as csl_problems

        return csl_problems(entry, item)
    where = f"entry '{entry.key}' (@{entry.entry_type})"
    if entry.entry_type in ("set", "xdata"):
        return [(entry.line, f"{where} cannot be cited", "cite the entries it groups"
                 if entry.entry_type == "set" else "an @xdata entry only lends its fields to others")]
    problems = []
    for name, variable in DATE_FIELDS.items():
        value = entry.fields.get(name)
        if value and variable not in item:
            problems.append((entry.field_lines.get(name, entry.line),
                             f"{where}: cannot read the date '{value}' in '{name}'", DATE_HINT))
    if "title" not in item:
        problems.append((entry.line, f"{where} has no title", NEEDED_HINT))
    web = entry.entry_type in biblatex.WEB_TYPES
    if "issued" not in item and not any(entry.fields.get(f) for f in ("date", "year")) \
            and not (web and "accessed" in item):
        # Chicago cites an undated web page with the day it was read (CMOS 14.104)
        problems.append((entry.line, f"{where} has no date",
                         "give its date, or urldate (the day you read it) for an undated web page" if web
                         else NEEDED_HINT))
    for variable, name, types in _NEEDS:
        if entry.entry_type in types and variable not in item and not (variable == "URL" and "DOI" in item):
            problems.append((entry.line, f"{where} has no {name}", NEEDED_HINT))
    return problems
