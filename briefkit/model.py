"""The brief format as typed models: the validator and the published JSON Schema both come from here."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

from .limits import MAX_FIGURES, MAX_TOPICS  # the figures' limit is checked there first, with the others
from .names import MAX_SLUG_LENGTH, RESERVED, SLUG_PATTERN

Text = Annotated[str, StringConstraints(min_length=1)]
Key = Annotated[str, StringConstraints(min_length=1, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$")]


def _not_reserved(value: str) -> str:
    if value in RESERVED:
        raise ValueError("reserved_name")
    return value


# A name that becomes part of a path and a URL (see names.py): series, author and topic keys, slugs.
Slug = Annotated[str, StringConstraints(min_length=1, max_length=MAX_SLUG_LENGTH, pattern=SLUG_PATTERN),
                 AfterValidator(_not_reserved)]
SLUG_FIELDS = ("series", "authors", "topics", "related", "slug")

# How many entries a list may have: far above what a brief needs, low enough that no page, feed or
# listing can be made to grow without bound by one file (2,000 topics once wrote a 349 MB site).
MAX_AUTHORS = 30
MAX_RELATED = 20
MAX_TAKEAWAYS = 20
MAX_BIBLIOGRAPHIES = 20
MAX_CORRECTIONS = 50


def _one_or_many(value):
    """`authors: lee` is read as `authors: [lee]`."""
    return [value] if isinstance(value, str) else value


SlugList = Annotated[list[Slug], BeforeValidator(_one_or_many)]


def _text_keys(value):
    """`1: text` under notes: gives the label '1', as [^1] in the body expects."""
    return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


CreditFormat = Annotated[str, StringConstraints(pattern=r"^[^{}\n]*\{credit\}[^{}\n]*$")]


class Frame(_Strict):
    """One of the two pictures of a before/after comparison: a file, the day it shows, its credit."""

    file: Text = Field(description="Image path relative to briefs/, e.g. images/2024-04-site.jpg")
    date: dt.date = Field(description="The day the picture shows (YYYY-MM-DD), printed beside it")
    alt: Text | None = Field(None, description="What this picture shows; by default the figure's alt and the date")
    credit: Text = Field(description='Who made the picture; printed as "(Source: …)" unless credit_format or '
                                     'credit_line says otherwise')
    credit_format: CreditFormat | None = Field(None, description='How the credit is printed, e.g. "© 2024 {credit}"')
    credit_line: Text | None = Field(None, description="The whole credit line as printed (instead of credit_format)")

    @property
    def credit_text(self) -> str:
        if self.credit_line:
            return self.credit_line
        return (self.credit_format or "(Source: {credit})").replace("{credit}", self.credit)


class Figure(_Strict):
    """An image with its alternative text, optional caption and required credit; or an embed; or a
    before/after comparison of two pictures of the same place (before: and after:, each credited)."""

    # the JSON Schema says it too: editors' tools (VS Code) flag a figure without a credit
    model_config = ConfigDict(extra="forbid", frozen=True, json_schema_extra={"oneOf": [
        {"required": ["file", "credit"]}, {"required": ["embed", "credit"]}, {"required": ["before", "after"]}]})

    file: Text | None = Field(None, description="Image path relative to briefs/, e.g. images/2024-04-test.jpg")
    embed: Text | None = Field(None, description="Instead of file, in figures: the address of a Datawrapper or "
                                                 "Flourish chart or a YouTube video, shown in the page")
    alt: Text = Field(description="What the image shows, for readers who cannot see it (an embed's title)")
    caption: str | None = Field(None, description="Markdown caption printed under the image")
    before: Frame | None = Field(None, description="Instead of file, in figures: the earlier picture of a "
                                                   "before/after comparison (with after:)")
    after: Frame | None = Field(None, description="The later picture of a before/after comparison")
    credit: Text | None = Field(None, description='Who made the image (required, except for a comparison, whose '
                                                  'pictures have their own); printed as "(Source: …)" unless '
                                                  'credit_format or credit_line says otherwise')
    credit_format: CreditFormat | None = Field(
        None, description='How the credit is printed, with {credit} where it goes: "© 2024 {credit}", '
                          '"Image: {credit}"; the default is "(Source: {credit})"')
    credit_line: Text | None = Field(None, description='The whole credit line as printed, e.g. '
                                                       '"© 2024 Airbus DS / 38 North" (instead of credit_format)')

    @model_validator(mode="after")
    def _file_or_embed(self):
        compare = self.before is not None or self.after is not None
        if [self.file is not None, self.embed is not None, compare].count(True) != 1:
            raise ValueError("file_or_embed")
        if compare and (self.before is None or self.after is None):
            raise ValueError("compare_needs_both")
        if not compare and self.credit is None:
            raise ValueError("credit_missing")
        if self.embed is not None:
            from .embeds import embed_address

            if embed_address(self.embed) is None:
                raise ValueError("embed_not_allowed")
        return self

    @property
    def embed_src(self) -> str | None:
        """The iframe's address of an embed (see embeds.py)."""
        from .embeds import embed_address

        found = embed_address(self.embed) if self.embed else None
        return found[1] if found else None

    @property
    def compare(self) -> bool:
        return self.before is not None

    @property
    def files(self) -> tuple[str, ...]:
        """The image files the figure shows (none for an embed)."""
        if self.before is not None and self.after is not None:
            return (self.before.file, self.after.file)
        return (self.file,) if self.file else ()

    @property
    def credit_statement(self) -> str:
        """The credit without the page's "(Source: …)" wrapping: schema.org's creditText."""
        if self.credit is None:  # a comparison: its pictures carry the credits
            return "; ".join(f.credit_text for f in (self.before, self.after) if f is not None)
        if self.credit_line:
            return self.credit_line
        return self.credit_format.replace("{credit}", self.credit) if self.credit_format else self.credit

    @property
    def credit_text(self) -> str:
        """The credit as printed under the image, on the web page and in the PDF ("" for a comparison
        without a credit of its own: its pictures' credits are printed beside them)."""
        if self.credit is None:
            return self.credit_line or ""
        if self.credit_line:
            return self.credit_line
        return (self.credit_format or "(Source: {credit})").replace("{credit}", self.credit)


