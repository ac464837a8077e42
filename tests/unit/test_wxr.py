"""The first stage of the WordPress import (issue 20): reading an export (WXR) and finding each post's
notes in every form WordPress sites write them. Tested on WordPress's own theme unit test export and
on exports written here, one per footnote style, in the form WordPress's exporter gives them."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from briefkit.wp_notes import MARKER_PATTERN, find_notes
from briefkit.wxr import WxrError, read_wxr

WPTT = Path(__file__).resolve().parents[1] / "data" / "wordpress" / "themeunittestdata.wordpress.xml"
NS = {"excerpt": "http://wordpress.org/export/1.2/excerpt/", "content": "http://purl.org/rss/1.0/modules/content/",
      "wfw": "http://wellformedweb.org/CommentAPI/", "dc": "http://purl.org/dc/elements/1.1/",
      "wp": "http://wordpress.org/export/1.2/"}


def write_export(path: Path, posts: list[dict]) -> Path:
    """A WXR 1.2 file as WordPress's exporter writes it (texts in CDATA), with `posts`."""
    def el(parent, tag: str, text: str | None = None, cdata: bool = False, **attrs):
        prefix, _, name = tag.rpartition(":")
        node = etree.SubElement(parent, f"{{{NS[prefix]}}}{name}" if prefix else name, **attrs)
        if text is not None:
            node.text = etree.CDATA(text) if cdata else text
        return node

    rss = etree.Element("rss", nsmap=NS, version="2.0")
    channel = el(rss, "channel")
    el(channel, "title", "A Think Tank")
    el(channel, "link", "https://example.org")
    el(channel, "language", "en-US")
    el(channel, "wp:wxr_version", "1.2")
    el(channel, "wp:base_site_url", "https://example.org")
    el(channel, "wp:base_blog_url", "https://example.org")
    author = el(channel, "wp:author")
    el(author, "wp:author_login", "rlee", cdata=True)
    el(author, "wp:author_display_name", "Rachel Minyoung Lee", cdata=True)
    for n, post in enumerate(posts, start=1):
        item = el(channel, "item")
        el(item, "title", post.get("title", f"Post {n}"))
        el(item, "link", f"https://example.org/2024/05/post-{n}/")
        el(item, "dc:creator", "rlee", cdata=True)
        el(item, "content:encoded", post["content"], cdata=True)
        el(item, "excerpt:encoded", post.get("excerpt", ""), cdata=True)
        el(item, "wp:post_id", str(post.get("id", 100 + n)))
        el(item, "wp:post_date", "2024-05-01 09:30:00", cdata=True)
        el(item, "wp:post_date_gmt", "2024-05-01 13:30:00", cdata=True)
        el(item, "wp:post_name", f"post-{n}", cdata=True)
        el(item, "wp:status", post.get("status", "publish"), cdata=True)
        el(item, "wp:post_parent", "0")
        el(item, "wp:post_type", post.get("type", "post"), cdata=True)
        if "attachment_url" in post:
            el(item, "wp:attachment_url", post["attachment_url"], cdata=True)
        el(item, "category", "Quick Take", cdata=True, domain="category", nicename="quick-take")
        el(item, "category", "Nuclear", cdata=True, domain="post_tag", nicename="nuclear")
        for key, value in post.get("meta", {}).items():
            meta = el(item, "wp:postmeta")
            el(meta, "wp:meta_key", key, cdata=True)
            el(meta, "wp:meta_value", value, cdata=True)
    path.write_bytes(etree.tostring(rss, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return path


# ---- reading an export --------------------------------------------------------------------------

def test_wordpress_theme_unit_test_export_is_read_whole():
    site = read_wxr(WPTT)
    assert site.title == "Theme Unit Test Data" and site.link == "https://wpthemetestdata.wordpress.com"
    assert set(site.authors) == {"themedemos", "themereviewteam"}
    assert site.authors["themereviewteam"].display_name == "Theme Reviewer"
    kinds = {(i.type, i.status) for i in site.items}
    assert {("post", "publish"), ("post", "draft"), ("post", "future"), ("page", "publish"),
            ("attachment", "inherit")} <= kinds
    text = WPTT.read_text(encoding="utf-8")
    assert len(site.items) == text.count("<item>")
    post = site.by_id()[358]
    assert (post.title, post.slug, post.type, post.creator) == ("Post Format: Standard", "post-format-standard",
                                                                  "post", "themedemos")
    assert post.date == dt.datetime(2010, 10, 5, 0, 27, 25) and post.date_gmt == dt.datetime(2010, 10, 5, 7, 27, 25)
    assert post.content.startswith("All children, except one, grow up.") and "<!--more-->" in post.content
    # the item's line in the export, for the import report
    assert text.splitlines()[post.line - 1].strip() == "<item>"
    assert "<wp:post_id>358</wp:post_id>" in "\n".join(text.splitlines()[post.line - 1: post.line + 40])


def test_terms_excerpt_thumbnail_and_attachments_are_kept():
    site = read_wxr(WPTT)
    with_thumbnail = [i for i in site.items if i.thumbnail_id]
    assert with_thumbnail, "the theme unit test has featured images"
    attachments = site.by_id()
    for item in with_thumbnail:
        target = attachments.get(item.thumbnail_id)
        if target is not None:
            assert target.type == "attachment" and target.attachment_url.startswith("http")
    tagged = [i for i in site.items if i.tags and i.categories]
    assert tagged and all(t.nicename for i in tagged for t in i.terms)
    assert any(i.excerpt for i in site.items if i.type == "post")
    draft = next(i for i in site.items if i.status == "draft")
    assert draft.date_gmt is None or isinstance(draft.date_gmt, dt.datetime)


@pytest.mark.parametrize(("text", "message", "line"), [
    ("<rss><channel><title>x</title></channel></rss>", "no wp:wxr_version", 1),
    ("<html><body>not an export</body></html>", "has no <rss><channel>", 1),
    ("<rss>\n<channel>\n<item>\n</rss>", "not a readable XML file", 4),
])
def test_a_file_that_is_not_an_export_is_an_error_with_its_line(tmp_path, text, message, line):
    path = tmp_path / "export.xml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(WxrError) as err:
        read_wxr(path)
    assert message in str(err.value) and err.value.line == line


# ---- notes in every style -----------------------------------------------------------------------

FOOTNOTES_BLOCK = (
    '<!-- wp:paragraph -->\n<p>The test site was expanded.<sup data-fn="5a7c" class="fn"><a href="#5a7c" '
    'id="5a7c-link">1</a></sup> Work continued at night.<sup data-fn="9e01" class="fn"><a href="#9e01" '
    'id="9e01-link">2</a></sup></p>\n<!-- /wp:paragraph -->\n\n<!-- wp:footnotes /-->')
WORD_NUMBERED = (
    '<p>Kim visited the plant.<a href="#_ftn1" name="_ftnref1"><sup>[1]</sup></a> Output rose.'
    '<a href="#_ftn2" name="_ftnref2"><sup>[2]</sup></a> It rose again.[1]</p>\n<hr />\n'
    '<p><a href="#_ftnref1" name="_ftn1">[1]</a> “Kim Jong Un Inspects,” <em>KCNA</em>, May 2, 2024.</p>\n'
    '<p><a href="#_ftnref2" name="_ftn2">[2]</a> See <a href="https://www.38north.org/">38 North</a>.</p>')
CLASSIC_NUMBERED = (
    "The plenum set new goals.[1] They were repeated in June.[2]\n\n"
    "Notes\n\n[1] Report of the plenum, KCNA, January 1, 2024.\n\n[2] Rodong Sinmun, June 30, 2024.")


@pytest.mark.parametrize(("content", "meta", "style", "texts"), [
    (FOOTNOTES_BLOCK, {"footnotes": json.dumps([{"content": "Satellite imagery, <em>May 2024</em>.", "id": "5a7c"},
                                                {"content": "Night imagery.", "id": "9e01"}])},
     "footnotes-block", ["Satellite imagery, <em>May 2024</em>.", "Night imagery."]),
    ("Missiles were shown.[efn_note]KCNA, May 1.[/efn_note] Shells too.[efn_note]Ibid.[/efn_note]", {},
     "efn_note", ["KCNA, May 1.", "Ibid."]),
    ('Missiles were shown.[mfn referencenumber="1"]KCNA, May 1.[/mfn] Shells too.[mfn]Rodong.[/mfn]', {},
     "mfn", ["KCNA, May 1.", "Rodong."]),
    ("Missiles were shown.((KCNA, May 1.)) Shells (the 152 mm kind) too.((Rodong Sinmun.))", {},
     "parentheses", ["KCNA, May 1.", "Rodong Sinmun."]),
    (WORD_NUMBERED, {}, "numbered",
     ["“Kim Jong Un Inspects,” <em>KCNA</em>, May 2, 2024.", 'See <a href="https://www.38north.org/">38 North</a>.']),
    (CLASSIC_NUMBERED, {}, "numbered",
     ["Report of the plenum, KCNA, January 1, 2024.", "Rodong Sinmun, June 30, 2024."]),
])
def test_each_footnote_style_is_found_in_an_export(tmp_path, content, meta, style, texts):
    export = write_export(tmp_path / "export.xml", [{"content": content, "meta": meta}])
    [post] = read_wxr(export).items
    found = find_notes(post.content, post.meta)
    assert [n.html for n in found.notes] == texts
    assert {n.style for n in found.notes} == {style}
    assert found.problems == []
    # every note has its marker in the text, in order; no trace of the original syntax is left
    markers = [int(m) for m in MARKER_PATTERN.findall(found.html)]
    assert list(dict.fromkeys(markers)) == list(range(1, len(texts) + 1))  # numbered by first reference
    for leftover in ("[efn_note", "[mfn", "((", "data-fn", "wp:footnotes", "[1]", "[2]", "_ftn"):
        assert leftover not in found.html, leftover
    assert "Notes" not in found.html.split("BRIEFKITNOTE")[-1]


def test_a_second_reference_to_a_numbered_note_is_the_same_note():
    found = find_notes(WORD_NUMBERED)
    assert MARKER_PATTERN.findall(found.html) == ["1", "2", "1"]


@pytest.mark.parametrize(("content", "meta", "problem"), [
    (FOOTNOTES_BLOCK, {"footnotes": json.dumps([{"content": "Only one.", "id": "5a7c"}])},
     "a footnote marker (9e01) has no text"),
    (FOOTNOTES_BLOCK, {"footnotes": "{not json"}, "could not be read"),
    ("Text.[1] More.[3]\n\n[1] One.\n\n[2] Two.", {}, "note [3] in the text has no text at the end"),
    ("Text.[1] More.\n\n[1] One.\n\n[2] Two.", {}, "note [2] at the end is never referred to in the text"),
    ("Text.[efn_note] [/efn_note] More.", {}, "an empty [efn_note] note"),
])
def test_what_cannot_be_matched_is_reported_and_stays_visible(content, meta, problem):
    found = find_notes(content, meta)
    assert any(problem in p for p in found.problems), found.problems
    visible = re.sub(r"<[^>]+>", "", found.html)
    assert any(s in visible for s in ("[3]", "[2] Two.", "[efn_note]", "9e01", "1")), visible


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(
    st.text(alphabet=st.characters(blacklist_characters="[]()<>\n\r", blacklist_categories=("Cs",)),
            min_size=1, max_size=30).filter(lambda s: s.strip()),
    st.sampled_from(["efn_note", "mfn", "parentheses"])), min_size=1, max_size=8))
