"""The citation benchmark runs and reports its rows (times are never asserted)."""

import subprocess
import sys

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


def test_site_benchmark_smoke(tmp_path):
    """N = 50 through every measurement of benchmarks/run.py; only the output is checked, never times."""
    output = tmp_path / "results.md"
    result = subprocess.run([sys.executable, str(REPO / "benchmarks" / "run.py"), "--sizes", "50", "--repeat", "1",
                             "--output", str(output)], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    text = output.read_text()
    assert text.startswith("# Benchmark results") and "Machine:" in text
    row = next(line for line in text.splitlines() if line.startswith("| 50 |"))
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert len(cells) == 12 and all(cells)
    assert cells[3].endswith("×") and cells[4].endswith("ms") and " / " in cells[8]
    assert float(cells[9].removesuffix(" MB")) > 50  # the build's processes, sampled while it runs
    assert cells[11].endswith("KB") and int(cells[11].removesuffix(" KB")) > 50  # script, manifest, chunks, records
