"""What a screen reader or an archive reads in a PDF: its tag tree, outline, metadata and the language
of every piece of text. Read with pikepdf (qpdf) and pypdf, never with the code that wrote the PDF."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pypdf import PdfReader


@dataclass
class Tag:
    """One structure element: its type (H1, P, Figure…), attributes, and its kids in reading order:
    child elements and the marked content it owns, as (page index, MCID)."""

    role: str
    attributes: dict[str, str]
    lang: str  # its own /Lang, or the nearest ancestor's, or the document's
    kids: list[Tag | tuple[int, int]] = field(default_factory=list)

    @property
    def children(self) -> list[Tag]:
        return [k for k in self.kids if isinstance(k, Tag)]

    @property
    def content(self) -> list[tuple[int, int]]:
        return [k for k in self.kids if not isinstance(k, Tag)]

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()

    def all_content(self) -> list[tuple[int, int]]:
        """Its marked content and its descendants', in reading order."""
        return [c for k in self.kids for c in (k.all_content() if isinstance(k, Tag) else [k])]


@dataclass
class TaggedPdf:
    catalog: dict
    info: dict[str, str]
    xmp: str
    root: Tag
    outline: list[tuple[str, list]]  # (title, children) for every bookmark
    mcid_text: dict[tuple[int, int], tuple[str | None, str]]  # (page, MCID) -> (its own /Lang, text)

    def tags(self, role: str) -> list[Tag]:
        return [t for t in self.root.walk() if t.role == role]

    def text_of(self, tag: Tag) -> str:
        return "".join(self.mcid_text.get(c, (None, ""))[1] for c in tag.all_content())

    def text_by_language(self) -> dict[str, str]:
        """Every piece of tagged text under the language a reader's software gives it: the marked
        content's own /Lang, else its structure element's (inherited), else the document's."""
        out: dict[str, str] = {}
        for tag in self.root.walk():
            for key in tag.content:  # (in the order of the elements: enough to compare texts)
                own, text = self.mcid_text.get(key, (None, ""))
                lang = (own or tag.lang).split("-")[0]
                out[lang] = out.get(lang, "") + text
        return out

    def xmp_value(self, name: str) -> str | None:
        """A simple XMP property (`pdfuaid:part`), written as an element or as an attribute."""
        match = re.search(rf"<{name}>([^<]*)</{name}>|{name}=\"([^\"]*)\"", self.xmp)
        return (match.group(1) or match.group(2)) if match else None


def read_tagged(path: Path) -> TaggedPdf:
    pdf = pikepdf.open(path)
    pages = {page.obj.objgen: i for i, page in enumerate(pdf.pages)}
    catalog = pdf.Root
    doc_lang = str(catalog.get("/Lang", ""))

    def build(node, lang: str, page: int | None) -> Tag:
        lang = str(node.get("/Lang", lang))
        if "/Pg" in node:
            page = pages.get(node.Pg.objgen, page)
        attributes = {key: str(node[key]) for key in ("/Alt", "/ActualText", "/T", "/Lang") if key in node}
        tag = Tag(str(node.get("/S", "")).lstrip("/"), attributes, lang)
        kids = node.get("/K")
        items = list(kids) if isinstance(kids, pikepdf.Array) else ([] if kids is None else [kids])
        for kid in items:
            if isinstance(kid, int):
                tag.kids.append((page, int(kid)))
            elif isinstance(kid, pikepdf.Dictionary):
                if "/S" in kid:
                    tag.kids.append(build(kid, lang, page))
                elif kid.get("/Type") == "/MCR":
                    kid_page = pages.get(kid.Pg.objgen, page) if "/Pg" in kid else page
                    tag.kids.append((kid_page, int(kid.MCID)))
        return tag

    tree = catalog.get("/StructTreeRoot")
    root = build(tree, doc_lang, None) if tree is not None else Tag("", {}, doc_lang)

    def bookmarks(items) -> list:
        return [(item.title, bookmarks(item.children)) for item in items]

    with pdf.open_outline() as outline:
        marks = bookmarks(outline.root)
    xmp = catalog.Metadata.read_bytes().decode("utf-8") if "/Metadata" in catalog else ""
    catalog_view = {
        "Lang": doc_lang,
        "Marked": bool(catalog.get("/MarkInfo", {}).get("/Marked", False)),
        "StructTreeRoot": tree is not None,
        "DisplayDocTitle": bool(catalog.get("/ViewerPreferences", {}).get("/DisplayDocTitle", False)),
    }
    info = {str(k).lstrip("/"): str(v) for k, v in pdf.docinfo.items()}
    return TaggedPdf(catalog_view, info, xmp, root, marks, _marked_text(path))


def _marked_text(path: Path) -> dict[tuple[int, int], tuple[str | None, str]]:
    """The text of every marked-content sequence with an MCID, with the /Lang it carries itself."""
    out: dict[tuple[int, int], tuple[str | None, str]] = {}
    for index, page in enumerate(PdfReader(path).pages):
        _PageText(index, out).read(page)
    return out


class _PageText:
    """Follows BDC/EMC while pypdf extracts a page's text, and files each piece under the MCID and
    the /Lang of the marked content it is in."""

    def __init__(self, index: int, out: dict):
        self.index, self.out = index, out
        self.stack: list[tuple[int | None, str | None]] = []

    def read(self, page) -> None:
        page.extract_text(visitor_operand_before=self.operator, visitor_text=self.text)

    def operator(self, op, args, cm, tm) -> None:
        if op == b"BDC":
            props = args[1] if len(args) > 1 and hasattr(args[1], "get") else {}
            mcid, lang = props.get("/MCID"), props.get("/Lang")
            self.stack.append((int(mcid) if mcid is not None else None, _text(lang) if lang is not None else None))
        elif op == b"BMC":
            self.stack.append((None, None))
        elif op == b"EMC" and self.stack:
            self.stack.pop()

    def text(self, chunk, cm, tm, font, size) -> None:
        mcid = next((m for m, _ in reversed(self.stack) if m is not None), None)
        if mcid is None:
            return  # an artifact (running head, page number) or untagged
        own = next((lang for _, lang in reversed(self.stack) if lang), None)
        known_lang, known_text = self.out.get((self.index, mcid), (own, ""))
        self.out[(self.index, mcid)] = (known_lang or own, known_text + chunk)


def _text(value) -> str:
    """A PDF text string as written (pypdf may read a short byte string as UTF-16)."""
    raw = getattr(value, "original_bytes", None)
    if raw is None:
        return str(value)
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be")
    return raw.decode("latin-1")


def has_hangul(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff" or "\u3130" <= ch <= "\u318f"
               for ch in text)
