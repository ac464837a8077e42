"""`python build.py import wordpress EXPORT.xml`: one brief per post of a WordPress export.

The stages, each a module of its own: read the export (wxr.py); take the notes out of each post
(wp_notes.py); give classic posts their paragraphs and set aside what has no Markdown form
(wp_html.py); convert the HTML to Markdown, many posts per pandoc process (wp_markdown.py); then,
here, write the briefs and the registries' new entries.

- Published posts become published briefs, scheduled ones ready briefs with their time and UTC
  offset, drafts and pending posts drafts; private and trashed posts are listed in the report, not
  imported. Pages, attachments and menus are not briefs.
- Authors are added to authors.yml, categories to series.yml and tags to topics.yml, as the mapping
  file (`MAPPING`, written on the first run, edited by the editor, read on every later one) says: a
  category's series (the first mapped category of a post is its series), a tag's topic, or nothing.
- Nothing is overwritten: an existing brief file is left alone, unless this import wrote it and it
  has not changed since (the manifest, `MANIFEST`, keeps the digest of what it wrote), so a run after
  editing the mapping updates only the briefs nobody touched.
- What could not be converted stays in the brief as a marked block (`check` reports each) and is
  listed in the report (`REPORT`) with the post's ID, title, what, and where.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml

from .config import Config
from .embeds import embed_address
from .limits import MAX_TOPICS
from .names import RESERVED, is_slug
from .redirects import merge as merge_redirects
from .slugs import slug_from_title
from .wp_figures import (
    FIGURE_PATTERN,
    IMAGES_DIR,
    Picture,
    find_pictures,
    local_name,
    split_credit,
    upload_path,
    usable,
)
from .wp_html import Aside, autop, set_aside
from .wp_markdown import finish_body, finish_note, mark_block, to_markdown
from .wp_notes import find_notes
from .wxr import WpItem, WpSite, read_wxr

MAPPING = "wordpress-mapping.yml"  # in the project folder: categories → series, tags → topics (the editor's)
MANIFEST = ".wordpress-import.json"  # in the project folder: what the import wrote (file → digest, post ID)
REPORT = "wordpress-import-report.md"  # in the project folder: what needs an editor's eye
STATUSES = {"publish": "published", "future": "ready", "draft": "draft", "pending": "draft", "auto-draft": "draft"}
SKIPPED = {"private": "a private post", "trash": "a post in the trash", "inherit": "a revision"}


@dataclass
class ReportLine:
    post_id: int
    title: str
    what: str
    where: str  # the brief file and line, or the export's line


@dataclass
class ImportResult:
    written: list[str] = field(default_factory=list)  # brief files written (new or updated)
    kept: list[str] = field(default_factory=list)  # existing files left alone
    redirects: int = 0  # old addresses added to redirects.yml
    report: list[ReportLine] = field(default_factory=list)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _key(text: str, fallback: str) -> str:
    """A registry key from a name or a WordPress slug (percent-encoded in the export when not ASCII)."""
    key = slug_from_title(unquote(text)) or slug_from_title(fallback) or "unnamed"
    return key + "-wp" if key in RESERVED else key


def brief_slug(item: WpItem) -> str:
    slug = _key(item.slug, item.title) if item.slug else (slug_from_title(item.title) or f"post-{item.id}")
    return slug if is_slug(slug) else f"post-{item.id}"


# ---- the mapping file ----------------------------------------------------------------------------

def load_mapping(path: Path, site: WpSite) -> dict[str, dict[str, str | None]]:
    """{"categories": {nicename: series key or None}, "tags": {nicename: topic key or None}}, with every
    term of the export: the file's choices first, defaults (the term's own slug) for new terms."""
    mapping: dict[str, dict[str, str | None]] = {"categories": {}, "tags": {}}
    if path.is_file():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for part in mapping:
            for term, target in (loaded.get(part) or {}).items():
                mapping[part][str(term)] = None if target in (None, "", False) else str(target)
    for item in site.items:
        for term in item.categories:
            mapping["categories"].setdefault(term.nicename, _key(term.nicename, term.name))
        for term in item.tags:
            mapping["tags"].setdefault(term.nicename, _key(term.nicename, term.name))
    return mapping


def write_mapping(path: Path, mapping: dict, names: dict[tuple[str, str], str]) -> None:
    lines = ["# How the WordPress import maps categories to series and tags to topics. Edit a key, or write",
             "# null to leave a term out, then run the import again: briefs it wrote and nobody changed since",
             "# are updated. A post's series is its first mapped category.", ""]
    for part in ("categories", "tags"):
        lines.append(f"{part}:")
        for term, target in sorted(mapping[part].items()):
            label = names.get((part, term), term)
            lines.append(f"  {json.dumps(term)}: {target if target else 'null'}  # {label}")
        lines.append("")
    path.write_text("\n".join(lines), encoding="utf-8")


# ---- registries ----------------------------------------------------------------------------------

def _append_entries(path: Path, entries: dict[str, dict[str, str]], header: str) -> list[str]:
    """New entries at the end of a registry file, its own text left as it is; the keys added."""
    existing = {}
    if path.is_file():
        existing = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    new = {k: v for k, v in sorted(entries.items()) if k not in existing}
    if not new:
        return []
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    block = yaml.safe_dump(new, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text.rstrip("\n") + ("\n\n" if text.strip() else "") + f"# {header}\n" + block, encoding="utf-8")
    return list(new)


def author_key(site: WpSite, login: str) -> str:
    author = site.authors.get(login)
    return _key(author.display_name if author else login, login)


# ---- one post ------------------------------------------------------------------------------------

@dataclass
class Converted:
    item: WpItem
    body: str
    notes: dict[str, str]
    summary: str
    asides: list[Aside]
    problems: list[str]
    figures: dict[str, dict] = field(default_factory=dict)
    image: dict | None = None


def _offset(item: WpItem) -> str | None:
    if item.date is None or item.date_gmt is None:
        return None
    minutes = round((item.date - item.date_gmt).total_seconds() / 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def brief_text(c: Converted, site: WpSite, mapping: dict) -> str:
    item = c.item
    series = next((mapping["categories"].get(t.nicename) for t in item.categories
                   if mapping["categories"].get(t.nicename)), None)
    topics = list(dict.fromkeys(mapping["tags"][t.nicename] for t in item.tags if mapping["tags"].get(t.nicename)))
    data: dict = {"title": item.title or f"Untitled post {item.id}"}
    if series:
        data["series"] = series
    day = item.date or dt.datetime(1970, 1, 1)
    data["date"] = day.date()
    status = STATUSES.get(item.status, "draft")
    if status == "ready":  # a scheduled post: its time and the site's UTC offset then
        data["time"] = day.strftime("%H:%M")
        if _offset(item):
            data["timezone"] = _offset(item)
    data["authors"] = [author_key(site, item.creator)] if item.creator else []
    if topics:
        data["topics"] = topics[:MAX_TOPICS]
    if c.summary:
        data["summary"] = c.summary
    if c.image:
        data["image"] = c.image
    if c.figures:
        data["figures"] = c.figures
    if status != "published":
        data["status"] = status
    data["body"] = c.body
    if c.notes:
        data["notes"] = c.notes
    head = f"# Imported from WordPress: post {item.id}, {item.link}\n"
    return head + yaml.dump(data, Dumper=_BriefDumper, allow_unicode=True, sort_keys=False, width=100)


class _BriefDumper(yaml.SafeDumper):
    """Texts of several lines as `|` blocks (what editors write), dates as dates, times quoted."""


def _text(dumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", value)


_BriefDumper.add_representer(str, _text)


def _extra_topics(item: WpItem, mapping: dict) -> Aside | None:
    """Tags beyond the limit of topics of a brief: kept in the body as a marked block, never dropped."""
    topics = list(dict.fromkeys(mapping["tags"][t.nicename] for t in item.tags if mapping["tags"].get(t.nicename)))
    if len(topics) <= MAX_TOPICS:
        return None
    return Aside(0, f"tags beyond the limit of {MAX_TOPICS} topics", ", ".join(topics[MAX_TOPICS:]))


def convert(items: list[WpItem], attachments: dict[int, WpItem], uploads: Path) -> list[Converted]:
    """Every post's body, notes, summary, figures and hero as Markdown (pandoc in batches)."""
    prepared = []
    pieces: list[str] = []
    for item in items:
        found = find_notes(item.content, item.meta)
        html, groups = find_pictures(autop(found.html), attachments)
        html, asides = set_aside(html, figures=False)
        hero = featured(item, attachments)
        first = len(pieces)
        pieces.append(html)
        pieces += [autop(n.html) for n in found.notes]
        pieces.append(autop(item.excerpt) if item.excerpt else "")
        pictures = [p for group in groups for p in group] + ([hero] if hero else [])
        pieces += [p.caption for p in pictures]
        prepared.append((item, found, asides, groups, hero, first))
    markdown = to_markdown(pieces)
    out = []
    for item, found, asides, groups, hero, first in prepared:
        captions = iter(markdown[first + len(found.notes) + 2:])
        figures: dict[str, dict] = {}
        placed: dict[int, str] = {}
        for n, group in enumerate(groups, start=1):
            reasons = [r for p in group if (r := usable(p, uploads))]
            texts = [" ".join(next(captions).split()) for _ in group]
            if reasons:
                placed[n] = mark_block(Aside(0, reasons[0], group[0].source))
                continue
            labels = [f"wp-{n}"] if len(group) == 1 else [f"wp-{n}-{k}" for k in range(1, len(group) + 1)]
            for label, picture, caption in zip(labels, group, texts, strict=True):
                figures[label] = figure_entry(picture, caption)
            placed[n] = "\n\n".join(f"[figure: {label}]" for label in labels)
        image = None
        hero_problem = None
        if hero is not None:
            caption = " ".join(next(captions).split())
            hero_problem = usable(hero, uploads)
            image = None if hero_problem else figure_entry(hero, caption)
        body = finish_body(markdown[first], asides)
        body = FIGURE_PATTERN.sub(lambda m, placed=placed: "\n\n" + placed[int(m.group(1))] + "\n\n", body)
        if hero_problem:
            body = mark_block(Aside(0, f"featured image: {hero_problem}", hero.source)) + "\n\n" + body
        body = "\n".join(line.rstrip() for line in body.split("\n"))  # (a `|` block in YAML: wp_markdown)
        body = re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
        notes = {str(n.number): finish_note(markdown[first + n.number]) for n in found.notes}
        summary = " ".join(markdown[first + len(found.notes) + 1].split())
        out.append(Converted(item, body, notes, summary, asides, list(found.problems), figures, image))
    return out


