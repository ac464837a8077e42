"""A generated page → a finished page: the HTML the site engine only wraps in the theme.

The templates write HTML (editors can change them without Python) with the editors' Markdown marked
where it goes (`deferred`): here it becomes HTML with the site's Markdown dialect (a brief's body and
its notes in one pass), links to other pages (`../authors/x.md`) become the URLs the site engine would
have made (`../../../authors/x/`), and the result goes through the sanitizer (sanitize.py). What is
left for the site engine is the file `front matter + finished.MARKER + HTML` (see finished.py).
Hand-written Markdown pages (docs/index.md) are converted whole.

The page's search record and the Hangul it uses (for the web font) are taken here too, from the
finished HTML, so that neither needs the site engine's output.
"""

from __future__ import annotations

import dataclasses
import functools
import html as html_lib
import posixpath
import re
from dataclasses import dataclass

import markdown

from .finished import MARKER
from .html import EXTENSIONS
from .sanitize import clean
from .search import BODY_ATTRIBUTE, PageRecord, page_record
from .search_index import term_weights
from .webfonts import hangul_of

PAGE_EXTENSIONS = [*EXTENSIONS, "toc"]  # the site's dialect (mkdocs.yml), headings with ids
_URL_ATTR = re.compile(r'\b(?P<attr>href|src)="(?P<url>[^"]*)"')
_SRCSET_ATTR = re.compile(r'\bsrcset="(?P<set>[^"]*)"')
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*:", re.I)
_FRONT = re.compile(r"\A---\n.*?\n---\n", re.S)


@dataclass(frozen=True)
class FinishedPage:
    rel: str  # the generated page it was made from
    text: str  # the file for the site engine
    record: PageRecord | None  # for the search index; None for pages kept out of search
    chars: frozenset[str]  # Hangul (and the like) on the page, for the web font
    weights: dict[str, int] | None = None  # the record's term weights (search_index.term_weights)
    written: bool | None = None  # written to the pages folder by the Finisher: whether it changed (text is "")


def page_extension_configs() -> dict:
    """The settings of PAGE_EXTENSIONS, as mkdocs.yml gives them: headings' anchors keep their script
    (#억제력을-위한-생산, where Python-Markdown's own slugify gives #_1)."""
    from pymdownx.slugs import slugify

    return {"toc": {"slugify": slugify(case="lower")}}


@functools.cache
def _converter() -> markdown.Markdown:
    return markdown.Markdown(extensions=PAGE_EXTENSIONS, extension_configs=page_extension_configs())


# Editors' Markdown inside a rendered HTML page, escaped, until the page is finished (render.py's filters)
_DEFERRED = re.compile(r'<briefkit-md kind="(block|inline|body)">(.*?)</briefkit-md>', re.S)
FOOTNOTES_HERE = "<briefkit-footnotes></briefkit-footnotes>"  # where a body's notes go
_FOOTNOTES_PLACEHOLDER = "///Footnotes Go Here///"  # Python-Markdown's: its notes' <div> in its place
_FOOTNOTES_DIV = '<div class="footnote">'
# Text that Markdown leaves as it is: one line, no markup characters, not starting like a list
_BETWEEN_WORDS = re.escape(" ,;:?'\"’‘“”()\u2013\u2014%/.-")
_PLAIN = re.compile(rf"[^\W\d_][^\W_]*(?:[{_BETWEEN_WORDS}]+[^\W_]*)*")


def deferred(kind: str, text: str) -> str:
    """Markdown to convert when the page is finished: "block", "inline" (no paragraph around it) or
    "body" (a brief's body with its notes' definitions: see expand)."""
    return f'<briefkit-md kind="{kind}">{html_lib.escape(text, quote=False)}</briefkit-md>'


def is_plain(text: str) -> bool:
    """Whether Markdown would give `text` back as it is (in a paragraph)."""
    return text == text.strip() and _PLAIN.fullmatch(text) is not None


@functools.lru_cache(maxsize=4096)
def markdown_html(text: str, inline: bool = False) -> str:
    """An editor's field as HTML (cached: a brief's summary is on several listing pages)."""
    if is_plain(text):
        return text if inline else f"<p>{text}</p>"
    out = _converter().reset().convert(text)
    if inline and out.startswith("<p>") and out.endswith("</p>") and out.count("<p>") == 1:
        return out[3:-4]
    return out


