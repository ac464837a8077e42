"""What the previous build made, so the next one redoes only what its inputs changed.

Every output (a page, a feed, a PDF) is recorded with a key: a digest of everything it was made
from. The build context (engine code, mkdocs.yml, the CSL style, the build date, drafts or not)
goes into every key; a change there starts from scratch. Templates, registry entries and works
cited go into the keys of the outputs that use them (depends.py). Within one context, a brief file
is parsed only when its bytes changed (or the keys of the registries and of references.bib, which
its checks look up, changed: load.load_corpus), and a page is rendered only when its key changed
or its file on disk is not the one written. The memo is a cache: deleting `.cache/`
only makes the next build slower, and a memo that cannot be read whole is ignored, never fatal.

Bibliography files named by briefs (`bibliography: [extra.txt]`, any name under briefs/) are part
of the context too, but their names are only known once the briefs are read, which is after the memo
is needed. So the memo records the digest of every such file its cards name, and a memo whose files
changed (or are gone) is not used (see Memo.load): one rule for every bibliography file, whatever
its name, and no key of any output has to know about them.
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

FORMAT = 4
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
    """Everything outside the brief files that can change any output (templates, registries and
    bibliographies are in the keys of the outputs that use them: depends.py)."""
    engine = Path(__file__).parent
    inputs = [*engine.glob("*.py"), *engine.glob("*.lua"), config.root / config.mkdocs_file, config.csl_path]
    root = config.root.resolve()
    return digest(FORMAT, str(root), day.isoformat(), drafts, _file_keys(inputs, root))


@dataclass
class PageRecord:
    key: str
    size: int
    mtime_ns: int


def _bibliography_digests(config: Config, names) -> dict[str, str | None]:
    """The digest of each bibliography file named by a brief (relative to briefs/); None when it is
    missing, unreadable or outside briefs/ (then the brief is an error, and any change shows)."""
    base = config.briefs_path.resolve()
    out: dict[str, str | None] = {}
    for name in sorted(set(names)):
        path = (config.briefs_path / name).resolve()
        try:
            inside = base in path.parents
            out[name] = hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest() if inside else None
        except (OSError, ValueError):
            out[name] = None
    return out


def _well_formed(memo) -> bool:
    """A memo of this FORMAT with fields of the right kind (a pickle from another version of the
    engine can unpickle into a Memo that lacks fields or holds others)."""
    kinds = {"key": str, "checks": str, "known": dict, "pages": dict, "pdfs": dict, "bibs": dict, "feed_entries": dict,
             "bibliographies": dict, "related": (tuple, type(None)), "written": (set, type(None))}
    return isinstance(memo, Memo) and all(isinstance(getattr(memo, name, None), kind) for name, kind in kinds.items())


@dataclass
class Memo:
    key: str
    checks: str = ""  # the keys of the registries and references.bib the known briefs were checked with
    known: dict[str, KnownBrief] = field(default_factory=dict)  # by brief file (briefs/<name>)
    pages: dict[str, PageRecord] = field(default_factory=dict)  # by path in the pages folder
    related: tuple[str, dict[str, tuple[str, ...]]] | None = None
    pdfs: dict[str, tuple[str, str]] = field(default_factory=dict)  # slug → (key, cached PDF)
    bibs: dict[str, tuple[str, list]] = field(default_factory=dict)  # .bib file → (digest, entries)
    feed_entries: dict[str, tuple[str, object]] = field(default_factory=dict)  # slug → (key, FeedEntry)
    written: set[str] | None = None  # every page in the pages folder after the last build
    # bibliography file named by a brief (briefs/<name>) → its digest when the build began (see load)
    bibliographies: dict[str, str | None] = field(default_factory=dict)

    @staticmethod
    def pages_token_file(config: Config) -> Path:
        """Names the build that last wrote the pages folder (see generate.Session); every build that
        writes removes it first, so a build that did not finish leaves none."""
        return config.cache_path / "memo" / f"{digest(str(config.root.resolve()))}.pages"

    @staticmethod
    def file(config: Config) -> Path:
        """One memo per project folder (a cache folder may be shared by several checkouts)."""
        return config.cache_path / "memo" / f"{digest(str(config.root.resolve()))}.pickle"

    @classmethod
    def load(cls, config: Config, key: str) -> Memo:
        """The last build's memo if it was made in the same context `key` and every bibliography file
        its briefs name is unchanged; else an empty one. A file that is not a whole memo (cut short,
        overwritten, from another version) is an empty memo too: it is a cache."""
        try:
            with cls.file(config).open("rb") as f:
                memo = pickle.load(f)
        except Exception:  # unpickling garbage can raise almost anything
            return cls(key)
        if not _well_formed(memo):
            return cls(key)
        try:
            names = {name for known in memo.known.values() for name in known.card.bibliography}
        except (AttributeError, TypeError):
            return cls(key)
        return memo.usable(config, key, names)

    def usable(self, config: Config, key: str, names: set[str] | None = None) -> Memo:
        """This memo if it is of the context `key` and the bibliography files its briefs name are
        unchanged; else an empty one (which keeps the files' state now, for the next build to compare)."""
        if names is None:
            names = {name for known in self.known.values() for name in known.card.bibliography}
        current = _bibliography_digests(config, names)
        if self.key != key or self.bibliographies != current:
            return Memo(key, bibliographies=current)
        return self

    def save(self, config: Config) -> None:
        # the bibliography files the briefs name now; one named for the first time (by a brief this
        # build parsed) is digested now, since its content was read during this build
        names = {name for known in self.known.values() for name in known.card.bibliography}
        new = _bibliography_digests(config, names - self.bibliographies.keys())
        self.bibliographies = {name: self.bibliographies.get(name, new.get(name)) for name in sorted(names)}
        path = self.file(config)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        try:
            with tmp.open("wb") as f:
                pickle.dump(self, f, protocol=pickle.HIGHEST_PROTOCOL)
        except BaseException:
            tmp.unlink(missing_ok=True)  # a full disk leaves no half memo behind (the error goes on)
            raise
        tmp.replace(path)

    # the preview's Session sets this when nothing but its own last build wrote the pages folder since
    # (pages_token): the records are then the files, and 37,000 stats at 10,000 briefs are saved
    trusted_pages = False

    def page_is_current(self, folder: str, rel: str, key: str) -> bool:
        record = self.pages.get(rel)
        if record is None or record.key != key:
            return False
        if self.trusted_pages:
            return True
        try:
            stat = os.stat(f"{folder}/{rel}")
        except OSError:
            return False
        return stat.st_size == record.size and stat.st_mtime_ns == record.mtime_ns

    def record_page(self, folder: Path, rel: str, key: str) -> None:
        stat = (folder / rel).stat()
        self.pages[rel] = PageRecord(key, stat.st_size, stat.st_mtime_ns)
