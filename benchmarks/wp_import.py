"""WordPress import: `python build.py import wordpress` on a large export, against a baseline run in
the same measurement: one pandoc process converting the same posts' HTML (the floor: the import
cannot convert faster than pandoc alone).

    python benchmarks/wp_import.py [--posts 5000] [--corpus ours|B] [--repeat 2]

Two corpora written by different generators: "ours" (classic and block posts of 4 to 12 paragraphs
with notes in every footnote style, headings, lists, quotes and a captioned picture, whose file is in
the uploads folder) and "B" (the posts of WordPress's theme unit test export, copied with new IDs and
slugs until there are enough: every kind of content, shortcodes, blocks, galleries). The target:
5,000 posts in under a minute. Compare ratios, not seconds, between machines.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from sites import set_cms_false, set_pdf_false  # noqa: E402

from briefkit.pandoc import pandoc_path  # noqa: E402
from briefkit.wxr import read_wxr  # noqa: E402

WPTT = ROOT / "tests" / "data" / "wordpress" / "themeunittestdata.wordpress.xml"
WORDS = ("missile plant shell output plenum Pyongyang factory test launch satellite imagery party congress "
         "defence sector state media army quarter delegation Russia artillery drone production").split()
HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0" xmlns:excerpt="http://wordpress.org/export/1.2/'
        'excerpt/" xmlns:content="http://purl.org/rss/1.0/modules/content/" xmlns:dc="http://purl.org/dc/elements/'
        '1.1/" xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n<title>Bench</title>\n<link>https://example.org'
        '</link>\n<wp:wxr_version>1.2</wp:wxr_version>\n<wp:base_site_url>https://example.org</wp:base_site_url>\n'
        '<wp:base_blog_url>https://example.org</wp:base_blog_url>\n<wp:author><wp:author_login>ed</wp:author_login>'
        '<wp:author_display_name><![CDATA[An Editor]]></wp:author_display_name></wp:author>\n')


def cdata(text: str) -> str:
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def item(post_id: int, title: str, day: str, slug: str, content: str, terms: list[tuple[str, str]],
         meta: dict[str, str] | None = None) -> str:
    cats = "".join(f'<category domain="{d}" nicename="{escape(n)}">{cdata(n)}</category>' for d, n in terms)
    metas = "".join(f"<wp:postmeta><wp:meta_key>{k}</wp:meta_key><wp:meta_value>{cdata(v)}</wp:meta_value>"
                    "</wp:postmeta>" for k, v in (meta or {}).items())
    return (f"<item><title>{escape(title)}</title><link>https://example.org/{day[:4]}/{day[5:7]}/{day[8:10]}/{slug}/"
            f"</link><dc:creator>ed</dc:creator><content:encoded>{cdata(content)}</content:encoded>"
            f"<excerpt:encoded>{cdata('')}</excerpt:encoded><wp:post_id>{post_id}</wp:post_id>"
            f"<wp:post_date>{day} 09:00:00</wp:post_date><wp:post_date_gmt>{day} 00:00:00</wp:post_date_gmt>"
            f"<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status><wp:post_type>post</wp:post_type>"
            f"{cats}{metas}</item>\n")


def corpus_ours(count: int, folder: Path) -> Path:
    rng = random.Random(5000)
    uploads = folder / "wp-content" / "uploads" / "2024" / "05"
    uploads.mkdir(parents=True)
    from PIL import Image

    Image.new("RGB", (800, 500), (90, 110, 80)).save(uploads / "site.png")
    items = []
    for n in range(1, count + 1):
        day = f"20{10 + n % 15:02d}-{1 + n % 12:02d}-{1 + n % 28:02d}"
        paragraphs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(20, 70))).capitalize() + "."
                      for _ in range(rng.randint(4, 12))]
        notes = [f"Report {n}.{k}, {' '.join(rng.choice(WORDS) for _ in range(8))}."
                 for k in range(1, rng.randint(2, 8))]
        style = n % 4
        meta = {}
        marks = []
        for k, note in enumerate(notes, start=1):
            marks.append([f"[efn_note]{note}[/efn_note]", f"(({note}))", f"[{k}]",
                          f'<sup data-fn="f{k}" class="fn"><a href="#f{k}">{k}</a></sup>'][style])
        for k, mark in enumerate(marks):
            paragraphs[k % len(paragraphs)] += mark
        body = paragraphs[:2] + ["<h2>Background</h2>", "<ul>\n<li>One</li>\n<li>Two</li>\n</ul>",
                                 '[caption id="attachment_1"]<img src="https://example.org/wp-content/uploads/2024/05/'
                                 'site.png" alt="The site" /> The site. (Source: Planet Labs)[/caption]',
                                 "<blockquote>A quoted sentence.</blockquote>"] + paragraphs[2:]
        content = "\n\n".join(body)
        if style == 2:
            content += "".join(f"\n\n[{k}] {note}" for k, note in enumerate(notes, start=1))
        if style == 3:
            meta["footnotes"] = json.dumps([{"id": f"f{k}", "content": note} for k, note in enumerate(notes, start=1)])
        items.append(item(n, f"Post {n}: {' '.join(rng.choice(WORDS) for _ in range(5))}", day, f"post-{n}", content,
                          [("category", "analysis"), ("post_tag", rng.choice(WORDS).lower())], meta))
    path = folder / "export.xml"
    path.write_text(HEAD + "".join(items) + "</channel>\n</rss>\n", encoding="utf-8")
    return path


def corpus_b(count: int, folder: Path) -> Path:
    posts = [i for i in read_wxr(WPTT).items if i.type == "post" and i.date]
    items = []
    for n in range(1, count + 1):
        post = posts[n % len(posts)]
        day = post.date.strftime("%Y-%m-%d")
        terms = [("category" if t.domain == "category" else "post_tag", t.nicename) for t in post.terms]
        items.append(item(n, post.title or f"Untitled {n}", day, f"{post.slug or 'post'}-{n}", post.content,
                          terms, post.meta))
    path = folder / "export.xml"
    path.write_text(HEAD + "".join(items) + "</channel>\n</rss>\n", encoding="utf-8")
    return path


def project(folder: Path) -> Path:
    folder.mkdir(parents=True)
    for name in ("mkdocs.yml", "build.py"):
        shutil.copy(ROOT / name, folder / name)
    for name in ("templates", "docs", "briefkit"):
        shutil.copytree(ROOT / name, folder / name, ignore=shutil.ignore_patterns("__pycache__"))
    briefs = folder / "briefs"
    briefs.mkdir()
    for name in ("authors.yml", "series.yml", "topics.yml", "references.bib"):
        shutil.copy(ROOT / "briefs" / name, briefs / name)
    set_pdf_false(folder / "mkdocs.yml")
    set_cms_false(folder / "mkdocs.yml")
    return folder


def timed(command: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"failed: {' '.join(command)}\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=5000)
    parser.add_argument("--corpus", choices=("ours", "B"), default="ours")
    parser.add_argument("--repeat", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="briefkit-wp-bench-") as tmp:
        work = Path(tmp)
        export = (corpus_ours if args.corpus == "ours" else corpus_b)(args.posts, work)
        html = "".join(f"<div>{i.content}</div>\n" for i in read_wxr(export).items)
        (work / "all.html").write_text(html, encoding="utf-8")
        imports, floors = [], []
        for run in range(args.repeat):
            target = project(work / f"project-{run}")
            imports.append(timed([sys.executable, "build.py", "import", "wordpress", str(export)], target))
            floors.append(timed([pandoc_path(), "-f", "html", "-t", "markdown_strict+pipe_tables-raw_html",
                                 "--wrap=none", "-o", str(work / "all.md"), str(work / "all.html")], work))
        size = export.stat().st_size / 1e6
        print("| corpus | posts | export | import (s) | pandoc alone (s) | ratio |")
        print("|---|---|---|---|---|---|")
        print(f"| {args.corpus} | {args.posts:,} | {size:.1f} MB | {' / '.join(f'{t:.1f}' for t in imports)} | "
              f"{' / '.join(f'{t:.1f}' for t in floors)} | "
              f"{statistics.median(imports) / statistics.median(floors):.2f} |")
        print(f"target: {args.posts:,} posts in under 60 s: "
              f"{'met' if max(imports) < 60 else 'missed'} (slowest {max(imports):.1f} s)")


if __name__ == "__main__":
    main()