@functools.lru_cache(maxsize=4)  # a brief's page and its feed entry convert the same body, one after the other
def _body(text: str) -> tuple[str, str]:
    """A body with its notes' definitions → (body HTML, notes HTML)."""
    out = _converter().reset().convert(text + "\n\n" + _FOOTNOTES_PLACEHOLDER + "\n")
    at = out.rfind(_FOOTNOTES_DIV)
    if at < 0:
        return out.removesuffix("<p>" + _FOOTNOTES_PLACEHOLDER + "</p>").rstrip("\n"), ""
    return out[:at].rstrip("\n"), out[at:]


def expand(page: str) -> str:
    """The page with every deferred Markdown converted (a figure's caption inside a body too)."""
    footnotes = ""

    def convert(m: re.Match) -> str:
        nonlocal footnotes
        kind, text = m.group(1), html_lib.unescape(m.group(2))
        if kind == "body":
            body, footnotes = _body(text)
            return _DEFERRED.sub(convert, body)
        return markdown_html(text, inline=kind == "inline")

    out = _DEFERRED.sub(convert, page)
    return out.replace(FOOTNOTES_HERE, footnotes) if FOOTNOTES_HERE in out else out


def page_url(rel: str) -> str:
    """The URL path (relative to the site root) of the page made from `rel`: a/b.md → a/b/, a/index.md → a/."""
    path = rel.removesuffix(".md")
    if path == "index":
        return ""
    return path.removesuffix("/index") + "/" if path.endswith("/index") else path + "/"


@functools.lru_cache(maxsize=1 << 16)  # every output's path, several times a build
def file_of(rel: str) -> str:
    """Where the page `rel` is written in the pages folder: a/b.md as a/b/index.md, beside the files of
    its URL. Then a link relative to the page's URL is also relative to its file, which is how every
    site engine reads links (Zensical rewrites links in raw HTML as relative to the file)."""
    if not rel.endswith(".md") or rel == "index.md" or rel.endswith("/index.md"):
        return rel
    return rel.removesuffix(".md") + "/index.md"


def _relpath(path: str, start: str) -> str:
    """posixpath.relpath for two normalized paths relative to the same root ("" for the root itself;
    either may end with "/"), without its abspath and cwd: a page's links take a fifth of the time."""
    path, start = path.rstrip("/"), start.rstrip("/")  # a page's URL ends with one (page_url), as relpath ignores
    to, frm = path.split("/") if path else [], start.split("/") if start else []
    common = 0
    for a, b in zip(to, frm, strict=False):  # as far as both go
        if a != b:
            break
        common += 1
    return "/".join([".."] * (len(frm) - common) + to[common:]) or "."


def relativize(html: str, rel: str) -> str:
    """Links written relative to the Markdown file `rel` → relative to the URL of its page."""
    source_dir = posixpath.dirname(rel)
    url_dir = page_url(rel).rstrip("/")

    def fix(m: re.Match) -> str:
        return f'{m.group("attr")}="{fix_url(m.group("url"))}"'

    def fix_srcset(m: re.Match) -> str:  # "a.webp 480w, b.webp 800w": each address
        candidates = [c.strip().split(" ", 1) for c in m.group("set").split(",") if c.strip()]
        return 'srcset="' + ", ".join(" ".join([fix_url(c[0]), *c[1:]]) for c in candidates) + '"'

    def fix_url(url: str) -> str:
        if not url or url.startswith(("#", "/")) or _SCHEME.match(url):
            return url
        target, hash_, fragment = url.partition("#")
        target, query, params = target.partition("?")
        resolved = posixpath.normpath(posixpath.join(source_dir, target)) if target else rel
        folder = target.endswith("/")
        if resolved.endswith(".md"):
            resolved, folder = page_url(resolved), True
        if resolved in (".", ""):
            resolved, folder = "", True
        new = _relpath(resolved, url_dir)
        if folder:
            new = "./" if new == "." else new + "/"
        return f"{new}{query}{params}{hash_}{fragment}"

    html = _URL_ATTR.sub(fix, html)
    return _SRCSET_ATTR.sub(fix_srcset, html) if "srcset=" in html else html


def split_front_matter(text: str) -> tuple[str, str]:
    m = _FRONT.match(text)
    return (m.group(0), text[m.end():]) if m else ("", text)


def finish_page(rel: str, text: str, markdown_page: bool = False) -> FinishedPage:
    """The finished page for the rendered `text` of page `rel` (HTML from the templates, or a
    hand-written Markdown page with `markdown_page`)."""
    front, body = split_front_matter(text)
    html = expand(_converter().reset().convert(body) if markdown_page else body).strip("\n")
    html = clean(relativize(html, rel))
    record, chars = record_of(rel, front, html)
    return FinishedPage(rel, f"{front}{MARKER}\n{html}\n", record, chars,
                        term_weights(record) if record is not None else None)