def _clock_time(value):
    """`time: "09:30"`. Unquoted, YAML 1.1 reads 9:30 as the number 570 (base 60): refused, not guessed."""
    if isinstance(value, bool) or isinstance(value, int | float):
        raise ValueError("time_unquoted")
    if isinstance(value, str) and not re.fullmatch(r"([01]?\d|2[0-3]):[0-5]\d", value.strip()):
        raise ValueError("time_format")
    return value


def _time_zone(value):
    """An IANA time zone name (Asia/Seoul) or a UTC offset (+09:00)."""
    if isinstance(value, str) and not (re.fullmatch(r"[+-](0\d|1[0-4]):[0-5]\d", value) or _known_zone(value)):
        raise ValueError("unknown_time_zone")
    return value


def _known_zone(name: str) -> bool:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*", name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


# What editors' tools (the published JSON Schema) accept: a time as "HH:MM" (two-digit hours, so that an
# unquoted 9:30, which PyYAML reads as a number, is flagged as you type), a date with or without one
DATE_SCHEMA = {"type": "string",
               "pattern": r"^\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2}(:\d{2})?[ \t]*(Z|[+-]\d{2}:?\d{2})?)?$"}
ClockTime = Annotated[dt.time, BeforeValidator(_clock_time),
                      WithJsonSchema({"type": "string", "pattern": r"^([01]\d|2[0-3]):[0-5]\d$"})]
TimeZone = Annotated[str, BeforeValidator(_time_zone)]
# the editorial workflow: draft → review → ready; `published` (the default) is ready too
STATUSES = ("published", "draft", "review", "ready")
UNPUBLISHED_STATUSES = ("draft", "review")


class Correction(_Strict):
    """A dated correction, shown as a notice on the page, in the feed entry and in the PDF."""

    date: dt.date = Field(description="The day the correction was made (YYYY-MM-DD)")
    text: Text = Field(description="Markdown: what was corrected, e.g. An earlier version gave the wrong date.")


