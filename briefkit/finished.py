"""A Python-Markdown extension for the site engine: a page the engine finished is passed through.

The engine turns every generated page into HTML itself (finish.py). The file it hands the site engine
is front matter, then MARKER on the first line of the body, then the finished HTML. Any engine that runs
Python-Markdown with this extension (MkDocs, ProperDocs, Zensical: it is named in mkdocs.yml's
`markdown_extensions`) keeps that HTML as it is instead of parsing it as Markdown again; every other
page is Markdown as usual.
"""

from __future__ import annotations

import html
import re

from markdown import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

MARKER = "<!-- briefkit:finished -->"
# around the finished HTML in the built page: the preview puts a new version in place (preview_splice.py)
CONTENT_START, CONTENT_END = "<!--briefkit:content-->", "<!--/briefkit:content-->"
# after NormalizeWhitespace (30), which would remove the stash placeholder's control characters,
# and before the raw-HTML block preprocessor (20), which would parse the HTML
PRIORITY = 25


class FinishedPagePreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        self.md.briefkit_finished = None
        if not lines or lines[0].strip() != MARKER:
            return lines
        self.md.briefkit_finished = "\n".join(lines[1:])
        # a comment first: the stash puts back block-level HTML in place of its paragraph
        return [self.md.htmlStash.store(CONTENT_START + self.md.briefkit_finished + CONTENT_END)]


# a heading of the finished HTML with its id (finish.py gives the body's headings ids)
_HEADING = re.compile(r"<h([23])\b[^>]*\bid=\"([^\"]+)\"[^>]*>(.*?)</h\1>", re.S)
_TAG = re.compile(r"<[^>]+>")


class FinishedPageContents(Postprocessor):
    """The contents of a finished page (its h2 and h3 headings) as the toc extension's tokens, which
    the site engine makes the page's table of contents from: a long report's contents box."""

    def run(self, text: str) -> str:
        finished = getattr(self.md, "briefkit_finished", None)
        if finished is not None:
            tokens: list[dict] = []
            for level, anchor, inner in _HEADING.findall(finished):
                name = html.unescape(_TAG.sub("", inner)).strip()
                token = {"level": int(level), "id": anchor, "name": name, "html": html.escape(name),
                         "data-toc-label": "", "children": []}
                if token["level"] == 3 and tokens:
                    tokens[-1]["children"].append(token)
                else:
                    tokens.append(token)
            self.md.toc_tokens = tokens
        return text


class FinishedPageExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.register(FinishedPagePreprocessor(md), "briefkit-finished", PRIORITY)
        md.postprocessors.register(FinishedPageContents(md), "briefkit-finished-contents", 0)


def makeExtension(**kwargs) -> FinishedPageExtension:  # noqa: N802 (Python-Markdown's entry point)
    return FinishedPageExtension(**kwargs)
