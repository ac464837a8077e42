"""The preview: `python build.py serve` builds, serves the site on 127.0.0.1 and rebuilds on every save.

Three parts, each on its own thread:

- the watcher (watchfiles) collects saves under briefs/, templates/, docs/ and mkdocs.yml; a burst of
  saves (an editor's autosave) becomes one rebuild, and saves made during a rebuild one more;
- the builder runs the pipeline (pipeline.py, drafts included with --drafts) into the preview's own
  folder and swaps it in whole; it takes the project's lock for each rebuild only;
- the server answers every request at once from the last good site, whatever the builder is doing.
  While the last build failed, every HTML page carries an overlay with the contract lines and the
  source line of each (written into the HTML, so it shows without JavaScript and in `curl`), and a
  page that never built shows the errors instead of a 404. A small script reloads the page when a
  build ends, so the overlay goes by itself once the error is fixed.

With `cms: true` the preview also runs the editor at /admin/ (cms.py, cms_preview.py): decap-server, a
child process that ends with the preview, saves the editor's briefs and images into briefs/ (the
watcher rebuilds as for any save); /admin/config.yml is served with `local_backend` pointing at it; and
POST /__briefkit/cms/preview renders the brief in the editor's form with the site's own engine, for
the editor's preview pane. If Node.js or decap-server is missing, the preview runs and /admin/ says why.
"""

from __future__ import annotations

import html
import http.server
import json
import mimetypes
import posixpath
import shutil
import sys
import threading
import time
import traceback
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

from . import cms, lock
from .cms_preview import DecapServer, decode_media, page_file, render_brief, safe_host
from .config import Config
from .diagnostics import Diagnostic, EditorError
from .generate import Session, generate
from .load import Corpus, load_corpus
from .pipeline import publish
from .preview_splice import splice_changed
from .site_engine import SiteEngineError, quiet
from .theme_patches import ThemePatchError

EVENTS = "/__briefkit/events"  # long poll: answers when the build number differs from `since`
POLL_SECONDS = 20
IGNORED_SUFFIXES = ("~", ".swp", ".swx", ".tmp", ".part")
# the editor's preview request: the brief (at most 2 MB, load.MAX_FILE_BYTES) and its unsaved images (base64)
MAX_PREVIEW_REQUEST = 100_000_000


@dataclass
class Problem:
    """One line of the overlay: the contract line and the source line it points at."""

    line: str
    source: str = ""


@dataclass
class PreviewState:
    """What the server shows: the number of the last build and its problems (none when it succeeded)."""

    build: int = 0
    problems: list[Problem] = field(default_factory=list)
    urls: list[str] | None = None  # the pages the last build changed; None: every page
    changed: threading.Condition = field(default_factory=threading.Condition)

    def finished(self, problems: list[Problem], urls: list[str] | None = None) -> None:
        with self.changed:
            if problems or self.problems:
                urls = None  # the overlay comes or goes on every page
            self.build += 1
            self.problems = problems
            self.urls = urls
            self.changed.notify_all()

    def wait_for_build_after(self, since: int, timeout: float) -> tuple[int, list[str] | None]:
        with self.changed:
            self.changed.wait_for(lambda: self.build != since, timeout=timeout)
            return self.build, self.urls


