"""Build the sample site with `python build.py` and check the HTML against the contract."""

from __future__ import annotations

import json
import re
from urllib.parse import urljoin

import pytest
from bs4 import BeautifulSoup

from conftest import REPO, VALID_BRIEF, make_project, tree_digest

SAMPLES = {
    "2024/04/defence-industrial-enterprise": {"series": "Quick Take", "notes": 4, "authors": ["jordan-park"],
                                              "figures": 1},
    "2025/12/munitions-modernization": {"series": "Latest news", "notes": 2, "authors": ["mina-cho"], "figures": 3},
    # a before/after comparison: one figure, credits beside its two pictures
    "2025/12/new-munitions-factories": {"series": "Latest news", "notes": 1, "authors": ["mina-cho"], "figures": 1},
    "2025/12/munitions-expansion-summary": {"series": "In brief", "notes": 1, "authors": ["sam-ortiz"],
                                            "figures": 1},  # a hero photograph credited "Image: …"
}
# the Korean translation of the summary (its page is checked in test_korean_edition.py)
KOREAN = "2025/12/munitions-expansion-summary-ko"
CREDIT = re.compile(r"(\(Source: [^)]+\)|Image: Synthetic imagery drawn for the sample site)$")


@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("site"), shared_cache, with_samples=True)
    result = project.run()
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return project


def page(project, url: str) -> BeautifulSoup:
    path = project.root / "site" / url.strip("/") / "index.html"
    assert path.is_file(), f"{url} was not built"
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def resolves(project, page_url: str, href: str) -> bool:
    """Whether a relative link on the page at `page_url` points at a built file."""
    target = urljoin("http://site/" + page_url.strip("/") + "/", href).removeprefix("http://site/").split("#")[0]
    path = project.root / "site" / target
    return (path / "index.html").is_file() if target.endswith("/") or not target else path.is_file()




@pytest.mark.parametrize("url", SAMPLES)
def test_brief_page_anatomy(built, url):
    expected = SAMPLES[url]
    soup = page(built, url)
    article = soup.select_one("article.brief")
    assert article.select_one(".brief-series").get_text() == expected["series"]
    h1 = article.find("h1")
    assert h1.find_previous_sibling("p", class_="brief-series") is not None  # label above the title
    # "In Brief: North Korea Plans…" is not shown under an "IN BRIEF" label (the label stays in the page)
    repeated = "brief-series-repeated" in article.select_one(".brief-series")["class"]
    assert repeated == h1.get_text().casefold().startswith(expected["series"].casefold())
    byline = article.select_one(".brief-byline")
    assert byline.get_text().startswith("By ")
    hrefs = [a["href"] for a in byline.find_all("a")]
    assert [h.rstrip("/").split("/")[-1] for h in hrefs] == expected["authors"]
    assert all(resolves(built, url, h) for h in hrefs)
    assert re.fullmatch(r"\w+ \d{1,2}, \d{4}", article.select_one(".brief-dates time").get_text())
    figures = article.find_all("figure")
    assert len(figures) == expected["figures"]
    for figure in figures:
        for img in figure.find_all("img"):
            assert img["alt"].strip()
            assert resolves(built, url, img["src"])
        credits = [c.get_text().strip() for c in figure.select(".credit")]
        assert credits and all(CREDIT.search(c) for c in credits), credits


@pytest.mark.parametrize("url", SAMPLES)
def test_footnote_list_with_back_links(built, url):
    soup = page(built, url)
    items = soup.select(".footnote > ol > li")
    assert len(items) == SAMPLES[url]["notes"]
    for i, li in enumerate(items, start=1):
        assert li["id"] == f"fn:{i}"
        back = li.select_one("a.footnote-backref")
        assert back["href"] == f"#fnref:{i}"
        ref = soup.find(id=f"fnref:{i}")
        assert ref is not None and ref.find("a")["href"] == f"#fn:{i}"
        assert ref.get_text() == str(i)


def test_quick_take_notes_on_the_page_match_the_golden_file(built):
    soup = page(built, "2024/04/defence-industrial-enterprise")
    notes = []
    for li in soup.select(".footnote > ol > li"):
        li.select_one("a.footnote-backref").decompose()
        notes.append(li.get_text().strip())
    golden = (REPO / "tests/golden/notes/2024-04-29-defence-industrial-enterprise.txt").read_text(encoding="utf-8")
    expected = [BeautifulSoup(line.split("] ", 1)[1], "html.parser").get_text() for line in golden.splitlines()]
    assert notes == expected