def test_any_shortcode_notes_come_out_in_order_with_their_text(notes):
    wrap = {"efn_note": "[efn_note]{}[/efn_note]", "mfn": "[mfn]{}[/mfn]", "parentheses": "(({}))"}
    html = "".join(f"Sentence {i}." + wrap[style].format(text) for i, (text, style) in enumerate(notes))
    found = find_notes(html)
    assert [n.html for n in found.notes] == [text.strip() for text, _ in notes]
    assert MARKER_PATTERN.findall(found.html) == [str(i) for i in range(1, len(notes) + 1)]
    assert found.problems == []


# ---- paragraphs, and what has no Markdown form ---------------------------------------------------

from briefkit.wp_html import ASIDE_PATTERN, autop, flat_cells, set_aside  # noqa: E402


def restore(html: str, asides) -> str:
    sources = {a.number: a.source for a in asides}
    return ASIDE_PATTERN.sub(lambda m: sources[int(m.group(1))], html)


def test_classic_posts_get_paragraphs_as_wordpress_shows_them():
    html = autop("First line\nsecond line\n\nSecond paragraph.\n\n<pre>code\n\nstays</pre>\n\n<ul>\n<li>a</li>\n</ul>")
    assert html == ("<p>First line<br />\nsecond line</p>\n\n<p>Second paragraph.</p>\n\n<pre>code\n\nstays</pre>"
                    "\n\n<ul>\n<li>a</li>\n</ul>")
    block = "<!-- wp:paragraph -->\n<p>Already\nfine.</p>\n<!-- /wp:paragraph -->"
    assert autop(block) == block


