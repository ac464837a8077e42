"""generate.check_clashes finds a hand-written file at the path of a generated page without making
every page's file name: compared with the plain definition on generated paths."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefkit.diagnostics import EditorError
from briefkit.finish import file_of
from briefkit.generate import check_clashes

part = st.sampled_from(["a", "b", "index", "2024", "x.md"])
rel = st.lists(part, min_size=1, max_size=3).map("/".join).flatmap(
    lambda p: st.sampled_from([p, p + ".md", p + "/index.md", p + ".xml"]))


@given(st.sets(rel, max_size=8), st.sets(rel, max_size=6))
def test_clashes_are_the_links_at_a_pages_file(pages, links):
    expected = sorted(set(links) & {file_of(r) for r in pages})
    targets = {rel: Path("/project/docs") / rel for rel in links}
    if expected:
        with pytest.raises(EditorError) as caught:
            check_clashes(sorted(pages), targets, Path("/project"))
        assert [d.message.split(" makes ")[1].split(" from")[0] for d in caught.value.diagnostics.sorted()] \
            == sorted(expected)
    else:
        check_clashes(sorted(pages), targets, Path("/project"))
