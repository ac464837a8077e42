"""Pandoc inline AST (JSON) → HTML that survives Python-Markdown unchanged, or plain text.

Formatted citations are kept as pandoc's AST: the web page and the PDF render the same source.
"""

from __future__ import annotations

import html
import json
import re
from urllib.parse import quote

# Characters Python-Markdown would read as syntax inside a footnote; written as numeric entities.
_MD_ESCAPES = {
    "\\": "&#92;", "`": "&#96;", "*": "&#42;", "_": "&#95;", "[": "&#91;", "]": "&#93;",
    "~": "&#126;", "^": "&#94;", "=": "&#61;", "|": "&#124;", "@": "&#64;",
}
_QUOTES = {"SingleQuote": ("‘", "’"), "DoubleQuote": ("“", "”")}
_WRAP = {"Emph": "em", "Strong": "strong", "Underline": "u", "Strikeout": "del",
         "Superscript": "sup", "Subscript": "sub"}
MARKERS = range(0xE000, 0xF000)  # private-use characters used to keep batched briefs apart


_NO_MARKERS = dict.fromkeys(MARKERS)


def strip_markers(s: str) -> str:
    return s if s.isascii() else s.translate(_NO_MARKERS)


_MD_ESCAPE_TABLE = str.maketrans(_MD_ESCAPES)


def _text(s: str) -> str:
    return html.escape(strip_markers(s), quote=False).translate(_MD_ESCAPE_TABLE)


def _href(url: str) -> str:
    url = quote(url, safe=":/?#@!$&'()*+,;=%-._~")
    return html.escape(url.replace("`", "%60"), quote=True)


def to_html(inlines: list) -> str:
    return "".join(_html(node) for node in inlines)


def _html(node: dict) -> str:
    t, c = node["t"], node.get("c")
    if t == "Str":
        return _text(c)
    if t in ("Space", "SoftBreak"):
        return " "
    if t == "LineBreak":
        return "<br>"
    if t in _WRAP:
        return f"<{_WRAP[t]}>{to_html(c)}</{_WRAP[t]}>"
    if t == "SmallCaps":
        return f'<span class="smallcaps">{to_html(c)}</span>'
    if t == "Quoted":
        open_, close = _QUOTES[c[0]["t"]]
        return open_ + to_html(c[1]) + close
    if t == "Cite":
        return to_html(c[1])
    if t in ("Code", "Math"):
        return f"<code>{_text(c[1])}</code>"
    if t == "Link":
        return f'<a href="{_href(c[2][0])}">{to_html(c[1])}</a>'
    if t == "Span":
        lang = dict(c[0][2]).get("lang")
        return f'<span lang="{html.escape(lang)}">{to_html(c[1])}</span>' if lang else to_html(c[1])
    return ""  # RawInline, Note, Image: never produced by citeproc for a citation


def to_text(inlines: list) -> str:
    return "".join(_plain(node) for node in inlines)


def _plain(node: dict) -> str:
    t, c = node["t"], node.get("c")
    if t == "Str":
        return strip_markers(c)
    if t in ("Space", "SoftBreak", "LineBreak"):
        return " "
    if t in _WRAP or t == "SmallCaps":
        return to_text(c)
    if t == "Quoted":
        open_, close = _QUOTES[c[0]["t"]]
        return open_ + to_text(c[1]) + close
    if t in ("Cite", "Span", "Link"):
        return to_text(c[1] if t != "Link" else c[1])
    if t in ("Code", "Math"):
        return c[1]
    return ""


def _strs(inlines: list, out: list) -> list:
    """Every Str node, depth first, in reading order."""
    for node in inlines:
        t, c = node["t"], node.get("c")
        if t == "Str":
            out.append(node)
        elif t in _WRAP or t in ("SmallCaps", "Cite", "Span", "Link", "Quoted"):
            _strs(c if t in _WRAP or t == "SmallCaps" else c[1], out)
    return out


def tidy_punctuation(inlines: list) -> list:
    """Chicago punctuation that citeproc leaves out.

    - no comma or period right after a title's own ? or ! (CMOS 6.119): “War?,” → “War?”, or after the
      period that ends a quoted title: “Workshop.,” → “Workshop.”
    - a comma or period goes inside closing single quotes too: ‘Enterprise’,” → ‘Enterprise,’”
    """
    strs = [s for s in _strs(inlines, []) if strip_markers(s["c"])]
    for i, node in enumerate(strs[:-2]):
        following, after = strs[i + 1]["c"], strs[i + 2]["c"]
        if strip_markers(node["c"]).endswith("’") and following in (",", ".") and after.startswith("”"):
            text = strip_markers(node["c"])
            node["c"], strs[i + 1]["c"] = text[:-1] + following + "’", ""
    for i, node in enumerate(strs[:-1]):
        whole = strip_markers(node["c"])
        text = whole.rstrip("”’")
        if not text.endswith(("?", "!", ".")):
            continue
        j = i + 1
        while j < len(strs) and strs[j]["c"] in ("”", "’"):
            j += 1
        # a period is a title's own only inside quotes: “Workshop.,” → “Workshop.” (but "ed., Title")
        quoted = j > i + 1 or text != whole
        if j < len(strs) and strs[j]["c"][:1] in (",", ".") and (quoted or not text.endswith(".")):
            strs[j]["c"] = strs[j]["c"][1:]
        elif j == i + 1 and j + 1 < len(strs) and strs[j]["c"] in (",", ".") and strs[j + 1]["c"][:1] in "”’":
            strs[j]["c"] = ""  # moved inside the quotes by citeproc: “Workshop.,” → “Workshop.”
    return inlines


