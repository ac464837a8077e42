"""Project settings: paths and options of the generator, read from `extra.briefkit` in mkdocs.yml.

Only this section of mkdocs.yml is read here (MkDocs' Python tags elsewhere in the file are left
alone), so the engine works without MkDocs. Every problem is an editor's error at its line in
mkdocs.yml, like a brief's: a YAML syntax error, an unknown option, a value of the wrong type, or a
folder the build would write in that is not its own.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, ValidationError

from .diagnostics import Diagnostics, EditorError, Span, did_you_mean

# Folders that hold what people wrote (or git's history): the build never writes into them.
PROTECTED = ("briefs", "docs", "templates", ".git")
SITE_DIR = "site"  # where the published site goes (publish.py); also never the build's scratch folder


class Cta(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    text: Annotated[str, StringConstraints(min_length=1)]
    link_text: Annotated[str, StringConstraints(min_length=1)]
    url: Annotated[str, StringConstraints(min_length=1)]


class Newsletter(BaseModel):
    """A sign-up form any list provider accepts: a plain HTML form posted to `action`."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    action: Annotated[str, StringConstraints(pattern=r"^https://\S+$")]  # the provider's form address
    text: Annotated[str, StringConstraints(min_length=1)]  # plain text above the form: what readers get
    button: Annotated[str, StringConstraints(min_length=1)] = "Sign up"
    email_field: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.\[\]-]+$")] = "email"
    method: Literal["post", "get"] = "post"
    hidden: dict[str, str] = {}  # fields the provider needs (a list id, say)


