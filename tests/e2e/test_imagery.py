"""Imagery on the built sample site: responsive copies, link-preview images for every brief and the
before/after comparison on the page, in the feed and in the PDF; editors' mistakes with comparisons."""

from __future__ import annotations

import io
import re

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from conftest import make_project

SUMMARY = "2025/12/munitions-expansion-summary"  # a photograph as hero
NEWS = "2025/12/new-munitions-factories"  # no hero; a before/after comparison
ANALYSIS = "2024/04/defence-industrial-enterprise"  # an SVG hero
BRIEFS = [SUMMARY, NEWS, ANALYSIS, "2025/12/munitions-modernization"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("imagery"), shared_cache, with_samples=True)
    result = project.run()
    assert result.returncode == 0, result.stderr
    return project


def page(site, url: str) -> BeautifulSoup:
    return BeautifulSoup((site.root / "site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")


def resolve(url: str, link: str) -> str:
    """A link of the page at `url` (a folder URL) as a path in the site."""
    parts = [p for p in url.split("/") if p]
    for piece in link.split("/"):
        if piece == "..":
            parts.pop()
        elif piece not in (".", ""):
            parts.append(piece)
    return "/".join(parts)


def picture_files(site, url: str, picture) -> list[tuple[int, Image.Image]]:
    source = picture.select_one('source[type="image/webp"]')
    out = []
    for candidate in source["srcset"].split(","):
        link, width = candidate.split()
        with Image.open(site.root / "site" / resolve(url, link)) as img:
            img.load()
            out.append((int(width.removesuffix("w")), img))
    return out


def test_the_hero_photograph_comes_in_webp_widths_with_its_size_and_is_fetched_first(site):
    soup = page(site, SUMMARY)
    hero = soup.select_one("figure.brief-hero picture")
    copies = picture_files(site, SUMMARY, hero)
    assert [w for w, _ in copies] == [480, 800, 1200, 1600]
    for width, img in copies:
        assert img.format == "WEBP" and img.width == width
    img = hero.select_one("img")
    assert (img["width"], img["height"]) == ("1600", "1000")  # no layout shift while it loads
    assert "loading" not in img.attrs and img["fetchpriority"] == "high"
    assert hero.select_one("source")["sizes"].endswith("100vw")


def test_pictures_below_the_top_load_lazily_and_listing_thumbnails_are_small(site):
    soup = page(site, NEWS)
    frames = soup.select("figure.brief-compare img")
    assert len(frames) == 2 and all(i["loading"] == "lazy" and i.get("width") == "1600" for i in frames)
    archive = page(site, "series/summary")
    thumb = archive.select_one(".brief-entry-thumb")
    assert thumb["loading"] == "lazy"
    assert thumb.find_parent("picture").select_one("source")["sizes"] == "(max-width: 480px) 110px, 180px"
    home = page(site, "")
    lead = home.select(".brief-list-home > .brief-entry")[0].select_one("img")
    assert "loading" not in lead.attrs  # the home page's lead picture is at the top


def test_every_brief_has_a_raster_link_preview_image_of_the_size_it_says(site):
    kinds = {}
    for url in BRIEFS:
        soup = page(site, url)
        meta = {m["property"]: m["content"] for m in soup.select("meta[property^='og:image']")}
        path = site.root / "site" / meta["og:image"].removeprefix("https://briefs.example.org/")
        with Image.open(path) as img:
            assert img.format in ("PNG", "JPEG"), url
            assert (str(img.width), str(img.height)) == (meta["og:image:width"], meta["og:image:height"]) \
                == ("1200", "630"), url
            kinds[url] = img.format
        assert meta["og:image:alt"]
        assert soup.select_one("meta[name='twitter:card']")["content"] == "summary_large_image"
    assert kinds[SUMMARY] == "JPEG"  # the hero, cropped
    assert kinds[NEWS] == kinds[ANALYSIS] == "PNG"  # drawn from the title (an SVG hero is not shown by social sites)


def test_the_comparison_shows_both_pictures_with_dates_and_credits_without_javascript(site):
    figure = page(site, NEWS).select_one("figure.brief-compare")
    frames = figure.select(".brief-compare-frame")
    assert [f["class"][-1] for f in frames] == ["brief-compare-before", "brief-compare-after"]
    assert [f.select_one("time")["datetime"] for f in frames] == ["2024-05-14", "2025-11-20"]
    for frame in frames:
        assert frame.select_one(".credit").get_text() == "Image: Synthetic imagery drawn for the sample site"
        assert frame.select_one("img")["alt"]
    assert figure.select_one("figcaption").get_text().startswith("How a new factory site shows up")
    script = (site.root / "site/assets/compare.js").read_text(encoding="utf-8")
    assert "brief-compare-range" in script
    assert any(s.get("src", "").endswith("assets/compare.js") for s in page(site, NEWS).find_all("script"))


def test_feeds_carry_plain_images_no_picture_elements(site):
    feed = (site.root / "site/feed.xml").read_text(encoding="utf-8")
    assert "&lt;picture" not in feed and "srcset" not in feed
    srcs = re.findall(r"&lt;img alt=&#34;[^&]*&#34; src=&#34;([^&]*)&#34;", feed)
    assert "https://briefs.example.org/images/2025-12-factory-site-before.jpg" in srcs


def test_the_pdf_prints_both_pictures_one_above_the_other_with_their_dates(site):
    reader = PdfReader(site.root / "site" / NEWS / "new-munitions-factories.pdf")
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Before: May 14, 2024" in text and "After: November 20, 2025" in text
    images = [img for p in reader.pages for img in p.images]
    assert len(images) == 2
    assert text.index("Before: May 14, 2024") < text.index("After: November 20, 2025")


# ---- editors' mistakes ------------------------------------------------------------------------------

BRIEF = """\
title: Comparison
series: news
date: 2024-05-01
authors: [mina-cho]
summary: A summary.
{image}figures:
  site:
    alt: The site.
{figure}body: |
  Text.

  [figure: site]
"""

FRAME = """\
      file: images/2025-12-factory-site-{which}.jpg
      date: 2024-05-01
      credit: Us
"""


@pytest.mark.parametrize("figure, image, expected", [
    ("    before:\n" + FRAME.format(which="before"), "",
     ":7:3: error: 'figures.site' is a before/after comparison but has no 'after'"),
    ("    file: images/2025-12-factory-site-after.jpg\n    credit: Us\n    before:\n" + FRAME.format(which="before")
     + "    after:\n" + FRAME.format(which="after"), "",
     ":7:3: error: 'figures.site' is a before/after comparison: it takes before: and after:, not file or embed"),
    ("    before:\n" + FRAME.format(which="before") + "    after:\n"
     + FRAME.format(which="after").replace("2025-12-factory-site-after.jpg", "missing.jpg"), "",
     ":14:13: error: image file 'images/missing.jpg' not found"),
    ("    before:\n" + FRAME.format(which="before").replace("      credit: Us\n", "") + "    after:\n"
     + FRAME.format(which="after"), "",
     ":9:5: error: missing required field 'credit' in figures.site.before"),
    ("    file: images/2025-12-factory-site-after.jpg\n    credit: Us\n",
     "image:\n  alt: A.\n  before:\n" + FRAME.format(which="before").replace("      ", "    ") + "  after:\n"
     + FRAME.format(which="after").replace("      ", "    "),
     ":8:3: error: the hero image cannot be a before/after comparison"),
])
def test_comparison_mistakes_are_reported_at_their_place(project, figure, image, expected):
    project.write("2024-05-01-comparison.yml", BRIEF.format(figure=figure, image=image), dedent=False)
    result = project.run("check")
    assert result.returncode == 1, result.stdout
    assert f"briefs/2024-05-01-comparison.yml{expected}" in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_a_comparison_needs_no_credit_of_its_own_but_a_picture_still_does(project):
    figure = "    before:\n" + FRAME.format(which="before") + "    after:\n" + FRAME.format(which="after")
    project.write("2024-05-01-comparison.yml", BRIEF.format(figure=figure, image=""), dedent=False)
    result = project.run("check")
    assert result.returncode == 0, result.stderr
    plain = BRIEF.format(figure="    file: images/2025-12-factory-site-after.jpg\n", image="")
    project.write("2024-05-01-comparison.yml", plain, dedent=False)
    result = project.run("check")
    assert "briefs/2024-05-01-comparison.yml:7:3: error: missing required field 'credit' in figures.site" \
        in result.stderr, result.stderr


def test_a_damaged_photograph_is_published_as_it_is(project):
    """Its header is whole (the check passes), its picture data is cut: no copies, the page still builds."""
    data = (project.briefs / "images/2025-12-factory-site-after.jpg").read_bytes()
    (project.briefs / "images/cut.jpg").write_bytes(data[: len(data) // 2])
    project.write("2024-05-01-comparison.yml", BRIEF.format(
        figure="    file: images/cut.jpg\n    credit: Us\n", image=""), dedent=False)
    result = project.run()
    assert result.returncode == 0, result.stderr
    html = (project.root / "site/2024/05/comparison/index.html").read_text(encoding="utf-8")
    figure = BeautifulSoup(html, "html.parser").select_one("figure.brief-figure")
    assert figure.select_one("picture") is None and figure.select_one("img")["src"].endswith("images/cut.jpg")


def test_social_card_template_errors_are_reported_at_the_template(project):
    project.write("2024-05-01-comparison.yml", BRIEF.format(
        figure="    file: images/2025-12-factory-site-after.jpg\n    credit: Us\n", image=""), dedent=False)
    (project.root / "templates/social/card.typ").write_text("#let x = (\n", encoding="utf-8")
    for command in (["check"], []):  # what check passes, build passes
        result = project.run(*command)
        assert result.returncode == 1
        assert re.search(r"^templates/social/card\.typ:1:1: error: the link-preview card template does not compile",
                         result.stderr, re.M), result.stderr
        assert "Traceback" not in result.stderr and not (project.root / "site").exists()


def test_link_preview_card_is_a_png_of_the_card_size(site):
    path = site.root / "site/social" / f"{NEWS}.png"
    with Image.open(io.BytesIO(path.read_bytes())) as img:
        assert img.format == "PNG" and img.size == (1200, 630)
        # drawn, not blank: the title's white letters on the dark ground
        colours = img.convert("L").getcolors(maxcolors=1 << 16)
        assert colours and max(v for _, v in colours) > 200 and min(v for _, v in colours) < 80
