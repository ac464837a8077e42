"""Related briefs: explicit first, then by shared topics and closeness in date, bounded."""

import datetime as dt
from types import SimpleNamespace

from briefkit.related import related_briefs


def brief(slug, day, topics, related=(), translation=None):
    data = SimpleNamespace(date=dt.date(2024, 1, 1) + dt.timedelta(days=day), topics=list(topics),
                           related=list(related), translation=translation, lang="ko" if translation else "en")
    return SimpleNamespace(slug=slug, brief=data)


def test_explicit_first_then_most_shared_topics_then_nearest_date():
    briefs = [
        brief("a", 0, ["x", "y"], related=["z"]),
        brief("b", 50, ["x", "y"]),
        brief("c", 1, ["x"]),
        brief("d", 2, ["y"]),
        brief("e", 90, ["x"]),
        brief("z", 300, []),
        brief("none", 3, ["w"]),
    ]
    got = related_briefs(briefs, limit=4)
    assert [r.slug for r in got["a"]] == ["z", "b", "c", "d"]
    assert got["none"] == []
    assert [r.slug for r in related_briefs(briefs, limit=1)["a"]] == ["z"]


def test_a_brief_s_translations_are_never_its_related_briefs():
    briefs = [brief("a", 0, ["x"], related=["a-ko"]), brief("a-ko", 0, ["x"], translation="a"),
              brief("b", 5, ["x"])]
    got = related_briefs(briefs, limit=4)
    assert [r.slug for r in got["a"]] == ["b"] and [r.slug for r in got["a-ko"]] == ["b"]
