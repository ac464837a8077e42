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


@pytest.mark.parametrize("url, tab", [("", "Home"), ("series", "Series"), ("series/quick-take", "Series"),
                                      ("topics/economy", "Topics"), ("authors/jordan-park", "Authors"),
                                      ("archive/2025/12", "Archive"), ("about", "About"), (BRIEF, None)])
def test_the_tab_of_the_section_a_page_is_in_is_marked(site, url, tab):
    active = [li.get_text(strip=True) for li in page(site, url).select(".md-tabs__item--active")]
    assert active == ([tab] if tab else [])


def test_the_editors_guide_is_on_the_site_but_not_in_navigation_or_search(site):
    assert (site.root / "site/writing-briefs/index.html").is_file()
    for url in READER_PAGES:
        assert not [a for a in page(site, url).select("nav a[href]") if "writing-briefs" in a["href"]], url
    assert "data-search-body" not in (site.root / "site/writing-briefs/index.html").read_text(encoding="utf-8")


def test_home_page_leads_with_the_newest_brief(site):
    entries = page(site, "").select(".brief-list-home > .brief-entry")
    assert len(entries) == len(list((site.root / "briefs").glob("20*.yml")))
    assert entries[0].select_one(".brief-entry-title").get_text().startswith("In Brief: North Korea Plans")


def test_a_series_label_is_not_repeated_above_a_title_that_starts_with_it(site):
    # the label stays in the page above the title (the brief format says so), marked to be hidden
    summary = page(site, "2025/12/munitions-expansion-summary").select_one("article.brief")
    assert summary.select_one(".brief-series")["class"] == ["brief-series", "brief-series-repeated"]
    assert page(site, BRIEF).select_one("article.brief .brief-series")["class"] == ["brief-series"]
    first = page(site, "").select(".brief-list-home > .brief-entry")[0]
    assert "brief-series-repeated" in first.select_one(".brief-series")["class"]
    css = (site.root / "docs/assets/briefs.css").read_text(encoding="utf-8")
    assert ".brief-series-repeated { display: none; }" in css


# ---- reader actions -------------------------------------------------------------------------------

NEWS = "2025/12/munitions-modernization"


def test_share_links_are_plain_urls_to_the_page(site):
    soup = page(site, BRIEF)
    links = {a.get_text(): a["href"] for a in soup.select(".brief-share a")}
    url = "https%3A//briefs.example.org/2024/04/defence-industrial-enterprise/"
    assert set(links) == {"E-mail", "Bluesky", "X", "LinkedIn", "Facebook"}
    assert links["E-mail"].startswith("mailto:?subject=") and url in links["E-mail"]
    assert links["LinkedIn"] == f"https://www.linkedin.com/sharing/share-offsite/?url={url}"
    # no third-party script on the page
    assert all(not s.get("src", "").startswith("http") for s in soup.find_all("script"))


def test_support_block_where_the_body_places_it_and_not_in_print(site):
    from pypdf import PdfReader

    article = page(site, NEWS).select_one("article.brief .brief-body")
    support = article.select_one(".brief-support")
    assert "Independent analysis depends on its readers" in support.get_text()
    before = [p.get_text() for p in support.find_all_previous("p") if p.find_parent(class_="brief-body")]
    assert any("five-year plan" in text for text in before)  # after the second paragraph, as written
    assert support.find_next("figure") is not None
    assert support.select_one("a")["href"] == "../../../about/#support"
    reader = PdfReader(site.root / "site" / NEWS / "munitions-modernization.pdf")
    pdf = "".join(p.extract_text() for p in reader.pages)
    assert "Independent analysis" not in pdf and "[support]" not in pdf


