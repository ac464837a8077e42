"""Project settings: paths and options of the generator, read from `extra.briefkit` in mkdocs.yml.

Only this section of mkdocs.yml is read here, with a YAML loader that ignores MkDocs' Python tags,
so the engine works without MkDocs.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml


class _TolerantLoader(yaml.SafeLoader):
    pass


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)


@dataclass(frozen=True)
class Config:
    root: Path
    mkdocs_file: str = "mkdocs.yml"
    site_name: str = "Briefs"
    site_url: str = ""
    briefs_dir: str = "briefs"
    templates_dir: str = "templates"
    csl: str = "templates/house-chicago-notes.csl"
    pages_dir: str = ".build/pages"  # generated Markdown, git-ignored
    cache_dir: str = ".cache"
    page_size: int = 10  # briefs per listing page (home, series, topics, authors, archive)
    related: int = 4  # related briefs listed under a brief
    feed_size: int = 20  # entries per Atom/RSS feed
    pdf: bool = True  # build a PDF of every brief and link it from the page
    paper: str = "letter"  # PDF paper size: letter or a4
    cta: dict | None = None  # call to action under each brief: {text (Markdown), link_text, url}

    @property
    def briefs_path(self) -> Path:
        return self.root / self.briefs_dir

    @property
    def templates_path(self) -> Path:
        return self.root / self.templates_dir

    @property
    def csl_path(self) -> Path:
        return self.root / self.csl

    @property
    def pages_path(self) -> Path:
        return self.root / self.pages_dir

    @property
    def cache_path(self) -> Path:
        return self.root / self.cache_dir


def load_config(root: Path, mkdocs_file: str = "mkdocs.yml") -> Config:
    path = root / mkdocs_file
    data = {}
    if path.exists():
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TolerantLoader) or {}
    options = ((data.get("extra") or {}).get("briefkit") or {})
    known = set(Config.__dataclass_fields__) - {"root", "mkdocs_file", "site_name", "site_url"}
    unknown = set(options) - known
    if unknown:
        raise SystemExit(f"{mkdocs_file}: unknown option(s) under extra.briefkit: {', '.join(sorted(unknown))}")
    cta = options.get("cta")
    if cta is not None and not (isinstance(cta, dict) and all(isinstance(cta.get(k), str) and cta[k]
                                                                for k in ("text", "link_text", "url"))):
        raise SystemExit(f"{mkdocs_file}: extra.briefkit.cta needs text, link_text and url")
    return Config(root=root, mkdocs_file=mkdocs_file, site_name=data.get("site_name") or "Briefs",
                  site_url=data.get("site_url") or "", **{k: v for k, v in options.items() if k in known})
