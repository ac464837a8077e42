"""HTML of WordPress posts and notes → the Markdown of a brief, many pieces per pandoc process.

Pandoc writes `markdown_strict` with pipe tables and no raw HTML, one paragraph per line: the dialect
both the web page (Python-Markdown) and the PDF (pandoc) read the same way. The pieces of many posts
go through one process, each after a separator line of letters and digits that pandoc passes through
unchanged, so importing thousands of posts starts pandoc a few times, not thousands.

Markers put in the HTML by the earlier stages survive as they are (letters and digits): a note's
becomes its reference `[^n]`, a piece set aside becomes a marked block (`MARK_FENCE`): a fenced block
holding the source as it was, which the brief shows and `check` reports until an editor rewrites it.
"""

from __future__ import annotations

import os
import re
import subprocess

from .pandoc import pandoc_path
from .wp_html import ASIDE_PATTERN, Aside
from .wp_notes import MARKER_PATTERN

PART = "BRIEFKITPART{0}X"
_PART_LINE = re.compile(r"^BRIEFKITPART(\d+)X$", re.M)
MARK_INFO = "wordpress-import"  # the info string of a marked block: what check looks for
LONG_LINE = 1000  # a marked block's line longer than this is broken between tags
LONG_BLOCK = 3000  # … and a marked block longer than this gets blank lines after its items
BATCH = 400  # pieces per pandoc process: big enough to start it rarely, small enough for memory
_ARGS = ["-f", "html", "-t", "markdown_strict+pipe_tables-raw_html", "--wrap=none"]


def to_markdown(pieces: list[str]) -> list[str]:
    """Each HTML piece as Markdown, in order: batches on every core (pandoc runs in processes of its
    own, so threads wait for them for free)."""
    from concurrent.futures import ThreadPoolExecutor

    batches = [pieces[start:start + BATCH] for start in range(0, len(pieces), BATCH)]
    workers = max(1, min(os.cpu_count() or 1, 8, len(batches)))
    with ThreadPoolExecutor(workers) as pool:
        return [markdown for batch in pool.map(_batch, batches) for markdown in batch]


# inline HTML a brief may hold (the sanitizer's allow-list): pandoc's Markdown without raw HTML would drop
# the tags (H<sub>2</sub>O would print H2O), so they pass through it as markers and come back as they were
_INLINE = re.compile(r"</?(?:sub|sup|abbr|mark|kbd|small)\b[^>]*>", re.I)
_TAG_MARK = re.compile(r"BRIEFKITTAG(\d+)X")


def _batch(pieces: list[str]) -> list[str]:
    tags: list[str] = []

    def keep(match: re.Match) -> str:
        tags.append(match.group(0))
        return f"BRIEFKITTAG{len(tags) - 1}X"

    pieces = [_INLINE.sub(keep, piece) for piece in pieces]
    converted = _convert(pieces)
    return [_TAG_MARK.sub(lambda m: tags[int(m.group(1))], text) for text in converted]


def _convert(pieces: list[str]) -> list[str]:
    html = "".join(f"<p>{PART.format(i)}</p>\n{piece}\n" for i, piece in enumerate(pieces))
    result = subprocess.run([pandoc_path(), *_ARGS], input=html, capture_output=True, text=True, check=True)
    found = list(_PART_LINE.finditer(result.stdout))
    if [int(m.group(1)) for m in found] != list(range(len(pieces))):
        raise RuntimeError("pandoc did not keep the separators between pieces")  # a bug, not the editor's
    ends = [m.start() for m in found[1:]] + [len(result.stdout)]
    return [result.stdout[m.end():end].strip("\n") for m, end in zip(found, ends, strict=True)]


def mark_block(aside: Aside) -> str:
    """A piece set aside as a marked block: its kind on the fence line, its source inside, verbatim."""
    longest = max((len(run) for run in re.findall(r"`+", aside.source)), default=0)
    fence = "`" * max(3, longest + 1)
    # a gallery's HTML can be one line of many thousand characters: broken between tags, as HTML allows
    source = "\n".join(re.sub(r">\s*<", ">\n<", line) if len(line) > LONG_LINE else line
                       for line in aside.source.strip().split("\n"))
    # no line ends in spaces: YAML writes a text with them in quotes, not as the `|` block editors read
    source = "\n".join(line.rstrip() for line in source.split("\n"))
    if len(source) > LONG_BLOCK:  # and a long one in parts (a brief's paragraph has a limit: limits.py)
        source = re.sub(r"(</(?:li|figure|p|div|tr|table)>)\n", r"\1\n\n", source, flags=re.I)
    return f"{fence}{MARK_INFO} {aside.kind}\n{source}\n{fence}"


def finish_body(markdown: str, asides: list[Aside]) -> str:
    """Note markers as references, set-aside markers as marked blocks on lines of their own."""
    by_number = {a.number: a for a in asides}
    text = MARKER_PATTERN.sub(lambda m: f"[^{m.group(1)}]", markdown)
    pattern = re.compile(ASIDE_PATTERN.pattern + r"[ \t]*")  # the text after a block starts its own line
    text = pattern.sub(lambda m: "\n\n" + mark_block(by_number[int(m.group(1))]) + "\n\n", text)
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"


def finish_note(markdown: str) -> str:
    """A note's Markdown on one paragraph (a note is one YAML string; its paragraphs are kept apart by a
    blank line, as Markdown has them)."""
    return re.sub(r"\n{3,}", "\n\n", markdown).strip()
