"""The editor at /admin/ (Decap CMS) in `python build.py serve`, used in Chromium as an editor would.

A copy of the sample project with the editor on (its node_modules/ linked in) is previewed by
`build.py serve`, which runs decap-server. The test logs in with the local backend, writes a brief
with a Korean title through the form (series, author, a body with a note and a citation, the note's
text, a hero image uploaded into briefs/images/), looks at the preview pane before saving (the site's
own rendering: the notes list with the formatted citation and the image), saves, and then checks
the file the editor wrote (the contract's form), `build.py check`, and the page the preview rebuilt.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest
import yaml
from browser_support import ARTIFACTS, CHROMIUM_ARGS, DESKTOP, SiteServer, Trouble, chromium_path
from bs4 import BeautifulSoup
from playwright.sync_api import expect, sync_playwright

from briefkit.cms import with_local_backend
from briefkit.cms_preview import DecapServer
from conftest import make_project

SLUG = "cms-editor-test"
TITLE = "국방공업 새 기업소: 편집기 시험"  # Korean: the file name comes from the slug, in Latin letters
NOTE = "A note citing [@carlin2021defense]."
BODY = "Written in the editor, with a note.[^a] And a citation.[@lee2024nucleartest, 90]"
UPLOAD = "cms-upload-test.png"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode("utf-8")
    except OSError:
        return None


def wait_for(url: str, needle: str, timeout: float = 90) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = fetch(url)
        if page and needle in page:
            return page
        time.sleep(0.3)
    pytest.fail(f"{needle!r} did not appear on {url} within {timeout} s")


@pytest.fixture(scope="module")
def preview(tmp_path_factory, shared_cache):
    project = make_project(tmp_path_factory.mktemp("cms"), shared_cache, with_samples=True, cms=True)
    settings = project.root / "mkdocs.yml"  # no PDFs: the editor does not need them, the preview is faster
    settings.write_text(re.sub(r"^(\s+pdf:\s*)true\b", r"\g<1>false", settings.read_text(encoding="utf-8"),
                               flags=re.M), encoding="utf-8")
    port = free_port()
    log = tmp_path_factory.mktemp("cms-serve") / "output.txt"
    with log.open("w") as out:
        proc = subprocess.Popen([sys.executable, "build.py", "serve", "--port", str(port)], cwd=project.root,
                                stdout=out, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_for(base + "admin/config.yml", "local_backend:")  # built, and decap-server is running
        yield project, base, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def picture(path) -> None:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (900, 500), (40, 80, 120))
    ImageDraw.Draw(image).rectangle((100, 100, 800, 400), fill=(200, 180, 60))
    image.save(path)


def test_a_brief_written_in_the_editor_is_previewed_saved_checked_and_published(preview, browser, tmp_path):
    project, base, log = preview
    upload = tmp_path / "CMS Upload Test.png"  # Decap names the file in lowercase ASCII with hyphens
    picture(upload)
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    trouble = Trouble()
    trouble.watch(page)
    page.goto(base + "admin/")
    page.get_by_role("button", name="Login").click()  # the local backend: decap-server, no account
    page.get_by_text("＋ Brief").click()

    pane = page.frame_locator("#preview-pane")
    # before anything is typed, the pane has the check's lines for the new file
    expect(pane.locator(".briefkit-problems li").first).to_contain_text(
        re.compile(r"^briefs/\d{4}-\d{2}-\d{2}-new-brief\.yml:\d+:\d+: error: missing required field"))

    def field(name: str):
        return page.locator(f"[id^='{name}-field-']").first

    def choose(name: str, text: str) -> None:
        field(name).fill(text)
        page.keyboard.press("Enter")

    field("title").fill(TITLE)
    field("slug").fill(SLUG)
    choose("series", "Quick Take")
    choose("authors", "Jordan Park")
    choose("status", "Published")
    markdown = "[aria-label='markdown field']"
    page.locator(markdown, has=page.locator("label", has_text="Body")).locator("[contenteditable=true]").click()
    page.keyboard.type(BODY)
    notes = page.locator("[aria-label='list field']", has=page.locator("label", has_text="Notes"))
    notes.get_by_role("button", name="Add note").click()
    notes.get_by_label("Label", exact=True).fill("a")
    notes.locator(f"{markdown} [contenteditable=true]").click()
    page.keyboard.type(NOTE)
    hero = page.locator("[aria-label='object field']", has=page.locator("label", has_text="Image")).first
    hero.get_by_role("button", name="Expand").first.click()
    hero.get_by_role("button", name="Choose an image").click()
    page.set_input_files("input[type=file]", str(upload))
    page.get_by_role("button", name="Choose selected").click()
    hero.get_by_label("Alt (optional)", exact=True).filter(visible=True).fill("A yellow box on blue.")
    hero.get_by_label("Credit (optional)", exact=True).filter(visible=True).fill("Test upload")

    # the preview pane: the brief as the site renders it, before it is saved (the image not saved either)
    shown = pane.frame_locator("iframe.briefkit-page")
    expect(shown.locator(".footnote ol > li")).to_have_count(2)
    expect(shown.locator(".footnote ol > li").nth(0)).to_contain_text("Understanding Kim Jong Un")
    expect(shown.locator(".footnote ol > li").nth(1)).to_contain_text("Bulletin of the Atomic Scientists")
    expect(shown.locator("h1")).to_have_text(TITLE)
    expect(shown.locator(f"article img[src$='{UPLOAD}']")).to_have_count(1)
    assert shown.locator(f"article img[src$='{UPLOAD}']").evaluate("i => i.complete && i.naturalWidth") == 900
    assert not (project.briefs / "images" / UPLOAD).exists()
    (ARTIFACTS / "screenshots").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screenshots" / "cms-editor.png"))

    page.get_by_role("button", name="Publish").first.click()
    page.get_by_text("Publish now").click()
    expect(page).to_have_url(re.compile(rf"/admin/#/collections/briefs/entries/\d{{4}}-\d{{2}}-\d{{2}}-{SLUG}$"))

    # the file the editor wrote: in briefs/, named by the date and slug, in the contract's form
    deadline = time.monotonic() + 10
    while not list(project.briefs.glob(f"*-{SLUG}.yml")) and time.monotonic() < deadline:
        time.sleep(0.1)
    (saved,) = project.briefs.glob(f"*-{SLUG}.yml")
    day = dt.date.fromisoformat(saved.name[:10])
    data = yaml.safe_load(saved.read_text(encoding="utf-8"))
    assert data == {"title": TITLE, "series": "quick-take", "date": day, "slug": SLUG, "authors": ["jordan-park"],
                    "image": {"file": f"images/{UPLOAD}", "alt": "A yellow box on blue.", "credit": "Test upload"},
                    "status": "published", "body": BODY, "notes": {"a": NOTE}}
    assert (project.briefs / "images" / UPLOAD).read_bytes() == upload.read_bytes()
    checked = project.run("check")
    assert checked.returncode == 0, checked.stderr

    # the preview rebuilt on the save, as for any edit: the page has the notes, the citation, the image
    url = f"{base}{day:%Y}/{day:%m}/{SLUG}/"
    soup = BeautifulSoup(wait_for(url, "footnote"), "html.parser")
    notes_shown = soup.select(".footnote ol > li")
    assert len(notes_shown) == 2, log.read_text()
    assert "Understanding Kim Jong Un" in notes_shown[0].get_text()
    assert "Bulletin of the Atomic Scientists" in notes_shown[1].get_text() and "90" in notes_shown[1].get_text()
    assert soup.select_one("h1").get_text(strip=True) == TITLE
    assert any(img.get("src", "").endswith(UPLOAD) for img in soup.select("article img"))
    context.close()
    assert not trouble.problems, "\n".join(trouble.problems)


def entries_listed(page) -> set[str]:
    hrefs = page.locator("a[href*='#/collections/briefs/entries/']").evaluate_all("as => as.map(a => a.href)")
    return {href.rsplit("/", 1)[1] for href in hrefs}


def test_an_existing_brief_opens_with_the_sites_rendering(preview, browser):
    project, base, _log = preview
    context = browser.new_context(viewport=DESKTOP)
    context.set_default_timeout(20_000)
    page = context.new_page()
    trouble = Trouble()
    trouble.watch(page)
    page.goto(base + "admin/")
    page.get_by_role("button", name="Login").click()
    first = "North Korea’s New “National Defence Industrial Enterprise”"
    expect(page.get_by_text(first)).to_have_count(1)
    # the briefs, and not the registries that share their folder (authors.yml, series.yml, topics.yml)
    briefs = {p.stem for p in project.briefs.glob("*.yml") if p.stem[:4].isdigit()}
    assert entries_listed(page) == briefs
    page.get_by_text(first).click()
    pane = page.frame_locator("#preview-pane")
    expect(pane.frame_locator("iframe.briefkit-page").locator(".footnote ol > li")).to_have_count(4)
    expect(pane.locator(".briefkit-problems")).to_have_count(0)
    context.close()
    assert not trouble.problems, "\n".join(trouble.problems)


def test_on_the_published_site_the_pane_says_previews_need_the_preview(preview, browser, tmp_path):
    """The built site's /admin/: its config has no local backend, and without the preview's server
    behind it the pane says where the site's rendering is shown. (Logged in through a decap-server
    of its own, since the git host's login cannot run here.)"""
    project, _base, _log = preview
    built = project.run()
    assert built.returncode == 0, built.stderr
    published = (project.root / "site" / "admin" / "config.yml").read_text(encoding="utf-8")
    assert "local_backend" not in published and yaml.safe_load(published)["backend"] == {
        "branch": "main", "name": "git-gateway"}
    site = tmp_path / "site"
    shutil.copytree(project.root / "site", site)
    decap = DecapServer(project.root)
    decap.start()
    assert decap.url, decap.problem
    (site / "admin" / "config.yml").write_text(with_local_backend(published, decap.url), encoding="utf-8")
    server = SiteServer(site)
    try:
        context = browser.new_context(viewport=DESKTOP)
        context.set_default_timeout(20_000)
        page = context.new_page()
        trouble = Trouble()
        trouble.watch(page)
        page.goto(server.url("admin/"))
        page.get_by_role("button", name="Login").click()
        page.get_by_text("North Korea’s New “National Defence Industrial Enterprise”").click()
        message = page.frame_locator("#preview-pane").locator(".briefkit-message")
        expect(message).to_contain_text("python build.py serve")
        context.close()
        assert not trouble.problems, "\n".join(trouble.problems)
    finally:
        server.stop()
        decap.stop()
