"""biblatex's data model, where pandoc's reader needs help or where Zotero's exports differ from it.

- Field values as biblatex reads them: `@string` macros, `#` concatenation, month macros.
- Fields moved to where biblatex (and Chicago) mean them before pandoc converts the entry: the name
  of a website written by Zotero's own export (`titleaddon`) or Better BibTeX (`organization`), and
  a season written in `issue` (biblatex's field for it), which belongs to the date: "no. 1 (Spring 2020)".
- A newspaper's name without its "The" (Chicago's rule for notes).
- A work in another language: the English translation of its title (`titletranslation`, or `usere`
  as biblatex-chicago and Better BibTeX's `tex.usere` write it, or a `titleaddon` in brackets) and
  an optional romanization of a title in another script (`titleromanized`), printed as Chicago 18
  gives them: “Pukhan ŭi … 북한의 …” [Changes in …]. They are taken out of the fields pandoc reads
  (it would print them inside the title) and converted separately (see bib.to_biblatex).
"""

from __future__ import annotations

import re

MONTHS = {name: str(i) for i, name in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"], start=1)}

# biblatex's season names (its `issue` field) and their codes in an ISO 8601-2 date (what pandoc reads)
SEASONS = {"spring": "21", "summer": "22", "autumn": "23", "fall": "23", "winter": "24"}

# types whose container is a website: its name goes where an article's journal name goes
WEB_TYPES = {"online", "www", "electronic"}

# `series` values that biblatex reads as keys ("new series", "3rd series"): never brace-protected
SERIES_KEY = re.compile(r"newseries|oldseries|\d+", re.I)


def split_concatenation(raw: str) -> list[str]:
    """The parts of a raw BibTeX value joined by `#` outside braces and quotes."""
    parts, depth, quoted, start = [], 0, False, 0
    for i, ch in enumerate(raw):
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        elif ch == '"' and depth == 0:
            quoted = not quoted
        elif ch == "#" and depth == 0 and not quoted:
            parts.append(raw[start:i].strip())
            start = i + 1
    parts.append(raw[start:].strip())
    return parts


def resolve(raw: str, strings: dict[str, str]) -> str:
    """A raw value (`{…}`, `"…"`, a number, a macro, or parts joined by `#`) as biblatex reads it:
    the outer braces or quotes removed, inner braces kept, white space collapsed. An unknown macro
    is kept as written (bibtexparser reports nothing for it; neither does biblatex beyond a warning)."""
    out = []
    for part in split_concatenation(raw):
        if len(part) >= 2 and ((part[0] == "{" and part[-1] == "}") or (part[0] == '"' and part[-1] == '"')):
            out.append(part[1:-1])
        elif part.lower() in strings:
            out.append(strings[part.lower()])
        elif part.lower() in MONTHS:
            out.append(MONTHS[part.lower()])
        else:
            out.append(part)
    return " ".join("".join(out).split())  # line breaks and runs of spaces are one space, as in TeX


def resolve_strings(raw_strings: list[tuple[str, str]]) -> dict[str, str]:
    """@string macros in file order; a macro may use the ones defined before it."""
    strings: dict[str, str] = {}
    for key, raw in raw_strings:
        strings[key.lower()] = resolve(raw, strings)
    return strings


# a pair of straight single quotes around words ('import disinfection'), never an elision ('t Hooft, '90s)
_SINGLE_PAIR = re.compile(r"(?:^|(?<=[\s(\[{“—–/-]))'(?=\w)([^']*?\w[.,!?]?)'(?!\w)")
_OPEN_DOUBLE = re.compile(r'(?<![\w\\{])"(?=[^\s"])')
_CLOSE_DOUBLE = re.compile(r'(?<=[^\s\\])"')


def typographic_quotes(value: str) -> str:
    """Straight quotation marks in a title as curly ones: pandoc's reader takes 'import' as LaTeX does
    (’import’) and leaves "double" straight; Zotero's exports write what the editor typed. citeproc then
    nests them inside the title's own quotes: “… ‘import disinfection’ law …”. Apostrophes stay."""
    if "'" not in value and '"' not in value:
        return value
    value = _SINGLE_PAIR.sub(r"‘\1’", value)
    return _CLOSE_DOUBLE.sub("”", _OPEN_DOUBLE.sub("“", value))


def season_of(value: str) -> str | None:
    """The ISO 8601-2 code of a season name ("Spring" → "21"), or None."""
    return SEASONS.get(value.strip().strip("{}").casefold())


# fields giving the English translation of a title, in order of preference
TRANSLATION_FIELDS = ("titletranslation", "usere")
ROMANIZATION_FIELD = "titleromanized"


def title_versions(entry_type: str, fields: dict[str, str]) -> dict[str, str]:
    """The translation and romanization of an entry's title, by CSL variable, as the .bib writes them."""
    out = {}
    translation = next((fields[f] for f in TRANSLATION_FIELDS if fields.get(f, "").strip()), None)
    addon = fields.get("titleaddon", "").strip()
    if translation is None and entry_type not in WEB_TYPES and re.fullmatch(r"\[[^\[\]]+\]", addon):
        translation = addon[1:-1]
    if translation:
        out["translated-title"] = translation.strip()
    if fields.get(ROMANIZATION_FIELD, "").strip():
        out["romanized-title"] = fields[ROMANIZATION_FIELD].strip()
    return out


def for_pandoc(entry_type: str, fields: dict[str, str]) -> dict[str, str]:
    """The entry's fields as pandoc's biblatex reader should see them (see the module's docstring)."""
    fields = dict(fields)
    if "translated-title" in title_versions(entry_type, fields):
        for name in (*TRANSLATION_FIELDS, "titleaddon"):
            if name != "titleaddon" or entry_type not in WEB_TYPES:
                fields.pop(name, None)
    fields.pop(ROMANIZATION_FIELD, None)
    if entry_type in WEB_TYPES and not fields.get("journaltitle") and not fields.get("journal"):
        # Zotero's BibLaTeX export: the website's name in `titleaddon`; Better BibTeX: in `organization`
        for name in ("titleaddon", "organization"):
            if fields.get(name):
                fields["journaltitle"] = fields.pop(name)
                break
    if fields.get("entrysubtype", "").strip().casefold() == "newspaper":
        # Chicago leaves out the "The" of a newspaper's name in notes (CMOS 14.89): New York Times
        for name in ("journaltitle", "journal"):
            if fields.get(name):
                fields[name] = re.sub(r"^(\{)?The\s+", r"\1", fields[name])
    season = season_of(fields.get("issue", ""))
    if season:
        date = fields.get("date") or fields.get("year", "")
        if re.fullmatch(r"\d{4}", date.strip()) and not fields.get("month"):
            fields.pop("issue")
            fields.pop("year", None)
            fields["date"] = f"{date.strip()}-{season}"
    return fields
