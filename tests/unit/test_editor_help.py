"""Help for editors who write briefs by hand: `new`'s scaffold (a draft, the schema line, placeholders
that must be replaced, romanized slugs), YAML indentation errors at the line that lost its indentation,
and the file name's date and slug against `date:` and `slug:`."""

from __future__ import annotations

import datetime as dt
import json
import re

import jsonschema
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit.diagnostics import Diagnostics
from briefkit.model import brief_json_schema
from briefkit.slugs import slug_from_title
from briefkit.yaml_hints import indentation_problem
from briefkit.yamlsrc import parse_yaml
from conftest import VALID_BRIEF

NAME = "2024-04-29-test-brief.yml"
FILE = f"briefs/{NAME}"


def yaml_errors(text: str) -> list[str]:
    diags = Diagnostics()
    parse_yaml(FILE, text, diags)
    return [d.format() for d in diags.sorted()]


# ---- YAML indentation ---------------------------------------------------------------------------

LOST = """\
title: A test brief
series: quick-take
date: 2024-04-29
authors: [jordan-park]
body: |
  First paragraph.

  Second paragraph, whose next line
was pasted without its indentation
  and goes on here.

  Third paragraph.
  Fourth paragraph.
  Fifth paragraph.
  Sixth paragraph.
notes:
  a: A note.
"""


def test_a_body_line_that_lost_its_indentation_is_named_not_the_line_where_yaml_gave_up():
    # PyYAML alone reports "could not find expected ':'" at notes: (line 16), seven lines further down
    with pytest.raises(yaml.MarkedYAMLError) as raw:
        yaml.compose(LOST)
    assert raw.value.problem_mark.line + 1 == 16
    [error] = yaml_errors(LOST)
    assert error.startswith(f"{FILE}:9:1: error: YAML indentation: this line has 0 spaces of indentation, less "
                            "than the text of 'body:' above it (from line 6)")
    assert error.endswith("(indent it by 2 spaces, like the other lines of 'body:')")


def test_a_note_line_that_lost_its_indentation_in_a_folded_block():
    text = VALID_BRIEF.replace("notes:\n  a: A prose note citing [@carlin2021defense].\n",
                               "notes:\n  a: >-\n    A prose note\n  that lost two spaces.\n  b: other\n")
    [error] = yaml_errors(text)
    assert error.startswith(f"{FILE}:11:3: error: YAML indentation: this line has 2 spaces of indentation")
    assert "indent it by 4 spaces, like the other lines of 'a:'" in error


@pytest.mark.parametrize(("text", "where", "words"), [
    ("image:\n  file: images/x.jpg\n   alt: Text\n  credit: X\ntitle: T\n", "3:4", "more than line 2"),
    ("image:\n  file: images/x.jpg\n alt: Text\ntitle: T\n", "3:2", "less than line 2"),
    ("title: T\n authors: [a]\nbody: x\n", "2:2", "more than line 1"),
    ("notes:\n  a: one\n  b: two\n c: three\nbody: x\n", "4:2", "less than line 3"),
    ("takeaways:\n  - one\n - two\nbody: x\n", "3:2", "less than line 2"),
])
def test_a_misaligned_key_or_item_is_named_with_both_indentations(text, where, words):
    [error] = yaml_errors(text)
    assert error.startswith(f"{FILE}:{where}: error: YAML indentation:"), error
    assert words in error


def test_syntax_errors_that_are_not_about_indentation_keep_their_own_message():
    [error] = yaml_errors("title: T\nsummary: a: b\n")
    assert "YAML syntax error: mapping values are not allowed" in error
    assert "indentation" not in error


def test_a_block_that_ends_at_the_next_key_is_not_an_indentation_mistake():
    assert indentation_problem(VALID_BRIEF + "takeaways:\n  - x\n", "whatever", 12) is None


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=2, max_value=12), st.integers(min_value=0, max_value=1),
       st.lists(st.sampled_from(["Text of a line.", "Note: a colon.", "- a dash", "#hash", "key: value"]),
                min_size=1, max_size=6))
def test_any_body_line_pulled_left_is_reported_at_its_line(position, indent, words):
    """Whatever the body says, pulling one of its lines to the left of the text is reported at that
    line, or the file still parses (a line that happens to read as a field of its own)."""
    body = [f"  Paragraph line {i} {words[i % len(words)]}" for i in range(14)]
    body[position] = " " * indent + body[position].strip()
    text = "title: T\ndate: 2024-04-29\nauthors: [a]\nbody: |\n" + "\n".join(body) + "\nnotes:\n  a: b\n"
    errors = yaml_errors(text)
    if errors:
        assert errors[0].startswith(f"{FILE}:{position + 5}:{indent + 1}: error: YAML indentation:"), errors


