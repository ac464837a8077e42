"""Full-text search for a built site: a Pagefind index, split into small chunks the browser fetches on demand.

Material's built-in search ships one JSON index that every reader downloads whole (tens of MB for a
large archive); Pagefind's first search fetches tens of KB. Only pages whose layout marks their
content with `data-pagefind-body` (briefs and hand-written pages, not listings) are indexed.

Pages are handed to a Pagefind process as soon as each one is rendered, so indexing runs on another
core while the site engine works; `finish` writes the bundle into <site>/pagefind/.
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import threading
from pathlib import Path

BUNDLE = "pagefind"
# Parts of a brief page that belong to other briefs or repeat on every page.
NOT_INDEXED = [".brief-dates", ".brief-related", ".brief-cite", ".brief-actions", ".brief-cta", ".footnote-backref"]


class SearchIndexError(Exception):
    pass


def pagefind_executable() -> str:
    from pagefind_bin import get_executable

    return str(get_executable())


class SearchIndexer:
    """A Pagefind process in service mode (`pagefind --service`), spoken to through its protocol:
    requests and responses are base64-encoded JSON messages, each followed by a comma. (The
    package's own asyncio client waits 0.1 s before reading each response: 100 s for 1,000 pages.)"""

    def __init__(self, site: Path):
        self.site = site
        self._proc = subprocess.Popen([pagefind_executable(), "--service"], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self._responses: dict[int, dict] = {}
        self._done = threading.Condition()
        self._next_id = 0
        self._pending: list[int] = []
        self._reader = threading.Thread(target=self._read, name="pagefind", daemon=True)
        self._reader.start()
        self._index = self._request({"type": "NewIndex", "config": {"exclude_selectors": NOT_INDEXED}})["index_id"]

    def _read(self) -> None:
        buffer = b""
        fd = self._proc.stdout.fileno()
        while chunk := os.read(fd, 1 << 16):
            buffer += chunk
            *messages, buffer = buffer.split(b",")
            for message in messages:
                response = json.loads(base64.b64decode(message))
                with self._done:
                    self._responses[response.get("message_id", -1)] = response["payload"]
                    self._done.notify_all()
        with self._done:
            self._responses[-2] = {"type": "Error", "message": "the Pagefind process ended"}
            self._done.notify_all()

    def _send(self, payload: dict) -> int:
        self._next_id += 1
        message = {"message_id": self._next_id, "payload": payload}
        try:
            self._proc.stdin.write(base64.b64encode(json.dumps(message).encode("utf-8")) + b",")
            self._proc.stdin.flush()
        except (BrokenPipeError, OSError) as exc:
            raise SearchIndexError(f"the Pagefind process stopped: {exc}") from None
        return self._next_id

    def _wait(self, message_id: int) -> dict:
        with self._done:
            self._done.wait_for(lambda: message_id in self._responses or -2 in self._responses or -1 in self._responses)
            response = self._responses.pop(message_id, None) or self._responses.get(-1) or self._responses.get(-2)
        if response.get("type") == "Error":
            raise SearchIndexError(response.get("message", "unknown error"))
        return response

    def _request(self, payload: dict) -> dict:
        return self._wait(self._send(payload))

    def add(self, rel_path: str, html: str) -> None:
        """Index one built page (its path inside the site, e.g. 2024/04/slug/index.html); returns at once."""
        self._pending.append(self._send({"type": "AddFile", "index_id": self._index, "file_path": rel_path,
                                         "url": None, "file_contents": html}))

    def finish(self) -> None:
        """Wait for every page, then write the bundle into <site>/pagefind/.

        The files are fetched from the process and written here: when Pagefind writes them itself,
        a file can be cut short if the process ends right after it answered."""
        try:
            for message_id in self._pending:
                self._wait(message_id)
            files = self._request({"type": "GetFiles", "index_id": self._index})["files"]
        finally:
            self.close()
        bundle = self.site / BUNDLE
        for file in sorted(files, key=lambda f: f["path"]):
            target = bundle / file["path"]
            if bundle.resolve() not in target.resolve().parents:
                raise SearchIndexError(f"unexpected file from Pagefind: {file['path']}")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(base64.b64decode(file["content"]))

    def close(self) -> None:
        if self._proc.poll() is None:
            self._proc.stdin.close()
            try:
                self._proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
        self._reader.join(timeout=10)
