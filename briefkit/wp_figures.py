"""The pictures of a WordPress post as a brief's figures: images (with their caption), galleries (one
figure per picture), embeds on the allow-list, and the featured image as the hero.

Pictures are taken only from the uploads folder the editor points to (`wp-content/uploads` of the
site, as a copy on disk): an address `…/wp-content/uploads/2024/05/test.jpg` (or WordPress.com's
`…files.wordpress.com/2024/05/test.jpg`) is the file `2024/05/test.jpg` there. Nothing is fetched.

A brief's picture needs a credit, which WordPress has no field for: it is read from the caption when
the caption gives it the way publications write it ("(Source: KCNA)", "Photo: …", "Credit: …",
"© …", "Courtesy of …"), and taken out of the caption. A picture without a credit, a file not in the
uploads folder, or an embed not on the allow-list is not a figure: it stays a marked block (its
source as it was), for an editor to finish.
"""

from __future__ import annotations

import html as htmlmod
import re
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from .embeds import embed_address
from .wp_html import replace_figures
from .wxr import WpItem

FIGURE = "BRIEFKITFIG{0}X"
FIGURE_PATTERN = re.compile(r"BRIEFKITFIG(\d+)X")
IMAGES_DIR = "images/wp"  # in briefs/: where imported pictures go, by year and month as in uploads/
_CREDIT = re.compile(
    r"\(?\s*(?:source|photo|image|credit|picture|imagery|photo credit)s?\s*(?:by)?\s*:\s*(?P<a>[^()]+?)\s*\)?\s*\.?\s*$"
    r"|\(?\s*(?:photo|image|picture)\s+by\s+(?P<b>[^()]+?)\s*\)?\s*\.?\s*$"
    r"|\(?\s*(?:image\s+)?courtesy\s+of\s+(?P<c>[^()]+?)\s*\)?\s*\.?\s*$"
    r"|\(?\s*(?P<d>©\s*[^()]+?)\s*\)?\s*\.?\s*$", re.I)
_TAG = re.compile(r"<[^>]+>")
_ATTR = re.compile(r"""(?P<name>[a-zA-Z_:-]+)\s*=\s*(?:"(?P<dq>[^"]*)"|'(?P<sq>[^']*)'|(?P<bare>[^\s>]+))""")


@dataclass(frozen=True)
class Picture:
    """A picture found in a post: the uploads file, its alt text, caption (HTML) and credit."""

    source: str  # the HTML or shortcode as it was
    upload: str | None  # path below the uploads folder, e.g. 2024/05/test.jpg
    alt: str
    caption: str  # HTML, without the credit
    credit: str | None
    embed: str | None = None  # an embed's address instead of an upload


def attrs(tag: str) -> dict[str, str]:
    return {m.group("name").lower(): htmlmod.unescape(m.group("dq") or m.group("sq") or m.group("bare") or "")
            for m in _ATTR.finditer(tag)}


def upload_path(url: str) -> str | None:
    """The file below the uploads folder that an address of the site names, or None."""
    path = unquote(urlsplit(htmlmod.unescape(url)).path)
    for marker in ("/wp-content/uploads/", "/files/"):
        if marker in path:
            rest = path.split(marker, 1)[1]
            break
    else:
        rest = path.lstrip("/") if re.match(r"^/\d{4}/\d{2}/", path) else ""
    parts = PurePosixPath(rest).parts
    if not rest or ".." in parts or not parts:
        return None
    return PurePosixPath(*parts).as_posix()


def split_credit(caption_html: str) -> tuple[str, str | None]:
    """(the caption without its credit, the credit) when the caption ends with one."""
    text = htmlmod.unescape(_TAG.sub("", caption_html)).strip()
    match = _CREDIT.search(text)
    if not match:
        return caption_html.strip(), None
    credit = next(g for g in match.groups() if g).strip().rstrip(".")  # "© 2024 Maxar" keeps its sign
    rest = text[: match.start()].strip()
    return htmlmod.escape(rest, quote=False), credit


def _picture(source: str, img: str, caption_html: str) -> Picture:
    a = attrs(img)
    caption, credit = split_credit(caption_html)
    return Picture(source, upload_path(a.get("src", "")), a.get("alt", "").strip(), caption, credit)


