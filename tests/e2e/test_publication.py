"""The site reads as a publication: masthead, navigation by series and topics, no docs sidebars,
a lead brief on the home page, the publisher's footer, the editors' guide out of the readers' way."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from conftest import make_project

BRIEF = "2024/04/defence-industrial-enterprise"
READER_PAGES = ["", "about", BRIEF, "series", "series/quick-take", "topics", "archive", "authors/jordan-park"]


@pytest.fixture(scope="module")
def site(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("publication"), shared_cache, with_samples=True)
    result = project.run()
    assert result.returncode == 0, result.stderr
    return project


def page(site, url: str) -> BeautifulSoup:
    return BeautifulSoup((site.root / "site" / url / "index.html").read_text(encoding="utf-8"), "html.parser")


@pytest.mark.parametrize("url", READER_PAGES)
def test_reader_pages_have_no_docs_sidebar_or_contents_and_the_publishers_footer(site, url):
    soup = page(site, url)
    assert soup.select_one(".md-sidebar--primary").has_attr("hidden")
    assert soup.select_one(".md-sidebar--secondary").has_attr("hidden")
    footer = soup.select_one("footer").get_text(" ")
    assert "Material for MkDocs" not in footer and "North Korea Briefs" in footer
    logo = soup.select_one(".md-header .md-logo img")
    assert logo["src"].endswith("assets/logo.svg")
    tabs = [a.get_text(strip=True) for a in soup.select(".md-tabs__link")]
    assert tabs == ["Home", "Series", "Topics", "Authors", "Archive", "About"]


def test_the_editors_guide_is_on_the_site_but_not_in_navigation_or_search(site):
    assert (site.root / "site/writing-briefs/index.html").is_file()
    for url in READER_PAGES:
        assert not [a for a in page(site, url).select("nav a[href]") if "writing-briefs" in a["href"]], url
    assert "data-search-body" not in (site.root / "site/writing-briefs/index.html").read_text(encoding="utf-8")


def test_home_page_leads_with_the_newest_brief(site):
    entries = page(site, "").select(".brief-list-home > .brief-entry")
    assert len(entries) == 4
    assert entries[0].select_one(".brief-entry-title").get_text().startswith("In Brief: North Korea Plans")


def test_a_series_label_is_not_repeated_above_a_title_that_starts_with_it(site):
    summary = page(site, "2025/12/munitions-expansion-summary").select_one("article.brief")
    assert summary.select_one(".brief-series") is None
    assert page(site, BRIEF).select_one("article.brief .brief-series").get_text() == "Quick Take"
    first = page(site, "").select(".brief-list-home > .brief-entry")[0]
    assert first.select_one(".brief-series") is None