def featured(item: WpItem, attachments: dict[int, WpItem]) -> Picture | None:
    """The post's featured image (its `_thumbnail_id` attachment), if it has one."""
    if item.thumbnail_id is None:
        return None
    target = attachments.get(item.thumbnail_id)
    if target is None:
        return Picture(f"featured image {item.thumbnail_id}", None, "", "", None)
    caption, credit = split_credit(target.excerpt)
    return Picture(target.attachment_url or f"featured image {item.thumbnail_id}", upload_path(target.attachment_url),
                   target.meta.get("_wp_attachment_image_alt", "").strip(), caption, credit)


def figure_entry(picture: Picture, caption: str) -> dict:
    if picture.embed is not None:
        provider = embed_address(picture.embed)[0]
        entry = {"embed": picture.embed, "alt": picture.alt or f"{provider} embed", "credit": provider}
    else:
        entry = {"file": local_name(picture.upload), "alt": picture.alt, "credit": picture.credit}
        if picture.credit.startswith("©"):  # printed as written, not as "(Source: © …)"
            entry.update(credit=picture.credit.lstrip("© ").strip() or picture.credit, credit_line=picture.credit)
    if caption:
        entry["caption"] = caption
    return entry


def _line_of(text: str, needle: str) -> int:
    index = text.find(needle)
    return text.count("\n", 0, index) + 1 if index >= 0 else 1


