"""The static search index (briefkit/search_index.py) and the browser's search code (docs/assets/search.js),
run with Node against the same index."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit.search import page_record, write_bundle
from briefkit.search_index import (
    IndexBuilder,
    PageRecord,
    decode_postings,
    encode_postings,
    terms,
    utf16_order,
)

SEARCH_JS = Path(__file__).resolve().parents[2] / "docs/assets/search.js"


def node(script: str, payload) -> object:
    executable = shutil.which("node")
    assert executable, "Node.js is needed to test the browser's search code (make test installs it in CI)"
    result = subprocess.run([executable, "-e", script, str(SEARCH_JS)], input=json.dumps(payload),
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout)


def run_search(bundle: Path, queries: list[str]) -> list[list[int]]:
    """Page numbers found by search.js for each query, best first."""
    script = """
const s = require(process.argv[1]);
const fs = require('fs');
const queries = JSON.parse(fs.readFileSync(0, 'utf8'));
const base = queries.shift();
const search = new s.Search(base, p => Promise.resolve(JSON.parse(fs.readFileSync(p, 'utf8'))));
Promise.all(queries.map(q => search.query(q)))
  .then(rs => console.log(JSON.stringify(rs.map(r => r.hits.map(h => h.page)))));
"""
    return node(script, [str(bundle) + "/", *queries])


@settings(max_examples=200)
@given(st.lists(st.tuples(st.integers(0, 50_000), st.integers(1, 15)), unique_by=lambda t: t[0]))
def test_postings_round_trip(pairs):
    pairs.sort()
    assert decode_postings(encode_postings(pairs)) == pairs


def test_terms_fold_case_accents_and_plurals():
    assert terms("Élysée talks: Kim’s SHELLS, 240-mm; class a 7") == \
        ["elysee", "talk", "kim", "shell", "240", "mm", "class"]
    assert terms("북한의 경제") == ["북한의", "경제"]


def random_texts(count: int, seed: int = 7) -> list[str]:
    """Texts mixing scripts, accents (composed and not), digits, punctuation and odd spacing."""
    rng = random.Random(seed)
    pieces = ["Élysée", "e\u0301te\u0301", "Straße", "İstanbul", "ΣΟΦΙΑ", "Ünïcödé", "北韓", "북한의", "경제",
              "ﬁnance", "½", "x²", "Kim’s", "O'Neil", "shells", "class", "is", "a", "7", "2024", "co-op",
              "naïve", "Ångström", "ß", "ǅemal", "\u00a0", "—", "…", "_under_", "ÆON", "ﬀ", "𝐁old", "😀"]
    return [" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(count)]


def test_browser_splits_and_folds_words_as_the_index_does():
    texts = random_texts(400)
    script = """
