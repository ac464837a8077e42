"""PDF layout: no page but the last leaves a large part of its text area empty (issue 18).

A figure that does not fit the rest of a page must not push the page's white to the foot: the text
goes on around it (a floating figure, a height cap), so every page but the last is filled. The measure
(`tests/pdf_fill.py`) is the largest blank vertical stretch of a page's text area, as a fraction of
its height, from the page rendered at 50 dpi.
"""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import pytest
import typst
import yaml
from pdf_fill import PageFill, page_fills, page_fills_of, render_png
from PIL import Image, ImageDraw
from pypdf import PdfReader

from conftest import REPO, make_project

# The largest blank stretch a page other than the last may have, as a fraction of its text area
# (656 pt high on letter, 706 pt on A4). A filled page measures a few per cent: the space between
# paragraphs (0.95em, under 2 %) or above a heading (1.4em). The layout's own rules can leave more,
# a few lines of about 14 pt (2 % each): a heading kept with the first lines of its paragraph, widow
# and orphan control carrying two lines over, a note moved on with the line that cites it. Pages with
# text on them measured at most about a tenth with figures that float (the Korean sample on A4:
# 10 %, its heading kept with its paragraph and a note). The bug of issue 18 leaves up to the height
# of the full-width figure that did not fit: 37 % of a letter text area for a 2:1 picture, 55 % for
# 4:3, a whole page for a portrait one. 0.20 lies between, with room on either side.
MAX_BLANK = 0.20

SAMPLE_BRIEFS = sorted(p.name for p in (REPO / "briefs").glob("20*.yml"))


def pdf_path(root: Path, brief_file: str) -> Path:
    """The published PDF of briefs/<brief_file> (YYYY-MM-DD-<slug>.yml): site/YYYY/MM/<slug>/<slug>.pdf."""
    match = re.fullmatch(r"(\d{4})-(\d{2})-\d{2}-(.+)\.ya?ml", brief_file)
    year, month, slug = match.groups()
    return root / "site" / year / month / slug / f"{slug}.pdf"


def underfilled(fills: list[PageFill], text_ends: int) -> list[PageFill]:
    """The pages but the last whose largest blank stretch is over MAX_BLANK although what comes next
    would have fit in it. Text always fits (a paragraph breaks across pages): a page before the one
    where the body's text ends (`text_ends`) must be filled. On that page, the blank may stay when
    only figures are left and the next one is taller than the blank (they are capped at 40 % of the
    text area already; a smaller picture would be too small to read)."""
    return [fill for fill, following in zip(fills, fills[1:], strict=False)
            if fill.blank > MAX_BLANK and not (fill.page == text_ends and
                                               following.starts_with_picture(taller_than=fill.blank))]


def letters(text: str) -> str:
    return re.sub(r"[\W\d_]+", "", text).lower()


def text_end_page(pdf: Path, body: str) -> int:
    """The page on which the body's last paragraph of text ends (figures, notes and the disclaimer may
    follow): the last page whose text has its last words."""
    paragraphs = [p for p in re.split(r"\n\s*\n", body) if p.strip() and not re.fullmatch(r"\s*\[[^\]]+\]\s*", p)]
    last = re.sub(r"\[\^[^\]]+\]|\[@[^\]]+\]", "", paragraphs[-1])
    tail = letters(" ".join(last.split()[-4:]))
    pages = [letters(page.extract_text()) for page in PdfReader(pdf).pages]
    found = [number for number, text in enumerate(pages, start=1) if tail in text]
    assert found, f"{pdf.name}: the last words of the body ({tail!r}) are on no page"
    return found[-1]


def report(brief_file: str, fills: list[PageFill], pdf: Path, pictures: Path | None, body: str) -> list[str]:
    """One line per underfilled page: the brief, the page and its blank fraction (with its picture)."""
    lines = []
    for fill in underfilled(fills, text_end_page(pdf, body)):
        line = f"briefs/{brief_file}: page {fill.page} of {len(fills)}: {fill.blank:.1%} of the text area blank " \
               f"(from {fill.start:.0%} to {fill.end:.0%} of its height; at most {MAX_BLANK:.0%} allowed)"
        if pictures is not None:
            line += f", see {render_png(pdf, fill.page, pictures / f'{pdf.stem}-p{fill.page}.png')}"
        lines.append(line)
    return lines


# ---- the measure itself, on pages whose layout is known ----