# ---- the file name against date: and slug: ------------------------------------------------------

def test_a_date_that_disagrees_with_the_file_name_gives_both_dates(project):
    project.write(NAME, VALID_BRIEF.replace("date: 2024-04-29", "date: 2024-05-02"))
    assert project.errors() == [
        f"{FILE}:3:7: error: 'date' is 2024-05-02 but the file name says 2024-04-29 (rename the file to "
        "2024-05-02-test-brief.yml if the brief moved to 2024-05-02, or set date: 2024-04-29)"]


def test_an_explicit_slug_must_be_the_file_names(project):
    project.write(NAME, VALID_BRIEF + "slug: test-brief\n")
    assert project.errors() == []
    project.write(NAME, VALID_BRIEF + "slug: another-brief\n")
    assert project.errors() == [
        f"{FILE}:10:7: error: 'slug' is another-brief but the file name says test-brief "
        "(rename the file to 2024-04-29-another-brief.yml, or set slug: test-brief)"]


def test_a_slug_in_hangul_is_refused_with_its_romanization(project):
    project.write(NAME, VALID_BRIEF + "slug: 북한-미사일\n")
    [error] = project.errors()
    assert error.startswith(f"{FILE}:10:7: error: slug '북한-미사일' is not a valid key")
    assert "e.g. 'bukhan-misail'" in error


# ---- romanized slugs ----------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "slug"), [
    # Revised Romanization, as the Korean government and 38 North write place and personal names
    ("북한의 국방공업기업소", "bukhanui-gukbanggongeopgieopso"),
    ("김정은 위원장의 현지지도", "gimjeongeun-wiwonjangui-hyeonjijido"),
    ("평양 미사일 시험", "pyeongyang-misail-siheom"),
    ("Kim Jong Un visits 평양", "kim-jong-un-visits-pyeongyang"),
    ("Россия и КНДР", "rossiya-i-kndr"),
    ("North Korea’s “National Defence Industrial Enterprise”", "north-koreas-national-defence-industrial-enterprise"),
    ("!!! ???", ""),
])
def test_slugs_of_titles_in_any_script(title, slug):
    assert slug_from_title(title) == slug


@given(st.text(min_size=1, max_size=120))
@settings(max_examples=200, deadline=None)
def test_a_title_slug_is_always_a_valid_slug_or_empty(title):
    slug = slug_from_title(title)
    assert slug == "" or re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug)
    assert len(slug) <= 60


# ---- new ----------------------------------------------------------------------------------------

