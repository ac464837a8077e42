"""The editor at /admin/ (briefkit/cms.py, cms_preview.py) in whole builds and in `build.py serve`."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request

import pytest
import yaml

from briefkit.cms_preview import DecapServer


def enable_cms(project, node_modules: bool = True) -> int:
    """cms: true in the project's mkdocs.yml (PDFs off: not what these tests are about); its line."""
    settings = project.root / "mkdocs.yml"
    text = re.sub(r"^(\s+cms:\s*)false\b", r"\g<1>true", settings.read_text(encoding="utf-8"), flags=re.M)
    text = re.sub(r"^(\s+pdf:\s*)true\b", r"\g<1>false", text, flags=re.M)
    settings.write_text(text, encoding="utf-8")
    if node_modules and not (project.root / "node_modules").exists():
        from conftest import REPO

        (project.root / "node_modules").symlink_to(REPO / "node_modules")
    return next(i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith("cms:"))


def test_the_site_has_the_editor_and_a_rebuild_leaves_it_alone(sample_project):
    enable_cms(sample_project)
    result = sample_project.run()
    assert result.returncode == 0, result.stderr
    admin = sample_project.root / "site" / "admin"
    names = {p.name for p in admin.iterdir()}
    assert {"index.html", "config.yml", "decap-cms.js", "js-yaml.min.js", "briefkit-cms.js"} <= names
    assert not any(n.endswith(".map") for n in names)
    config = yaml.safe_load((admin / "config.yml").read_text(encoding="utf-8"))
    assert config["collections"][0]["folder"] == "briefs" and "local_backend" not in config
    first = (admin / "config.yml").read_bytes()
    # a brief's edit: a dirty build, whose /admin/ is the same bytes (the same files, in fact)
    brief = next(sample_project.briefs.glob("2024-*.yml"))
    brief.write_text(brief.read_text(encoding="utf-8").replace("Late in April", "Late in April 2024"),
                     encoding="utf-8")
    result = sample_project.run()
    assert result.returncode == 0 and "only what changed" in result.stderr, result.stderr
    assert (admin / "config.yml").read_bytes() == first
    # the editor's own files are part of what the site is made from: a change is published
    script = sample_project.root / "templates" / "admin" / "briefkit-cms.js"
    script.write_text(script.read_text(encoding="utf-8") + "\n// changed\n", encoding="utf-8")
    result = sample_project.run()
    assert result.returncode == 0 and "nothing changed" not in result.stderr, result.stderr
    assert (admin / "briefkit-cms.js").read_text(encoding="utf-8").endswith("// changed\n")
    # a registry's new label: the form's choices follow
    series = sample_project.briefs / "series.yml"
    series.write_text(series.read_text(encoding="utf-8").replace("label: Quick Take", "label: Quick Takes"),
                      encoding="utf-8")
    assert sample_project.run().returncode == 0
    assert "Quick Takes (quick-take)" in (admin / "config.yml").read_text(encoding="utf-8")


def test_no_editor_without_cms(sample_project):
    assert "cms: false" in (sample_project.root / "mkdocs.yml").read_text(encoding="utf-8")
    result = sample_project.run()
    assert result.returncode == 0, result.stderr
    assert not (sample_project.root / "site" / "admin").exists()


def test_without_the_bundle_check_and_build_stop_at_the_cms_line(project, tmp_path):
    line = enable_cms(project, node_modules=False)
    project.write("2024-04-29-a-test.yml", "title: T\n")  # never reached: the settings come first
    # the copy's briefkit/ has no node_modules beside it either (make_project copies the package)
    expected = (f"mkdocs.yml:{line}:10: error: extra.briefkit.cms: the editor's files "
                "(node_modules/decap-cms/dist/decap-cms.js and node_modules/js-yaml) are not installed "
                "(run `npm ci` (make site does) or set cms: false)")
    for command in (("check",), ()):
        result = project.run(*command)
        assert result.returncode == 1, result.stderr
        assert result.stderr.strip().splitlines() == [expected], command
    assert not (project.root / "site").exists()


def test_decap_server_writes_into_the_project_and_ends_with_the_preview(sample_project):
    enable_cms(sample_project)
    # a process that starts decap-server, says where, and is then killed without a chance to stop it
    script = textwrap.dedent(f"""
        import sys, time
        from pathlib import Path
        from briefkit.cms_preview import DecapServer
        server = DecapServer(Path({str(sample_project.root)!r}))
        server.start()
        print(server.url, server.process.pid if server.process else "", server.problem, flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        url, pid, _problem = parent.stdout.readline().split(" ", 2)
        assert url.startswith("http://127.0.0.1:") and url.endswith("/api/v1"), url
        request = urllib.request.Request(url, data=b'{"action": "info", "params": {}}',
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert b"local_fs" in response.read()
        image = {"action": "persistMedia", "params": {"branch": "main", "asset": {
            "path": "briefs/images/from-the-editor.svg", "encoding": "base64",
            "content": "PHN2ZyB4bWxucz0iaHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmciLz4="},
            "options": {"commitMessage": "Upload"}}}
        request = urllib.request.Request(url, data=json.dumps(image).encode(), headers={"Content-Type":
                                                                                        "application/json"})
        with urllib.request.urlopen(request, timeout=5):
            pass
        assert (sample_project.briefs / "images" / "from-the-editor.svg").is_file()
    finally:
        parent.send_signal(signal.SIGKILL)
        parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        os.kill(int(pid), signal.SIGKILL)
        pytest.fail("decap-server outlived the process that started it")


def test_without_node_the_preview_runs_and_the_editor_says_why(sample_project, tmp_path):
    enable_cms(sample_project)
    server = DecapServer(sample_project.root)
    bin_dir = tmp_path / "bin"  # a PATH with no node on it
    bin_dir.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "serve.txt"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)], cwd=sample_project.root,
                                stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PATH": str(bin_dir)})
    try:
        deadline = time.monotonic() + 90
        page = ""
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/", timeout=5) as response:
                    page = response.read().decode("utf-8")
                if "briefkit-cms-problem" in page:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        assert "The editor cannot save in this preview: Node.js is not installed" in page, log.read_text()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/config.yml", timeout=5) as response:
            assert "local_backend" not in response.read().decode("utf-8")
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/2024/04/defence-industrial-enterprise/",
                                    timeout=5) as response:
            assert response.status == 200  # the preview itself runs
        assert "warning: the editor at /admin/ cannot save: Node.js is not installed" in log.read_text()
        # the preview pane's renderer does not need decap-server
        endpoint = f"http://127.0.0.1:{port}/__briefkit/cms/preview"
        brief = (sample_project.briefs / "2024-04-29-defence-industrial-enterprise.yml").read_text(encoding="utf-8")
        asked = json.dumps({"path": "briefs/2024-04-29-defence-industrial-enterprise.yml", "text": brief}).encode()
        request = urllib.request.Request(endpoint, data=asked, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as response:
            answer = json.loads(response.read())
        assert answer["html"].count('<li id="fn:') == 4 and "<script" not in answer["html"]
        bad = ((b"not json", "application/json"), (asked, "text/plain"), (b'{"path": 1}', "application/json"))
        for data, kind in bad:
            request = urllib.request.Request(endpoint, data=data, headers={"Content-Type": kind})
            with pytest.raises(urllib.error.HTTPError) as refused:
                urllib.request.urlopen(request, timeout=5)
            assert refused.value.code == 400
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    assert server.process is None and shutil.which("node")  # (this machine has node: the PATH hid it)