@pytest.mark.parametrize("paper", ["us-letter", "a4"])
def test_the_measure_counts_the_text_area_only_and_light_pictures_as_ink(tmp_path, paper):
    light = generated_image(random.Random(1), 4 / 3, tone=(226, 236))  # paler than any the corpus draws
    light.save(tmp_path / "light.jpg", quality=80)
    # the running head and page number are in the margins; page 1: a pale picture over 30 % of the text
    # area, then nothing; page 2: a tinted box over 40 %, 25 % of white, a paragraph; page 3: full
    (tmp_path / "doc.typ").write_text(f"""
#set page(paper: "{paper}", margin: (x: 2.3cm, top: 2.4cm, bottom: 2.4cm),
          header: [Running head #h(1fr) Site], footer: align(center)[Page 2 of 3])
#set text(font: "Noto Serif", size: 10.5pt)
#image("light.jpg", width: 100%, height: 30%, fit: "stretch")
#pagebreak()
#block(width: 100%, height: 40%, fill: rgb("#eef1fb"), spacing: 0pt)
#v(25%)
{"Words of a paragraph. " * 40}
#pagebreak()
{"Words of a paragraph. " * 500}
""", encoding="utf-8")
    typst.compile(str(tmp_path / "doc.typ"), output=str(tmp_path / "doc.pdf"), root=str(tmp_path),
                  font_paths=[str(REPO / "templates/fonts")], ignore_system_fonts=True)
    fills = page_fills(tmp_path / "doc.pdf")
    assert fills[0].blank == pytest.approx(0.70, abs=0.015) and fills[0].start == pytest.approx(0.30, abs=0.015)
    assert fills[1].blank == pytest.approx(0.25, abs=0.02) and fills[1].start == pytest.approx(0.40, abs=0.015)
    assert fills[2].blank < 0.02
    # the picture and the tinted box are found as pictures, the page of text has none
    assert [[(round(a, 2), round(b, 2)) for a, b in fill.pictures] for fill in fills[:2]] == \
        [[(0.0, 0.30)], [(0.0, 0.40)]]
    assert all(fill.pictures == () for fill in fills[2:])
    assert fills[1].starts_with_picture(taller_than=0.35) and not fills[1].starts_with_picture(taller_than=0.45)
    assert not fills[2].starts_with_picture(taller_than=0.0)


# ---- the sample site ----


@pytest.fixture(scope="module", params=["letter", "a4"])
def sample(request, tmp_path_factory, shared_cache):
    """The sample briefs' PDFs on either paper (a page fills differently on each), and their fills."""
    project = make_project(tmp_path_factory.mktemp(f"layout-sample-{request.param}"), shared_cache, with_samples=True)
    config = project.root / "mkdocs.yml"
    text = config.read_text(encoding="utf-8")
    assert "    paper: letter " in text
    config.write_text(text.replace("    paper: letter ", f"    paper: {request.param} "), encoding="utf-8")
    result = project.run("pdf")
    assert result.returncode == 0, result.stderr
    pdfs = {name: pdf_path(project.root, name) for name in SAMPLE_BRIEFS}
    return request.param, pdfs, page_fills_of(pdfs.values())


@pytest.mark.parametrize("brief_file", SAMPLE_BRIEFS)
def test_sample_pages_but_the_last_are_filled(sample, brief_file, tmp_path):
    paper, pdfs, fills = sample
    pdf = pdfs[brief_file]
    body = yaml.safe_load((REPO / "briefs" / brief_file).read_text(encoding="utf-8"))["body"]
    problems = report(brief_file, fills[pdf], pdf, tmp_path, body)
    if problems:
        pytest.fail(f"on {paper} paper:\n" + "\n".join(problems), pytrace=False)


# ---- a generated corpus: figures of every shape, anywhere in briefs of every length ----

SEED = 18  # fixed (the number): the same briefs on every run
BRIEFS = 30
ASPECTS = {"2:1": 2, "16:9": 16 / 9, "4:3": 4 / 3, "1:1": 1, "3:4": 3 / 4, "9:16": 9 / 16}
ONSETS = ["b", "br", "c", "ch", "cl", "d", "dr", "f", "fl", "g", "gr", "h", "j", "k", "l", "m", "n", "p", "pl",
          "pr", "qu", "r", "s", "sh", "sk", "sl", "st", "t", "th", "tr", "v", "w", "wh", "z"]
VOWELS = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "ou", "oo", "y"]
CODAS = ["", "", "", "", "", "n", "r", "l", "s", "t", "nd", "st", "ck", "m", "ng", "rk", "sh", "ld"]
LINKS = ["the", "of", "and", "to", "in", "a", "was", "for", "on", "with", "by", "as", "that", "its"]