def test_new_writes_a_draft_with_the_schema_line_and_placeholders_that_check_refuses(project):
    result = project.run("new", "북한의 새 미사일 기지", "--author", "jordan-park", "--series", "quick-take",
                         "--date", "2024-05-06")
    assert result.returncode == 0, result.stderr
    path = project.briefs / "2024-05-06-bukhanui-sae-misail-giji.yml"
    text = path.read_text(encoding="utf-8")
    first = text.splitlines()[0]
    assert first == "# yaml-language-server: $schema=https://briefs.example.org/schema/brief.schema.json"
    assert yaml.safe_load(text)["status"] == "draft"
    errors = project.errors()
    name = f"briefs/{path.name}"
    summary_line = text.splitlines().index("summary: >-") + 1
    body_line = text.splitlines().index("body: |") + 1
    assert errors == [
        f"{name}:{summary_line}:10: error: 'summary' is still the placeholder text of `new` (replace it with your "
        "own text (or delete the field))",
        f"{name}:{body_line}:7: error: 'body' is still the placeholder text of `new` (replace it with your own text)",
    ]
    # a second brief with the same title on the same day gets a hint, not an overwritten file
    again = project.run("new", "북한의 새 미사일 기지", "--author", "jordan-park", "--date", "2024-05-06")
    assert again.returncode == 1 and "--slug bukhanui-sae-misail-giji-2" in again.stderr
    assert path.read_text(encoding="utf-8") == text
    # written over, the brief passes and is valid against the published JSON Schema (what VS Code reads)
    data = yaml.safe_load(text)
    data.update(summary="A real summary.", body="A real body.\n")
    path.write_text(text.split("\n", 1)[0] + "\n" + yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    assert project.errors() == []
    schema = json.loads(json.dumps(brief_json_schema("https://briefs.example.org/")))
    jsonschema.validate(json.loads(json.dumps(data, default=str)), schema)


def test_placeholders_follow_the_template_an_editor_rewrote(project):
    template = project.root / "templates" / "new-brief.yml.j2"
    template.write_text(template.read_text(encoding="utf-8").replace(
        "One or two sentences for listings, feeds and social cards.", "Say what the brief finds."), encoding="utf-8")
    project.write(NAME, VALID_BRIEF.replace("summary: One sentence.", "summary: Say what   the brief finds."))
    [error] = project.errors()
    assert error.startswith(f"{FILE}:5:10: error: 'summary' is still the placeholder text of `new`")
    project.write(NAME, VALID_BRIEF.replace("summary: One sentence.",
                                            "summary: One or two sentences for listings, feeds and social cards."))
    assert project.errors() == []


def test_new_without_a_site_address_points_at_the_built_schema(project):
    mkdocs = project.root / "mkdocs.yml"
    mkdocs.write_text(re.sub(r"(?m)^site_url:.*\n", "", mkdocs.read_text(encoding="utf-8")), encoding="utf-8")
    result = project.run("new", "A brief", "--author", "jordan-park", "--date", "2024-05-06")
    assert result.returncode == 0, result.stderr
    first = (project.briefs / "2024-05-06-a-brief.yml").read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../site/schema/brief.schema.json"


# ---- time, time zone, corrections in the model ---------------------------------------------------

@pytest.mark.parametrize(("lines", "time", "zone"), [
    ('time: "09:30"\n', "09:30", None),
    ('time: "09:30"\ntimezone: Asia/Seoul\n', "09:30", "Asia/Seoul"),
    ("", "17:05", None),  # date: 2024-04-29 17:05
    ("", "09:00", "+09:00"),  # date: 2024-04-29T09:00:00+09:00
])
def test_a_time_is_read_from_time_or_from_the_date(project, lines, time, zone):
    from briefkit.model import Brief

    text = VALID_BRIEF + lines
    if time == "17:05":
        text = text.replace("date: 2024-04-29", "date: 2024-04-29 17:05")
    if zone == "+09:00":
        text = text.replace("date: 2024-04-29", "date: 2024-04-29T09:00:00+09:00")
    project.write(NAME, text)
    assert project.errors() == []
    brief = Brief.model_validate(yaml.safe_load(text))
    assert brief.date == dt.date(2024, 4, 29) and brief.time.strftime("%H:%M") == time and brief.timezone == zone


@pytest.mark.parametrize(("line", "message", "hint"), [
    ("time: 9:30", "'time' must be a time written in quotes, not 570", 'write time: "09:30"'),
    ('time: "25:00"', "'time' must be a 24-hour time written HH:MM, not '25:00'", 'time: "09:30"'),
    ("timezone: Asia/Seol", "'timezone' is not a time zone: 'Asia/Seol'", "did you mean 'Asia/Seoul'?"),
])
def test_a_wrong_time_or_zone_is_an_error_at_its_line(project, line, message, hint):
    project.write(NAME, VALID_BRIEF + line + "\n")
    [error] = project.errors()
    assert error.startswith(f"{FILE}:10:") and message in error and hint in error, error


def test_a_correction_before_the_brief_is_refused(project):
    project.write(NAME, VALID_BRIEF + "corrections:\n  - date: 2024-04-01\n    text: Early.\n")
    [error] = project.errors()
    assert error.startswith(f"{FILE}:11:3: error: a correction is dated before the brief's 'date'")


def test_a_last_body_line_read_as_a_field_says_to_indent_it(project):
    text = VALID_BRIEF.replace("notes:", "Kim Jong Un said: the test went well.\nnotes:")
    project.write(NAME, text)
    assert project.errors() == [
        f"{FILE}:8:1: error: unknown field 'Kim Jong Un said' (if this line is part of the text of 'body:' above, "
        "indent it by 2 spaces like that text)"]


@pytest.mark.parametrize(("fields", "valid"), [
    ({"time": "09:30"}, True),
    ({"time": "9:30"}, False),  # PyYAML reads an unquoted 9:30 as 570: editors' tools flag it as typed
    ({"time": "24:00"}, False),
    ({"date": "2026-12-08 09:00"}, True),
    ({"date": "2026-12-08T09:00:00+09:00"}, True),
    ({"date": "8 December 2026"}, False),
    ({"status": "review"}, True),
    ({"corrections": [{"date": "2026-12-09", "text": "Fixed."}]}, True),
    ({"corrections": [{"date": "2026-12-09"}]}, False),
])
def test_the_published_schema_knows_the_workflow_fields(fields, valid):
    """What VS Code (yaml-language-server) reads: YAML 1.2 gives it dates and times as text."""
    data = {"title": "T", "date": "2026-12-08", "authors": ["jordan-park"], "body": "Text.", **fields}
    schema = brief_json_schema("https://briefs.example.org/")
    if valid:
        jsonschema.validate(data, schema)
    else:
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(data, schema)
