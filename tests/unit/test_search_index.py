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
    FORMAT_VERSION,
    IndexBuilder,
    PageRecord,
    decode_postings,
    encode_postings,
    fold,
    query_terms,
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
    assert terms("北韓") == ["北韓"]  # other scripts: a word is a term


def test_hangul_is_indexed_as_syllables_and_syllable_pairs():
    assert terms("요약은") == ["요", "요약", "약", "약은", "은"]
    assert terms("북한의 경제") == ["북", "북한", "한", "한의", "의", "경", "경제", "제"]
    assert terms("핵") == ["핵"]
    # Hangul is split from the letters and digits around it; those keep their rules (plurals, 1 letter)
    assert terms("ICBMs을 2025년 a급") == ["icbm", "을", "2025", "년", "급"]
    assert terms("8,700톤급") == ["700", "톤", "톤급", "급"]
    # a query asks for the syllable pairs only: a page holding a pair holds its syllables
    assert query_terms("요약은") == ["요약", "약은"]
    assert query_terms("요약") == ["요약"]
    assert query_terms("국방부 국") == ["국방", "방부"]
    assert query_terms("핵 ICBMs을") == ["핵", "icbm", "을"]
    assert query_terms("요약 요약") == ["요약"]


def test_hangul_survives_folding_and_jamo_compose():
    """fold (NFKD, marks dropped, NFC) gives syllables back; compatibility and half-width jamo become
    conjoining jamo, and a leading and a vowel jamo make a syllable (as they do in search.js)."""
    syllables = "".join(chr(c) for c in range(0xAC00, 0xD7A4))
    assert fold(syllables) == syllables
    assert fold("\u1100\u1161\u11a8") == "각"  # conjoining jamo (NFD text)
    assert fold("ㄱㅏ") == "가" and fold("\uffa1\uffc2") == "가"  # compatibility, half-width
    assert fold("가\u0301\u302e") == "가"  # marks (an accent, a Hangul tone mark) are dropped
    assert terms("ᄀ") == ["ᄀ"]  # a lone jamo is not a syllable: a word of its own


def random_texts(count: int, seed: int = 7) -> list[str]:
    """Texts mixing scripts, accents (composed and not), digits, punctuation and odd spacing."""
    rng = random.Random(seed)
    pieces = ["Élysée", "e\u0301te\u0301", "Straße", "İstanbul", "ΣΟΦΙΑ", "Ünïcödé", "北韓", "북한의", "경제",
              "국방부가", "ICBM을", "2025년", "8,700톤급", "ㄱㅏ", "\u1100\u1161\u11a8", "ﾡﾂ", "가\u0301", "요약은?",
              "ﬁnance", "½", "x²", "Kim’s", "O'Neil", "shells", "class", "is", "a", "7", "2024", "co-op",
              "naïve", "Ångström", "ß", "ǅemal", "\u00a0", "—", "…", "_under_", "ÆON", "ﬀ", "𝐁old", "😀"]
    return [" ".join(rng.choice(pieces) for _ in range(rng.randint(0, 12))) for _ in range(count)]


BROWSER_TERMS = """
const s = require(process.argv[1]);
const texts = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(texts.map(t => [s.terms(t), s.queryTerms(t)])));
"""


def test_browser_splits_and_folds_words_as_the_index_does():
    texts = random_texts(400)
    assert node(BROWSER_TERMS, texts) == [[terms(t), query_terms(t)] for t in texts]


# Hangul syllables (first, last and some between), conjoining jamo (leading, vowel, trailing, the
# extended blocks, fillers), compatibility and half-width jamo, a tone mark, Latin, digits, punctuation
KOREAN_MIX = st.sampled_from(
    ["가", "각", "힣", "요", "약", "은", "국", "방", "부", "의", "핵", "\uac01", "\ud7a3", "\ubdc1",
     "\u1100", "\u1112", "\u115f", "\u1160", "\u1161", "\u1175", "\u11a8", "\u11c2", "\u11ff",
     "\ua960", "\ud7b0", "\ud7cb", "ㄱ", "ㅏ", "ㅎ", "ㆎ", "\u3164", "\uffa0", "\uffa1", "\uffc2", "\uffdc",
     "\u302e", "\u0301", "a", "Z", "é", "s", "İ", "0", "7", " ", "\u00a0", ".", ",", "-", "'", "_", "·", "…"])


