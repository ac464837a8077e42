"""The form-based editor at /admin/: Decap CMS, configured from the brief model and the registries.

With `cms: true` in `extra.briefkit`, every build writes into the site:

- `admin/config.yml`, Decap's configuration, generated here and never written by hand: one form field
  for every field of `model.Brief` (and of `Figure`, `Frame`, `Correction` inside it), with the
  field's pydantic `description` as the hint under it and `required` as the model says; series,
  authors and topics as choices from the registries (keys as values, labels and names shown);
- `admin/index.html`, a minimal page that loads Decap and `briefkit-cms.js` (templates/admin/): the
  file format of briefs (below) and the preview pane, which shows the brief as the site renders it
  (cms_preview.py, through `python build.py serve`);
- Decap's bundle (`decap-cms.js` and its chunks, from node_modules/, installed by `npm ci`) and
  js-yaml's browser build.

Decap has no widget for a mapping with keys an editor chooses, which is what `notes:` and `figures:`
are in the brief format (`notes: {sec: "text"}`). So the collection uses a file format of its own,
`briefkit-yaml` (registered by briefkit-cms.js): reading a brief, it turns each such mapping into a
list of items with a `label` (notes: `{label, text}`; figures: `{label, file, alt, …}`), which the
form shows as a list; writing, it turns the list back into the mapping. The files keep the format of
the contract, and YAML is written the way PyYAML (YAML 1.1) reads it back: `time: '09:30'`, `'yes'`
and `'2024-04-29'` in a text are quoted, dates are not (Decap's own YAML writer follows YAML 1.2,
where `09:30` is text and PyYAML reads the number 570). The `SPEC` block of the page tells the
script which fields those are, in which order the keys go, and where the dates are: from the model.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import types
import typing
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, Union

import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from .diagnostics import Diagnostics, Span
from .model import Brief, Correction, Figure, Frame

if TYPE_CHECKING:
    from .config import Config
    from .generate import Generation
    from .load import Corpus

ADMIN_DIR = "admin"  # in the site: /admin/
TEMPLATES = "admin"  # in templates/: index.html and briefkit-cms.js
DECAP_DIST = ("decap-cms", "dist")
DECAP_MAIN = "decap-cms.js"
DECAP_CHUNKS = "*.decap-cms.js"  # the chunks webpack loads beside the bundle (no source maps)
JS_YAML = ("js-yaml", "dist", "js-yaml.min.js")
DECAP_SERVER = ("decap-server", "dist", "index.js")
COLLECTION = "briefs"
KIND_FIELD = "briefkit_kind"  # set by the format on every file it reads: "brief", or "other" for a registry
PREVIEW_ENDPOINT = "/__briefkit/cms/preview"  # the preview server renders a brief there (cms_preview.py)
PAGE_PREFIX = "/__briefkit/cms/page/"  # … and serves the rendered page's files below it
FORMAT = "briefkit-yaml"
DEFAULT_BACKEND = {"name": "git-gateway", "branch": "main"}
STATUS_LABELS = {"draft": "Draft", "review": "In review", "ready": "Ready", "published": "Published"}
NEW_STATUS = "draft"  # what a brief started in the editor is
# fields whose value is chosen from a registry (model.REGISTRY_MODELS) or from the briefs
REGISTRY_FIELDS = {"series": "series", "authors": "authors", "topics": "topics"}
BRIEF_FIELDS = ("related", "translation")
MAX_BRIEF_OPTIONS = 1000  # beyond this many briefs, related/translation are typed (a list of 10,000 is no choice)
# fields written as Markdown (the editor's raw text: Decap's rich-text mode would escape [^a] and [@key])
MARKDOWN = {("Brief", "body"), ("Brief", "disclaimer"), ("Brief", "notes"), ("Correction", "text")}
# longer plain texts: a text box rather than one line
TEXT = {("Brief", "summary"), ("Brief", "takeaways"), ("Figure", "caption")}
IMAGES = {("Figure", "file"), ("Frame", "file")}
KEY_LABEL = "label"  # the item field that holds a mapping's key (notes, figures)
NOTE_TEXT = "text"  # … and a note's text
LABEL_HINTS = {
    "notes": "The label the body refers to as [^label]: letters, digits, _ . : -",
    "figures": "The label the body places as [figure: label] on a line of its own: letters, digits, _ . : -",
}
SLUG_HINT = (" Required here: the file name is YYYY-MM-DD-<slug>.yml, in Latin letters whatever the title's "
             "script (a Korean title: write the slug in romanized words, e.g. gukbang-gongeop). The file keeps "
             "the name it was first saved with.")
SINGULAR = {"figures": "figure", "notes": "note", "takeaways": "takeaway", "corrections": "correction",
            "bibliography": "bibliography file"}
TIME_PATTERN = r"^([01]?\d|2[0-3]):[0-5]\d$"
PATTERN_MESSAGES = {r"^[^{}\n]*\{credit\}[^{}\n]*$": "write {credit} where the credit goes, e.g. © 2024 {credit}"}
BUNDLE_HINT = "run `npm ci` (make site does) or set cms: false"


class CmsModelError(Exception):
    """A model field the editor has no widget for: a new field needs a line in cms.py (a bug, not an
    editor's mistake; the unit tests find it)."""


# ---- the bundle ----

def package_parent() -> Path:
    """The folder above the briefkit package (the repository of an installed checkout)."""
    return Path(__file__).resolve().parent.parent


def node_modules(root: Path) -> Path | None:
    """The node_modules/ with Decap's bundle and js-yaml: the project's, else the one beside the package."""
    for base in (root, package_parent()):
        folder = base / "node_modules"
        if (folder.joinpath(*DECAP_DIST, DECAP_MAIN).is_file() and folder.joinpath(*JS_YAML).is_file()):
            return folder
    return None


def check_bundle(root: Path, span: Span, diags: Diagnostics) -> None:
    """`cms: true` needs Decap's bundle: an editor's error at the `cms:` line of mkdocs.yml without it."""
    if node_modules(root) is None:
        diags.error(span, "extra.briefkit.cms: the editor's files (node_modules/decap-cms/dist/decap-cms.js and "
                          "node_modules/js-yaml) are not installed", BUNDLE_HINT)


def bundle_files(folder: Path) -> dict[str, Path]:
    """The files /admin/ serves from node_modules/, by their name there."""
    dist = folder.joinpath(*DECAP_DIST)
    files = {DECAP_MAIN: dist / DECAP_MAIN}
    files.update((p.name, p) for p in sorted(dist.glob(DECAP_CHUNKS)) if p.is_file())
    files["js-yaml.min.js"] = folder.joinpath(*JS_YAML)
    return files


def context_files(config: Config) -> list[Path]:
    """What /admin/ is made of besides the model and the registries: its templates and the versions of
    the npm packages (for the site's incremental state: a change rebuilds the site)."""
    if not config.cms:
        return []
    files = sorted(p for p in (config.templates_path / TEMPLATES).glob("*") if p.is_file())
    found = node_modules(config.root)
    if found is not None:
        files += [found / "decap-cms" / "package.json", found / "js-yaml" / "package.json"]
    return files


# ---- what the form offers ----

Options = list[dict[str, str]]


def registry_options(corpus: Corpus | None) -> dict[str, Options]:
    """The choices of the registry fields and of related/translation, sorted by key: the same
    registries give the same bytes whatever their order in the files."""
    out: dict[str, Options] = {"series": [], "authors": [], "topics": [], "briefs": []}
    if corpus is None:
        return out
    out["series"] = [{"label": f"{s.label} ({k})", "value": k} for k, s in sorted(corpus.series.items())]
    out["authors"] = [{"label": f"{a.name} ({k})", "value": k} for k, a in sorted(corpus.authors.items())]
    # a topic need not be in topics.yml (its label comes from its key): those used by briefs are choices too
    topics = {k: t.label for k, t in corpus.topics.items()}
    for card in corpus.cards:
        for key in card.brief.topics:
            topics.setdefault(key, key.replace("-", " ").title())
    out["topics"] = [{"label": f"{label} ({k})", "value": k} for k, label in sorted(topics.items())]
    briefs = sorted({(c.slug, c.brief.title, c.brief.date) for c in corpus.cards})
    if len(briefs) <= MAX_BRIEF_OPTIONS:
        out["briefs"] = [{"label": f"{title} ({day:%Y-%m-%d}, {slug})", "value": slug}
                         for slug, title, day in briefs]
    else:
        out["briefs"] = None  # type: ignore[assignment]  # typed by hand
    return out


def _strip(annotation) -> tuple[object, list]:
    """An annotation without Annotated[] and Optional: (the type, the metadata found on the way)."""
    metadata: list = []
    while True:
        if typing.get_origin(annotation) is Annotated:
            annotation, *more = typing.get_args(annotation)
            metadata += more
            continue
        if typing.get_origin(annotation) in (Union, types.UnionType):
            args = [a for a in typing.get_args(annotation) if a is not type(None)]
            if len(args) == 1:
                annotation = args[0]
                continue
        return annotation, metadata


def _pattern(metadata: list) -> str | None:
    for item in metadata:
        pattern = getattr(item, "pattern", None)
        if isinstance(pattern, str):
            return pattern
    return None


def _label(name: str) -> str:
    return {"lang": "Language", "timezone": "Time zone"}.get(name, name.replace("_", " ").capitalize())


def _sentence(text: str | None) -> str:
    text = (text or "").rstrip()
    return text if not text or text.endswith((".", "!", "?")) else text + "."


def _model_name(model: type[BaseModel]) -> str:
    return model.__name__


class _Form:
    """Decap's fields for a model, field by field."""

    def __init__(self, options: dict[str, Options], language: str):
        self.options = options
        self.language = language

    def fields(self, model: type[BaseModel], defaults: bool = True, within: str | None = None) -> list[dict]:
        """The model's fields. Without `defaults` (below the brief's own fields), none has a default
        value: Decap fills an untouched object with its fields' defaults (`before: {date: today}` is not
        an empty picture), and starts a list whose items have one with an item. `within`: the optional
        object they belong to, if any: Decap asks for an empty optional object's required fields, so
        there they are optional in the form (the check says what is missing once the object is given)."""
        return [self.field(model, name, info, defaults, within) for name, info in model.model_fields.items()]

    def field(self, model: type[BaseModel], name: str, info: FieldInfo, defaults: bool = True,
              within: str | None = None) -> dict:
        where = (_model_name(model), name)
        brief = issubclass(model, Brief)
        out: dict = {"name": name, "label": _label(name), "required": info.is_required() and within is None}
        if info.description:
            out["hint"] = info.description
        if info.is_required() and within is not None:
            out["hint"] = _sentence(info.description) + f" Required when there is {within}."
        kind, metadata = _strip(info.annotation)
        metadata += list(info.metadata)
        origin = typing.get_origin(kind)
        if brief and name in REGISTRY_FIELDS:
            registry = REGISTRY_FIELDS[name]
            out.update(widget="select", options=self.options[registry] or [], multiple=origin is list)
            if origin is list and out["required"]:
                out["min"] = 1
            return out
        if brief and name in BRIEF_FIELDS:
            briefs = self.options["briefs"]
            if briefs is None:  # too many briefs to choose from: typed
                out["widget"] = "list" if origin is list else "string"
            else:
                out.update(widget="select", options=briefs, multiple=origin is list)
            return out
        if brief and name == "slug":
            pattern = _pattern(metadata)
            out.update(widget="string", required=True, hint=_sentence(info.description) + SLUG_HINT)
            if pattern:
                out["pattern"] = [pattern, "lowercase letters, digits and single hyphens, e.g. new-munitions-factories"]
            return out
        if brief and name == "status":
            values = typing.get_args(kind)
            out.update(widget="select", default=NEW_STATUS, required=True,
                       options=[{"label": STATUS_LABELS.get(v, v.capitalize()), "value": v}
                                for v in _status_order(values)])
            return out
        if brief and name == "lang":
            out.update(widget="string", pattern=[_pattern(metadata) or ".*", "a language code (BCP 47): en, ko, …"])
            out["hint"] = _sentence(info.description) + f" Empty: the site's language ({self.language})."
            return out
        if brief and name == "time":
            out.update(widget="string", pattern=[TIME_PATTERN, '24-hour time, "HH:MM", e.g. 09:30'])
            return out
        if kind is dt.date:
            # the day as the text YYYY-MM-DD (a date input, no time zone); a new brief's date is today
            out.update(widget="datetime", format="YYYY-MM-DD", date_format="YYYY-MM-DD", time_format=False)
            if out["required"] and defaults:
                out["default"] = "{{now}}"  # (no default is a blank date: "" would count as one, below)
            return out
        if kind is bool:
            out.update(widget="boolean")
            if defaults:
                out["default"] = bool(info.default) if isinstance(info.default, bool) else False
            return out
        if origin is Literal:
            out.update(widget="select", options=[{"label": str(v), "value": v} for v in typing.get_args(kind)])
            if info.default is not None and not info.is_required():
                out["default"] = info.default
            return out
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            noun = _label(name).lower()
            optional = within or (None if out["required"] else f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}")
            out.update(widget="object", collapsed=not out["required"], fields=self.fields(kind, False, optional))
            return out
        if origin is dict:
            key_type, value_type = typing.get_args(kind)
            value, _ = _strip(value_type)
            label = {"name": KEY_LABEL, "label": "Label", "widget": "string", "required": True,
                     "hint": LABEL_HINTS.get(name, "The key")}
            key_pattern = _pattern(_strip(key_type)[1])
            if key_pattern:
                label["pattern"] = [key_pattern, "letters, digits, _ . : - (starting with a letter or digit)"]
            if isinstance(value, type) and issubclass(value, BaseModel):
                items = [label, *self.fields(value, False, within)]
                summary = "{{fields." + KEY_LABEL + "}}"
            elif value is str:
                text = {"name": NOTE_TEXT, "label": "Text", "required": True,
                        **self.text_widget(where)}
                items = [label, text]
                summary = "[^{{fields." + KEY_LABEL + "}}] {{fields." + NOTE_TEXT + "}}"
            else:
                raise CmsModelError(f"no widget for {where[0]}.{name}: a mapping of {value!r}")
            out.update(widget="list", fields=items, summary=summary, collapsed=False, default=[],
                       label_singular=SINGULAR.get(name, name))
            return out
        if origin is list:
            (item,) = typing.get_args(kind)
            item, _ = _strip(item)
            if isinstance(item, type) and issubclass(item, BaseModel):
                # default []: Decap starts a list with an item when any of its item's fields has a default
                out.update(widget="list", fields=self.fields(item, False, within), collapsed=False, default=[],
                           label_singular=SINGULAR.get(name, name))
                return out
            if item is str:
                out.update(widget="list", label_singular=SINGULAR.get(name, name), default=[],
                           field={"name": "item", "label": _label(SINGULAR.get(name, name)), **self.text_widget(where)})
                if where not in TEXT and where not in MARKDOWN:
                    out["field"]["widget"] = "string"
                return out
            raise CmsModelError(f"no widget for {where[0]}.{name}: a list of {item!r}")
        if kind is str:
            if where in IMAGES:
                out.update(widget="image", choose_url=False)
            else:
                out.update(self.text_widget(where) if (where in TEXT or where in MARKDOWN) else {"widget": "string"})
            pattern = _pattern(metadata)
            if pattern and out["widget"] == "string":
                out["pattern"] = [pattern, PATTERN_MESSAGES.get(pattern, "not in the form the hint describes")]
            return out
        raise CmsModelError(f"no widget for {where[0]}.{name}: {info.annotation!r}")

    @staticmethod
    def text_widget(where: tuple[str, str]) -> dict:
        if where in MARKDOWN:
            # raw Markdown: what the editor types is what the file holds ([^a], [@key], [figure: x])
            return {"widget": "markdown", "modes": ["raw"], "editor_components": [], "sanitize_preview": True}
        return {"widget": "text"}


def _status_order(values: tuple) -> list[str]:
    """The workflow's order: draft → review → ready, then published (and any other, alphabetically)."""
    known = [v for v in STATUS_LABELS if v in values]
    return known + sorted(v for v in values if v not in STATUS_LABELS)


def brief_fields(options: dict[str, Options], language: str = "en") -> list[dict]:
    return _Form(options, language).fields(Brief)


def _date_paths(model: type[BaseModel], prefix: tuple = ()) -> list[list[str]]:
    """Where the model has dates, "*" standing for any item of a list or value of a mapping."""
    out = []
    for name, info in model.model_fields.items():
        kind, _ = _strip(info.annotation)
        origin = typing.get_origin(kind)
        if kind is dt.date:
            out.append([*prefix, name])
        elif isinstance(kind, type) and issubclass(kind, BaseModel):
            out += _date_paths(kind, (*prefix, name))
        elif origin in (list, dict):
            item, _ = _strip(typing.get_args(kind)[-1])
            if isinstance(item, type) and issubclass(item, BaseModel):
                out += _date_paths(item, (*prefix, name, "*"))
    return out


def spec() -> dict:
    """What briefkit-cms.js needs to read and write a brief as the contract has it, from the model."""
    keyed = {}
    for name, info in Brief.model_fields.items():
        kind, _ = _strip(info.annotation)
        if typing.get_origin(kind) is dict:
            value, _ = _strip(typing.get_args(kind)[1])
            keyed[name] = {"key": KEY_LABEL, "value": None if isinstance(value, type) and
                           issubclass(value, BaseModel) else NOTE_TEXT}
    defaults = {name: info.default for name, info in Brief.model_fields.items()
                if isinstance(info.default, bool)}  # `contents: false` is not written
    return {
        "collection": COLLECTION,
        "kind_field": KIND_FIELD,
        "keyed": keyed,
        "order": {"brief": list(Brief.model_fields), "figure": [KEY_LABEL, *Figure.model_fields],
                  "frame": list(Frame.model_fields), "correction": list(Correction.model_fields)},
        "objects": {"image": "figure", "figures": "figure", "before": "frame", "after": "frame",
                    "corrections": "correction"},
        "dates": _date_paths(Brief),
        "drop_defaults": defaults,
        "fill": {"status": Brief.model_fields["status"].default},  # a brief without status: published
        # a date with a time in it is split, as the model does (Brief._date_with_time)
        "moment": {"date": "date", "time": "time", "timezone": "timezone"}
        if {"time", "timezone"} <= Brief.model_fields.keys() else None,
        "preview": PREVIEW_ENDPOINT,
    }


def cms_config(config: Config, corpus: Corpus | None, local_url: str | None = None) -> dict:
    """Decap's configuration (admin/config.yml) for the site; with `local_url`, for the preview, whose
    decap-server writes into the project folder."""
    options = registry_options(corpus)
    backend = dict(sorted((config.cms_backend or DEFAULT_BACKEND).items()))
    briefs = config.briefs_dir.strip("/")
    out: dict = {"backend": backend}
    if local_url:
        out["local_backend"] = {"url": local_url}
    out["publish_mode"] = "simple"
    out["media_folder"] = f"{briefs}/images"
    out["public_folder"] = "images"  # image paths in a brief are relative to briefs/
    if config.site_url:
        out["site_url"] = config.site_url
        out["display_url"] = config.site_url
    out["slug"] = {"encoding": "ascii", "clean_accents": True, "sanitize_replacement": "-"}
    collection = {
        "name": COLLECTION,
        "label": "Briefs",
        "label_singular": "Brief",
        "description": "One brief per file: briefs/YYYY-MM-DD-<slug>.yml. Registries, the bibliography and "
                       "images stay files of their own.",
        "folder": briefs,
        "extension": "yml",
        "format": FORMAT,
        "create": True,
        "delete": False,  # a brief is withdrawn by its status (or its file deleted in git), not from a form
        # the file name: the day and the slug the form asks for (fields.date is the text YYYY-MM-DD)
        "slug": "{{fields.date}}-{{fields.slug}}",
        "identifier_field": "title",
        "summary": "{{fields.date}} · {{fields.title}} · {{fields.status}}",
        # registries (authors.yml …) live in the same folder: the format marks what is a brief
        "filter": {"field": KIND_FIELD, "value": "brief"},
        "sortable_fields": ["date", "title", "status"],
        "view_filters": [{"label": STATUS_LABELS.get(v, v), "field": "status", "pattern": f"^{v}$"}
                         for v in _status_order(typing.get_args(_strip(Brief.model_fields["status"].annotation)[0]))],
        "view_groups": [{"label": "Status", "field": "status"}],
        "editor": {"preview": True},
        "fields": brief_fields(options, config.language),
    }
    out["collections"] = [collection]
    return out


HEADER = """\
# Generated by briefkit (briefkit/cms.py) from the brief model and the registries at each build:
# edit briefkit/model.py, the registries or extra.briefkit (cms, cms_backend) in mkdocs.yml, not this file.
#
# Decap's editorial workflow (publish_mode: editorial_workflow) stays off: it keeps each entry on a git
# branch of its own until it is merged, which needs a git host's pull requests and leaves briefs/ without
# the drafts. The workflow is the brief's `status` instead (Draft → In review → Ready → Published),
# filtered and grouped in the list of briefs; drafts and briefs in review are never published.
"""


def config_text(config: Config, corpus: Corpus | None, local_url: str | None = None) -> str:
    data = cms_config(config, corpus, local_url)
    return HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)


