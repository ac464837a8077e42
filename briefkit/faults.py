"""Faults of the machine, not of the briefs, as one contract line each: `error: <message> (<hint>)`.

A full disk, a read-only or unwritable folder, a busy or invalid port, another build holding the
project: the command prints one line and exits 1, never a traceback. What it publishes is published
atomically (publish.py), so after a fault the previous site is still there, complete.
"""

from __future__ import annotations

import errno
import functools
import logging
import os
import socket
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path

import click

from .lock import LockBusy

_HINTS = {
    errno.ENOSPC: "free some disk space",
    errno.EDQUOT: "free some disk space, or ask for a larger quota",
    errno.EFBIG: "free some disk space, or ask for a larger file size limit",
    errno.EROFS: "the file system is read-only: check the folder's permissions, or build in a writable copy",
    errno.EACCES: "check the folder's permissions",
    errno.EPERM: "check the folder's permissions",
}
_WRITING = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS}


def fail(message: str, hint: str | None = None) -> None:
    """Print one contract line and exit 1."""
    click.echo(f"error: {message}" + (f" ({hint})" if hint else ""), err=True)
    sys.exit(1)


def shown_path(path: str | os.PathLike | None, root: Path) -> str | None:
    """`path` relative to the project when it is inside it (as editors see it), else as it is."""
    if path is None:
        return None
    text = os.fsdecode(path)
    try:
        return Path(os.path.abspath(text)).relative_to(os.path.abspath(root)).as_posix()
    except ValueError:
        return text


def describe_os_error(exc: OSError, root: Path) -> tuple[str, str | None]:
    """The message and hint for an OSError: `cannot write site/index.html: no space left on device`."""
    code = exc.errno
    reason = (exc.strerror or (os.strerror(code) if code else str(exc)) or type(exc).__name__).rstrip(".")
    reason = reason[:1].lower() + reason[1:]
    # copying (shutil) names the source first and the file it writes second
    written = exc.filename2 if code in _WRITING and exc.filename2 is not None else exc.filename
    path = shown_path(written, root)
    hint = _HINTS.get(code)
    if path is None:
        return f"cannot write: {reason}" if code in _WRITING else reason, hint
    if code in _WRITING:
        verb = "cannot write"
    elif code in (errno.EACCES, errno.EPERM):
        readable = os.path.exists(written) and os.access(written, os.R_OK)
        verb = "cannot write" if readable or not os.path.exists(written) else "cannot read"
    else:
        verb = "cannot use"
    return f"{verb} {path}: {reason}", hint


def reported(root: Callable[[], Path]) -> Callable:
    """Decorate a command so that faults become contract lines (see the module's doc)."""

    def decorate(command: Callable) -> Callable:
        @functools.wraps(command)
        def run(*args, **kwargs):
            try:
                return command(*args, **kwargs)
            except LockBusy as exc:
                fail(str(exc))
            except OSError as exc:
                fail(*describe_os_error(exc, root()))
            except sqlite3.OperationalError as exc:  # the citation cache: "database or disk is full"
                fail(f"cannot write the cache in .cache/: {exc}", "free some disk space, or delete .cache/")

        return run

    return decorate


class QuietOSErrors(logging.Filter):
    """MkDocs logs "Error building page 'x': [Errno 28] …" before it passes the error on, which is then
    reported once, as a contract line: its own line is noise."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        return not (record.levelno >= logging.ERROR and "[Errno " in message
                    and message.startswith(("Error building page", "Error reading page")))


QUIET_OS_ERRORS = QuietOSErrors()


def check_port(port: int, host: str = "127.0.0.1") -> None:
    """Fail with a contract line when the preview cannot listen on `port`."""
    if not 1 <= port <= 65535:
        fail(f"--port {port} is not a port", "use a number from 1 to 65535, such as --port 8000")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the preview server does
        try:
            probe.bind((host, port))
        except OSError as exc:
            port_error(exc, port)


def port_error(exc: OSError, port: int) -> None:
    if exc.errno == errno.EADDRINUSE:
        fail(f"port {port} is in use (by another preview?)", f"use another one, e.g. --port {_other(port)}")
    if exc.errno in (errno.EACCES, errno.EPERM):
        fail(f"cannot use port {port}: permission denied", "ports below 1024 need administrator rights; "
             f"use e.g. --port {_other(port)}")
    fail(f"cannot use port {port}: {exc.strerror or exc}", f"use e.g. --port {_other(port)}")


def _other(port: int) -> int:
    return port + 1 if port < 65535 and port >= 1024 else 8000


def check_collection_output(out: Path, root: Path, protected: dict[str, Path]) -> None:
    """Refuse to write a collection PDF over anything but a new or existing PDF outside the project's
    own folders (`protected`: name shown → folder)."""
    shown = shown_path(out, root)
    real = Path(os.path.realpath(out))
    for name, folder in protected.items():
        folder = Path(os.path.realpath(folder))
        if real == folder or folder in real.parents:
            where = f"is inside {name}" if real == Path(os.path.abspath(out)) else \
                f"links to {shown_path(real, root)}, inside {name}"
            fail(f"{shown} {where}, which the collection must not write to; nothing was written",
                 f"write it elsewhere, e.g. -o pdf/{Path(out).with_suffix('.pdf').name}")
    if out.suffix.lower() != ".pdf":
        fail(f"the collection is a PDF: {shown} does not end in .pdf; nothing was written",
             f"for example -o {Path(shown).with_suffix('.pdf').as_posix()}")
    if real.suffix.lower() != ".pdf":
        fail(f"{shown} links to {shown_path(real, root)}, which is not a PDF; nothing was written")
    if real.exists():
        if real.is_dir():
            fail(f"{shown} is a folder; nothing was written", f"for example -o {shown}/collection.pdf")
        try:
            with open(real, "rb") as f:
                start = f.read(5)
        except OSError as exc:
            fail(*describe_os_error(exc, root))
        if start != b"%PDF-" and real.stat().st_size > 0:
            fail(f"{shown} exists and is not a PDF; nothing was written",
                 "choose a new file name, or remove that file first")
