"""Hostile content renders inert on the web page, in feeds and in the PDF."""

from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader

from conftest import assert_inert, make_project

HOSTILE = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=" alt="d">',
    '<iframe src="https://example.org"></iframe>',
    "<style>body{display:none}</style>",
    '<meta http-equiv="refresh" content="0;url=https://example.org">',
    '[link](javascript:alert(1))',
    '<div onclick="alert(1)">div</div>',
    "<svg onload=alert(1)></svg>",
]


def straight(text: str) -> str:
    """Text with its typographic quotes (briefkit/typography.py gives the editors' text those) made straight."""
    return text.translate(str.maketrans("‘’“”", "''\"\""))


def brief_with(payload: str) -> str:
    q = json.dumps  # a JSON string is a valid double-quoted YAML string
    return (
        f"title: {q('Title {{ 7*7 }} ' + payload)}\nseries: quick-take\ndate: 2024-04-29\nauthors: [jordan-park]\n"
        f"summary: {q('Summary ' + payload)}\n"
        f"image:\n  file: images/2025-12-components.svg\n  alt: {q('Alt ' + payload)}\n"
        f"  caption: {q('Caption ' + payload)}\n  credit: {q('Credit ' + payload)}\n"
        f"takeaways:\n  - {q('Takeaway ' + payload)}\n"
        f"body: |\n  Body {{% include 'x' %}} #set page(width: 1cm) {payload}[^a]\n\n  {payload}\n"
        f"notes:\n  a: {q('Note ' + payload + ' #eval(' + chr(34) + '1' + chr(34) + ')')}\n"
        f"disclaimer: {q('Disclaimer ' + payload)}\n")




@pytest.fixture(scope="module")
def built(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("hostile"), shared_cache)
    for i, payload in enumerate(HOSTILE):
        project.write(f"2024-04-{i + 1:02d}-hostile-{i}.yml", brief_with(payload).replace("2024-04-29",
                                                                                          f"2024-04-{i + 1:02d}"))
    authors = project.briefs / "authors.yml"
    authors.write_text(authors.read_text().replace("Jordan Park is a fictional analyst",
                                                   "Jordan <script>alert(2)</script> Park is a fictional analyst"))
    result = project.run()
    assert result.returncode == 0, result.stderr
    return project


@pytest.mark.parametrize("index", range(len(HOSTILE)))
def test_brief_page_is_inert(built, index):
    page = built.root / f"site/2024/04/hostile-{index}/index.html"
    html = page.read_text(encoding="utf-8")
    assert_inert(html)
    text = straight(BeautifulSoup(html, "html.parser").select_one("article").get_text())
    assert "Title {{ 7*7 }}" in text and "{% include 'x' %}" in text  # template syntax printed literally


def test_listing_feed_and_author_pages_are_inert(built):
    for path in ["index.html", "series/quick-take/index.html", "authors/jordan-park/index.html",
                 "topics/index.html"]:
        assert_inert((built.root / "site" / path).read_text(encoding="utf-8"))
    import feedparser

    feed = feedparser.parse((built.root / "site/feed.xml").read_bytes())
    for entry in feed.entries:
        assert_inert(entry.content[0].value)


def test_head_metadata_is_escaped(built):
    soup = BeautifulSoup((built.root / "site/2024/04/hostile-0/index.html").read_text(), "html.parser")
    for script in soup.find_all("script"):
        source = script.string or ""
        if script.get("type") == "application/ld+json":
            assert "<" not in source  # data only: the title is a JSON string with < escaped
            assert straight(json.loads(source)["headline"]) == "Title {{ 7*7 }} <script>alert('x')</script>"
        else:
            assert "alert(" not in source
    title = soup.find("meta", property="og:title")["content"]
    assert straight(title) == "Title {{ 7*7 }} <script>alert('x')</script>"  # an attribute value, escaped in the HTML


def test_typst_markup_in_fields_is_printed_not_run(built):
    pdf = PdfReader(built.root / "site/2024/04/hostile-0/hostile-0.pdf")
    text = straight("".join(p.extract_text() for p in pdf.pages))
    assert "#set page(width: 1cm)" in text and '#eval("1")' in text
    assert "{{ 7*7 }}" in text