class Preview:
    def __init__(self, config: Config, drafts: bool, site: Path):
        self.config = config
        self.drafts = drafts
        self.site = site
        self.state = PreviewState()
        self.session = Session()  # the memo stays in memory between rebuilds
        # the engine's Markdown converter and caches are one per process: the builder and the editor's
        # preview pane (cms_render) take turns
        self.engine = threading.Lock()
        self.corpus: Corpus | None = None  # of the last good build: what the editor's briefs are checked against
        self.decap: DecapServer | None = None  # the editor's local backend (cms: true)
        self.address = ""  # http://host:port of the preview

    def rebuild(self) -> None:
        """One build into the preview's folder; its problems (if any) go to the state and the terminal."""
        started = time.monotonic()
        problems: list[Problem] = []
        config = self.config
        how = ""
        try:
            with lock.project_lock(config.root, timeout=lock.timeout_from_environment()):
                with self.engine:
                    generation = generate(config, drafts=self.drafts, session=self.session)
                    self.corpus = generation.corpus
                # first the saved pages, in place in the pages built last time (preview_splice.py) ...
                spliced = splice_changed(self.site, config.pages_path, generation.changed, config.site_name) \
                    if self.state.build and not self.state.problems and self.site.is_dir() else []
                if spliced:
                    self.state.finished([], spliced)
                self.session.save(config)  # once the page shows: writing the memo takes a moment at 10,000
                # ... then the site engine builds them for real, with everything that shows them
                how = publish(config, generation, self.site, remove_old=_remove_later, in_place=True,
                              pages_ready=lambda rebuilt: self.state.finished([], _urls(rebuilt)))
                # a save that changed nothing (or changes seen by the build before) says nothing
                if how == "full" or (how == "unchanged" and (self.state.problems or not self.state.build)):
                    self.state.finished([], None)
            if generation.warnings.items:
                print(generation.warnings.format(), file=sys.stderr, flush=True)
        except EditorError as exc:
            problems = [self._problem(d) for d in exc.diagnostics.sorted()]
        except (SiteEngineError, ThemePatchError) as exc:
            problems = [Problem(f"error: the site engine failed: {exc}")]
        except lock.LockBusy as exc:
            problems = [Problem(f"error: {exc}")]
        except OSError as exc:
            problems = [Problem(f"error: {exc}")]
        except Exception:  # a bug: the preview goes on, the overlay says where the traceback is
            traceback.print_exc()
            problems = [Problem("error: internal error in briefkit (the traceback is in the terminal)")]
        if problems:
            print("\n".join(p.line for p in problems), file=sys.stderr, flush=True)
            print("The preview shows the last good version with these errors.", file=sys.stderr, flush=True)
            self.state.finished(problems)
        elif how != "unchanged":
            print(f"Rebuilt in {time.monotonic() - started:.2f} s.", file=sys.stderr, flush=True)
        self.session.settle()  # the build is done: the garbage goes now, not during the next one

    def cms_render(self, display: str, text: str, base_url: str, media: dict[str, bytes] | None = None) -> dict:
        """The editor's brief rendered by the site's engine (cms_preview.render_brief)."""
        try:
            with self.engine:
                corpus = self.corpus
                if corpus is None:  # no good build yet: the registries and bibliographies as they are
                    corpus, _ = load_corpus(self.config)
                return render_brief(self.config, corpus, self.site, display, text, base_url, media)
        except Exception:  # a bug: the pane says so, the preview goes on
            traceback.print_exc()
            return {"message": "internal error in briefkit while rendering this brief (the traceback is in "
                               "the terminal of python build.py serve)"}

    def admin_page(self, page: bytes) -> bytes:
        """The editor's page as the preview serves it: it may ask this server for previews, and it says
        why it cannot save when decap-server is not running."""
        decap = self.decap
        origin = decap.origin if decap is not None else None
        script = f"<script>window.briefkitPreview={{origin:{json.dumps(origin)}}};"
        if origin:  # decap-server answers the preview's own address only (CORS): say so on another one
            script += ("if(location.origin!==window.briefkitPreview.origin){document.addEventListener("
                       "'DOMContentLoaded',function(){var p=document.createElement('p');p.setAttribute('role','alert');"
                       f"p.style.cssText={json.dumps(NOTICE_STYLE)};p.textContent='Open the editor at '+"
                       "window.briefkitPreview.origin+'/admin/: its local backend answers that address only.';"
                       "document.body.prepend(p)})}")
        script += "</script>"
        if decap is not None and decap.problem:
            script += (f'<p role="alert" id="briefkit-cms-problem" style="{html.escape(NOTICE_STYLE)}">'
                       f"The editor cannot save in this preview: {html.escape(decap.problem)}</p>")
        text = page.decode("utf-8", errors="replace")
        at = text.find("<body>")
        text = text[:at + 6] + script + text[at + 6:] if at >= 0 else script + text
        return text.encode("utf-8")

    def admin_config(self, data: bytes) -> bytes:
        """admin/config.yml with Decap's local backend: decap-server writes into the project."""
        url = self.decap.url if self.decap is not None else None
        text = data.decode("utf-8")
        return (cms.with_local_backend(text, url, self.address + "/") if url else text).encode("utf-8")

    def _problem(self, diagnostic: Diagnostic) -> Problem:
        span = diagnostic.span
        try:
            lines = (self.config.root / span.file).read_text(encoding="utf-8").splitlines()
            source = lines[span.line - 1] if 0 < span.line <= len(lines) else ""
        except (OSError, UnicodeDecodeError, ValueError):
            source = ""
        return Problem(diagnostic.format(), source)

    def watched(self) -> list[Path]:
        config = self.config
        paths = [config.briefs_path, config.templates_path, config.root / config.docs_dir,
                 config.root / config.mkdocs_file]
        return [p for p in paths if p.exists()]

    def start_watching(self, stop: threading.Event) -> threading.Event:
        """Watch on a thread of its own; the event returned is set by every burst of saves.

        Returns once the watcher runs, so a save made during the first build (or any build) is never
        missed: it is collected while the builder works and gives one more rebuild afterwards."""
        import watchfiles

        def wanted(_change, path: str) -> bool:
            name = Path(path).name
            return not name.startswith(".") and not name.endswith(IGNORED_SUFFIXES)

        saved, running = threading.Event(), threading.Event()

        def watch() -> None:
            # a save is seen within 150 ms; saves closer together than that are one burst (an autosave).
            # The rust side answers every 200 ms even when nothing changed (an empty set): the first
            # answer says the watcher is in place.
            for changes in watchfiles.watch(*self.watched(), watch_filter=wanted, debounce=1500, step=150,
                                            stop_event=stop, rust_timeout=200, yield_on_timeout=True,
                                            raise_interrupt=False):
                running.set()
                if changes:
                    saved.set()

        threading.Thread(target=watch, name="briefkit-watcher", daemon=True).start()
        running.wait(timeout=30)
        return saved

    def build_forever(self, saved: threading.Event, stop: threading.Event) -> None:
        """Rebuild after each burst of saves (saves during a rebuild give one more) until stopped."""
        while not stop.is_set():
            if saved.wait(timeout=0.5):
                saved.clear()
                self.rebuild()


