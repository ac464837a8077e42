"""The three projects the benchmarks build from one generated corpus, and the corpus model they share.

- `BriefkitProject`: the engine's project (mkdocs.yml, docs/, templates/, briefkit/, build.py copied
  from this repository, `pdf: false`), with briefs/*.yml, the registries, references.bib and images.
- `PlainProject`: the site a user would otherwise write by hand with MkDocs: one Markdown page per
  brief (title, byline, date, image, body) with its notes typed in as Markdown footnotes, citations
  formatted here from the .bib fields; Material theme, Material's built-in `search` plugin, briefs
  out of the nav (not_in_nav), no hooks.
- `HugoProject`: the same Markdown pages under content/, with a minimal layout (baseof, single, list).

Each project can rewrite one brief with a word appended to its body (`append_word`), the edit the
rebuild and preview measurements make. Nothing here imports the engine: it is run through its
command line only.
"""

from __future__ import annotations

import abc
import datetime as dt
import json
import re
import shutil
import struct
import zlib
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


# ---- the corpus -------------------------------------------------------------------------------

@dataclass
class Brief:
    date: str  # YYYY-MM-DD
    slug: str
    title: str
    series: str
    authors: list[str]
    topics: list[str]
    summary: str
    body: str  # Markdown with [^label] notes and pandoc citations
    notes: dict[str, str]
    image: dict[str, str] | None = None  # file (relative to briefs/), alt, caption, credit
    takeaways: list[str] = field(default_factory=list)
    updated: str | None = None
    related: list[str] = field(default_factory=list)
    lang: str = "en"  # "ko": written in Korean (about a tenth of each corpus: the search index's Hangul n-grams)

    @property
    def file_name(self) -> str:
        return f"{self.date}-{self.slug}.yml"

    @property
    def url(self) -> str:
        """The page's URL in all three sites: /YYYY/MM/slug/."""
        return f"/{self.date[:4]}/{self.date[5:7]}/{self.slug}/"


@dataclass
class BibItem:
    key: str
    kind: str  # article, book, online, report, …
    fields: dict[str, str]


@dataclass
class Corpus:
    name: str
    briefs: list[Brief]
    bib: list[BibItem]
    authors_yml: str  # the registries, as the editor's files
    series_yml: str
    topics_yml: str
    author_names: dict[str, str]
    series_labels: dict[str, str]
    images: dict[str, bytes] = field(default_factory=dict)  # path relative to briefs/ → bytes
    image_dirs: list[Path] = field(default_factory=list)  # folders copied as briefs/images/

    def describe(self) -> str:
        words = sum(len(b.body.split()) + sum(len(n.split()) for n in b.notes.values()) for b in self.briefs)
        notes = [len(re.findall(r"\[\^", b.body)) + len(CITATION.findall(b.body)) for b in self.briefs]
        authors = {a for b in self.briefs for a in b.authors}
        korean = sum(1 for b in self.briefs if b.lang == "ko")
        pictures = sum(1 for b in self.briefs if b.image)
        sizes = sorted({_image_size(data) for data in self.images.values()} - {None})
        pixels = f", {sizes[0][0]}×{sizes[0][1]} to {sizes[-1][0]}×{sizes[-1][1]} px" if sizes else ""
        low, high = min(notes, default=0), max(notes, default=0)
        return (f"{len(self.briefs):,} briefs ({korean:,} in Korean), "
                f"{words // max(len(self.briefs), 1):,} words each on average, "
                f"{low if low == high else f'{low}–{high}'} notes a brief, {len(self.bib):,} .bib entries, "
                f"{len(authors)} authors writing, {len(self.series_labels)} series, "
                f"{len({t for b in self.briefs for t in b.topics})} topics, {pictures:,} hero images "
                f"({len(self.images) or len(list(_files(self.image_dirs)))} image files{pixels})")


def _files(folders: list[Path]):
    for folder in folders:
        yield from (p for p in folder.rglob("*") if p.is_file())


