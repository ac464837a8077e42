"""Limits on the work one brief can cause, and the checks that enforce them before any engine runs.

The 2 MB limit on a file bounds what is read, not the work it causes. The Markdown engines take
time that grows with the square of some constructs and exponentially with others (measured with
benchmarks/hostile.py, whose cases are the worst inputs found):

- Python-Markdown (the pages and feeds) rebuilds a paragraph's text for every inline element in
  it, lets the standard library's HTML parser look for the end of every '<a' up to the next '>',
  and recurses once per level of nested lists, emphasis or HTML (a traceback past ~300 levels);
- pandoc (the PDFs) parses the text in brackets again for every enclosing bracket (30 nested
  brackets take hours, one unclosed '[' before 1 MB takes 100 s and 9 GB), reads on from every
  backtick of a long run, and from every '<' that does not start a tag reads the rest of the text;
- an image's header can promise 60,000 × 60,000 pixels that Typst then decodes (3.6 GB).

Each limit below is generous for real briefs (a long report is about 20,000 words with about 300
notes; a paragraph a few hundred words) and small enough that the worst briefs found within all of
them build, PDF included, in under half a minute on two cores (a short brief: 4 s; see the limit-…
cases of benchmarks/hostile.py). A brief past a limit is refused with an error naming the limit,
where it is passed, before any engine sees it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from pathlib import Path

# ---- sizes of texts -------------------------------------------------------------------------------

# The body: 20,000 words of English are about 130,000 characters; pandoc reads 200,000 in about 2 s.
MAX_BODY_CHARS = 200_000
# A note is a sentence or a paragraph with its citations; 10,000 characters is four pages of notes.
MAX_NOTE_CHARS = 10_000
# All the texts of a brief together (body, notes and the rest): a long report with 300 notes is about
# 220,000. Each note is a document of its own for pandoc, so the notes' length adds to the body's.
MAX_BRIEF_CHARS = 300_000
# Every other text field (summary, takeaways, captions, disclaimer, title, alt text, credit): a few
# sentences at most. Each goes through the engines on its own, and is printed on listing pages.
MAX_FIELD_CHARS = 10_000
# Text between blank lines (a paragraph; an item of a list and a row of a table count on their
# own): a long paragraph is 2,000 characters. Python-Markdown's time for a paragraph grows with its
# length times the number of inline elements in it (a 20,000-character paragraph of code spans
# takes 1 s, a 200,000-character one 27 s), and so does Typst's when it breaks the paragraph into
# lines (a body of code spans in 10,000-character paragraphs took Typst 35 s; in 5,000, a third).
MAX_PARAGRAPH_CHARS = 5_000

# ---- counts -----------------------------------------------------------------------------------------

# Notes of one brief: labelled notes under notes:, and each citation in the body (which becomes a note
# of its own). A long report has about 300; 20,000 took minutes to format and lay out.
MAX_NOTES = 1_000
# Citations in one brief, in the body and in notes: each is formatted by citeproc (about 3 ms each
# when they differ). A long report has a few hundred; 4,000 took 12 s.
MAX_CITATIONS = 2_000
# Topics of one brief: each adds the brief to a listing; a brief is about a handful. (Checked by the
# brief model, see model.py.)
MAX_TOPICS = 20
# Figures placed in one brief: each is decoded for the PDF (up to MAX_IMAGE_PIXELS each).
MAX_FIGURES = 30

# ---- nesting ----------------------------------------------------------------------------------------

# Lists and block quotes inside each other: briefs use two or three levels. Python-Markdown recurses
# once per level (a traceback at 1,000 list markers) and pandoc's time grows with the square of the
# depth (10,000 block quotes: 100 s, then an error).
MAX_NESTING = 10
# Emphasis inside emphasis (*a _b **c** b_ a*): three levels is already unusual. Python-Markdown
# recurses once per level (a traceback at a few thousand); both engines slow down with the square.
MAX_EMPHASIS_DEPTH = 10
# HTML elements inside each other (<div><span>…): briefs use one or two. Python-Markdown recurses
# once per level (a traceback at about 1,000).
MAX_HTML_DEPTH = 20
# Brackets inside brackets: a link whose text has a bracket, [a [b] c](url), is two. pandoc parses
# the text of each bracket again for every bracket around it: its time doubles with each level (depth
# 15 takes 9 s, 20 more than a minute).
MAX_BRACKET_DEPTH = 2
# How many brackets in one text may sit inside other brackets: the text inside nested brackets costs
# pandoc several times as much as other text.
MAX_NESTED_BRACKETS = 20
# Characters between a '[' and its ']': a link's text or a citation with its prefix and locator is a
# line. pandoc's time for the text in brackets grows faster than its length (0.1 s for 2,000, 1 s for
# 20,000; five times as much inside another bracket).
MAX_BRACKET_CHARS = 500

# ---- inline syntax ----------------------------------------------------------------------------------

# A run of backticks opens a code span (1 or 2) or a fenced block (3 or 4). pandoc looks for the
# closing run from every backtick of the run: 1,000 backticks before a paragraph took 15 s.
MAX_BACKTICK_RUN = 10
# Characters of one HTML tag, from '<' to '>': a link with a long address is a few hundred. A '<'
# and a letter that no '>' closes make both HTML parsers read on to the next '>', however far.
MAX_HTML_TAG_CHARS = 2_000
# '<' signs that start no HTML tag (x < y, <5 %), in all the texts of a brief: pandoc reads the rest of
# the text from each of them (0.25 s before 200,000 characters). &lt; prints the same and costs nothing.
MAX_LESS_THAN = 10
# Headings in one text: a long report has a few dozen. Python-Markdown gives each an id unique on the
# page, comparing it with every id before it (40,000 headings took minutes).
MAX_HEADINGS = 200

# ---- images (see images.py) ------------------------------------------------------------------------

# Pixels of one image: 40 megapixels is 8,000 × 5,000, more than any page or print needs (a
# high-resolution satellite crop exported for a report is 2,000–6,000 pixels across). Typst decodes
# every pixel: 60,000 × 60,000 took 3.6 GB.
MAX_IMAGE_PIXELS = 40_000_000
# Bytes of one image file: a 40-megapixel JPEG of high quality is about 15 MB.
MAX_IMAGE_BYTES = 20_000_000
# Pixels of all the images of one brief (hero and figures): Typst holds every decoded image of a
# document at once, about 3 bytes a pixel (ten 40-megapixel images took 1.2 GB).
MAX_BRIEF_PIXELS = 200_000_000
# Elements of an SVG drawing once each <use> is replaced by what it refers to: a few <use> of <use>
# can stand for billions of elements. Charts and maps have a few thousand.
MAX_SVG_ELEMENTS = 100_000

# ---- reporting --------------------------------------------------------------------------------------

# Problems reported for one text: editors fix the first few and run again, and a pasted file with a
# million stray brackets would otherwise print a million lines (each also costs a pass to locate).
MAX_PROBLEMS_PER_TEXT = 20


# ---- the checks ---------------------------------------------------------------------------------------

def check_limits(doc, value, diags, briefs: Path | None = None) -> bool:
    """Report every limit the brief `value` (from `doc`, a yamlsrc.LocatedDocument) passes, into
    `diags`; True when it is within all of them. Linear in the size of the brief: meant to run before
    anything else looks at its texts (when it returns False, nothing else needs to). With `briefs`
    (the briefs folder), the pixels of its images are added up too (their headers only)."""
    from .notes import scan, scan_body

    if not isinstance(value, dict):
        return True
    before = diags.error_count
    notes = value.get("notes")
    note_count = len(notes) if isinstance(notes, dict) else 0
    if note_count > MAX_NOTES:
        diags.error(doc.span(("notes",), key=True),
                    f"the brief has {note_count:,} notes; the limit is {MAX_NOTES:,} notes per brief",
                    "split it into several briefs")
    figures = value.get("figures")
    if isinstance(figures, dict) and len(figures) > MAX_FIGURES:
        diags.error(doc.span(("figures",), key=True),
                    f"the brief has {len(figures):,} figures; the limit is {MAX_FIGURES:,} figures per brief",
                    "split it into several briefs")
    total = 0
    less_than: list[tuple[tuple, int]] = []  # (path, offset) of '<' signs that start no tag, in order
    for path, text, limit, markdown in text_fields(value):
        if total <= MAX_BRIEF_CHARS < total + len(text):
            diags.error(doc.text_span(path, min(len(text), MAX_BRIEF_CHARS - total)),
                        f"the texts of the brief are too long together (more than {MAX_BRIEF_CHARS:,} characters "
                        f"here; the limit is {MAX_BRIEF_CHARS:,})", "shorten the body or the notes, or split the brief")
        total += len(text)
        if path[0] == "notes" and note_count > MAX_NOTES:
            continue  # reported once, at notes:
        signs: list[int] = []
        problems = markdown_problems(text, limit, _field_name(path), signs) if markdown else \
            _too_long(text, limit, _field_name(path))
        for offset, message, hint in problems:
            diags.error(doc.text_span(path, offset), message, hint)
        less_than += [(path, offset) for offset in signs[: MAX_LESS_THAN + 1 - len(less_than)]]
    if len(less_than) > MAX_LESS_THAN:
        path, offset = less_than[MAX_LESS_THAN]
        diags.error(doc.text_span(path, offset),
                    f"more than {MAX_LESS_THAN} '<' signs that start no HTML tag in the brief "
                    f"(the limit is {MAX_LESS_THAN})", "write &lt; for a less-than sign")
    body = value.get("body")
    if isinstance(body, str) and len(body) <= MAX_BODY_CHARS and note_count <= MAX_NOTES and total <= MAX_BRIEF_CHARS:
        body_scan = scan_body(body)
        labelled = {r.label for r in body_scan.note_refs} if note_count else set()
        clusters = body_scan.clusters
        if len(clusters) + len(labelled) > MAX_NOTES:
            over = clusters[max(0, MAX_NOTES - len(labelled))]
            diags.error(doc.text_span(("body",), over.start),
                        f"the brief has {len(clusters) + len(labelled):,} notes (each citation in the body is a "
                        f"note of its own); the limit is {MAX_NOTES:,} notes per brief",
                        "cite several works in one note, [@a; @b], or split the brief")
        citations = [(("body",), c.start) for c in clusters]
        for label, text in notes.items() if isinstance(notes, dict) else ():
            if isinstance(text, str) and "[" in text and len(citations) <= MAX_CITATIONS:
                citations += [(("notes", label), c.start) for c in scan(text, allow_notes=False).clusters]
        if len(citations) > MAX_CITATIONS:
            path, offset = citations[MAX_CITATIONS]
            diags.error(doc.text_span(path, offset), f"more than {MAX_CITATIONS:,} citations in the brief "
                                                     f"(the limit is {MAX_CITATIONS:,})",
                        "cite several works in one citation, [@a; @b], or split the brief")
    if briefs is not None:
        _check_brief_pixels(doc, value, diags, briefs)
    return diags.error_count == before


def _check_brief_pixels(doc, value, diags, briefs: Path) -> None:
    from .images import ImageError, check_image

    images = [(("image", "file"), value.get("image"))]
    if isinstance(value.get("figures"), dict):
        images += [(("figures", label, "file"), fig) for label, fig in value["figures"].items()]
    total = 0
    base = briefs.resolve()
    for path, fig in images:
        name = fig.get("file") if isinstance(fig, dict) else None
        if not isinstance(name, str) or not name or "\\" in name or Path(name).is_absolute():
            continue
        target = (briefs / name).resolve()
        if base not in target.parents or not target.is_file():
            continue  # reported where the image is checked
        try:
            info = check_image(target)
        except (ImageError, OSError):
            continue  # reported where the image is checked
        total += info.pixels if info.format != "svg" else 0
        if total > MAX_BRIEF_PIXELS:
            diags.error(doc.span(path), f"the images of the brief have more than {MAX_BRIEF_PIXELS / 1e6:,.0f} "
                                        f"megapixels together (the limit is {MAX_BRIEF_PIXELS / 1e6:,.0f})",
                        "scale the images down: a page shows at most a few thousand pixels across")
            return


def _field_name(path: tuple) -> str:
    if path[0] == "notes":
        return f"note '{path[1]}'"
    if path[0] == "takeaways":
        return f"takeaway {path[1] + 1}"
    return ".".join(str(p) for p in path)


# Fields of a brief written in Markdown: the engines read them. The others are printed as they are.
MARKDOWN_FIELDS = {"body", "summary", "disclaimer", "caption"}


def text_fields(value: dict) -> Iterator[tuple[tuple, str, int, bool]]:
    """(path, text, character limit, whether it is Markdown) of every text field of a brief."""
    for key, text in value.items():
        if isinstance(text, str):
            yield (key,), text, MAX_BODY_CHARS if key == "body" else MAX_FIELD_CHARS, key in MARKDOWN_FIELDS
    notes = value.get("notes")
    if isinstance(notes, dict):
        for label, text in notes.items():
            if isinstance(text, str):
                yield ("notes", label), text, MAX_NOTE_CHARS, True
    takeaways = value.get("takeaways")
    if isinstance(takeaways, list):
        for i, text in enumerate(takeaways):
            if isinstance(text, str):
                yield ("takeaways", i), text, MAX_FIELD_CHARS, True
    images = [(("image",), value.get("image"))]
    if isinstance(value.get("figures"), dict):
        images += [(("figures", label), fig) for label, fig in value["figures"].items()]
    for path, fig in images:
        if isinstance(fig, dict):
            for key, text in fig.items():
                if isinstance(text, str):
                    yield (*path, key), text, MAX_FIELD_CHARS, key in MARKDOWN_FIELDS


def _too_long(text: str, max_chars: int, what: str) -> list[tuple[int, str, str | None]]:
    if len(text) <= max_chars:
        return []
    return [(max_chars, f"{what} is too long ({len(text):,} characters; the limit is {max_chars:,})",
             "shorten it" if max_chars < MAX_BODY_CHARS else "shorten it or split the brief")]


def markdown_problems(text: str, max_chars: int = MAX_BODY_CHARS, what: str = "text",
                      less_than: list[int] | None = None) -> list[tuple[int, str, str | None]]:
    """(offset, message, hint) for each limit the Markdown `text` passes (the first place of each
    kind), in one linear pass per kind. The offsets of '<' signs that start no tag (limited per brief,
    see check_limits) go to `less_than`."""
    from .notes import _Ranges, code_ranges

    if len(text) > max_chars:
        return _too_long(text, max_chars, what)
    problems: list[tuple[int, str, str | None]] = []
    if len(text) > MAX_PARAGRAPH_CHARS:
        _paragraphs(text, problems)
    _nesting(text, problems)
    if "#" in text or "==" in text or "--" in text:
        _headings(text, problems)
    in_code = _Ranges(code_ranges(text)) if "`" in text or "~~~" in text else (lambda offset: False)
    if "[" in text:
        _brackets(text, in_code, problems)
    if "`" in text:
        _backticks(text, problems)
    if "*" in text or "_" in text:
        _emphasis(text, in_code, problems)
    if "<" in text:
        _html(text, in_code, problems, less_than if less_than is not None else [])
    return sorted(problems)[:MAX_PROBLEMS_PER_TEXT]


# a line that starts a unit of its own for the engines: a list item, a table row, a quote, a heading
_STARTS_UNIT = re.compile(r"[ \t]*(?:[-+*][ \t]|\d{1,9}[.)][ \t]|\||>|#)")


def _lines(text: str) -> Iterator[tuple[int, str]]:
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1


def _paragraphs(text: str, problems: list) -> None:
    start = None
    for pos, line in _lines(text):
        blank = not line.strip()
        if blank or _STARTS_UNIT.match(line):
            start = None if blank else pos
        elif start is None:
            start = pos
        if start is not None and pos + len(line) - start > MAX_PARAGRAPH_CHARS:
            problems.append((start, f"paragraph is too long (more than {MAX_PARAGRAPH_CHARS:,} characters without "
                                    f"a blank line; the limit is {MAX_PARAGRAPH_CHARS:,})",
                             "break it into paragraphs with blank lines"))
            return


_CONTAINER = re.compile(r"[ \t]*(?:(>)|([-+*]|\d{1,9}[.)])(?=[ \t]|$))[ \t]?")
_THEMATIC_BREAK = re.compile(r" {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")


def _nesting(text: str, problems: list) -> None:
    """Lists and block quotes: markers at the start of a line (`> - 1. x`), and list items nested by
    indentation under the items above them."""
    items: list[int] = []  # the content column of each enclosing list item
    for pos, line in _lines(text):
        if not line.strip() or _THEMATIC_BREAK.match(line):
            continue
        col = depth = 0
        first_item = True
        while depth <= MAX_NESTING:
            m = _CONTAINER.match(line, col)
            if not m:
                break
            if m.group(2):
                if first_item:  # the items this one is nested in, by its indentation
                    first_item = False
                    while items and items[-1] > m.start(2):
                        items.pop()
                    depth += len(items)
                items.append(m.end())
            depth += 1
            col = m.end()
        if depth > MAX_NESTING:
            problems.append((pos + len(line) - len(line.lstrip()),
                             f"lists and block quotes are nested more than {MAX_NESTING} levels deep "
                             f"(the limit is {MAX_NESTING})", "flatten the list"))
            return


_HEADING = re.compile(r"^ {0,3}(?:#{1,6}(?:[ \t]|$)|(?:=+|-+)[ \t]*$)", re.M)


def _headings(text: str, problems: list) -> None:
    """ATX headings (# Title) and setext underlines (=== or --- under a line of text)."""
    for count, m in enumerate(_HEADING.finditer(text), start=1):
        if count > MAX_HEADINGS:
            problems.append((m.start(), f"more than {MAX_HEADINGS} headings in one text (the limit is {MAX_HEADINGS})",
                             "a brief needs a few dozen at most"))
            return


_BRACKET_EVENT = re.compile(r"[\\\[\]\n]")
_BLANK_LINE = re.compile(r"\n[ \t]*(?:\n|$)")


def _brackets(text: str, in_code, problems: list) -> None:
    """Every '[' closed by ']' in its paragraph, brackets nested at most MAX_BRACKET_DEPTH deep (and
    at most MAX_NESTED_BRACKETS times), none spanning more than MAX_BRACKET_CHARS. An unclosed '['
    that starts a citation is left to notes.scan, which reports it as such."""
    from .notes import _AT_SIGN, _NON_SPACE

    stack: list[int] = []
    unclosed: list[int] = []
    found: dict[str, tuple[int, str, str | None]] = {}
    nested = 0
    skip = -1
    at_signs = [m.start() for m in _AT_SIGN.finditer(text)] if "@" in text else []

    def close_paragraph(end: int) -> None:
        for start in stack:
            k = bisect.bisect_left(at_signs, start + 1)
            first = _NON_SPACE.search(text, start + 1, end)
            if not ((k < len(at_signs) and at_signs[k] + 1 < end) or (first and first.group() == "@")):
                unclosed.append(start)
        stack.clear()

    for m in _BRACKET_EVENT.finditer(text):
        j = m.start()
        if j <= skip:
            continue
        ch = text[j]
        if ch == "\\":
            skip = j + 1
            continue
        if ch == "\n":
            if stack and _BLANK_LINE.match(text, j):
                close_paragraph(j)
            continue
        if in_code(j):
            continue
        if ch == "[":
            if stack:
                nested += 1
                if nested > MAX_NESTED_BRACKETS and "count" not in found:
                    found["count"] = (j, f"more than {MAX_NESTED_BRACKETS} brackets inside brackets in one "
                                         f"text (the limit is {MAX_NESTED_BRACKETS})",
                                      "write \\[ for a bracket in the text")
            stack.append(j)
            if len(stack) > MAX_BRACKET_DEPTH and "depth" not in found:
                found["depth"] = (j, f"brackets are nested more than {MAX_BRACKET_DEPTH} deep "
                                     f"(the limit is {MAX_BRACKET_DEPTH})", "write \\[ for a bracket in the text")
        elif stack:
            start = stack.pop()
            if j - start + 1 > MAX_BRACKET_CHARS and "long" not in found:
                found["long"] = (start, f"the text between '[' and its ']' is longer than {MAX_BRACKET_CHARS:,} "
                                        f"characters (the limit is {MAX_BRACKET_CHARS:,})",
                                 "is a ']' missing? write \\[ for a bracket in the text")
    close_paragraph(len(text))
    if unclosed:
        count = f" ({len(unclosed):,} in this text)" if len(unclosed) > 1 else ""
        found["unclosed"] = (min(unclosed), f"'[' is not closed by ']' in its paragraph{count}",
                             "write \\[ for a bracket in the text")
    problems.extend(found.values())


def _backticks(text: str, problems: list) -> None:
    m = re.search(f"`{{{MAX_BACKTICK_RUN + 1},}}", text)
    if m:
        problems.append((m.start(), f"a run of {m.end() - m.start():,} backticks (the limit is {MAX_BACKTICK_RUN})",
                         "a code span needs one or two backticks, a code block three"))


_DELIMITERS = re.compile(r"[*_]+")


def _emphasis(text: str, in_code, problems: list) -> None:
    """How deep matched emphasis nests, within each paragraph. A run of * or _ before a word opens as
    many levels as it has characters, a run after a word closes as many, matching the nearest open
    ones; levels never closed do not count (a stray * nests nothing)."""
    runs: list[tuple[int, int]] = []  # (offset, +levels opened or -levels closed), in order
    matched: dict[int, int] = {}  # index in runs of an opening run → levels of it that were closed
    stack: list[list[int]] = []  # [index in runs, levels still open]
    paragraph_end = -1
    for m in _DELIMITERS.finditer(text):
        start, end = m.start(), m.end()
        if start > paragraph_end:
            stack.clear()
            found = _BLANK_LINE.search(text, start)
            paragraph_end = found.start() if found else len(text)
        if in_code(start):
            continue
        before = text[start - 1] if start else " "
        after = text[end] if end < len(text) else " "
        if before == "\\":
            start += 1  # an escaped * or _ is text
            if start == end:
                continue
        opens = not after.isspace() and (after.isalnum() or before.isspace() or not before.isalnum())
        closes = not before.isspace() and (before.isalnum() or after.isspace() or not after.isalnum())
        if opens and not closes:
            stack.append([len(runs), end - start])
            runs.append((start, end - start))
        elif closes and not opens:
            levels = closed = end - start
            while levels and stack:
                top = stack[-1]
                used = min(top[1], levels)
                matched[top[0]] = matched.get(top[0], 0) + used
                top[1] -= used
                levels -= used
                if not top[1]:
                    stack.pop()
            runs.append((start, levels - closed))
    depth = 0
    for index, (offset, levels) in enumerate(runs):
        if levels > 0:
            depth += matched.get(index, 0)
            if depth > MAX_EMPHASIS_DEPTH:
                problems.append((offset, f"emphasis (* or _) is nested more than {MAX_EMPHASIS_DEPTH} levels deep "
                                         f"(the limit is {MAX_EMPHASIS_DEPTH})",
                                 "close some of the * or _ first, or write \\* and \\_ for the characters"))
                return
        else:
            depth += levels


# A complete tag: '<', a name, attributes whose values may be quoted (a quote that opens a value
# must close it), '>'. Possessive quantifiers: no backtracking, a failed match costs its window.
_TAG = re.compile(r"""</?([A-Za-z][^\s/<>=]*+)[^<>=]*+(?:=\s*+(?:"[^"]*+"|'[^']*+'|(?!["'])[^<>\s]*+)[^<>=]*+)*+>""")
_OTHER_MARKUP = re.compile(r"<[!?][^<>]*+>")
_TAG_START = re.compile(r"[A-Za-z!?]|/[A-Za-z]")
_ELEMENT_NAME = re.compile(r"[a-z][a-z0-9-]*")
_IMPLIED_END = {"p", "li", "dt", "dd", "tr", "td", "th", "option"}
_VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track",
         "wbr"}