# ---- the whole import ----------------------------------------------------------------------------

def import_wordpress(config: Config, export: Path, uploads: Path | None = None) -> ImportResult:
    site = read_wxr(export)
    uploads = uploads or export.parent / "wp-content" / "uploads"
    attachments = {i.id: i for i in site.items if i.type == "attachment"}
    briefs = config.briefs_path
    briefs.mkdir(parents=True, exist_ok=True)
    result = ImportResult()
    posts = []
    for item in site.items:
        if item.type != "post":
            continue
        if item.status in SKIPPED:
            result.report.append(ReportLine(item.id, item.title, f"not imported: {SKIPPED[item.status]}",
                                            f"{export.name}:{item.line}"))
            continue
        posts.append(item)
    mapping = load_mapping(config.root / MAPPING, site)
    names = {("categories", t.nicename): t.name for i in posts for t in i.categories}
    names.update({("tags", t.nicename): t.name for i in posts for t in i.tags})
    write_mapping(config.root / MAPPING, mapping, names)
    _registries(config, site, posts, mapping, names)
    manifest_path = config.root / MANIFEST
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    taken: dict[str, int] = {}
    names_of: dict[int, str] = {}  # post ID → its brief's file name
    for c in convert(posts, attachments, uploads):
        item = c.item
        day = (item.date or dt.datetime(1970, 1, 1)).date()
        slug = brief_slug(item)
        name = f"{day.isoformat()}-{slug}.yml"
        if name in taken:  # two posts of a day with one slug: the later gets its ID
            name = f"{day.isoformat()}-{slug}-{item.id}.yml"
        taken[name] = item.id
        names_of[item.id] = name
        extra = _extra_topics(item, mapping)
        if extra is not None:
            extra = Aside(len(c.asides) + 1, extra.kind, extra.source)
            c.asides.append(extra)
            c.body = c.body.rstrip("\n") + "\n\n" + mark_block(extra) + "\n"
        text = brief_text(c, site, mapping)
        path = briefs / name
        display = f"{config.briefs_dir}/{name}"
        if path.exists():
            current = path.read_text(encoding="utf-8")
            mine = manifest.get(name)
            if not mine or mine.get("digest") != _digest(current):
                result.kept.append(display)
                result.report.append(ReportLine(item.id, item.title, "not written: the brief exists and was not "
                                                "written by this import as it is now", display))
                continue
            if current == text:
                continue
        path.write_text(text, encoding="utf-8")
        manifest[name] = {"post": item.id, "digest": _digest(text)}
        result.written.append(display)
        for problem in c.problems:
            result.report.append(ReportLine(item.id, item.title, problem, f"{display}:{_line_of(text, 'notes:')}"))
        for picture in [*c.figures.values(), *([c.image] if c.image else [])]:
            if "file" in picture:
                copy_upload(uploads, picture["file"], briefs, result, item, display)
        for m in re.finditer(r"^ *`{3,}wordpress-import (?P<what>[^\n]*)$", text, re.M):
            line = text.count("\n", 0, m.start()) + 1
            result.report.append(ReportLine(item.id, item.title, f"not converted: {m.group('what')}",
                                            f"{display}:{line}"))
    manifest_path.write_text(json.dumps(dict(sorted(manifest.items())), indent=1) + "\n", encoding="utf-8")
    result.redirects = merge_redirects(config.root, old_addresses(site, posts, names_of, mapping, attachments))
    write_report(config.root / REPORT, export, result)
    return result