def _image_size(data: bytes) -> tuple[int, int] | None:
    if data.startswith(b"\x89PNG"):
        return struct.unpack(">II", data[16:24])
    if data.startswith(b"\xff\xd8"):
        i = 2
        while i + 9 < len(data):
            marker, length = data[i + 1], struct.unpack(">H", data[i + 2:i + 4])[0]
            if 0xC0 <= marker <= 0xC3:
                height, width = struct.unpack(">HH", data[i + 5:i + 9])
                return width, height
            i += 2 + length
    return None


# ---- YAML and BibTeX, written as an editor would ------------------------------------------------

def quoted(text: str) -> str:
    """A YAML double-quoted scalar (JSON's string syntax is a subset of YAML's)."""
    return json.dumps(text, ensure_ascii=False)


def block(text: str, indent: int) -> str:
    """A YAML literal block scalar (`|`), every line indented; empty lines stay empty."""
    pad = " " * indent
    lines = text.rstrip("\n").split("\n")
    return "|\n" + "\n".join(pad + line if line.strip() else "" for line in lines) + "\n"


def brief_yaml(b: Brief) -> str:
    out = [f"title: {quoted(b.title)}", f"series: {b.series}", f"date: {b.date}"]
    if b.updated:
        out.append(f"updated: {b.updated}")
    out += [f"authors: [{', '.join(b.authors)}]", f"topics: [{', '.join(b.topics)}]",
            f"summary: {quoted(b.summary)}"]
    if b.image:
        out.append("image:")
        out += [f"  {k}: {quoted(v)}" for k, v in b.image.items() if v]
    if b.takeaways:
        out.append("takeaways:")
        out += [f"  - {quoted(t)}" for t in b.takeaways]
    if b.related:
        out.append(f"related: [{', '.join(b.related)}]")
    if b.lang != "en":
        out.append(f"lang: {b.lang}")
    text = "\n".join(out) + "\nbody: " + block(b.body, 2) + "notes:\n"
    for label, note in b.notes.items():
        text += f"  {label}: " + (block(note, 4) if "\n" in note else quoted(note) + "\n")
    return text


def bibtex(items: list[BibItem]) -> str:
    out = []
    for item in items:
        fields = ",\n".join(f"  {name} = {{{value}}}" for name, value in item.fields.items())
        out.append(f"@{item.kind}{{{item.key},\n{fields},\n}}\n")
    return "\n".join(out)


# ---- citations formatted by hand, from the .bib fields (for the plain pages) ---------------------

CITATION = re.compile(r"\[(?!\^)([^\[\]]*@[A-Za-z0-9_:.\-]+[^\[\]]*)\]")
TOKEN = re.compile(r"\[\^([^\]\s]+)\]|" + CITATION.pattern)
ITEM = re.compile(r"\s*(.*?)@([A-Za-z0-9_:.\-]+)\s*(?:,\s*(.*?))?\s*$", re.S)


def _people(value: str) -> list[tuple[str, str]]:
    """(full name, surname) of each name of a BibTeX name list."""
    people = []
    for name in re.split(r"\s+and\s+", value.strip()):
        if name.startswith("{") and name.endswith("}"):
            people.append((name[1:-1], name[1:-1]))
        elif "," in name:
            last, first = (s.strip() for s in name.split(",", 1))
            people.append((f"{first} {last}", last))
        else:
            people.append((name, name.split()[-1]))
    return people


def _join(names: list[str]) -> str:
    if len(names) > 3:
        return f"{names[0]} et al."
    if len(names) == 3:
        return f"{names[0]}, {names[1]}, and {names[2]}"
    return " and ".join(names)


def _year(fields: dict[str, str]) -> str:
    return (fields.get("date") or fields.get("year") or "n.d.")[:4]


