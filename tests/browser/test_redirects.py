"""Old addresses keep working in a real browser: a moved page's static redirect, and WordPress's short
links (/?p=358), which reach a static site's home page and are forwarded from there (redirects.py)."""

from __future__ import annotations

import pytest
from browser_support import CHROMIUM_ARGS, SiteServer, Trouble, chromium_path
from playwright.sync_api import sync_playwright

from conftest import VALID_BRIEF, make_project


@pytest.fixture(scope="module")
def served(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("redirects"), shared_cache)
    mkdocs = project.root / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8").replace("    pdf: true", "    pdf: false"), encoding="utf-8")
    project.write("2024-04-29-test-brief.yml", VALID_BRIEF)
    (project.root / "redirects.yml").write_text(
        '"/2024/04/29/test-brief/": "/2024/04/test-brief/"\n"/?p=358": "/2024/04/test-brief/"\n', encoding="utf-8")
    result = project.run()
    assert result.returncode == 0, result.stderr
    server = SiteServer(project.root / "site")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.mark.parametrize("old", ["2024/04/29/test-brief/", "?p=358"])
def test_an_old_address_opens_the_brief(browser, served, old):
    page = browser.new_page()
    trouble = Trouble()
    trouble.watch(page)
    page.goto(served.url(old))
    page.wait_for_url(served.url("2024/04/test-brief/"), timeout=10_000)
    assert page.locator("article h1").inner_text() == "A test brief"
    # leaving a page aborts what it was still loading (its logo, say): that is the forwarding, not a fault
    problems = [p for p in trouble.problems if "net::ERR_ABORTED" not in p]
    assert not problems, problems
    page.close()


def test_a_query_that_is_not_a_short_link_stays_on_the_page(browser, served):
    page = browser.new_page()
    page.goto(served.url("?q=missiles"))
    page.wait_for_timeout(500)
    assert page.url == served.url("?q=missiles")
    page.close()