def test_everything_without_a_markdown_form_is_set_aside_in_the_theme_unit_test():
    kinds = set()
    for item in read_wxr(WPTT).items:
        if item.type not in ("post", "page"):
            continue
        html, asides = set_aside(autop(item.content))
        kinds |= {a.kind for a in asides}
        for leftover in ("<script", "<iframe", "<form", "<video", "<audio", "<object"):
            assert leftover not in html.lower(), (item.id, leftover)
        assert not re.search(r"<!--\s*wp:(?!more|nextpage|footnotes)[a-z0-9/-]+[^>]*/-->", html), item.id
        # nothing is lost: the pieces set aside put back give the post (less its teaser and page breaks)
        breaks = r"<!--\s*(?:more|nextpage|noteaser)\b[^>]*-->|<!--\s*wp:(?:more|nextpage|footnotes)\b[^>]*/-->"
        original = re.sub(breaks, "", autop(item.content))
        # (table cells are flattened, as a Markdown table needs: compared flattened on both sides)
        assert flat_cells(restore(html, asides)) == flat_cells(original), item.id
        assert [a.number for a in asides] == list(range(1, len(asides) + 1))
    assert {"figure", "image", "gallery", "caption", "video", "dynamic block latest-posts", "dynamic block search",
            "dynamic block calendar", "shortcode audio"} <= kinds


