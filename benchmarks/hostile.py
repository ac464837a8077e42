"""Hostile inputs under the 2 MB file limit: each must end in seconds, as a contract error (or a build).

    python benchmarks/hostile.py [--case NAME ...] [--timeout 120] [--limit 10] [--no-pdf] [--no-assert]

Each case is the sample project plus one hostile file (a brief of about 1 MB, a .bib entry, an image,
an author photo). For each, `python build.py check` and `python build.py` run in a fresh copy (the
caches are shared, so the sample briefs are formatted once) and the table shows, per run, the wall
time, the peak memory of the largest process, the exit code and the first line of its output.

The cases named limit-… are the worst briefs found *within* every limit of briefkit/limits.py (the
most expensive syntax for the engines, at the largest sizes allowed): they must build, PDFs included.

Unless --no-assert is given, the script fails when a run takes longer than --limit seconds (a build of
a limit-… case: --build-limit), prints a traceback, prints anything but contract lines
(`briefs/<file>:<line>:<col>: error: …`) on exit 1, or when a hostile case builds or a limit-… case
does not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONTRACT_LINE = re.compile(r"^\S[^:]*:\d+:\d+: (error|warning): .+$")
NAME = "2024-05-01-hostile.yml"
HEAD = ("title: A hostile brief\nseries: quick-take\ndate: 2024-05-01\nauthors: [jordan-park]\n"
        "summary: One sentence.\n")
MB = 1_000_000


def brief(body: str, notes: dict[str, str] | None = None, extra: str = "") -> dict[str, bytes]:
    """A brief whose body is `body` (a YAML literal block) with the note a or `notes`."""
    notes = notes if notes is not None else {"a": "A note."}
    if notes and "[^" not in body:
        body = body + "".join(f" [^{label}]" for label in notes)
    lines = "".join(f"  {label}: {json.dumps(text)}\n" for label, text in notes.items())
    text = HEAD + "body: |\n" + "".join(f"  {line}\n" for line in body.split("\n")) + extra
    text += "notes:\n" + lines if notes else ""
    return {f"briefs/{NAME}": text.encode()}


def fill(piece: str, size: int = MB) -> str:
    """`piece` repeated to about `size` characters, on one line."""
    return piece * (size // len(piece))


def many_notes(count: int = 20_000) -> dict[str, bytes]:
    body = " ".join(f"Point {i}.[^n{i}]" for i in range(count))
    return brief(body, {f"n{i}": f"Note {i}." for i in range(count)})


def nested_list(depth: int = 60) -> str:
    """An ordered list nested `depth` deep by indentation (YAML refuses more than 200 spaces)."""
    return "\n".join("   " * i + "1. item" for i in range(depth))


def png(width: int, height: int, rows: int | None = None) -> bytes:
    """A 1-bit grey PNG of width × height; its pixel data is zeros, compressed (about 1:1000)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\0" * (1 + (width + 7) // 8)
    compressor = zlib.compressobj(9)
    parts = [compressor.compress(row) for _ in range(height if rows is None else rows)]
    idat = b"".join(parts) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def with_image(file: str, data: bytes) -> dict[str, bytes]:
    files = brief("A brief with a picture.", extra=f"image:\n  file: {file}\n  alt: A picture.\n  credit: Us\n")
    files[f"briefs/{file}"] = data
    return files


SCRIPT_SVG = (b'<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100">'
              b'<script>alert(document.domain)</script><rect width="100" height="100"/></svg>')


def author_photo() -> dict[str, bytes]:
    authors = (ROOT / "briefs" / "authors.yml").read_text().replace(
        "images/authors/jordan-park.svg", "images/authors/evil.svg")
    return {"briefs/authors.yml": authors.encode(), "briefs/images/authors/evil.svg": SCRIPT_SVG}


def bib_key_with_space() -> dict[str, bytes]:
    bib = (ROOT / "briefs" / "references.bib").read_text()
    return {"briefs/references.bib": (bib + "\n@book{key with space,\n  title = {A book},\n"
                                       "  date = {2020},\n}\n").encode()}


@dataclass(frozen=True)
class Case:
    name: str
    files: Callable[[], dict[str, bytes]]
    what: str
    builds: bool = False  # a brief within the limits: it must build


