"""`check` is the build without writing, and drafts never block publishing (issue 14)."""

from __future__ import annotations

import re

from conftest import VALID_BRIEF

LINE = re.compile(r"^(briefs/[^:]+):(\d+):(\d+): (error|warning): (.*)$")


def problems(stderr: str, severity: str) -> list[tuple[str, str, str, str]]:
    out = []
    for line in stderr.splitlines():
        m = LINE.match(line)
        if m and m.group(4) == severity:
            out.append((m.group(1), m.group(2), m.group(3), m.group(5)))
    return out


DRAFT = VALID_BRIEF.replace("date: 2024-04-29\n", "date: 2024-04-29\nstatus: draft\n").replace(
    "[@lee2024nucleartest, 90]", "[@no-such-key-anywhere]")


def test_a_draft_with_errors_is_a_warning_for_build_and_an_error_for_check(project):
    project.write("2024-04-29-published.yml", VALID_BRIEF.replace("A test brief", "The Published One"))
    project.write("2024-04-30-half-written.yml", DRAFT)
    built = project.run()
    assert built.returncode == 0, built.stderr
    warned = problems(built.stderr, "warning")
    assert ("briefs/2024-04-30-half-written.yml", "8", "42",
            "unknown citation key 'no-such-key-anywhere' (add an entry with this key to references.bib)") in warned
    assert problems(built.stderr, "error") == []
    assert (project.root / "site/2024/04/published/index.html").is_file()
    assert not (project.root / "site/2024/04/half-written").exists()
    checked = project.run("check")
    assert checked.returncode == 1
    assert problems(checked.stderr, "error") == warned  # the same lines, as errors


def test_a_scheduled_brief_with_errors_does_not_block_publishing(project):
    project.write("2024-04-29-published.yml", VALID_BRIEF)
    project.write("2099-01-01-later.yml", VALID_BRIEF.replace("2024-04-29", "2099-01-01").replace(
        "[@lee2024nucleartest, 90]", "[@no-such-key-anywhere]"))
    built = project.run()
    assert built.returncode == 0, built.stderr
    assert [p[0] for p in problems(built.stderr, "warning")] == ["briefs/2099-01-01-later.yml"]
    assert project.run("check").returncode == 1


def test_a_published_brief_with_an_error_still_stops_the_build(project):
    project.write("2024-04-29-published.yml", VALID_BRIEF.replace("[@lee2024nucleartest, 90]",
                                                                  "[@no-such-key-anywhere]"))
    project.write("2024-04-30-half-written.yml", DRAFT)
    built = project.run()
    assert built.returncode == 1
    assert [p[0] for p in problems(built.stderr, "error")] == ["briefs/2024-04-29-published.yml"]
    assert not (project.root / "site").exists()


def test_check_finds_characters_no_pdf_font_has(project):
    """Found by `build` only, before: a character the PDF fonts lack, in a brief and in a cited entry."""
    project.write("2024-04-29-glyphs.yml", VALID_BRIEF.replace("Text with a note.", "Shells of 122 ㎜ calibre."))
    bib = project.briefs / "references.bib"
    bib.write_text(bib.read_text(encoding="utf-8").replace(
        "title = {To do or not to do: Pyongyang's seventh", "title = {To do → or not to do: Pyongyang's seventh"),
        encoding="utf-8")
    checked = project.run("check")
    built = project.run()
    assert checked.returncode == built.returncode == 1
    errors = problems(checked.stderr, "error")
    messages = [p[3] for p in errors]
    assert any(m.startswith("'㎜' (U+339C SQUARE MM) cannot be printed") for m in messages), errors
    assert any(m.startswith("'→' (U+2192 RIGHTWARDS ARROW) cannot be printed") for m in messages), errors
    assert errors == problems(built.stderr, "error")


def test_check_reports_template_errors_at_their_line(project):
    template = project.root / "templates/brief.html.j2"
    lines = template.read_text(encoding="utf-8").splitlines()
    at = next(i for i, line in enumerate(lines) if "brief-byline" in line)
    lines.insert(at, "{{ brief.no_such_field_anywhere }}")
    template.write_text("\n".join(lines) + "\n", encoding="utf-8")
    project.write("2024-04-29-any.yml", VALID_BRIEF)
    for result in (project.run("check"), project.run()):
        assert result.returncode == 1
        assert "Traceback" not in result.stderr
        assert result.stderr.startswith(f"templates/brief.html.j2:{at + 1}:1: error: template error:"), result.stderr


def test_a_hand_written_page_where_the_site_makes_one_is_an_error_at_that_file(project):
    """docs/series/index.md would shadow the generated list of series: found by check and by build."""
    project.write("2024-04-29-any.yml", VALID_BRIEF)
    (project.root / "docs/series").mkdir()
    (project.root / "docs/series/index.md").write_text("# My own series page\n", encoding="utf-8")
    for result in (project.run("check"), project.run()):
        assert result.returncode == 1
        assert result.stderr.strip().splitlines() == [
            "docs/series/index.md:1:1: error: the site already makes series/index.md from the briefs "
            "(rename or move this file)"], result.stderr
    assert not (project.root / "site").exists()
