"""The editor at /admin/ in the preview (`python build.py serve` with `cms: true`).

- `DecapServer`: Decap's local backend, decap-server (node_modules/decap-server), started as a child of
  the preview on a free port of 127.0.0.1, writing into the project folder (MODE=fs: files only, no
  git). The editor's saves land in briefs/ like any editor's, and the preview's watcher rebuilds. It
  ends with the preview: stopped when the preview stops, and it exits by itself when the preview's
  process dies (its standard input, a pipe from the preview, closes).
- `render_brief`: one brief, as the form holds it (the YAML the editor would save), rendered with the
  site's own engine against the corpus of the preview's last good build: the real page (notes,
  citations, figures, in the site's theme) or its errors as `briefs/<file>:<line>:<col>: error: …`.
  Nothing is written into the project: the page is the finished page (finish.py) put into a brief
  page the preview built (preview_splice.py), with a <base> that makes its links lead to the preview's
  files. Images the editor uploaded but did not save yet (Decap keeps them with the unsaved brief) come
  with the request: the brief is checked against a shadow of briefs/ holding only its own images
  (.build/cms-preview/briefs/, the saved ones linked, the new ones written), which also serves them.
"""

from __future__ import annotations

import base64
import collections
import dataclasses
import os
import re
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path, PurePosixPath

from .cms import DECAP_SERVER, PAGE_PREFIX, node_modules
from .config import Config
from .diagnostics import Diagnostics, EditorError
from .finished import CONTENT_START, MARKER
from .load import BRIEF_NAME, Corpus, check_brief
from .yamlsrc import parse_yaml

# decap-server's own script, run by node: it leaves when its standard input (a pipe from the preview) ends
_WRAPPER = ("process.stdin.on('end',()=>process.exit(0));process.stdin.on('error',()=>process.exit(0));"
            "process.stdin.resume();require(process.argv[process.argv.length-1]);")
START_SECONDS = 20
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".gif", ".webp", ".svg", ".avif")
SHADOW = (".build", "cms-preview", "briefs")  # below the project folder: the brief's images, for one preview
NO_PREVIEW = ("Give the brief a date and a slug (lowercase letters, digits and hyphens) to see it as the "
              "site shows it.")