def test_summary_brief_has_korean_disclaimer_and_related_briefs(built):
    url = "2025/12/munitions-expansion-summary"
    soup = page(built, url)
    disclaimer = soup.select_one(".brief-disclaimer")
    assert disclaimer["lang"] == "ko"
    assert re.search(r"[\uac00-\ud7a3]", disclaimer.get_text())
    related = soup.select(".brief-related a")
    assert [a.get_text() for a in related] == [
        "Kim Calls for New Munitions Factories to Raise Missile and Shell Output",
        "Kim Tours Munitions Plants as Five-Year Missile Plans Take Shape",  # the two listed in `related`
        "North Korea’s New “National Defence Industrial Enterprise”"]  # then by shared topic
    assert all(resolves(built, url, a["href"]) for a in related)
    assert soup.select_one(".brief-body blockquote") is not None  # the pull quote


def test_series_disclaimer_is_the_default(built):
    soup = page(built, "2025/12/munitions-expansion-summary")
    assert soup.select_one(".brief-disclaimer").get_text().strip().startswith("본 요약은")


def test_home_lists_the_latest_briefs_newest_first(built):
    soup = page(built, "")
    titles = soup.select(".brief-list .brief-entry-title a")
    # on one day, the brief in the site's language before its translation
    assert [a["href"] for a in titles] == [
        "2025/12/munitions-expansion-summary/", f"{KOREAN}/", "2025/12/new-munitions-factories/",
        "2025/12/munitions-modernization/", "2024/04/defence-industrial-enterprise/"]
    assert [resolves(built, "", a["href"]) for a in titles] == [True] * 5
    dates = [d.get_text() for d in soup.select(".brief-entry-meta time")]
    assert dates[0] == "December 28, 2025" and dates[-1] == "April 29, 2024"


def test_briefs_are_not_in_the_global_navigation(built):
    for url in ["", "about", *SAMPLES]:
        nav_links = [a["href"] for a in page(built, url).select("nav.md-nav a[href]")]
        assert not [h for h in nav_links if re.search(r"20\d\d/\d\d/", h)], url


def test_author_page_lists_their_briefs(built):
    soup = page(built, "authors/mina-cho")
    assert soup.find("h1").get_text() == "Mina Cho"
    links = [a["href"] for a in soup.select(".brief-entry-title a")]
    assert len(links) == 2 and all(resolves(built, "authors/mina-cho", h) for h in links)


def test_json_schema_is_published(built):
    schema = json.loads((built.root / "site/schema/brief.schema.json").read_text())
    assert {"title", "date", "authors", "body", "notes", "image"} <= set(schema["properties"])
    assert set(schema["required"]) == {"title", "date", "authors", "body"}
    assert schema["additionalProperties"] is False


def test_second_build_is_byte_identical(built):
    before = tree_digest(built.root / "site")
    assert built.run().returncode == 0
    assert tree_digest(built.root / "site") == before


def test_errors_publish_nothing_and_leave_the_site_as_it_was(built):
    before = tree_digest(built.root / "site")
    bad = built.write("2024-05-01-broken.yml", VALID_BRIEF.replace("@lee2024nucleartest", "@lee2024nucleartes")
                      .replace("date: 2024-04-29", "date: 2024-05-01"))
    try:
        result = built.run()
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert lines[0].startswith("briefs/2024-05-01-broken.yml:7:")
        assert "error: unknown citation key 'lee2024nucleartes' (did you mean 'lee2024nucleartest'?)" in lines[0]
        assert len(lines) == 1  # one line per problem, nothing else
        assert tree_digest(built.root / "site") == before
        check = built.run("check")
        assert check.returncode == 1 and check.stderr.startswith("briefs/2024-05-01-broken.yml:7:")
    finally:
        bad.unlink()


def test_new_scaffolds_a_brief_that_passes_check_once_written(project):
    result = project.run("new", "Kim’s New Plan: A Test", "--series", "quick-take", "--author", "jordan-park",
                         "--date", "2024-06-01")
    assert result.returncode == 0, result.stderr
    path = project.briefs / "2024-06-01-kims-new-plan-a-test.yml"
    assert path.is_file()
    check = project.run("check")
    assert check.returncode == 1
    assert check.stderr.splitlines()[0].startswith("briefs/2024-06-01-kims-new-plan-a-test.yml:")
    assert "'body' is still the placeholder text of `new`" in check.stderr  # and the summary's
    text = path.read_text()
    text = text[:text.index("summary:")] + "summary: A plan.\nbody: |\n  The plan was announced.[@lee2024nucleartest]\n"
    path.write_text(text)
    assert project.run("check").returncode == 0
    again = project.run("new", "Kim’s New Plan: A Test", "--series", "quick-take", "--author", "jordan-park",
                        "--date", "2024-06-01")
    assert again.returncode == 1 and "already exists" in again.stderr
    assert path.read_text() == text


def test_new_rejects_unknown_author(project):
    result = project.run("new", "Title", "--author", "jordan-prak")
    assert result.returncode == 1 and "unknown author 'jordan-prak'" in result.stderr
    assert not list(project.briefs.glob("*-title.yml"))


