"""Old addresses that keep working: `redirects.yml` (beside mkdocs.yml) maps each to its new address.

```yaml
/2010/10/05/post-format-standard/: /2010/10/post-format-standard/
/category/classic/: /series/classic/
/?p=358: /2010/10/post-format-standard/
```

The WordPress import writes it (wp_import.py); editors may add to it. For each old path the build
writes a static page (`<old>/index.html`) with the new address as its canonical link and an
immediate refresh, which every host serves; and a `_redirects` file with a permanent redirect per line,
for hosts that read one (Netlify, Cloudflare Pages). An old address with a query (`/?p=358`, WordPress's
short links) has no page of its own: `_redirects` carries it for hosts that match queries (Netlify),
and `redirects.json` lets the site's home page forward it (`assets/redirects.js`).

Problems are editors' errors at their line: an entry that is not a path, a target that is not a path
or an address, or an old path that is a page the site makes itself.
"""

from __future__ import annotations

import html
import json
import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import yaml

from .diagnostics import Diagnostics, Span
from .yamlsrc import parse_yaml

FILE = "redirects.yml"
NETLIFY = "_redirects"
QUERY_MAP = "redirects.json"


@dataclass(frozen=True)
class Redirect:
    old: str  # a path, with a query or not: /2010/10/05/post/, /?p=358
    new: str  # a path of the site (/2010/10/post/) or an address (https://…)
    line: int

    @property
    def query(self) -> bool:
        return "?" in self.old


def load_redirects(root: Path, diags: Diagnostics) -> list[Redirect]:
    path = root / FILE
    if not path.is_file():
        return []
    text = path.read_text(encoding="utf-8")
    doc = parse_yaml(FILE, text, diags)
    if doc is None or doc.value is None:
        return []
    if not isinstance(doc.value, dict):
        diags.error(Span(FILE, 1, 1), "redirects.yml maps old paths to new ones", "e.g. /old/path/: /new/path/")
        return []
    out = []
    for old, new in doc.value.items():
        span = doc.span((old,), key=True)
        old_text = str(old)
        parts = urlsplit(old_text)
        if not old_text.startswith("/") or parts.scheme or parts.netloc or ".." in old_text.split("/"):
            diags.error(span, f"'{old_text}' is not a path of the site",
                        "old paths start with /, e.g. /2010/10/05/post/")
            continue
        if not isinstance(new, str) or not (new.startswith("/") or new.startswith(("https://", "http://"))):
            diags.error(doc.span((old,)), f"the new address of '{old_text}' must be a path or an address, not {new!r}",
                        "e.g. /2010/10/post/")
            continue
        out.append(Redirect(old_text, new, span.line))
    return out


def check_against_pages(redirects: list[Redirect], pages: set[str], diags: Diagnostics) -> None:
    """An old path that is a page the site makes would hide it: an error at its line."""
    for r in redirects:
        if r.query:
            continue
        rel = r.old.strip("/")
        made = f"{rel}.md" if rel else "index.md"
        if made in pages or f"{rel}/index.md" in pages:
            diags.error(Span(FILE, r.line, 1), f"'{r.old}' is a page of the site: it cannot also be redirected",
                        "remove the line, or move the page")


def page(new: str, site_url: str) -> str:
    """A static page that sends readers on to `new` at once (a path from the site's root, which works
    on any host of the site) and tells search engines its address (canonical: the whole address)."""
    absolute = new.startswith(("http://", "https://"))
    parts = urlsplit(site_url)
    here = new if absolute else parts.path.rstrip("/") + new
    canonical = new if absolute or not site_url else f"{parts.scheme}://{parts.netloc}{here}"
    go, shown = html.escape(here, quote=True), html.escape(canonical, quote=True)
    return (f'<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>Moved</title>\n'
            f'<link rel="canonical" href="{shown}">\n<meta name="robots" content="noindex">\n'
            '<link rel="icon" href="data:,">\n'  # no favicon request (a 404) while the page moves on
            f'<meta http-equiv="refresh" content="0; url={go}">\n</head>\n<body>\n'
            f'<p>This page has moved to <a href="{go}">{shown}</a>.</p>\n</body>\n</html>\n')


def files(redirects: list[Redirect], site_url: str) -> dict[str, bytes]:
    """The files to write into the site: a page per old path, `_redirects`, and the map of query ones."""
    out: dict[str, bytes] = {}
    lines = []
    queries = {}
    for r in sorted(redirects, key=lambda r: r.old):
        parts = urlsplit(r.old)
        if r.query:
            # Netlify matches a query parameter as `path key=value`
            pairs = " ".join(q for q in parts.query.split("&") if q)
            lines.append(f"{parts.path or '/'} {pairs} {r.new} 301!")
            queries[parts.query] = r.new
            continue
        lines.append(f"{r.old} {r.new} 301")
        rel = r.old.strip("/")
        name = rel if rel.rsplit("/", 1)[-1].count(".") else (f"{rel}/index.html" if rel else "index.html")
        out[name] = page(r.new, site_url).encode("utf-8")
    if lines:
        out[NETLIFY] = ("\n".join(lines) + "\n").encode("utf-8")
    if queries:
        out[QUERY_MAP] = (json.dumps(queries, indent=0, sort_keys=True) + "\n").encode("utf-8")
    return out


def write(root: Path, site_dir: Path, site_url: str) -> None:
    """The redirects of redirects.yml into the built site (checked before: see generate.check)."""
    redirects = load_redirects(root, Diagnostics())
    for name, data in files(redirects, site_url).items():
        target = site_dir / name
        target.parent.mkdir(parents=True, exist_ok=True)
        # replaced, never written in place: the site's files may be hard links to the published ones
        temporary = target.with_name(target.name + ".briefkit-redirect.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)


def merge(root: Path, found: dict[str, str]) -> int:
    """Add `found` (old → new) to redirects.yml, never changing a line already there; how many added."""
    path = root / FILE
    text = path.read_text(encoding="utf-8") if path.is_file() else (
        "# Old addresses that keep working: old path → new path (briefkit/redirects.py)\n")
    existing = yaml.safe_load(text) or {}
    new = {old: target for old, target in sorted(found.items()) if old not in existing and old != target}
    if new:
        body = "".join(f"{json.dumps(old)}: {json.dumps(target)}\n" for old, target in new.items())
        path.write_text(text.rstrip("\n") + "\n" + body, encoding="utf-8")
    return len(new)
