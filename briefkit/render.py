"""Jinja templates (editable in templates/) → pages for the site engine: front matter and HTML.

Page templates (`*.html.j2`) write HTML, escaped by Jinja; what editors write in Markdown (the body,
summaries, captions, bios) is marked for finish.py with the `markdown` filters and converted there, on
every core, with the notes in one pass over the body (finish.expand).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import html
import importlib.metadata
import json
import os
import re
import threading
import types
import urllib.parse
from dataclasses import dataclass
from email.utils import format_datetime
from pathlib import Path

import jinja2
import jinja2.bccache
from markupsafe import Markup

from .cards import Card
from .config import Config
from .diagnostics import Diagnostics
from .finish import FOOTNOTES_HERE, deferred
from .html import absolute_url, page_url, plain_text
from .i18n import Labels, language_name, load_translations
from .inlines import to_html
from .listings import Listing, topic_label
from .load import Corpus
from .metadata import head_context
from .model import Figure
from .notes import SUPPORT_MARKER
from .pictures import Picture
from .resolve import ResolvedBrief, in_text_edit
from .social import CARD_SIZE, card_path
from .typography import smarten


def support_markers(body: str) -> list[re.Match]:
    return list(SUPPORT_MARKER.finditer(body))

_MD_SPECIAL = re.compile(r"([\\`*_\[\]#!|~^])")


def md_text(value: str) -> str:
    """Plain text made safe inside Markdown: no emphasis, links or HTML from stray characters."""
    return _MD_SPECIAL.sub(lambda m: f"&#{ord(m.group(1))};", html.escape(value or "", quote=False))


def md_attr(value: str) -> str:
    return html.escape(value or "", quote=True)


def indent_md(value: str, spaces: int = 4) -> str:
    """Indent continuation lines so a multi-line Markdown value stays inside its list item or note."""
    pad = " " * spaces
    lines = (value or "").strip("\n").split("\n")
    return "\n".join([lines[0]] + [pad + line if line.strip() else "" for line in lines[1:]])


def markdown_block(value: str | None) -> Markup:
    """An editor's Markdown (paragraphs, lists) in an HTML template: converted when the page is finished."""
    return Markup(deferred("block", str(value or "").strip("\n")))


def markdown_inline(value: str | None) -> Markup:
    """An editor's one-line Markdown (a caption, a list item) in an HTML template, without its paragraph."""
    return Markup(deferred("inline", str(value or "").strip()))


def long_date(value: dt.date) -> str:
    return f"{value:%B} {value.day}, {value.year}"


def guess_lang(text: str, default: str, latin: str = "en") -> str:
    """'ko' when most letters of `text` are Hangul (a Korean disclaimer in an English brief); `latin`
    when `default` is Korean and most letters are Latin (an English disclaimer in a Korean brief)."""
    letters = [ch for ch in text or "" if ch.isalpha()]
    if not letters:
        return default
    hangul = sum(1 for ch in letters if "\uac00" <= ch <= "\ud7a3" or "\u1100" <= ch <= "\u11ff")
    if hangul / len(letters) > 0.5:
        return "ko"
    if default.split("-")[0] == "ko" and sum(1 for ch in letters if ch.isascii()) / len(letters) > 0.5:
        return latin if latin.split("-")[0] != "ko" else "en"
    return default


def reading_minutes(markdown_text: str, words_per_minute: int = 230) -> int:
    return max(1, round(len(markdown_text.split()) / words_per_minute))


class CheckedBytecodeCache(jinja2.FileSystemBytecodeCache):
    """Jinja's file cache of compiled templates, each file checked when read. Jinja trusts any file
    that starts with its header: garbage after it makes Jinja raise, or run whatever it unmarshals.
    Here each file carries the Jinja version and a digest of the rest, and one that does not match
    is compiled again and replaced. Written as Jinja does: to a temporary file, then renamed."""

    MAGIC = f"briefkit-j2\0{importlib.metadata.version('jinja2')}\0".encode()  # Jinja's header has no version
    _SIZE = 32  # blake2b digest

    def __init__(self, directory: str):
        super().__init__(directory, "__briefkit_%s.j2c")

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            with open(self._get_cache_filename(bucket), "rb") as f:
                data = f.read()
        except OSError:
            return
        head = len(self.MAGIC) + self._SIZE
        payload = data[head:]
        if data[: len(self.MAGIC)] != self.MAGIC or data[len(self.MAGIC) : head] != self._digest(payload):
            return  # the bucket stays empty: the template is compiled and dumped again
        try:
            bucket.bytecode_from_string(payload)
        except Exception:
            bucket.reset()
        if bucket.code is not None and not isinstance(bucket.code, types.CodeType):
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        payload = bucket.bytecode_to_string()
        name = self._get_cache_filename(bucket)
        tmp = f"{name}.{os.getpid()}.{threading.get_ident()}.tmp"
        try:
            with open(tmp, "wb") as f:
                f.write(self.MAGIC + self._digest(payload) + payload)
            os.replace(tmp, name)
        except OSError:  # a cache that cannot be written only makes the next build slower
            with contextlib.suppress(OSError):
                os.remove(tmp)

    @staticmethod
    def _digest(payload: bytes) -> bytes:
        return hashlib.blake2b(payload, digest_size=CheckedBytecodeCache._SIZE).digest()