const s = require(process.argv[1]);
const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(texts.map(t => s.terms(t))));
"""
    assert node(script, texts) == [terms(t) for t in texts]


def brute_force(vocabularies: list[set[str]], query: str) -> set[int]:
    """Pages (by number) whose words hold every query term, a term of 3+ characters also as a prefix."""
    found = None
    for term in set(terms(query)):
        holders = set()
        for number, words in enumerate(vocabularies):
            if any(w == term or (len(term) >= 3 and w.startswith(term)) for w in words):
                holders.add(number)
        found = holders if found is None else found & holders
    return found or set()


def test_browser_finds_exactly_the_pages_holding_every_term(tmp_path):
    rng = random.Random(3)
    vocabulary = sorted({"".join(rng.choice("abcdefghik") for _ in range(rng.randint(2, 6))) for _ in range(3000)})
    pages = [PageRecord(f"p/{i:04d}/", " ".join(rng.sample(vocabulary, 3)), "en",
                        " ".join(rng.choices(vocabulary, weights=[1 / (r + 1) for r in range(len(vocabulary))], k=300)))
             for i in range(300)]
    builder = IndexBuilder(chunk_chars=2_000)
    for p in pages:
        builder.add(p)
    files = builder.files()
    manifest = json.loads(files["manifest.json"])
    assert len(manifest["chunks"]) > 20  # the test covers lookups across chunk boundaries
    assert all(len(data) < 2_000 + 400 for path, data in files.items() if path.startswith("chunks/"))
    write_bundle(tmp_path, files)
    queries = [" ".join(rng.sample(vocabulary, rng.randint(1, 2))) for _ in range(150)]
    queries += [w[:3] for w in rng.sample(vocabulary, 40)] + [w[:2] for w in rng.sample(vocabulary, 20)]
    queries += [chunk[0] for chunk in manifest["chunks"]]  # the first term of each chunk
    found = run_search(tmp_path, queries)
    by_url = sorted(pages, key=lambda p: p.url)
    vocabularies = [set(terms(p.text)) | set(terms(p.title)) for p in by_url]
    for query, hits in zip(queries, found, strict=True):
        assert len(hits) == len(set(hits))
        assert set(hits) == brute_force(vocabularies, query), query


def test_title_words_rank_first(tmp_path):
    pages = [PageRecord("a/", "Other things", "en", "sanctions " * 3),
             PageRecord("b/", "Sanctions at sea", "en", "a brief about sanctions")]
    builder = IndexBuilder()
    for p in pages:
        builder.add(p)
    write_bundle(tmp_path, builder.files())
    assert run_search(tmp_path, ["sanctions"]) == [[1, 0]]


@settings(max_examples=25, deadline=None)
@given(st.permutations(range(12)))
def test_same_pages_in_any_order_give_the_same_bytes(order):
    pages = [PageRecord(f"u/{i}/", f"Title {i}", "en", " ".join(f"w{(i * j) % 37}" for j in range(60)))
             for i in range(12)]
    first, second = IndexBuilder(), IndexBuilder()
    for p in pages:
        first.add(p)
    for i in order:
        second.add(pages[i])
    assert first.files() == second.files()


def test_chunks_are_in_the_browser_sort_order():
    builder = IndexBuilder()
    builder.add(PageRecord("a/", "", "en", "zebra 𝐁old ｆull Ωmega éclair apple " * 500))
    manifest = json.loads(builder.files()["manifest.json"])
    firsts = [c[0] for c in manifest["chunks"]]
    assert firsts == sorted(firsts, key=utf16_order)


PAGE = """<!doctype html><html lang="en"><head><title>Site page</title></head><body>
<nav>Menu words</nav>
<div data-search-body><article lang="ko"><h1>제목 Title<a class="headerlink" href="#t">¶</a></h1>
<p class="brief-series"><a href="#">Quick Take</a></p><p class="brief-byline">By <a href="#">Mina Cho</a></p>
<p class="brief-dates"><time>April 1</time></p>
<p>First<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup> para<em>graph</em>.</p><p>Second</p>
<script>var hidden = 1;</script>
<aside data-search-ignore>Ignored aside</aside>
<aside class="brief-support"><p>Support our work</p></aside><nav class="brief-share"><p>Share: E-mail</p></nav>
<ol><li>Note text <a class="footnote-backref" href="#fnref:1">↩</a></li></ol></article></div>
<footer>Footer words</footer></body></html>"""


def test_page_record_keeps_the_marked_content_only():
    record = page_record("2024/04/x/", PAGE)
    assert record == PageRecord("2024/04/x/", "제목 Title", "ko", "First paragraph. Second Note text",
                                "Quick Take · By Mina Cho")
    assert page_record("tags/", PAGE.replace("data-search-body", "data-other")) is None


@pytest.mark.parametrize("text", ["", "   ", "!!!"])
def test_pages_without_words_are_still_records(text):
    builder = IndexBuilder()
    builder.add(PageRecord("a/", "", "en", text))
    files = builder.files()
    assert json.loads(files["manifest.json"]) == {"version": 1, "pages": 1, "chunks": []}


@given(st.text(alphabet=st.sampled_from("ab sS é가 1'-.,Ä"), max_size=60))
def test_term_counts_are_the_terms_counted(text):
    """term_counts (each distinct word normalized once) counts what terms() lists."""
    from collections import Counter

    from briefkit.search_index import term_counts, terms

    assert term_counts(text) == Counter(terms(text))


def test_a_bundle_written_again_changes_only_what_differs_and_never_a_file_in_place(tmp_path):
    bundle, witness = tmp_path / "bundle", tmp_path / "witness"
    first = {"manifest.json": b"{1}", "pages/0.json": b"zero", "pages/1.json": b"one", "chunks/aa.json": b"a",
             "old/x.json": b"gone later"}
    write_bundle(bundle, first)
    for path in first:  # hard links, as in a dirty build's copy of the published site
        (witness / path).parent.mkdir(parents=True, exist_ok=True)
        os.link(bundle / path, witness / path)
    inodes = {path: (bundle / path).stat().st_ino for path in first}
    second = {"manifest.json": b"{2}", "pages/0.json": b"zero", "pages/1.json": b"one!", "chunks/bb.json": b"b"}
    (bundle / "stray.tmp").write_bytes(b"left by someone")
    write_bundle(bundle, second)
    found = {p.relative_to(bundle).as_posix(): p.read_bytes() for p in bundle.rglob("*") if p.is_file()}
    assert found == second
    assert not (bundle / "old").exists()  # a folder left empty goes too
    assert (bundle / "pages/0.json").stat().st_ino == inodes["pages/0.json"]  # the same bytes: left alone
    assert (bundle / "pages/1.json").stat().st_ino != inodes["pages/1.json"]
    assert {p.relative_to(witness).as_posix(): p.read_bytes() for p in witness.rglob("*") if p.is_file()} == first
