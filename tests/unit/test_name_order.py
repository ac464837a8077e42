"""Which cited names are printed family name first, and how they survive citeproc."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefkit import name_order
from briefkit.inlines import mark_scripts, to_text

CSL = Path(__file__).parents[1] / "data" / "csl"
HOUSE = Path(__file__).parents[2] / "templates" / "house-chicago-notes.csl"


def marked(names: list[dict], listed=()) -> list[dict]:
    items = {"x": {"id": "x", "author": [dict(n) for n in names]}}
    name_order.mark_family_first(items, frozenset(listed))
    return items["x"]["author"]


@pytest.mark.parametrize(("name", "listed", "expected"), [
    # Zotero's single field: a romanized Korean given name is recognised without any list
    ({"literal": "Choe Sang-Hun"}, (), {"family": "Choe", "given": "Sang-Hun", "static-ordering": True}),
    ({"family": "Moon Jae-in"}, (), {"family": "Moon", "given": "Jae-in", "static-ordering": True}),
    # an organisation in one field stays one name
    ({"literal": "Korean Central News Agency"}, (), {"literal": "Korean Central News Agency"}),
    ({"literal": "Yonhap News"}, (), {"literal": "Yonhap News"}),
    ({"literal": "World Health Organization"}, (), {"literal": "World Health Organization"}),
    # other names in one field, when listed
    ({"literal": "Kim Jong Un"}, ("Kim Jong Un",), {"family": "Kim", "given": "Jong Un", "static-ordering": True}),
    ({"literal": "Xi Jinping"}, (), {"literal": "Xi Jinping"}),
    # two fields (Better BibTeX, Zotero's default), listed once whatever the spacing or case
    ({"family": "Choe", "given": "Sang-Hun"}, ("choe  sang-hun",),
     {"family": "Choe", "given": "Sang-Hun", "static-ordering": True}),
    ({"family": "Choe", "given": "Sang-Hun"}, (), {"family": "Choe", "given": "Sang-Hun"}),
    # CSL's own mark on a name in one field
    ({"literal": "Xi Jinping", "static-ordering": True}, (),
     {"family": "Xi", "given": "Jinping", "static-ordering": True}),
    # Hangul is printed family name first by citeproc itself
    ({"literal": "임을출"}, (), {"literal": "임을출"}),
])
def test_marking(name, listed, expected):
    assert marked([name], listed) == [expected]


def test_placeholders_keep_one_person_one_name_and_decode():
    names = name_order.Placeholders()
    a = names.encode({"author": [{"family": "Choe", "given": "Sang-Hun", "static-ordering": True}]})
    b = names.encode({"author": [{"family": "Choe", "given": "Sang-Hun", "static-ordering": True},
                                 {"family": "Lee", "given": "John"}]})
    assert a["author"][0] == b["author"][0]  # the same person is the same name for citeproc
    assert b["author"][1] == {"family": "Lee", "given": "John"}
    family, given = a["author"][0]["family"], a["author"][0]["given"]
    assert len(family) == 1 and len(given) == 2  # one character alone would be read as an initial
    out = [{"t": "Str", "c": family + given + ","}, {"t": "Space"}, {"t": "Emph", "c": [{"t": "Str", "c": family}]}]
    assert to_text(names.decode(out)) == "Choe Sang-Hun, Choe"


def test_unmarked_items_are_not_copied():
    item = {"author": [{"family": "Lee", "given": "John"}]}
    assert name_order.Placeholders().encode(item) is item


@pytest.mark.parametrize(("path", "initializes"), [
    (HOUSE, False), (CSL / "chicago-notes-bibliography.csl", False), (CSL / "chicago-author-date.csl", False),
    (CSL / "apa.csl", True), (CSL / "ieee.csl", True),
])
def test_styles_that_initialize_given_names(path, initializes):
    assert name_order.style_initializes(path.read_bytes()) is initializes


@given(st.lists(st.sampled_from(["Kim", " ", "북한의", "경제", "『경제연구』", "(", "日本", "ひらがな", "中国", ":"]),
                max_size=12))
def test_marking_scripts_keeps_the_text_and_marks_every_east_asian_character(parts):
    inlines = [{"t": "Space"} if p == " " else {"t": "Str", "c": p} for p in parts]
    before = to_text(inlines)
    out = mark_scripts([dict(n) for n in inlines])
    assert to_text(out) == before

    def unmarked(nodes, inside=False):
        text = ""
        for node in nodes:
            if node["t"] == "Span":
                assert node["c"][0][2][0][0] == "lang"
                text += unmarked(node["c"][1], True)
            elif node["t"] == "Str" and not inside:
                text += node["c"]
        return text

    assert not any("\uac00" <= ch <= "\ud7af" or "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff"
                   for ch in unmarked(out))


@pytest.mark.parametrize(("raw", "expected"), [
    ("adopts 'import disinfection' law", "adopts ‘import disinfection’ law"),
    ('a "double" quote', "a “double” quote"),
    ("Some remarks on 't Hooft's S-matrix", "Some remarks on 't Hooft's S-matrix"),  # elision, apostrophe
    ("Workers' Party and the '90s", "Workers' Party and the '90s"),
    ("Kim Jong {{Un}}'s policy", "Kim Jong {{Un}}'s policy"),
    (r"M\"uller", r"M\"uller"),  # a LaTeX umlaut
])
def test_straight_quotes_in_bib_titles(raw, expected):
    from briefkit.biblatex import typographic_quotes
    assert typographic_quotes(raw) == expected