class Brief(_Strict):
    """One brief: a YAML file briefs/YYYY-MM-DD-<slug>.yml."""

    title: Text = Field(description="The headline")
    short_title: str | None = Field(None, description="Shorter title for running heads and cards")
    series: Slug | None = Field(None, description="Key in series.yml; its label is printed above the title")
    date: Annotated[dt.date, WithJsonSchema(DATE_SCHEMA)] = Field(
        description="Publication date (YYYY-MM-DD), the date in the file name; a future date "
                                      "means scheduled: published on that day (at `time`) by the next build")
    time: ClockTime | None = Field(None, description='Publication time on `date` (24-hour "HH:MM", in quotes) of '
                                                     'a scheduled brief; by default the start of the day')
    timezone: TimeZone | None = Field(None, description="Time zone of `date` and `time`: an IANA name "
                                                        "(Asia/Seoul, America/New_York) or an offset (+09:00); "
                                                        "by default the site's (extra.briefkit.timezone)")
    slug: Slug | None = Field(None, description="The brief's address (lowercase letters, digits, hyphens): the "
                                                "file name without date and extension; when given, the file "
                                                "name must match it")
    updated: dt.date | None = Field(None, description='Date of the last substantive update, shown as "Updated"')
    authors: Annotated[SlugList, Field(min_length=1, max_length=MAX_AUTHORS)] = Field(
        description="Keys in authors.yml, in byline order")
    topics: Annotated[SlugList, Field(max_length=MAX_TOPICS)] = Field(
        default_factory=list, description="Topic keys (labels in topics.yml)")
    summary: str | None = Field(None, description="One or two sentences for listings, feeds and cards")
    image: Figure | None = Field(None, description="Hero image; alt and credit are required")
    figures: Annotated[dict[Key, Figure], BeforeValidator(_text_keys), Field(max_length=MAX_FIGURES)] = Field(
        default_factory=dict,
        description="Images placed in the body with a paragraph of its own: [figure: label]",
    )
    takeaways: Annotated[list[Text], Field(max_length=MAX_TAKEAWAYS)] = Field(
        default_factory=list, description='Markdown items of the "Key takeaways" box')
    contents: bool = Field(False, description="true for a long report: a contents box of its headings beside "
                                              "the text (briefs have none)")
    status: Literal[STATUSES] = Field("published", description="draft → review → ready: drafts and briefs in "
                                                               "review are not published; a ready (or published) "
                                                               "brief is published on its date and time")
    corrections: Annotated[list[Correction], Field(max_length=MAX_CORRECTIONS)] = Field(
        default_factory=list, description="Dated corrections ({date, text}), shown on the page, in the feed and "
                                          "in the PDF; the latest sets the date of the last change")
    lang: Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")] = Field(
        "en", description="Language of the brief (BCP 47), e.g. en or ko; by default the site's (theme.language)"
    )
    related: Annotated[SlugList, Field(max_length=MAX_RELATED)] = Field(
        default_factory=list, description="Slugs of related briefs")
    translation: Slug | None = Field(
        None, description="Slug of the brief this one translates (or that translates it): both pages link each "
                          "other, with hreflang alternates")
    disclaimer: str | None = Field(None, description="Markdown; replaces the series' default disclaimer")
    bibliography: Annotated[list[Text], Field(max_length=MAX_BIBLIOGRAPHIES)] = Field(
        default_factory=list, description="Extra .bib files (relative to briefs/) added to references.bib"
    )
    body: Text = Field(description="Markdown; [^label] refers to notes, [@key] cites references.bib")
    notes: Annotated[dict[Key, Text], BeforeValidator(_text_keys)] = Field(
        default_factory=dict, description="Footnotes referenced from the body as [^label]")

    @model_validator(mode="before")
    @classmethod
    def _date_with_time(cls, value):
        """`date: 2026-12-08 09:00` (or an ISO timestamp with an offset) is the date with `time:` (and
        `timezone:`) given apart: one meaning, whichever way an editor writes it."""
        if not isinstance(value, dict) or "date" not in value:
            return value
        moment = value["date"]
        if isinstance(moment, str):
            found = re.fullmatch(r"(\d{4}-\d{2}-\d{2})[T ](\d{1,2}:\d{2})(?::\d{2})?[ \t]*(Z|[+-]\d{2}:?\d{2})?",
                                 moment.strip())
            if not found:
                return value
            day, clock, offset = found.groups()
            zone = None if offset is None else ("+00:00" if offset == "Z" else offset[:3] + ":" + offset[-2:])
        elif isinstance(moment, dt.datetime):
            day, clock = moment.date().isoformat(), moment.strftime("%H:%M")
            zone = None
            if moment.utcoffset() is not None:  # YAML gives an aware timestamp in UTC: keep its moment
                minutes = int(moment.utcoffset().total_seconds() // 60)
                zone = f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
        else:
            return value
        if "time" in value or (zone is not None and "timezone" in value):
            raise ValueError("time_twice")
        out = {**value, "date": day, "time": clock}
        if zone is not None:
            out["timezone"] = zone
        return out

    @model_validator(mode="after")
    def _updated_after_date(self):
        if self.updated is not None and self.updated < self.date:
            raise ValueError("updated_before_date")
        if any(c.date < self.date for c in self.corrections):
            raise ValueError("correction_before_date")
        return self

    @property
    def last_modified(self) -> dt.date | None:
        """The day of the last change a reader is told about: `updated` or the latest correction."""
        days = [d for d in (self.updated, *(c.date for c in self.corrections)) if d is not None]
        return max(days) if days else None


class Author(_Strict):
    name: Text
    bio: str | None = None
    role: str | None = None
    photo: str | None = None
    url: str | None = None
    # for citations of the brief ("Lee, Rachel Minyoung"); by default the last word of `name` is the family name
    family: str | None = None
    given: str | None = None

    def name_parts(self) -> tuple[str, str]:
        """(family, given) name."""
        if self.family:
            return self.family, self.given or ""
        given, _, family = self.name.rpartition(" ")
        return family, given


LangCode = Annotated[str, StringConstraints(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]+)*$")]


class _Labelled(_Strict):
    label: Text
    # the label in other languages ({ko: 요약}): what pages in that language show
    labels: dict[LangCode, Text] = Field(default_factory=dict)

    def label_in(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels.get(lang.split("-")[0]) or self.label


class Series(_Labelled):
    description: str | None = None
    disclaimer: str | None = None
    # schema.org type of the series' briefs in the page's JSON-LD: analysis is a Report, news a NewsArticle
    schema_type: Literal["NewsArticle", "Report"] = "NewsArticle"
    # whether every brief of the series ends with the support block (extra.briefkit.support), unless
    # its body places it with [support]
    support: bool = False


class Topic(_Labelled):
    description: str | None = None


REGISTRY_MODELS: dict[str, type[BaseModel]] = {"authors": Author, "series": Series, "topics": Topic}


def brief_json_schema(site_url: str = "") -> dict:
    schema = Brief.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    if site_url:
        schema["$id"] = site_url.rstrip("/") + "/schema/brief.schema.json"
    return schema
