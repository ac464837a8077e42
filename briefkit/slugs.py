"""A brief's slug from its title, in Latin letters whatever the title's script.

Hangul is romanized by the Revised Romanization of Korean (korean-romanizer: 북한의 → bukhanui), the
system Korean and Western publications (38 North included) use for place and personal names; every
other script is transliterated by anyascii (Россия → rossiya). So two Korean briefs of the same day get
two slugs, where dropping every non-ASCII letter gave both `brief`.
"""

from __future__ import annotations

import re
import unicodedata

from .names import MAX_SLUG_LENGTH

_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+(?:\s+[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]+)*")
SLUG_WORDS_LENGTH = 60  # a slug made from a title: long enough for its words, short enough to read


def romanize(text: str) -> str:
    """`text` in Latin letters: Hangul runs by the Revised Romanization, the rest by anyascii."""
    from anyascii import anyascii
    from korean_romanizer.romanizer import Romanizer

    text = unicodedata.normalize("NFC", text)
    out, last = [], 0
    for run in _HANGUL.finditer(text):
        out.append(anyascii(text[last:run.start()]))
        out.append(Romanizer(run.group()).romanize())
        last = run.end()
    out.append(anyascii(text[last:]))
    return "".join(out)


def slug_from_title(title: str, limit: int = SLUG_WORDS_LENGTH) -> str:
    """The slug of a title: romanized, lowercase, words joined by hyphens, cut at a word; "" when the
    title has no letter or digit in any script."""
    # an apostrophe joins its word (North Korea's → north-koreas), as the old ASCII-only slugs did
    words = re.sub(r"[^a-z0-9]+", "-", re.sub(r"['’ʼ]", "", romanize(title)).lower()).strip("-")
    if len(words) > min(limit, MAX_SLUG_LENGTH):
        cut = words[: min(limit, MAX_SLUG_LENGTH) + 1]
        words = cut[: cut.rfind("-")] if "-" in cut else cut[:limit]
    return words.strip("-")
