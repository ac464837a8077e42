"""A Python-Markdown extension for the site engine: a page the engine finished is passed through.

The engine turns every generated page into HTML itself (finish.py). The file it hands the site engine
is front matter, then MARKER on the first line of the body, then the finished HTML. Any engine that runs
Python-Markdown with this extension (MkDocs, ProperDocs, Zensical: it is named in mkdocs.yml's
`markdown_extensions`) keeps that HTML as it is instead of parsing it as Markdown again; every other
page is Markdown as usual.
"""

from __future__ import annotations

from markdown import Extension
from markdown.preprocessors import Preprocessor

MARKER = "<!-- briefkit:finished -->"
# around the finished HTML in the built page: the preview puts a new version in place (preview_splice.py)
CONTENT_START, CONTENT_END = "<!--briefkit:content-->", "<!--/briefkit:content-->"
# after NormalizeWhitespace (30), which would remove the stash placeholder's control characters,
# and before the raw-HTML block preprocessor (20), which would parse the HTML
PRIORITY = 25


class FinishedPagePreprocessor(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        if not lines or lines[0].strip() != MARKER:
            return lines
        # a comment first: the stash puts back block-level HTML in place of its paragraph
        return [self.md.htmlStash.store(CONTENT_START + "\n".join(lines[1:]) + CONTENT_END)]


class FinishedPageExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 (Python-Markdown's name)
        md.preprocessors.register(FinishedPagePreprocessor(md), "briefkit-finished", PRIORITY)


def makeExtension(**kwargs) -> FinishedPageExtension:  # noqa: N802 (Python-Markdown's entry point)
    return FinishedPageExtension(**kwargs)