def _urls(outputs: list[str]) -> list[str]:
    """Site paths (2024/04/x/index.html) as the paths readers have open (/2024/04/x/)."""
    return sorted({"/" + rel.removesuffix("index.html") for rel in outputs if rel.endswith(".html")})


def _remove_later(folder: Path) -> None:
    """The previous preview site goes on another thread: the page is shown without waiting for it."""
    threading.Thread(target=shutil.rmtree, args=(folder,), kwargs={"ignore_errors": True},
                     name="briefkit-cleanup", daemon=True).start()


NOTICE_STYLE = ("position:fixed;z-index:100000;left:0;right:0;top:0;margin:0;padding:.8em 1.2em;background:#fdecea;"
                "color:#5f1414;border-bottom:3px solid #b3261e;font:15px/1.4 system-ui,sans-serif")


def overlay(problems: list[Problem]) -> str:
    """The errors as HTML, for the top of every page while the last build failed."""
    items = "".join(
        f'<li><code style="white-space:pre-wrap">{html.escape(p.line)}</code>'
        + (f'<pre style="margin:.3em 0 0;padding:.3em .5em;background:#fff;color:#1a1a1a;overflow-x:auto">'
           f"{html.escape(p.source)}</pre>" if p.source.strip() else "")
        + "</li>" for p in problems)
    count = len(problems)
    return (
        '<div id="briefkit-errors" role="alert" style="position:fixed;z-index:10000;left:0;right:0;top:0;'
        "max-height:60vh;overflow:auto;background:#fdecea;color:#5f1414;border-bottom:3px solid #b3261e;"
        'padding:1em 1.5em;font:15px/1.4 system-ui,sans-serif;box-shadow:0 2px 8px rgba(0,0,0,.3)">'
        f'<p style="margin:0 0 .5em;font-weight:bold">{count} problem{"s" if count != 1 else ""} in the sources: '
        "this page shows the last good version. Fix them and save: the page reloads by itself.</p>"
        f'<ol style="margin:0;padding-left:1.5em">{items}</ol></div>')