def test_support_for_a_whole_series_and_a_marker_without_a_block_is_an_error(project):
    from conftest import VALID_BRIEF

    series = (project.briefs / "series.yml").read_text()
    project.write("series.yml", series.replace("quick-take:\n", "quick-take:\n  support: true\n", 1), dedent=False)
    project.write("2024-04-29-test-brief.yml", VALID_BRIEF)
    assert project.run().returncode == 0
    body = BeautifulSoup((project.root / "site/2024/04/test-brief/index.html").read_text(encoding="utf-8"),
                         "html.parser").select_one(".brief-body")
    assert body.find_all(recursive=False)[-1].get("class") == ["brief-support"]  # the body ends with it
    config = (project.root / "mkdocs.yml").read_text()
    start = config.index("    support:")
    end = config.index("url: about/#support", start) + len("url: about/#support")
    (project.root / "mkdocs.yml").write_text(config[:start] + config[end:])
    text = VALID_BRIEF.replace("  Text with a note.", "  Text with a note.\n\n  [support]\n\n  More.")
    project.write("2024-04-29-test-brief.yml", text)
    result = project.run()
    line = text.splitlines().index("  [support]") + 1
    assert result.returncode == 1
    assert result.stderr.strip() == (
        f"briefs/2024-04-29-test-brief.yml:{line}:3: error: [support] places the support block, but none is set "
        "(set extra.briefkit.support (text, link_text, url) in mkdocs.yml, or remove the line)")


def test_newsletter_form_from_mkdocs_yml_replaces_the_call_to_action(project):
    from conftest import VALID_BRIEF

    config = (project.root / "mkdocs.yml").read_text()
    (project.root / "mkdocs.yml").write_text(config.replace("  briefkit:\n", (
        "  briefkit:\n    newsletter:\n      action: https://lists.example.org/subscribe\n"
        "      text: One e-mail a week with the new briefs.\n      email_field: EMAIL\n"
        "      hidden: {list: briefs}\n"), 1))
    project.write("2024-04-29-test-brief.yml", VALID_BRIEF)
    result = project.run()
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((project.root / "site/2024/04/test-brief/index.html").read_text(encoding="utf-8"),
                         "html.parser")
    form = soup.select_one("form.brief-newsletter-form")
    assert form["action"] == "https://lists.example.org/subscribe" and form["method"] == "post"
    assert form.select_one("input[type=email]")["name"] == "EMAIL"
    assert form.select_one("input[type=hidden]")["name"] == "list"
    assert soup.select_one("label[for=newsletter-email]") is not None
    assert soup.select_one(".brief-cta") is None
    assert "One e-mail a week with the new briefs." in soup.select_one(".brief-newsletter").get_text()


# ---- image credits --------------------------------------------------------------------------------

def test_credits_as_the_editor_writes_them_on_the_page_and_in_the_pdf(project):
    from pypdf import PdfReader

    project.write("2024-04-29-credits.yml", """\
        title: Credits
        series: quick-take
        date: 2024-04-29
        authors: [jordan-park]
        image:
          file: images/2025-12-components.svg
          alt: Components
          credit: Airbus DS
          credit_format: "© 2024 {credit}"
        figures:
          site:
            file: images/2025-12-components.svg
            alt: The site
            credit: Planet Labs
            credit_line: Planet Labs PBC / 38 North
          plain:
            file: images/2025-12-components.svg
            alt: Plain
            credit: KCNA
        body: |
          Text.

          [figure: site]

          [figure: plain]
        """)
    result = project.run()
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((project.root / "site/2024/04/credits/index.html").read_text(encoding="utf-8"), "html.parser")
    credits = [c.get_text() for c in soup.select("figure .credit")]
    assert credits == ["© 2024 Airbus DS", "Planet Labs PBC / 38 North", "(Source: KCNA)"]
    pdf = "".join(p.extract_text() for p in PdfReader(project.root / "site/2024/04/credits/credits.pdf").pages)
    for credit in credits:
        assert credit in pdf