def format_reference(item: BibItem, locator: str, first: bool) -> str:
    """A Chicago-like note: the full form at a work's first citation in a page, a short form after."""
    f = item.fields
    people = _people(f.get("author") or f.get("editor") or f.get("institution") or "Anonymous")
    title = f.get("title", "").replace("{", "").replace("}", "")
    quoted_title = item.kind in ("article", "online", "incollection")
    if not first:
        short = title.split(": ", 1)[0]
        names = _join([p[1] for p in people])
        shown = f"“{short}”" if quoted_title else f"*{short}*"
        return f"{names}, {shown}" + (f", {locator}" if locator else "")
    names = _join([p[0] for p in people])
    pages = f.get("pages", "").replace("--", "–")
    if item.kind == "article":
        issue = f", no. {f['number']}" if f.get("number") else ""
        where = f": {locator}" if locator else (f": {pages}" if pages else "")
        text = f"{names}, “{title},” *{f.get('journaltitle') or f.get('journal', '')}* {f.get('volume', '')}{issue} " \
               f"({_year(f)}){where}"
        if f.get("doi"):
            text += f", https://doi.org/{f['doi']}"
        return text
    if item.kind == "online":
        site = f.get("organization") or f.get("journaltitle") or ""
        text = f"{names}, “{title},” " + (f"*{site}*, " if site else "") + _year(f)
        return text + (f", {locator}" if locator else "") + f", {f.get('url', '')}"
    if item.kind == "report":
        number = f", {f.get('type', 'Report')} {f['number']}" if f.get("number") else ""
        text = f"{names}, *{title}*{number} ({f.get('location', '') + ': ' if f.get('location') else ''}" \
               f"{f.get('institution', '')}, {_year(f)})"
        text += f", {locator}" if locator else ""
        return text + (f", {f['url']}" if f.get("url") else "")
    text = f"{names}, *{title}* ({f.get('location', '') + ': ' if f.get('location') else ''}" \
           f"{f.get('publisher', '')}, {_year(f)})"
    return text + (f", {locator}" if locator else "")


def format_citation(group: str, bib: dict[str, BibItem], seen: set[str]) -> str:
    parts = []
    for raw in group.split(";"):
        m = ITEM.match(raw)
        if not m:
            parts.append(raw.strip())
            continue
        prefix, key, locator = m.group(1).strip(), m.group(2), (m.group(3) or "").strip()
        item = bib.get(key)
        text = format_reference(item, locator, key not in seen) if item else key
        seen.add(key)
        parts.append(f"{prefix} {text}".strip() if prefix else text)
    text = "; ".join(parts)
    return text[0].upper() + text[1:] + "." if text else text


def plain_markdown(b: Brief, corpus: Corpus, bib: dict[str, BibItem], image_src: str) -> str:
    """The brief as one hand-written Markdown page: notes and citations as numbered footnotes."""
    seen: set[str] = set()
    numbers: dict[str, int] = {}
    definitions: list[str] = []

    def in_note(m: re.Match) -> str:
        return format_citation(m.group(1), bib, seen).rstrip(".")

    def footnote(m: re.Match) -> str:
        label = m.group(1)
        if label is not None:
            if label in numbers:
                return f"[^{numbers[label]}]"
            numbers[label] = len(definitions) + 1
            text = CITATION.sub(in_note, b.notes[label])
        else:
            text = format_citation(m.group(2), bib, seen)
        definitions.append(text.replace("\n\n", "\n\n    "))  # a note's later paragraphs, indented
        return f"[^{len(definitions)}]"

    body = TOKEN.sub(footnote, b.body)
    day = dt.date.fromisoformat(b.date)
    byline = (f"**{corpus.series_labels.get(b.series, b.series)}** · By "
              f"{_join([corpus.author_names.get(a, a) for a in b.authors])} · {day:%B} {day.day}, {day.year}")
    parts = ["---", f"title: {quoted(b.title)}", f"date: {b.date}", "---", "", f"# {b.title}", "", byline, ""]
    if b.image:
        parts += [f"![{b.image['alt']}]({image_src}{b.image['file']})", ""]
        caption = " ".join(x for x in (b.image.get("caption"), f"(Source: {b.image['credit']})") if x)
        parts += [f"*{caption}*", ""]
    if b.takeaways:
        parts += ["**Key takeaways**", ""] + [f"- {t}" for t in b.takeaways] + [""]
    parts += [body.rstrip(), ""]
    parts += [f"[^{i}]: {text}" for i, text in enumerate(definitions, 1)]
    return "\n".join(parts) + "\n"