def _free_port(host: str) -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class DecapServer:
    """decap-server as a child process. After `start`, `url` is its API (for local_backend.url) or
    `problem` says why there is none (no Node.js, no `npm ci`, it did not start)."""

    def __init__(self, root: Path, origin: str | None = None, host: str = "127.0.0.1"):
        self.root = root
        self.origin = origin  # the preview's address: the only page allowed to call it (CORS)
        self.host = host
        self.url: str | None = None
        self.problem: str | None = None
        self.process: subprocess.Popen | None = None
        self.output: collections.deque[str] = collections.deque(maxlen=30)

    def command(self) -> list[str] | None:
        node = shutil.which("node")
        if node is None:
            self.problem = ("Node.js is not installed, so the editor's local backend (decap-server) cannot run: "
                            "install Node.js, run `npm ci`, and restart `python build.py serve`.")
            return None
        found = node_modules(self.root)
        script = found.joinpath(*DECAP_SERVER) if found is not None else None
        if script is None or not script.is_file():
            self.problem = ("decap-server is not installed (node_modules/decap-server): run `npm ci` "
                            "(make serve does) and restart `python build.py serve`.")
            return None
        return [node, "-e", _WRAPPER, str(script)]

    def start(self, timeout: float = START_SECONDS) -> None:
        command = self.command()
        if command is None:
            return
        for _attempt in range(3):  # a free port can be taken between finding it and binding it
            port = _free_port(self.host)
            env = {**os.environ, "PORT": str(port), "BIND_HOST": self.host, "MODE": "fs",
                   "GIT_REPO_DIRECTORY": str(self.root.resolve()), "LOG_LEVEL": "info"}
            if self.origin:
                env["ORIGIN"] = self.origin
            try:
                self.process = subprocess.Popen(command, cwd=self.root, env=env, stdin=subprocess.PIPE,
                                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
            except OSError as exc:
                self.problem = f"decap-server could not be started: {exc}"
                return
            threading.Thread(target=self._read, args=(self.process,), name="briefkit-decap-server",
                             daemon=True).start()
            if self._wait(port, timeout):
                self.url = f"http://{self.host}:{port}/api/v1"
                self.problem = None
                return
            self.stop()
        last = " / ".join(line for line in self.output if line.strip())[-500:]
        self.problem = "decap-server did not start" + (f": {last}" if last else "")

    def _read(self, process: subprocess.Popen) -> None:
        for raw in process.stdout:
            self.output.append(raw.decode("utf-8", errors="replace").rstrip())

    def _wait(self, port: int, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                with socket.create_connection((self.host, port), timeout=0.5):
                    return True
            except OSError:
                time.sleep(0.05)
        return False

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is None:
            return
        try:
            process.stdin.close()
        except OSError:
            pass
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _source_line(config: Config, file: str, line: int, display: str, text: str) -> str:
    try:
        lines = (text if file == display else (config.root / file).read_text(encoding="utf-8")).splitlines()
    except (OSError, UnicodeDecodeError, ValueError):
        return ""
    return lines[line - 1] if 0 < line <= len(lines) else ""


def _problems(config: Config, diags: Diagnostics, display: str, text: str) -> list[dict[str, str]]:
    return [{"line": d.format(), "source": _source_line(config, d.span.file, d.span.line, display, text)}
            for d in diags.sorted() if d.severity == "error"]


def shell_page(site: Path, corpus: Corpus) -> str | None:
    """A brief page the preview built, to put another brief's content in (its theme, head, scripts)."""
    for card in corpus.cards:
        path = site / card.url / "index.html"
        try:
            built = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if CONTENT_START in built:
            return built
    return None


def with_base(page: str, base: str) -> str:
    """The page with its links resolved from `base` (a srcdoc page has no address of its own)."""
    tag = f'<base href="{base}">'
    head = re.search(r"<head[^>]*>", page, re.I)
    return page[:head.end()] + tag + page[head.end():] if head else tag + page


_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script\s*>", re.S | re.I)


def shadow_folder(config: Config) -> Path:
    return config.root.joinpath(*SHADOW)


def _image_names(value) -> set[str]:
    """The image files a brief names (hero, figures and their before/after pictures), as written."""
    names: set[str] = set()
    pictures = [value.get("image")] if isinstance(value, dict) else []
    figures = value.get("figures") if isinstance(value, dict) else None
    pictures += list(figures.values()) if isinstance(figures, dict) else []
    for picture in pictures:
        if not isinstance(picture, dict):
            continue
        for one in (picture, picture.get("before"), picture.get("after")):
            if isinstance(one, dict) and isinstance(one.get("file"), str):
                names.add(one["file"])
    return names


def _plain_name(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(name) and not name.startswith("/") and "\\" not in name and "\0" not in name and \
        not any(p in ("..", ".") for p in parts)


def make_shadow(config: Config, names: set[str], media: dict[str, bytes]) -> Path:
    """The shadow of briefs/ for one preview: the brief's image files, the editor's unsaved uploads
    (`media`, by path relative to briefs/) written, the saved ones linked (copied across file systems)."""
    shadow = shadow_folder(config)
    shutil.rmtree(shadow, ignore_errors=True)
    shadow.mkdir(parents=True, exist_ok=True)
    real_root = config.briefs_path.resolve()
    for name in sorted(names):
        if not _plain_name(name):
            continue  # the check says why, against the shadow as against briefs/
        target = shadow / name
        if name in media:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(media[name])
            continue
        real = (config.briefs_path / name).resolve()
        if real_root not in real.parents or not real.is_file():
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(real, target)
        except OSError:
            shutil.copy2(real, target)
    return shadow


def decode_media(config: Config, items) -> dict[str, bytes]:
    """The editor's unsaved uploads from a preview request ([{path: briefs/images/x.png, data: base64}]),
    by their path relative to briefs/ (as a brief names them)."""
    out: dict[str, bytes] = {}
    prefix = config.briefs_dir.strip("/") + "/"
    for item in items if isinstance(items, list) else []:
        path = item.get("path") if isinstance(item, dict) else None
        data = item.get("data") if isinstance(item, dict) else None
        if not isinstance(path, str) or not isinstance(data, str) or not path.startswith(prefix):
            continue
        name = path[len(prefix):]
        if not _plain_name(name) or PurePosixPath(name).suffix.lower() not in IMAGE_SUFFIXES:
            continue
        try:
            out[name] = base64.b64decode(data.split(",", 1)[-1], validate=True)
        except ValueError:
            continue
    return out


def render_brief(config: Config, corpus: Corpus, site: Path, display: str, text: str, base_url: str,
                 media: dict[str, bytes] | None = None) -> dict:
    """{"html": the page} for the brief `text` (YAML) as the file `display` (briefs/<name>), or
    {"problems": [{"line", "source"}]}, or {"message": …} when there is nothing to show yet. `media`:
    the editor's uploads not saved yet, by path relative to briefs/."""
    from .finish import finish_page, split_front_matter
    from .generate import build_moment, status_of
    from .preview_splice import splice_page
    from .render import Renderer, template_errors
    from .resolve import resolve

    name = PurePosixPath(display).name
    named = BRIEF_NAME.match(name)
    if named is None or display != f"{config.briefs_dir.strip('/')}/{name}":
        return {"message": NO_PREVIEW}
    slug = named.group("slug")
    diags = Diagnostics()
    doc = parse_yaml(display, text, diags)
    if doc is None:
        return {"problems": _problems(config, diags, display, text)}
    context = corpus.context
    all_slugs = set(context.all_slugs) | {slug} if context else {slug}
    bib_keys = context.bib_keys(doc.value) if context else frozenset(corpus.bibliography.entries)
    # the brief's images as they will be once saved: in the shadow of briefs/, which check_brief looks in
    shadow = make_shadow(config, _image_names(doc.value), media or {})
    checking = dataclasses.replace(config, briefs_dir=str(shadow))
    source = check_brief(checking, corpus, doc, slug, all_slugs, bib_keys, diags)
    if source is None or diags.has_errors:
        return {"problems": _problems(config, diags, display, text)}
    one = Corpus([source], corpus.authors, corpus.series, corpus.topics, corpus.bibliography)
    try:
        with template_errors(config.templates_path, config.root):
            rb = resolve(one, config.csl_path, config.cache_path, config.site_name, config.site_url)[0]
            status = status_of(rb.brief, build_moment(), config.timezone)
            renderer = Renderer(config, corpus, {slug: status} if status else {})
            finished = finish_page(rb.page_path, renderer.brief_page(rb, [], ()))
    except EditorError as exc:
        return {"problems": _problems(config, exc.diagnostics, display, text)}
    shell = shell_page(site, corpus)
    page = splice_page(shell, finished.text, config.site_name) if shell else None
    if page is None:  # no brief page built yet: the content alone
        content = split_front_matter(finished.text)[1].removeprefix(MARKER + "\n")
        page = f'<!doctype html><html lang="{rb.brief.lang}"><head><meta charset="utf-8"></head><body>' \
               f"<article>{content}</article></body></html>"
    # the pane shows the page with its scripts off (a sandboxed frame would refuse each, loudly)
    page = _SCRIPT.sub("", page)
    return {"html": with_base(page, f"{base_url.rstrip('/')}{PAGE_PREFIX}{rb.url}")}


def page_file(config: Config, site: Path, rel: str) -> Path | None:
    """A file of the rendered preview page (PAGE_PREFIX + rel): the preview site's, else an image of
    the last preview's shadow of briefs/ or of briefs/ that no published brief shows yet (the one the
    editor just uploaded)."""
    clean = PurePosixPath(rel)
    if not rel or rel.startswith("/") or "\\" in rel or "\0" in rel or any(p in ("..", ".") for p in clean.parts):
        return None
    for base, images_only in ((site, False), (shadow_folder(config), True), (config.briefs_path, True)):
        root = base.resolve()
        target = (root / rel).resolve()
        if root not in target.parents or not target.is_file():
            continue
        if images_only and target.suffix.lower() not in IMAGE_SUFFIXES:
            continue
        return target
    return None


def safe_host(host: str | None, fallback: str) -> str:
    """The Host header when it is a plain host[:port] (it goes into the page's <base>)."""
    return host if host and re.fullmatch(r"[A-Za-z0-9.\-]+(:\d{1,5})?|\[[0-9A-Fa-f:.]+\](:\d{1,5})?", host) \
        else fallback
