# ruff: noqa: F811  (the server fixture comes from test_serve)
"""The preview server (serve.py): answers every request while there are errors, shows them on the page,
serves only the site, on 127.0.0.1, and takes a burst of saves as one rebuild."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request

from test_serve import URL, fetch, free_port, replace, server, wait_for  # noqa: F401  (server is a fixture)


def get(port: int, path: str) -> tuple[int, str, float]:
    started = time.monotonic()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/{path}", timeout=5) as response:
            return response.status, response.read().decode("utf-8"), time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8"), time.monotonic() - started


def rebuilds(project) -> int:
    return project.serve_log.read_text().count("Rebuilt in")


def test_errors_are_shown_on_every_page_and_go_away_when_fixed(server):
    project, port = server
    brief = project.briefs / "2024-04-29-defence-industrial-enterprise.yml"
    replace(brief, "series: quick-take", "series: no-such-series")
    line = next(i for i, text in enumerate(brief.read_text(encoding="utf-8").splitlines(), 1)
                if text.startswith("series: no-such-series"))
    page = wait_for(port, URL, "briefkit-errors")
    assert f"briefs/2024-04-29-defence-industrial-enterprise.yml:{line}:9: error: unknown series" in page
    assert "<pre" in page and "series: no-such-series</pre>" in page  # the source line, in the HTML itself
    assert "Cite this brief" in page  # under the overlay: the last good version
    for path in (URL, "", "about/", "2099/01/never-built/", "feed.xml"):
        status, body, seconds = get(port, path)
        assert status == 200 and seconds < 1, (path, status, seconds)
        if not path.endswith(".xml"):
            assert "unknown series" in body, path  # a page that never built shows the errors, not a 404
    replace(brief, "series: no-such-series", "series: quick-take")
    deadline = time.monotonic() + 60
    while "briefkit-errors" in (fetch(port, URL) or "briefkit-errors") and time.monotonic() < deadline:
        time.sleep(0.2)
    assert "briefkit-errors" not in fetch(port, URL)
    assert get(port, "2099/01/never-built/")[0] == 404


def test_only_the_site_is_served_and_only_on_this_machine(server):
    project, port = server
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(b"GET /../mkdocs.yml HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := s.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 404") and b"extra:" not in answer
    assert get(port, "..%2f..%2fmkdocs.yml")[0] == 404
    listening = [line.split()[1] for line in open("/proc/net/tcp").read().splitlines()[1:]
                 if line.split()[3] == "0A"]  # LISTEN
    assert f"0100007F:{port:04X}" in listening  # 127.0.0.1, not every interface


def test_a_burst_of_saves_is_one_rebuild(server):
    project, port = server
    brief = project.briefs / "2025-12-27-new-munitions-factories.yml"
    text = brief.read_text(encoding="utf-8")
    time.sleep(1)
    before = rebuilds(project)
    for n in range(6):  # an editor's autosave
        brief.write_text(text.replace("Kim Jong Un has called", f"Kim Jong Un (save {n}) has called"),
                         encoding="utf-8")
        time.sleep(0.02)
    wait_for(port, "2025/12/new-munitions-factories/", "(save 5)")
    time.sleep(3)
    assert rebuilds(project) - before == 1, project.serve_log.read_text()[-2000:]


def test_the_reload_channel_says_which_pages_changed(server):
    project, port = server
    status, body, _ = get(port, "__briefkit/events?since=-1")
    build = json.loads(body)["build"]
    replace(project.briefs / "2024-04-29-defence-industrial-enterprise.yml",
            "title: North Korea’s New", "title: Channel Test")
    status, body, _ = get(port, f"__briefkit/events?since={build}")
    event = json.loads(body)
    assert status == 200 and event["build"] > build
    assert event["changed"] is None or f"/{URL}" in event["changed"]



def test_a_save_during_the_first_build_gives_a_rebuild(sample_project, monkeypatch):
    """The preview watches before it first builds: a save made once the first build has read the
    briefs is not lost. (CI once lost an edit made between the first pages showing and the watcher
    starting.) The builds are stand-ins here; the first one saves a brief, as an editor would."""
    import threading

    from briefkit import serve as serve_module
    from briefkit.config import load_config

    brief = sample_project.briefs / "2024-04-29-defence-industrial-enterprise.yml"
    builds: list[int] = []
    second = threading.Event()

    def rebuild(self) -> None:
        builds.append(1)
        if len(builds) == 1:
            replace(brief, "series: quick-take", "series: news")
        else:
            second.set()

    monkeypatch.setattr(serve_module.Preview, "rebuild", rebuild)
    monkeypatch.setattr(serve_module, "quiet", lambda: None)
    stop = threading.Event()
    thread = threading.Thread(target=serve_module.serve, args=(load_config(sample_project.root), free_port(), False),
                              kwargs={"stop": stop}, daemon=True)
    thread.start()
    try:
        assert second.wait(timeout=15), "the save made during the first build gave no rebuild"
    finally:
        stop.set()
        thread.join(timeout=10)
    assert not thread.is_alive()
    time.sleep(2)
    assert len(builds) == 2  # and only one: nothing else changed