def test_a_plugins_shortcode_is_set_aside_but_bracketed_text_is_not():
    post = ('<p>He said [sic] it. [contact-form-7 id="12" title="Contact"] '
            '[tweet_box]Share this[/tweet_box] [caption id="a"]<img src="x.jpg"> Cap[/caption]</p>')
    html, asides = set_aside(post, figures=False)
    assert [a.kind for a in asides] == ["shortcode contact-form-7", "shortcode tweet_box"]
    assert "[sic]" in html and "[caption" in html  # text, and a figure (for the figures stage)
    html, asides = set_aside(post)  # until that stage exists, figures are marked too
    assert [a.kind for a in asides] == ["shortcode contact-form-7", "shortcode tweet_box", "caption"]
    assert "[sic]" in html


def test_a_script_inside_a_shortcode_goes_with_it():
    html, asides = set_aside("<p>A</p>[foo id=1]<script>x()</script>[/foo]<p>B</p>")
    assert [(a.kind, a.source) for a in asides] == [("shortcode foo", "[foo id=1]<script>x()</script>[/foo]")]
    assert html == "<p>A</p>BRIEFKITASIDE1X<p>B</p>"


_PIECES = st.sampled_from([
    "<p>Plain text.</p>", "<script>track()</script>", '<iframe src="https://x.example/"></iframe>',
    '[contact-form-7 id="3"]', "[sic]", "<!-- wp:latest-posts /-->", "<!--more-->", "<form><input name=q></form>",
    "[gallery ids=\"1,2\"]", "<p>Words [x_y]inside[/x_y] here.</p>", "<embed src=\"a.swf\">"])


@settings(max_examples=150, deadline=None)
@given(st.lists(_PIECES, max_size=12))
def test_setting_aside_never_loses_anything(pieces):
    html = "\n".join(pieces)
    out, asides = set_aside(html)
    assert restore(out, asides) == html.replace("<!--more-->", "")
    assert len(ASIDE_PATTERN.findall(out)) == len(asides)


def test_tables_become_markdown_tables_or_are_set_aside():
    from briefkit.wp_markdown import to_markdown

    post = ("<table>\n<tr><td><p>a</p>\n\n<p>b</p></td><td><ul><li>x</li><li>y</li></ul></td></tr>\n</table>"
            "\n\n<table><tr><td colspan=\"2\">merged</td></tr></table>")
    html, asides = set_aside(autop(post))
    assert [a.kind for a in asides] == ["table with merged or nested cells"]
    [markdown] = to_markdown([html])
    assert "| a b | x y |" in markdown and "[TABLE]" not in markdown