class Support(BaseModel):
    """The support (donate) block an editor places in a body with [support], or a series everywhere."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    text: Annotated[str, StringConstraints(min_length=1)]  # Markdown
    link_text: Annotated[str, StringConstraints(min_length=1)]
    url: Annotated[str, StringConstraints(min_length=1)]


class Options(BaseModel):
    """`extra.briefkit` in mkdocs.yml, with the defaults of the sample site. Strict: `pdf: "no"` or
    `page_size: "10"` is an error, not a guess."""

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    briefs_dir: str = "briefs"
    templates_dir: str = "templates"
    csl: str = "templates/house-chicago-notes.csl"
    pages_dir: str = ".build/pages"  # generated Markdown, git-ignored
    cache_dir: str = ".cache"
    page_size: int = Field(10, ge=1, le=1000)  # briefs per listing page (home, series, topics, authors, archive)
    related: int = Field(4, ge=0, le=50)  # related briefs listed under a brief
    feed_size: int = Field(20, ge=1, le=1000)  # entries per Atom/RSS feed
    pdf: bool = True  # build a PDF of every brief and link it from the page
    paper: Annotated[Literal["letter", "us-letter", "a4"],  # PDF paper size
                     BeforeValidator(lambda v: v.lower() if isinstance(v, str) else v)] = "letter"
    cta: Cta | None = None  # call to action under each brief: {text (Markdown), link_text, url}
    newsletter: Newsletter | None = None  # a sign-up form under each brief, in place of the call to action
    support: Support | None = None  # the support block: [support] in a body, or `support: true` on a series
    share: bool = True  # share links (plain URLs: e-mail, Bluesky, X, LinkedIn, Facebook) under each brief
    # the form-based editor at /admin/ (Decap CMS, configured from the brief model: briefkit/cms.py)
    cms: bool = False
    # the CMS's git host on the published site, as Decap's `backend:` section ({name: github, repo: org/site,
    # branch: main}); the preview always writes into briefs/ through Decap's local backend
    cms_backend: dict[str, str | int | bool] | None = None
    # the time zone of a scheduled brief's `time:` when the brief names none (IANA name: Asia/Seoul)
    timezone: str = "UTC"


@dataclass(frozen=True)
class Config:
    root: Path
    mkdocs_file: str = "mkdocs.yml"
    site_name: str = "Briefs"
    site_url: str = ""
    briefs_dir: str = "briefs"
    templates_dir: str = "templates"
    csl: str = "templates/house-chicago-notes.csl"
    pages_dir: str = ".build/pages"
    cache_dir: str = ".cache"
    page_size: int = 10
    related: int = 4
    feed_size: int = 20
    pdf: bool = True
    paper: str = "letter"
    cta: dict | None = None
    newsletter: dict | None = None
    support: dict | None = None
    share: bool = True
    cms: bool = False
    cms_backend: dict | None = None
    timezone: str = "UTC"
    docs_dir: str = "docs"
    language: str = "en"  # theme.language: the site's language (listings, the theme, briefs without `lang`)

    @property
    def briefs_path(self) -> Path:
        return self.root / self.briefs_dir

    @property
    def templates_path(self) -> Path:
        return self.root / self.templates_dir

    @property
    def csl_path(self) -> Path:
        return self.root / self.csl

    @property
    def pages_path(self) -> Path:
        return self.root / self.pages_dir

    @property
    def cache_path(self) -> Path:
        return self.root / self.cache_dir


def load_config(root: Path, mkdocs_file: str = "mkdocs.yml") -> Config:
    """The settings; an EditorError with every problem of mkdocs.yml, at its line."""
    diags = Diagnostics()
    path = root / mkdocs_file
    top = _compose(path, mkdocs_file, diags)
    data = _scalars(top, ("site_name", "site_url", "docs_dir"))
    section = _find(top, "extra", "briefkit")
    options = Options()
    if section is not None:
        options = _options(section, mkdocs_file, diags) or options
    if not diags.has_errors:
        _check_folders(root, options, str(data.get("docs_dir") or "docs"), section, mkdocs_file, diags)
    if options.cms and section is not None and not diags.has_errors:  # the editor needs Decap's bundle (cms.py)
        from .cms import check_bundle

        node = next((v for k, v in section.value if getattr(k, "value", None) == "cms"), section)
        check_bundle(root, _span(mkdocs_file, node), diags)
    if diags.has_errors:
        raise EditorError(diags)
    fields = options.model_dump()
    language = str(_scalars(_find(top, "theme"), ("language",)).get("language") or "en")
    return Config(root=root, mkdocs_file=mkdocs_file, site_name=str(data.get("site_name") or "Briefs"),
                  site_url=str(data.get("site_url") or ""), docs_dir=str(data.get("docs_dir") or "docs"),
                  language=language, **fields)


def _compose(path: Path, display: str, diags: Diagnostics) -> yaml.Node | None:
    """The YAML node tree of mkdocs.yml (tags are not resolved, so `!!python/name:` stays harmless)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        diags.error(Span(display, 1, 1), f"cannot read the settings: {exc}")
        return None
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        diags.error(Span(display, line, col), f"YAML syntax error: {exc.problem or exc.context or 'invalid YAML'}")
    except yaml.YAMLError as exc:
        diags.error(Span(display, 1, 1), "YAML error: " + " ".join(str(exc).split()))
    return None


def _find(node: yaml.Node | None, *keys: str) -> yaml.MappingNode | None:
    for key in keys:
        if not isinstance(node, yaml.MappingNode):
            return None
        node = next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)
    return node if isinstance(node, yaml.MappingNode) else None


def _scalars(node: yaml.Node | None, keys: tuple[str, ...]) -> dict[str, str]:
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {k.value: v.value for k, v in node.value
            if isinstance(k, yaml.ScalarNode) and k.value in keys and isinstance(v, yaml.ScalarNode)}


def _span(display: str, node: yaml.Node) -> Span:
    return Span(display, node.start_mark.line + 1, node.start_mark.column + 1)


