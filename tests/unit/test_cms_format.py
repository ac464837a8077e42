"""The editor's file format (templates/admin/briefkit-cms.js, run by Node with js-yaml as the browser runs
it): briefs read into the form's shape and written back in the contract's form, as PyYAML reads them."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml

from briefkit import cms
from briefkit.model import Brief
from conftest import REPO

SCRIPT = REPO / "templates" / "admin" / "briefkit-cms.js"
RUN = """
const api = require(process.argv[1]);
let input = '';
process.stdin.on('data', d => input += d).on('end', () => {
  const {spec, calls} = JSON.parse(input);
  const format = api.makeFormat(spec);
  const out = calls.map(([name, arg]) => {
    try { return {ok: format[name](arg)}; } catch (err) { return {error: String(err.message)}; }
  });
  process.stdout.write(JSON.stringify(out));
});
"""


def run(*calls: tuple[str, object]) -> list[dict]:
    node = shutil.which("node")
    if node is None or not (REPO / "node_modules" / "js-yaml").is_dir():
        pytest.skip("Node.js and `npm ci` (js-yaml) are needed to run the editor's script")
    done = subprocess.run([node, "-e", RUN, str(SCRIPT)], input=json.dumps({"spec": cms.spec(), "calls": calls}),
                          capture_output=True, text=True, check=True, cwd=REPO)
    return json.loads(done.stdout)


def samples() -> list[str]:
    return sorted(p.name for p in (REPO / "briefs").glob("*.yml")
                  if isinstance(yaml.safe_load(p.read_text(encoding="utf-8")), dict)
                  and "title" in yaml.safe_load(p.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", samples())
def test_a_sample_brief_is_written_back_as_it_was(name):
    text = (REPO / "briefs" / name).read_text(encoding="utf-8")
    (read,) = run(("fromFile", text))
    data = read["ok"]
    assert data[cms.KIND_FIELD] == "brief"
    original = yaml.safe_load(text)
    for field in ("notes", "figures"):  # mappings are lists of labelled items in the form
        if field in original:
            assert [item[cms.KEY_LABEL] for item in data[field]] == [str(k) for k in original[field]]
    (written,) = run(("toFile", data))
    assert yaml.safe_load(written["ok"]) == {"status": "published", **original}


def test_the_forms_lists_become_the_contracts_mappings_as_pyyaml_reads_them():
    form = {
        cms.KIND_FIELD: "brief",
        "title": "yes",  # PyYAML reads an unquoted yes as true
        "summary": "2024-04-29",  # … and this as a date
        "date": "2024-04-29",
        "time": "09:30",  # … and this as 570
        "slug": "gukbang-gongeop",
        "authors": ["jordan-park"],
        "series": "",  # untouched optional fields are left out
        "topics": [],
        "image": {"file": "", "alt": ""},
        "contents": False,
        "status": "review",
        "corrections": [{"text": "A date was wrong.", "date": "2024-05-01"}],
        "figures": [{"alt": "A map.", "credit": "Sample", "label": "map", "file": "images/x.svg",
                     "before": {"file": "", "date": ""}}],
        "body": "국방공업 본문.[^sec] Cited.[@lee2024nucleartest]\n\n[figure: map]\n",
        "notes": [{"label": "sec", "text": "On: the note."}],
        "lang": "ko",
    }
    (written,) = run(("toFile", form))
    text = written["ok"]
    assert text.startswith('title: "yes"\ndate: 2024-04-29\ntime: "09:30"\nslug: gukbang-gongeop\n'
                           'authors:\n  - jordan-park\nsummary: "2024-04-29"\n'), text
    assert "국방공업" in text  # written as it is, not escaped
    data = yaml.safe_load(text)
    assert not {"contents", "series", "topics", "image"} & set(data)
    assert data["notes"] == {"sec": "On: the note."}
    assert data["figures"] == {"map": {"file": "images/x.svg", "alt": "A map.", "credit": "Sample"}}
    assert list(data) == [k for k in Brief.model_fields if k in data]  # the model's order
    assert list(data["corrections"][0]) == ["date", "text"]
    brief = Brief.model_validate(data)
    assert brief.title == "yes" and brief.summary == "2024-04-29" and brief.time.hour == 9
    assert str(brief.corrections[0].date) == "2024-05-01"


def test_what_cannot_be_written_is_refused_with_a_reason():
    registry = (REPO / "briefs" / "authors.yml").read_text(encoding="utf-8")
    (read,) = run(("fromFile", registry))
    assert read["ok"][cms.KIND_FIELD] == "other"  # kept out of the list of briefs
    twice = {"title": "T", "body": "a[^a]", "notes": [{"label": "a", "text": "x"}, {"label": "a", "text": "y"}]}
    results = run(("toFile", read["ok"]), ("toFile", twice), ("toFile", {"title": "T", "notes": [{"text": "x"}]}))
    assert "not a brief" in results[0]["error"]  # a registry is never overwritten by the form
    assert "two items are labelled 'a'" in results[1]["error"]
    assert "has no label" in results[2]["error"]


def test_a_file_without_status_is_shown_published_and_a_numeric_label_is_text():
    (read,) = run(("fromFile", "title: T\ndate: 2024-04-29\nbody: x[^1]\nnotes:\n  1: one\n"))
    assert read["ok"]["status"] == "published"
    assert read["ok"]["date"] == "2024-04-29"  # the date field's text, not a Date
    assert read["ok"]["notes"] == [{"label": "1", "text": "one"}]


@pytest.mark.parametrize(("written", "day", "clock", "zone"), [
    ("2026-12-08 09:00", "2026-12-08", "09:00", None),
    ("2026-12-08T21:30:00+09:00", "2026-12-08", "21:30", "+09:00"),
    ("2026-12-08 09:00:00Z", "2026-12-08", "09:00", "+00:00"),
])
def test_a_date_with_a_time_keeps_its_time(written, day, clock, zone):
    """The model reads `date: 2026-12-08 09:00` as the day with `time:` (and `timezone:`): so does the form,
    which holds the day alone in its date field (the time would be lost on saving)."""
    (read,) = run(("fromFile", f"title: T\ndate: {written}\nauthors: [a]\nbody: x\n"))
    assert (read["ok"]["date"], read["ok"]["time"], read["ok"].get("timezone")) == (day, clock, zone)
    (again,) = run(("toFile", read["ok"]))
    before = Brief.model_validate(yaml.safe_load(f"title: T\ndate: {written}\nauthors: [a]\nbody: x\n"))
    after = Brief.model_validate(yaml.safe_load(again["ok"]))
    assert (after.date, after.time, after.timezone) == (before.date, before.time, before.timezone)