def paragraphs(unit: str, total: int = 190_000, size: int = 4_900) -> str:
    """`unit` repeated into paragraphs of about `size` characters, about `total` in all."""
    paragraph = unit * (size // len(unit))
    return "\n\n".join([paragraph] * (total // (len(paragraph) + 2)))


def at_limit_notes() -> dict[str, bytes]:
    notes = {f"n{i}": "See " + "[@lee2024nucleartest, 12] and *this* " * 2 + "word " * 12 for i in range(999)}
    refs = ["".join(f"x.[^n{i}] " for i in range(start, min(start + 300, 999))) for start in range(0, 999, 300)]
    body = paragraphs("*a* word ", total=60_000) + "\n\n" + "\n\n".join(refs)
    return brief(body, notes)


def big_images() -> dict[str, bytes]:
    """Five real 40-megapixel PNGs (the most pixels a brief may have), placed as figures."""
    body = "\n\n".join(f"[figure: f{i}]" for i in range(5)) + "\n\nSee the note.[^a]"
    files = brief(body, extra="figures:\n" + "".join(
        f"  f{i}:\n    file: images/big{i}.png\n    alt: A picture.\n    credit: Us\n" for i in range(5)))
    for i in range(5):
        files[f"briefs/images/big{i}.png"] = png(6_320 - i, 6_320)  # distinct files
    return files


CASES = [
    Case("code-spans", lambda: brief(fill("`a` ")), "1 MB of inline code spans"),
    Case("backticks", lambda: brief(fill("`a ")), "1 MB of unbalanced backticks"),
    Case("backtick-run", lambda: brief("`" * 2000 + " " + fill("word ")), "a run of 2,000 backticks, then 1 MB"),
    Case("html-tags", lambda: brief(fill("<a ")), "1 MB of '<a '"),
    Case("emphasis", lambda: brief(fill("*_", MB // 2) + "x" + fill("_*", MB // 2)), "emphasis nested 500,000 deep"),
    Case("brackets", lambda: brief(fill("[")), "1 MB of '['"),
    Case("nested-brackets", lambda: brief("[" * 30 + "a" + "]" * 30), "brackets nested 30 deep"),
    Case("unclosed-bracket", lambda: brief("[a " + fill("word ")), "one '[' never closed, then 1 MB"),
    Case("long-paragraph", lambda: brief(fill("word ")), "one paragraph of 1 MB"),
    Case("list-markers", lambda: brief("- " * 500 + "x"), "500 list markers on one line"),
    Case("nested-list", lambda: brief(nested_list()), "a list nested 60 deep by indentation"),
    Case("block-quotes", lambda: brief(">" * 10_000 + " x"), "block quotes nested 10,000 deep"),
    Case("notes", many_notes, "20,000 notes"),
    Case("bib-key-space", bib_key_with_space, ".bib key with a space (not cited)"),
    Case("png-bomb", lambda: with_image("images/bomb.png", png(60_000, 60_000)),
         "PNG whose header says 60,000 × 60,000"),
    Case("svg-script", lambda: with_image("images/evil.svg", SCRIPT_SVG), "SVG with a <script>"),
    Case("photo-script", author_photo, "author photo: SVG with a <script>"),
    Case("baseline", lambda: brief("A short brief, for comparison."), "a short brief", True),
    Case("limit-brackets", lambda: brief(paragraphs("[" + "b " * 247 + "] ", 180_000) + "\n\n"
                                         + "\n\n".join(["[[" + "b " * 240 + "]] " * 10] * 2)),
         "200,000 characters in brackets", True),
    Case("limit-emphasis", lambda: brief(paragraphs("*_*_*_*_*_x_*_*_*_*_* ")), "emphasis 10 deep, everywhere", True),
    Case("limit-code", lambda: brief(paragraphs("`a` ")), "200,000 characters of code spans", True),
    Case("limit-markup", lambda: brief(paragraphs("*a* [b](c) `d` <b>e</b> &amp; \\* _f_ ")),
         "every inline element, 200,000 characters", True),
    Case("limit-notes", at_limit_notes, "999 notes with citations", True),
    Case("limit-images", big_images, "five 40-megapixel PNGs", True),
]

# Peak memory of a command's process tree (the largest process), measured by a small parent process.
_MEASURE = ("import resource, subprocess, sys, time\n"
            "start = time.perf_counter()\n"
            "proc = subprocess.run(sys.argv[2:], capture_output=True, timeout=float(sys.argv[1]))\n"
            "sys.stdout.buffer.write(proc.stderr)\n"
            "sys.stderr.write(f'{proc.returncode} {time.perf_counter() - start} '"
            "f'{resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}')\n")


def make_project(dest: Path, cache: Path) -> None:
    for name in ("mkdocs.yml", "build.py"):
        shutil.copy(ROOT / name, dest / name)
    for folder in ("templates", "docs", "briefkit", "briefs"):
        shutil.copytree(ROOT / folder, dest / folder, ignore=shutil.ignore_patterns("__pycache__"))
    config = dest / "mkdocs.yml"  # the form-based editor is not measured (and node_modules/ is not copied)
    config.write_text(re.sub(r"^(\s+cms:\s*)true\b", r"\1false", config.read_text(encoding="utf-8"), flags=re.M),
                      encoding="utf-8")
    (dest / ".cache").symlink_to(cache)


@dataclass
class Run:
    seconds: float
    memory_mb: float
    code: int | None  # None: killed at the timeout
    output: list[str]

    @property
    def first(self) -> str:
        errors = [line for line in self.output if ": error: " in line] or self.output
        return errors[0][:110] if errors else ""

    def problem(self, limit: float) -> str | None:
        if self.code is None:
            return "did not finish"
        if any("Traceback" in line for line in self.output):
            return "traceback"
        if self.code not in (0, 1):
            return f"exit code {self.code}"
        if self.code == 1 and not all(CONTRACT_LINE.match(line) for line in self.output):
            return "a line that is not a contract line"
        if self.seconds > limit:
            return f"took {self.seconds:.1f} s (limit {limit:.0f} s)"
        return None


def run(root: Path, args: list[str], timeout: float) -> Run:
    command = [sys.executable, "-c", _MEASURE, str(timeout), sys.executable, str(root / "build.py"), *args]
    start = time.perf_counter()
    try:
        proc = subprocess.run(command, cwd=root, capture_output=True, timeout=timeout + 30)
    except subprocess.TimeoutExpired:
        return Run(time.perf_counter() - start, 0, None, [])
    if proc.returncode != 0 or not re.fullmatch(rb"-?\d+ [\d.]+ \d+", proc.stderr.strip()):
        return Run(time.perf_counter() - start, 0, None, [])  # the command was killed at its timeout
    code, seconds, kilobytes = proc.stderr.split()
    output = [line for line in proc.stdout.decode(errors="replace").splitlines()
              if line.strip() and not line.startswith("Built ")]
    return Run(float(seconds), int(kilobytes) / 1024, int(code), output)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", nargs="*", help="only these cases (default: all)")
    parser.add_argument("--timeout", type=float, default=120, help="seconds before a run is stopped")
    parser.add_argument("--limit", type=float, default=10, help="seconds a run may take")
    parser.add_argument("--build-limit", type=float, default=90, help="seconds the build of a limit-… case may take")
    parser.add_argument("--no-pdf", action="store_true", help="build the site without PDFs")
    parser.add_argument("--no-assert", action="store_true", help="only report")
    args = parser.parse_args()
    cases = [c for c in CASES if not args.case or c.name in args.case]
    failures = []
    with tempfile.TemporaryDirectory(prefix="briefkit-hostile-") as tmp:
        cache = Path(tmp) / "cache"
        cache.mkdir()
        warm = Path(tmp) / "warm"
        warm.mkdir()
        make_project(warm, cache)
        _configure(warm, args.no_pdf)
        run(warm, [], args.timeout)  # the sample briefs' notes and PDFs, once for every case
        print(f"{'case':18} {'input':42} {'check':>17} {'build':>17}  first line")
        for case in cases:
            root = Path(tmp) / case.name
            root.mkdir()
            make_project(root, cache)
            _configure(root, args.no_pdf)
            for rel, data in case.files().items():
                assert len(data) < 2_000_000 or not rel.endswith((".yml", ".bib")), (case.name, len(data))
                (root / rel).parent.mkdir(parents=True, exist_ok=True)
                (root / rel).write_bytes(data)
            results = [run(root, ["check"], args.timeout), run(root, [], args.timeout)]
            cells = [f"{'-' if r.code is None else r.code} {r.seconds:6.1f} s {r.memory_mb:5.0f} MB" for r in results]
            first = results[1].first or results[0].first
            print(f"{case.name:18} {case.what[:42]:42} {cells[0]:>17} {cells[1]:>17}  {first}", flush=True)
            for label, r in zip(("check", "build"), results, strict=True):
                problem = r.problem(args.build_limit if case.builds and label == "build" else args.limit)
                if not problem and r.code != (0 if case.builds else 1):
                    problem = "built" if r.code == 0 else "refused"
                if problem:
                    failures.append(f"{case.name} ({label}): {problem}")
            shutil.rmtree(root, ignore_errors=True)
    if failures and not args.no_assert:
        print("\n".join(["", "FAILED:"] + failures), file=sys.stderr)
        return 1
    return 0


def _configure(root: Path, no_pdf: bool) -> None:
    if no_pdf:
        config = root / "mkdocs.yml"
        config.write_text(config.read_text().replace("    pdf: true ", "    pdf: false "))
    os.environ.setdefault("BRIEFKIT_TODAY", "2026-01-01")


if __name__ == "__main__":
    sys.exit(main())
