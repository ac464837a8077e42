"""Briefs that are translations of each other: `translation: <slug>` in either of them links both.

A brief names the brief it translates (or the one that translates it); the names join briefs into
groups, one brief per language, and every page of a group links the others (a visible link and
`hreflang` alternates). The checks that need more than one file are here: a translation in the
same language, and two briefs of a group in one language.
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

from .cards import Card
from .diagnostics import Diagnostics, Span

_FIELD = re.compile(r"^translation[ \t]*:[ \t]*", re.MULTILINE)


def groups(cards: list[Card]) -> dict[str, tuple[Card, ...]]:
    """Slug → the other briefs of its group among `cards`, ordered by language; only briefs that have some."""
    by_slug = {c.slug: c for c in cards}
    parent = {slug: slug for slug in by_slug}

    def root(slug: str) -> str:
        while parent[slug] != slug:
            parent[slug] = parent[parent[slug]]
            slug = parent[slug]
        return slug

    for card in cards:
        other = card.brief.translation
        if other in by_slug:
            a, b = root(card.slug), root(other)
            if a != b:
                parent[max(a, b)] = min(a, b)
    members: dict[str, list[Card]] = defaultdict(list)
    for card in by_slug.values():  # one card per slug (two files with one slug are an error of their own)
        members[root(card.slug)].append(card)
    out: dict[str, tuple[Card, ...]] = {}
    for group in members.values():
        if len(group) < 2:
            continue
        for card in group:
            out[card.slug] = tuple(sorted((c for c in group if c is not card), key=lambda c: (c.brief.lang, c.slug)))
    return out


def _where(root: Path, card: Card) -> Span:
    """Where the brief's `translation:` value is (the file's start when it has none)."""
    try:
        text = (root / card.file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Span(card.file, 1, 1)
    m = _FIELD.search(text)
    if m is None:
        return Span(card.file, 1, 1)
    return Span(card.file, text.count("\n", 0, m.start()) + 1, m.end() - m.start() + 1)


def check(cards: list[Card], root: Path, diags: Diagnostics) -> None:
    """A brief and its translation in one language, or a group with two briefs in one language."""
    by_slug = {c.slug: c for c in cards}
    for card in cards:
        other = by_slug.get(card.brief.translation or "")
        if other is not None and other.brief.lang == card.brief.lang:
            diags.error(_where(root, card), f"'{other.slug}' is in the same language as this brief "
                                            f"({card.brief.lang})",
                        "a translation is in another language: set `lang:` in the translated brief")
    seen: set[str] = set()
    for slug, others in sorted(groups(cards).items()):
        if slug in seen:
            continue
        group = sorted((by_slug[slug], *others), key=lambda c: c.slug)
        seen.update(c.slug for c in group)
        by_lang: dict[str, list[Card]] = defaultdict(list)
        for card in group:
            by_lang[card.brief.lang].append(card)
        for lang, same in sorted(by_lang.items()):
            if len(same) < 2 or any(by_slug.get(c.brief.translation or "") in same for c in same):
                continue  # one language each, or the pair reported above
            for card in same:
                rest = ", ".join(f"'{c.slug}'" for c in same if c is not card)
                diags.error(_where(root, card), f"this brief and {rest} are translations of one brief and both "
                                                f"in {lang}",
                            "a group of translations has one brief per language: point `translation:` at the "
                            "right brief")
