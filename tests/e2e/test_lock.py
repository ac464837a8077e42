"""One build at a time per project: the lock, its holder's message, and two builds started together."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
from contextlib import contextmanager

import pytest

from briefkit import lock
from briefkit.lock import LockBusy
from conftest import REPO
from conftest import tree_digest as tree

HOLDER = """
import sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from briefkit.lock import project_lock
with project_lock(Path(sys.argv[2]), "python build.py serve"):
    print("held", flush=True)
    time.sleep(float(sys.argv[3]))
"""


@contextmanager
def holding(root, seconds: float = 120):
    """Another process holding the project's lock, as a preview in the middle of a rebuild would."""
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(REPO), str(root), str(seconds)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        proc.kill()
        proc.wait()


def test_a_second_holder_is_told_who_holds_the_lock(tmp_path):
    with holding(tmp_path) as proc:
        with pytest.raises(LockBusy) as caught:
            lock.acquire(tmp_path, wait=False)
        message = str(caught.value)
        assert f"PID {proc.pid} (python build.py serve)" in message and "--no-wait" in message
        assert lock.holder(tmp_path).pid == proc.pid
    assert lock.holder(tmp_path) is None


def test_a_killed_holder_never_blocks(tmp_path):
    with holding(tmp_path) as proc:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        assert (tmp_path / ".briefkit.lock").exists()  # left behind, with the dead holder's PID in it
        with lock.project_lock(tmp_path, "test", wait=False):
            assert lock.holder(tmp_path).pid == os.getpid()
            assert lock.holder(tmp_path).command == "test"


def test_a_second_build_waits_and_says_for_whom(tmp_path):
    told: list[str] = []
    with holding(tmp_path, seconds=1.5) as proc:
        with lock.project_lock(tmp_path, "test", timeout=60, notify=told.append):
            assert proc.wait(timeout=10) == 0  # the holder finished first
    assert len(told) == 1 and told[0].startswith(f"waiting for the build started by PID {proc.pid} "
                                                 "(python build.py serve) at ")


def test_waiting_gives_up_after_the_timeout(tmp_path):
    with holding(tmp_path) as proc:
        with pytest.raises(LockBusy) as caught:
            lock.acquire(tmp_path, timeout=0.5, notify=lambda _: None)
    assert "gave up after waiting 0.5 s" in str(caught.value) and f"PID {proc.pid}" in str(caught.value)


def test_the_lock_is_reentrant_in_one_thread_and_exclusive_between_threads(tmp_path):
    with lock.project_lock(tmp_path, "outer"):
        with lock.project_lock(tmp_path, "inner", wait=False):  # build.py, then MkDocs' on_pre_build
            pass
        assert lock.holder(tmp_path).command == "outer"  # still held: the inner hold only counted
        failures = []

        def other_thread():
            try:
                lock.acquire(tmp_path, wait=False)
            except LockBusy as exc:
                failures.append(exc)

        thread = threading.Thread(target=other_thread)
        thread.start()
        thread.join()
        assert len(failures) == 1
    assert lock.holder(tmp_path) is None
    lock.release(None)  # releasing nothing is fine (on_build_error after on_post_build released)


def test_two_builds_at_once_both_succeed_one_after_the_other(sample_project):
    project = sample_project
    procs = [subprocess.Popen([sys.executable, "build.py"], cwd=project.root, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = [(proc, *proc.communicate(timeout=600)) for proc in procs]
    for proc, _, err in results:
        assert proc.returncode == 0, err
    waited = [(proc, err) for proc, _, err in results if "waiting for the build started by PID" in err]
    assert len(waited) == 1  # the second one waited for the first, and said so
    other = next(proc for proc, _, _ in results if proc is not waited[0][0])
    assert f"PID {other.pid} (python build.py)" in waited[0][1]
    together = tree(project.root / "site")
    assert not list(project.root.glob(".site-*"))
    assert project.run().returncode == 0
    assert tree(project.root / "site") == together  # the same site as one build alone


def test_no_wait_says_who_holds_the_project(sample_project):
    project = sample_project
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = str(s.getsockname()[1])
    with holding(project.root) as proc:
        for args in (["--no-wait"], ["build", "--no-wait"], ["--no-wait", "pdf"], ["pdf", "--no-wait"],
                     ["serve", "--no-wait", "--port", port]):
            result = project.run(*args)
            assert result.returncode == 1, (args, result.stderr)
            lines = result.stderr.strip().splitlines()
            assert len(lines) == 1 and lines[0].startswith("error: the build started by PID "), (args, lines)
            assert f"PID {proc.pid} (python build.py serve)" in lines[0] and "Traceback" not in result.stderr
        assert project.run("check").returncode == 0  # check writes nothing: it takes no lock
    assert not (project.root / "site").exists() and not (project.root / ".build").exists()  # nothing was built


def test_a_build_waits_for_the_holder_then_builds(sample_project):
    project = sample_project
    with holding(project.root, seconds=3) as proc:
        result = project.run()
    assert result.returncode == 0, result.stderr
    assert f"waiting for the build started by PID {proc.pid} (python build.py serve)" in result.stderr
    assert (project.root / "site/index.html").is_file()


def test_a_build_gives_up_after_the_timeout_with_one_line(sample_project):
    project = sample_project
    with holding(project.root) as proc:
        result = subprocess.run([sys.executable, "build.py"], cwd=project.root, capture_output=True, text=True,
                                env={**os.environ, "BRIEFKIT_LOCK_TIMEOUT": "1"})
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "gave up after waiting 1 s" in errors[0] and f"PID {proc.pid}" in errors[0]
    assert "BRIEFKIT_LOCK_TIMEOUT" in errors[0] and "Traceback" not in result.stderr
    assert not (project.root / "site").exists()
