"""YAML positions: every value and every character of a text block maps back to its place in the file."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit.diagnostics import Diagnostics
from briefkit.yamlsrc import parse_yaml

LINE = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn", "Zl", "Zp"),  # Cn: noncharacters
                             exclude_characters="\ufeff"),
               min_size=1, max_size=40).map(str.strip).filter(bool)


def parse(text: str):
    diags = Diagnostics()
    doc = parse_yaml("briefs/x.yml", text, diags)
    return doc, diags


def char_at(text: str, span) -> str:
    return text.splitlines()[span.line - 1][span.col - 1]


def test_positions_of_keys_and_values():
    text = "title: A\nnotes:\n  a: first\n  b: [x, y]\n"
    doc, diags = parse(text)
    assert not diags.items
    assert str(doc.span(("notes", "a"), key=True)) == "briefs/x.yml:3:3"
    assert str(doc.span(("notes", "a"))) == "briefs/x.yml:3:6"
    assert str(doc.span(("notes", "b", 1))) == "briefs/x.yml:4:10"
    assert str(doc.span(("notes", "missing"))) == "briefs/x.yml:3:3"  # the nearest existing parent value


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(LINE, min_size=1, max_size=8), indent=st.sampled_from([2, 4]), data=st.data())
def test_every_character_of_a_literal_block_maps_back(lines, indent, data):
    pad = " " * indent
    text = "title: x\nbody: |\n" + "".join(f"{pad}{line}\n" for line in lines) + "other: y\n"
    doc, diags = parse(text)
    assert not diags.items
    value = doc.value["body"]
    assert value == "\n".join(lines) + "\n"
    offset = data.draw(st.integers(0, len(value) - 1).filter(lambda i: not value[i].isspace()))
    span = doc.text_span(("body",), offset)
    assert char_at(text, span) == value[offset]
    assert span.line == 3 + value.count("\n", 0, offset)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(LINE.filter(lambda s: s[0] not in "#-?:,[]{}&*!|>'\"%@`"), min_size=1, max_size=6),
       data=st.data())
def test_every_character_of_a_folded_block_maps_back(lines, data):
    text = "notes:\n  a: >-\n" + "".join(f"    {line}\n" for line in lines)
    doc, diags = parse(text)
    assert not diags.items
    value = doc.value["notes"]["a"]
    offset = data.draw(st.integers(0, len(value) - 1).filter(lambda i: not value[i].isspace()))
    assert char_at(text, doc.text_span(("notes", "a"), offset)) == value[offset]


def test_plain_multiline_scalar_maps_back():
    text = "notes:\n  a: The first line\n    and [@key] on the second.\n"
    doc, _ = parse(text)
    value = doc.value["notes"]["a"]
    span = doc.text_span(("notes", "a"), value.index("@key"))
    assert (span.line, span.col) == (3, 10)


def test_duplicate_keys_and_unsafe_tags_are_diagnostics():
    doc, diags = parse("a: 1\na: 2\nb: !!python/object:os.system x\n")
    assert [d.format() for d in diags.sorted()] == [
        "briefs/x.yml:2:1: error: duplicate key 'a' (first given on line 1; remove one of them)",
        "briefs/x.yml:3:4: error: YAML tag 'tag:yaml.org,2002:python/object:os.system' is not allowed (briefs may "
        "only use plain YAML values: text, numbers, dates, lists and mappings)",
    ]
    assert doc.value == {"a": 1, "b": None}


# pieces of values: ordinary text, forbidden characters written as themselves or as escapes of a
# double-quoted value, and numeric references
PIECE = st.sampled_from(["word", " ", "é", "&amp;", "&#x41;", "\\x07", "\\u0080", "\\x41", "\\ud800", "'", '"', "\t"])
RAW = st.sampled_from(["&#7;", "\x07", "\x85", "\ufffe", "\r", "\u2028"])  # in the file as they are
STYLE = st.sampled_from(["plain", "single", "double", "literal"])


def written(pieces: list[str], style: str) -> str:
    text = "".join(pieces)
    if style == "double":
        return '"' + text.replace('"', '\\"') + '"'
    text = text.replace("\\", "")  # backslashes are escapes only in double quotes
    if style == "single":
        return "'" + text.replace("'", "''") + "'"
    if style == "literal":
        return "|\n  " + text + "\n"
    return "x" + text.replace('"', "").replace("'", "").replace(" ", "") + "x"


@settings(max_examples=300, deadline=None)
@given(values=st.lists(st.tuples(st.lists(PIECE, max_size=5), STYLE), min_size=1, max_size=4),
       raw=st.one_of(st.none(), st.tuples(RAW, st.integers(0, 3))))
def test_only_the_values_that_can_hold_a_forbidden_character_are_looked_at(values, raw):
    """A file without forbidden characters or numeric references has them only in double-quoted values
    (yamlsrc skips the others): the same problems as checking every value."""
    from briefkit import yamlsrc

    if raw is not None:  # one value gets a character the file holds as it is
        piece, at = raw
        pieces, style = values[at % len(values)]
        values[at % len(values)] = ([*pieces, piece], style)
    text = "".join(f"k{i}: {written(pieces, style)}\n" for i, (pieces, style) in enumerate(values))
    shortcut = parse(text)[1]
    checked_every_value = yamlsrc._Builder.__init__

    def every_value(self, doc, diags):
        checked_every_value(self, doc, diags)
        self.plain_text_is_clean = False

    yamlsrc._Builder.__init__ = every_value
    try:
        full = parse(text)[1]
    finally:
        yamlsrc._Builder.__init__ = checked_every_value
    assert [str(d) for d in shortcut.items] == [str(d) for d in full.items]
