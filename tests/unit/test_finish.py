"""Finishing a page (finish.py): editors' Markdown marked in an HTML page is converted where it stands,
a body with its notes in one pass, and the shortcut for plain text gives what Markdown gives."""

from __future__ import annotations

import html as html_lib
import re

import markdown
from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit.finish import (
    _PLAIN,
    FOOTNOTES_HERE,
    PAGE_EXTENSIONS,
    Finisher,
    deferred,
    expand,
    markdown_html,
    page_extension_configs,
)


def markdown_of(text: str) -> str:
    return markdown.Markdown(extensions=PAGE_EXTENSIONS, extension_configs=page_extension_configs()).convert(text)


WORD = st.text(alphabet=st.sampled_from("abcXYZ가나éß0123456789"), min_size=1, max_size=6)
GAP = st.text(alphabet=st.sampled_from(" ,;:?'\"’‘“”()\u2013\u2014%/.-*_#<&[]!`\n\\"), min_size=1, max_size=3)


@settings(max_examples=400, deadline=None)
@given(st.lists(st.tuples(WORD, GAP), min_size=1, max_size=8))
def test_the_plain_text_shortcut_gives_what_markdown_gives(parts):
    text = "".join(w + g for w, g in parts).strip()
    assert markdown_html(text) == markdown_of(text)
    inline = markdown_of(text)
    if inline.startswith("<p>") and inline.endswith("</p>") and inline.count("<p>") == 1:
        inline = inline[3:-4]
    assert markdown_html(text, inline=True) == inline


def test_the_shortcut_takes_ordinary_sentences():
    assert _PLAIN.fullmatch("Kim Jong Un’s “plan” for 2024 (the third) – 3/4 done, at 50%.")
    assert not _PLAIN.fullmatch("1. a list")
    assert not _PLAIN.fullmatch("Some *emphasis*")


def test_a_body_and_its_notes_are_converted_together_and_placed_apart():
    caption = deferred("inline", "A *caption* & more")
    figure = f'<figure>\n<img alt="" src="x.png">\n\n<figcaption>{caption}</figcaption>\n</figure>'
    body = (f"Text with a note.[^1] And AT&T <abbr>DPRK</abbr>.\n\n{figure}\n\n## A heading\n\n"
            "[^1]: The note, with *style*.\n")
    page = f'<div class="body">\n{deferred("body", body)}\n</div>\n<section>\n{FOOTNOTES_HERE}\n</section>\n' \
           f'<p class="x">{deferred("inline", "an _inline_ field")}</p>'
    out = expand(page)
    assert "briefkit-md" not in out and FOOTNOTES_HERE not in out
    body_html, notes_html = out.split("<section>")
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in body_html
    assert "AT&amp;T <abbr>DPRK</abbr>" in body_html
    assert "<figcaption>A <em>caption</em> &amp; more</figcaption>" in body_html
    assert '<h2 id="a-heading">A heading</h2>' in body_html
    assert 'id="fn:1"' not in body_html and '<li id="fn:1">' in notes_html
    assert "The note, with <em>style</em>." in notes_html
    assert out.endswith('<p class="x">an <em>inline</em> field</p>')


def test_a_body_without_notes_leaves_no_placeholder():
    out = expand(f'{deferred("body", "Just text.")}\n{FOOTNOTES_HERE}')
    assert out.strip() == "<p>Just text.</p>"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(WORD, GAP), min_size=1, max_size=8))
def test_plain_text_of_a_field_is_what_markdown_gives(parts):
    from briefkit.html import _convert, plain_text

    text = "".join(w + g for w, g in parts)
    slow = " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", _convert(text))).split())
    assert plain_text(text) == slow


def test_pages_waiting_for_the_finishers_workers_are_bounded(monkeypatch):
    """Pages are rendered faster than they are finished: past a few groups per worker, `add` waits
    (unbounded, the waiting pages were half of a 10,000-brief build's peak memory)."""
    monkeypatch.setattr("os.cpu_count", lambda: 2)
    finisher = Finisher(expected=1000)
    most = 0
    try:
        for i in range(400):
            finisher.add(f"2024/01/page-{i}.md", f"---\ntitle: Page {i}\n---\n\nWords of page {i}.\n")
            most = max(most, len(finisher._futures))
        made = finisher.results()
    finally:
        finisher.close()
    assert 0 < most <= Finisher.WAITING * 2
    assert len(made) == 400 and "Words of page 399" in made["2024/01/page-399.md"].text


SEGMENT = st.sampled_from(["a", "b", "2024", "04", "x-y", "..", "."])


@given(st.lists(SEGMENT, max_size=5), st.lists(SEGMENT, max_size=5), st.booleans(), st.booleans())
def test_relative_paths_are_posixpaths_own(path, start, path_slash, start_slash):
    """finish._relpath (links of every page) gives what posixpath.relpath gives for normalized paths."""
    import posixpath

    from briefkit.finish import _relpath

    norm = [posixpath.normpath("/".join(parts)) if parts else "" for parts in (path, start)]
    norm = ["" if p == "." else p for p in norm]
    if norm[0].startswith("..") or norm[1].startswith(".."):  # nothing of a site is above its root
        return  # (there relpath's answer depends on the folder the build runs in)
    expected = posixpath.relpath(norm[0] or ".", norm[1] or ".")
    # a page's URL ends with a slash (finish.page_url): the same path
    slashed = [p + "/" if p and slash else p for p, slash in zip(norm, (path_slash, start_slash), strict=True)]
    assert _relpath(*slashed) == expected
