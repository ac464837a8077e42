"""The editor at /admin/ (briefkit/cms.py): Decap's configuration generated from the brief model and the
registries, the files /admin/ is made of, and the error when Decap's bundle is not installed."""

from __future__ import annotations

import dataclasses
import re
import types
import typing

import pytest
import yaml

from briefkit import cms
from briefkit.config import load_config
from briefkit.diagnostics import EditorError
from briefkit.load import load_corpus
from briefkit.model import Brief, Correction, Figure, Frame
from conftest import REPO


@pytest.fixture
def corpus_config(sample_project):
    config = load_config(sample_project.root)
    corpus, _ = load_corpus(config)
    return config, corpus


def fields_of(config, corpus) -> list[dict]:
    return cms.cms_config(config, corpus)["collections"][0]["fields"]


def by_name(fields: list[dict]) -> dict[str, dict]:
    return {f["name"]: f for f in fields}


def assert_model_fields(model, fields: list[dict], extra: tuple[str, ...] = (), optional: bool = False) -> None:
    """Every field of `model`, in its order, with its description as the hint and required as the model
    says (inside an `optional` object, required only in the hint: Decap would ask for an empty object's)."""
    assert [f["name"] for f in fields] == [*extra, *model.model_fields], model.__name__
    shown = by_name(fields)
    for name, info in model.model_fields.items():
        field = shown[name]
        assert info.description, f"{model.__name__}.{name} has no description: the form's hint comes from it"
        assert field["hint"].startswith(info.description.rstrip(".")), (model.__name__, name)
        if (model, name) not in ((Brief, "slug"), (Brief, "status")):
            assert field["required"] is (info.is_required() and not optional), (model.__name__, name)
        if optional and info.is_required():
            assert "Required when there is" in field["hint"], (model.__name__, name)


def test_every_brief_field_is_in_the_form_with_its_hint(corpus_config):
    fields = by_name(fields_of(*corpus_config))
    assert_model_fields(Brief, fields_of(*corpus_config))
    assert_model_fields(Figure, fields["image"]["fields"], optional=True)
    assert_model_fields(Frame, by_name(fields["image"]["fields"])["before"]["fields"], optional=True)
    assert_model_fields(Frame, by_name(fields["image"]["fields"])["after"]["fields"], optional=True)
    assert_model_fields(Figure, fields["figures"]["fields"], extra=(cms.KEY_LABEL,))  # an item is there
    assert_model_fields(Frame, by_name(fields["figures"]["fields"])["before"]["fields"], optional=True)
    assert_model_fields(Correction, fields["corrections"]["fields"])
    # the mappings of the format (notes: {label: text}) are lists of labelled items in the form
    assert [f["name"] for f in fields["notes"]["fields"]] == [cms.KEY_LABEL, cms.NOTE_TEXT]
    assert fields["notes"]["widget"] == fields["figures"]["widget"] == "list"


def test_a_field_the_form_cannot_show_is_an_error_not_a_gap():
    from pydantic import Field

    class Odd(Brief):
        odd: set[int] = Field(default_factory=set, description="a set")

    with pytest.raises(cms.CmsModelError, match="Odd.odd"):
        cms._Form(cms.registry_options(None), "en").fields(Odd)


def test_widgets_follow_the_model(corpus_config):
    fields = by_name(fields_of(*corpus_config))
    assert fields["title"]["widget"] == "string" and fields["title"]["required"] is True
    for name in ("date", "updated"):
        assert fields[name]["widget"] == "datetime"
        assert fields[name]["format"] == "YYYY-MM-DD" and fields[name]["time_format"] is False
    assert fields["date"]["default"] == "{{now}}" and "default" not in fields["updated"]
    # Markdown is typed raw: Decap's rich-text mode would escape [^a] and [@key]
    for name in ("body", "disclaimer"):
        assert fields[name]["widget"] == "markdown" and fields[name]["modes"] == ["raw"]
    assert by_name(fields["notes"]["fields"])["text"]["modes"] == ["raw"]
    assert by_name(fields["image"]["fields"])["file"]["widget"] == "image"
    assert by_name(fields["figures"]["fields"])["file"]["widget"] == "image"
    assert by_name(by_name(fields["figures"]["fields"])["before"]["fields"])["file"]["widget"] == "image"
    assert fields["image"]["widget"] == "object" and fields["image"]["required"] is False
    # an untouched optional picture stays empty: no default inside it (Decap would fill it in)
    before = by_name(by_name(fields["image"]["fields"])["before"]["fields"])
    assert "default" not in before["date"]
    # … nor in a list's items (Decap would start the list with an item)
    assert "default" not in by_name(fields["corrections"]["fields"])["date"]
    assert all(f["default"] == [] for f in fields.values() if f["widget"] == "list")
    assert fields["contents"] == {**fields["contents"], "widget": "boolean", "default": False}
    assert re.fullmatch(fields["time"]["pattern"][0], "09:30") and not re.fullmatch(fields["time"]["pattern"][0], "9h")
    assert fields["takeaways"]["widget"] == "list" and fields["takeaways"]["field"]["widget"] == "text"


