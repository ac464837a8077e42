"""`python build.py import wordpress` (issue 20, in progress): WordPress's theme unit test export and
exports written here, one per footnote style, imported into a project, checked and built."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import make_project

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "unit"))
from test_wxr import (  # noqa: E402  (the exports the unit tests write, one per footnote style)
    CLASSIC_NUMBERED,
    FOOTNOTES_BLOCK,
    WORD_NUMBERED,
    WPTT,
    write_export,
)

MARK = re.compile(r"^ *(`{3,})wordpress-import [^\n]*\n.*?^ *\1 *$\n?", re.M | re.S)


def run(project, *args: str) -> subprocess.CompletedProcess:
    return project.run(*args)


def no_pdf(project) -> None:
    mkdocs = project.root / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8").replace("    pdf: true", "    pdf: false"), encoding="utf-8")


@pytest.fixture(scope="module")
def wptt(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("wptt"), shared_cache)
    no_pdf(project)
    result = run(project, "import", "wordpress", str(WPTT))
    assert result.returncode == 0, result.stderr
    return project, result


def test_every_published_and_unpublished_post_becomes_a_brief(wptt):
    project, result = wptt
    assert result.stdout.startswith("Wrote 58 briefs (0 existing left alone) and ")
    briefs = {p.name: yaml.safe_load(p.read_text(encoding="utf-8")) for p in project.briefs.glob("20*.yml")}
    assert len(briefs) == 58
    standard = briefs["2010-10-05-post-format-standard.yml"]
    assert standard["title"] == "Post Format: Standard" and standard["authors"] == ["theme-buster"]
    assert standard["body"].startswith("All children, except one, grow up.")
    assert "status" not in standard  # published
    statuses = {b["title"]: b.get("status", "published") for b in briefs.values()}
    assert statuses["Draft"] == "draft" and statuses["Scheduled"] == "ready"
    scheduled = next(b for b in briefs.values() if b["title"] == "Scheduled")
    assert re.fullmatch(r"\d\d:\d\d", scheduled["time"]) and re.fullmatch(r"[+-]\d\d:\d\d", scheduled["timezone"])
    authors = yaml.safe_load((project.briefs / "authors.yml").read_text(encoding="utf-8"))
    assert authors["theme-buster"] == {"name": "Theme Buster"} and "jordan-park" in authors  # added, none lost


def test_check_fails_only_at_the_marked_blocks_and_each_is_in_the_report(wptt):
    project, _ = wptt
    check = run(project, "check")
    errors = check.stderr.strip().splitlines()
    assert check.returncode == 1 and errors
    assert all("the WordPress import could not convert this" in e for e in errors), \
        [e for e in errors if "could not convert" not in e][:5]
    report = (project.root / "wordpress-import-report.md").read_text(encoding="utf-8")
    rows = [line for line in report.splitlines() if re.match(r"\| \d+ \|", line)]
    marked = [row for row in rows if "| not converted: " in row]
    assert len(marked) == len(errors)
    # each row's place is the marked block's line, as check reports it
    places = {e.split(": error:")[0].rsplit(":", 1)[0] for e in errors}
    assert {row.rsplit("|", 2)[1].strip() for row in marked} == places


def test_once_the_marked_blocks_are_rewritten_the_imported_site_builds(wptt, tmp_path, shared_cache):
    project, _ = wptt
    for path in project.briefs.glob("20*.yml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        body = MARK.sub("", data["body"]).strip() or "Nothing was left of this post."
        path.write_text(path.read_text(encoding="utf-8").split("body: |", 1)[0] + yaml.safe_dump(
            {"body": body + "\n", **({"notes": data["notes"]} if data.get("notes") else {})},
            allow_unicode=True, width=100), encoding="utf-8")
    check = run(project, "check")
    assert check.returncode == 0, check.stderr[:3000]
    build = run(project)
    assert build.returncode == 0, build.stderr[:3000]
    page = project.root / "site/2010/10/post-format-standard/index.html"
    text = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article").get_text(" ")
    assert "Two is the beginning of the end." in " ".join(text.split())
    # every old address keeps working: the post's own (WordPress had the day in it), archives, feeds
    site = project.root / "site"
    new = "https://briefs.example.org/2010/10/post-format-standard/"
    for old in ("2010/10/05/post-format-standard", "category/classic", "tag/post-formats"):
        moved = BeautifulSoup((site / old / "index.html").read_text(encoding="utf-8"), "html.parser")
        canonical = moved.select_one('link[rel="canonical"]')["href"]
        refresh = moved.select_one('meta[http-equiv="refresh"]')["content"]
        assert refresh == f"0; url={canonical.removeprefix('https://briefs.example.org')}", old
        assert (site / canonical.removeprefix("https://briefs.example.org/") / "index.html").is_file(), canonical
    assert BeautifulSoup((site / "2010/10/05/post-format-standard/index.html").read_text(encoding="utf-8"),
                         "html.parser").select_one('link[rel="canonical"]')["href"] == new
    netlify = (site / "_redirects").read_text(encoding="utf-8").splitlines()
    assert "/2010/10/05/post-format-standard/ /2010/10/post-format-standard/ 301" in netlify
    assert "/ p=358 /2010/10/post-format-standard/ 301!" in netlify
    assert "/feed/ /feed.xml 301" in netlify
    # an attachment's page (a picture of a gallery post) leads to the post
    assert "/2010/09/10/post-format-gallery/canola2/ /2010/09/post-format-gallery/ 301" in netlify
    assert (site / "2010/09/10/post-format-gallery/canola2/index.html").is_file()
    assert "/ attachment_id=611 /2010/09/post-format-gallery/ 301!" in netlify
    assert_no_paragraph_lost(project)
    queries = json.loads((site / "redirects.json").read_text(encoding="utf-8"))
    assert queries["p=358"] == "/2010/10/post-format-standard/"
    # a draft has no old address to keep
    assert not any("draft" in line.split()[0] for line in netlify)


STYLES = {
    "footnotes-block": (FOOTNOTES_BLOCK, {"footnotes": '[{"content": "Satellite imagery, <em>May 2024</em>.", '
                                                       '"id": "5a7c"}, {"content": "Night imagery.", "id": "9e01"}]'},
                        ["Satellite imagery, May 2024.", "Night imagery."]),
    "efn_note": ("Missiles were shown.[efn_note]KCNA, May 1.[/efn_note] Shells too.[efn_note]Rodong.[/efn_note]",
                 {}, ["KCNA, May 1.", "Rodong."]),
    "mfn": ("Missiles were shown.[mfn]KCNA, May 1.[/mfn] Shells too.[mfn]Rodong.[/mfn]", {},
            ["KCNA, May 1.", "Rodong."]),
    "parentheses": ("Missiles were shown.((KCNA, May 1.)) Shells too.((Rodong.))", {}, ["KCNA, May 1.", "Rodong."]),
    "word": (WORD_NUMBERED, {}, ["“Kim Jong Un Inspects,” KCNA, May 2, 2024.", "See 38 North."]),
    "numbered": (CLASSIC_NUMBERED, {}, ["Report of the plenum, KCNA, January 1, 2024.",
                                        "Rodong Sinmun, June 30, 2024."]),
}


def test_each_footnote_style_gives_the_notes_on_the_page(tmp_path, shared_cache):
    (tmp_path / "p").mkdir()
    project = make_project(tmp_path / "p", shared_cache)
    no_pdf(project)
    posts = [{"title": f"Notes in the {style} style", "content": content, "meta": meta, "excerpt": "<p>Summary.</p>"}
             for style, (content, meta, _) in STYLES.items()]
    export = write_export(tmp_path / "export.xml", posts)
    result = run(project, "import", "wordpress", str(export))
    assert result.returncode == 0, result.stderr
    build = run(project)
    assert build.returncode == 0, build.stderr
    for n, (style, (_, _, notes)) in enumerate(STYLES.items(), start=1):
        page = project.root / f"site/2024/05/post-{n}/index.html"
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        shown = [" ".join(li.get_text(" ").replace("↩", "").split()) for li in soup.select(".footnote ol > li")]
        assert [s.replace(" ,", ",").replace(" .", ".") for s in shown] == notes, (style, shown)
        assert soup.select_one(".brief-summary").get_text(strip=True) == "Summary."


def test_the_import_never_overwrites_and_updates_only_what_it_wrote(tmp_path, shared_cache):
    (tmp_path / "p").mkdir()
    project = make_project(tmp_path / "p", shared_cache)
    export = write_export(tmp_path / "export.xml", [{"content": "First post."}, {"content": "Second post."}])
    assert run(project, "import", "wordpress", str(export)).returncode == 0
    first, second = project.briefs / "2024-05-01-post-1.yml", project.briefs / "2024-05-01-post-2.yml"
    edited = first.read_text(encoding="utf-8").replace("First post.", "First post, edited.")
    first.write_text(edited, encoding="utf-8")
    mapping = project.root / "wordpress-mapping.yml"
    mapping.write_text(mapping.read_text(encoding="utf-8").replace('"quick-take": quick-take', '"quick-take": news'),
                       encoding="utf-8")
    again = run(project, "import", "wordpress", str(export))
    assert again.returncode == 0, again.stderr
    assert first.read_text(encoding="utf-8") == edited  # the editor's change is kept
    assert yaml.safe_load(second.read_text(encoding="utf-8"))["series"] == "news"  # the mapping applied
    assert "2024-05-01-post-1.yml" in (project.root / "wordpress-import-report.md").read_text(encoding="utf-8")
    # a brief the import never wrote is never touched either
    (project.briefs / "2024-05-01-post-2.yml").write_text("title: Mine\n", encoding="utf-8")
    (project.root / ".wordpress-import.json").unlink()
    assert run(project, "import", "wordpress", str(export)).returncode == 0
    assert second.read_text(encoding="utf-8") == "title: Mine\n"


def test_a_file_that_is_not_an_export_is_an_error_line(tmp_path, shared_cache):
    (tmp_path / "p").mkdir()
    project = make_project(tmp_path / "p", shared_cache)
    bad = tmp_path / "export.xml"
    bad.write_text("<rss>\n<channel>\n<item>\n</rss>", encoding="utf-8")
    result = run(project, "import", "wordpress", str(bad))
    assert result.returncode == 1 and result.stderr.startswith(f"{bad}:4:1: error: not a readable XML file")
    assert "Traceback" not in result.stderr


def test_pictures_from_the_uploads_folder_become_figures_and_the_hero(tmp_path, shared_cache):
    from PIL import Image

    (tmp_path / "p").mkdir()
    project = make_project(tmp_path / "p", shared_cache)
    no_pdf(project)
    uploads = tmp_path / "wp-content" / "uploads"
    for name, colour in [("2024/05/Test Site.jpg", "olive"), ("2024/05/b.png", "navy"), ("2024/05/c.png", "teal"),
                         ("2024/05/g1.png", "red"), ("2024/05/g2.png", "blue"), ("2024/05/hero.jpg", "gray")]:
        (uploads / name).parent.mkdir(parents=True, exist_ok=True)
        Image.new("RGB", (640, 400), colour).save(uploads / name)
    site = "https://example.org/wp-content/uploads/2024/05/"
    content = (
        f'[caption id="attachment_5" align="alignnone" width="640"]<img src="{site}Test%20Site.jpg" '
        'alt="The test site" /> The test site in May. (Source: Airbus DS)[/caption]\n\n'
        f'<figure class="wp-block-image"><img src="{site}b.png" alt="A hall"/><figcaption>Photo: KCNA</figcaption>'
        '</figure>\n\n'
        f'<img src="{site}c.png" alt="No credit anywhere" />\n\n'
        '[gallery ids="201,202"]\n\n'
        '[embed]https://www.youtube.com/watch?v=dQw4w9WgXcQ[/embed]\n\nThe end.')
    attachment = {"type": "attachment", "status": "inherit", "content": ""}
    posts = [
        {"title": "Pictures", "content": content, "meta": {"_thumbnail_id": "203"}},
        {**attachment, "id": 201, "attachment_url": f"{site}g1.png", "excerpt": "Red. (Source: Planet Labs)",
         "meta": {"_wp_attachment_image_alt": "A red square"}},
        {**attachment, "id": 202, "attachment_url": f"{site}g2.png", "excerpt": "Blue. © 2024 Maxar",
         "meta": {"_wp_attachment_image_alt": "A blue square"}},
        {**attachment, "id": 203, "attachment_url": f"{site}hero.jpg", "excerpt": "The site from above (Source: CNES)",
         "meta": {"_wp_attachment_image_alt": "A grey field"}},
    ]
    export = write_export(tmp_path / "export.xml", posts)  # uploads/ is beside it: the default
    elsewhere = tmp_path / "elsewhere" / "export.xml"  # … or named with --uploads
    elsewhere.parent.mkdir()
    elsewhere.write_bytes(export.read_bytes())
    result = run(project, "import", "wordpress", str(elsewhere))
    assert result.returncode == 0, result.stderr
    assert "image" not in yaml.safe_load((project.briefs / "2024-05-01-post-1.yml").read_text(encoding="utf-8"))
    for path in [*project.briefs.glob("2024-*.yml"), project.root / ".wordpress-import.json"]:
        path.unlink()
    result = run(project, "import", "wordpress", str(elsewhere), "--uploads", str(uploads))
    assert result.returncode == 0, result.stderr
    brief = yaml.safe_load((project.briefs / "2024-05-01-post-1.yml").read_text(encoding="utf-8"))
    assert brief["image"] == {"file": "images/wp/2024/05/hero.jpg", "alt": "A grey field", "credit": "CNES",
                              "caption": "The site from above"}
    assert brief["figures"]["wp-1"] == {"file": "images/wp/2024/05/test-site.jpg", "alt": "The test site",
                                        "credit": "Airbus DS", "caption": "The test site in May."}
    assert brief["figures"]["wp-2"] == {"file": "images/wp/2024/05/b.png", "alt": "A hall", "credit": "KCNA"}
    assert brief["figures"]["wp-4-1"]["credit"] == "Planet Labs"
    assert brief["figures"]["wp-4-2"]["credit_line"] == "© 2024 Maxar"
    assert brief["figures"]["wp-5"]["embed"].startswith("https://www.youtube.com/")
    copied = project.briefs / "images/wp/2024/05/test-site.jpg"
    assert copied.read_bytes() == (uploads / "2024/05/Test Site.jpg").read_bytes()
    # the picture without a credit is a marked block, the only thing check reports
    check = run(project, "check")
    [error] = check.stderr.strip().splitlines()
    assert "could not convert this (a picture without a credit in its caption)" in error
    path = project.briefs / "2024-05-01-post-1.yml"
    path.write_text(MARK.sub("", path.read_text(encoding="utf-8")), encoding="utf-8")
    build = run(project)
    assert build.returncode == 0, build.stderr
    soup = BeautifulSoup((project.root / "site/2024/05/post-1/index.html").read_text(encoding="utf-8"), "html.parser")
    article = soup.select_one("article")
    assert len(article.select("figure img")) >= 5  # hero, three pictures, the gallery's two (the embed is a frame)
    assert "(Source: Airbus DS)" in article.get_text(" ") and article.select_one("iframe") is not None


def test_redirects_yml_problems_are_errors_at_their_lines(tmp_path, shared_cache):
    (tmp_path / "p").mkdir()
    project = make_project(tmp_path / "p", shared_cache)
    (project.root / "redirects.yml").write_text(
        "/old/: /2024/04/x/\nnot-a-path: /x/\n/other/: 12\n/about/: /x/\n", encoding="utf-8")
    check = run(project, "check")
    assert check.returncode == 1
    errors = check.stderr.strip().splitlines()
    assert errors[0] == "redirects.yml:2:1: error: 'not-a-path' is not a path of the site " \
                        "(old paths start with /, e.g. /2010/10/05/post/)"
    assert errors[1].startswith("redirects.yml:3:10: error: the new address of '/other/' must be a path")
    (project.root / "redirects.yml").write_text("/old/: /2024/04/x/\n/about/: /x/\n", encoding="utf-8")
    check = run(project, "check")
    assert check.stderr.strip() == ("redirects.yml:2:1: error: '/about/' is a page of the site: it cannot also be "
                                    "redirected (remove the line, or move the page)")


def _plain(text: str) -> str:
    """Text as a reader compares it: the site's typography (curly quotes, dashes) and spaces undone."""
    for fancy, plain in (("’", "'"), ("‘", "'"), ("“", '"'), ("”", '"'), ("–", "-"), ("—", "--"), ("…", "...")):
        text = text.replace(fancy, plain)
    return " ".join(text.split())