def reload_script(build: int) -> str:
    # reloads when a build changed this page (or every page: `changed` is null), else keeps waiting
    return (f"<script>(function(){{var b={build};function poll(){{fetch('{EVENTS}?since='+b)"
            ".then(function(r){return r.json()}).then(function(d){if(d.build!==b&&(d.changed===null||"
            "d.changed.indexOf(location.pathname)>=0)){location.reload()}else{b=d.build;poll()}})"
            ".catch(function(){setTimeout(poll,1000)})}poll()})();</script>")


def error_page(problems: list[Problem], build: int) -> bytes:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Errors — preview</title>"
            f"</head><body>{overlay(problems)}{reload_script(build)}</body></html>").encode()


def waiting_page() -> bytes:
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Building — preview</title>"
            "</head><body><p>The preview is being built; this page reloads when it is ready.</p>"
            f"{reload_script(0)}</body></html>").encode()


def with_preview(page: bytes, problems: list[Problem], build: int) -> bytes:
    """A built page with the reload script and, while there are problems, the overlay."""
    text = page.decode("utf-8", errors="replace")
    extra = (overlay(problems) if problems else "") + reload_script(build)
    at = text.rfind("</body>")
    text = text[:at] + extra + text[at:] if at >= 0 else text + extra
    return text.encode("utf-8")


