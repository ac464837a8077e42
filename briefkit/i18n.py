"""The site's words in each language: labels from templates/i18n/<lang>.yml, dates from Unicode CLDR.

Every label a page, a listing, a feed or a PDF prints ("Notes", "By …", "Page 1 of 3") is a key of
the English file `templates/i18n/en.yml`, the reference list. A brief in `lang: ko` takes its labels
from `ko.yml`, a whole site in `theme.language: ko` (mkdocs.yml) its listings and chrome. Editors
add a language by adding a file; `check` reports, at its place, a label a file lacks, a label no
template knows, and a `{value}` a translation dropped. A brief in a language without a file gets
the English labels (its dates still follow its language).

Dates are never labels: Babel formats them with the language's CLDR patterns ("December 28, 2025",
"2025년 12월 28일", "28 décembre 2025"), the same rules the notes' citation style applies.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_date, format_skeleton
from markupsafe import Markup, escape

from .diagnostics import Diagnostics, Span, did_you_mean
from .yamlsrc import parse_yaml

FOLDER = "i18n"  # under the templates folder
REFERENCE = "en"
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")
# the labels templates/pdf/brief.typ prints (given to it by pdf.py)
PRINT_LABELS = ("references", "key_takeaways", "updated", "page_of", "contents", "correction")
# labels that the Python code prints (listing titles and the like), not only templates
CODE_LABELS = frozenset({"latest_briefs", "series", "topics", "authors", "archive", "briefs_of", "page_number",
                         "list_and", "list_comma", "share_email", *PRINT_LABELS})
# t("key") or t('key', …) in a template, lang.label('key') in the theme's (templates/overrides/)
_USED = re.compile(r"""(?:(?<![\w.])t|\blang\.label)\(\s*["']([A-Za-z0-9_]+)["']""")


@functools.lru_cache(maxsize=64)
def locale_of(lang: str) -> Locale:
    """The CLDR locale of a language code (BCP 47, "ko" or "pt-BR"); English when CLDR has none."""
    for candidate in (lang, lang.split("-")[0]):
        try:
            return Locale.parse(candidate, sep="-")
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse(REFERENCE)


@functools.lru_cache(maxsize=8192)  # a listing shows a date on every entry: 10,000 briefs, many listings
def _long_date(lang: str, value: dt.date) -> str:
    return format_date(value, "long", locale=locale_of(lang))


def language_name(lang: str) -> str:
    """The language's name in itself: "English", "한국어", "français" (the link to a translation)."""
    locale = locale_of(lang)
    name = locale.get_display_name(locale) or lang
    return name[:1].upper() + name[1:] if locale.language == "en" else name


@dataclass(frozen=True)
class Labels:
    """The labels and date formats of one language, as templates use them: `t("notes")`,
    `t("byline", authors=…)`, `t.date(d)`."""

    lang: str  # as the brief or the site gives it
    texts: dict[str, str]

    def __call__(self, key: str, **values) -> str:
        """The label `key` with its {values} filled in. Given HTML (Markup: links in a byline), the
        label is escaped and the result is HTML too, so a template neither escapes the links nor
        leaves the label unescaped."""
        text = self.texts[key]
        if not values:
            return text
        if any(isinstance(v, Markup) for v in values.values()):
            return Markup(_PLACEHOLDER.sub(lambda m: str(escape(values[m.group(1)])) if m.group(1) in values
                                           else m.group(0), str(escape(text))))
        return _PLACEHOLDER.sub(lambda m: str(values.get(m.group(1), m.group(0))), text)

    def date(self, value: dt.date) -> str:
        """A date written out, as the language writes it."""
        return _long_date(self.lang, value)

    def month(self, year: int, month: int) -> str:
        """A month of a year ("December 2025", "2025년 12월")."""
        return format_skeleton("yMMMM", dt.date(year, month, 1), locale=locale_of(self.lang))

    def names(self, names: list[str]) -> str:
        """Names joined as the language joins a list: "A, B and C"."""
        if len(names) < 2:
            return "".join(names)
        return self("list_comma").join(names[:-1]) + self("list_and") + names[-1]


class Translations:
    """Every language's labels; `for_lang` gives the Labels of a page."""

    def __init__(self, files: dict[str, dict[str, str]]):
        self.files = files
        self._cache: dict[str, Labels] = {}

    @property
    def languages(self) -> list[str]:
        return sorted(self.files)

    def file_for(self, lang: str) -> str | None:
        """The language file a language code takes its labels from ("ko-KR" → "ko"), or None."""
        for candidate in (lang, lang.split("-")[0]):
            if candidate in self.files:
                return candidate
        return None

    def for_lang(self, lang: str) -> Labels:
        labels = self._cache.get(lang)
        if labels is None:
            own = self.file_for(lang)
            texts = dict(self.files.get(REFERENCE, {}))
            if own is not None:
                texts.update(self.files[own])
            labels = self._cache[lang] = Labels(lang, texts)
        return labels


def used_labels(templates: Path) -> dict[str, tuple[str, int]]:
    """The labels the templates use: key → (template, line) of its first use."""
    used: dict[str, tuple[str, int]] = {}
    for path in sorted(templates.rglob("*")):
        if path.suffix not in (".j2", ".html", ".typ") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for m in _USED.finditer(text):
            used.setdefault(m.group(1), (path.relative_to(templates).as_posix(), text.count("\n", 0, m.start()) + 1))
    return used


def load_translations(templates: Path, templates_dir: str, diags: Diagnostics) -> Translations:
    """The label files of templates/i18n/, every problem of theirs in `diags`."""
    folder = templates / FOLDER
    display_folder = f"{templates_dir}/{FOLDER}"
    files: dict[str, dict[str, str]] = {}
    docs = {}
    for path in sorted(folder.glob("*.yml")) if folder.is_dir() else []:
        display = f"{display_folder}/{path.name}"
        lang = path.stem
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            diags.error(Span(display, 1, 1), f"the labels file cannot be read: {exc}")
            continue
        doc = parse_yaml(display, text, diags)
        if doc is None:
            continue
        if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", lang):
            diags.error(Span(display, 1, 1), f"'{path.name}' is not named after a language",
                        "name a labels file after its language code: ko.yml, fr.yml, pt-BR.yml")
            continue
        value = doc.value if doc.value is not None else {}
        if not isinstance(value, dict):
            diags.error(doc.span(()), "a labels file is a list of `label: text` lines")
            continue
        texts: dict[str, str] = {}
        for key, text_value in value.items():
            if not isinstance(text_value, str) or not text_value:
                diags.error(doc.span((key,)), f"the label '{key}' must be a text",
                            'write it in quotes: notes: "Notes"')
                continue
            texts[str(key)] = text_value
        files[lang] = texts
        docs[lang] = doc
    reference = files.get(REFERENCE)
    if reference is None:
        if (folder / f"{REFERENCE}.yml").exists():
            return Translations(files)  # its problems are reported above
        diags.error(Span(f"{display_folder}/{REFERENCE}.yml", 1, 1), "the English labels file is missing",
                    "it lists every label of the site; copy it from briefkit's sample project")
        return Translations(files)
    used = used_labels(templates)
    needed = set(reference) | set(used) | CODE_LABELS
    for key in sorted(needed - set(reference)):
        where = used.get(key)
        hint = f"used by {templates_dir}/{where[0]}:{where[1]}" if where else "the build prints it"
        diags.error(Span(f"{display_folder}/{REFERENCE}.yml", 1, 1),
                    f"the English labels have no '{key}'", f"{hint}; add `{key}: \"…\"`")
    for lang, texts in files.items():
        if lang == REFERENCE:
            continue
        doc = docs[lang]
        name = locale_of(lang).english_name or lang
        for key in sorted(needed - set(texts)):
            english = reference.get(key)
            shown = f' (in English: "{english}")' if english else ""
            diags.error(Span(doc.file, _last_line(doc.text), 1),
                        f"the {name} labels ({lang}) have no '{key}'{shown}",
                        f"add `{key}: \"…\"` to {doc.file}")
        for key, text in texts.items():
            if key not in needed:
                hint = did_you_mean(key, needed) or "labels are the keys of en.yml"
                diags.error(doc.span((key,), key=True), f"unknown label '{key}' in the {name} labels", hint)
                continue
            want = set(_PLACEHOLDER.findall(reference.get(key, "")))
            have = set(_PLACEHOLDER.findall(text))
            for missing in sorted(want - have):
                diags.error(doc.span((key,)), f"the {name} label '{key}' leaves out {{{missing}}}",
                            f'the English label is "{reference[key]}": keep {{{missing}}} where the value goes')
            for extra in sorted(have - want):
                diags.error(doc.span((key,)), f"the {name} label '{key}' has {{{extra}}}, which the build "
                                              "does not fill in",
                            f"the values of this label are: {', '.join('{' + w + '}' for w in sorted(want)) or 'none'}")
    return Translations(files)


def _last_line(text: str) -> int:
    """The line after a file's last one: where a missing label would be added."""
    return text.rstrip("\n").count("\n") + 2 if text.strip() else 1