@settings(max_examples=30, deadline=None)
@given(st.lists(st.text(alphabet=KOREAN_MIX, max_size=24), min_size=1, max_size=60))
def test_browser_splits_korean_as_the_index_does(texts):
    """Property: Python's terms and query terms and search.js's are the same on any mix of Hangul
    syllables, jamo of every block, Latin, digits and punctuation."""
    assert node(BROWSER_TERMS, texts) == [[terms(t), query_terms(t)] for t in texts]


def brute_force(vocabularies: list[set[str]], query: str) -> set[int]:
    """Pages (by number) whose words hold every query term, a term of 3+ characters also as a prefix."""
    found = None
    for term in query_terms(query):
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
    builder = IndexBuilder(chunk_bytes=2_000)
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


KOREAN_PAGES = [
    PageRecord("ko/summary/", "요약: 새 공장", "ko", "본 요약은 여러 언론 보도를 바탕으로 작성되었습니다."),
    PageRecord("ko/ministry/", "국방부 발표", "ko", "국방부가 ICBM을 시험했다고 밝혔다. 북핵 문제는 오래되었다."),
    PageRecord("ko/other/", "경제 동향", "ko", "요구와 국가 경제의 방향을 다룬 글이다. 부가 가치."),
    PageRecord("en/x/", "Economy", "en", "A brief about sanctions and the ICBM."),
]


def korean_bundle(tmp_path: Path) -> list[str]:
    """KOREAN_PAGES indexed into tmp_path (small chunks: lookups cross them); their URLs by page number."""
    builder = IndexBuilder(chunk_bytes=120)
    for p in KOREAN_PAGES:
        builder.add(p)
    files = builder.files()
    assert len(json.loads(files["manifest.json"])["chunks"]) > 10
    write_bundle(tmp_path, files)
    return sorted(p.url for p in KOREAN_PAGES)


@pytest.mark.parametrize(("query", "expected"), [
    ("요약", ["ko/summary/"]),  # the word without its particle
    ("요약은", ["ko/summary/"]),  # and with it
    ("요약을", []),  # another particle: not on the page
    ("국방", ["ko/ministry/"]),
    ("국방부", ["ko/ministry/"]),
    ("국방부가", ["ko/ministry/"]),
    ("방부", ["ko/ministry/"]),  # part of a word
    ("핵", ["ko/ministry/"]),  # one syllable, at the end of a word ("북핵")
    ("북", ["ko/ministry/"]),  # one syllable, at its start
    ("icbm", ["en/x/", "ko/ministry/"]),  # Latin glued to a particle ("ICBM을") is a word of its own
    ("ICBM을", ["ko/ministry/"]),
    ("국방부 시험", ["ko/ministry/"]),
    ("경제", ["ko/other/"]),
    ("경제 요약", []),
    ("공장", ["ko/summary/"]),  # in the title only
    ("요약 sanctions", []),
])
def test_browser_finds_korean_words_with_particles_and_parts(tmp_path, query, expected):
    urls = korean_bundle(tmp_path)
    [hits] = run_search(tmp_path, [query])
    assert sorted(urls[n] for n in hits) == expected


def test_korean_title_words_rank_first(tmp_path):
    pages = [PageRecord("a/", "경제 동향", "ko", "국방부가 밝혔다. " * 3),
             PageRecord("b/", "국방부 발표", "ko", "국방부는 말했다.")]
    builder = IndexBuilder()
    for p in pages:
        builder.add(p)
    write_bundle(tmp_path, builder.files())
    assert run_search(tmp_path, ["국방부", "국방", "국"]) == [[1, 0]] * 3


def korean_oracle(texts: list[str], query: str) -> set[int]:
    """Pages (by number) holding every syllable pair (or the one syllable) of every Hangul word of the
    query, by substring search in the folded text: independent of the index's terms."""
    import re

    found = set(range(len(texts)))
    folded = [fold(t) for t in texts]
    for word in re.findall("[\uac00-\ud7a3]+", fold(query)):
        parts = [word] if len(word) == 1 else [word[i:i + 2] for i in range(len(word) - 1)]
        found &= {n for n, text in enumerate(folded) if all(part in text for part in parts)}
    return found


