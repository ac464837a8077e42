"""The editorial workflow as the built site shows it: draft → review → ready, a ready brief published at
its date, time and time zone by whichever build runs after that moment, and dated corrections on the
page, in the feed, in the PDF and in dateModified. Also the ready-made CI workflow that rebuilds on a
schedule."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest
import yaml
from bs4 import BeautifulSoup

from conftest import REPO, VALID_BRIEF, make_project

SCHEDULED = VALID_BRIEF.replace("title: A test brief", "title: A scheduled brief").replace(
    "date: 2024-04-29", "date: 2024-05-03") + 'status: ready\ntime: "09:00"\ntimezone: Asia/Seoul\n'


def build(project, now: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "BRIEFKIT_NOW": now}
    env.pop("BRIEFKIT_TODAY", None)
    return subprocess.run([sys.executable, str(project.root / "build.py"), *args], cwd=project.root, env=env,
                          capture_output=True, text=True)


def page(project, url: str) -> Path:
    return project.root / "site" / url / "index.html"


@pytest.fixture
def scheduled(tmp_path, shared_cache):
    project = make_project(tmp_path, shared_cache)
    (project.root / "mkdocs.yml").write_text((project.root / "mkdocs.yml").read_text(encoding="utf-8").replace(
        "    pdf: true", "    pdf: false"), encoding="utf-8")
    project.write("2024-04-29-test-brief.yml", VALID_BRIEF)
    project.write("2024-05-03-scheduled.yml", SCHEDULED)
    return project


def test_a_ready_brief_is_published_by_the_first_build_after_its_moment_in_its_time_zone(scheduled):
    # 09:00 in Seoul is 00:00 UTC: one minute before, the brief is nowhere; one minute after, everywhere
    before = build(scheduled, "2024-05-02T23:59:00+00:00")
    assert before.returncode == 0, before.stderr
    assert not page(scheduled, "2024/05/scheduled").exists()
    home = (scheduled.root / "site/index.html").read_text(encoding="utf-8")
    assert "A scheduled brief" not in home and "A test brief" in home
    assert "A scheduled brief" not in (scheduled.root / "site/feed.xml").read_text(encoding="utf-8")
    after = build(scheduled, "2024-05-03T00:01:00+00:00")
    assert after.returncode == 0, after.stderr
    assert page(scheduled, "2024/05/scheduled").is_file()
    assert "A scheduled brief" in (scheduled.root / "site/index.html").read_text(encoding="utf-8")
    feed = feedparser.parse((scheduled.root / "site/feed.xml").read_bytes())
    assert [e.title for e in feed.entries][0] == "A scheduled brief"


def test_the_site_time_zone_applies_when_the_brief_names_none(scheduled):
    scheduled.write("2024-05-03-scheduled.yml", SCHEDULED.replace("timezone: Asia/Seoul\n", ""))
    mkdocs = scheduled.root / "mkdocs.yml"
    mkdocs.write_text(mkdocs.read_text(encoding="utf-8").replace(
        "  briefkit:\n", "  briefkit:\n    timezone: America/New_York\n"), encoding="utf-8")
    # 09:00 in New York on 3 May 2024 (daylight saving time) is 13:00 UTC
    assert build(scheduled, "2024-05-03T12:59:00+00:00").returncode == 0
    assert not page(scheduled, "2024/05/scheduled").exists()
    assert build(scheduled, "2024-05-03T13:00:00+00:00").returncode == 0
    assert page(scheduled, "2024/05/scheduled").is_file()


@pytest.mark.parametrize("status", ["draft", "review"])
def test_drafts_and_briefs_in_review_are_never_published_but_previewed_with_a_banner(scheduled, status):
    scheduled.write("2024-05-03-scheduled.yml", SCHEDULED.replace("status: ready", f"status: {status}"))
    assert build(scheduled, "2030-01-01T00:00:00+00:00").returncode == 0
    assert not page(scheduled, "2024/05/scheduled").exists()
    # the preview's pages (serve --drafts) show it with its state
    from briefkit.config import load_config
    from briefkit.generate import generate

    config = load_config(scheduled.root)
    os.environ["BRIEFKIT_NOW"] = "2030-01-01T00:00:00+00:00"
    try:
        generate(config, drafts=True)
    finally:
        del os.environ["BRIEFKIT_NOW"]
    soup = BeautifulSoup((config.pages_path / "2024/05/scheduled/index.md").read_text(encoding="utf-8"), "html.parser")
    banner = soup.select_one(".brief-banner")
    assert banner is not None and "not published" in banner.get_text()
    assert f"brief-banner-{status}" in banner["class"]


CORRECTED = VALID_BRIEF + """\
updated: 2024-05-01
corrections:
  - date: 2024-05-02
    text: An earlier version gave the wrong *range* of the missile.
  - date: 2024-05-06
    text: An earlier version misnamed the test site.