def test_a_credit_format_without_its_place_for_the_credit_is_an_error(project):
    project.write("2024-04-29-credits.yml", """\
        title: Credits
        series: quick-take
        date: 2024-04-29
        authors: [jordan-park]
        image:
          file: images/2025-12-components.svg
          alt: Components
          credit: Airbus DS
          credit_format: "© 2024 Airbus"
        body: Text.
        """)
    errors = project.errors()
    assert len(errors) == 1 and errors[0].startswith("briefs/2024-04-29-credits.yml:9:18: error:")
    assert "{credit}" in errors[0]


# ---- embeds ----------------------------------------------------------------------------------------

EMBEDS = """\
    title: Embeds
    series: quick-take
    date: 2024-04-29
    authors: [jordan-park]
    figures:
      chart:
        embed: https://datawrapper.dwcdn.net/Ab3dE/4/
        alt: Missile launches by year
        caption: Launches since 2012.
        credit: 38 North
      map:
        embed: https://public.flourish.studio/visualisation/123456/
        alt: Munitions plants
        credit: Flourish
      video:
        embed: https://www.youtube.com/watch?v=dQw4w9WgXcQ
        alt: Parade footage
        credit: KCTV
    body: |
      Text.

      [figure: chart]

      [figure: map]

      [figure: video]

      <iframe src="https://evil.example.org/x"></iframe>
    """


def test_allowed_embeds_are_shown_and_print_says_where_they_are(project):
    from pypdf import PdfReader

    project.write("2024-04-29-embeds.yml", EMBEDS)
    result = project.run()
    assert result.returncode == 0, result.stderr
    soup = BeautifulSoup((project.root / "site/2024/04/embeds/index.html").read_text(encoding="utf-8"), "html.parser")
    frames = [(f["src"], f["title"]) for f in soup.select("article iframe")]
    assert frames == [("https://datawrapper.dwcdn.net/Ab3dE/4/", "Missile launches by year"),
                      ("https://flo.uri.sh/visualisation/123456/embed", "Munitions plants"),
                      ("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", "Parade footage")]
    assert "evil.example.org" not in str(soup)  # any other iframe is still removed
    pdf = "".join(p.extract_text() for p in PdfReader(project.root / "site/2024/04/embeds/embeds.pdf").pages)
    assert "Missile launches by year" in pdf and "https://datawrapper.dwcdn.net/Ab3dE/4/" in pdf.replace("\n", "")


def test_an_embed_not_on_the_allow_list_or_with_a_file_is_an_error(project):
    text = EMBEDS.replace("https://public.flourish.studio/visualisation/123456/", "https://evil.example.org/chart")
    text = text.replace("        embed: https://www.youtube.com/watch?v=dQw4w9WgXcQ",
                        "        embed: https://www.youtube.com/watch?v=dQw4w9WgXcQ\n        file: images/x.png")
    project.write("2024-04-29-embeds.yml", text)
    errors = project.errors()
    assert any(":12:12: error: 'figures.map.embed' is not an address of an allowed embed" in e for e in errors), errors
    assert any(":15:3: error: 'figures.video' needs either a file (an image) or an embed" in e for e in errors), errors


def test_a_long_report_may_opt_in_to_a_contents_box(project):
    from conftest import VALID_BRIEF

    project.write("2024-04-29-report.yml", """\
        title: A long report
        series: quick-take
        date: 2024-04-29
        authors: [jordan-park]
        contents: true
        body: |
          ## First part

          Text.

          ## Second part

          More text.
        """)
    project.write("2024-04-29-test-brief.yml", VALID_BRIEF)
    result = project.run()
    assert result.returncode == 0, result.stderr
    report_page = page(project, "2024/04/report")
    assert not report_page.select_one(".md-sidebar--secondary").has_attr("hidden")
    assert [a.get_text(strip=True) for a in report_page.select(".md-sidebar--secondary .md-nav__link")][:2] == \
        ["First part", "Second part"]
    assert page(project, "2024/04/test-brief").select_one(".md-sidebar--secondary").has_attr("hidden")