# ---- images ------------------------------------------------------------------------------------

def png(width: int, height: int, seed: int) -> bytes:
    """A real RGB PNG of the given size (a gradient with bands; written with zlib, no imaging library)."""
    row_bytes = width * 3
    period = 256 * 3
    base = bytes(((x * 7 + seed * 31) ^ (x // period * 53)) & 0xFF for x in range(row_bytes + period))
    rows = []
    for y in range(height):
        shift = (y * 3 + seed) % period
        rows.append(b"\x00" + base[shift:shift + row_bytes])
    raw = b"".join(rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 1))
            + chunk(b"IEND", b""))


def picture(width: int, height: int, seed: int, jpeg: bool) -> tuple[bytes, str]:
    """(bytes, extension): a photo-like JPEG or PNG with Pillow when it is installed, else a zlib PNG."""
    try:
        from PIL import Image
    except ImportError:
        return png(width, height, seed), "png"
    import io

    noise = Image.effect_noise((width, height), 24 + seed % 40)
    gradient = Image.linear_gradient("L").resize((width, height))
    image = Image.merge("RGB", (noise, gradient, Image.eval(gradient, lambda v: 255 - v)))
    out = io.BytesIO()
    if jpeg:
        image.save(out, "JPEG", quality=82)
        return out.getvalue(), "jpg"
    image.save(out, "PNG")
    return out.getvalue(), "png"


# ---- the projects ------------------------------------------------------------------------------

class Project(abc.ABC):
    """A project written from a corpus; each kind says where a brief's page goes and what it holds."""

    kind = ""

    def __init__(self, folder: Path, corpus: Corpus):
        self.folder = folder
        self.corpus = corpus
        self.briefs = list(corpus.briefs)  # this project's copy: edits change it
        self.bib = {item.key: item for item in corpus.bib}

    @abc.abstractmethod
    def page_file(self, b: Brief) -> Path: ...

    @abc.abstractmethod
    def render(self, b: Brief) -> str: ...

    def write_pages(self) -> None:
        for b in self.briefs:
            path = self.page_file(b)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(self.render(b), encoding="utf-8")

    def copy_images(self, target: Path) -> None:
        for folder in self.corpus.image_dirs:
            shutil.copytree(folder, target, dirs_exist_ok=True)
        for name, data in self.corpus.images.items():
            path = target.parent / name  # names are relative to briefs/, images/…
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)

    def append_word(self, index: int, word: str) -> Path:
        """Save brief `index` with `word` appended to its body (its last paragraph); returns the file."""
        b = self.briefs[index]
        b = self.briefs[index] = replace(b, body=b.body.rstrip() + f" {word}")
        path = self.page_file(b)
        path.write_text(self.render(b), encoding="utf-8")
        return path


def set_cms_false(config: Path) -> None:
    """`cms: false`: the form-based editor is not what the benchmarks measure (its 5.8 MB of Decap
    files are copied as they are), and a project copied without node_modules/ has none to copy."""
    config.write_text(re.sub(r"^(\s+cms:\s*)true\b", r"\1false", config.read_text(encoding="utf-8"), flags=re.M),
                      encoding="utf-8")


def set_pdf_false(config: Path) -> None:
    """`pdf: false` in extra.briefkit of mkdocs.yml (added when the key is not there)."""
    text = config.read_text(encoding="utf-8")
    new, count = re.subn(r"^(\s+pdf:\s*)(true|yes|on)\b", r"\1false", text, flags=re.M)
    if count == 0 and not re.search(r"^\s+pdf:\s*false\b", text, flags=re.M):
        new, count = re.subn(r"^(  briefkit:[ \t]*\n)", r"\1    pdf: false\n", text, flags=re.M)
        if count == 0:
            new = text.rstrip("\n") + "\nextra:\n  briefkit:\n    pdf: false\n" if "\nextra:" not in text else text
    config.write_text(new, encoding="utf-8")


