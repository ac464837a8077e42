"""Bounded work: hostile inputs under the 2 MB file limit end quickly in a contract error at the right
place (exit 1, no traceback), and the scanners are linear however the text is laid out.

The subprocess timeout is generous: a build that hits it has become slow again (these inputs took
minutes and gigabytes before the limits of briefkit/limits.py), not a little slower.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time

import pytest

from briefkit.diagnostics import Diagnostics
from briefkit.limits import (
    MAX_BRACKET_DEPTH,
    MAX_EMPHASIS_DEPTH,
    MAX_HTML_DEPTH,
    MAX_NESTING,
    MAX_NOTES,
    check_limits,
    markdown_problems,
)
from briefkit.notes import scan
from briefkit.yamlsrc import parse_yaml
from conftest import make_project

TIMEOUT = 60
CONTRACT_LINE = re.compile(r"^(?P<file>\S[^:]*):(?P<line>\d+):(?P<col>\d+): (error|warning): .+$")
NAME = "briefs/2024-05-01-hostile.yml"
HEAD = ("title: A hostile brief\nseries: quick-take\ndate: 2024-05-01\nauthors: [jordan-park]\n"
        "summary: One sentence.\n")  # the body is on line 7, from column 3
MB = 1_000_000


def brief(body: str, notes: dict[str, str] | None = None, extra: str = "") -> str:
    notes = {"a": "A note."} if notes is None else notes
    if "[^" not in body:
        body += "".join(f" [^{label}]" for label in notes)
    text = HEAD + "body: |\n" + "".join(f"  {line}\n" for line in body.split("\n")) + extra
    return text + ("notes:\n" + "".join(f"  {k}: {json.dumps(v)}\n" for k, v in notes.items()) if notes else "")


def fill(piece: str, size: int = MB) -> str:
    return piece * (size // len(piece))


def png_bomb(width: int = 60_000, height: int = 60_000) -> bytes:
    """A real PNG whose pixels are all zero: a few hundred KB that decode to width × height bytes."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    compressor = zlib.compressobj(9)
    row = b"\0" * (1 + (width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def sample(tmp_path_factory, shared_cache):
    return make_project(tmp_path_factory.mktemp("bounded"), shared_cache, with_samples=True)


def run_with(project, files: dict[str, str | bytes], *args: str) -> list[str]:
    """Lay `files` over the project, run build.py (with `args`) and put everything back; the lines of
    its output, once checked against the contract."""
    root = project.root
    saved = {rel: (root / rel).read_bytes() for rel in files if (root / rel).is_file()}
    try:
        for rel, content in files.items():
            (root / rel).parent.mkdir(parents=True, exist_ok=True)
            (root / rel).write_bytes(content.encode() if isinstance(content, str) else content)
        start = time.perf_counter()
        result = subprocess.run([sys.executable, str(root / "build.py"), *args], cwd=root, capture_output=True,
                                text=True, timeout=TIMEOUT)
        elapsed = time.perf_counter() - start
    finally:
        for rel in files:
            if rel in saved:
                (root / rel).write_bytes(saved[rel])
            else:
                (root / rel).unlink()
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 1, result.stderr[-3000:]
    lines = result.stderr.strip().splitlines()
    assert lines and all(CONTRACT_LINE.match(line) for line in lines), lines[:5]
    assert elapsed < TIMEOUT
    return lines


def expect(lines: list[str], start: str) -> None:
    assert any(line.startswith(start) for line in lines), (start, lines[:10])


BODY_TOO_LONG = f"{NAME}:7:200003: error: body is too long ("


@pytest.mark.parametrize("body", [
    fill("`a` "),  # inline code spans
    fill("`a "),  # unbalanced backticks
    fill("<a "),  # HTML tags that never close
    fill("*_", MB // 2) + "x" + fill("_*", MB // 2),  # emphasis nested 500,000 deep
    fill("word "),  # one paragraph
    "[a " + fill("word "),  # one bracket never closed
    "`" * 2000 + " " + fill("word "),  # a long run of backticks
], ids=["code-spans", "backticks", "html-tags", "emphasis", "paragraph", "unclosed-bracket", "backtick-run"])
def test_a_megabyte_body_is_refused_at_the_limit(sample, body):
    expect(run_with(sample, {NAME: brief(body)}), BODY_TOO_LONG)


def test_twenty_thousand_notes(sample):
    notes = {f"n{i}": f"Note {i}." for i in range(20_000)}
    body = " ".join(f"Point.[^n{i}]" for i in range(20_000))
    lines = run_with(sample, {NAME: brief(body, notes)})
    expect(lines, f"{NAME}:8:1: error: the brief has 20,000 notes; the limit is {MAX_NOTES:,} notes per brief")


def test_list_markers_on_one_line(sample):
    lines = run_with(sample, {NAME: brief("- " * 500 + "x")})
    expect(lines, f"{NAME}:7:3: error: lists and block quotes are nested more than {MAX_NESTING} levels deep")


@pytest.mark.parametrize("marker, step", [("- ", 2), ("1. ", 3)])
def test_lists_nested_by_indentation(sample, marker, step):
    body = "\n".join(" " * (step * i) + marker + "item" for i in range(60))
    lines = run_with(sample, {NAME: brief(body)})
    # the first item past the limit, on its own line (line 7 is the first item)
    expect(lines, f"{NAME}:{7 + MAX_NESTING}:{3 + step * MAX_NESTING}: error: lists and block quotes are nested")


def test_block_quotes(sample):
    expect(run_with(sample, {NAME: brief(">" * 10_000 + " x")}), f"{NAME}:7:3: error: lists and block quotes")


def test_nested_brackets(sample):
    lines = run_with(sample, {NAME: brief("[" * 30 + "a" + "]" * 30)}, "check")
    expect(lines, f"{NAME}:7:{3 + MAX_BRACKET_DEPTH}: error: brackets are nested more than {MAX_BRACKET_DEPTH} deep")


def test_an_unclosed_bracket_in_a_long_paragraph(sample):
    expect(run_with(sample, {NAME: brief("Some [text " + fill("word ", 4_000))}),
           f"{NAME}:7:8: error: '[' is not closed by ']' in its paragraph")


def test_a_bib_key_with_a_space_even_uncited(sample):
    bib = (sample.briefs / "references.bib").read_text()
    line = bib.count("\n") + 2
    lines = run_with(sample, {"briefs/references.bib": bib + "\n@book{key with space,\n  title = {A book},\n"
                                                          "  date = {2020},\n}\n"})
    expect(lines, f"briefs/references.bib:{line}:1: error: entry key 'key with space' has a space, which pandoc "
                  "cannot read in a key")


def test_a_png_bomb_is_refused_from_its_header(sample):
    data = png_bomb()
    assert len(data) < 500_000
    files = {NAME: brief("A picture.", extra="image:\n  file: images/bomb.png\n  alt: A picture.\n  credit: Us\n"),
             "briefs/images/bomb.png": data}
    expect(run_with(sample, files), f"{NAME}:9:9: error: image is too large: 60,000 × 60,000 pixels")


def test_an_svg_with_a_script(sample):
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>alert(1)</script></svg>'
    files = {NAME: brief("A picture.", extra="image:\n  file: images/evil.svg\n  alt: A picture.\n  credit: Us\n"),
             "briefs/images/evil.svg": svg}
    expect(run_with(sample, files), f"{NAME}:9:9: error: SVG image carries a <script> element")


def test_an_author_photo_with_a_script(sample):
    authors = (sample.briefs / "authors.yml").read_text()
    line = authors[: authors.index("photo:")].count("\n") + 1
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect onclick="alert(1)"/></svg>'
    files = {"briefs/authors.yml": authors.replace("images/authors/jordan-park.svg", "images/authors/evil.svg"),
             "briefs/images/authors/evil.svg": svg}
    expect(run_with(sample, files), f"briefs/authors.yml:{line}:10: error: SVG image carries an event handler "
                                    "attribute 'onclick'")


def test_an_image_changed_after_a_build_is_checked_again(sample):
    files = {NAME: brief("A picture.", extra="image:\n  file: images/later.svg\n  alt: A picture.\n  credit: Us\n"),
             "briefs/images/later.svg": '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>'}
    root = sample.root
    try:
        for rel, text in files.items():
            (root / rel).write_text(text)
        assert sample.run("check").returncode == 0
        expect(run_with(sample, {"briefs/images/later.svg": files["briefs/images/later.svg"].replace(
            "/>", "><script>alert(1)</script></svg>")}, "check"), f"{NAME}:9:9: error: SVG image carries a <script>")
    finally:
        for rel in files:
            (root / rel).unlink(missing_ok=True)


# ---- in process: the checks themselves ------------------------------------------------------------------

HOSTILE_TEXTS = {
    "code-spans": fill("`a` ", 2 * MB), "backticks": fill("`a ", 2 * MB), "backtick-runs": fill("``` `` ` ", 2 * MB),
    "brackets": fill("[", 2 * MB), "closed-brackets": fill("[", MB) + fill("]", MB), "citations": fill("[@a ", 2 * MB),
    "note-refs": fill("[^", 2 * MB), "at-signs": fill("@a ", 2 * MB) + "]", "fences": fill("```\n", 2 * MB),
    "blank-lines": fill("[@\n\n", 2 * MB), "html": fill("<a ", 2 * MB), "html-quotes": fill('<a b="', 2 * MB),
    "comments": fill("<!-- ", 2 * MB), "emphasis": fill("*_", MB) + fill("_*", MB), "lists": fill("- ", 2 * MB),
    "less-than": fill("< ", 2 * MB),
}


@pytest.mark.parametrize("name", HOSTILE_TEXTS)
def test_scanning_two_megabytes_is_linear(name):
    text = HOSTILE_TEXTS[name]
    start = time.perf_counter()
    scan(text)
    markdown_problems(text, max_chars=len(text))
    assert time.perf_counter() - start < 20  # about a second: quadratic would be hours


def check(text: str) -> list[str]:
    diags = Diagnostics()
    doc = parse_yaml(NAME, text, diags)
    assert not diags.items
    check_limits(doc, doc.value, diags)
    return [d.format() for d in diags.sorted()]


@pytest.mark.parametrize("body, start", [
    ("*" * (MAX_EMPHASIS_DEPTH + 1) + "x" + "*" * (MAX_EMPHASIS_DEPTH + 1),
     f"{NAME}:7:3: error: emphasis (* or _) is nested more than {MAX_EMPHASIS_DEPTH} levels deep"),
    ("<div>" * (MAX_HTML_DEPTH + 1) + "x" + "</div>" * (MAX_HTML_DEPTH + 1),
     f"{NAME}:7:{3 + 5 * MAX_HTML_DEPTH}: error: HTML elements are nested more than {MAX_HTML_DEPTH} deep"),
    ("x " + "<b " * 3, f"{NAME}:7:5: error: '<' starts an HTML tag that is not closed by '>' within 2,000 characters "
                       "(3 in this text)"),
    ("a <!-- b", f"{NAME}:7:5: error: HTML comment is not closed with '-->'"),
    ("x < y " * 11, f"{NAME}:7:{3 + 2 + 6 * 10}: error: more than 10 '<' signs that start no HTML tag in the brief"),
    ("`" * 11 + " x", f"{NAME}:7:3: error: a run of 11 backticks (the limit is 10)"),
    ("[" + "a " * 300 + "]", f"{NAME}:7:3: error: the text between '[' and its ']' is longer than 500 characters"),
    ("# h\n" * 201, f"{NAME}:207:3: error: more than 200 headings in one text (the limit is 200)"),
    ("w " * 2_501, f"{NAME}:7:3: error: paragraph is too long (more than 5,000 characters without a blank line"),
])
def test_limits_are_reported_where_they_are_passed(body, start):
    expect(check(brief(body)), start)


def test_citations_in_the_body_count_as_notes():
    body = " ".join(f"[@a{i}]" for i in range(MAX_NOTES + 1))  # and the note [^a]: 1,002 notes
    expect(check(brief(body)), f"{NAME}:7:{3 + body.index(f'[@a{MAX_NOTES - 1}]')}: error: the brief has 1,002 notes "
                               "(each citation in the body is a note of its own)")


def test_citations_in_body_and_notes_are_counted():
    body = "\n\n".join(" ".join(["[@a]"] * 100) for _ in range(9)) + " [^a]"  # 900 notes
    note = "\n\n".join(" ".join(["[@b]"] * 100) for _ in range(12))  # 1,200 citations in one note
    text = brief(body, {}) + "notes:\n  a: |\n" + "".join(f"    {line}\n" for line in note.split("\n"))
    # citation 2,001 is the 1,101st of the note, the first of its 12th paragraph: body lines 7-23,
    # notes: on 24, a: on 25, the note's paragraphs from line 26, two lines apart
    expect(check(text), f"{NAME}:{26 + 2 * 11}:5: error: more than 2,000 citations in the brief (the limit is 2,000)")


def test_text_within_the_limits_passes():
    body = ("A paragraph with **bold**, *italic*, `code`, a [link](https://example.org), a citation "
            "[see @lee2024nucleartest, 12], <sup>HTML</sup>, x &lt; y, and a note.[^a]\n\n- a list\n  - nested\n\n"
            "> a quote\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert check(brief(body)) == []


def test_other_fields_have_their_limits():
    lines = check(brief("Text.", extra="takeaways:\n  - " + "x" * 10_001 + "\n"))
    expect(lines, f"{NAME}:9:10005: error: takeaway 1 is too long (10,001 characters; the limit is 10,000)")
