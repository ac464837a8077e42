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
    fields: dict[str, str]


@dataclass
class Bibliography:
    entries: dict[str, BibEntry] = field(default_factory=dict)
    csl_items: dict[str, dict] = field(default_factory=dict)

    def keys(self) -> set[str]:
        return set(self.entries)


def read_bib(path: Path, display: str, diags: Diagnostics) -> list[BibEntry]:
    """Parse one .bib file; every block bibtexparser could not read becomes an error."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        diags.error(Span(display, 1, 1), "bibliography file not found")
        return []
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        diags.error(Span(display, line, 1), "file is not valid UTF-8 text", "save the file as UTF-8")
        return []
    library = bibtexparser.parse_string(text)
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
                                {f.key.lower(): str(f.value) for f in entry.fields}))
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


def to_biblatex(entries: list[BibEntry]) -> str:
    """Write entries back as BibLaTeX for pandoc, with title fields brace-protected."""
    out = []
    for e in entries:
        lines = [f"@{e.entry_type}{{{e.key},"]
        fields = dict(e.fields)
        title = fields.get("title", "")
        if "shorttitle" not in fields and ": " in title:
            # what pandoc derives itself from an unprotected title: the main title before the colon
            # (Chicago 14.30: an initial A, An or The is usually omitted from a short title)
            fields["shorttitle"] = re.sub(r"^(A|An|The)\s+", "", title.split(": ", 1)[0])
        for name, value in fields.items():
            if name in _TITLE_FIELDS:
                value = "{" + value + "}"
            lines.append(f"  {name} = {{{value}}},")
        lines.append("}")
        out.append("\n".join(lines))
    return "\n\n".join(out) + "\n"


def csl_items(entries: list[BibEntry], cache_dir: Path) -> dict[str, dict]:
    """CSL-JSON item per key, converted by pandoc and cached on disk by the .bib content."""
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
    return {item["id"]: item for item in items}


def _cached_items(path: Path) -> list[dict] | None:
    """The CSL-JSON items cached in `path`, or None when there are none or they are not whole."""
    try:
        items = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, not UTF-8, not JSON
        return None
    if not isinstance(items, list) or not all(isinstance(i, dict) and isinstance(i.get("id"), str) for i in items):
        return None
    return items


# What a citation style needs to print an entry at all; checked for the entries briefs cite.
_NEEDS = {
    "article": [("journaltitle", "journal")],
    "online": [("url",)], "www": [("url",)], "electronic": [("url",)],
    "incollection": [("booktitle",)], "inbook": [("booktitle",)], "inproceedings": [("booktitle",)],
}


def missing_fields(entry: BibEntry) -> list[str]:
    """Fields the entry needs for a note: a title, a date, and what its type needs."""
    needs = [("title",), ("date", "year")] + _NEEDS.get(entry.entry_type, [])
    return [alternatives[0] for alternatives in needs if not any(entry.fields.get(f) for f in alternatives)]