def _html(text: str, in_code, problems: list, less_than: list[int]) -> None:
    """Every '<' followed by a letter, '/', '!' or '?' must be a whole tag closed by '>' within
    MAX_HTML_TAG_CHARS; comments must be closed; elements nest at most MAX_HTML_DEPTH deep. Any
    other '<' goes to `less_than`."""
    open_elements: list[str] = []
    pos = 0
    unclosed = None
    count = 0
    too_deep = False
    while True:
        i = text.find("<", pos)
        if i < 0:
            break
        pos = i + 1
        if in_code(i):
            continue
        if not _TAG_START.match(text, i + 1):
            if len(less_than) <= MAX_LESS_THAN:
                less_than.append(i)
            continue
        if text.startswith("<!--", i):
            end = text.find("-->", i + 4)
            if end < 0:
                problems.append((i, "HTML comment is not closed with '-->'", "close it, or remove the '<!--'"))
                break
            pos = end + 3
            continue
        window = i + MAX_HTML_TAG_CHARS
        tag = _TAG.match(text, i, window) or _OTHER_MARKUP.match(text, i, window)
        if tag is None:
            count += 1
            if unclosed is None:
                unclosed = i
            continue
        pos = tag.end()
        if tag.re is _OTHER_MARKUP or tag.group(0).endswith("/>"):
            continue
        name = tag.group(1).lower()
        if name in _VOID or not _ELEMENT_NAME.fullmatch(name):
            continue  # an element without content, or an autolink (<https://…>, <name@example.org>)
        if text[i + 1] == "/":
            if name in open_elements:
                while open_elements.pop() != name:
                    pass
            continue
        if name in _IMPLIED_END and open_elements and open_elements[-1] == name:
            open_elements.pop()  # <p>a<p>b: the second <p> closes the first
        open_elements.append(name)
        if len(open_elements) > MAX_HTML_DEPTH and not too_deep:
            too_deep = True
            problems.append((i, f"HTML elements are nested more than {MAX_HTML_DEPTH} deep "
                                f"(the limit is {MAX_HTML_DEPTH})", "close each element you open"))
    if unclosed is not None:
        many = f" ({count:,} in this text)" if count > 1 else ""
        problems.append((unclosed, f"'<' starts an HTML tag that is not closed by '>' within "
                                   f"{MAX_HTML_TAG_CHARS:,} characters{many}",
                         "write &lt; for a less-than sign"))
