"""Preview latency: seconds from saving a brief to the first HTTP response of its page that shows the edit.

    python benchmarks/preview.py [--corpus ours|B] [--briefs 200] [--edits 3]
                                 [--servers briefkit mkdocs mkdocs-dirty hugo]

For each server: start it (in a session of its own), wait until the page answers and the server is
idle (its processes use under 6 % of a core for 1 s: a server may answer before its first build is
done), then 3 times: append a unique word to the body of one brief, save, and poll the
page's URL every 20 ms until the response contains the word; wait until the server is idle again.
The figure is the median of the edits. Servers:

- briefkit: `python build.py serve --port P` on the briefkit project (brief file
  briefs/YYYY-MM-DD-slug.yml → /YYYY/MM/slug/);
- mkdocs, mkdocs-dirty: `mkdocs serve` and `mkdocs serve --dirty` on the plain-Markdown project
  (docs/YYYY/MM/slug.md → /YYYY/MM/slug/, use_directory_urls);
- hugo: `hugo server` on the Hugo project (content/YYYY/MM/slug.md → /YYYY/MM/slug/).

Every wait has a hard timeout: a server that never answers, or never shows the edit, is reported
as "timeout" and the run goes on. Each server's process group is killed afterwards.
run.py calls `measure_servers` for every corpus (unless --no-preview).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import shutil
import signal
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from sites import BriefkitProject, HugoProject, PlainProject, Project  # noqa: E402

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "DISABLE_MKDOCS_2_WARNING": "true", "PYTHONUNBUFFERED": "1"}
POLL = 0.02


@dataclass
class Server:
    name: str  # as shown in the table
    project: Project
    command: Callable[[int], list[str]]  # port → command line


@dataclass
class Preview:
    name: str
    status: str = "ok"  # ok | timeout | failed: … | skipped: …
    ready: float | None = None  # seconds from the start until the page answers and the server is idle
    latencies: list[float | None] = field(default_factory=list)  # None: that edit timed out

    @property
    def median(self) -> float | None:
        done = [t for t in self.latencies if t is not None]
        return statistics.median(done) if done and len(done) == len(self.latencies) else None

    def cell(self) -> str:
        if self.median is not None:
            return f"{self.median:.2f} s"
        if self.status == "ok" and any(t is None for t in self.latencies):
            return "timeout"
        return self.status


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str, timeout: float) -> str | None:
    """The page's text, or None when the server does not answer it (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=max(timeout, 0.05)) as response:
            if response.status != 200:
                return None
            return response.read().decode("utf-8", "replace")
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError):
        return None  # HTTPException: a server that cut the answer short (hugo server while it rebuilds)


def session_cpu(session: int) -> float:
    """CPU seconds (user + system) used so far by the live processes of a session (Linux /proc)."""
    ticks = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[3]) == session:
            ticks += int(fields[11]) + int(fields[12])
    return ticks / os.sysconf("SC_CLK_TCK")


def wait_idle(proc: subprocess.Popen, timeout: float, window: float = 0.5, quiet: float = 0.03) -> bool:
    """Until the server's processes use less than `quiet` CPU seconds in two windows in a row."""
    deadline = time.monotonic() + timeout
    last, calm = session_cpu(proc.pid), 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(window)
        now = session_cpu(proc.pid)
        calm = calm + 1 if now - last < quiet else 0
        last = now
        if calm >= 2:
            return True
    return False


