"""Related briefs: the editor's `related` list first, then briefs that share topics; never the brief's
own translations (its page links them apart)."""

from __future__ import annotations

import bisect
from collections import defaultdict

from .cards import Card
from .translations import groups

NEIGHBOURS = 20  # per topic, the briefs closest in date are the candidates (bounded work at any size)


def related_briefs(briefs: list[Card], limit: int) -> dict[str, list[Card]]:
    by_slug = {rb.slug: rb for rb in briefs}
    by_topic: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for rb in briefs:
        for topic in rb.brief.topics:
            by_topic[topic].append((rb.brief.date.toordinal(), rb.slug))
    for entries in by_topic.values():
        entries.sort()
    versions = groups(briefs)
    result = {}
    for rb in briefs:
        own = {c.slug for c in versions.get(rb.slug, ())}
        chosen = [by_slug[s] for s in rb.brief.related if s in by_slug and s not in own][:limit]
        taken = {rb.slug, *(r.slug for r in chosen), *own}
        day = rb.brief.date.toordinal()
        scores: dict[str, int] = defaultdict(int)
        for topic in rb.brief.topics:
            entries = by_topic[topic]
            i = bisect.bisect_left(entries, (day, ""))
            for _, slug in entries[max(0, i - NEIGHBOURS) : i + NEIGHBOURS]:
                if slug not in taken:
                    scores[slug] += 1
        ranked = sorted(scores, key=lambda s: (-scores[s], abs(by_slug[s].brief.date.toordinal() - day), s))
        result[rb.slug] = chosen + [by_slug[s] for s in ranked[: max(0, limit - len(chosen))]]
    return result
