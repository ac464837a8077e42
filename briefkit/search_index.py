"""A static full-text search index in small files, so a reader's first search downloads tens of KB.

The site's pages go in as (url, title, text); out come:

- `manifest.json`: the number of pages and the first term of every chunk;
- `chunks/<hash>.json`: terms in sorted order, each with its postings (pages and weights);
- `pages/<n>.json`: page n's URL, title, series and byline, language and text, for showing a result
  with an excerpt.

The browser (docs/assets/search.js) folds and splits the query exactly as `terms` does here, looks
up the chunks that can hold each term (a term of three characters or more also matches the words it
begins), intersects the pages, ranks them and fetches the records of the first results only.

Postings hold no positions, only a weight per page (how often the word occurs, plus a bonus when it
is in the title), which keeps the chunk of the most common word of a 10,000-page site near 10 KB.

Korean (format 2). Korean glues particles and endings to its words ("요약은", "국방부가") and many of
its nouns have two syllables, below the prefix rule; a word-per-term index would find "요약은" but
never "요약". So a run of Hangul syllables (U+AC00–U+D7A3, after folding) is split from the
characters around it ("icbm을" → "icbm", "을") and indexed as n-grams: each syllable and each pair of
adjacent syllables ("요약은" → 요, 요약, 약, 약은, 은). The browser splits a query the same way and
needs every term, so a Hangul query finds the pages whose text holds each of its syllable pairs (or
its one syllable): "요약" and "요약은" find "요약은", "국방" and "국방부" find "국방부가", "핵" finds
"북핵". A term of a query that another term of the same query holds is left out (`query_terms`:
"요약" asks for 요약 only, not 요 and 약 too), so a query fetches one chunk per syllable pair.
Hangul terms are one or two characters long: the prefix rule never applies to them, and a
one-syllable query is an exact look-up of one term, in one chunk. The pairs need not be next to
each other on the page ("국방부" also finds "국방" + "방부" apart): rare, and shown by the excerpt.
Other scripts are unchanged (a Chinese or Japanese word is one term).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from array import array
from collections import Counter
from dataclasses import dataclass

FORMAT_VERSION = 2  # 2: Hangul indexed as syllables and syllable pairs
CHUNK_BYTES = 24_000  # a chunk closes once its terms and postings pass this many bytes (UTF-8)
# Of a page's text, what its record keeps for excerpts, in UTF-8 bytes: 30,000 Latin letters or
# 10,000 Hangul syllables, so that the first 10 results' records stay under 300 KB in any script
TEXT_BYTES = 30_000
TITLE_BONUS = 8
MAX_WEIGHT = 15  # weights fit in 4 bits

# Postings are written as numbers in base 32, most significant digit first; the first 32 symbols
# end a number, the last 32 mark a digit that more digits follow.
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
# A word of the folded text: a run of Hangul syllables, or of other letters, digits and marks
# (search.js: TOKEN). "icbm을" is two, "icbm" and "을".
_HANGUL = "\uac00-\ud7a3"
_TOKEN = re.compile(rf"[{_HANGUL}]+|[^\W_{_HANGUL}]+")


def fold(text: str) -> str:
    """Lower case without accents or other marks ("Élysée" → "elysee"), as search.js does."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text).lower()
    # the marks among the characters this text uses (a table of every mark would take a third of a second)
    marks = {ord(ch): None for ch in set(decomposed) if unicodedata.category(ch)[0] == "M"}
    return unicodedata.normalize("NFC", decomposed.translate(marks) if marks else decomposed)


def normalize_term(word: str) -> str | None:
    """A folded word as indexed: English plurals lose their s; single Latin letters and digits are dropped."""
    if word.isascii():
        if len(word) < 2:
            return None
        if len(word) > 3 and word[-1] == "s" and word[-2] != "s" and word.isalpha():
            return word[:-1]
    return word


def is_hangul(word: str) -> bool:
    """Whether a token of the folded text is a run of Hangul syllables (tokens are all Hangul or none)."""
    return "\uac00" <= word[0] <= "\ud7a3"


def token_terms(word: str) -> list[str]:
    """The terms of one token of the folded text: a Hangul run's syllables and syllable pairs, in
    order ("요약은" → 요, 요약, 약, 약은, 은); any other word normalized (normalize_term), or none."""
    if is_hangul(word):
        out = []
        for i in range(len(word) - 1):
            out += (word[i], word[i:i + 2])
        out.append(word[-1])
        return out
    term = normalize_term(word)
    return [] if term is None else [term]


def terms(text: str) -> list[str]:
    """The terms of a text, in order, as both the index and the browser see them."""
    out: list[str] = []
    for word in _TOKEN.findall(fold(text)):
        if word.isascii():  # most words: no Hangul, one term at most
            term = normalize_term(word)
            if term is not None:
                out.append(term)
        else:
            out += token_terms(word)
    return out


def query_terms(text: str) -> list[str]:
    """The terms the browser looks up for a query (search.js: queryTerms): each term of `terms` once,
    in order, without a syllable that a syllable pair of the query holds ("요약" → 요약: a page with
    the pair has its syllables)."""
    wanted = list(dict.fromkeys(terms(text)))
    pairs = "\0".join(t for t in wanted if len(t) == 2 and is_hangul(t))
    return [t for t in wanted if not (len(t) == 1 and is_hangul(t) and t in pairs)]


