"""Relative links between generated pages: the fast path computes what posixpath.relpath would."""

from __future__ import annotations

import posixpath

from hypothesis import given, settings
from hypothesis import strategies as st

from briefkit.render import relative

segment = st.sampled_from(["2024", "04", "a", "b", "series", "page", "index.md", "x.md", "slug"])
path = st.lists(segment, min_size=1, max_size=5).map("/".join)


@settings(derandomize=True, max_examples=500)
@given(path, path)
def test_relative_matches_relpath(from_page, to_file):
    assert relative(from_page, to_file) == posixpath.relpath(to_file, posixpath.dirname(from_page) or ".")


def test_examples():
    assert relative("2024/04/slug.md", "authors/jordan-park.md") == "../../authors/jordan-park.md"
    assert relative("index.md", "2024/04/slug.md") == "2024/04/slug.md"
    assert relative("series/page/2.md", "series/quick-take.md") == "../quick-take.md"
