"""`python build.py serve` rebuilds when a brief, the .bib, a registry or a template changes."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

URL = "2024/04/defence-industrial-enterprise/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port: int, path: str) -> str | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(port: int, path: str, needle: str, timeout: float = 40) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        html = fetch(port, path)
        if html and needle in html:
            return html
        time.sleep(0.3)
    pytest.fail(f"{needle!r} did not appear on /{path} within {timeout} s")


@pytest.fixture
def server(sample_project):
    port = free_port()
    proc = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)], cwd=sample_project.root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        wait_for(port, URL, "Quick Take")
        yield sample_project, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def replace(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_live_reload_on_every_kind_of_source(server):
    project, port = server
    replace(project.briefs / "2024-04-29-defence-industrial-enterprise.yml",
            "title: North Korea’s New", "title: Edited Brief Title")
    wait_for(port, URL, "Edited Brief Title")
    replace(project.briefs / "references.bib", "Is Kim Jong Un Preparing for War?", "Edited Bib Title")
    wait_for(port, "2025/12/munitions-modernization/", "Edited Bib Title")
    replace(project.briefs / "series.yml", "label: Quick Take", "label: Edited Series")
    wait_for(port, URL, "Edited Series")
    replace(project.root / "templates" / "brief.md.j2", '<p class="brief-dates">', '<p class="brief-dates edited">')
    wait_for(port, URL, "brief-dates edited")


def test_serve_reports_errors_and_recovers(server):
    project, port = server
    broken = project.briefs / "2024-05-01-broken.yml"
    broken.write_text("title: [unclosed\n", encoding="utf-8")
    time.sleep(1.5)
    replace(project.briefs / "2024-04-29-defence-industrial-enterprise.yml",
            "title: North Korea’s New", "title: Not Published While Broken")
    time.sleep(3)
    assert "Not Published While Broken" not in (fetch(port, URL) or "")
    broken.unlink()
    wait_for(port, URL, "Not Published While Broken")