def capitalize_first(inlines: list, in_place: bool = False) -> list:
    """A copy of `inlines` (or `inlines` itself) whose first letter is upper case."""
    copy = inlines if in_place else json.loads(json.dumps(inlines))
    for node in _strs(copy, []):
        text = node["c"]
        for i, ch in enumerate(text):
            if ch.isalpha():
                node["c"] = text[:i] + ch.upper() + text[i + 1 :]
                return copy
    return copy


def punctuation_inside_quotes(inlines: list, mark: str) -> list | None:
    """A copy of `inlines` with `mark` put before the closing quote it ends with, or None if it does not."""
    copy = json.loads(json.dumps(inlines))
    strs = [s for s in _strs(copy, []) if strip_markers(s["c"])]
    if not strs:
        return None
    last = strs[-1]
    text = strip_markers(last["c"])
    if not text.endswith(("”", "’")):
        return None
    last["c"] = text[:-1] + mark + text[-1]
    return copy


def without_markers(inlines: list) -> list:
    """`inlines` with the batching markers removed from every Str (and empty Strs dropped)."""
    for node in _strs(inlines, []):
        node["c"] = strip_markers(node["c"])

    def prune(items: list) -> list:
        out = []
        for node in items:
            if node["t"] == "Str" and not node["c"]:
                continue
            t, c = node["t"], node.get("c")
            if t in _WRAP or t == "SmallCaps":
                node["c"] = prune(c)
            elif t in ("Cite", "Span", "Link", "Quoted"):
                c[1] = prune(c[1])
            out.append(node)
        return out

    return prune(inlines)


# Scripts whose runs are marked with their language in formatted notes: the browser and Typst pick
# the right font and shaping, screen readers the right voice, and the site's style sheet keeps them
# upright inside italics (a browser fakes italics for Hangul and Chinese characters by slanting them).
_HANGUL = "\u1100-\u11ff\u3130-\u318f\ua960-\ua97f\uac00-\ud7af\ud7b0-\ud7ff"
_KANA = "\u3040-\u30ff\u31f0-\u31ff"
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0002fa1f"
_CJK_PUNCTUATION = "\u3000-\u303f\uff00-\uffef"
_CJK_RUN = re.compile(f"[{_CJK_PUNCTUATION}]*[{_HANGUL}{_KANA}{_HAN}][{_HANGUL}{_KANA}{_HAN}{_CJK_PUNCTUATION}]*")
_HAS_HANGUL = re.compile(f"[{_HANGUL}]")
_HAS_KANA = re.compile(f"[{_KANA}]")


def script_language(text: str) -> str:
    """The language a run of East Asian script is written in: Korean if it has Hangul, Japanese if
    it has kana, else Chinese (Chinese characters alone)."""
    return "ko" if _HAS_HANGUL.search(text) else "ja" if _HAS_KANA.search(text) else "zh"


def mark_scripts(inlines: list) -> list:
    """`inlines` with each run of Hangul, kana or Chinese characters in a Span with its `lang`
    (words of one language separated by spaces in one Span)."""
    if not any(_CJK_RUN.search(node["c"]) for node in _strs(inlines, [])):
        return inlines
    return _mark_list(inlines)


def _span(lang: str, content: list) -> dict:
    return {"t": "Span", "c": [["", [], [["lang", lang]]], content]}


def _mark_list(items: list) -> list:
    out: list = []
    for node in items:
        t, c = node["t"], node.get("c")
        if t == "Str":
            pos = 0
            for m in _CJK_RUN.finditer(c):
                if m.start() > pos:
                    out.append({"t": "Str", "c": c[pos : m.start()]})
                lang = script_language(m.group(0))
                # "북한의 경제": one span over both words and the space between them
                if (len(out) >= 2 and out[-1]["t"] == "Space" and out[-2]["t"] == "Span"
                        and dict(out[-2]["c"][0][2]).get("lang") == lang and m.start() == 0):
                    out.pop()
                    out[-1]["c"][1].extend([{"t": "Space"}, {"t": "Str", "c": m.group(0)}])
                else:
                    out.append(_span(lang, [{"t": "Str", "c": m.group(0)}]))
                pos = m.end()
            if pos < len(c):
                out.append({"t": "Str", "c": c[pos:]})
            continue
        if t in _WRAP or t == "SmallCaps":
            node["c"] = _mark_list(c)
        elif t in ("Cite", "Link", "Quoted") or (t == "Span" and "lang" not in dict(c[0][2])):
            c[1] = _mark_list(c[1])
        out.append(node)
    return out
