"""Every check on editors' input, with the exact file, line and column it reports."""

from __future__ import annotations

import re

import pytest

from conftest import VALID_BRIEF

NAME = "2024-04-29-test-brief.yml"
FILE = f"briefs/{NAME}"


def pos(text: str, needle: str, occurrence: int = 1) -> str:
    """'line:col' of the n-th occurrence of `needle` in `text` (1-based, as editors count)."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    return f"{line}:{col}"


def only_error(project, text: str) -> str:
    project.write(NAME, text)
    errors = project.errors()
    assert len(errors) == 1, errors
    return errors[0]


def test_valid_brief_has_no_errors(project):
    project.write(NAME, VALID_BRIEF)
    assert project.errors() == []


def test_yaml_syntax_error_points_at_the_problem(project):
    text = VALID_BRIEF.replace("title: A test brief", "title: [A test brief")
    error = only_error(project, text)
    assert error.startswith(f"{FILE}:2:")
    assert "YAML syntax error" in error


def test_unquoted_citation_at_start_of_note_is_explained(project):
    text = VALID_BRIEF.replace("a: A prose note citing [@carlin2021defense].", "a: [@carlin2021defense] says so.")
    error = only_error(project, text)
    assert error.startswith(f"{FILE}:{pos(text, '@carlin')}: error: YAML syntax error")
    assert "must be quoted" in error


def test_note_parsed_as_a_list_is_explained(project):
    text = VALID_BRIEF.replace("a: A prose note citing [@carlin2021defense].", "a: [see @carlin2021defense, 12]")
    assert only_error(project, text) == (
        f"{FILE}:{pos(text, '[see')}: error: note 'a' was read as a list because it starts with '[' "
        "(put the note in quotes: a: \"[…]\")")


def test_tab_indentation(project):
    text = VALID_BRIEF.replace("  a: A prose", "\ta: A prose")
    error = only_error(project, text)
    assert error.startswith(f"{FILE}:9:")
    assert "tab" in error.lower()


def test_duplicate_key(project):
    text = VALID_BRIEF + "title: Again\n"
    assert only_error(project, text) == (
        f"{FILE}:10:1: error: duplicate key 'title' (first given on line 1; remove one of them)")


def test_unknown_field_with_hint(project):
    text = VALID_BRIEF.replace("summary:", "sumary:")
    assert only_error(project, text) == f"{FILE}:5:1: error: unknown field 'sumary' (did you mean 'summary'?)"


def test_unknown_nested_field_with_hint(project):
    text = VALID_BRIEF + ("image:\n  file: images/2025-12-components.svg\n  alt: A drawing.\n"
                          "  credit: Us\n  captoin: Oops\n")
    assert only_error(project, text) == (
        f"{FILE}:{pos(text, 'captoin')}: error: unknown field 'captoin' in image (did you mean 'caption'?)")


def test_missing_required_field(project):
    text = VALID_BRIEF.replace("date: 2024-04-29\n", "")
    assert only_error(project, text) == f"{FILE}:1:1: error: missing required field 'date'"


def test_wrong_type(project):
    text = VALID_BRIEF.replace("title: A test brief", "title: 1984")
    assert only_error(project, text) == f"{FILE}:1:8: error: 'title' must be text, not 1984 (put the value in quotes)"


def test_impossible_date(project):
    text = VALID_BRIEF.replace("date: 2024-04-29", "date: 2024-02-30")
    assert only_error(project, text) == (
        f"{FILE}:3:7: error: '2024-02-30' is not a real date (dates are written YYYY-MM-DD, e.g. 2024-04-29)")


def test_date_in_words(project):
    text = VALID_BRIEF.replace("date: 2024-04-29", "date: April 29, 2024")
    assert only_error(project, text) == (
        f"{FILE}:3:7: error: 'date' must be a date written YYYY-MM-DD, not 'April 29, 2024' (e.g. 2024-04-29)")


def test_unknown_author_with_hint(project):
    text = VALID_BRIEF.replace("[jordan-park]", "[mina-cho, jordan-prak]")
    assert only_error(project, text) == (
        f"{FILE}:{pos(text, 'jordan-prak')}: error: unknown author 'jordan-prak' (did you mean 'jordan-park'?)")


def test_unknown_series_with_hint(project):
    text = VALID_BRIEF.replace("series: quick-take", "series: quick-takes")
    assert only_error(project, text) == f"{FILE}:2:9: error: unknown series 'quick-takes' (did you mean 'quick-take'?)"


def test_status_with_hint(project):
    text = VALID_BRIEF + "status: publshed\n"
    error = only_error(project, text)
    assert error.startswith(f"{FILE}:10:9: error: 'status' must be one of 'published', 'draft', 'review' or 'ready'")
    assert error.endswith("(did you mean 'published'?)")


def test_unknown_citation_key_in_body_points_at_the_key(project):
    text = VALID_BRIEF.replace("@lee2024nucleartest", "@lee2024nucleartes")
    assert only_error(project, text) == (
        f"{FILE}:{pos(text, 'lee2024nucleartes')}: error: unknown citation key 'lee2024nucleartes' "
        "(did you mean 'lee2024nucleartest'?)")


def test_unknown_citation_key_in_a_folded_note(project):
    text = VALID_BRIEF.replace("  a: A prose note citing [@carlin2021defense].",
                               "  a: >-\n    A prose note that goes on\n    and cites [@carlin2012defense].")
    assert only_error(project, text) == (
        f"{FILE}:{pos(text, 'carlin2012')}: error: unknown citation key 'carlin2012defense' "
        "(did you mean 'carlin2021defense'?)")


def test_unknown_citation_key_in_a_quoted_note(project):
    text = VALID_BRIEF.replace("  a: A prose note citing [@carlin2021defense].",
                               '  a: "[@carlin2021defence] is the source."')
    assert only_error(project, text).startswith(f"{FILE}:{pos(text, 'carlin2021defence')}: error: unknown citation key")


def test_note_used_but_not_defined(project):
    text = VALID_BRIEF.replace("And a citation.", "And more.[^b] And a citation.")
    assert only_error(project, text) == (
        f"{FILE}:{pos(text, '[^b]')}: error: note [^b] is used but not defined (add it under notes: b: …)")


def test_note_defined_but_not_used(project):
    text = VALID_BRIEF + "  extra: Never referenced.\n"
    assert only_error(project, text) == (
        f"{FILE}:10:3: error: note 'extra' is defined but never used "
        "(refer to it in the body with [^extra] or remove it)")


def test_citation_missing_closing_bracket(project):
    text = VALID_BRIEF.replace("[@lee2024nucleartest, 90]", "[@lee2024nucleartest, 90")
    assert only_error(project, text) == (
        f"{FILE}:{pos(text, '[@lee')}: error: citation is missing its closing ']' "
        "(a citation looks like [@key] or [see @key, 12])")


def test_citation_with_empty_key(project):
    text = VALID_BRIEF.replace("[@lee2024nucleartest, 90]", "[@, 90]")
    assert only_error(project, text).startswith(f"{FILE}:{pos(text, '@, 90')}: error: citation with an empty key")


def test_missing_image_file(project):
    text = VALID_BRIEF + "image:\n  file: images/nope.svg\n  alt: A drawing.\n  credit: Us\n"
    assert only_error(project, text) == f"{FILE}:11:9: error: image file 'images/nope.svg' not found " \
                                        "(paths are relative to briefs/)"


def test_image_path_outside_briefs(project):
    text = VALID_BRIEF + "image:\n  file: ../mkdocs.yml\n  alt: A drawing.\n  credit: Us\n"
    assert "points outside briefs/" in only_error(project, text)


@pytest.mark.parametrize("field", ["alt", "credit"])
def test_image_needs_alt_and_credit(project, field):
    image = {"file": "images/2025-12-components.svg", "alt": "A drawing.", "credit": "Us"}
    del image[field]
    text = VALID_BRIEF + "image:\n" + "".join(f"  {k}: {v}\n" for k, v in image.items())
    assert only_error(project, text) == f"{FILE}:10:1: error: missing required field '{field}' in image"


def test_figures_unknown_and_unused(project):
    text = VALID_BRIEF.replace("  Text with", "  [figure: hal]\n\n  Text with") + (
        "figures:\n  hall:\n    file: images/2025-12-components.svg\n    alt: A drawing.\n    credit: Us\n")
    project.write(NAME, text)
    assert project.errors() == [
        f"{FILE}:{pos(text, '[figure')}: error: unknown figure 'hal' (did you mean 'hall'?)",
        f"{FILE}:{pos(text, 'hall:')}: error: figure 'hall' is defined but never placed "
        "(put [figure: hall] on a line of its own in the body)",
    ]


def test_citation_in_summary_is_rejected(project):
    text = VALID_BRIEF.replace("summary: One sentence.", "summary: One sentence [@cha2012impossible].")
    assert only_error(project, text).startswith(
        f"{FILE}:{pos(text, '[@cha')}: error: citations are only allowed in the body and notes")


def test_unsafe_yaml_tag(project):
    text = VALID_BRIEF.replace("summary: One sentence.", "summary: !!python/object/apply:os.system [ls]")
    error = only_error(project, text)
    assert error.startswith(f"{FILE}:5:10: error: YAML tag 'tag:yaml.org,2002:python/object/apply:os.system'")


def test_empty_file(project):
    assert only_error(project, "") == (
        f"{FILE}:1:1: error: the brief is empty (start from: python build.py new \"Title\")")


def test_file_that_is_a_list(project):
    assert "must be a mapping of fields, not a list" in only_error(project, "- title: x\n")


def test_file_name_must_have_date_and_slug(project):
    project.write("my brief.yml", VALID_BRIEF)
    assert project.errors() == [
        "briefs/my brief.yml:1:1: error: file name must be YYYY-MM-DD-<slug>.yml (the slug uses lowercase letters, "
        "digits and hyphens, e.g. 2024-04-29-defence-enterprise.yml)"]


def test_duplicate_slugs(project):
    project.write("2024-04-29-same.yml", VALID_BRIEF)
    project.write("2024-05-01-same.yml", VALID_BRIEF.replace("date: 2024-04-29", "date: 2024-05-01"))
    assert project.errors() == [
        "briefs/2024-05-01-same.yml:1:1: error: another brief already uses the slug 'same' "
        "(briefs/2024-04-29-same.yml has the same slug; URLs must be unique)"]


def test_unknown_related_brief(project):
    project.write("2024-04-28-other.yml", VALID_BRIEF.replace("date: 2024-04-29", "date: 2024-04-28"))
    text = VALID_BRIEF + "related: [othr]\n"
    project.write(NAME, text)
    assert project.errors() == [f"{FILE}:10:11: error: unknown related brief 'othr' (did you mean 'other'?)"]


def test_non_utf8_file(project):
    (project.briefs / NAME).write_bytes(VALID_BRIEF.encode() + b"body2: caf\xe9\n")
    assert project.errors() == [
        f"{FILE}:10:11: error: file is not valid UTF-8 text (byte 0xe9) (save the file as UTF-8)"]


BIB_OK = "@book{ok2020,\n  author = {Doe, Jane},\n  title = {Fine},\n  date = {2020},\n}\n"


@pytest.mark.parametrize("bad, line, message", [
    ("@book{dup,\n  title = {One},\n  title = {Two},\n}\n", 7, "entry 'dup' has the field 'title' twice"),
    ("@book{ok2020,\n  title = {Again},\n}\n", 7, "duplicate entry key 'ok2020'"),
    ("@book{open,\n  title = {Unclosed,\n  date = {2020}\n\n", 7, "cannot read this .bib entry"),
    ("@weird{w1,\n  title = {W},\n}\n", 7, "unknown entry type '@weird' for 'w1'"),
])
def test_bib_problems_have_their_line(project, bad, line, message):
    project.write("references.bib", BIB_OK + "\n" + bad, dedent=False)
    errors = project.errors()
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"briefs/references.bib:{line}:1: error: {message}")


def test_every_problem_is_reported_at_once(project):
    text = (VALID_BRIEF.replace("sumary", "summary").replace("summary:", "sumary:")
            .replace("@lee2024nucleartest", "@nobody").replace("[jordan-park]", "[nobody]"))
    project.write(NAME, text)
    project.write("2024-01-01-second.yml", VALID_BRIEF.replace("date: 2024-04-29", "date: 2024-13-01"))
    bib = (project.briefs / "references.bib").read_text() + "\n"
    project.write("references.bib", bib + BIB_OK + BIB_OK.replace("Fine", "Twice"), dedent=False)
    duplicate_line = bib.count("\n") + BIB_OK.count("\n") + 1
    errors = project.errors()
    assert [re.match(r"(\S+?):(\d+):\d+: error", e).groups() for e in errors] == [
        ("briefs/2024-01-01-second.yml", "3"),
        ("briefs/2024-04-29-test-brief.yml", "4"),
        ("briefs/2024-04-29-test-brief.yml", "5"),
        ("briefs/2024-04-29-test-brief.yml", "7"),
        ("briefs/references.bib", str(duplicate_line)),
    ]


def test_extra_bibliography_file(project):
    project.write("extra.bib", "@book{extra2020,\n  author = {Roe, Ann},\n  title = {Extra},\n  date = {2020},\n}\n",
                  dedent=False)
    text = VALID_BRIEF.replace("@lee2024nucleartest", "@extra2020")
    project.write(NAME, text)
    assert project.errors() == [
        f"{FILE}:{pos(text, 'extra2020')}: error: unknown citation key 'extra2020' "
        "(add an entry with this key to references.bib)"]
    project.write(NAME, text + "bibliography: [extra.bib]\n")
    assert project.errors() == []


def test_missing_registry(project):
    (project.briefs / "authors.yml").unlink()
    project.write(NAME, VALID_BRIEF)
    assert "briefs/authors.yml:1:1: error: authors.yml is missing (every brief's authors must be listed in it)" \
        in project.errors()


def test_registry_entry_errors(project):
    project.write("series.yml", "quick-take:\n  lable: Quick Take\n")
    project.write(NAME, VALID_BRIEF)
    assert project.errors() == [
        "briefs/series.yml:1:1: error: missing required field 'label' in quick-take",
        "briefs/series.yml:2:3: error: unknown field 'lable' in quick-take (did you mean 'label'?)",
    ]


def test_numeric_note_labels_work(project):
    project.write(NAME, VALID_BRIEF.replace("[^a]", "[^1]").replace("  a: A prose", "  1: A prose"))
    assert project.errors() == []


def test_updated_before_date(project):
    text = VALID_BRIEF + "updated: 2024-04-01\n"
    assert only_error(project, text) == (
        f"{FILE}:10:10: error: 'updated' is earlier than 'date' "
        "(the update date must be on or after the publication date)")


def test_misspelt_topic_is_a_warning_and_unknown_topic_is_fine(project):
    project.write(NAME, VALID_BRIEF + "topics: [econmy, brand-new-topic]\n")
    assert project.errors() == [f"{FILE}:10:10: warning: topic 'econmy' is not in topics.yml (did you mean 'economy'?)"]
    result = project.run("check")
    assert result.returncode == 0
    assert "warning: topic 'econmy'" in result.stderr


@pytest.mark.parametrize("content, expected", [
    ("<style><citation>", "templates/house-chicago-notes.csl:1:18: error: the CSL style is not well-formed XML"),
    ("<html/>", "templates/house-chicago-notes.csl:1:1: error: this file is not a CSL style"),
    ('<style xmlns="http://purl.org/net/xbiblio/csl"/>',
     "templates/house-chicago-notes.csl:1:1: error: the CSL style has no <citation> element"),
])
def test_missing_or_invalid_csl(project, content, expected):
    csl = project.root / "templates" / "house-chicago-notes.csl"
    csl.unlink()
    if content is not None:
        csl.write_text(content)
    project.write(NAME, VALID_BRIEF)
    errors = project.errors()
    assert len(errors) == 1 and errors[0].startswith(expected), errors


def test_missing_author_photo(project):
    text = (project.briefs / "authors.yml").read_text().replace("images/authors/jordan-park.svg", "images/nope.svg")
    project.write("authors.yml", text, dedent=False)
    assert project.errors() == [
        f"briefs/authors.yml:{pos(text, 'images/nope.svg')}: error: photo 'images/nope.svg' of author 'jordan-park' "
        "not found (paths are relative to briefs/)"]


def test_positions_in_lists_with_wrong_items(project):
    text = VALID_BRIEF.replace("[jordan-park]", "[42, jordan-prak]") + "related: [test-brief]\n"
    project.write(NAME, text)
    assert project.errors() == [
        f"{FILE}:4:11: error: 'authors.0' must be text, not 42 (put the value in quotes)",
        f"{FILE}:{pos(text, 'jordan-prak')}: error: unknown author 'jordan-prak' (did you mean 'jordan-park'?)",
        f"{FILE}:10:11: error: a brief cannot be related to itself",
    ]


def test_a_key_in_another_briefs_bibliography_file_is_named_in_the_hint(project):
    """Briefs without their own bibliography are checked before other .bib files are read; one with
    an error is checked again once they are, so the hint can name the file that has the key."""
    (project.root / "briefs/extra.bib").write_text("@book{extrakey2020,\n  author = {Doe, Jane},\n"
                                                   "  title = {Extra},\n  publisher = {P},\n  year = {2020}\n}\n")
    project.write("2024-04-28-other.yml",
                  VALID_BRIEF.replace("date: 2024-04-29", "date: 2024-04-28") + "bibliography: [extra.bib]\n")
    text = VALID_BRIEF.replace("[@lee2024nucleartest, 90]", "[@extrakey2020, 90]")
    error = only_error(project, text)
    assert error.startswith(f"{FILE}:{pos(text, 'extrakey2020')}: error:")
    assert "extrakey2020" in error and "it is in briefs/extra.bib: add that file to bibliography:" in error


def test_loading_without_keeping_briefs_gives_the_same_cards_and_problems(sample_project):
    from briefkit.config import load_config
    from briefkit.load import load_corpus

    sample_project.write("2024-04-30-broken.yml", VALID_BRIEF.replace("jordan-park", "nobody"))
    config = load_config(sample_project.root)
    kept, kept_diags = load_corpus(config)
    lean, lean_diags = load_corpus(config, keep_sources=False)
    assert lean.briefs == [] and len(kept.briefs) == len(kept.cards) > 3
    assert lean.cards == kept.cards
    assert lean_diags.format() == kept_diags.format() and lean_diags.has_errors