def test_registries_are_choices_by_key_with_their_labels(corpus_config):
    config, corpus = corpus_config
    fields = by_name(fields_of(config, corpus))
    series = yaml.safe_load((REPO / "briefs" / "series.yml").read_text(encoding="utf-8"))
    authors = yaml.safe_load((REPO / "briefs" / "authors.yml").read_text(encoding="utf-8"))
    assert fields["series"]["widget"] == "select" and fields["series"]["multiple"] is False
    assert [o["value"] for o in fields["series"]["options"]] == sorted(series)
    assert all(series[o["value"]]["label"] in o["label"] for o in fields["series"]["options"])
    assert fields["authors"]["multiple"] is True and fields["authors"]["min"] == 1
    assert [o["value"] for o in fields["authors"]["options"]] == sorted(authors)
    assert all(authors[o["value"]]["name"] in o["label"] for o in fields["authors"]["options"])
    topics = yaml.safe_load((REPO / "briefs" / "topics.yml").read_text(encoding="utf-8"))
    used = {t for c in corpus.cards for t in c.brief.topics}
    assert fields["topics"]["multiple"] is True
    assert [o["value"] for o in fields["topics"]["options"]] == sorted(set(topics) | used)
    # related briefs and translations are chosen among the briefs, by slug
    assert [o["value"] for o in fields["related"]["options"]] == sorted(c.slug for c in corpus.cards)
    assert fields["translation"]["multiple"] is False


def test_the_config_is_the_same_bytes_whatever_the_order_of_the_registries(corpus_config):
    config, corpus = corpus_config
    first = cms.config_text(config, corpus)
    assert cms.config_text(config, corpus) == first
    corpus.authors = dict(reversed(corpus.authors.items()))
    corpus.series = dict(reversed(corpus.series.items()))
    corpus.topics = dict(reversed(corpus.topics.items()))
    corpus.cards = list(reversed(corpus.cards))
    assert cms.config_text(config, corpus) == first
    assert yaml.safe_load(first) == cms.cms_config(config, corpus)


def test_the_collection_is_the_briefs_folder_in_the_contracts_format(corpus_config):
    config, corpus = corpus_config
    data = cms.cms_config(config, corpus)
    (collection,) = data["collections"]
    assert collection | {"folder": "briefs", "extension": "yml", "format": cms.FORMAT, "create": True} == collection
    assert collection["slug"] == "{{fields.date}}-{{fields.slug}}"
    # the file name is ASCII whatever the title: the slug is required, checked, and slugs are ascii
    slug = by_name(collection["fields"])["slug"]
    assert slug["required"] is True and "Korean" in slug["hint"]
    assert re.fullmatch(slug["pattern"][0], "gukbang-gongeop")
    assert not re.fullmatch(slug["pattern"][0], "국방-공업") and not re.fullmatch(slug["pattern"][0], "Upper")
    assert data["slug"]["encoding"] == "ascii"
    assert data["media_folder"] == "briefs/images" and data["public_folder"] == "images"
    # registries share the folder: the format marks briefs, and only those are listed
    assert collection["filter"] == {"field": cms.KIND_FIELD, "value": "brief"}


def test_the_workflow_is_the_status_field(corpus_config):
    config, corpus = corpus_config
    data = cms.cms_config(config, corpus)
    (collection,) = data["collections"]
    status = by_name(collection["fields"])["status"]
    assert status["widget"] == "select" and status["default"] == "draft" and status["required"] is True
    assert [(o["label"], o["value"]) for o in status["options"]] == [
        ("Draft", "draft"), ("In review", "review"), ("Ready", "ready"), ("Published", "published")]
    assert set(typing.get_args(Brief.model_fields["status"].annotation)) == {o["value"] for o in status["options"]}
    assert [f["label"] for f in collection["view_filters"]] == ["Draft", "In review", "Ready", "Published"]
    assert all(f["field"] == "status" for f in collection["view_filters"])
    assert collection["view_groups"] == [{"label": "Status", "field": "status"}]
    # Decap's editorial workflow (git branches and pull requests) stays off, and the file says why
    assert data["publish_mode"] == "simple"
    assert "editorial workflow" in cms.config_text(config, corpus).split("\nbackend:")[0].lower()