def coined(rng: random.Random) -> str:
    """A made-up English-looking word of one to three syllables."""
    syllables = rng.choice([1, 1, 1, 2, 2, 3])
    return "".join(rng.choice(ONSETS) + rng.choice(VOWELS) + rng.choice(CODAS) for _ in range(syllables))


def word(rng: random.Random) -> str:
    """A word of the text: made up, and now and then a short real one, as prose has."""
    return rng.choice(LINKS) if rng.random() < 0.3 else coined(rng)


def sentence(rng: random.Random, low: int = 5, high: int = 24) -> str:
    words = [word(rng) for _ in range(rng.randint(low, high))]
    if len(words) > 8 and rng.random() < 0.4:
        words[rng.randint(3, len(words) - 3)] += ","
    return " ".join(words).capitalize() + "."


def paragraph(rng: random.Random) -> str:
    """One to eight sentences: a line or two up to a long paragraph."""
    return " ".join(sentence(rng) for _ in range(rng.choice([1, 2, 3, 3, 4, 4, 5, 6, 8])))


def generated_image(rng: random.Random, aspect: float, tone: tuple[int, int] | None = None) -> Image.Image:
    """A picture with something in it: a graded sky, a ridge, blocks and discs, in one tone range
    (dark to pale; never white, so that, as in a photograph, every row has some ink)."""
    low, high = tone or rng.choice([(40, 120), (70, 170), (110, 210), (160, 236)])
    width = 640 if aspect >= 1 else round(640 * aspect)
    height = round(width / aspect)
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    hue = [rng.uniform(0.8, 1.0) for _ in range(3)]
    for y in range(height):  # graded from one end of the tone range to the other
        level = low + (high - low) * y / max(height - 1, 1)
        draw.line([(0, y), (width, y)], fill=tuple(round(level * h) for h in hue))
    ridge = [(0, height)] + [(x, round(height * rng.uniform(0.45, 0.75))) for x in range(0, width + 80, 80)]
    draw.polygon(ridge + [(width, height)], fill=tuple(round(low * h) for h in hue))
    for _ in range(rng.randint(3, 8)):
        x, y = rng.randrange(width), rng.randrange(height)
        size = rng.randint(width // 20, width // 5)
        shade = rng.randint(low, high)
        box = [x, y, x + size, y + size * rng.uniform(0.4, 1.5)]
        (draw.ellipse if rng.random() < 0.5 else draw.rectangle)(box, fill=(shade, shade, shade))
    return image


def generated_brief(rng: random.Random, i: int, images: Path) -> tuple[str, str]:
    """The file name and YAML of generated brief `i`; its pictures are written into `images`."""
    day = dt.date(2024, 1, 1) + dt.timedelta(days=3 * i)
    slug = f"layout-{i:02d}"
    paragraphs = [paragraph(rng) for _ in range(rng.randint(2, 12))]
    for k in range(1, len(paragraphs)):  # a section heading now and then
        if rng.random() < 0.12:
            paragraphs[k] = "## " + " ".join(word(rng) for _ in range(rng.randint(2, 5))).capitalize() + "\n\n" \
                            + paragraphs[k]
    notes = {}
    for n in range(rng.choice([0, 0, 1, 2, 3, 5])):  # notes, each cited once, in a random paragraph
        label = f"n{n}"
        notes[label] = " ".join(sentence(rng, 4, 18) for _ in range(rng.randint(1, 4)))
        k = rng.randrange(len(paragraphs))
        paragraphs[k] += f"[^{label}]"

    def picture(name: str, aspect: float) -> str:
        generated_image(rng, aspect).save(images / f"{slug}-{name}.jpg", quality=80)
        return f"images/{slug}-{name}.jpg"

    figures: list[str] = []
    compare = i % 6 == 3  # five briefs of the thirty
    for f in range(rng.randint(1, 4)):
        label = f"fig{f}"
        lines = [f"  {label}:", f"    alt: {sentence(rng, 3, 10)}"]
        if rng.random() < 0.7:
            lines.append(f"    caption: {' '.join(sentence(rng, 4, 16) for _ in range(rng.choice([1, 1, 2, 3])))}")
        if compare and f == 0:
            aspect = rng.choice([16 / 9, 4 / 3, 16 / 10])
            for which, year in (("before", 2023), ("after", 2024)):
                lines += [f"    {which}:", f"      file: {picture(label + '-' + which, aspect)}",
                          f"      date: {year}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                          f"      credit: {coined(rng).capitalize()} Imaging"]
        else:
            name = rng.choice(list(ASPECTS))
            lines += [f"    file: {picture(label, ASPECTS[name])}", f"    credit: {coined(rng).capitalize()} ({name})"]
        figures.append("\n".join(lines))
        paragraphs.insert(rng.randint(0, len(paragraphs)), f"[figure: {label}]")  # anywhere, first to last

    hero = ""
    if rng.random() < 0.4:
        hero = (f"image:\n  file: {picture('hero', rng.choice([16 / 9, 4 / 3, 2, 3 / 2]))}\n"
                f"  alt: {sentence(rng, 3, 10)}\n  caption: {sentence(rng, 4, 14)}\n  credit: Hero Agency\n")
    body = "\n\n".join(paragraphs).replace("\n", "\n  ")
    text = (f"title: {sentence(rng, 3, 12)[:-1]}\nseries: {['quick-take', 'news', 'summary'][i % 3]}\n"
            f"date: {day.isoformat()}\nauthors: [{['jordan-park', 'mina-cho', 'sam-ortiz'][i % 3]}]\n"
            f"topics: [economy]\nsummary: {sentence(rng, 8, 30)}\n{hero}"
            f"figures:\n" + "\n".join(figures) + f"\nbody: |\n  {body}\n")
    if notes:
        text += "notes:\n" + "".join(f"  {label}: {note}\n" for label, note in notes.items())
    return f"{day.isoformat()}-{slug}.yml", text


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("layout-corpus"), shared_cache)
    rng = random.Random(SEED)
    texts = {}
    for i in range(BRIEFS):
        name, text = generated_brief(rng, i, project.briefs / "images")
        project.write(name, text, dedent=False)
        texts[name] = text
    result = project.run("pdf")
    assert result.returncode == 0, result.stderr
    pdfs = {name: pdf_path(project.root, name) for name in texts}
    return pdfs, page_fills_of(pdfs.values()), texts


def test_generated_briefs_pages_but_the_last_are_filled(corpus, tmp_path):
    pdfs, fills, texts = corpus
    problems = [line for name, pdf in pdfs.items()
                for line in report(name, fills[pdf], pdf, tmp_path, yaml.safe_load(texts[name])["body"])]
    if problems:
        pytest.fail(f"{len(problems)} pages of {len(pdfs)} generated briefs are underfilled:\n" + "\n".join(problems),
                    pytrace=False)


def test_the_corpus_has_what_it_should(corpus):
    """Guards the generator: every shape of figure, heroes, notes, comparisons, headings, and briefs
    of more than one page (only their pages but the last are measured)."""
    pdfs, fills, texts = corpus
    every = "".join(texts.values())
    assert all(f"({name})" in every for name in ASPECTS)
    for piece, least in [("\nimage:", 5), ("\nnotes:", 5), ("    before:", 3), ("\n  ## ", 3)]:
        assert sum(piece in text for text in texts.values()) >= least, piece
    counts = [len(text.split("[figure: ")) - 1 for text in texts.values()]
    assert set(counts) == {1, 2, 3, 4}
    assert sum(len(fills[pdf]) > 1 for pdf in pdfs.values()) >= BRIEFS // 2


# ---- Korean: lines break between words ----


def strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return []


def test_korean_lines_break_between_words_never_inside_one(sample):
    """As `word-break: keep-all` on the web page: every printed run of Hangul is a whole word of the
    brief (Typst alone breaks between any two syllables: "해" / "석된다")."""
    paper, pdfs, _ = sample
    brief_file = "2025-12-28-munitions-expansion-summary-ko.yml"
    source = [yaml.safe_load((REPO / path).read_text(encoding="utf-8"))  # the brief, and the layout's words
              for path in (f"briefs/{brief_file}", "templates/i18n/ko.yml", "briefs/series.yml", "briefs/topics.yml")]
    hangul = re.compile(r"[\uac00-\ud7a3]+")
    words = {run for text in strings(source) for word in text.split() for run in hangul.findall(word)}
    printed = [run for page in PdfReader(pdfs[brief_file]).pages for line in page.extract_text().splitlines()
               for word in line.split() for run in hangul.findall(word)]
    assert len(printed) > 150
    halves = sorted({run for run in printed if run not in words})
    assert halves == [], f"on {paper} paper, Korean words cut at a line's end: {halves}"
