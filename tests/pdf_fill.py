"""How well the pages of a PDF are filled: the largest blank vertical stretch of each page's text area.

The metric, per page:

- The page is rendered by poppler's `pdftoppm` at `DPI` (50) dots per inch, in grayscale. The page
  size is read from the rendered image (letter and A4 both occur), so nothing here assumes a paper.
- The text area is the page minus the top and bottom margins of `templates/pdf/brief.typ` (2.4 cm
  each): the running head and the page number sit in those margins and never count. The side
  margins are not cut off (anything printed there is ink too), so a row is the whole width.
- A row of pixels is *ink* when one of its pixels is darker than `INK` (250 of 255), otherwise
  *blank*. The paper is pure white (255) and anything the layout prints is darker: text (black, and
  the muted #555 of captions and notes, whose smallest sizes still reach below 200 at 50 dpi), rules,
  the tinted takeaways box (#eef1fb, about 240) and pictures: a photograph or a placeholder drawing
  has, in every row, some pixel well below 250 (the sample's pale synthetic satellite picture peaks
  at 231). Only a picture with rows of pure white (a chart on a white ground) would show blank rows.
- The result is the longest run of consecutive blank rows inside the text area, as a fraction of the
  text area's height. The runs at the top and at the bottom of the text area count like any other:
  the white left at the foot of a page whose next block did not fit is exactly what this measures
  (on a page with notes, it is the white between the text and the notes, which sit at the foot).

The gaps between lines (a few pixels), paragraphs and around headings are small fractions (a few
per cent of a letter page's 456-pixel text area); a page that had to leave a third empty because
the next figure did not fit scores about 0.33.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

PDFTOPPM = "pdftoppm"
DPI = 50
INK = 250  # a pixel darker than this (0 black … 255 white) is ink
MARGIN_TOP_CM = 2.4  # templates/pdf/brief.typ: margin: (x: 2.3cm, top: 2.4cm, bottom: 2.4cm)
MARGIN_BOTTOM_CM = 2.4
# A row belongs to a picture when ink covers this share of it between its first and last inked pixel,
# over at least PICTURE_WIDTH of the page: a photograph or a drawing covers nearly all of it, a line of
# text at 50 dpi about half (letters and the spaces between them), a rule is a single row.
PICTURE_DENSITY = 0.9
PICTURE_WIDTH = 0.2
PICTURE_HEIGHT = 0.02  # of the text area: shorter dense runs (rules, underlines) are not pictures
PICTURE_AT_TOP = 0.03  # a picture this near the top of the text area is the first thing on its page


@dataclass(frozen=True)
class PageFill:
    """One page: its number (from 1), the largest blank stretch as a fraction of the text area's
    height, and where that stretch starts and ends (fractions of the text area, from its top); and
    the pictures on it, as (top, bottom) in the same fractions, top-most first."""

    page: int
    blank: float
    start: float
    end: float
    pictures: tuple[tuple[float, float], ...] = ()

    def starts_with_picture(self, taller_than: float) -> bool:
        """Whether the page's first printed thing is a picture taller than `taller_than` (a fraction
        of the text area): what could not have been moved into a gap of that height."""
        return bool(self.pictures) and self.pictures[0][0] < PICTURE_AT_TOP and \
            self.pictures[0][1] - self.pictures[0][0] > taller_than

    def __str__(self) -> str:
        return f"page {self.page}: {self.blank:.0%} blank ({self.start:.0%}–{self.end:.0%} of the text area)"


def _rendered_pages(pdf: Path, folder: Path, dpi: int) -> list[Path]:
    """Every page of `pdf` as a grayscale PGM in `folder`, in page order."""
    result = subprocess.run([PDFTOPPM, "-q", "-r", str(dpi), "-gray", str(pdf), str(folder / "p")],
                            capture_output=True, text=True, timeout=120)
    pages = sorted(folder.glob("p-*.pgm"), key=lambda p: int(re.search(r"-(\d+)\.pgm$", p.name).group(1)))
    if result.returncode != 0 or not pages:
        raise RuntimeError(f"pdftoppm could not render {pdf} (exit {result.returncode}): {result.stderr.strip()}")
    return pages


def _page_fill(image: Image.Image, number: int, dpi: int, top_cm: float, bottom_cm: float, ink: int) -> PageFill:
    width, height = image.size
    top = round(top_cm / 2.54 * dpi)
    bottom = height - round(bottom_cm / 2.54 * dpi)
    if bottom - top < 10:
        raise ValueError(f"page {number}: {width}×{height} pixels leave no text area between the margins")
    # ink → 255, paper → 0; getprojection() says, per row, whether any pixel is non-zero
    marks = image.crop((0, top, width, bottom)).point([255 if v < ink else 0 for v in range(256)])
    rows = marks.getprojection()[1]
    best, best_start, run = 0, 0, 0
    for y, inked in enumerate(rows):
        run = 0 if inked else run + 1
        if run > best:
            best, best_start = run, y - run + 1
    span = bottom - top
    return PageFill(number, best / span, best_start / span, (best_start + best) / span,
                    _picture_runs(marks, span))


def _picture_runs(marks: Image.Image, span: int) -> tuple[tuple[float, float], ...]:
    """The runs of picture rows (see PICTURE_DENSITY) of an ink mask, as fractions of `span`."""
    width = marks.width
    data = marks.tobytes()
    runs, start = [], None
    for y in range(marks.height + 1):
        dense = False
        if y < marks.height:
            row = data[y * width:(y + 1) * width]
            first, last = row.find(b"\xff"), row.rfind(b"\xff")
            extent = last - first + 1 if first >= 0 else 0
            dense = extent >= PICTURE_WIDTH * width and row.count(b"\xff") >= PICTURE_DENSITY * extent
        if dense and start is None:
            start = y
        elif not dense and start is not None:
            if (y - start) / span >= PICTURE_HEIGHT:
                runs.append((start / span, y / span))
            start = None
    return tuple(runs)


def page_fills(pdf: Path | str, *, dpi: int = DPI, top_cm: float = MARGIN_TOP_CM,
               bottom_cm: float = MARGIN_BOTTOM_CM, ink: int = INK) -> list[PageFill]:
    """The `PageFill` of every page of `pdf`, first page first."""
    pdf = Path(pdf)
    if not pdf.is_file():
        raise FileNotFoundError(pdf)
    with tempfile.TemporaryDirectory(prefix="pdf-fill-") as folder:
        fills = []
        for number, path in enumerate(_rendered_pages(pdf, Path(folder), dpi), start=1):
            with Image.open(path) as image:
                fills.append(_page_fill(image.convert("L"), number, dpi, top_cm, bottom_cm, ink))
    expected = _page_count(pdf)
    if expected is not None and expected != len(fills):
        raise RuntimeError(f"{pdf}: pdftoppm rendered {len(fills)} pages of {expected}")
    return fills


def blank_fractions(pdf: Path | str, **options) -> list[float]:
    """Per page of `pdf`, the largest blank vertical stretch of the text area as a fraction of its height."""
    return [fill.blank for fill in page_fills(pdf, **options)]


def page_fills_of(pdfs, **options) -> dict[Path, list[PageFill]]:
    """`page_fills` of many PDFs, rendered side by side (pdftoppm runs in its own process)."""
    pdfs = [Path(p) for p in pdfs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        return dict(zip(pdfs, pool.map(lambda p: page_fills(p, **options), pdfs), strict=True))


def render_png(pdf: Path | str, page: int, dest: Path | str, dpi: int = DPI) -> Path:
    """Page `page` (from 1) of `pdf` as a grayscale PNG at `dest` (to look at a page that fails)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([PDFTOPPM, "-q", "-r", str(dpi), "-gray", "-png", "-f", str(page), "-l", str(page),
                    "-singlefile", str(pdf), str(dest.with_suffix(""))], check=True, capture_output=True, timeout=120)
    return dest.with_suffix(".png")


def _page_count(pdf: Path) -> int | None:
    try:
        from pypdf import PdfReader
    except ImportError:  # pypdf is a test dependency; without it, trust pdftoppm
        return None
    return len(PdfReader(pdf).pages)