def test_backend_default_and_from_settings(corpus_config):
    config, corpus = corpus_config
    assert cms.cms_config(config, corpus)["backend"] == {"branch": "main", "name": "git-gateway"}
    github = dataclasses.replace(config, cms_backend={"repo": "org/site", "name": "github", "branch": "main"})
    data = cms.cms_config(github, corpus)
    assert list(data["backend"]) == ["branch", "name", "repo"] and data["backend"]["name"] == "github"
    assert "local_backend" not in data
    text = cms.config_text(config, corpus)
    local = yaml.safe_load(cms.with_local_backend(text, "http://127.0.0.1:9/api/v1", "http://127.0.0.1:8/"))
    assert local["local_backend"] == {"url": "http://127.0.0.1:9/api/v1"}
    assert local["site_url"] == local["display_url"] == "http://127.0.0.1:8/"
    assert {k: v for k, v in local.items() if k not in ("local_backend", "site_url", "display_url")} == \
        {k: v for k, v in yaml.safe_load(text).items() if k not in ("site_url", "display_url")}


def test_admin_holds_the_page_the_config_the_bundle_and_no_source_maps(corpus_config, tmp_path):
    config, corpus = corpus_config
    on = dataclasses.replace(config, cms=True)
    generation = types.SimpleNamespace(corpus=corpus)
    cms.add_admin(on, generation, tmp_path)
    admin = tmp_path / "admin"
    names = {p.name for p in admin.iterdir()}
    assert {"index.html", "config.yml", "decap-cms.js", "js-yaml.min.js", "briefkit-cms.js"} <= names
    assert any(n.endswith(".decap-cms.js") and n != "decap-cms.js" for n in names)  # webpack's chunks
    assert not any(n.endswith(".map") or n.endswith(".cms.js") and not n.endswith("decap-cms.js") for n in names)
    page = (admin / "index.html").read_text(encoding="utf-8")
    for script in ("js-yaml.min.js", "decap-cms.js", "briefkit-cms.js"):
        assert f'<script src="{script}"></script>' in page
    spec = re.search(r'<script id="briefkit-cms-spec" type="application/json">(.*?)</script>', page, re.S).group(1)
    assert yaml.safe_load(spec) == cms.spec()
    assert (admin / "config.yml").read_text(encoding="utf-8") == cms.config_text(config, corpus)
    # a second build leaves the same files alone (the site may be hard links to the published one)
    inode = (admin / "decap-cms.js").stat().st_ino
    cms.add_admin(on, generation, tmp_path)
    assert (admin / "decap-cms.js").stat().st_ino == inode


def test_no_admin_without_cms(corpus_config, tmp_path):
    config, corpus = corpus_config
    assert config.cms is False  # conftest.make_project turns it off
    cms.add_admin(config, types.SimpleNamespace(corpus=corpus), tmp_path)
    assert not (tmp_path / "admin").exists()


def test_the_sample_site_has_the_editor_on():
    assert re.search(r"^    cms: true\b", (REPO / "mkdocs.yml").read_text(encoding="utf-8"), re.M)


def test_missing_bundle_is_an_error_at_the_cms_line(project, tmp_path, monkeypatch):
    settings = project.root / "mkdocs.yml"
    text = settings.read_text(encoding="utf-8").replace("    cms: false", "    cms: true")
    settings.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.strip().startswith("cms:"))
    monkeypatch.setattr(cms, "package_parent", lambda: tmp_path)  # no node_modules beside the package either
    with pytest.raises(EditorError) as caught:
        load_config(project.root)
    (diagnostic,) = caught.value.diagnostics.sorted()
    assert diagnostic.format() == (
        f"mkdocs.yml:{line}:10: error: extra.briefkit.cms: the editor's files "
        "(node_modules/decap-cms/dist/decap-cms.js and node_modules/js-yaml) are not installed "
        "(run `npm ci` (make site does) or set cms: false)")
    # with the bundle in the project itself, the settings are fine
    (project.root / "node_modules").symlink_to(REPO / "node_modules")
    assert load_config(project.root).cms is True


def decap_empty_draft(fields: list[dict]) -> dict:
    """What Decap 3 starts a new entry with (decap-cms-core's createEmptyDraftData, in Python): a list
    whose items' fields have any default starts with one item, an object with its fields' defaults."""
    out: dict = {}
    for field in fields:
        sub = field.get("fields") or ([field["field"]] if "field" in field else None)
        if sub is not None:
            if field.get("widget") == "list" and isinstance(field.get("default"), list):
                out[field["name"]] = field["default"]
                continue
            inner = decap_empty_draft(sub)
            value = [inner] if field.get("widget") == "list" else inner
            if value not in ({}, [{}]):
                out[field["name"]] = value
        elif "default" in field:
            out[field["name"]] = field["default"]
    return out


def test_a_new_brief_starts_with_its_defaults_only(corpus_config):
    draft = decap_empty_draft(fields_of(*corpus_config))
    lists = {k for k, v in draft.items() if v == []}
    assert {k: v for k, v in draft.items() if k not in lists} == {"date": "{{now}}", "contents": False,
                                                                   "status": "draft"}
