"""Fuzzing: generated briefs never crash the build (a clean build or contract errors, nothing else),
and never put executable script into the published HTML."""

from __future__ import annotations

import json
import re
import shutil

import markdown
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefkit.config import load_config
from briefkit.diagnostics import EditorError
from briefkit.generate import generate
from briefkit.html import EXTENSIONS
from briefkit.sanitize import clean
from conftest import assert_inert, make_project

CONTRACT_LINE = re.compile(r"^\S[^:]*:\d+:\d+: (error|warning): .+$")
KEYS = ["lee2024nucleartest", "carlin2023plenum", "cha2012impossible", "nokey"]
PIECES = st.sampled_from([
    "[", "]", "^", "@", "[@", "[^", "[^a]", "[^b]", "; ", ", ", "[see @lee2024nucleartest, 12]", "[@cha2012impossible]",
    "[@{odd}]", "-@", "`", "*", "_", "#", "\n\n", "> ", "- ", "<b>", "</b>", "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">', '<a href="javascript:alert(1)">x</a>', "[x](javascript:alert(1))",
    "<iframe src=x></iframe>", "{{ 7*7 }}", "{% raw %}", "#set page(width: 1cm)", "\\", "|", "&amp;", "&",
    "\u05e9\u05dc\u05d5\u05dd", "e\u0301", "\u202e", "한국어", "北朝鮮", "[figure: x]", "\t", "\u00a0", "…",
])
TEXT = st.lists(st.one_of(PIECES, st.text(max_size=6)), max_size=25).map("".join)
# text without brackets, carets or at-signs: most of it makes valid briefs, so the HTML checks run often
PROSE = st.lists(st.one_of(PIECES.filter(lambda p: not set(p) & set("[]^@")),
                           st.text(alphabet=st.characters(blacklist_characters="[]^@\\`",
                                                          blacklist_categories=("Cs",)), max_size=6)),
                 max_size=25).map("".join)
NOTE = st.lists(st.one_of(PROSE, st.sampled_from(["[see @lee2024nucleartest, 12]", "[@cha2012impossible]"])),
                max_size=4).map(" ".join)




@pytest.fixture(scope="module")
def fuzz_project(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("fuzz"), shared_cache)
    config = project.root / "mkdocs.yml"
    config.write_text(config.read_text().replace("    pdf: true ", "    pdf: false "))
    return project


RENDERED = {"count": 0}  # how many generated briefs got through to HTML (see the last test)


def build_in_process(project, text: str | bytes, pdf: bool = False) -> None:
    """Check and generate as `python build.py` does, then render the pages as the site engine would."""
    for old in project.briefs.glob("2024-*.yml"):
        old.unlink()
    path = project.briefs / "2024-05-01-fuzz.yml"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
    shutil.rmtree(project.root / ".build", ignore_errors=True)
    try:
        generation = generate(load_config(project.root), write=False, pdfs=None if pdf else set())
    except EditorError as exc:
        lines = exc.diagnostics.format().splitlines()
        assert lines and all(CONTRACT_LINE.match(line) for line in lines), lines
        return
    RENDERED["count"] += 1
    for rel, content in generation.pages.items():
        if rel.endswith(".md"):
            body = content.split("\n---\n", 1)[-1]
            assert_inert(clean(markdown.markdown(body, extensions=EXTENSIONS)))


YAML_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), TEXT),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.sampled_from(["title", "date", "body", "notes", "authors", "a",
                                                                "image", "file", "x"]), children, max_size=4)),
    max_leaves=12)


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(value=YAML_VALUES)
def test_random_yaml_never_crashes(fuzz_project, value):
    build_in_process(fuzz_project, yaml.safe_dump(value, allow_unicode=True))


@settings(max_examples=160, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(title=PROSE, body=st.one_of(TEXT, PROSE), note_a=st.one_of(TEXT, NOTE), note_b=NOTE, caption=PROSE,
       summary=PROSE)
def test_random_markdown_never_crashes_and_stays_inert(fuzz_project, title, body, note_a, note_b, caption, summary):
    brief = {"title": title or "T", "series": "quick-take", "date": "2024-05-01", "authors": ["jordan-park"],
             "summary": summary, "body": (body or "B") + " [^a] [^b]",
             "image": {"file": "images/2025-12-components.svg", "alt": "A", "caption": caption, "credit": "C"},
             "notes": {"a": note_a or "N", "b": note_b or "M"}}
    build_in_process(fuzz_project, json.dumps(brief, ensure_ascii=False).replace('"2024-05-01"', "2024-05-01"))


@settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                 HealthCheck.too_slow])
@given(body=st.one_of(TEXT, PROSE), note=NOTE)
def test_random_markdown_prints_or_reports(fuzz_project, body, note):
    brief = {"title": "T", "date": "2024-05-01", "authors": ["jordan-park"], "body": (body or "B") + "[^a]",
             "notes": {"a": note or "N"}}
    build_in_process(fuzz_project, json.dumps(brief, ensure_ascii=False).replace('"2024-05-01"', "2024-05-01"),
                     pdf=True)


def test_fuzzing_reached_the_html():
    """Most generated Markdown is valid: the inertness checks above really ran on rendered pages."""
    assert RENDERED["count"] >= 30, RENDERED