def find_pictures(html: str, attachments: dict[int, WpItem]) -> tuple[str, list[list[Picture]]]:
    """The HTML with a marker in place of each image, figure, caption, gallery and embed, and what each
    holds (a gallery: several pictures)."""
    found: list[list[Picture]] = []

    def mark(pictures: list[Picture]) -> str:
        found.append(pictures)
        return FIGURE.format(len(found))

    def caption_shortcode(m: re.Match) -> str:
        inner = m.group("inner")
        img = re.search(r"<img\b[^>]*>", inner, re.I)
        if not img:
            return m.group(0)
        text = re.sub(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?", "", inner, flags=re.I)
        return mark([_picture(m.group(0), img.group(0), text)])

    html = re.sub(r"\[(?:wp_)?caption\b[^\]]*\](?P<inner>.*?)\[/(?:wp_)?caption\]", caption_shortcode, html,
                  flags=re.S | re.I)

    def gallery_shortcode(m: re.Match) -> str:
        ids = [int(i) for i in re.findall(r"\d+", attrs(m.group(0)).get("ids", ""))]
        pictures = []
        for i in ids:
            item = attachments.get(i)
            if item is None:
                pictures.append(Picture(m.group(0), None, "", "", None))
                continue
            caption, credit = split_credit(item.excerpt)
            pictures.append(Picture(m.group(0), upload_path(item.attachment_url),
                                    item.meta.get("_wp_attachment_image_alt", "").strip() or item.title,
                                    caption, credit))
        return mark(pictures or [Picture(m.group(0), None, "", "", None)])

    html = re.sub(r"\[gallery\b[^\]]*\]", gallery_shortcode, html, flags=re.I)

    def embed(m: re.Match) -> str:
        url = htmlmod.unescape(_TAG.sub("", m.group("url"))).strip()
        return mark([Picture(m.group(0), None, "", "", None, embed=url)])

    html = re.sub(r"\[embed\b[^\]]*\](?P<url>.*?)\[/embed\]", embed, html, flags=re.S | re.I)
    html = re.sub(r"<figure\b[^>]*wp-block-embed[^>]*>\s*<div\b[^>]*>\s*(?P<url>https?://[^\s<]+)\s*</div>.*?</figure>",
                  embed, html, flags=re.S | re.I)
    html = re.sub(r"^\s*(?:<p>)?\s*(?P<url>https?://[^\s<]+)\s*(?:</p>)?\s*$",
                  lambda m: embed(m) if embed_address(m.group("url")) else m.group(0), html, flags=re.M)
    html = _figures(html, mark)
    html = re.sub(r"(?:<a\b[^>]*>\s*)?<img\b[^>]*>(?:\s*</a>)?",
                  lambda m: mark([_picture(m.group(0), re.search(r"<img\b[^>]*>", m.group(0), re.I).group(0), "")]),
                  html, flags=re.I)
    # numbered in the order of the text (wp-1, wp-2 …), whatever kind was found first
    order = [int(n) for n in FIGURE_PATTERN.findall(html)]
    renumber = {old: new for new, old in enumerate(order, start=1)}
    html = FIGURE_PATTERN.sub(lambda m: FIGURE.format(renumber[int(m.group(1))]), html)
    return html, [found[old - 1] for old in order]


def _figures(html: str, mark) -> str:
    """<figure> elements: an image with its <figcaption>, or a gallery of such (nested figures)."""
    def one(source: str) -> str:
        pictures = []
        inner = re.findall(r"<figure\b(?:(?!<figure\b).)*?</figure>", source[1:], re.S | re.I) or [source]
        for piece in inner:
            img = re.search(r"<img\b[^>]*>", piece, re.I)
            if img:
                caption = re.search(r"<figcaption\b[^>]*>(.*?)</figcaption>", piece, re.S | re.I)
                pictures.append(_picture(source, img.group(0), caption.group(1) if caption else ""))
        return mark(pictures) if pictures else source

    return replace_figures(html, one)


def local_name(upload: str) -> str:
    """Where an uploads file goes in briefs/: images/wp/<its path>, in lowercase letters, digits, - _ ."""
    parts = [re.sub(r"[^a-z0-9._-]+", "-", p.lower()).strip("-") or "file" for p in PurePosixPath(upload).parts]
    return f"{IMAGES_DIR}/" + "/".join(parts)


def usable(picture: Picture, uploads: Path) -> str | None:
    """Why a picture cannot be a figure (None when it can)."""
    if picture.embed is not None:
        return None if embed_address(picture.embed) else f"an embed not on the allow-list ({picture.embed})"
    if picture.upload is None:
        return "a picture that is not in the site's uploads"
    if not (uploads / picture.upload).is_file():
        return f"a picture missing from the uploads folder ({picture.upload})"
    if not picture.credit:
        return "a picture without a credit in its caption"
    if not picture.alt:
        return "a picture without alternative text"
    return None