def generated_posts(count: int, seed: int = 20):
    """Posts written the ways WordPress stores them: classic (no <p>) or blocks, notes in every style,
    headings, lists, quotes, links, and pictures with their credit in the caption."""
    import random

    rng = random.Random(seed)
    words = ("missile plant shell output plenum Pyongyang factory test launch satellite imagery party "
             "congress defence sector Kim's state media army's \"new\" & reported quarter").split()
    styles = ["efn_note", "mfn", "parentheses", "numbered", "footnotes-block"]
    posts, expected = [], []
    for n in range(1, count + 1):
        style = styles[n % len(styles)]
        paragraphs = [" ".join(rng.choice(words) for _ in range(rng.randint(8, 30))).capitalize() + "."
                      for _ in range(rng.randint(2, 5))]
        notes = [f"Source {n}.{k}: {' '.join(rng.choice(words) for _ in range(6))}." for k in range(1, 3)]
        meta, ends = {}, ""
        refs = []
        for k, note in enumerate(notes, start=1):
            if style == "efn_note":
                refs.append(f"[efn_note]{note}[/efn_note]")
            elif style == "mfn":
                refs.append(f"[mfn]{note}[/mfn]")
            elif style == "parentheses":
                refs.append(f"(({note}))")
            elif style == "numbered":
                refs.append(f"[{k}]")
                ends += f"\n\n[{k}] {note}"
            else:
                refs.append(f'<sup data-fn="n{n}-{k}" class="fn"><a href="#n{n}-{k}" id="n{n}-{k}-link">{k}</a></sup>')
        if style == "footnotes-block":
            meta["footnotes"] = json.dumps([{"id": f"n{n}-{k}", "content": t} for k, t in enumerate(notes, start=1)])
        escaped = [p.replace("&", "&amp;") for p in paragraphs]
        body = [escaped[0] + refs[0], "<h2>What was shown</h2>", escaped[1] + refs[1],
                "<ul>\n<li>First item</li>\n<li>Second item</li>\n</ul>",
                f'<blockquote>A quoted line {n}.</blockquote>',
                f'[caption id="attachment_{n}"]<img src="https://example.org/wp-content/uploads/2024/05/p{n}.png" '
                f'alt="Picture {n}" /> Picture {n} of the site. (Source: Planet Labs)[/caption]',
                *escaped[2:]]
        if style == "footnotes-block":
            blocks = [f"<!-- wp:paragraph -->\n<p>{b}</p>\n<!-- /wp:paragraph -->" if not b.startswith(("<", "["))
                      else b for b in body]
            content = "\n\n".join(blocks) + "\n\n<!-- wp:footnotes /-->"
        else:
            content = "\n\n".join(body) + ends
        posts.append({"title": f"Generated post {n}", "content": content, "meta": meta})
        expected.append((paragraphs, notes))
    return posts, expected