def copy_upload(uploads: Path, local: str, briefs: Path, result: ImportResult, item: WpItem, display: str) -> None:
    """The uploads file of a figure into briefs/images/wp/…; an existing different file is left alone."""
    upload = local.removeprefix(IMAGES_DIR + "/")
    source = next((p for p in [uploads / upload] if p.is_file()), None)
    if source is None:  # the name was made lowercase: find the file as it is in uploads/
        source = next((p for p in uploads.rglob("*") if p.is_file() and local_name(p.relative_to(uploads).as_posix())
                       == local), None)
    target = briefs / local
    if source is None:
        return
    if target.exists():
        if target.read_bytes() != source.read_bytes():
            result.report.append(ReportLine(item.id, item.title, f"not copied: {local} exists and differs", display))
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)


def _path(link: str) -> str | None:
    parts = urlsplit(link)
    return (parts.path or "/") + (f"?{parts.query}" if parts.query else "") if link else None


def old_addresses(site: WpSite, posts: list[WpItem], names_of: dict[int, str], mapping: dict,
                  attachments: dict[int, WpItem]) -> dict[str, str]:
    """Every old address of the WordPress site that has a new one: each post's own (when it changes),
    its short link (/?p=ID), its attachments' pages, the archives of its categories, tags and authors,
    and their feeds. Drafts have no public address."""
    base = urlsplit(site.link).path.rstrip("/")
    found: dict[str, str] = {}
    public = {}
    for item in posts:
        name = names_of.get(item.id)
        if name is None or STATUSES.get(item.status) == "draft":
            continue
        day, slug = name[:10], name[11:].removesuffix(".yml")
        new = f"/{day[:4]}/{day[5:7]}/{slug}/"
        public[item.id] = new
        old = _path(item.link)
        if old and old != new:
            found[old] = new
        found[f"{base}/?p={item.id}"] = new
    for attachment in attachments.values():
        if attachment.parent in public and _path(attachment.link):
            found[_path(attachment.link)] = public[attachment.parent]
        if attachment.parent in public:
            found[f"{base}/?attachment_id={attachment.id}"] = public[attachment.parent]
    for part, folder, archive in (("categories", "series", "category"), ("tags", "topics", "tag")):
        for term, key in mapping[part].items():
            if key:
                found[f"{base}/{archive}/{term}/"] = f"/{folder}/{key}/"
                found[f"{base}/{archive}/{term}/feed/"] = f"/{folder}/{key}/feed.xml"
    for item in posts:
        if item.id in public and item.creator:
            found[f"{base}/author/{item.creator}/"] = f"/authors/{author_key(site, item.creator)}/"
    if public:
        found[f"{base}/feed/"] = "/feed.xml"
    return found


