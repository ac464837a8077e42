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
def server(sample_project, tmp_path_factory):
    port = free_port()
    log = tmp_path_factory.mktemp("serve") / "output.txt"  # the preview's output (a pipe nobody read could fill)
    sample_project.serve_log = log
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)], cwd=sample_project.root,
                                stdout=out, stderr=subprocess.STDOUT, text=True)
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
    replace(project.root / "templates" / "brief.html.j2", '<p class="brief-dates">', '<p class="brief-dates edited">')
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


def test_builds_run_while_a_preview_waits_for_changes(server):
    """The preview holds the project's lock while it rebuilds only; a rebuild waits for a running build."""
    from test_lock import holding

    project, port = server
    result = project.run("--no-wait")  # no build is running: the preview between two rebuilds holds nothing
    assert result.returncode == 0, result.stderr
    assert (project.root / "site/index.html").is_file()
    with holding(project.root) as other:
        replace(project.briefs / "2024-04-29-defence-industrial-enterprise.yml",
                "title: North Korea’s New", "title: Rebuilt After The Other Build")
        waiting = f"waiting for the build started by PID {other.pid} (python build.py serve)"
        deadline = time.monotonic() + 30
        while waiting not in project.serve_log.read_text() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert waiting in project.serve_log.read_text()  # the rebuild waits, and says for whom ...
        assert "Rebuilt After The Other Build" not in (fetch(port, URL) or "")
    wait_for(port, URL, "Rebuilt After The Other Build")  # ... and runs once the other build is done


@pytest.mark.parametrize("port", ["0", "70000", "-1"])
def test_an_invalid_port_is_one_line(project, port):
    result = project.run("serve", "--port", port)
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"error: --port {port} is not a port (use a number from 1 to 65535, "
                                          "such as --port 8000)"]


def test_a_busy_port_is_one_line_before_anything_is_built(project):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = project.run("serve", "--port", str(port))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [f"error: port {port} is in use (by another preview?) (use another one, "
                                          f"e.g. --port {port + 1 if port < 65535 else 8000})"]
    assert not (project.root / ".build").exists()
