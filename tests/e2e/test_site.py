"""The site around the briefs: page anatomy, listings, feeds, metadata and cite-this, from the built HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path
from xml.etree import ElementTree

import bibtexparser
import feedparser
import pytest
from bs4 import BeautifulSoup

from conftest import VALID_BRIEF, make_project, write_corpus

SITE_URL = "https://briefs.example.org/"
QT = "2024/04/defence-industrial-enterprise"


@pytest.fixture(scope="module")
def sample(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("sample"), shared_cache, with_samples=True)
    project.write("2099-12-01-scheduled-brief.yml", VALID_BRIEF.replace("title: A test brief", "title: Not Due Yet")
                  .replace("date: 2024-04-29", "date: 2099-12-01"))
    project.write("2024-03-01-draft-brief.yml", VALID_BRIEF.replace("title: A test brief", "title: Only A Draft")
                  .replace("date: 2024-04-29", "date: 2024-03-01") + "status: draft\n")
    result = project.run()
    assert result.returncode == 0, result.stderr
    return project


def html(project, url: str) -> BeautifulSoup:
    path = project.root / "site" / url.strip("/") / "index.html" if not url.endswith(".xml") else None
    assert path and path.is_file(), f"{url} was not built"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def target(project, page_url: str, href: str) -> Path:
    from urllib.parse import urljoin

    rel = urljoin("http://x/" + page_url.strip("/") + "/", href).removeprefix("http://x/").split("#")[0]
    path = project.root / "site" / rel
    return path / "index.html" if rel.endswith("/") or rel == "" else path


def meta(soup: BeautifulSoup, key: str, attr: str = "property") -> list[str]:
    return [m["content"] for m in soup.find_all("meta", attrs={attr: key})]


# ---- the brief page ---------------------------------------------------------------------------

def test_brief_page_anatomy(sample):
    soup = html(sample, QT)
    article = soup.select_one("article.brief")
    series = article.select_one(".brief-series a")
    assert series.get_text() == "Quick Take" and target(sample, QT, series["href"]).is_file()
    assert article.select_one(".brief-reading-time").get_text() == "1 min read"
    topics = article.select(".brief-topics a")
    assert [a.get_text() for a in topics] == ["Defense industry", "Economy"]
    assert all(target(sample, QT, a["href"]).is_file() for a in topics)
    bios = article.select(".brief-author")
    assert len(bios) == 1 and "fictional analyst" in bios[0].get_text()
    assert article.select_one(".brief-author img")["src"].endswith("images/authors/jordan-park.svg")
    cite_link = article.select_one("a.brief-cite-link")
    assert cite_link["href"] == "#cite-this-brief" and soup.find(id="cite-this-brief") is not None
    cta = article.select_one(".brief-cta")
    assert "each brief as it is published" in cta.get_text()  # no promise of e-mail without a newsletter
    assert target(sample, QT, cta.find("a")["href"]).is_file()
    assert article.select(".brief-related a")  # related by shared topics


# biblatex's data model (tex/latex/biblatex/blx-dm.def): the fields of @online and some of those every
# type has, with the date fields
BIBLATEX_ONLINE_FIELDS = {
    "addendum", "author", "editor", "editortype", "language", "note", "organization", "pubstate", "subtitle",
    "title", "titleaddon", "version",  # @online
    "abstract", "annotation", "doi", "eprint", "eprinttype", "keywords", "langid", "langidopts", "month",
    "day", "shorttitle", "url", "urlyear", "urlmonth", "urlday", "year", "date", "urldate",  # every type
}


def test_cite_this_brief_in_house_style_with_bibtex_and_ris(sample):
    soup = html(sample, QT)
    assert soup.select_one(".brief-citation").get_text() == (
        "Jordan Park, “North Korea’s New ‘National Defence Industrial Enterprise,’” North Korea Briefs (sample), "
        f"April 29, 2024, {SITE_URL}{QT}/.")
    links = {a.get_text(): a["href"] for a in soup.select(".brief-cite-downloads a")}
    bib_path, ris_path = target(sample, QT, links["BibTeX"]), target(sample, QT, links["RIS"])
    library = bibtexparser.parse_string(bib_path.read_text(encoding="utf-8"))
    assert not library.failed_blocks and len(library.entries) == 1
    entry = library.entries[0]
    assert entry.entry_type == "online" and entry.key == "defence-industrial-enterprise"
    assert entry["author"] == "Park, Jordan"
    assert entry["title"] == "{North Korea’s New “National Defence Industrial Enterprise”}"
    assert (entry["year"], entry["month"], entry["day"]) == ("2024", "4", "29") and entry["url"] == f"{SITE_URL}{QT}/"
    # BibTeX has a year; biblatex's data model allows every field for @online, and one of date/year
    fields = {f.key for f in entry.fields}
    assert fields <= BIBLATEX_ONLINE_FIELDS, fields - BIBLATEX_ONLINE_FIELDS
    assert "year" in fields and "date" not in fields
    ris = ris_path.read_bytes().decode("utf-8")
    lines = ris.split("\r\n")
    assert lines[-1] == ""  # every line ends with CR LF
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*", line) for line in lines[:-1]), lines
    tags = [line[:2] for line in lines[:-1]]
    assert tags[0] == "TY" and tags[-1] == "ER" and lines[0] == "TY  - ELEC"
    fields = {line[:2]: line[6:] for line in lines[:-1]}
    assert fields["AU"] == "Park, Jordan" and fields["DA"] == "2024/04/29/" and fields["UR"] == f"{SITE_URL}{QT}/"


def test_brief_metadata(sample):
    soup = html(sample, QT)
    assert soup.find("link", rel="canonical")["href"] == f"{SITE_URL}{QT}/"
    summary = ("A rocket-launcher test introduced a munitions enterprise that state media had never named before. "
               "Its place in the economy may say more than its place in the arms trade.")
    assert meta(soup, "description", "name") == [summary]
    assert meta(soup, "og:title") == ["North Korea’s New “National Defence Industrial Enterprise”"]
    assert meta(soup, "og:description") == [summary]
    # an SVG hero, which social sites do not show: a card drawn from the title (social.py)
    assert meta(soup, "og:image") == [f"{SITE_URL}social/2024/04/defence-industrial-enterprise.png"]
    assert meta(soup, "og:image:alt")[0].startswith("Quick Take: North Korea’s New")
    assert meta(soup, "twitter:card", "name") == ["summary_large_image"]
    assert meta(soup, "citation_title", "name") == ["North Korea’s New “National Defence Industrial Enterprise”"]
    assert meta(soup, "citation_author", "name") == ["Jordan Park"]
    assert meta(soup, "citation_publication_date", "name") == ["2024/04/29"]
    feeds = [link["href"] for link in soup.find_all("link", rel="alternate", type="application/atom+xml")]
    assert feeds == [f"{SITE_URL}feed.xml", f"{SITE_URL}series/quick-take/feed.xml"]
    (script,) = soup.find_all("script", type="application/ld+json")
    data = json.loads(script.string)
    assert data["@type"] == "Report" and data["headline"].startswith("North Korea’s New")
    assert data["author"] == [{"@type": "Person", "name": "Jordan Park", "url": f"{SITE_URL}authors/jordan-park/"}]
    assert data["datePublished"] == data["dateModified"] == "2024-04-29"
    assert data["image"]["creditText"] == "Placeholder drawn for the sample site"
    assert data["publisher"]["name"] == "North Korea Briefs (sample)"


def test_news_briefs_are_news_articles(sample):
    soup = html(sample, "2025/12/munitions-modernization")
    data = json.loads(soup.find("script", type="application/ld+json").string)
    assert data["@type"] == "NewsArticle" and data["articleSection"] == "Latest news"


# ---- drafts and scheduled briefs --------------------------------------------------------------

def test_drafts_and_scheduled_briefs_are_not_published_anywhere(sample):
    site = sample.root / "site"
    assert not (site / "2099").exists() and not (site / "2024/03/draft-brief").exists()
    for path in site.rglob("*"):
        if path.suffix in (".html", ".xml", ".json", ".bib", ".ris"):
            text = path.read_text(encoding="utf-8")
            assert "Not Due Yet" not in text and "Only A Draft" not in text, path


def test_preview_with_drafts_shows_banners(sample):
    from briefkit.config import load_config
    from briefkit.generate import generate

    generation = generate(load_config(sample.root), write=False, drafts=True)
    assert "Draft — this brief is not published." in generation.pages["2024/03/draft-brief.md"]
    assert "Scheduled — this brief will be published on December 1, 2099." in \
        generation.pages["2099/12/scheduled-brief.md"]
    assert "Only A Draft" in generation.pages["index.md"]  # the home page, finished by the engine


# ---- feeds ------------------------------------------------------------------------------------

@pytest.mark.parametrize("path, titles", [
    ("feed.xml", ["In Brief: North Korea Plans a Large Expansion of Missile and Shell Factories",
                  "요약: 북한, 미사일·포탄 공장 대규모 증설 계획",  # its Korean translation, the same day
                  "Kim Calls for New Munitions Factories to Raise Missile and Shell Output",
                  "Kim Tours Munitions Plants as Five-Year Missile Plans Take Shape",
                  "North Korea’s New “National Defence Industrial Enterprise”"]),
    ("series/news/feed.xml", ["Kim Calls for New Munitions Factories to Raise Missile and Shell Output",
                              "Kim Tours Munitions Plants as Five-Year Missile Plans Take Shape"]),
    ("topics/economy/feed.xml", ["North Korea’s New “National Defence Industrial Enterprise”"]),
])
def test_atom_and_rss_feeds(sample, path, titles):
    for name in (path, path.replace("feed.xml", "rss.xml")):
        raw = (sample.root / "site" / name).read_bytes()
        ElementTree.fromstring(raw)  # well-formed XML
        feed = feedparser.parse(raw)
        assert not feed.bozo, feed.bozo_exception
        assert [e.title for e in feed.entries] == titles
    atom = feedparser.parse((sample.root / "site" / path).read_bytes())
    assert atom.version == "atom10"
    assert atom.feed.updated == max(e.updated for e in atom.entries)
    for entry in atom.entries:
        assert entry.link.startswith(SITE_URL) and entry.id == entry.link
        content = entry.content[0].value
        assert 'src="../' not in content and 'href="../' not in content  # links are absolute
        assert entry.published and entry.authors and entry.summary


def test_feed_entry_has_the_full_text_and_notes(sample):
    atom = feedparser.parse((sample.root / "site/feed.xml").read_bytes())
    quick_take = next(e for e in atom.entries if e.link.endswith(f"{QT}/"))
    text = BeautifulSoup(quick_take.content[0].value, "html.parser").get_text()
    assert "It is too early to say what the enterprise will do" in text
    assert "Rachel Minyoung Lee, “To do or not to do" in text
    assert f'{SITE_URL}images/2024-04-defence-enterprise.svg' in quick_take.content[0].value


def test_updated_brief_has_updated_date_in_feed(project):
    project.write("2024-04-29-test-brief.yml", VALID_BRIEF + "updated: 2024-06-01\n")
    assert project.run().returncode == 0
    (entry,) = feedparser.parse((project.root / "site/feed.xml").read_bytes()).entries
    assert entry.published.startswith("2024-04-29") and entry.updated.startswith("2024-06-01")


def test_every_page_links_the_site_feed(sample):
    soup = html(sample, "about")
    assert soup.find("link", rel="alternate", type="application/atom+xml")["href"].endswith("feed.xml")


def test_sitemap_lists_every_published_page(sample):
    sitemap = (sample.root / "site/sitemap.xml").read_text()
    for url in [QT, "series/news", "topics/economy", "authors/mina-cho", "archive/2025/12", "about"]:
        assert f"{SITE_URL}{url}/" in sitemap
    assert "scheduled-brief" not in sitemap and "draft-brief" not in sitemap


# ---- listings ---------------------------------------------------------------------------------

def entries(soup: BeautifulSoup) -> list[str]:
    return [a.get_text() for a in soup.select(".brief-entry-title a")]


def walk(project, first: str) -> list[str]:
    """The entries of a listing, following its "Older" links from page 1."""
    seen, url = [], first
    for _ in range(50):
        soup = html(project, url)
        seen += entries(soup)
        older = soup.select_one(".brief-pagination a[rel=next]")
        if older is None:
            return seen
        url = target(project, url, older["href"]).parent.relative_to(project.root / "site").as_posix()
    raise AssertionError("pagination does not end")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("corpus"), shared_cache)
    briefs = write_corpus(project, 27, days=60, start="2024-01-01")
    assert project.run().returncode == 0
    return project, briefs


def titles(briefs) -> list[str]:
    return [f"Generated brief {b['i']:05d}" for b in sorted(briefs, key=lambda b: (b["date"], b["slug"]),
                                                             reverse=True)]


def test_home_and_its_pages_list_every_brief_once_newest_first(corpus):
    project, briefs = corpus
    assert len(entries(html(project, ""))) == 10
    assert walk(project, "") == titles(briefs)
    assert html(project, "page/3").select_one(".brief-pagination .current").get_text() == "3"


@pytest.mark.parametrize("kind, key, select", [
    ("series", "news", lambda b: b["series"] == "news"),
    ("topics", "economy", lambda b: "economy" in b["topics"]),
    ("authors", "mina-cho", lambda b: b["author"] == "mina-cho"),
    ("archive", "2024", lambda b: b["date"].year == 2024),
    ("archive", "2024/02", lambda b: b["date"].month == 2),
])
def test_listing_membership_and_pagination(corpus, kind, key, select):
    project, briefs = corpus
    assert walk(project, f"{kind}/{key}") == titles([b for b in briefs if select(b)])


def test_listing_entries_show_series_authors_date_summary_and_thumbnail(corpus):
    project, _ = corpus
    first = html(project, "series/quick-take").select(".brief-entry")[0]
    assert first.select_one(".brief-series").get_text() == "Quick Take"
    assert first.select_one(".brief-entry-meta").get_text().startswith("By ")
    assert re.search(r"\w+ \d+, 2024", first.select_one(".brief-entry-meta time").get_text())
    assert first.select_one(".brief-entry-summary").get_text().strip().startswith("Summary of generated brief")
    thumbs = [e.select_one("img.brief-entry-thumb") for e in html(project, "").select(".brief-entry")]
    assert any(thumbs) and not all(thumbs)  # briefs without a hero image have no thumbnail


def test_author_page_has_bio_and_photo(corpus):
    project, _ = corpus
    soup = html(project, "authors/jordan-park")
    assert "fictional analyst" in soup.select_one(".author-profile").get_text()
    assert soup.select_one("img.author-photo")["src"].endswith("images/authors/jordan-park.svg")


def test_index_pages_link_every_listing(corpus):
    project, briefs = corpus
    archive = html(project, "archive")
    links = {a.get_text(): a["href"] for a in archive.select("article li a")}
    assert set(links) == {"2024", "January 2024", "February 2024"}
    assert all(target(project, "archive", href).is_file() for href in links.values())
    series = {a.get_text() for a in html(project, "series").select("article li a")}
    assert series == {"Quick Take", "Latest news", "In brief"}


def largest(site: Path, pattern: str) -> int:
    return max(p.stat().st_size for p in site.glob(pattern))


def test_pages_do_not_grow_with_the_number_of_briefs(tmp_path, shared_cache):
    """The same year of briefs with 20 and with 2,000 briefs: no page may grow more than a little."""
    sizes = []
    for count in (20, 2000):
        (tmp_path / str(count)).mkdir()
        project = make_project(tmp_path / str(count), shared_cache)
        config = project.root / "mkdocs.yml"  # pages only: PDFs have their own tests and benchmark
        config.write_text(config.read_text().replace("    pdf: true ", "    pdf: false "))
        write_corpus(project, count, days=360)
        result = project.run()
        assert result.returncode == 0, result.stderr
        site = project.root / "site"
        sizes.append({
            "brief": largest(site, "2024/*/*/index.html"),
            "listing": max(largest(site, p) for p in ("series/*/index.html", "topics/*/index.html",
                                                       "authors/*/index.html", "archive/*/*/index.html")),
            "home": (site / "index.html").stat().st_size,
            "pages": largest(site, "page/*/index.html") if count > 20 else None,
        })
    small, big = sizes
    for kind in ("brief", "listing", "home"):
        assert big[kind] <= small[kind] * 1.05, (kind, small[kind], big[kind])
    assert big["brief"] < 100 * 1024  # a brief's HTML, images aside (benchmarks/run.py measures it at 10,000)
    assert big["pages"] <= small["listing"] * 1.1
