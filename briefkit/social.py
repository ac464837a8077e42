"""Link-preview images (og:image) for briefs without a photograph to show.

A brief whose hero is a photograph gets a 1200 × 630 crop of it (pictures.py). Every other brief (no
hero, or an SVG hero, which Facebook and X do not show) gets a card drawn by Typst from
templates/social/card.typ with the fonts in templates/fonts/: its series, title, site name and date.
Cards are PNG files, cached by what they are made from, so only new or changed briefs are drawn; many
are drawn per Typst run (a page each), in threads (Typst lets go of the GIL), while the pages are
made. A card costs about 10 ms (most of it Typst's PNG encoding; an SVG hero drawn behind the words
doubled that, so cards carry none).
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from .config import Config
from .i18n import Labels

CARD_SIZE = (1200, 630)
TEMPLATE = "social/card.typ"
_BATCH = 40  # cards per Typst run: one run costs ~25 ms, one card ~8 ms


@dataclass(frozen=True)
class Card:
    """What a card shows, and where it goes in the site."""

    rel: str  # path in the site: beside the brief's page, named after it
    title: str
    series: str | None
    site_name: str
    date: str
    authors: tuple[str, ...]
    lang: str

    def data(self) -> dict:
        return {"title": self.title, "series": self.series, "site_name": self.site_name, "date": self.date,
                "authors": list(self.authors), "lang": self.lang}


def cards_for(config: Config, corpus, visible, pictures: dict, labels: Callable[[str], Labels]) -> list[Card]:
    """A card for every brief in `visible` whose hero gives no link-preview crop (pictures.py); `labels`
    gives a language's labels and dates (Renderer.labels)."""
    out = []
    for c in visible:
        b = c.brief
        hero = b.image.file if b.image else None
        picture = pictures.get(hero) if hero else None
        if picture is not None and picture.social is not None:
            continue
        series = corpus.series.get(b.series) if b.series else None
        authors = tuple(corpus.authors[a].name for a in b.authors if a in corpus.authors)
        out.append(Card(card_path(c), b.title, series.label_in(b.lang) if series else None, config.site_name,
                        labels(b.lang).date(b.date), authors, b.lang.split("-")[0]))
    return out


def card_path(card) -> str:
    """Where a brief's drawn card is in the site: social/<YYYY>/<MM>/<slug>.png, out of the briefs'
    folders (a preview's build looks at nothing in those while its pages are current)."""
    return f"social/{card.url.rstrip('/')}.png"


class SocialCards:
    """The cards of one build: their cache files, drawn in the background (start) until wait()."""

    def __init__(self, config: Config, cards: Iterable[Card]):
        self.config = config
        self.folder = config.cache_path / "social"
        template = config.templates_path / TEMPLATE
        self.template = template.read_bytes() if template.is_file() else b""
        fonts = sorted((p.name, p.stat().st_size) for p in (config.templates_path / "fonts").glob("*.[ot]tf"))
        import typst

        self.context = hashlib.sha256(repr((self.template, fonts, typst.__version__, CARD_SIZE)).encode()).hexdigest()
        self.cards = {c.rel: c for c in cards}
        self._files: dict[str, Path] = {}
        self._futures: list[Future] = []

    def file_of(self, card: Card) -> Path:
        if card.rel not in self._files:
            key = hashlib.sha256(json.dumps([self.context, card.data()]).encode()).hexdigest()
            self._files[card.rel] = self.folder / f"{key}.png"
        return self._files[card.rel]

    def site_files(self) -> dict[str, Path]:
        """Path in the site → cached card, for every card of the build (drawn or still to be)."""
        return {rel: self.file_of(card) for rel, card in self.cards.items()}

    def start(self) -> None:
        """Draw the cards not in the cache, in the background."""
        missing = sorted({self.file_of(c): c for c in self.cards.values() if not self.file_of(c).is_file()}.items())
        if not missing or not self.template:
            return
        self.folder.mkdir(parents=True, exist_ok=True)
        batches = [missing[i:i + _BATCH] for i in range(0, len(missing), _BATCH)]
        pool = ThreadPoolExecutor(max(1, min(os.cpu_count() or 1, len(batches))))
        self._futures = [pool.submit(self._draw, batch) for batch in batches]
        pool.shutdown(wait=False)

    def wait(self) -> None:
        """Until every card is drawn; a Typst error (an edited template) is raised as SocialCardError."""
        futures, self._futures = self._futures, []
        for future in futures:
            future.result()

    def _draw(self, batch: list[tuple[Path, Card]]) -> None:
        import typst

        def compile_cards(cards: list[Card]) -> list[bytes]:
            inputs = {"cards": json.dumps([card.data() for card in cards], ensure_ascii=False)}
            out = typst.compile(self.template, root=str(self.config.root), format="png", ppi=72,
                                font_paths=[str(self.config.templates_path / "fonts")], ignore_system_fonts=True,
                                sys_inputs=inputs)
            return [out] if isinstance(out, bytes) else out

        try:
            pages = compile_cards([card for _, card in batch])
        except typst.TypstError as exc:
            raise SocialCardError(" ".join(str(getattr(exc, "message", exc)).split())) from None
        for (target, _), png in zip(batch, pages, strict=True):
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            tmp.write_bytes(png)
            os.replace(tmp, target)


SAMPLE_CARD = Card("", "A title long enough to wrap onto a second line of the card", "Series", "Site",
                   "January 1, 2026", ("An Author",), "en")


def check_template(config: Config) -> str | None:
    """Typst's message when templates/social/card.typ does not compile with a sample card, else None
    (`check` says so before a build would; an accepted template is remembered by its bytes)."""
    import typst

    path = config.templates_path / TEMPLATE
    if not path.is_file():
        return None  # no template, no cards (the build draws none)
    data = path.read_bytes()
    accepted = config.cache_path / "social" / f"{hashlib.sha256(data).hexdigest()}.accepted"
    if accepted.exists():
        return None
    try:
        typst.compile(data, root=str(config.root), format="svg", font_paths=[str(config.templates_path / "fonts")],
                      ignore_system_fonts=True, sys_inputs={"cards": json.dumps([SAMPLE_CARD.data()])})
    except typst.TypstError as exc:
        return " ".join(str(getattr(exc, "message", exc)).split())
    accepted.parent.mkdir(parents=True, exist_ok=True)
    accepted.write_bytes(b"")
    return None


class SocialCardError(Exception):
    """The card template (templates/social/card.typ) does not compile: Typst's message."""