def test_no_paragraph_note_or_picture_of_a_post_is_lost(tmp_path, shared_cache):
    from PIL import Image

    (tmp_path / "p").mkdir()
    project = make_project(tmp_path / "p", shared_cache)
    no_pdf(project)
    posts, expected = generated_posts(15)
    uploads = tmp_path / "wp-content" / "uploads" / "2024" / "05"
    uploads.mkdir(parents=True)
    for n in range(1, len(posts) + 1):
        Image.new("RGB", (600, 400), (n * 10, 80, 120)).save(uploads / f"p{n}.png")
    export = write_export(tmp_path / "export.xml", posts)
    result = run(project, "import", "wordpress", str(export))
    assert result.returncode == 0, result.stderr
    assert "0 things to look at" in (project.root / "wordpress-import-report.md").read_text(encoding="utf-8")
    build = run(project)
    assert build.returncode == 0, build.stderr
    for n, (paragraphs, notes) in enumerate(expected, start=1):
        soup = BeautifulSoup((project.root / f"site/2024/05/post-{n}/index.html").read_text(encoding="utf-8"),
                             "html.parser")
        article = _plain(soup.select_one(".brief-body").get_text(" "))
        for paragraph in paragraphs:
            assert _plain(paragraph) in article.replace(" .", "."), (n, paragraph)
        shown = [_plain(li.get_text(" ").replace("↩", "")) for li in soup.select(".footnote ol > li")]
        assert shown == [_plain(note) for note in notes], n
        assert [h.get_text(strip=True) for h in soup.select(".brief-body h2")] == ["What was shown"]
        assert [li.get_text(strip=True) for li in soup.select(".brief-body ul li")] == ["First item", "Second item"]
        assert f"A quoted line {n}." in soup.select_one(".brief-body blockquote").get_text(" ")
        [figure] = soup.select(".brief-body figure")
        assert figure.select_one("img")["alt"] == f"Picture {n}"
        assert _plain(figure.get_text(" ")).startswith(f"Picture {n} of the site. (Source: Planet Labs)")


