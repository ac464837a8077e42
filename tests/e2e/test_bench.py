"""The benchmarks run and report their rows (times are never asserted)."""

import subprocess
import sys

import pytest

from conftest import REPO


def test_citation_benchmark_smoke():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "citations.py"), "--briefs", "20",
                             "--sample", "2", "--entries", "30"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "20 briefs, 120 citations" in result.stdout
    for row in ("one pandoc per brief", "briefkit, cold", "briefkit, nothing changed", "briefkit, one brief edited"):
        assert row in result.stdout


def test_pdf_benchmark_smoke():
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "pdfs.py"), "--briefs", "6", "--sample", "2"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "6 briefs (6 PDFs)" in result.stdout
    for row in ("pandoc → Typst per brief", "briefkit, cold", "briefkit, nothing changed"):
        assert row in result.stdout


def _cells(text: str, label: str) -> list[str]:
    row = next(line for line in text.splitlines() if line.startswith(f"| {label} |"))
    return [c.strip() for c in row.strip().strip("|").split("|")][1:]


@pytest.mark.slow
def test_site_benchmark_smoke(tmp_path):
    """Both corpora at N = 10 through every build measurement of benchmarks/run.py (no preview, no Hugo
    install); only the table is checked, never the times."""
    output = tmp_path / "results.md"
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--sizes", "10", "--repeat", "1",
                             "--no-preview", "--no-install", "--output", str(output)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    text = output.read_text()
    assert text.startswith("# Benchmark results") and "Machine:" in text and "cores" in text
    assert "| figure | ours, N = 10 | B, N = 10 |" in text
    for label in ("(a) briefkit cold", "(b) bare MkDocs cold", "(c) briefkit rebuild", "(d) briefkit rebuild"):
        row = next(line for line in text.splitlines() if line.startswith(f"| {label}"))
        cells = [c.strip() for c in row.strip().strip("|").split("|")][1:]
        assert len(cells) == 2 and all(float(c.removesuffix(" s")) > 0 for c in cells), row
    for label in ("(a)/(b)", "(c)/(b)", "(d)/(b)", "(a)/(b), CPU time", "(c)/(b), CPU time", "(d)/(b), CPU time"):
        cells = _cells(text, label)
        assert len(cells) == 2 and all(c.endswith(" ×") and float(c.removesuffix(" ×")) > 0 for c in cells)
    assert len(_cells(text, "Hugo cold (the same plain pages)")) == 2
    assert "- ours, N = 10: 10 briefs" in text and "- B, N = 10: 10 briefs" in text
    usage = [line for line in text.splitlines() if line.startswith(("| ours, 10 |", "| B, 10 |"))]
    assert len(usage) >= 8  # (a) to (d) of each corpus, and Hugo where it is installed
    for line in usage:
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        assert float(cells[4]) > 0 and cells[5].endswith(" MB") and cells[6].endswith(" MB"), line


@pytest.mark.slow
def test_preview_benchmark_smoke():
    """benchmarks/preview.py on 5 briefs: briefkit's preview and `mkdocs serve --dirty` show one edit each."""
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "preview.py"), "--corpus", "ours", "--briefs",
                             "5", "--servers", "briefkit", "mkdocs-dirty", "--edits", "1", "--timeout", "60",
                             "--startup-timeout", "120"], capture_output=True, text=True, timeout=400)
    assert result.returncode == 0, result.stderr[-3000:]
    for server in ("briefkit serve", "mkdocs serve --dirty"):
        cells = _cells(result.stdout, server)
        assert cells[1].endswith(" s") and float(cells[1].removesuffix(" s")) > 0, result.stdout