def encode_number(value: int) -> str:
    digits = [ALPHABET[value & 31]]
    value >>= 5
    while value:
        digits.append(ALPHABET[32 + (value & 31)])
        value >>= 5
    return "".join(reversed(digits))


def decode_numbers(text: str) -> list[int]:
    numbers, value = [], 0
    for char in text:
        digit = ALPHABET.index(char)
        value = (value << 5) | (digit & 31)
        if digit < 32:
            numbers.append(value)
            value = 0
    return numbers


_CODES = [encode_number(v) for v in range(1 << 12)]


def encode_postings(postings: list[tuple[int, int]]) -> str:
    """(page, weight) pairs sorted by page → one string: each pair is (page gap × 16 + weight)."""
    parts, previous = [], 0
    for page, weight in postings:
        value = ((page - previous) << 4) | weight
        parts.append(_CODES[value] if value < 4096 else encode_number(value))
        previous = page
    return "".join(parts)


def decode_postings(text: str) -> list[tuple[int, int]]:
    out, page = [], 0
    for value in decode_numbers(text):
        page += value >> 4
        out.append((page, value & 15))
    return out


def utf16_order(term: str) -> bytes:
    """Sort key matching JavaScript's string comparison (UTF-16 code units)."""
    return term.encode("utf-16-be")


@dataclass(frozen=True)
class PageRecord:
    url: str  # relative to the site root, e.g. "2024/04/slug/"
    title: str
    lang: str
    text: str  # what excerpts are taken from
    meta: str = ""  # searched too, and shown under the title (series, byline)


def term_counts(text: str) -> Counter:
    """How often each term occurs in a text (terms() counted: each distinct word split once)."""
    counts: Counter = Counter()
    for word, count in Counter(_TOKEN.findall(fold(text))).items():
        for term in token_terms(word):
            counts[term] += count
    return counts


def term_weights(record: PageRecord) -> dict[str, int]:
    """How much each term of a page weighs in the index (the engine keeps this with each page)."""
    counts = term_counts(record.text)
    counts.update(term_counts(record.meta))
    for term in set(terms(record.title)):
        counts[term] += TITLE_BONUS
    return {term: min(count, MAX_WEIGHT) for term, count in counts.items()}


class IndexBuilder:
    """Collects pages in any order; `files()` numbers them by URL, so the same pages give the same bytes."""

    def __init__(self, chunk_bytes: int = CHUNK_BYTES) -> None:
        self.chunk_bytes = chunk_bytes
        self._urls: list[str] = []
        self._records: list[bytes] = []  # each page's record file, by arrival (encoded at once: 10,000 add up)
        self._postings: dict[str, array] = {}  # term → (arrival number << 4 | weight), in arrival order

    def __len__(self) -> int:
        return len(self._records)

    def add(self, record: PageRecord, weights: dict[str, int] | None = None) -> None:
        """Add a page; `weights` are its term_weights, when the caller has them already."""
        number = len(self._records)
        self._urls.append(record.url)
        self._records.append(_json({"url": record.url, "title": record.title, "meta": record.meta,
                                    "lang": record.lang, "text": _cut(record.text, TEXT_BYTES)}))
        postings = self._postings
        for term, weight in (term_weights(record) if weights is None else weights).items():
            slot = postings.get(term)
            if slot is None:
                slot = postings[term] = array("Q")
            slot.append((number << 4) | weight)

    def files(self) -> dict[str, bytes]:
        """Every file of the index by its path inside the bundle."""
        order = sorted(range(len(self._urls)), key=lambda i: (self._urls[i], self._records[i]))
        final = array("Q", [0]) * len(order)
        for position, arrival in enumerate(order):
            final[arrival] = position
        out: dict[str, bytes] = {}
        for position, arrival in enumerate(order):
            out[f"pages/{position}.json"] = self._records[arrival]
        chunks: list[list[str]] = []
        current: dict[str, str] = {}
        size = 0
        for term in sorted(self._postings, key=utf16_order):
            pairs = sorted((final[v >> 4], v & 15) for v in self._postings[term])
            current[term] = encoded = encode_postings(pairs)
            size += len(term.encode("utf-8")) + len(encoded) + 6  # "term":"postings",
            if size >= self.chunk_bytes:
                chunks.append(self._write_chunk(current, out))
                current, size = {}, 0
        if current:
            chunks.append(self._write_chunk(current, out))
        out["manifest.json"] = _json({"version": FORMAT_VERSION, "pages": len(order), "chunks": chunks})
        return out

    @staticmethod
    def _write_chunk(entries: dict[str, str], out: dict[str, bytes]) -> list[str]:
        data = _json(entries)
        name = hashlib.sha256(data).hexdigest()[:12]
        out[f"chunks/{name}.json"] = data
        return [next(iter(entries)), name]


def _cut(text: str, limit: int) -> str:
    """The longest start of `text` whose UTF-8 takes at most `limit` bytes."""
    if len(text) <= limit // 4:  # no character takes more than 4 bytes
        return text
    return text.encode("utf-8")[:limit].decode("utf-8", "ignore")


def _json(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
