"""A WordPress post's HTML made ready for conversion: paragraphs as WordPress shows them, and every
piece that cannot become Markdown found and set aside, so that nothing is dropped silently.

- `autop`: posts written in the classic editor are stored without <p>: WordPress adds them when it
  shows the post (its `wpautop`), a blank line ending a paragraph and a single line break being a
  <br>. Posts of the block editor (`<!-- wp:` comments) already have them.
- `set_aside`: what has no Markdown form in a brief, replaced by a marker (`ASIDE.format(n)`) and
  listed with its kind and source text for the import report: scripts, styles, forms, frames,
  objects, audio and video; the blocks WordPress fills when it shows a page (latest posts, search,
  calendar …: a self-closing `<!-- wp:name /-->`); and shortcodes. WordPress shows a shortcode no
  plugin registered as plain text, so only what looks like a plugin's shortcode is set aside: one
  with attributes or a closing tag, or a name with `_` or `-` (`[sic]` stays text). Captions,
  galleries and embeds are figures (`FIGURE_SHORTCODES`), left in place for that stage.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .wp_notes import PROBLEM_PATTERN

ASIDE = "BRIEFKITASIDE{0}X"
ASIDE_PATTERN = re.compile(r"BRIEFKITASIDE(\d+)X")
FIGURE_SHORTCODES = frozenset({"caption", "wp_caption", "gallery", "embed"})
NOTE_SHORTCODES = frozenset({"efn_note", "mfn"})  # wp_notes.py takes them out first
# blocks whose self-closing comment holds nothing to show (a teaser break, a page break, the notes' list)
EMPTY_BLOCKS = frozenset({"more", "nextpage", "footnotes"})
_BLOCK_TAGS = ("p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "table",
               "thead", "tbody", "tfoot", "tr", "td", "th", "blockquote", "pre", "figure", "figcaption", "hr",
               "address", "form", "fieldset", "section", "article", "aside", "header", "footer", "nav", "iframe",
               "script", "style", "object", "video", "audio", "noscript", "details", "summary", "math", "svg")
_STARTS_BLOCK = re.compile(r"^\s*(?:<(?:" + "|".join(_BLOCK_TAGS) + r")\b|</|<!--|\[(?:caption|gallery|embed)\b)",
                           re.I)
# kept whole by autop (no paragraphs inside), as WordPress does: preformatted text, tables, lists
_PRE = re.compile(r"<(?P<tag>pre|table|ul|ol|dl)\b.*?</(?P=tag)>", re.S | re.I)
_CELL = re.compile(r"<(?P<tag>td|th)\b(?P<attrs>[^>]*)>(?P<inner>.*?)</(?P=tag)>", re.S | re.I)
_ELEMENTS = ("script", "style", "form", "iframe", "object", "video", "audio", "canvas", "noscript", "select",
             "textarea", "button", "template")
_ELEMENT = re.compile(r"<(?P<tag>" + "|".join(_ELEMENTS) + r")\b[^>]*>.*?</(?P=tag)\s*>"
                      r"|<(?:embed|input)\b[^>]*>", re.S | re.I)
_DYNAMIC_BLOCK = re.compile(r"<!--\s*wp:(?P<name>[a-z0-9/-]+)\b[^>]*?/-->", re.I)
_SHORTCODE = re.compile(r"\[(?P<name>[A-Za-z][\w-]*)(?P<attrs>(?:\s[^\[\]]*)?)\]"
                        r"(?:(?P<inner>.*?)\[/(?P=name)\])?", re.S)
_MERGED = re.compile(r"\b(?:rowspan|colspan)\s*=\s*[\"']?[2-9]|<table\b", re.I)
_TABLE = re.compile(r"<table\b.*?</table\s*>", re.S | re.I)
_MORE = re.compile(r"<!--\s*(?:more|nextpage|noteaser)\b[^>]*-->", re.I)


@dataclass(frozen=True)
class Aside:
    number: int
    kind: str  # "script", "form", "iframe", "dynamic block latest-posts", "shortcode contact-form-7", …
    source: str  # the HTML or shortcode as it was in the post


def autop(html: str) -> str:
    """Paragraphs and line breaks as WordPress shows a classic-editor post; block-editor HTML as it is."""
    if "<!-- wp:" in html:
        return html
    text = html.replace("\r\n", "\n").replace("\r", "\n")
    kept: list[str] = []

    def keep(match: re.Match) -> str:  # no paragraphs inside <pre>
        kept.append(match.group(0))
        return f"\n\nBRIEFKITPRE{len(kept) - 1}X\n\n"

    text = _PRE.sub(keep, text)
    out = []
    for chunk in re.split(r"\n[ \t]*\n", text):
        chunk = chunk.strip("\n")
        if not chunk.strip():
            continue
        if _STARTS_BLOCK.match(chunk) or re.fullmatch(r"\s*BRIEFKITPRE\d+X\s*", chunk):
            out.append(chunk)
        else:
            out.append("<p>" + re.sub(r"\s*\n\s*", "<br />\n", chunk.strip()) + "</p>")
    text = "\n\n".join(out)
    return re.sub(r"BRIEFKITPRE(\d+)X", lambda m: kept[int(m.group(1))], text)


def flat_cells(html: str) -> str:
    """Table cells on one line: a Markdown table has no paragraphs, lists or line breaks in a cell
    (pandoc would write the whole table as "[TABLE]"), so they become one text, parts kept apart."""
    def cell(match: re.Match) -> str:
        inner = re.sub(r"</?(?:p|div)\b[^>]*>|<br\s*/?>|</li>|\n", " ", match.group("inner"), flags=re.I)
        inner = re.sub(r"</?(?:ul|ol)\b[^>]*>|<li\b[^>]*>", " ", inner, flags=re.I)
        return f"<{match.group('tag')}{match.group('attrs')}>{' '.join(inner.split())}</{match.group('tag')}>"

    return _CELL.sub(cell, html)


def _plugin_shortcode(match: re.Match) -> bool:
    name = match.group("name").lower()
    if name in FIGURE_SHORTCODES or name in NOTE_SHORTCODES:
        return False
    return bool(match.group("attrs").strip()) or match.group("inner") is not None or "_" in name or "-" in name


_FIGURE_OPEN = re.compile(r"<figure\b", re.I)
_FIGURE_TAG = re.compile(r"<figure\b|</figure\s*>", re.I)
_PICTURE = re.compile(r"\[(?P<name>caption|wp_caption|embed)\b[^\]]*\].*?\[/(?P=name)\]|\[gallery\b[^\]]*\]"
                      r"|(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", re.S | re.I)


def replace_figures(html: str, replace) -> str:
    """`html` with each outermost <figure> element (nested ones inside it) replaced by replace(source)."""
    out, last = [], 0
    while (start := _FIGURE_OPEN.search(html, last)) is not None:
        depth, end = 0, len(html)
        for tag in _FIGURE_TAG.finditer(html, start.start()):
            depth += 1 if tag.group(0).lower().startswith("<figure") else -1
            if depth == 0:
                end = tag.end()
                break
        out.append(html[last:start.start()])
        out.append(replace(html[start.start():end]))
        last = end
    out.append(html[last:])
    return "".join(out)


def _figures(html: str, aside) -> str:
    """Every <figure> (whole, nested ones inside), caption, gallery and embed shortcode, and image."""
    html = replace_figures(html, lambda source: aside("figure", source))
    return _PICTURE.sub(lambda m: aside((m.group("name") or ("gallery" if m.group(0).startswith("[") else "image"))
                                        .lower().replace("wp_caption", "caption"), m.group(0)), html)


def set_aside(html: str, figures: bool = True) -> tuple[str, list[Aside]]:
    """The HTML with a marker in place of everything that has no Markdown form, and those pieces. With
    `figures`, images, figures, captions, galleries and embeds too (until the import makes them figures)."""
    asides: list[Aside] = []

    def aside(kind: str, source: str) -> str:
        asides.append(Aside(len(asides) + 1, kind, source))
        return ASIDE.format(len(asides))

    html = _MORE.sub("", html)
    html = PROBLEM_PATTERN.sub(lambda m: aside(f"note: {m.group('what')}", m.group("source")), html)
    # a Markdown table has neither merged nor nested cells: such a table is set aside, others flattened
    html = _TABLE.sub(lambda m: aside("table with merged or nested cells", m.group(0))
                      if _MERGED.search(m.group(0)[6:]) else flat_cells(m.group(0)), html)
    if figures:
        html = _figures(html, aside)
    html = _ELEMENT.sub(lambda m: aside((m.group("tag") or m.group(0)[1:].split()[0].rstrip(">")).lower(),
                                        m.group(0)), html)

    def block(match: re.Match) -> str:
        name = match.group("name").lower()
        return "" if name in EMPTY_BLOCKS else aside(f"dynamic block {name}", match.group(0))

    html = _DYNAMIC_BLOCK.sub(block, html)
    html = _SHORTCODE.sub(lambda m: aside(f"shortcode {m.group('name')}", m.group(0)) if _plugin_shortcode(m)
                          else m.group(0), html)
    # numbered in the order of the text, whatever kind was found first
    order = [int(n) for n in ASIDE_PATTERN.findall(html)]
    renumber = {old: new for new, old in enumerate(order, start=1)}
    html = ASIDE_PATTERN.sub(lambda m: ASIDE.format(renumber[int(m.group(1))]), html)
    by_old = {a.number: a for a in asides}

    def whole(source: str) -> str:  # a piece set aside inside another (a script in a shortcode) goes with it
        return ASIDE_PATTERN.sub(lambda m: whole(by_old[int(m.group(1))].source), source)

    asides = [Aside(renumber[old], by_old[old].kind, whole(by_old[old].source)) for old in order]
    return html, asides
