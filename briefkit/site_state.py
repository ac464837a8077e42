"""What a built site was made from, so that the next build redoes only what changed.

Each built site has a stamp in the cache (not in the site, which stays byte for byte the same for the
same inputs): the folder it describes (device and inode: a site replaced by hand is not trusted), the
digest of the site engine's context (mkdocs.yml, the theme's overrides, the engine's versions, the
build date it writes into the sitemap) and the size and time of every file of the pages folder it was
built from. The next build compares:

- same context and same files: nothing to publish;
- same context: the site engine builds again only the pages whose file changed (a dirty build
  into hard links of the published site, see pipeline.publish); outputs of changed and removed files
  are removed from the copy first;
- anything else, or no stamp: a full build.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from .cms import context_files
from .config import Config
from .finish import page_url
from .outputs import MANIFEST
from .redirects import FILE as REDIRECTS_FILE

FORMAT = 1


@dataclass(frozen=True)
class SiteState:
    context: str
    files: dict[str, list[int]]  # path in the pages folder → [size, mtime_ns] (what links lead to)

    def to_json(self, folder: list[int]) -> str:
        return json.dumps({"format": FORMAT, "folder": folder, "context": self.context, "files": self.files},
                          sort_keys=True, separators=(",", ":"))


def _stamp_file(config: Config, site: Path) -> Path:
    name = hashlib.blake2b(str(site.resolve()).encode(), digest_size=16).hexdigest()
    return config.cache_path / "site-state" / f"{name}.json"


def _identity(folder: Path) -> list[int]:
    stat = folder.stat()
    return [stat.st_dev, stat.st_ino]


def _digest_files(paths: list[Path]) -> list[tuple[str, str]]:
    out = []
    for path in sorted(paths):
        try:
            out.append((path.as_posix(), hashlib.blake2b(path.read_bytes(), digest_size=16).hexdigest()))
        except OSError:
            out.append((path.as_posix(), ""))
    return out


def current_state(config: Config, engine: str, ours: set[str]) -> tuple[SiteState, list[str]]:
    """The state of the pages folder's files named in `ours` (the manifest), and the other files found
    there (put there by someone else: never published)."""
    root = config.root
    overrides = [p for p in (config.templates_path / "overrides").rglob("*") if p.is_file()]
    # the theme's labels (templates/i18n/, read by site_engine.py) and the web font (site_extras.py)
    overrides += sorted((config.templates_path / "i18n").glob("*.yml"))
    overrides += sorted(p for p in (config.templates_path / "webfonts").glob("*") if p.is_file())
    overrides += context_files(config)  # the editor at /admin/: its templates and npm packages (cms.py)
    overrides += [p for p in [root / REDIRECTS_FILE] if p.is_file()]  # old addresses (redirects.py)
    engine_code = [Path(__file__).with_name(name) for name in
                   ("site_engine.py", "finished.py", "site_state.py", "i18n.py", "site_extras.py", "webfonts.py",
                    "search.py", "search_index.py", "theme_patches.py", "cms.py", "redirects.py")]
    versions = []
    for package in (engine, "mkdocs-material", "Markdown"):
        try:
            versions.append((package, importlib.metadata.version(package)))
        except importlib.metadata.PackageNotFoundError:
            versions.append((package, ""))
    context = hashlib.blake2b(repr((
        FORMAT, engine, versions, os.environ.get("SOURCE_DATE_EPOCH", ""),
        _digest_files([root / config.mkdocs_file, *overrides, *engine_code]),
    )).encode(), digest_size=16).hexdigest()
    files: dict[str, list[int]] = {}
    foreign: list[str] = []
    folder = str(config.pages_path)
    for directory, _dirs, names in os.walk(folder):
        # the folder's path relative to the pages folder (os.walk's paths start with it; relpath costs more)
        base = directory[len(folder):].lstrip(os.sep).replace(os.sep, "/")
        for name in names:
            path = os.path.join(directory, name)
            rel = f"{base}/{name}" if base else name
            if rel == MANIFEST:
                continue
            if rel not in ours:
                foreign.append(rel)
                continue
            try:
                stat = os.stat(path)  # through links: a changed docs/ page or image counts
            except OSError:
                continue
            files[rel] = [stat.st_size, stat.st_mtime_ns]
    return SiteState(context, files), sorted(foreign)


def read_stamp(config: Config, site: Path) -> SiteState | None:
    """What the site folder `site` was built from, if it is the folder the stamp describes."""
    try:
        data = json.loads(_stamp_file(config, site).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT or not isinstance(data.get("files"), dict) or \
                data.get("folder") != _identity(site):
            return None
        return SiteState(str(data["context"]), {str(k): list(v) for k, v in data["files"].items()})
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def write_stamp(config: Config, site: Path, built: Path, state: SiteState) -> None:
    """Record that `built` (about to become the site folder `site`, keeping its inode) holds `state`."""
    path = _stamp_file(config, site)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(state.to_json(_identity(built)), encoding="utf-8")
    tmp.replace(path)


def forget_stamp(config: Config, site: Path) -> None:
    _stamp_file(config, site).unlink(missing_ok=True)


def outputs_of(rel: str) -> list[str]:
    """The files the site engine makes from the file `rel` of the pages folder."""
    if rel.endswith(".md"):
        url = page_url(rel)
        return [f"{url}index.html"]
    return [rel]


def stale_outputs(before: SiteState, now: SiteState, removed_only: bool = False) -> list[str]:
    """Outputs of files that changed or are gone since `before` (only of those gone, with removed_only)."""
    stale = [rel for rel, stat in before.files.items()
             if (rel not in now.files if removed_only else now.files.get(rel) != stat)]
    return sorted({out for rel in stale for out in outputs_of(rel)})


def link_tree(source: Path, target: Path) -> None:
    """`target` as a copy of `source` made of hard links (fast, and no file's bytes are copied)."""
    for directory, dirs, names in os.walk(source):
        rel = os.path.relpath(directory, source)
        into = target if rel == "." else target / rel
        into.mkdir(parents=True, exist_ok=True)
        for name in names:
            os.link(os.path.join(directory, name), into / name)
        dirs[:] = [d for d in dirs if not os.path.islink(os.path.join(directory, d))]


def sync_tree(source: Path, target: Path) -> None:
    """Make `target` what link_tree(source, target) would make, changing only what differs.

    `target` is the site before the last dirty build (publish.spare_dir): mostly hard links to the files
    of `source` already, so only the files that build replaced, added or removed are linked or removed
    again. Entries are compared by inode, which the directory listing gives without a stat."""
    _sync_folder(str(source), str(target))


def _sync_folder(source: str, target: str) -> None:
    have = {entry.name: entry for entry in os.scandir(target)}
    for entry in os.scandir(source):
        old = have.pop(entry.name, None)
        into = os.path.join(target, entry.name)
        if entry.is_dir():
            if entry.is_symlink():
                if old is not None:
                    _remove_entry(old)
                continue  # link_tree leaves out folders that are links
            if old is None or old.is_symlink() or not old.is_dir():
                if old is not None:
                    _remove_entry(old)
                os.mkdir(into)
            _sync_folder(entry.path, into)
            continue
        # a file (a link to a file is linked to the file it points to, as link_tree does)
        inode = entry.stat().st_ino if entry.is_symlink() else entry.inode()
        if old is not None and not old.is_symlink() and not old.is_dir() and old.inode() == inode:
            continue
        if old is not None:
            _remove_entry(old)
        os.link(entry.path, into)
    for gone in have.values():
        _remove_entry(gone)


def _remove_entry(entry: os.DirEntry) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)