def index_html(config: Config) -> str:
    """The editor's page: the template with the site's name and the format's SPEC."""
    template = (config.templates_path / TEMPLATES / "index.html").read_text(encoding="utf-8")
    # "</" never appears inside the JSON block, so no text can end the script element early
    blob = json.dumps(spec(), ensure_ascii=False, sort_keys=True).replace("</", "<\\/")
    return (template.replace("{{ site_name }}", html.escape(config.site_name))
            .replace("{{ spec }}", blob))


def admin_files(config: Config, corpus: Corpus | None) -> dict[str, bytes]:
    """Every file of /admin/, by its name there."""
    found = node_modules(config.root)
    if found is None:  # load_config reports it: only a caller that skipped it gets here
        raise FileNotFoundError(f"Decap's bundle is not installed ({BUNDLE_HINT})")
    files = {name: path.read_bytes() for name, path in bundle_files(found).items()}
    folder = config.templates_path / TEMPLATES
    files.update((p.name, p.read_bytes()) for p in sorted(folder.glob("*.js")) if p.is_file())
    files["index.html"] = index_html(config).encode("utf-8")
    files["config.yml"] = config_text(config, corpus).encode("utf-8")
    return files


def add_admin(config: Config, generation: Generation, site_dir: Path) -> None:
    """/admin/ in the built site when `cms` is on (site_extras.add_extras); nothing otherwise. Files that
    hold the same bytes are left alone, others replaced (never written in place: the site may be hard
    links to the published one), and nothing else is left in the folder."""
    if not config.cms:
        return
    from .search import write_bundle

    write_bundle(site_dir / ADMIN_DIR, admin_files(config, generation.corpus))


def with_local_backend(text: str, url: str, site_url: str | None = None) -> str:
    """The site's admin/config.yml for the preview: Decap's local backend (decap-server) first, and the
    preview's address as the site's (Decap links to it)."""
    data = yaml.safe_load(text)
    out = {"backend": data.pop("backend"), "local_backend": {"url": url}, **data}
    if site_url:
        out["site_url"] = out["display_url"] = site_url
    return HEADER + yaml.safe_dump(out, sort_keys=False, allow_unicode=True, default_flow_style=False, width=100)
