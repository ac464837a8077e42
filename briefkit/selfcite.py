""""Cite this brief": the brief as a bibliographic item, as CSL-JSON, BibTeX and RIS."""

from __future__ import annotations

import re

from .html import page_url
from .load import BriefSource, Corpus

SELF_PREFIX = "self:"  # citation key of a brief citing itself; cannot clash with .bib keys (':' prefix)


def self_key(slug: str) -> str:
    return SELF_PREFIX + slug


def csl_item(corpus: Corpus, source: BriefSource, page_path: str, site_name: str, site_url: str) -> dict:
    """The brief as its own site cites it, like 38 North's notes cite its pieces: a page of the site."""
    brief = source.brief
    item = {
        "id": self_key(source.slug),
        "type": "webpage",
        "title": brief.title,
        "author": [dict(zip(("family", "given"), corpus.authors[a].name_parts(), strict=True))
                   for a in brief.authors],
        "container-title": site_name,
        "issued": {"date-parts": [[brief.date.year, brief.date.month, brief.date.day]]},
        "URL": page_url(site_url, page_path),
        "language": brief.lang,
    }
    return item


_BIBTEX_SPECIAL = re.compile(r"([&%$#_])")


def _bib_value(text: str) -> str:
    text = text.replace("\\", "\\textbackslash{}")
    text = _BIBTEX_SPECIAL.sub(r"\\\1", text)
    depth = 0
    out = []
    for ch in text:  # drop braces that would unbalance the field
        if ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                continue
            depth -= 1
        out.append(ch)
    return "".join(out) + "}" * depth


def bibtex(corpus: Corpus, source: BriefSource, item: dict) -> str:
    brief = source.brief
    names = " and ".join(f"{_bib_value(a['family'])}, {_bib_value(a['given'])}" if a["given"]
                         else _bib_value(a["family"]) for a in item["author"])
    fields = [
        ("author", names),
        ("title", "{" + _bib_value(brief.title) + "}"),
        # biblatex's @online has no journaltitle: the site is its organization (read back as the website
        # name, as Better BibTeX writes it); year, month and day rather than date, so that BibTeX, which
        # knows no date field, has the year too (biblatex takes one of date and year, never both)
        ("organization", _bib_value(item["container-title"])),
        ("year", str(brief.date.year)),
        ("month", str(brief.date.month)),
        ("day", str(brief.date.day)),
        ("url", item["URL"]),
        ("langid", {"en": "english", "ko": "korean"}.get(brief.lang, brief.lang)),
    ]
    if brief.summary:
        fields.append(("abstract", _bib_value(" ".join(brief.summary.split()))))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{source.slug},\n{body},\n}}\n"


def ris(corpus: Corpus, source: BriefSource, item: dict) -> str:
    brief = source.brief
    lines = [("TY", "ELEC")]
    lines += [("AU", f"{a['family']}, {a['given']}" if a["given"] else a["family"]) for a in item["author"]]
    lines += [("TI", brief.title), ("T2", item["container-title"]), ("PB", item["container-title"]),
              ("PY", str(brief.date.year)), ("DA", brief.date.strftime("%Y/%m/%d/")), ("UR", item["URL"]),
              ("LA", brief.lang)]
    if brief.summary:
        lines.append(("AB", " ".join(brief.summary.split())))
    lines += [("KW", topic) for topic in brief.topics]
    lines.append(("ER", ""))
    return "".join(f"{tag}  - {' '.join(value.split())}\r\n" for tag, value in lines)
