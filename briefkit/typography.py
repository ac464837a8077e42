"""Typographic quotes, apostrophes, dashes and ellipses from what editors type: one rule for the web
page, the feeds and the PDF, applied to the editors' Markdown before either renderer sees it.

SmartyPants (the `smartypants` library) does the work: "…" → “…”, '…' → ‘…’, it's → it’s, -- → –,
--- → —, ... → …. What must stay as typed is hidden from it first: code spans and fenced code, raw
Typst, links' addresses, bare URLs, HTML tags with their attributes, table rules and thematic
breaks. SmartyPants reads an apostrophe that opens a word as an opening quote; elisions ('90s,
rock 'n' roll, 't Hooft) are turned into apostrophes before it runs.
"""

from __future__ import annotations

import re

import smartypants

_ATTRS = smartypants.Attr.q | smartypants.Attr.D | smartypants.Attr.e | smartypants.Attr.u

# Markdown that must not change, in the order it is looked for
_PROTECTED = re.compile(
    r"(?P<fence>^[ \t]*(?P<mark>`{3,}|~{3,})[^\n]*\n.*?^[ \t]*(?P=mark)[ \t]*$)"  # fenced code
    r"|(?P<code>(?P<ticks>`+).+?(?P=ticks)(?:\{[^}\n]*\})?)"  # code span (with a raw attribute)
    r"|(?P<target>\]\([^)\s]*(?:\s+\"[^\"]*\")?\))"  # a link's or image's address (and title)
    r"|(?P<refdef>^[ ]{0,3}\[[^\]\n]+\]:[^\n]*$)"  # a reference definition
    r"|(?P<tag></?[A-Za-z][^<>]*>)"  # an HTML tag, with its attributes
    r"|(?P<url><https?://[^>\s]+>|https?://[^\s<>()\]]+)"  # autolinks and bare URLs
    r"|(?P<rule>^[ \t]*\|?[ \t]*:?-{3,}:?[ \t]*(?:\|[ \t]*:?-{3,}:?[ \t]*)*\|?[ \t]*$"  # a table's rule
    r"|^[ \t]*(?:[-*_][ \t]*){3,}$)",  # a thematic break
    re.MULTILINE | re.DOTALL)
_ELISION = re.compile(r"(?<![\w'’‘])'(?=\d\d(?:s|\b)|n'|t\b|em\b|til\b|tis\b|twas\b|cause\b)")
_PLACEHOLDER = re.compile(r"<bk-typo-(\d+)>")


def smarten(text: str) -> str:
    """`text` (Markdown or plain text) with typographic punctuation (see the module's docstring)."""
    if not text or not any(ch in text for ch in "'\"-."):
        return text
    kept: list[str] = []

    def hide(match: re.Match) -> str:
        kept.append(match.group(0))
        return f"<bk-typo-{len(kept) - 1}>"  # a tag: SmartyPants leaves it as it is

    hidden = _PROTECTED.sub(hide, text)
    hidden = _ELISION.sub("’", hidden)
    done = smartypants.smartypants(hidden, _ATTRS)
    return _PLACEHOLDER.sub(lambda m: kept[int(m.group(1))], done)


def smarten_brief(brief):
    """A copy of a validated Brief whose short texts are typographic. The body and the notes are
    done when they are rendered (render.py, pdf.py, resolve.py): their citations and note references
    are found at offsets into the text as written."""
    def figure(f):
        return f.model_copy(update={"caption": smarten(f.caption) if f.caption else f.caption})

    return brief.model_copy(update={
        "title": smarten(brief.title),
        "short_title": smarten(brief.short_title) if brief.short_title else brief.short_title,
        "summary": smarten(brief.summary) if brief.summary else brief.summary,
        "takeaways": [smarten(t) for t in brief.takeaways],
        "corrections": [c.model_copy(update={"text": smarten(c.text)}) for c in brief.corrections],
        "disclaimer": smarten(brief.disclaimer) if brief.disclaimer else brief.disclaimer,
        "image": figure(brief.image) if brief.image else None,
        "figures": {label: figure(f) for label, f in brief.figures.items()},
    })


def smarten_entry(entry):
    """A copy of a validated registry entry (author, series, topic) with typographic Markdown texts."""
    update = {name: smarten(getattr(entry, name)) for name in ("bio", "description", "disclaimer", "role")
              if isinstance(getattr(entry, name, None), str)}
    return entry.model_copy(update=update) if update else entry