def record_of(rel: str, front: str, html: str) -> tuple[PageRecord | None, frozenset[str]]:
    """The page's search record (None for pages kept out of search: listings say `search: {exclude:
    true}` in their front matter) and its characters for the web font."""
    searchable = "\nsearch:" not in front
    record = page_record(page_url(rel), f"<div {BODY_ATTRIBUTE}>{html}</div>") if searchable else None
    return record, frozenset(hangul_of(front + html))


def record_of_file(rel: str, text: str) -> tuple[PageRecord | None, frozenset[str], dict[str, int] | None]:
    """The record of a finished page file (a kept page whose stored record is gone)."""
    front, body = split_front_matter(text)
    record, chars = record_of(rel, front, body.removeprefix(MARKER + "\n"))
    return record, chars, term_weights(record) if record is not None else None


def _finish(rel: str, content):
    """A rendered page finished, or another rendered output with a `finish` method (a feed entry)."""
    return finish_page(rel, content) if isinstance(content, str) else content.finish()


def _finish_all(jobs: list[tuple[str, object, str]], output: tuple | None = None) -> list[tuple[str, object]]:
    """Finish each (rel, content, key); with `output` (pages folder, record store), write each finished
    page there and store its search record, and keep its text out of the result (it is on disk)."""
    done = []
    real_dirs: dict[str, str] = {}  # see outputs.output_path
    for rel, content, key in jobs:
        result = _finish(rel, content)
        if output is not None and isinstance(result, FinishedPage):
            result = _written(result, key, *output, real_dirs)
        done.append((rel, result))
    return done


def _written(page: FinishedPage, key: str, folder, store, real_dirs: dict[str, str]) -> FinishedPage:
    from .generate import write_page  # (generate imports this module)
    from .outputs import output_path

    changed = write_page(output_path(folder, file_of(page.rel), real_dirs=real_dirs), page.text)
    store.put(page.rel, key, page)
    # the caller reads the record from the store (or the page from disk): only what it needs goes back
    return dataclasses.replace(page, text="", written=changed, record=None, chars=frozenset(), weights=None)


class Finisher:
    """Finishes pages on every core: Markdown, sanitizing and search records are most of a cold build.

    `add` takes a page as soon as it is rendered; pages are sent to worker processes in small groups
    while the caller renders the next ones (formatting notes with pandoc meanwhile uses its own
    processes). Few pages are finished here, without starting any process. Workers are spawned, not
    forked: the preview runs threads. With `output` (the pages folder and a records.RecordStore), each
    page is written and its record stored where it is finished: the caller gets it without its text."""

    GROUP = 16  # pages per task: few enough to spread the work, enough to pay for sending them
    WAITING = 4  # groups sent per worker and not yet finished, at most

    def __init__(self, expected: int, threshold: int = 200, output: tuple | None = None):
        import os

        self.made: dict[str, object] = {}
        self._output = output
        self._group: list[tuple[str, object, str]] = []
        self._futures = []
        self._pool = None
        workers = self._workers = min(os.cpu_count() or 1, 8)
        if expected >= threshold and workers > 1:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    def add(self, rel: str, content, key: str = "") -> None:
        if not (rel.endswith(".md") and isinstance(content, str) or hasattr(content, "finish")):
            self.made[rel] = content
        elif self._pool is None:
            self.made.update(_finish_all([(rel, content, key)], self._output))
        else:
            self._group.append((rel, content, key))
            if len(self._group) >= self.GROUP:
                self._send()

    def _send(self) -> None:
        from concurrent.futures.process import BrokenProcessPool

        if self._group:
            group, self._group = self._group, []
            try:
                self._futures.append((group, self._pool.submit(_finish_all, group, self._output)))
            except BrokenProcessPool:
                self._futures.append((group, None))
            # pages rendered faster than they are finished wait here, in full: past a few groups per
            # worker the caller waits instead (unbounded, they were half of the peak memory at 10,000)
            while len(self._futures) > self.WAITING * self._workers:
                self._collect(*self._futures.pop(0))

    def _collect(self, group, future) -> None:
        from concurrent.futures.process import BrokenProcessPool

        try:
            done = future.result() if future is not None else _finish_all(group, self._output)
        except BrokenProcessPool:  # workers that could not start (or died): finished here instead
            done = _finish_all(group, self._output)
        self.made.update(done)

    def results(self) -> dict[str, object]:
        if self._pool is not None:
            self._send()
            for group, future in self._futures:
                self._collect(group, future)
            self._futures = []
        return self.made

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
