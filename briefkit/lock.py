"""One build at a time per project: an exclusive lock on `<project>/.briefkit.lock`.

Two builds at once would write the same generated pages (.build/) and publish over each other. The
lock is flock(2) on the open file: the system releases it when its holder ends in any way, even by
SIGKILL, so a lock file left behind never blocks a build. While held, the file says who holds it
(PID, start time, command), so that a second build can say whom it waits for. The file itself stays
(removing it would let two builds lock two different files).

Within one process the lock is reentrant: `python build.py` holds it for the whole command, and the
MkDocs hooks that take it around each build (for `serve`'s rebuilds) then only count.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

LOCK_NAME = ".briefkit.lock"
TIMEOUT_VARIABLE = "BRIEFKIT_LOCK_TIMEOUT"
DEFAULT_TIMEOUT = 30 * 60.0  # seconds a build waits for another one before it gives up
_POLL = 0.1


@dataclass(frozen=True)
class Holder:
    """What the lock file says about the build holding the lock."""

    pid: int | None
    started: dt.datetime | None
    command: str

    def describe(self) -> str:
        text = f"the build started by PID {self.pid}" if self.pid else "another build"
        if self.command:
            text += f" ({self.command})"
        if self.started:
            same_day = self.started.date() == dt.datetime.now().date()
            text += f" at {self.started:%H:%M:%S}" if same_day else f" at {self.started:%Y-%m-%d %H:%M:%S}"
        return text


class LockBusy(Exception):
    """Another build holds the project's lock (and this one did not wait, or gave up waiting)."""

    def __init__(self, holder: Holder | None, waited: float | None = None):
        self.holder = holder
        self.waited = waited
        who = holder.describe() if holder else "another build"
        if waited is None:
            message = (f"{who} is still running; nothing was done "
                       f"(wait for it to finish, or leave out --no-wait to wait for it)")
        else:
            minutes = f"{waited / 60:g} minutes" if waited >= 60 else f"{waited:g} s"
            message = (f"gave up after waiting {minutes} for {who}; nothing was done "
                       f"(set {TIMEOUT_VARIABLE} to the seconds to wait, or stop that build)")
        super().__init__(message)


def describe_command(argv: list[str] | None = None) -> str:
    """This process's command line as editors typed it: `python build.py serve --port 8001`."""
    argv = list(sys.argv if argv is None else argv)
    if not argv:
        return "python"
    return " ".join(["python", Path(argv[0]).name, *argv[1:]])


def timeout_from_environment() -> float:
    value = os.environ.get(TIMEOUT_VARIABLE, "")
    try:
        return max(0.0, float(value)) if value else DEFAULT_TIMEOUT
    except ValueError:
        return DEFAULT_TIMEOUT


@dataclass
class _Entry:
    guard: threading.RLock
    depth: int = 0
    fd: int | None = None


_entries: dict[str, _Entry] = {}
_entries_guard = threading.Lock()


class Held:
    """A hold on the lock; `release` it once (see `release`)."""

    def __init__(self, entry: _Entry):
        self._entry: _Entry | None = entry

    def release(self) -> None:
        entry, self._entry = self._entry, None
        if entry is None:
            return
        entry.depth -= 1
        if entry.depth == 0 and entry.fd is not None:
            fd, entry.fd = entry.fd, None
            try:
                os.ftruncate(fd, 0)  # nobody holds it: nothing to tell
            except OSError:
                pass
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)
        entry.guard.release()


def release(held: Held | None) -> None:
    """Release a hold (nothing for None, or a hold already released)."""
    if held is not None:
        held.release()


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def acquire(root: Path, command: str | None = None, *, wait: bool = True, timeout: float | None = None,
            notify: Callable[[str], None] = _stderr) -> Held:
    """Take the project's lock; wait for its holder (at most `timeout` seconds, forever for None),
    telling `notify` once whom it waits for, or raise LockBusy at once when not `wait`.

    OSError when the lock file cannot be made (a read-only project, a full disk).
    """
    path = os.path.join(os.path.realpath(root), LOCK_NAME)
    with _entries_guard:
        entry = _entries.setdefault(path, _Entry(threading.RLock()))
    deadline = None if timeout is None else time.monotonic() + timeout
    if not entry.guard.acquire(blocking=False):  # another thread of this process builds
        if not wait:
            raise LockBusy(_own_holder())
        remaining = -1 if deadline is None else max(0.0, deadline - time.monotonic())
        if not entry.guard.acquire(timeout=remaining):
            raise LockBusy(_own_holder(), timeout)
    try:
        if entry.depth == 0:
            entry.fd = _lock_file(path, command, wait, deadline, timeout, notify)
        entry.depth += 1
    except BaseException:
        entry.guard.release()
        raise
    return Held(entry)


@contextmanager
def project_lock(root: Path, command: str | None = None, *, wait: bool = True, timeout: float | None = None,
                 notify: Callable[[str], None] = _stderr) -> Iterator[None]:
    """Hold the project's lock for the body of the `with` (see acquire)."""
    held = acquire(root, command, wait=wait, timeout=timeout, notify=notify)
    try:
        yield
    finally:
        held.release()


def holder(root: Path) -> Holder | None:
    """Who holds the lock of the project at `root` now, if anybody does."""
    path = os.path.join(os.path.realpath(root), LOCK_NAME)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return _read_holder(path)
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _lock_file(path: str, command: str | None, wait: bool, deadline: float | None, timeout: float | None,
               notify: Callable[[str], None]) -> int:
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        told = False
        first_try = time.monotonic()
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                pass
            found = _read_holder(path)
            if not wait:
                raise LockBusy(found)
            if deadline is not None and time.monotonic() >= deadline:
                raise LockBusy(found, timeout)
            # the holder writes who it is just after it took the lock: give it a moment to do so
            if not told and (found is not None or time.monotonic() - first_try > 1):
                who = found.describe() if found else "another build"
                notify(f"waiting for {who} to finish …")
                told = True
            time.sleep(_POLL)
        _write_holder(fd, command)
        return fd
    except BaseException:
        os.close(fd)
        raise


def _write_holder(fd: int, command: str | None) -> None:
    started = dt.datetime.now().replace(microsecond=0).isoformat()
    text = f"{os.getpid()}\n{started}\n{command or describe_command()}\n"
    try:  # only informative: a full disk fails the build later, with its own message
        os.ftruncate(fd, 0)
        os.pwrite(fd, text.encode("utf-8"), 0)
    except OSError:
        pass


def _read_holder(path: str) -> Holder | None:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().splitlines()
    except OSError:
        return None
    if len(lines) < 3 or not lines[0].isdigit() or not pid_alive(int(lines[0])):
        return None  # not written yet, or left by a build that was killed
    try:
        started = dt.datetime.fromisoformat(lines[1])
    except ValueError:
        started = None
    return Holder(int(lines[0]), started, lines[2])


def pid_alive(pid: int) -> bool:
    """Whether a process with this PID runs (a zombie, ended but not yet waited for, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # somebody else's process
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
            state = f.read().rpartition(")")[2].split()[:1]
    except OSError:
        return True
    return state != ["Z"]


def _own_holder() -> Holder:
    return Holder(os.getpid(), None, describe_command())