class BriefkitProject(Project):
    kind = "briefkit"

    def write(self) -> BriefkitProject:
        folder = self.folder
        folder.mkdir(parents=True, exist_ok=True)
        for name in ("mkdocs.yml", "build.py"):
            shutil.copy(ROOT / name, folder / name)
        for name in ("templates", "briefkit", "docs"):
            if (ROOT / name).is_dir():
                shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
        set_pdf_false(folder / "mkdocs.yml")
        set_cms_false(folder / "mkdocs.yml")
        briefs = folder / "briefs"
        briefs.mkdir()
        (briefs / "authors.yml").write_text(self.corpus.authors_yml, encoding="utf-8")
        (briefs / "series.yml").write_text(self.corpus.series_yml, encoding="utf-8")
        (briefs / "topics.yml").write_text(self.corpus.topics_yml, encoding="utf-8")
        (briefs / "references.bib").write_text(bibtex(self.corpus.bib), encoding="utf-8")
        self.copy_images(briefs / "images")
        self.write_pages()
        return self

    def page_file(self, b: Brief) -> Path:
        return self.folder / "briefs" / b.file_name

    def render(self, b: Brief) -> str:
        return brief_yaml(b)


PLAIN_MKDOCS_YML = """\
site_name: Briefs (plain MkDocs)
site_url: https://briefs.example.org/
theme:
  name: material
  font: false
  language: en
nav:
  - Home: index.md
not_in_nav: |
  /20*/
plugins:
  - search
markdown_extensions:
  - footnotes
  - attr_list
  - md_in_html
  - tables
"""


class PlainProject(Project):
    """Bare MkDocs: the pages a user would type, Material with its own search, no hooks."""

    kind = "mkdocs"

    def write(self) -> PlainProject:
        docs = self.folder / "docs"
        docs.mkdir(parents=True)
        (self.folder / "mkdocs.yml").write_text(PLAIN_MKDOCS_YML, encoding="utf-8")
        (docs / "index.md").write_text(f"# Briefs\n\n{len(self.briefs):,} briefs, written by hand in Markdown.\n",
                                       encoding="utf-8")
        self.copy_images(docs / "images")
        self.write_pages()
        return self

    def page_file(self, b: Brief) -> Path:
        return self.folder / "docs" / b.date[:4] / b.date[5:7] / f"{b.slug}.md"

    def render(self, b: Brief) -> str:
        return plain_markdown(b, self.corpus, self.bib, "../../")  # docs/YYYY/MM/slug.md → docs/images/


HUGO_TOML = """\
baseURL = "https://briefs.example.org/"
title = "Briefs (plain Hugo)"
languageCode = "en"
buildFuture = true
disableKinds = ["taxonomy", "term"]
"""

HUGO_LAYOUTS = {
    "baseof.html": """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ if not .IsHome }}{{ .Title }} – {{ end }}{{ .Site.Title }}</title>
</head>
<body>
<header><a href="{{ "/" | relURL }}">{{ .Site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main>
</body>
</html>
""",
    "single.html": """{{ define "main" }}<article>
{{ .Content }}
</article>{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ .Content }}
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a></li>{{ end }}</ul>{{ end }}
""",
}


class HugoProject(Project):
    """The same plain pages built by Hugo, with a minimal layout of our own."""

    kind = "hugo"

    def write(self) -> HugoProject:
        (self.folder / "content").mkdir(parents=True)
        (self.folder / "hugo.toml").write_text(HUGO_TOML, encoding="utf-8")
        layouts = self.folder / "layouts" / "_default"
        layouts.mkdir(parents=True)
        for name, text in HUGO_LAYOUTS.items():
            (layouts / name).write_text(text, encoding="utf-8")
        (self.folder / "content" / "_index.md").write_text("---\ntitle: Briefs\n---\n", encoding="utf-8")
        self.copy_images(self.folder / "static" / "images")
        self.write_pages()
        return self

    def page_file(self, b: Brief) -> Path:
        return self.folder / "content" / b.date[:4] / b.date[5:7] / f"{b.slug}.md"

    def render(self, b: Brief) -> str:
        return plain_markdown(b, self.corpus, self.bib, "/")  # static/images/ → /images/