class Handler(http.server.BaseHTTPRequestHandler):
    preview: Preview  # set on the subclass made by serve()
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args) -> None:  # noqa: A002 (the base class's name)
        pass  # the terminal is for editors' errors, not for every request

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's name)
        self._answer(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._answer(head=False)

    def do_POST(self) -> None:  # noqa: N802
        """The editor's preview pane: POST {path, text, media} (JSON) → {html} | {problems} | {message}."""
        url = urllib.parse.urlsplit(self.path)
        preview = self.preview
        length = self.headers.get("Content-Length", "")
        kind = self.headers.get("Content-Type", "").split(";")[0].strip()
        if url.path != cms.PREVIEW_ENDPOINT or not preview.config.cms:
            self._send(404, "text/plain; charset=utf-8", b"Not found", False)
            return
        if kind != "application/json" or not length.isdigit() or int(length) > MAX_PREVIEW_REQUEST:
            self.close_connection = True
            self._send(400, "text/plain; charset=utf-8", b"a JSON object {path, text} is expected", False)
            return
        try:
            asked = json.loads(self.rfile.read(int(length)).decode("utf-8"))
            display, text = asked["path"], asked["text"]
            if not isinstance(display, str) or not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            self._send(400, "text/plain; charset=utf-8", b"a JSON object {path, text} is expected", False)
            return
        host = safe_host(self.headers.get("Host"), f"{self.server.server_address[0]}:{self.server.server_address[1]}")
        answer = preview.cms_render(display, text, f"http://{host}", decode_media(preview.config, asked.get("media")))
        self._send(200, "application/json", json.dumps(answer, ensure_ascii=False).encode("utf-8"), False)

    def _answer(self, head: bool) -> None:
        url = urllib.parse.urlsplit(self.path)
        state = self.preview.state
        if url.path == EVENTS:
            since = urllib.parse.parse_qs(url.query).get("since", ["-1"])[0]
            build, urls = state.wait_for_build_after(int(since) if since.lstrip("-").isdigit() else -1,
                                                     POLL_SECONDS)
            self._send(200, "application/json", json.dumps({"build": build, "changed": urls}).encode(), head)
            return
        problems, build = state.problems, state.build
        if self.preview.config.cms and self._admin(urllib.parse.unquote(url.path), head):
            return
        path = self._file(urllib.parse.unquote(url.path))
        if isinstance(path, str):  # a folder asked for without its slash
            self.send_response(301)
            self.send_header("Location", path)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if path is None:
            if build == 0:  # the first build is running
                self._send(200, "text/html; charset=utf-8", waiting_page(), head)
                return
            if problems:
                self._send(200, "text/html; charset=utf-8", error_page(problems, build), head)
                return
            missing = self.preview.site / "404.html"
            body = with_preview(missing.read_bytes(), [], build) if missing.is_file() else b"Not found"
            self._send(404, "text/html; charset=utf-8", body, head)
            return
        data = path.read_bytes()
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if kind == "text/html":
            data = with_preview(data, problems, build)
            kind = "text/html; charset=utf-8"
        self._send(200, kind, data, head)

    def _admin(self, path: str, head: bool) -> bool:
        """The editor's files (cms: true): /admin/ without the preview's reload script (a page that
        reloads would lose the form), its config with the local backend, and the files of a page the
        editor's preview pane shows. False for any other path."""
        preview = self.preview
        if path.startswith(cms.PAGE_PREFIX):
            found = page_file(preview.config, preview.site, path[len(cms.PAGE_PREFIX):])
            if found is None:
                self._send(404, "text/plain; charset=utf-8", b"Not found", head)
            else:
                self._send(200, mimetypes.guess_type(found.name)[0] or "application/octet-stream",
                           found.read_bytes(), head)
            return True
        if not path.startswith(f"/{cms.ADMIN_DIR}/"):
            return False
        found = self._file(path)
        if not isinstance(found, Path):
            return False
        data = found.read_bytes()
        if path == f"/{cms.ADMIN_DIR}/config.yml":
            self._send(200, "text/yaml; charset=utf-8", preview.admin_config(data), head)
        elif found.name == "index.html" and found.parent.name == cms.ADMIN_DIR:
            self._send(200, "text/html; charset=utf-8", preview.admin_page(data), head)
        else:
            self._send(200, mimetypes.guess_type(found.name)[0] or "application/octet-stream", data, head)
        return True

    def _file(self, path: str) -> Path | str | None:
        """The file of the preview's site for a URL path; a str to redirect to; None when there is none.
        Nothing outside the site's folder is ever served."""
        clean = posixpath.normpath("/" + path.lstrip("/"))
        if "\0" in clean or "\\" in clean:
            return None
        site = self.preview.site.resolve()
        target = (site / clean.lstrip("/")).resolve()
        if target != site and site not in target.parents:
            return None
        if target.is_dir():
            if not path.endswith("/"):
                return path + "/"
            target = target / "index.html"
        return target if target.is_file() else None

    def _send(self, status: int, kind: str, body: bytes, head: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(body)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(config: Config, port: int, drafts: bool, host: str = "127.0.0.1",
          stop: threading.Event | None = None) -> None:
    """Build, then serve and rebuild until interrupted (or until `stop` is set)."""
    quiet()
    preview = Preview(config, drafts, config.root / ".build" / "preview")
    handler = type("PreviewHandler", (Handler,), {"preview": preview})
    server = Server((host, port), handler)
    port = server.server_address[1]  # the port asked for, or the one given for 0
    preview.address = f"http://{host}:{port}"
    stop = stop or threading.Event()
    # the server answers from the start (the last preview's site, or a page that waits for the first build)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name="briefkit-server",
                     daemon=True).start()
    print(f"Serving the preview on http://{host}:{port}/ (Ctrl+C to stop).", file=sys.stderr, flush=True)
    if config.cms:
        # only the preview's own pages may call it (any page of 127.0.0.1 or localhost, for a preview
        # that listens on every address)
        local = host not in ("0.0.0.0", "::", "")
        preview.decap = DecapServer(config.root, origin=preview.address if local else None)
        preview.decap.start()
        if preview.decap.problem:
            print(f"warning: the editor at /admin/ cannot save: {preview.decap.problem}", file=sys.stderr, flush=True)
        else:
            print(f"The editor: http://{host}:{port}/admin/ (it saves into {config.briefs_dir}/).", file=sys.stderr,
                  flush=True)
    try:
        saved = preview.start_watching(stop)
        preview.rebuild()
        preview.build_forever(saved, stop)
    except KeyboardInterrupt:
        pass
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
        if preview.decap is not None:
            preview.decap.stop()
