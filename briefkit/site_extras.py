"""What the engine adds to a site the site engine built: the search index, the web fonts, theme fixes.

Made from the engine's own records of its finished pages (records.py), plus the few hand-written
pages of docs/ read back from the built site, so that none of it depends on the site engine's hooks.
"""

from __future__ import annotations

from pathlib import Path

from .cms import add_admin
from .config import Config
from .finish import page_url
from .generate import Generation
from .redirects import write as write_redirects
from .search import BUNDLE, page_record, write_bundle
from .search_index import IndexBuilder
from .site_engine import give_back_memory
from .theme_patches import patch_material_bundle
from .webfonts import SOURCE as WEB_FONT_SOURCE
from .webfonts import hangul_of, write_web_fonts


def hand_written_pages(config: Config, generation: Generation) -> list[str]:
    """The Markdown pages of docs/ the site engine rendered itself (index.md is the engine's)."""
    docs = config.root / config.docs_dir
    return sorted(p.relative_to(docs).as_posix() for p in docs.rglob("*.md")
                  if p.is_file() and p.relative_to(docs).as_posix() not in generation.records
                  and p.relative_to(docs).as_posix() not in generation.kept)


def add_extras(config: Config, generation: Generation, site_dir: Path) -> int:
    """Write the search index and the web fonts into `site_dir` and patch the theme; the number of
    pages in the search index."""
    give_back_memory()  # the site engine's pages: the index of 10,000 pages is made next
    patch_material_bundle(site_dir)
    builder = IndexBuilder()
    chars: set[str] = set(hangul_of(config.site_name))
    for record, page_chars, weights in generation.all_records():
        if record is not None:
            builder.add(record, weights)
        chars |= page_chars
    for rel in hand_written_pages(config, generation):
        url = page_url(rel)
        built = site_dir / url / "index.html" if url else site_dir / "index.html"
        try:
            html = built.read_text(encoding="utf-8")
        except FileNotFoundError:
            continue  # excluded by the site engine's settings
        chars |= hangul_of(html)
        record = page_record(url, html)
        if record is not None:
            builder.add(record)
    write_bundle(site_dir / BUNDLE, builder.files())
    chars |= chrome_chars(generation, site_dir)
    # the subset of these characters, the slices of the whole face and their @font-face rules
    write_web_fonts(chars, config.templates_path / WEB_FONT_SOURCE, site_dir, config.cache_path)
    add_admin(config, generation, site_dir)  # the editor at /admin/ when extra.briefkit.cms is on (cms.py)
    write_redirects(config.root, site_dir, config.site_url)  # old addresses that keep working (redirects.py)
    return len(builder)


def chrome_chars(generation: Generation, site_dir: Path) -> set[str]:
    """The Hangul of the theme around the pages (skip link, search box, tabs, footer, in the page's
    language), which the engine's records of its pages do not hold: read back from a few built pages,
    the home page, the search page, the page of a missing address, and one brief in each language."""
    urls = ["", "search/", "404.html"]
    languages: set[str] = set()
    for card in generation.cards:
        if card.brief.lang not in languages:
            languages.add(card.brief.lang)
            urls.append(card.url)
    chars: set[str] = set()
    for url in urls:
        try:
            chars |= hangul_of((site_dir / (url if url.endswith(".html") else url + "index.html")).read_text("utf-8"))
        except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
            continue
    return chars
