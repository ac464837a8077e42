"""Load and check everything editors write: briefs, registries and bibliographies.

Every problem becomes a Diagnostic with the file, line and column where it is; loading goes on
after a problem so that one run reports them all.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from .bib import BibEntry, Bibliography, citation_problems, csl_items, read_bib
from .cards import Card, card_of
from .config import Config
from .diagnostics import Diagnostic, Diagnostics, EditorError, Span, did_you_mean
from .embeds import HINT as EMBED_HINT
from .limits import check_limits
from .model import REGISTRY_MODELS, SLUG_FIELDS, Author, Brief, Series, Topic
from .name_order import mark_family_first
from .names import is_slug, slug_problem
from .notes import SUPPORT_MARKER, Scan, scan, scan_body
from .placeholders import placeholders_left
from .translations import check as check_translations
from .typography import smarten_brief, smarten_entry
from .yaml_hints import block_ending_at
from .yamlsrc import LocatedDocument, parse_yaml

# a block the WordPress import could not convert (wp_markdown.mark_block): an error until rewritten
IMPORT_MARK = re.compile(r"^`{3,}wordpress-import(?P<what>[^\n]*)$", re.M)
BRIEF_NAME = re.compile(r"^(?P<date>\d{4}-\d{2}-\d{2})-(?P<slug>[a-z0-9]+(?:-[a-z0-9]+)*)\.(?i:ya?ml)$")
YAML_SUFFIXES = (".yml", ".yaml")  # in any case: .YML from Windows editors is a brief too
REGISTRY_FILES = {"authors": True, "series": True, "topics": False}  # name → required
MAIN_BIBLIOGRAPHIES = ("references.bib", "references.json")


@dataclass
class BriefSource:
    """A brief that passed validation, with what the later stages need to know about its text."""

    file: str  # as shown to editors: briefs/<name>
    slug: str
    doc: LocatedDocument
    brief: Brief
    body_scan: Scan
    note_scans: dict[str, Scan]
    bib_keys: frozenset[str]


@dataclass
class Corpus:
    briefs: list[BriefSource] = field(default_factory=list)
    authors: dict[str, Author] = field(default_factory=dict)
    series: dict[str, Series] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    bibliography: Bibliography = field(default_factory=Bibliography)
    # every key present in each registry, valid or not (an invalid entry is reported once, in the registry)
    registry_keys: dict[str, set[str]] = field(default_factory=dict)
    registries: str = ""  # digest of the registry files' text: what listings show of them comes from it
    # every brief, newest first: loaded this time (also in `briefs`) or known from an earlier build
    cards: list[Card] = field(default_factory=list)
    warnings: dict[str, list[Diagnostic]] = field(default_factory=dict)  # by brief file, for the memo
    context: LoadContext | None = None
    checks: str = ""  # digest of the registry and references.bib keys the briefs were checked against
    main_bibliography: str = "references.bib"  # the shared bibliography's file (or the first of two)
    stamps: dict[str, tuple[int, int, int]] = field(default_factory=dict)  # by brief file (KnownBrief.stamp)
    parsed: list[str] = field(default_factory=list)  # slugs of the brief files parsed in this build

    def release(self, cards: list[Card]) -> None:
        """Let go of the full briefs behind `cards` (the build is done with them; `load` reads them again)."""
        gone = {c.slug for c in cards}
        self.briefs = [b for b in self.briefs if b.slug not in gone]

    def load(self, config: Config, cards: list[Card], positions: bool = True) -> list[BriefSource]:
        """The full briefs behind cards that were known from an earlier build (they passed then).
        Without `positions`, a brief does not keep its parsed file (`doc`, for editors' errors):
        a tenth of the memory."""
        loaded = {b.slug: b for b in self.briefs}
        out = []
        for card in cards:
            if card.slug not in loaded:
                loaded[card.slug] = source = self.load_one(config, card, positions)
                self.briefs.append(source)
            out.append(loaded[card.slug])
        return out

    def load_one(self, config: Config, card: Card, positions: bool = True) -> BriefSource:
        """One full brief, not kept in `briefs` (see load)."""
        diags = Diagnostics()
        source = self.context.load(config, self, config.root / card.file, diags) if self.context else None
        if source is None:
            raise EditorError(diags)
        if not positions:
            source.doc = None
        self.parsed.append(card.slug)
        return source


@dataclass(frozen=True)
class KnownBrief:
    """A brief file's card and warnings from an earlier build, reused while the file is unchanged."""

    digest: str
    card: Card
    warnings: tuple[Diagnostic, ...]
    # (size, modification time, inode) of the file as read, when it was older than STAMP_AGE_NS then:
    # the same stamp later means the same bytes, and the file is not read again (see load_corpus)
    stamp: tuple[int, int, int] | None = None


@dataclass
class LoadContext:
    """What checking one brief needs besides its file."""

    all_slugs: set[str]
    main_keys: frozenset[str]
    entries_by_file: dict[str, list[BibEntry]]

    def bib_keys(self, value) -> frozenset[str]:
        keys = set(self.main_keys)
        extra = value.get("bibliography") if isinstance(value, dict) else None
        for name in extra if isinstance(extra, list) else []:
            keys |= {e.key for e in self.entries_by_file.get(name, [])} if isinstance(name, str) else set()
        return frozenset(keys)

    def load(self, config: Config, corpus: Corpus, path: Path, diags: Diagnostics) -> BriefSource | None:
        display = display_path(config, path)
        text = read_text(path, display, diags)
        doc = parse_yaml(display, text, diags) if text is not None else None
        if doc is None:
            return None
        slug = BRIEF_NAME.match(path.name).group("slug")
        return check_brief(config, corpus, doc, slug, self.all_slugs, self.bib_keys(doc.value), diags)


def display_path(config: Config, path: Path) -> str:
    text, prefix = str(path), f"{config.root}/"
    if text.startswith(prefix):  # what relative_to gives, without its cost (10,000 briefs a build)
        return text[len(prefix):]
    try:
        return path.relative_to(config.root).as_posix()
    except ValueError:
        return path.as_posix()


# A file is known by its stamp only if it was last written this long before it was read: a file
# written again within the clock's granularity of the first read keeps its stamp ("racy" in git's
# words), so a file that new is always read again.
STAMP_AGE_NS = 2_000_000_000

MAX_FILE_BYTES = 2_000_000  # a brief is a few kilobytes; anything this large is a mistake


def read_text(path: Path, display: str, diags: Diagnostics) -> str | None:
    data = read_bytes(path, display, diags)
    return None if data is None else decode_text(data, display, diags)


def read_bytes(path: Path, display: str, diags: Diagnostics) -> bytes | None:
    """The file's bytes, unless it is too large to be an editor's file (checked before reading)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        diags.error(Span(display, 1, 1), f"file is too large ({size / 1e6:.1f} MB; the limit is "
                    f"{MAX_FILE_BYTES / 1e6:.0f} MB)", "is this really a brief?")
        return None
    return path.read_bytes()


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def decode_text(data: bytes, display: str, diags: Diagnostics) -> str | None:
    if data.startswith(b"\xef\xbb\xbf"):
        diags.error(Span(display, 1, 1), "file starts with a byte-order mark (BOM)",
                    "save the file as UTF-8 without BOM")
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        diags.error(Span(display, line, col), f"file is not valid UTF-8 text (byte 0x{data[exc.start]:02x})",
                    "save the file as UTF-8")
        return None


# ---- pydantic errors → editor messages -------------------------------------------------------

def _field_name(loc: tuple) -> str:
    return ".".join(str(p) for p in loc) if loc else "the file"


def _has_compare(value) -> bool:
    return isinstance(value, dict) and ("before" in value or "after" in value)


def report_validation_error(exc: ValidationError, doc: LocatedDocument, model: type[BaseModel],
                            diags: Diagnostics, base: tuple = ()) -> None:
    for err in exc.errors():
        loc = base + tuple(err["loc"])
        if any(loc[: i + 1] in doc.bad_paths for i in range(len(loc))):
            continue  # already reported while reading the YAML
        kind, name = err["type"], _field_name(loc)
        value = err.get("input")
        hint = None
        if kind == "missing":
            span = doc.span(loc[:-1], key=True)
            message = f"missing required field '{loc[-1]}'" + (f" in {_field_name(loc[:-1])}" if loc[:-1] else "")
        elif kind == "extra_forbidden":
            span = doc.span(loc, key=True)
            fields = _fields_at(model, loc[len(base):-1])
            message = f"unknown field '{loc[-1]}'" + (f" in {_field_name(loc[:-1])}" if loc[:-1] else "")
            hint = did_you_mean(str(loc[-1]), fields)
            block = block_ending_at(doc.text.splitlines(), span.line - 1)
            if not hint and block is not None:
                hint = (f"if this line is part of the text of '{block[0]}:' above, indent it by "
                        f"{block[1]} spaces like that text")
            if not hint and fields:
                hint = f"known fields: {', '.join(sorted(fields))}"
        elif kind == "value_error" and "file_or_embed" in err["msg"]:
            span = doc.span(loc, key=True)
            message = (f"'{name}' needs either a file (an image) or an embed (a chart or video), not both"
                       if loc and loc[0] == "image" or not _has_compare(value) else
                       f"'{name}' is a before/after comparison: it takes before: and after:, not file or embed")
            hint = ("file: images/… for an image; embed: https://… for a Datawrapper, Flourish or YouTube embed; "
                    "before: and after: (each with file, date and credit) for a comparison")
        elif kind == "value_error" and "compare_needs_both" in err["msg"]:
            span = doc.span(loc, key=True)
            missing = "after" if isinstance(value, dict) and "before" in value else "before"
            message = f"'{name}' is a before/after comparison but has no '{missing}'"
            hint = "give both pictures: before: and after:, each with file, date and credit"
        elif kind == "value_error" and "credit_missing" in err["msg"]:
            span = doc.span(loc, key=True)
            message = f"missing required field 'credit' in {name}"
        elif kind == "value_error" and "embed_not_allowed" in err["msg"]:
            span = doc.span(loc + ("embed",))
            message = f"'{name}.embed' is not an address of an allowed embed"
            hint = EMBED_HINT
        elif kind == "value_error" and "updated_before_date" in err["msg"]:
            span = doc.span(loc + ("updated",))
            message = "'updated' is earlier than 'date'"
            hint = "the update date must be on or after the publication date"
        elif kind == "value_error" and "correction_before_date" in err["msg"]:
            span = doc.span(loc + ("corrections",))
            message = "a correction is dated before the brief's 'date'"
            hint = "a correction's date is the day it was made, on or after the publication date"
        elif kind == "value_error" and "time_twice" in err["msg"]:
            span = doc.span(loc + ("date",))
            message = "'date' gives a time, and so does 'time' (or an offset and 'timezone')"
            hint = 'give the time once: date: 2026-12-08 with time: "09:00", or date: 2026-12-08 09:00'
        elif kind == "value_error" and "time_unquoted" in err["msg"]:
            span = doc.span(loc)
            message = f"'{name}' must be a time written in quotes, not {value!r}"
            hint = 'YAML reads 9:30 without quotes as a number: write time: "09:30"'
        elif kind == "value_error" and "time_format" in err["msg"]:
            span = doc.span(loc)
            message = f"'{name}' must be a 24-hour time written HH:MM, not {value!r}"
            hint = 'e.g. time: "09:30" or time: "17:00"'
        elif kind == "value_error" and "unknown_time_zone" in err["msg"]:
            span = doc.span(loc)
            message = f"'{name}' is not a time zone: {value!r}"
            hint = did_you_mean(str(value), _zone_names()) or \
                "an IANA name such as Asia/Seoul or America/New_York, or an offset such as +09:00"
        elif model is Brief and loc and loc[0] in SLUG_FIELDS and isinstance(value, str) and \
                (problem := slug_problem(value, _SLUG_WHAT[loc[0]])):
            span = doc.span(loc)
            message, hint = problem
        elif kind == "too_long" and isinstance(value, (list, dict)):
            span = doc.span(loc, key=True)
            limit = err.get("ctx", {}).get("max_length")
            message = f"'{name}' has {len(value)} entries; the limit is {limit}"
            hint = "a brief needs only a few; split it or choose the most important ones"
        else:
            span = doc.span(loc)
            message, hint = _type_message(kind, name, value, err)
        diags.error(span, message, hint)


def _check_against_file_name(doc: LocatedDocument, value: dict, brief: Brief | None, slug: str,
                             diags: Diagnostics) -> None:
    """The file name says the day and the slug: `date:` and `slug:` must say the same."""
    named = BRIEF_NAME.match(doc.file.rsplit("/", 1)[-1])
    day = brief.date if brief is not None else value.get("date")
    if isinstance(day, dt.datetime):
        day = day.date()
    if named and isinstance(day, dt.date) and day.isoformat() != named.group("date"):
        rename = f"{day.isoformat()}-{slug}.yml"
        diags.error(doc.span(("date",)), f"'date' is {day.isoformat()} but the file name says {named.group('date')}",
                    f"rename the file to {rename} if the brief moved to {day.isoformat()}, "
                    f"or set date: {named.group('date')}")
    given = value.get("slug")
    if isinstance(given, str) and is_slug(given) and given != slug:
        diags.error(doc.span(("slug",)), f"'slug' is {given} but the file name says {slug}",
                    f"rename the file to {named.group('date') if named else 'YYYY-MM-DD'}-{given}.yml, "
                    f"or set slug: {slug}")


_SLUG_WHAT = {"series": "series", "authors": "author", "topics": "topic", "related": "related brief",
              "slug": "slug"}


def _zone_names() -> set[str]:
    from zoneinfo import available_timezones

    return available_timezones()


def _fields_at(model: type[BaseModel], loc: tuple) -> set[str]:
    """Field names of the (nested) model that the mapping at `loc` is validated against."""
    current: type[BaseModel] | None = model
    for part in loc:
        if current is None or isinstance(part, int):
            continue
        info = current.model_fields.get(str(part))
        if info is None:
            return set()  # a dict value (figures.<label>): look at the annotation below
        current = _model_in(info.annotation)
    if current is None and loc:
        return set()
    return set(current.model_fields) if current else set()


def _model_in(annotation) -> type[BaseModel] | None:
    import typing

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _model_in(arg)
        if found:
            return found
    return None


def _type_message(kind: str, name: str, value, err: dict) -> tuple[str, str | None]:
    shown = repr(value) if not isinstance(value, (dict, list)) else type(value).__name__
    if kind == "string_type":
        return f"'{name}' must be text, not {shown}", "put the value in quotes"
    if kind == "string_too_short":
        return f"'{name}' is empty", None
    if kind in ("list_type",):
        return f"'{name}' must be a list", f"e.g. {name.split('.')[-1]}: [first, second]"
    if kind == "too_short":
        return f"'{name}' needs at least one entry", None
    if kind in ("dict_type", "model_type", "model_attributes_type"):
        return f"'{name}' must be a mapping of 'key: value' lines", None
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"'{name}' must be a date written YYYY-MM-DD, not {shown}", "e.g. 2024-04-29"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        options = re.findall(r"'([^']*)'", expected)
        return (f"'{name}' must be one of {expected}, not {shown}",
                did_you_mean(str(value), options) if isinstance(value, str) else None)
    if kind == "string_pattern_mismatch":
        if name == "lang":
            return f"'{name}' must be a language code such as en or ko, not {shown}", None
        if name.endswith("credit_format"):
            return (f"'{name}' must say where the credit goes with {{credit}} (once, on one line), not {shown}",
                    'e.g. "© 2024 {credit}"; for a whole line of your own, use credit_line')
        return f"'{name}' must be a key made of letters, digits and - _ . :, not {shown}", None
    return f"'{name}': {err['msg']}", None


# ---- registries ---------------------------------------------------------------------------------

def load_registry(config: Config, name: str, diags: Diagnostics,
                  parsed: dict[str, tuple[str, dict, LocatedDocument]] | None = None
                  ) -> tuple[dict, LocatedDocument | None]:
    """A registry's entries and its parsed file. `parsed` keeps, by registry, those of a file that had
    no problems, with its text: read again, the same text is not parsed again (the preview's builds)."""
    path = config.briefs_path / f"{name}.yml"
    display = display_path(config, path)
    if not path.exists():
        if REGISTRY_FILES[name]:
            diags.error(Span(display, 1, 1), f"{name}.yml is missing", f"every brief's {name} must be listed in it")
        return {}, None
    text = read_text(path, display, diags)
    if text is None:
        return {}, None
    if parsed is not None and name in parsed and parsed[name][0] == text:
        return parsed[name][1], parsed[name][2]
    own = Diagnostics()
    entries, doc = _registry_entries(name, display, text, own)
    diags.extend(own)
    if parsed is not None and not own.items and doc is not None:
        parsed[name] = (text, entries, doc)
    return entries, doc


def _registry_entries(name: str, display: str, text: str, diags: Diagnostics) -> tuple[dict, LocatedDocument | None]:
    doc = parse_yaml(display, text, diags)
    if doc is None:
        return {}, None
    if doc.value is None:
        return {}, doc
    if not isinstance(doc.value, dict):
        diags.error(Span(display, 1, 1), f"{name}.yml must be a mapping of key: entry")
        return {}, doc
    model = REGISTRY_MODELS[name]
    entries = {}
    for key, value in doc.value.items():
        # a key names the registry's pages (authors/<key>/, topics/<key>/…): it must be a slug
        problem = slug_problem(str(key), _REGISTRY_WHAT[name])
        if problem:
            diags.error(doc.span((key,), key=True), *problem)
            doc.bad_paths.add((key,))
            continue
        if name == "topics" and isinstance(value, str):
            value = {"label": value}
        try:
            entries[str(key)] = smarten_entry(model.model_validate(value))
        except ValidationError as exc:
            report_validation_error(exc, doc, model, diags, base=(key,))
        for field_name in ("name", "role", "family", "given", "label"):
            check_single_line(doc, (key, field_name), diags)
    return entries, doc


_REGISTRY_WHAT = {"authors": "author key", "series": "series key", "topics": "topic key"}

NAMES_FILE = "names"  # briefs/names.yml (optional): how cited names are printed (name_order.py)
_NAMES_HINT = "write the name as it is printed, family name first: Choe Sang-Hun"


def load_family_first(config: Config, diags: Diagnostics) -> frozenset[str]:
    """The names listed under `family_name_first` in briefs/names.yml (none if there is no such file)."""
    path = config.briefs_path / f"{NAMES_FILE}.yml"
    if not path.exists():
        return frozenset()
    display = display_path(config, path)
    text = read_text(path, display, diags)
    doc = parse_yaml(display, text, diags) if text is not None else None
    if doc is None or doc.value is None:
        return frozenset()
    if not isinstance(doc.value, dict):
        diags.error(Span(display, 1, 1), "names.yml must be a mapping", "family_name_first: [Choe Sang-Hun]")
        return frozenset()
    for key in doc.value:
        if key != "family_name_first":
            diags.error(doc.span((key,), key=True), f"unknown key '{key}' in names.yml",
                        did_you_mean(str(key), ["family_name_first"]) or "the only key is family_name_first")
    listed = doc.value.get("family_name_first") or []
    if not isinstance(listed, list):
        diags.error(doc.span(("family_name_first",)), "family_name_first must be a list of names", _NAMES_HINT)
        return frozenset()
    names = set()
    for i, name in enumerate(listed):
        if not isinstance(name, str) or len(name.split()) < 2:
            diags.error(doc.span(("family_name_first", i)), "a family-name-first name has a family name and a "
                        "given name", _NAMES_HINT)
        else:
            names.add(name)
    return frozenset(names)


# ---- briefs -------------------------------------------------------------------------------------

_YAML_ENDINGS = tuple(YAML_SUFFIXES)


def brief_names(config: Config) -> list[str]:
    """The names of the brief files in briefs/, sorted."""
    names = {f"{n}.{ext}" for n in (*REGISTRY_FILES, NAMES_FILE) for ext in ("yml", "yaml")}
    with os.scandir(config.briefs_path) as entries:  # one call for the folder, and each entry knows its kind
        return sorted(e.name for e in entries
                      if e.name.lower().endswith(_YAML_ENDINGS) and e.name.lower() not in _YAML_ENDINGS
                      and e.name not in names and e.is_file())


@functools.lru_cache(maxsize=1 << 15)  # every brief file's name, every build (the preview's: 10,000 of them)
def _name_facts(name: str) -> tuple[str | None, tuple[str, str] | None]:
    """(the slug in a brief file's name if it is one, the problem with the name (message, hint) if any)."""
    match = BRIEF_NAME.match(name)
    if not match:
        return None, ("file name must be YYYY-MM-DD-<slug>.yml",
                      "the slug uses lowercase letters, digits and hyphens, e.g. 2024-04-29-defence-enterprise.yml")
    slug = match.group("slug")
    problem = slug_problem(slug, "slug")
    return (slug if is_slug(slug) else None), (None if problem is None else (f"the file name's {problem[0]}",
                                                                              problem[1]))


def brief_files(config: Config) -> list[Path]:
    folder = config.briefs_path
    return [folder / name for name in brief_names(config)]


def stray_brief_files(config: Config) -> list[Path]:
    """YAML files in subfolders of briefs/: never read, so an editor who put a brief there must be told."""
    stray = []
    for folder, subfolders, files in os.walk(config.briefs_path):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        if folder != str(config.briefs_path):
            stray += [Path(folder) / f for f in sorted(files) if Path(f).suffix.lower() in YAML_SUFFIXES]
    return stray


def load_corpus(config: Config, known: dict[str, KnownBrief] | None = None,
                bibs: dict[str, tuple[str, list[BibEntry]]] | None = None,
                keep_sources: bool = True, known_checks: str = "",
                positions: bool = True, registries: dict | None = None) -> tuple[Corpus, Diagnostics]:
    """Everything editors wrote, checked. `known` holds cards of unchanged files from an earlier build:
    those files are not parsed again (their full briefs load on demand, see Corpus.load). `bibs`
    keeps parsed .bib files that had no problems, by file and content digest, for the next build;
    `registries` the same for the registries (see load_registry).

    With keep_sources=False, only cards are kept (`corpus.briefs` stays empty): a brief that names
    no bibliography of its own is checked as soon as it is parsed, so the parsed files of a large
    archive are never all in memory at once. With positions=False, the briefs are kept without their
    parsed files (`doc`: where each value was) once checked, for a build that reports nothing at a
    place after the checks."""
    diags = Diagnostics()
    corpus = Corpus()
    if not config.briefs_path.is_dir():
        diags.error(Span(config.briefs_dir, 1, 1), "the briefs folder does not exist")
        return corpus, diags
    registry_docs = {}
    for name in REGISTRY_FILES:
        entries, registry_docs[name] = load_registry(config, name, diags, registries)
        setattr(corpus, name, entries)
        doc = registry_docs[name]
        corpus.registry_keys[name] = ({k for k in map(str, doc.value) if is_slug(k)}
                                      if doc and isinstance(doc.value, dict) else set())
    corpus.registries = file_digest(repr([doc.text if doc else None for doc in registry_docs.values()]).encode())
    if registry_docs["authors"]:
        _check_author_photos(config, corpus, registry_docs["authors"], diags)

    raw: list[tuple[Path, str, LocatedDocument, str]] = []  # checked once every .bib file is known
    checked: list[tuple[str, BriefSource | None, Card, Diagnostics]] = []  # checked at once
    reused: list[KnownBrief] = []
    to_read: list[tuple[str, str, str | None]] = []  # name, as shown, digest when known and still valid
    names = brief_names(config)  # names, not paths: 10,000 Path objects cost more than the rest of a known brief
    all_slugs = {slug for n in names if (slug := _name_facts(n)[0]) is not None}
    # the shared bibliography: references.bib, references.json (CSL-JSON, as Zotero exports it) or both
    main_bibs = {name: config.briefs_path / name for name in MAIN_BIBLIOGRAPHIES
                 if (config.briefs_path / name).exists()}
    main_by_file = {name: _read_bib_once(path, display_path(config, path), diags, bibs)
                    for name, path in main_bibs.items()}
    main_entries = [e for entries in main_by_file.values() for e in entries]
    corpus.main_bibliography = next(iter(main_bibs), MAIN_BIBLIOGRAPHIES[0])
    main_keys = frozenset(e.key for e in main_entries)
    # what a brief's checks look up outside its file: known briefs stand only while it is the same
    corpus.checks = file_digest(repr((sorted((name, sorted(keys)) for name, keys in corpus.registry_keys.items()),
                                      sorted(corpus.authors), sorted(corpus.series), sorted(corpus.topics),
                                      sorted(main_keys))).encode())
    known = known if known and known_checks == corpus.checks else {}
    # until every .bib file is read, hints about keys found elsewhere can name the main file only
    corpus.bibliography = Bibliography(entries={e.key: e for e in main_entries})
    for path in stray_brief_files(config):
        diags.error(Span(display_path(config, path), 1, 1), "briefs in subfolders of briefs/ are not read",
                    f"move it to {config.briefs_dir}/ itself; only images and .bib files go in subfolders")
    image_checked = _image_checker(config.briefs_path)
    started = time.time_ns()
    folder, shown = str(config.briefs_path), display_path(config, config.briefs_path)
    for name in names:
        display = f"{shown}/{name}"
        problem = _name_facts(name)[1]
        if problem is not None:
            diags.error(Span(display, 1, 1), *problem)
            continue
        hit = known.get(display)
        st = os.stat(f"{folder}/{name}")
        stamp = (st.st_size, st.st_mtime_ns, st.st_ino)
        if started - st.st_mtime_ns > STAMP_AGE_NS:
            corpus.stamps[display] = stamp
        valid = hit is not None and _still_valid(hit.card, all_slugs, image_checked)
        if valid and hit.stamp == stamp:
            reused.append(hit)  # not read: the same size, time and inode as when it was read
            continue
        to_read.append((name, display, hit.digest if valid else None))
    keep = "positions" if keep_sources and positions else "sources" if keep_sources else ""
    for display, outcome in _read_and_check_all(config, corpus, to_read, all_slugs, main_keys, keep, diags):
        if outcome is None:
            reused.append(known[display])  # read: the same bytes as when it was checked
        elif len(outcome) == 3:
            checked.append((display, *outcome))
        else:
            raw.append(outcome)  # checked again below, with hints from every .bib file

    bib_files: dict[str, Path] = {}
    bib_files.update(main_bibs)
    if not main_bibs:
        missing = config.briefs_path / MAIN_BIBLIOGRAPHIES[0]
        diags.error(Span(display_path(config, missing), 1, 1), "references.bib is missing",
                    "the shared bibliography is references.bib (BibTeX/biblatex) or references.json (CSL-JSON)")
    for hit in reused:
        for name in hit.card.bibliography:
            target = _inside_briefs(config, name)
            if target is not None and target.is_file():
                bib_files[name] = target
    for _, _, doc, _ in raw:
        extra = doc.value.get("bibliography") if isinstance(doc.value, dict) else None
        for i, name in enumerate(extra if isinstance(extra, list) else []):
            if not isinstance(name, str):
                continue
            target = _inside_briefs(config, name)
            if target is None or not target.is_file():
                diags.error(doc.span(("bibliography", i)), f"bibliography file '{name}' not found",
                            "paths are relative to briefs/")
                doc.bad_paths.add(("bibliography", i))
            else:
                bib_files[name] = target
    entries_by_file: dict[str, list[BibEntry]] = {}
    all_entries: dict[str, BibEntry] = {}
    for name, path in bib_files.items():
        entries = main_by_file[name] if name in main_by_file else _read_bib_once(path, display_path(config, path),
                                                                                  diags, bibs)
        entries_by_file[name] = entries
        for e in entries:
            if e.key in all_entries:
                first = all_entries[e.key]
                diags.error(Span(e.file, e.line, 1), f"duplicate entry key '{e.key}'",
                            f"already defined at {first.file}:{first.line}")
                continue
            all_entries[e.key] = e
    corpus.bibliography = Bibliography(entries=all_entries)
    context = LoadContext(all_slugs, main_keys,
                          entries_by_file)
    corpus.context = context

    slugs: dict[str, str] = {}
    for display, slug in sorted([(h.card.file, h.card.slug) for h in reused] +
                                [(d, card.slug) for d, _, card, _ in checked] +
                                [(d, BRIEF_NAME.match(p.name).group("slug")) for p, d, _, _ in raw]):
        if slug in slugs:
            diags.error(Span(display, 1, 1), f"another brief already uses the slug '{slug}'",
                        f"{slugs[slug]} has the same slug; URLs must be unique")
        else:
            slugs[slug] = display
    for hit in reused:
        diags.items.extend(hit.warnings)
        corpus.warnings[hit.card.file] = list(hit.warnings)
        corpus.cards.append(hit.card)
    corpus.parsed = sorted([card.slug for _, _, card, _ in checked] +
                           [BRIEF_NAME.match(p.name).group("slug") for p, _, _, _ in raw])
    for display, source, card, own in checked:
        diags.extend(own)
        if source is not None:
            corpus.briefs.append(source)
        corpus.cards.append(card)
        corpus.warnings[display] = list(own.items)
    for path, display, doc, digest in raw:
        slug = BRIEF_NAME.match(path.name).group("slug")
        own = Diagnostics()
        source = check_brief(config, corpus, doc, slug, all_slugs, context.bib_keys(doc.value), own)
        diags.extend(own)
        if source:
            if keep_sources:
                corpus.briefs.append(source)
            corpus.cards.append(card_of(source, digest))
            corpus.warnings[display] = list(own.items)
    cited_keys = {k for card in corpus.cards for k in card.cited_keys}
    bib_files = {e.file for e in all_entries.values()}
    family_first = load_family_first(config, diags)
    if all_entries and not any(d.severity == "error" and d.span.file in bib_files for d in diags.items):
        # every entry, so that crossref/xdata parents are there; cached by the entries' content (also when
        # a brief has errors: a draft's problems do not stop the others from being built)
        items = csl_items(list(all_entries.values()), config.cache_path)
        mark_family_first(items, family_first)
        corpus.bibliography.csl_items = items
        # what the cited entries lack, on what pandoc made of them (inherited fields count)
        for key in sorted(cited_keys & set(all_entries)):
            entry = all_entries[key]
            for line, message, hint in citation_problems(entry, items.get(key, {})):
                diags.error(Span(entry.file, line, 1), message, hint)
    check_translations(corpus.cards, config.root, diags)
    # newest first; on one day, briefs in the site's language before their translations
    corpus.cards.sort(key=lambda c: (c.brief.date, c.brief.lang == config.language, c.slug), reverse=True)
    corpus.briefs.sort(key=lambda b: (b.brief.date, b.brief.lang == config.language, b.slug), reverse=True)
    return corpus, diags


PARALLEL_FROM = 300  # brief files to read: from this many, a second process reads and checks part of them


def _read_and_check_all(config: Config, corpus: Corpus, to_read: list[tuple[str, str, str | None]],
                        all_slugs: set[str], main_keys: frozenset[str], keep: str, diags: Diagnostics):
    """(shown name, outcome) of each brief file to read, in order (see _read_and_check). From
    PARALLEL_FROM files (a cold build) and with a second core, a spawned process takes the second
    half: checking is a quarter of a cold build, and the other core has nothing to do meanwhile."""
    workers = min(os.cpu_count() or 1, 2)
    if len(to_read) < PARALLEL_FROM or workers < 2:
        return _read_and_check(config, corpus, to_read, all_slugs, main_keys, keep, diags)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    # the copy starts (imports) while this process reads: it gets a little less than half
    cut = len(to_read) * 11 // 20
    view = Corpus(authors=corpus.authors, series=corpus.series, topics=corpus.topics,
                  bibliography=corpus.bibliography, registry_keys=corpus.registry_keys,
                  main_bibliography=corpus.main_bibliography)
    first_found = Diagnostics()
    try:
        with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
            later = pool.submit(_read_and_check_apart, config, view, to_read[cut:], all_slugs, main_keys, keep)
            first = _read_and_check(config, corpus, to_read[:cut], all_slugs, main_keys, keep, first_found)
            second, found = later.result()
    except (BrokenProcessPool, OSError):  # no second process here (it could not start, or died): all here
        return _read_and_check(config, corpus, to_read, all_slugs, main_keys, keep, diags)
    diags.extend(first_found)
    diags.extend(found)
    return first + second


def _read_and_check_apart(config, corpus, to_read, all_slugs, main_keys, keep):
    found = Diagnostics()
    return _read_and_check(config, corpus, to_read, all_slugs, main_keys, keep, found), found


def _read_and_check(config: Config, corpus: Corpus, to_read: list[tuple[str, str, str | None]],
                    all_slugs: set[str], main_keys: frozenset[str], keep: str, diags: Diagnostics):
    """Each brief file read and checked: (shown name, outcome), the outcome being None (the same bytes
    as the known digest), (source, card, its own diagnostics) for a brief checked at once, or (path,
    shown, parsed document, digest) for one checked later, once every .bib file is known. `keep`:
    "positions" (the source with its parsed file), "sources" (without it) or "" (no source). A file
    that cannot be read or parsed has its problems in `diags` and no outcome."""
    out = []
    for name, display, known_digest in to_read:
        path = config.briefs_path / name
        data = read_bytes(path, display, diags)
        if data is None:
            continue
        digest = file_digest(data)
        if digest == known_digest:
            out.append((display, None))
            continue
        text = decode_text(data, display, diags)
        doc = parse_yaml(display, text, diags) if text is not None else None
        if doc is None:
            continue
        if isinstance(doc.value, dict) and "bibliography" not in doc.value:
            own = Diagnostics()
            source = check_brief(config, corpus, doc, BRIEF_NAME.match(name).group("slug"), all_slugs, main_keys, own)
            if source is not None and not own.has_errors:
                card = card_of(source, digest)
                if keep == "sources":
                    source.doc = None  # where each value was: most of a parsed brief's memory (10,000 add up)
                out.append((display, (source if keep else None, card, own)))
                continue
        out.append((display, (path, display, doc, digest)))
    return out


def _inside_briefs(config: Config, name: str) -> Path | None:
    """The file `name` relative to briefs/, or None when it points outside it. The name is published
    as it is written (site/<name>), so `..` and `.` are refused even where they would stay inside."""
    if Path(name).is_absolute() or "\\" in name or any(p in (".", "..") for p in name.split("/")):
        return None
    base = config.briefs_path.resolve()
    target = (config.briefs_path / name).resolve()
    if target != base and base not in target.parents:
        return None
    return target


def _check_author_photos(config: Config, corpus: Corpus, doc: LocatedDocument, diags: Diagnostics) -> None:
    for key, author in corpus.authors.items():
        if author.photo and not ((p := _inside_briefs(config, author.photo)) and p.is_file()):
            diags.error(doc.span((key, "photo")), f"photo '{author.photo}' of author '{key}' not found",
                        "paths are relative to briefs/")
        elif author.photo:
            from .images import report_image

            report_image(p, doc.span((key, "photo")), diags)


def check_brief(config: Config, corpus: Corpus, doc: LocatedDocument, slug: str, all_slugs: set[str],
                bib_keys: frozenset[str], diags: Diagnostics) -> BriefSource | None:
    value = doc.value
    if value is None:
        diags.error(Span(doc.file, 1, 1), "the brief is empty", "start from: python build.py new \"Title\"")
        return None
    if not isinstance(value, dict):
        diags.error(Span(doc.file, 1, 1), f"a brief must be a mapping of fields, not a {type(value).__name__}",
                    "each line looks like 'title: …'")
        return None
    errors_before = diags.error_count
    # sizes, counts and nesting first: nothing else (the model, the scanners) runs on a brief past them
    if not check_limits(doc, value, diags, config.briefs_path):
        return None
    notes = value.get("notes")
    if isinstance(notes, dict):
        for label, text in notes.items():
            if isinstance(text, list):
                diags.error(doc.span(("notes", label)),
                            f"note '{label}' was read as a list because it starts with '['",
                            f"put the note in quotes: {label}: \"[…]\"")
                doc.bad_paths.add(("notes", label))
    try:
        # a brief without `lang` is in the site's language (theme.language in mkdocs.yml)
        brief = smarten_brief(Brief.model_validate(value if "lang" in value else {**value, "lang": config.language}))
    except ValidationError as exc:
        report_validation_error(exc, doc, Brief, diags)
        brief = None

    def text_of(key):
        return value.get(key) if isinstance(value.get(key), str) else None

    _check_against_file_name(doc, value, brief, slug, diags)
    if isinstance(value.get("body"), str):
        for found in IMPORT_MARK.finditer(value["body"]):
            diags.error(doc.text_span(("body",), found.start()),
                        f"the WordPress import could not convert this ({found.group('what').strip()})",
                        "rewrite it in Markdown, or delete the block (the import report lists them all)")
    for path, _text in placeholders_left(config, value):
        diags.error(doc.span(path), f"'{_field_name(path)}' is still the placeholder text of `new`",
                    "replace it with your own text" + (" (or delete the field)" if path[0] not in ("body",) else ""))

    # references to registries
    # a key that is not a slug is reported once, by the model (see report_validation_error)
    for key, path in _keys_with_paths(value.get("authors"), "authors"):
        if key not in corpus.registry_keys["authors"] and is_slug(key):
            diags.error(doc.span(path), f"unknown author '{key}'",
                        did_you_mean(key, corpus.registry_keys["authors"]) or "add the author to authors.yml")
    series = value.get("series")
    if isinstance(series, str) and series not in corpus.registry_keys["series"] and is_slug(series):
        diags.error(doc.span(("series",)), f"unknown series '{series}'",
                    did_you_mean(series, corpus.registry_keys["series"]) or "add it to series.yml")
    for key, path in _keys_with_paths(value.get("topics"), "topics"):
        # a topic missing from topics.yml is allowed (its label is derived from the key), but a close
        # match to a known topic is most likely a typo
        close = did_you_mean(key, corpus.registry_keys["topics"], cutoff=0.8)
        if key not in corpus.registry_keys["topics"] and close and is_slug(key):
            diags.warning(doc.span(path), f"topic '{key}' is not in topics.yml", close)
    for key, path in _keys_with_paths(value.get("related"), "related"):
        if key not in all_slugs and is_slug(key):
            diags.error(doc.span(path), f"unknown related brief '{key}'",
                        did_you_mean(key, all_slugs) or "use the slug: the file name without date and extension")
        elif key == slug:
            diags.error(doc.span(path), "a brief cannot be related to itself")
    translation = value.get("translation")
    if isinstance(translation, str) and is_slug(translation):
        if translation == slug:
            diags.error(doc.span(("translation",)), "a brief cannot be its own translation",
                        "give the slug of the brief in the other language")
        elif translation not in all_slugs:
            diags.error(doc.span(("translation",)), f"unknown brief '{translation}'",
                        did_you_mean(translation, all_slugs) or "use the slug of the brief in the other language: "
                                                                 "its file name without date and extension")

    # images
    figure_labels: set[str] = set()
    if isinstance(value.get("image"), dict):
        _check_image_file(config, doc, ("image",), value["image"], diags)
        if isinstance(value["image"], dict) and value["image"].get("embed") is not None:
            diags.error(doc.span(("image", "embed"), key=True), "the hero image cannot be an embed",
                        "give it a file; place the embed in the body as a figure")
        for which in ("before", "after"):
            if which in value["image"]:
                diags.error(doc.span(("image", which), key=True), "the hero image cannot be a before/after comparison",
                            "give it a file; place the comparison in the body as a figure")
                break
    if isinstance(value.get("figures"), dict):
        for label, fig in value["figures"].items():
            figure_labels.add(str(label))
            if isinstance(fig, dict):
                _check_image_file(config, doc, ("figures", label), fig, diags)
                for which in ("before", "after"):
                    if isinstance(fig.get(which), dict):
                        _check_image_file(config, doc, ("figures", label, which), fig[which], diags)

    # notes and citations
    body = text_of("body") or ""
    body_scan = scan_body(body)
    _report_scan(doc, ("body",), body_scan, diags)
    note_texts = {str(k): v for k, v in notes.items() if isinstance(v, str)} if isinstance(notes, dict) else {}
    note_scans = {}
    for label, text in note_texts.items():
        note_scans[label] = scan(text, allow_notes=False, allow_figures=False)
        _report_scan(doc, ("notes", label), note_scans[label], diags)
    referenced = {r.label for r in body_scan.note_refs}
    for ref in body_scan.note_refs:
        if ref.label not in note_texts and not (isinstance(notes, dict) and ref.label in notes):
            diags.error(doc.text_span(("body",), ref.start), f"note [^{ref.label}] is used but not defined",
                        did_you_mean(ref.label, note_texts) or f"add it under notes: {ref.label}: …")
    if isinstance(notes, dict):
        for label in notes:
            if str(label) not in referenced:
                diags.error(doc.span(("notes", label), key=True), f"note '{label}' is defined but never used",
                            f"refer to it in the body with [^{label}] or remove it")
    for path, s in [(("body",), body_scan)] + [(("notes", k), v) for k, v in note_scans.items()]:
        for cluster in s.clusters:
            for item in cluster.items:
                if item.key not in bib_keys:
                    where = corpus.main_bibliography
                    if value.get("bibliography"):
                        where += " or the brief's bibliography files"
                    hint = did_you_mean(item.key, bib_keys)
                    if not hint and item.key in corpus.bibliography.entries:
                        hint = f"it is in {corpus.bibliography.entries[item.key].file}: add that file to bibliography:"
                    diags.error(doc.text_span(path, item.key_offset), f"unknown citation key '{item.key}'",
                                hint or f"add an entry with this key to {where}")
    body_text = value.get("body") if isinstance(value.get("body"), str) else ""
    if not config.support:
        for marker in SUPPORT_MARKER.finditer(body_text):
            diags.error(doc.text_span(("body",), marker.start() + marker.group(0).index("[")),
                        "[support] places the support block, but none is set",
                        "set extra.briefkit.support (text, link_text, url) in mkdocs.yml, or remove the line")
    used_figures = set()
    for ref in body_scan.figures:
        used_figures.add(ref.label)
        if ref.label not in figure_labels:
            diags.error(doc.text_span(("body",), ref.start), f"unknown figure '{ref.label}'",
                        did_you_mean(ref.label, figure_labels) or f"define it under figures: {ref.label}: …")
    for label in sorted(figure_labels - used_figures):
        diags.error(doc.span(("figures", label), key=True), f"figure '{label}' is defined but never placed",
                    f"put [figure: {label}] on a line of its own in the body")

    for path in [("title",), ("short_title",), ("image", "alt"), ("image", "credit")] + \
            [("figures", label, name) for label in figure_labels for name in ("alt", "credit")] + \
            [("figures", label, which, name) for label in figure_labels for which in ("before", "after")
             for name in ("alt", "credit", "credit_line")]:
        check_single_line(doc, path, diags)

    # citations and notes outside body and notes print literally: say so
    for key in ("summary", "disclaimer", "title"):
        if isinstance(value.get(key), str):
            _no_refs(doc, (key,), value[key], diags)
    for i, item in enumerate(value.get("takeaways") or [] if isinstance(value.get("takeaways"), list) else []):
        if isinstance(item, str):
            _no_refs(doc, ("takeaways", i), item, diags)

    if brief is None or diags.error_count > errors_before:
        return None
    return BriefSource(doc.file, slug, doc, brief, body_scan, note_scans, bib_keys)


def check_single_line(doc: LocatedDocument, path: tuple, diags: Diagnostics) -> None:
    """A field printed on one line (a title, a credit, a name) must not hold a line break: it would
    end the line in the page's head, its feeds and its PDF. A final line break (`key: >`) is fine."""
    value = doc.value
    for part in path:
        value = value.get(part) if isinstance(value, dict) else None
    if not isinstance(value, str):
        return
    at = value.rstrip("\n").find("\n")
    if at >= 0 and path not in doc.bad_paths:
        diags.error(doc.text_span(path, at), f"'{'.'.join(map(str, path))}' must be a single line",
                    "join the lines: a block written with | keeps its line breaks")


def _keys_with_paths(value, field: str) -> list[tuple[str, tuple]]:
    """The string keys of a one-or-many field, each with its path in the document."""
    if isinstance(value, str):
        return [(value, (field,))]
    if isinstance(value, list):
        return [(v, (field, i)) for i, v in enumerate(value) if isinstance(v, str)]
    return []


def _check_image_file(config: Config, doc: LocatedDocument, path: tuple, image: dict, diags: Diagnostics) -> None:
    name = image.get("file")
    if not isinstance(name, str) or not name:
        return
    target = _inside_briefs(config, name)
    if target is None:
        diags.error(doc.span(path + ("file",)), f"image path '{name}' points outside briefs/",
                    "put the image in briefs/images/ and write images/<name>")
    elif not target.is_file():
        folder = target.parent
        candidates = {p.name: p.relative_to(config.briefs_path.resolve()).as_posix()
                      for p in folder.iterdir() if p.is_file()} if folder.is_dir() else {}
        close = did_you_mean(target.name, candidates, cutoff=0.75)
        hint = f"did you mean '{candidates[close.split(chr(39))[1]]}'?" if close else "paths are relative to briefs/"
        diags.error(doc.span(path + ("file",)), f"image file '{name}' not found", hint)
    else:
        from .images import report_image

        report_image(target, doc.span(path + ("file",)), diags)


def _report_scan(doc: LocatedDocument, path: tuple, s: Scan, diags: Diagnostics) -> None:
    for problem in s.problems:
        diags.error(doc.text_span(path, problem.offset), problem.message, problem.hint)


def _no_refs(doc: LocatedDocument, path: tuple, text: str, diags: Diagnostics) -> None:
    s = scan(text, allow_notes=True, allow_figures=False)
    for cluster in s.clusters:
        diags.error(doc.text_span(path, cluster.start), f"citations are only allowed in the body and notes ({path[0]})",
                    "move the citation to the body or a note")
    for ref in s.note_refs:
        diags.error(doc.text_span(path, ref.start), f"note references are only allowed in the body ({path[0]})")


def _still_valid(card: Card, all_slugs: set[str], images_ok: Callable[[str], bool]) -> bool:
    """A known card stands only while what its checks looked at outside its file is unchanged (an
    image that changed is checked again: images.image_ok remembers files by size and time)."""
    return all(r in all_slugs for r in card.brief.related) and all(map(images_ok, card.images)) and \
        (card.brief.translation is None or card.brief.translation in all_slugs)


def _image_checker(folder: Path) -> Callable[[str], bool]:
    """Whether an image file (relative to briefs/) exists and passes its checks, looked at once per
    build: briefs share images, and a known brief's images are looked at again every build."""
    from .images import image_ok

    seen: dict[str, bool] = {}

    def ok(name: str) -> bool:
        if name not in seen:
            path = folder / name
            seen[name] = path.is_file() and image_ok(path)
        return seen[name]
    return ok


def _read_bib_once(path: Path, display: str, diags: Diagnostics,
                   bibs: dict[str, tuple[str, list[BibEntry]]] | None) -> list[BibEntry]:
    if bibs is None:
        return read_bib(path, display, diags)
    try:
        key = file_digest(path.read_bytes())
    except OSError:
        return read_bib(path, display, diags)
    if display in bibs and bibs[display][0] == key:
        return bibs[display][1]
    own = Diagnostics()
    entries = read_bib(path, display, own)
    diags.extend(own)
    if not own.items:
        bibs[display] = (key, entries)
    return entries