def test_browser_finds_exactly_the_korean_pages_holding_the_query(tmp_path):
    """Random Korean pages (nouns with particles) against random queries: whole words, words without
    their particle, single syllables and parts of words."""
    rng = random.Random(11)
    nouns = ["요약", "국방부", "국방", "공장", "러시아", "미사일", "포탄", "핵", "북한", "경제", "계획", "생산", "관영",
             "매체", "위원장", "전쟁", "억제력", "수출", "잠수함", "당대회", "시찰", "부", "국가", "방부제", "약"]
    particles = ["", "", "은", "는", "이", "가", "을", "를", "의", "에", "에서", "으로", "와", "과", "도", "만"]
    words = [n + p for n in nouns for p in particles]
    pages = [PageRecord(f"k/{i:03d}/", " ".join(rng.sample(words, 2)), "ko",
                        " ".join(rng.choices(words, k=rng.randint(1, 12))))
             for i in range(120)]
    builder = IndexBuilder(chunk_bytes=600)
    for p in pages:
        builder.add(p)
    write_bundle(tmp_path, builder.files())
    queries = [rng.choice(words) for _ in range(60)] + nouns
    queries += [w[rng.randrange(len(w)):][:rng.randint(1, 3)] for w in rng.sample(words, 60)]
    queries += [f"{rng.choice(nouns)} {rng.choice(words)}" for _ in range(30)]
    found = run_search(tmp_path, queries)
    by_url = sorted(pages, key=lambda p: p.url)
    texts = [f"{p.title} {p.text}" for p in by_url]
    for query, hits in zip(queries, found, strict=True):
        assert len(hits) == len(set(hits))
        assert set(hits) == korean_oracle(texts, query), query
    assert sum(map(len, found)) > 500  # the queries do find pages


def excerpt(text: str, query: str) -> list[list]:
    script = """
const s = require(process.argv[1]);
const [text, query] = JSON.parse(require('fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(s.excerpt(text, s.queryTerms(query)).map(p => [p.text, p.mark])));
"""
    return node(script, [text, query])


def test_excerpt_marks_the_matching_syllables_inside_a_korean_word():
    text = "국방부가 새 ICBM을 시험했다고 국방부는 밝혔다. 북핵"
    assert excerpt(text, "국방부") == [["국방부", True], ["가 새 ICBM을 시험했다고 ", False], ["국방부", True],
                                       ["는 밝혔다. 북핵", False]]
    assert excerpt(text, "icbm 핵") == [["국방부가 새 ", False], ["ICBM", True],
                                        ["을 시험했다고 국방부는 밝혔다. 북", False], ["핵", True]]
    assert excerpt("Sanctions were sanctioned.", "sanction") == [["Sanctions", True], [" were ", False],
                                                                 ["sanctioned", True]]


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
    builder.add(PageRecord("a/", "", "en", "zebra 𝐁old ｆull Ωmega éclair apple 국방부가 北韓 ᄀ " * 500))
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


def test_records_keep_at_most_30_kb_of_text_in_any_script():
    """A first search fetches 10 records: Hangul (3 bytes in UTF-8) is cut by bytes, not characters."""
    builder = IndexBuilder()
    builder.add(PageRecord("en/", "", "en", "word " * 10_000))
    builder.add(PageRecord("ko/", "", "ko", "국방부가 " * 10_000))
    builder.add(PageRecord("mix/", "", "ko", "가" * 9_999 + "😀 more"))
    files = builder.files()
    texts = {r["url"]: r["text"] for r in (json.loads(files[f"pages/{n}.json"]) for n in range(3))}
    assert texts["en/"] == ("word " * 6_000)[:30_000]
    assert texts["ko/"] == ("국방부가 " * 10_000)[:2_307 * 5 + 3]  # 13 bytes each "국방부가 ", 3 of 3 bytes
    assert texts["mix/"] == "가" * 9_999  # no character cut in half
    assert all(len(files[f"pages/{n}.json"]) < 30_300 for n in range(3))


def test_page_record_keeps_hangul_as_syllables():
    """Hangul typed as jamo (NFD) is kept composed, so that excerpts mark the syllables searched for."""
    import unicodedata

    html = PAGE.replace("First", unicodedata.normalize("NFD", "국방부가 밝혔다"))
    record = page_record("2024/04/x/", html)
    assert record.text.startswith("국방부가 밝혔다 paragraph.")
    assert excerpt(record.text, "국방부")[0] == ["국방부", True]


@pytest.mark.parametrize("text", ["", "   ", "!!!"])
def test_pages_without_words_are_still_records(text):
    builder = IndexBuilder()
    builder.add(PageRecord("a/", "", "en", text))
    files = builder.files()
    assert json.loads(files["manifest.json"]) == {"version": FORMAT_VERSION, "pages": 1, "chunks": []}


@given(st.text(alphabet=st.sampled_from("ab sS é가나다 1'-.,Äㄱㅏ"), max_size=60))
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
