"""Korean search on the built sample site: the browser's search code (docs/assets/search.js, run with
Node) over the index the build wrote finds the Korean brief by a word without the particle or ending
it has on the page ("계획" for "계획을", "계획은"), as search_index.py's Hangul n-grams promise."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from test_search_index import excerpt, run_search

from conftest import make_project

KOREAN_BRIEF = "2025/12/munitions-expansion-summary-ko/"  # briefs/2025-12-28-munitions-expansion-summary-ko.yml
ENGLISH_SUMMARY = "2025/12/munitions-expansion-summary/"  # in English, with the series' Korean disclaimer


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, shared_cache) -> Path:
    project = make_project(tmp_path_factory.mktemp("site"), shared_cache, with_samples=True)
    result = project.run()
    assert result.returncode == 0, result.stderr
    return project.root / "site/search-index"


def records(bundle: Path) -> list[dict]:
    """The index's page records by page number."""
    pages = {int(p.stem): json.loads(p.read_text(encoding="utf-8")) for p in (bundle / "pages").iterdir()}
    return [pages[n] for n in range(len(pages))]


def korean_words(text: str) -> set[str]:
    return set(re.findall("[\uac00-\ud7a3]+", text))


def test_the_korean_brief_is_indexed_in_korean(bundle):
    record = next(r for r in records(bundle) if r["url"] == KOREAN_BRIEF)
    assert record["lang"] == "ko"
    assert "해석된다" in record["text"] and "계획을" in record["text"]


@pytest.mark.parametrize("query", ["계획", "러시아", "공장", "해석", "계획을", "러시아의", "해석된다", "공장 계획"])
def test_search_finds_the_korean_brief_by_a_word_without_its_particle(bundle, query):
    [hits] = run_search(bundle, [query])
    assert [records(bundle)[n]["url"] for n in hits] == [KOREAN_BRIEF]


def test_the_words_are_on_the_page_only_with_a_particle_or_an_ending(bundle):
    """What the test above proves: "해석" is nowhere on the page as a word of its own ("해석된다",
    "해석했다"), and "계획" only in the title ("계획은", "계획을" in the text)."""
    record = next(r for r in records(bundle) if r["url"] == KOREAN_BRIEF)
    words = korean_words(record["text"])
    assert "해석" not in korean_words(f"{record['title']} {record['text']} {record['meta']}")
    assert "계획" not in words and "계획은" in words and "계획을" in words
    assert {"해석된다", "해석했다"} <= words
    [hits] = run_search(bundle, ["해석된다 계획은"])
    assert [records(bundle)[n]["url"] for n in hits] == [KOREAN_BRIEF]


def test_a_korean_title_word_ranks_first(bundle):
    """"요약" is in the Korean brief's title and in the English summary's Korean disclaimer ("본 요약은")."""
    [hits] = run_search(bundle, ["요약"])
    assert [records(bundle)[n]["url"] for n in hits] == [KOREAN_BRIEF, ENGLISH_SUMMARY]


def test_the_result_excerpt_marks_the_word_inside_its_korean_word(bundle):
    record = next(r for r in records(bundle) if r["url"] == KOREAN_BRIEF)
    pieces = excerpt(record["text"], "계획")
    marked = [i for i, (text, mark) in enumerate(pieces) if mark]
    assert marked and all(pieces[i][0] == "계획" for i in marked)
    assert any(pieces[i + 1][0][:1] in ("은", "을") for i in marked if i + 1 < len(pieces))
    assert "".join(text for text, _ in pieces).strip("… ") in record["text"]
