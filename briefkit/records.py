"""What each finished page gives the search index and the web font, kept between builds.

A page kept from the last build is not finished again, but the search index and the web font are made
from every page: their part of each page is stored here, under the page's key. It is a cache: a record
that is missing or not whole is taken again from the finished page on disk.
"""

from __future__ import annotations

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
        path = self._file(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as f:
                pickle.dump((key, page.record, page.chars, page.weights), f, protocol=pickle.HIGHEST_PROTOCOL)
            tmp.replace(path)
        except OSError:  # a cache that cannot be written only makes the next build slower
            tmp.unlink(missing_ok=True)
