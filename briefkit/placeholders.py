"""The placeholder text `new` writes (templates/new-brief.yml.j2): an error until the editor replaces it.

The placeholders are read from the template itself, rendered with made-up inputs, so an editor who
rewrites the template's sentences changes what is refused without touching Python: every text of the
rendered scaffold that did not come from `new`'s inputs (title, series, authors, date) is one.
"""

from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import yaml

from .config import Config

NEW_TEMPLATE = "new-brief.yml.j2"
_FROM_INPUTS = frozenset({"title", "series", "authors", "date", "status", "lang", "slug", "topics"})


def scaffold(config: Config, title: str, series: str | None, authors: list[str], day: dt.date,
             schema: str = "") -> str:
    """The text of a new brief, as `new` writes it."""
    from .render import make_environment

    return make_environment(config.templates_path).get_template(NEW_TEMPLATE).render(
        title=title, series=series, authors=authors, date=day, schema=schema)


@functools.lru_cache(maxsize=8)
def _placeholders(root: Path, templates_dir: str, stamp: tuple[int, int]) -> tuple[tuple[tuple, str], ...]:
    config = Config(root=root, templates_dir=templates_dir)
    text = scaffold(config, "Placeholder title", "placeholder-series", ["placeholder-author"], dt.date(2000, 1, 1))
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return ()
    found: list[tuple[tuple, str]] = []

    def walk(node, path: tuple) -> None:
        if isinstance(node, str) and node.strip():
            found.append((path, " ".join(node.split())))
        elif isinstance(node, dict):
            for key, item in node.items():
                walk(item, path + (str(key),))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, path + (i,))

    if isinstance(value, dict):
        for key, item in value.items():
            if key not in _FROM_INPUTS:
                walk(item, (str(key),))
    return tuple(found)


def placeholders(config: Config) -> tuple[tuple[tuple, str], ...]:
    """(path, text) of every placeholder of the template; () when the project has no such template."""
    template = config.templates_path / NEW_TEMPLATE
    try:
        info = template.stat()
    except OSError:
        return ()
    return _placeholders(config.root, config.templates_dir, (info.st_mtime_ns, info.st_size))


def placeholders_left(config: Config, value: dict) -> list[tuple[tuple, str]]:
    """The placeholders still in a brief's values: their path and text."""
    left = []
    texts = {text for _, text in placeholders(config)}
    if not texts:
        return left

    def walk(node, path: tuple) -> None:
        if isinstance(node, str):
            if " ".join(node.split()) in texts:
                left.append((path, node))
        elif isinstance(node, dict):
            for key, item in node.items():
                walk(item, path + (key,))
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, path + (i,))

    for key, item in value.items():
        if key not in _FROM_INPUTS:
            walk(item, (key,))
    return left
