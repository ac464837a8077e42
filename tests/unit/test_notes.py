"""Scanning Markdown for note references, citations and figures; numbering notes."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit.notes import number_notes, scan


def test_cluster_items_prefix_key_locator():
    s = scan("A.[see @lee2024, pp. 87–93; and -@cha2012] B.[@{odd key}] mail me@example.org [text @x](http://u)")
    assert not s.problems
    first, second = s.clusters
    assert [(i.prefix, i.key, i.suffix, i.suppress_author) for i in first.items] == [
        ("see", "lee2024", ", pp. 87–93", False), ("and", "cha2012", "", True)]
    assert second.items[0].key == "odd key"


def test_brackets_inside_code_are_not_citations():
    s = scan("Use `[@key]` for citations.\n\n```\n[@also] [^no]\n```\n")
    assert not s.clusters and not s.note_refs and not s.problems


def test_note_definitions_in_the_body_are_rejected():
    assert scan("[^a]: text").problems[0].message.startswith("note definitions belong in the 'notes:' field")


def test_notes_inside_notes_are_rejected():
    assert scan("see [^b]", allow_notes=False).problems[0].message == "note reference [^b] inside a note"


def test_numbering_follows_first_reference_and_citations_get_their_own_notes():
    body = "a[^x] b[@k1] c[^y] d[^x] e[@k1]"
    notes = {"x": "X", "y": "Y"}
    plan = number_notes(scan(body), notes, {k: scan(v) for k, v in notes.items()})
    assert [(n.number, n.kind, n.label) for n in plan.notes] == [
        (1, "prose", "x"), (2, "cite", None), (3, "prose", "y"), (4, "cite", None)]
    assert [r.number for r in plan.body_refs] == [1, 2, 3, 1, 4]


REF = st.one_of(st.sampled_from(["a", "b", "c"]).map(lambda k: f"[^{k}]"),
                st.sampled_from(["k1", "k2"]).map(lambda k: f"[@{k}]"))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.text(alphabet="xyz .,", max_size=5), REF), max_size=12))
def test_numbering_property(parts):
    body = "".join(text + ref for text, ref in parts)
    notes = {"a": "A", "b": "B", "c": "C"}
    plan = number_notes(scan(body), notes, {k: scan(v) for k, v in notes.items()})
    assert [n.number for n in plan.notes] == list(range(1, len(plan.notes) + 1))
    seen: dict[str, int] = {}
    expected = []
    count = 0
    for _, ref in parts:
        if ref.startswith("[^"):
            if ref not in seen:
                count += 1
                seen[ref] = count
            expected.append(seen[ref])
        else:
            count += 1
            expected.append(count)
    assert [r.number for r in plan.body_refs] == expected


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("[]^@;-,` \n{}abc1:") + ["가", "\u05d0", "\u0301"]), max_size=60))
def test_scanning_never_crashes_and_problems_stay_in_the_text(text):
    s = scan(text)
    for p in s.problems:
        assert 0 <= p.offset <= len(text)
    for c in s.clusters:
        assert text[c.start] == "[" and text[c.end - 1] == "]"


def test_escaped_bracket_is_not_a_citation():
    s = scan("Follow \\[@KCNAWatch] for updates.")
    assert not s.clusters and not s.problems
