"""What each finished page gives the search index and the web font, kept between builds.

A page kept from the last build is not finished again, but the search index and the web font are made
from every page: their part of each page is stored here, under the page's key. It is a cache: a record
that is missing or not whole is taken again from the finished page on disk.
"""

from __future__ import annotations

import contextlib
import os
import pickle
from pathlib import Path

from .config import Config
from .finish import FinishedPage
from .memo import digest
from .search import PageRecord

Record = tuple[PageRecord | None, frozenset[str], dict[str, int] | None]  # record, characters, term weights


class RecordStore:
    def __init__(self, config: Config):
        self.folder = config.cache_path / "records" / digest(str(config.root.resolve()))
        self._made: set[str] = set()  # folders known to exist (a page's record is one small file)

    def _file(self, rel: str) -> Path:
        name = digest(rel)
        return self.folder / name[:2] / f"{name}.pickle"

    def get(self, rel: str, key: str) -> Record | None:
        try:
            with self._file(rel).open("rb") as f:
                stored = pickle.load(f)
        except Exception:  # missing, cut short, from another version: taken again from the page
            return None
        if not (isinstance(stored, tuple) and len(stored) == 4 and stored[0] == key):
            return None
        record, chars, weights = stored[1:]
        if not ((record is None or isinstance(record, PageRecord)) and isinstance(chars, frozenset)
                and (weights is None or isinstance(weights, dict))):
            return None
        return record, chars, weights

    def put(self, rel: str, key: str, page: FinishedPage) -> None:
        name = digest(rel)
        folder = f"{self.folder}/{name[:2]}"
        path = f"{folder}/{name}.pickle"
        tmp = f"{path}.{os.getpid()}.tmp"
        data = pickle.dumps((key, page.record, page.chars, page.weights), protocol=pickle.HIGHEST_PROTOCOL)
        try:
            if folder not in self._made:
                os.makedirs(folder, exist_ok=True)
                self._made.add(folder)
            with open(tmp, "wb") as f:
                f.write(data)
            os.replace(tmp, path)
        except OSError:  # a cache that cannot be written only makes the next build slower
            with contextlib.suppress(OSError):
                os.remove(tmp)