"""


@pytest.fixture(scope="module")
def corrected(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("corrected"), shared_cache)
    project.write("2024-04-29-test-brief.yml", CORRECTED)
    result = project.run()
    assert result.returncode == 0, result.stderr
    return project


def test_corrections_are_dated_notices_on_the_page_latest_first(corrected):
    soup = BeautifulSoup(page(corrected, "2024/04/test-brief").read_text(encoding="utf-8"), "html.parser")
    notices = soup.select("article .brief-corrections .brief-correction")
    assert [n.time["datetime"] for n in notices] == ["2024-05-06", "2024-05-02"]
    assert notices[0].get_text(" ", strip=True) == "Correction May 6, 2024 : An earlier version misnamed the test site."
    assert notices[1].select_one("em").get_text() == "range"
    # the dates line says when it last changed: the latest correction, after `updated`
    assert soup.select_one(".brief-updated time")["datetime"] == "2024-05-06"


def test_corrections_set_date_modified_for_search_engines_and_feeds(corrected):
    soup = BeautifulSoup(page(corrected, "2024/04/test-brief").read_text(encoding="utf-8"), "html.parser")
    ld = json.loads(soup.select_one('script[type="application/ld+json"]').string)
    graph = ld.get("@graph", [ld])
    article = next(x for x in graph if x.get("@type") in ("NewsArticle", "Report"))
    assert article["dateModified"] == "2024-05-06" and article["datePublished"].startswith("2024-04-29")
    assert soup.select_one('meta[property="article:modified_time"]')["content"] == "2024-05-06"
    feed = feedparser.parse((corrected.root / "site/feed.xml").read_bytes())
    [entry] = feed.entries
    assert entry.updated.startswith("2024-05-06")
    content = BeautifulSoup(entry.content[0].value, "html.parser")
    assert [t["datetime"] for t in content.select(".brief-correction time")] == ["2024-05-06", "2024-05-02"]
    assert "misnamed the test site" in content.get_text()


def test_corrections_are_printed_in_the_pdf(corrected):
    pdf = corrected.root / "site/2024/04/test-brief/test-brief.pdf"
    text = subprocess.run(["pdftotext", "-q", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    lines = [" ".join(line.split()) for line in text.splitlines()]
    first = next(i for i, line in enumerate(lines) if line.startswith("Correction May 6, 2024:"))
    assert "misnamed the test site" in lines[first]
    assert lines[first + 1].startswith("Correction May 2, 2024: An earlier version gave the wrong range")
    assert "Updated May 6, 2024" in text.replace("\n", " ")


# ---- the ready-made CI workflow -----------------------------------------------------------------

WORKFLOW = REPO / ".github" / "workflows" / "publish.yml"


def test_the_ci_workflow_is_valid_for_github_actions():
    """Checked by check-jsonschema against SchemaStore's schema of GitHub workflows (shipped inside it)."""
    result = subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.github-workflows",
                             str(WORKFLOW)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_ci_workflow_rebuilds_on_push_and_every_quarter_hour_and_publishes_the_site():
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = flow[True] if True in flow else flow["on"]  # YAML 1.1 reads the key `on` as true
    assert triggers["push"]["branches"] == ["main"]
    [cron] = [s["cron"] for s in triggers["schedule"]]
    minute = cron.split()[0]
    assert minute.startswith("*/") and int(minute[2:]) <= 15 and cron.split()[1:] == ["*"] * 4
    steps = flow["jobs"]["build"]["steps"]
    assert any(s.get("run") == "make site" for s in steps)
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-artifact"))
    assert upload["with"]["path"] == "site"
    assert flow["jobs"]["deploy"]["steps"][0]["uses"].startswith("actions/deploy-pages")
    # make site is what the README promises sets everything up on a fresh machine
    assert "\nsite: " in (REPO / "Makefile").read_text(encoding="utf-8")