def stop(proc: subprocess.Popen) -> None:
    """End the server's whole process group: SIGTERM, then SIGKILL for whatever is left after 10 s."""
    try:
        os.killpg(proc.pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # the group may outlive its leader
    except ProcessLookupError:
        pass
    proc.wait(timeout=10)


def unique_word() -> str:
    return "benchedit" + "".join(random.choices(string.ascii_lowercase, k=10))


def measure(server: Server, index: int, edits: int, startup_timeout: float, timeout: float, log: Path) -> Preview:
    result = Preview(server.name)
    port = free_port()
    brief = server.project.briefs[index]
    url = f"http://127.0.0.1:{port}{brief.url}"
    with open(log, "wb") as out:
        start = time.monotonic()
        proc = subprocess.Popen(server.command(port), cwd=server.project.folder, env=ENV, stdout=out,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    try:
        while fetch(url, 2) is None:
            if proc.poll() is not None:
                result.status = f"failed: exited with {proc.returncode} ({last_line(log)})"
                return result
            if time.monotonic() - start > startup_timeout:
                result.status = "timeout"
                return result
            time.sleep(0.2)
        wait_idle(proc, startup_timeout)  # a server may answer before its first build is done
        result.ready = time.monotonic() - start
        for _ in range(edits):
            word = unique_word()
            saved = time.monotonic()
            server.project.append_word(index, word)
            seen = None
            while time.monotonic() - saved < timeout:
                text = fetch(url, timeout - (time.monotonic() - saved))
                if text is not None and word in text:
                    seen = time.monotonic() - saved
                    break
                if proc.poll() is not None:
                    result.status = f"failed: exited with {proc.returncode} ({last_line(log)})"
                    return result
                time.sleep(POLL)
            result.latencies.append(seen)
            if seen is None:
                break  # a server that missed one edit is not asked again
            wait_idle(proc, timeout)
        return result
    finally:
        stop(proc)


def last_line(log: Path) -> str:
    lines = [line.strip() for line in log.read_text(errors="replace").splitlines() if line.strip()]
    return (lines[-1] if lines else "no output")[:120]


def hugo_command(binary: str) -> Callable[[int], list[str]]:
    return lambda port: [binary, "server", "--port", str(port), "--bind", "127.0.0.1", "--quiet"]


def servers_for(briefkit: BriefkitProject, plain: PlainProject, hugo: HugoProject | None,
                hugo_binary: str | None, names: list[str] | None = None) -> list[Server]:
    py = sys.executable
    all_servers = [
        Server("briefkit serve", briefkit, lambda port: [py, "build.py", "serve", "--port", str(port)]),
        Server("mkdocs serve", plain, lambda port: [py, "-m", "mkdocs", "serve", "-a", f"127.0.0.1:{port}"]),
        Server("mkdocs serve --dirty", plain,
               lambda port: [py, "-m", "mkdocs", "serve", "--dirty", "-a", f"127.0.0.1:{port}"]),
    ]
    if hugo is not None and hugo_binary:
        all_servers.append(Server("hugo server", hugo, hugo_command(hugo_binary)))
    keys = {"briefkit serve": "briefkit", "mkdocs serve": "mkdocs", "mkdocs serve --dirty": "mkdocs-dirty",
            "hugo server": "hugo"}
    return [s for s in all_servers if names is None or keys[s.name] in names]


def measure_servers(servers: list[Server], edits: int = 3, startup_timeout: float = 300, timeout: float = 120,
                    log_dir: Path | None = None) -> list[Preview]:
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="briefkit-preview-"))
    results = []
    for server in servers:
        index = len(server.project.briefs) // 2
        log = log_dir / (server.name.replace(" ", "-").replace("--", "") + ".log")
        results.append(measure(server, index, edits, startup_timeout, timeout, log))
        print(f"  preview, {server.name}: {results[-1].cell()} (edits: "
              f"{', '.join('timeout' if t is None else f'{t:.2f} s' for t in results[-1].latencies)})",
              file=sys.stderr, flush=True)
    return results


def main() -> None:
    import run  # the corpora and the Hugo binary

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", choices=["ours", "B"], default="ours")
    parser.add_argument("--briefs", type=int, default=200)
    parser.add_argument("--edits", type=int, default=3)
    parser.add_argument("--servers", nargs="+", choices=["briefkit", "mkdocs", "mkdocs-dirty", "hugo"],
                        default=["briefkit", "mkdocs", "mkdocs-dirty", "hugo"])
    parser.add_argument("--timeout", type=float, default=120, help="seconds for each edit to show")
    parser.add_argument("--startup-timeout", type=float, default=300, help="seconds for a server to answer")
    args = parser.parse_args()
    binary, note = run.hugo_binary(install=False) if "hugo" in args.servers else (None, "")
    work = Path(tempfile.mkdtemp(prefix="briefkit-preview-"))
    try:
        corpus = run.CORPORA[args.corpus](args.briefs)
        briefkit = BriefkitProject(work / "briefkit", corpus).write()
        plain = PlainProject(work / "plain", corpus).write()
        hugo = HugoProject(work / "hugo", corpus).write() if binary else None
        results = measure_servers(servers_for(briefkit, plain, hugo, binary, args.servers), args.edits,
                                  args.startup_timeout, args.timeout, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(f"Preview latency, corpus {args.corpus}, {args.briefs} briefs, median of {args.edits} edits\n")
    print("| server | ready after (answers, idle) | save → page shows the edit | each edit |\n|---|---|---|---|")
    for r in results:
        ready = f"{r.ready:.1f} s" if r.ready is not None else "–"
        each = ", ".join("timeout" if t is None else f"{t:.2f}" for t in r.latencies) or "–"
        print(f"| {r.name} | {ready} | {r.cell()} | {each} |")
    if "hugo" in args.servers and not binary:
        print(f"\nhugo server: {note}")


if __name__ == "__main__":
    main()