def _words(text: str) -> str:
    import html

    return " ".join(re.findall(r"[A-Za-z0-9]+", _plain(html.unescape(text))))


def assert_no_paragraph_lost(project) -> None:
    """Every paragraph of every published post of the theme unit test (what is not a marked block)
    is in its page, word for word."""
    from briefkit.wp_figures import FIGURE_PATTERN, find_pictures
    from briefkit.wp_html import ASIDE_PATTERN, autop, set_aside
    from briefkit.wp_notes import MARKER_PATTERN, find_notes
    from briefkit.wxr import read_wxr

    site = read_wxr(WPTT)
    attachments = {i.id: i for i in site.items if i.type == "attachment"}
    written = {v["post"]: name for name, v in
               json.loads((project.root / ".wordpress-import.json").read_text(encoding="utf-8")).items()}
    compared, lost = 0, []
    for item in site.items:
        name = written.get(item.id)
        page = project.root / "site" / name[:4] / name[5:7] / name[11:-4] / "index.html" if name else None
        if page is None or not page.is_file():
            continue  # not a post, or a draft
        text = _words(BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser").select_one("article").get_text())
        html, _ = find_pictures(autop(find_notes(item.content, item.meta).html), attachments)
        html, _ = set_aside(html, figures=False)
        for paragraph in re.findall(r"<p\b[^>]*>(.*?)</p>", html, re.S):
            paragraph = FIGURE_PATTERN.sub(" ", ASIDE_PATTERN.sub(" ", MARKER_PATTERN.sub(" ", paragraph)))
            words = _words(re.sub(r"<[^>]+>", "", paragraph))
            if len(words.split()) >= 3:
                compared += 1
                if words not in text:
                    lost.append((item.id, words[:80]))
    assert compared > 300 and lost == []


def test_a_note_that_cannot_be_matched_is_a_marked_block(tmp_path, shared_cache):
    (tmp_path / "p").mkdir()
    project = make_project(tmp_path / "p", shared_cache)
    export = write_export(tmp_path / "export.xml", [
        {"content": "Output rose.[1] Exports too.[3]\n\n[1] KCNA, May 1.\n\n[2] Never cited."},
        {"content": "A claim.[efn_note] [/efn_note] Another."}])
    assert run(project, "import", "wordpress", str(export)).returncode == 0
    errors = run(project, "check").stderr.strip().splitlines()
    assert [e.split("(", 1)[1].split(")")[0] for e in errors] == [
        "note: note [3] without text", "note: note [2] the text never refers to", "note: an empty [efn_note] note"]
    assert all("the WordPress import could not convert this" in e for e in errors)
    brief = yaml.safe_load((project.briefs / "2024-05-01-post-1.yml").read_text(encoding="utf-8"))
    assert brief["notes"] == {"1": "KCNA, May 1."} and "[^1]" in brief["body"] and "Never cited." in brief["body"]