def make_environment(templates: Path, cache: Path | None = None) -> jinja2.Environment:
    """The templates' environment; with `cache`, compiled templates are kept there between builds
    (Jinja checks each against its source, and CheckedBytecodeCache that the file is whole), which
    saves a tenth of a second on every build."""
    bytecode_cache = None
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        bytecode_cache = CheckedBytecodeCache(str(cache))
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=bytecode_cache,
        undefined=jinja2.StrictUndefined,
        auto_reload=False,  # one environment per build: templates do not change during one
        # HTML templates are escaped; the others (YAML, Typst, XML feeds) escape with the filters below
        autoescape=lambda name: bool(name) and name.endswith(".html.j2"),
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(md_text=md_text, attr=md_attr, indent_md=indent_md, long_date=long_date,
                       rfc822=format_datetime, markdown=markdown_block, markdown_inline=markdown_inline,
                       # JSON is never HTML-escaped: it is front matter, read by the site engine
                       tojson=lambda v: Markup(json.dumps(v, ensure_ascii=False)))
    return env


@contextlib.contextmanager
def template_errors(templates: Path, root: Path):
    """A mistake in an editable template (syntax, an unknown variable) as an editor's error at its line."""
    from .diagnostics import Diagnostics, EditorError, Span

    try:
        yield
    except jinja2.TemplateError as exc:
        where = templates.resolve()
        filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
        if filename is None:  # a runtime error: the innermost frame in a template file says where
            tb = exc.__traceback__
            while tb is not None:
                frame_file = Path(tb.tb_frame.f_code.co_filename)
                if frame_file.suffix and where in frame_file.resolve().parents:
                    filename, line = str(frame_file), tb.tb_lineno
                tb = tb.tb_next
        try:
            display = Path(filename).resolve().relative_to(root.resolve()).as_posix() if filename else \
                f"{templates.name}/"
        except ValueError:
            display = str(filename)
        diags = Diagnostics()
        diags.error(Span(display, line or 1, 1), f"template error: {exc.message or type(exc).__name__}",
                    "fix the template (templates/ are Jinja templates)")
        raise EditorError(diags) from None


@dataclass(frozen=True)
class PageLink:
    title: str
    path: str  # relative Markdown path from the page being rendered


def relative(from_page: str, to_file: str) -> str:
    """The link from page `from_page` to `to_file`, both clean paths relative to the site root
    (posixpath.relpath gives the same, at several times the cost: it is called for every link)."""
    start = from_page.split("/")[:-1]
    target = to_file.split("/")
    common = 0
    while common < len(start) and common < len(target) and start[common] == target[common]:
        common += 1
    return "/".join([".."] * (len(start) - common) + target[common:]) or "."


def page_window(current: int, count: int, radius: int = 2) -> list[int | None]:
    """Page numbers to link: first, last and a few around the current one; None marks a gap."""
    shown = sorted({1, count, *range(max(1, current - radius), min(count, current + radius) + 1)})
    out: list[int | None] = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


@dataclass(frozen=True)
class ImageView:
    """A picture as a template shows it (pictures.py), addresses relative to the page."""

    src: str  # the original, or its fallback copy when it is wider than the widest WebP copy
    alt: str
    width: int | None  # as displayed; None for an SVG without a size
    height: int | None
    srcset: str  # the WebP copies for <source type="image/webp">: "a-480w.….webp 480w, …"; "" for none