def _registries(config: Config, site: WpSite, posts: list[WpItem], mapping: dict, names: dict) -> None:
    authors = {}
    for item in posts:
        if item.creator:
            author = site.authors.get(item.creator)
            entry = {"name": author.display_name if author else item.creator}
            if author and author.first_name and author.last_name:
                entry.update(family=author.last_name, given=author.first_name)
            authors[author_key(site, item.creator)] = entry
    briefs = config.briefs_path
    _append_entries(briefs / "authors.yml", authors, "Added by the WordPress import")
    series = {key: {"label": names.get(("categories", term), term)}
              for term, key in mapping["categories"].items() if key}
    _append_entries(briefs / "series.yml", series, "Added by the WordPress import (its categories)")
    topics = {key: {"label": names.get(("tags", term), term)} for term, key in mapping["tags"].items() if key}
    _append_entries(briefs / "topics.yml", topics, "Added by the WordPress import (its tags)")


def write_report(path: Path, export: Path, result: ImportResult) -> None:
    lines = [f"# WordPress import of {export.name}", "",
             f"{len(result.written)} briefs written, {len(result.kept)} existing briefs left alone, "
             f"{result.redirects} old addresses added to redirects.yml, {len(result.report)} things to look at.", ""]
    if result.report:
        lines += ["| post | title | what | where |", "|---|---|---|---|"]
        for r in result.report:
            title = r.title.replace("|", "\\|")
            lines.append(f"| {r.post_id} | {title} | {r.what.replace('|', '/')} | {r.where} |")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")

