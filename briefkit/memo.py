"""What the previous build made, so the next one redoes only what its inputs changed.

Every output (a page, a feed, a PDF) is recorded with a key: a digest of everything it was made
from. The build context (engine code, mkdocs.yml, templates, registries, bibliographies, the
build date, drafts or not) goes into every key; a change there starts from scratch. Within one
context, a brief file is parsed only when its bytes changed, and a page is rendered only when its
key changed or its file on disk is not the one written. The memo is a cache: deleting `.cache/`
only makes the next build slower.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from .config import Config
from .load import KnownBrief

FORMAT = 1
_SMALL = 1 << 20  # files up to this size are keyed by content, larger ones (fonts) by size and time


def digest(*parts) -> str:
    return hashlib.blake2b(repr(parts).encode("utf-8"), digest_size=16).hexdigest()


def _file_keys(paths, root: Path) -> list[tuple]:
    """(path, digest) of each file, the path relative to the project whether it was given so or not."""
    keys = []
    for path in {p.resolve() for p in paths}:
        if not path.is_file():
            continue
        name = path.relative_to(root).as_posix() if root in path.parents else str(path)
        stat = path.stat()
        if stat.st_size <= _SMALL:
            keys.append((name, hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()))
        else:
            keys.append((name, stat.st_size, stat.st_mtime_ns))
    return sorted(keys)


def context_key(config: Config, day: dt.date, drafts: bool) -> str:
    """Everything outside the brief files that can change any output."""
    engine = Path(__file__).parent
    briefs = config.briefs_path
    inputs = [
        *engine.glob("*.py"), *engine.glob("*.lua"),
        config.root / config.mkdocs_file, config.csl_path,
        *(p for p in config.templates_path.rglob("*") if p.is_file()),
        *(briefs / f"{name}.yml" for name in ("authors", "series", "topics")),
        *briefs.rglob("*.bib"),
    ]
    root = config.root.resolve()
    return digest(FORMAT, str(root), day.isoformat(), drafts, _file_keys(inputs, root))


@dataclass
class PageRecord:
    key: str
    size: int
    mtime_ns: int


@dataclass
class Memo:
    key: str
    known: dict[str, KnownBrief] = field(default_factory=dict)  # by brief file (briefs/<name>)
    pages: dict[str, PageRecord] = field(default_factory=dict)  # by path in the pages folder
    related: tuple[str, dict[str, tuple[str, ...]]] | None = None
    pdfs: dict[str, tuple[str, str]] = field(default_factory=dict)  # slug → (key, cached PDF)
    bibs: dict[str, tuple[str, list]] = field(default_factory=dict)  # .bib file → (digest, entries)
    feed_entries: dict[str, tuple[str, object]] = field(default_factory=dict)  # slug → (key, FeedEntry)
    written: set[str] | None = None  # every page in the pages folder after the last build

    @staticmethod
    def file(config: Config) -> Path:
        """One memo per project folder (a cache folder may be shared by several checkouts)."""
        return config.cache_path / "memo" / f"{digest(str(config.root.resolve()))}.pickle"

    @classmethod
    def load(cls, config: Config, key: str) -> Memo:
        try:
            with cls.file(config).open("rb") as f:
                memo = pickle.load(f)
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
            return cls(key)
        return memo if isinstance(memo, cls) and memo.key == key else cls(key)

    def save(self, config: Config) -> None:
        path = self.file(config)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    def page_is_current(self, folder: str, rel: str, key: str) -> bool:
        record = self.pages.get(rel)
        if record is None or record.key != key:
            return False
        try:
            stat = os.stat(f"{folder}/{rel}")
        except OSError:
            return False
        return stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns

    def record_page(self, folder: Path, rel: str, key: str) -> None:
        stat = (folder / rel).stat()
        self.pages[rel] = PageRecord(key, stat.st_size, stat.st_mtime_ns)