@dataclass(frozen=True)
class Entry:
    """One brief in a listing, with links relative to the listing page."""

    title: str
    link: str
    series_label: str
    series_link: str
    authors: list[tuple[str, str]]
    date: dt.date
    summary: str
    thumbnail: ImageView | None  # the hero, if it has one
    status: str  # "", "draft" or "scheduled"
    lang: str = "en"  # the brief's language (its title and summary)


@dataclass(frozen=True)
class TranslationLink:
    """Another language version of a brief, as its page links it."""

    slug: str
    lang: str  # BCP 47, as the brief gives it
    name: str  # the language's name in itself: "English", "한국어"
    title: str
    link: str  # relative to the page
    url: str  # absolute (root-relative without site_url), for hreflang


class Renderer:
    def __init__(self, config: Config, corpus: Corpus, status: dict[str, str] | None = None,
                 pictures: dict[str, Picture] | None = None):
        self.env = make_environment(config.templates_path, config.cache_path / "jinja")
        self.config = config
        self.corpus = corpus
        self.site_name = config.site_name
        self.status = status or {}  # slug → "draft" / "scheduled" when previewing unpublished briefs
        self.pictures = pictures or {}  # image file → its web copies (pictures.py); none: the file as it is
        # labels of every language (templates/i18n/); `check` reports their problems, here they are only used
        self.translations = load_translations(config.templates_path, config.templates_dir, Diagnostics())
        self.site_labels = self.translations.for_lang(config.language)

    def labels(self, lang: str) -> Labels:
        return self.translations.for_lang(lang)

    def image(self, file: str, alt: str, page: str) -> ImageView:
        picture = self.pictures.get(file)
        if picture is None:
            return ImageView(relative(page, file), alt, None, None, "")
        srcset = ", ".join(f"{relative(page, c.rel)} {c.width}w" for c in picture.sources)
        return ImageView(relative(page, picture.src), alt, picture.width, picture.height, srcset)

    def social_image(self, rb: ResolvedBrief) -> tuple[str, int, int, str]:
        """The brief's link-preview image: the crop of its hero photograph, or its drawn card."""
        hero = rb.brief.image
        picture = self.pictures.get(hero.file) if hero and hero.file else None
        if picture is not None and picture.social is not None:
            return picture.social.rel, picture.social.width, picture.social.height, hero.alt
        series = self.corpus.series.get(rb.brief.series) if rb.brief.series else None
        title = plain_text(rb.brief.title)
        shown = f"{series.label_in(rb.brief.lang)}: {title}" if series else title
        return card_path(rb), *CARD_SIZE, f"{shown} ({self.site_name})"

    def figure(self, figure: Figure, page: str, css_class: str, t: Labels) -> str:
        image = self.image(figure.file, figure.alt, page) if figure.file else None
        frames = [(frame, self.image(frame.file, frame.alt or f"{figure.alt} ({t.date(frame.date)})", page))
                  for frame in (figure.before, figure.after) if frame is not None]
        return self.env.get_template("partials/figure.html.j2").render(
            figure=figure, image=image, src=image.src if image else figure.embed_src, css_class=css_class,
            frames=frames, lazy=css_class != "brief-hero", t=t)  # the hero is at the top: the browser fetches it first

    def body(self, rb: ResolvedBrief) -> str:
        """The body as Markdown, with note references numbered and figures placed."""
        body = rb.brief.body
        t = self.labels(rb.brief.lang)
        edits = []
        for r in rb.plan.body_refs:
            if r.citation >= 0:  # an in-text citation, printed where it was written
                start, end, before, after = in_text_edit(body, r)
                edits.append((start, end, before + to_html(rb.in_text[r.citation]) + after))
            else:
                edits.append((r.start, r.end, f"[^{r.number}]"))
        edits += [(f.start, f.end, self.figure(rb.brief.figures[f.label], rb.page_path, "brief-figure", t).rstrip("\n"))
                  for f in rb.source.body_scan.figures]
        markers = support_markers(body)
        block = self.support_block(rb.page_path, t)
        edits += [(m.start(), m.end(), block) for m in markers]
        for start, end, text in sorted(edits, reverse=True):
            body = body[:start] + text + body[end:]
        series = self.corpus.series.get(rb.brief.series) if rb.brief.series else None
        if not markers and series is not None and series.support and block:
            body = body.rstrip("\n") + "\n\n" + block  # the series' briefs end with it
        return smarten(body)

    def support_block(self, page: str, t: Labels) -> str:
        """The support (donate) block as HTML, or "" when extra.briefkit.support is not set."""
        if not self.config.support:
            return ""
        support = dict(self.config.support)
        url = str(support["url"])
        if not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
            support["url"] = relative(page, url.lstrip("/"))
        return self.env.get_template("partials/support.html.j2").render(support=support, t=t).strip("\n")

    def share_links(self, rb: ResolvedBrief, t: Labels) -> list[tuple[str, str]]:
        """Plain share links (no third-party script): e-mail and the common networks' share addresses."""
        if not self.config.share or not self.config.site_url:
            return []
        url = absolute_url(self.config.site_url, rb.url)
        title = plain_text(rb.brief.title)
        q = urllib.parse.quote
        return [
            (t("share_email"), f"mailto:?subject={q(title)}&body={q(url)}"),
            ("Bluesky", f"https://bsky.app/intent/compose?text={q(title + ' ' + url)}"),
            ("X", f"https://x.com/intent/post?text={q(title)}&url={q(url)}"),
            ("LinkedIn", f"https://www.linkedin.com/sharing/share-offsite/?url={q(url)}"),
            ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={q(url)}"),
        ]

    def body_with_notes(self, rb: ResolvedBrief) -> Markup:
        """The body and its notes, converted together when the page is finished (their numbers and
        links come from one Markdown pass); the notes go where the template puts FOOTNOTES_HERE."""
        notes = "".join(f"\n[^{n.number}]: {indent_md(n.markdown.strip(), 4)}\n" for n in rb.notes)
        return Markup(deferred("body", self.body(rb).strip("\n") + "\n" + notes))

    def translation_links(self, rb: ResolvedBrief, others: tuple[Card, ...]) -> list[TranslationLink]:
        site = self.config.site_url
        return [TranslationLink(c.slug, c.brief.lang, language_name(c.brief.lang), c.brief.title,
                                relative(rb.page_path, c.page_path), page_url(site, c.page_path)) for c in others]

    def brief_page(self, rb: ResolvedBrief, related_briefs: list[Card], translations: tuple[Card, ...] = ()) -> str:
        brief = rb.brief
        t = self.labels(brief.lang)
        versions = self.translation_links(rb, translations)
        series = self.corpus.series.get(brief.series) if brief.series else None
        disclaimer = self.disclaimer(rb)
        page = rb.page_path
        authors = [(self.corpus.authors[k], relative(page, f"authors/{k}.md")) for k in brief.authors]
        related = [PageLink(r.brief.title, relative(page, r.page_path)) for r in related_briefs]
        topics = [(topic_label(self.corpus, k, brief.lang), relative(page, f"topics/{k}.md")) for k in brief.topics]
        own_files = f"{rb.slug}/{rb.slug}"  # the brief's folder, next to its page
        head = self.env.get_template("head.html.j2").render(
            **head_context(self.corpus, rb, self.site_name, self.config.site_url, self.config.pdf,
                           self.social_image(rb), versions,
                           [c for c in translations if c.brief.translation == rb.slug]))
        return self.env.get_template("brief.html.j2").render(
            t=t, translations=versions, brief=brief, slug=rb.slug, status=self.status.get(rb.slug, ""),
            site_timezone=self.config.timezone,
            description=plain_text(brief.summary or ""), head=head.strip(),
            series=series, series_link=relative(page, f"series/{brief.series}.md") if series else "",
            authors=authors, author_photos=[relative(page, a.photo) if a.photo else "" for a, _ in authors],
            topics=topics, reading_minutes=reading_minutes(brief.body),
            pdf_link=f"{own_files}.pdf" if self.config.pdf else None,
            hero=Markup(self.figure(brief.image, page, "brief-hero", t).rstrip("\n")) if brief.image else "",
            body=self.body_with_notes(rb), notes=rb.notes, footnotes=Markup(FOOTNOTES_HERE), related=related,
            references=[Markup(to_html(entry)) for entry in rb.references],
            disclaimer=disclaimer, disclaimer_lang=self.disclaimer_lang(rb, disclaimer),
            citation=Markup(rb.citation), bib_link=f"{own_files}.bib", ris_link=f"{own_files}.ris",
            cta=self.cta(page), site_name=self.site_name, share=self.share_links(rb, t),
            newsletter=bool(self.config.newsletter))

    def feed_content(self, rb: ResolvedBrief) -> str:
        brief = rb.brief
        disclaimer = self.disclaimer(rb)
        t = self.labels(brief.lang)
        hero = self.figure(brief.image, rb.page_path, "brief-hero", t).rstrip("\n") if brief.image else ""
        return self.env.get_template("feeds/entry.html.j2").render(
            t=t, brief=brief, hero=Markup(hero),
            body=self.body_with_notes(rb), notes=rb.notes, footnotes=Markup(FOOTNOTES_HERE), disclaimer=disclaimer,
            references=[Markup(to_html(entry)) for entry in rb.references],
            disclaimer_lang=self.disclaimer_lang(rb, disclaimer))

    def disclaimer_lang(self, rb: ResolvedBrief, disclaimer: str | None) -> str:
        """The language of the disclaimer: the brief's, or the site's for a series' default, unless its
        letters say otherwise."""
        own = rb.brief.disclaimer is not None
        return guess_lang(disclaimer or "", rb.brief.lang if own else self.config.language, self.config.language)

    def disclaimer(self, rb: ResolvedBrief) -> str | None:
        brief = rb.brief
        series = self.corpus.series.get(brief.series) if brief.series else None
        return brief.disclaimer if brief.disclaimer is not None else (series.disclaimer if series else None)

    def entry(self, rb: Card, page: str) -> Entry:
        brief = rb.brief
        series = self.corpus.series.get(brief.series) if brief.series else None
        thumb = self.image(brief.image.file, brief.image.alt, page) if brief.image and brief.image.file else None
        return Entry(
            title=brief.title, link=relative(page, rb.page_path),
            series_label=series.label_in(self.site_labels.lang) if series else "",
            series_link=relative(page, f"series/{brief.series}.md") if series else "",
            authors=[(self.corpus.authors[k].name, relative(page, f"authors/{k}.md")) for k in brief.authors],
            date=brief.date, summary=brief.summary or "", thumbnail=thumb, status=self.status.get(rb.slug, ""),
            lang=brief.lang)

    def pagination(self, listing: Listing, number: int, count: int) -> dict:
        page = listing.page_path(number)
        link = lambda n: relative(page, listing.page_path(n))  # noqa: E731
        return {"number": number, "count": count,
                "previous": link(number - 1) if number > 1 else None,
                "next": link(number + 1) if number < count else None,
                "pages": [(n, link(n) if n else None) for n in page_window(number, count)] if count > 1 else []}

    def listing_page(self, listing: Listing, number: int, cards, count: int) -> str:
        """Page `number` of `count` of a listing; for the home listing, page 1 is the fragment for docs/index.md."""
        path = listing.page_path(number)
        context = {
            "listing": listing, "fragment": listing.kind == "home" and number == 1,
            "entries": [self.entry(card, path) for card in cards],
            "pagination": self.pagination(listing, number, count),
            "feed": relative(path, listing.feed) if listing.feed else None,
            "photo": None,
            "head": self.listing_head(listing),
            "t": self.site_labels,
        }
        author = listing.extra.get("author")
        if author is not None and author.photo:
            context["photo"] = relative(path, author.photo)
        return self.env.get_template("listing.html.j2").render(**context)

    def cta(self, page: str) -> dict | None:
        """The configured call to action; a URL without a scheme is a path on this site."""
        if not self.config.cta:
            return None
        cta = dict(self.config.cta)
        url = str(cta.get("url", ""))
        if not re.match(r"^[a-z][a-z0-9+.-]*:", url, re.I):
            cta["url"] = relative(page, url.lstrip("/"))
        return cta

    def listing_head(self, listing: Listing) -> str:
        """<link rel="alternate"> to the site's feed and to the listing's own."""
        site = self.config.site_url
        feeds = [(self.site_name, absolute_url(site, "feed.xml"))]
        if listing.feed and listing.kind != "home":
            feeds.append((f"{listing.title} — {self.site_name}", absolute_url(site, listing.feed)))
        return "\n".join(f'<link rel="alternate" type="application/atom+xml" title="{html.escape(title)}" '
                         f'href="{html.escape(href)}">' for title, href in feeds)

    def index_page(self, path: str, title: str, intro: str, items: list[tuple[str, str, str | None, int]]) -> str:
        """A page listing series, topics, authors or archive months: (label, target page, description, count)."""
        rows = [(label, relative(path, target), description, count) for label, target, description, count in items]
        return self.env.get_template("index.html.j2").render(title=title, intro=intro, items=rows, t=self.site_labels)

    def _series_label(self, rb: ResolvedBrief) -> str:
        series = self.corpus.series.get(rb.brief.series) if rb.brief.series else None
        return series.label_in(rb.brief.lang) if series else ""