def test_drafts_are_not_published_and_updated_dates_are_shown(project):
    project.write("2024-04-29-published.yml", VALID_BRIEF + "updated: 2024-05-02\n")
    project.write("2024-04-30-a-draft.yml", VALID_BRIEF.replace("title: A test brief", "title: Draft only")
                  + "status: draft\n")
    assert project.run().returncode == 0
    assert not (project.root / "site/2024/04/a-draft").exists()
    soup = page(project, "2024/04/published")
    updated = soup.select_one(".brief-updated")
    assert updated.get_text() == "Updated May 2, 2024"
    assert updated.find("time")["datetime"] == "2024-05-02"
    assert "Draft only" not in (project.root / "site/index.html").read_text()


def search_records(project) -> dict[str, dict]:
    """The search index's record of every indexed page, by URL."""
    records = {}
    for path in (project.root / "site/search-index/pages").iterdir():
        record = json.loads(path.read_text(encoding="utf-8"))
        records[record["url"]] = record
    return records


def test_search_indexes_briefs_and_guides_not_listings(built):
    manifest = json.loads((built.root / "site/search-index/manifest.json").read_text())
    records = search_records(built)
    # the editors' guide is on the site but not in the readers' search
    assert set(records) == {f"{u}/" for u in SAMPLES} | {f"{KOREAN}/", "about/"}
    assert manifest["pages"] == len(records)
    assert not (built.root / "site/search/search_index.json").exists()  # no whole-site lunr index


def test_search_text_is_the_brief_not_its_surroundings(built):
    records = search_records(built)
    record = records["2024/04/defence-industrial-enterprise/"]
    assert record["title"] == "North Korea’s New “National Defence Industrial Enterprise”"
    assert record["lang"] == "en"
    text = record["text"]
    assert "Second Economic Commission" in text  # body
    assert "Cite this brief" not in text and "Related" not in text and "↩" not in text
    assert "Commission, in a report" in text  # the footnote marker is not glued to the word before it
    others = [r["text"] for u, r in records.items() if u != "2024/04/defence-industrial-enterprise/"]
    assert not any("Second Economic Commission" in t for t in others)


def test_search_finds_a_brief_by_a_word_of_its_body_only(built):
    """The browser's search code (run with Node) over the built index."""
    from test_search_index import run_search

    records = search_records(built)
    body_only = "domestic"
    holders = [u for u, r in records.items() if body_only in r["text"].lower()]
    assert holders == ["2024/04/defence-industrial-enterprise/"]
    assert body_only not in records[holders[0]]["title"].lower()
    [hits, by_author] = run_search(built.root / "site/search-index", [body_only, "Jordan Park"])
    assert [records_by_number(built)[n] for n in hits] == holders
    # the byline is searched, and shown under the title rather than in the excerpt
    assert "2024/04/defence-industrial-enterprise/" in [records_by_number(built)[n] for n in by_author]
    assert records[holders[0]]["meta"] == "Quick Take · By Jordan Park · Defense industry, Economy"
    assert "By Jordan Park" not in records[holders[0]]["text"]
    assert records[holders[0]]["text"].startswith("A multiple rocket launcher")  # topics are in the meta line
    assert "Jordan Park Analyst" in records[holders[0]]["text"]  # "About the author": name and role apart


def records_by_number(project) -> dict[int, str]:
    return {int(p.stem): json.loads(p.read_text(encoding="utf-8"))["url"]
            for p in (project.root / "site/search-index/pages").iterdir()}


@pytest.mark.parametrize("url", ["", "about", *SAMPLES, "series/quick-take"])
def test_header_search_box_leads_to_the_search_page(built, url):
    form = page(built, url).select_one("header form[role=search]")
    assert form is not None and form.select_one("input[name=q]") is not None
    assert resolves(built, url, form["action"])
    search = page(built, "search")
    scripts = [s["src"] for s in search.select("script[src]") if s["src"].endswith("search.js")]
    assert scripts and all(resolves(built, "search", s) for s in scripts)
    app = search.select_one("#brief-search-app")
    assert resolves(built, "search", app["data-index"] + "manifest.json")


def test_web_font_has_the_korean_characters_of_the_site_and_no_more(built):
    import io

    from fontTools.ttLib import TTFont

    from briefkit.webfonts import TARGET, CharacterCollector

    collector = CharacterCollector()
    for path in (built.root / "site").rglob("*.html"):
        collector.add(path.read_text(encoding="utf-8"))
    assert "요" in collector.chars  # the sample's Korean disclaimer
    font = TTFont(io.BytesIO((built.root / "site" / TARGET).read_bytes()))
    assert {chr(code) for code in font.getBestCmap()} == collector.chars


def test_material_bundle_in_the_site_asks_only_language_alternates_for_sitemaps(built):
    from briefkit.theme_patches import PATCHES

    (bundle,) = (built.root / "site" / "assets" / "javascripts").glob("bundle.*.min.js")
    code = bundle.read_bytes()
    for old, earlier, new in PATCHES:
        assert new in code and old not in code and earlier not in code