def _options(section: yaml.MappingNode, display: str, diags: Diagnostics) -> Options | None:
    positions: dict[str, yaml.Node] = {}
    values = {}
    for key_node, value_node in section.value:
        key = getattr(key_node, "value", None)
        positions[str(key)] = value_node
        try:
            values[str(key)] = yaml.constructor.SafeConstructor().construct_object(value_node, deep=True)
        except yaml.YAMLError as exc:
            diags.error(_span(display, value_node), f"extra.briefkit.{key}: {exc}")
            return None
    try:
        return Options.model_validate(values)
    except ValidationError as exc:
        for err in exc.errors():
            name = str(err["loc"][0]) if err["loc"] else ""
            node = positions.get(name, section)
            where = f"extra.briefkit.{'.'.join(map(str, err['loc']))}"
            if err["type"] == "extra_forbidden":
                key_node = next(k for k, _ in section.value if getattr(k, "value", None) == name)
                diags.error(_span(display, key_node), f"unknown option {where}",
                            did_you_mean(name, Options.model_fields)
                            or f"known options: {', '.join(Options.model_fields)}")
            else:
                diags.error(_span(display, node), f"{where}: {err['msg'].lower()}, not {err.get('input')!r}")
        return None


def _inside(root: Path, setting: str) -> PurePosixPath | None:
    """The setting as a relative path below the project folder, or None when it is not one."""
    rel = PurePosixPath(setting.replace("\\", "/"))
    if not setting.strip() or rel.is_absolute() or ".." in rel.parts or rel == PurePosixPath("."):
        return None
    return rel


def _overlaps(a: PurePosixPath, b: PurePosixPath) -> bool:
    return a == b or a in b.parents or b in a.parents


def _check_folders(root: Path, options: Options, docs_dir: str, section: yaml.MappingNode | None,
                   display: str, diags: Diagnostics) -> None:
    """Folders the build reads must be in the project; folders it writes (and cleans) must also be its
    own: never the project itself, an editor's folder, git's, the published site, or one inside another."""
    nodes = {getattr(k, "value", None): v for k, v in section.value} if section is not None else {}

    def error(name: str, message: str, hint: str) -> None:
        node = nodes.get(name)
        diags.error(_span(display, node) if node is not None else Span(display, 1, 1),
                    f"extra.briefkit.{name}: {message}", hint)

    protected = {name: _inside(root, name) for name in PROTECTED}
    protected["briefs"] = _inside(root, options.briefs_dir) or protected["briefs"]
    protected["templates"] = _inside(root, options.templates_dir) or protected["templates"]
    protected["docs"] = _inside(root, docs_dir) or protected["docs"]
    for name in ("briefs_dir", "templates_dir", "csl"):
        if _inside(root, getattr(options, name)) is None:
            error(name, f"'{getattr(options, name)}' is not inside the project folder", "use a path relative to "
                  "the folder of mkdocs.yml, without ..")
        elif name == "csl" and not (root / options.csl).is_file():
            error(name, f"the CSL style '{options.csl}' does not exist",
                  "give the path of a .csl file, relative to the folder of mkdocs.yml")
    written = {}
    for name in ("pages_dir", "cache_dir"):
        rel = _inside(root, getattr(options, name))
        if rel is None:
            error(name, f"'{getattr(options, name)}' is not a folder inside the project",
                  "use a path relative to the folder of mkdocs.yml, without .., such as .build/pages")
            continue
        clash = [f"{label}/" for label, other in [*protected.items(), ("site", PurePosixPath(SITE_DIR))]
                 if _overlaps(rel, other)]
        if clash:
            error(name, f"'{getattr(options, name)}' overlaps {', '.join(clash)}",
                  "the build writes and deletes files there: use a folder of its own, such as .build/pages or .cache")
            continue
        written[name] = rel
    if len(written) == 2 and _overlaps(written["pages_dir"], written["cache_dir"]):
        error("pages_dir", "the pages folder and the cache folder overlap", "give each a folder of its own")
    pages = written.get("pages_dir")
    if pages is not None and not diags.has_errors:
        # a symbolic link can lead anywhere: where the pages folder really is matters for deleting
        real = (root / pages).resolve()
        for label, other in protected.items():
            target = (root / other).resolve()
            if real == target or target in real.parents or real in target.parents:
                error("pages_dir", f"'{options.pages_dir}' leads into {label}/ through a symbolic link",
                      "use a folder of its own")
