"""Which characters the shipped print fonts can draw, and where a brief uses one they cannot."""

from __future__ import annotations

import functools
import unicodedata
from pathlib import Path

from .diagnostics import Diagnostics
from .inlines import to_text
from .resolve import ResolvedBrief

# Fields that are not printed (keys, paths, settings): their characters do not need a glyph.
_NOT_PRINTED = {"file", "alt", "authors", "topics", "related", "series", "status", "lang", "bibliography", "date",
                "updated", "time", "timezone", "slug"}


@functools.cache
def coverage(font_dir: str) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    codepoints: set[int] = set()
    for path in sorted(Path(font_dir).glob("*.[ot]tf")):
        with TTFont(path, lazy=True) as font:
            codepoints.update(font.getBestCmap() or {})
    return frozenset(codepoints)


def _needs_glyph(ch: str) -> bool:
    return not (ch.isspace() or unicodedata.category(ch) in ("Cc", "Cf", "Co", "Cs"))


def _describe(ch: str) -> str:
    name = unicodedata.name(ch, "unnamed character")
    return f"'{ch}' (U+{ord(ch):04X} {name})"


def check_brief_glyphs(rb: ResolvedBrief, covered: frozenset[int], diags: Diagnostics) -> None:
    """One error per character a shipped font cannot draw, at its first place in the brief."""
    doc = rb.source.doc
    reported: set[str] = set()

    def report(ch: str, span) -> None:
        if ch not in reported:
            reported.add(ch)
            diags.error(span, f"{_describe(ch)} cannot be printed: no font shipped for the PDF has it",
                        "replace the character, or add a font that has it to templates/fonts/")

    for path, node in sorted(doc.scalars.items(), key=lambda t: (t[1].start_mark.index, str(t[0]))):
        if not isinstance(node.value, str) or any(p in _NOT_PRINTED for p in path if isinstance(p, str)):
            continue
        value = _value_at(doc.value, path)
        if not isinstance(value, str):
            continue
        for offset, ch in enumerate(value):
            if ord(ch) not in covered and _needs_glyph(ch) and ch not in reported:
                report(ch, doc.text_span(path, offset))
    in_text = [n for n in rb.plan.notes if n.kind == "intext"]
    cited = [(note.citations, plan_note) for note, plan_note in
             zip(rb.notes, [n for n in rb.plan.notes if n.kind != "intext"], strict=True)]
    cited += [((inlines,), plan_note) for inlines, plan_note in zip(rb.in_text, in_text, strict=True)]
    if rb.references and in_text:  # an entry of the references: shown at the first citation
        cited.append((rb.references, in_text[0]))
    for citations, plan_note in cited:
        for i, inlines in enumerate(citations):
            cluster = plan_note.clusters[min(i, len(plan_note.clusters) - 1)]
            for ch in to_text(inlines):
                if ord(ch) not in covered and _needs_glyph(ch) and ch not in reported:
                    item = cluster.items[0]
                    path = ("notes", plan_note.label) if plan_note.kind == "prose" else ("body",)
                    report(ch, doc.text_span(path, item.key_offset))


def _value_at(value, path: tuple):
    for part in path:
        try:
            value = value[part]
        except (KeyError, IndexError, TypeError):
            return None
    return value
