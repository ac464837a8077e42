"""Settings are checked like briefs: `extra.briefkit` problems at their line in mkdocs.yml; exit codes."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest


def set_option(project, old: str, new: str) -> None:
    path = project.root / "mkdocs.yml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def line_of(project, needle: str) -> int:
    lines = (project.root / "mkdocs.yml").read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, 1) if needle in line)


@pytest.mark.parametrize(("old", "new", "expected"), [
    ("page_size: 10 ", "page_size: ten ", "extra.briefkit.page_size: input should be a valid integer, not 'ten'"),
    ("paper: letter", "paper: a5", "extra.briefkit.paper: input should be 'letter', 'us-letter' or 'a4', not 'a5'"),
    ("pdf: true ", 'pdf: "no" ', "extra.briefkit.pdf: input should be a valid boolean, not 'no'"),
    ("related: 4", "relatd: 4", "unknown option extra.briefkit.relatd (did you mean 'related'?)"),
    ("csl: templates/house-chicago-notes.csl", "csl: templates/missing.csl",
     "extra.briefkit.csl: the CSL style 'templates/missing.csl' does not exist"),
])
@pytest.mark.parametrize("command", ["check", "build"])
def test_a_bad_setting_is_one_line_at_its_place(project, old, new, expected, command):
    set_option(project, old, new)
    result = project.run(*([command] if command == "check" else []))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    match = re.match(r"^mkdocs\.yml:(\d+):(\d+): error: (.*)$", lines[0])
    assert match, lines[0]
    assert int(match.group(1)) == line_of(project, new.split(":")[0] + ":")
    assert match.group(3).startswith(expected)
    assert "Traceback" not in result.stderr
    assert not (project.root / "site").exists()


def test_bad_usage_exits_2(project):
    result = project.run("--no-such-option")
    assert result.returncode == 2
    assert "No such option" in result.stderr


def test_an_internal_error_is_one_line_and_exit_3(project, tmp_path):
    """A bug (here: a function of the engine made to fail) says where its traceback went, and exits 3."""
    script = tmp_path / "crash.py"
    script.write_text(
        "import sys\n"
        "sys.argv = ['build.py', 'check']\n"
        "import briefkit.cli as cli\n"
        "def broken(*args, **kwargs):\n"
        "    raise RuntimeError('a bug on purpose')\n"
        "cli.generate = broken\n"
        "cli.entry()\n", encoding="utf-8")
    import subprocess

    result = subprocess.run([sys.executable, str(script)], cwd=project.root, capture_output=True, text=True,
                            env={"PYTHONPATH": str(project.root), "PATH": "/usr/bin:/bin"})
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("internal error: briefkit failed"), result.stderr
    written = Path(re.search(r"the traceback is in (\S+):", lines[0]).group(1))
    assert "RuntimeError: a bug on purpose" in written.read_text()
    written.unlink()
