"""What a brief page tells machines: Open Graph, Twitter cards, Google Scholar tags and JSON-LD."""

from __future__ import annotations

import json

from .html import absolute_url as absolute
from .html import page_url, plain_text
from .listings import topic_label
from .load import Corpus
from .resolve import ResolvedBrief


def json_ld(corpus: Corpus, rb: ResolvedBrief, site_name: str, site_url: str, versions=(), translated_by=()) -> str:
    """`versions`: the brief's other language versions (render.TranslationLink); `translated_by`: the
    cards of those that name this brief as their `translation` (this one is their original)."""
    brief = rb.brief
    series = corpus.series.get(brief.series) if brief.series else None
    data: dict = {
        "@context": "https://schema.org",
        "@type": series.schema_type if series else "NewsArticle",
        "headline": brief.title,
        "url": page_url(site_url, rb.page_path),
        "mainEntityOfPage": page_url(site_url, rb.page_path),
        "datePublished": brief.date.isoformat(),
        "dateModified": (brief.last_modified or brief.date).isoformat(),
        "inLanguage": brief.lang,
        "author": [{"@type": "Person", "name": corpus.authors[a].name,
                    "url": page_url(site_url, f"authors/{a}.md")} for a in brief.authors],
        "publisher": {"@type": "Organization", "name": site_name, "url": site_url},
    }
    if brief.summary:
        data["description"] = plain_text(brief.summary)
    if brief.image:
        data["image"] = {"@type": "ImageObject", "url": absolute(site_url, brief.image.file),
                         "caption": plain_text(brief.image.caption or brief.image.alt),
                         "creditText": brief.image.credit_statement}
    if series:
        data["articleSection"] = series.label_in(brief.lang)
    by_lang = {v.lang: v for v in versions}
    if brief.translation:
        original = next((v for v in versions if v.slug == brief.translation), None)
        if original is not None:
            data["translationOfWork"] = {"@type": "CreativeWork", "url": original.url, "inLanguage": original.lang}
    translations = [by_lang[c.brief.lang] for c in translated_by if c.brief.lang in by_lang]
    if translations:
        data["workTranslation"] = [{"@type": "CreativeWork", "url": v.url, "inLanguage": v.lang} for v in translations]
    if brief.topics:
        data["keywords"] = [topic_label(corpus, t, brief.lang) for t in brief.topics]
    text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def head_context(corpus: Corpus, rb: ResolvedBrief, site_name: str, site_url: str, pdf: bool,
                 social: tuple[str, int, int, str] | None = None, versions=(), translated_by=()) -> dict:
    """`social`: the link-preview image (path in the site, width, height, alt text): a crop of the hero
    photograph or a drawn card (pictures.py, social.py)."""
    brief = rb.brief
    series = corpus.series.get(brief.series) if brief.series else None
    feeds = [(site_name, absolute(site_url, "feed.xml"))]
    if series:
        feeds.append((f"{series.label_in(brief.lang)} — {site_name}",
                      absolute(site_url, f"series/{brief.series}/feed.xml")))
    return {
        "brief": brief,
        "url": page_url(site_url, rb.page_path),
        "description": plain_text(brief.summary or ""),
        "image_url": absolute(site_url, social[0]) if social else None,
        "image_size": social[1:3] if social else None,
        "image_alt": social[3] if social else None,
        "authors": [corpus.authors[a].name for a in brief.authors],
        "series_label": series.label_in(brief.lang) if series else "",
        "topics": [topic_label(corpus, t, brief.lang) for t in brief.topics],
        "site_name": site_name,
        "pdf_url": absolute(site_url, rb.page_path.removesuffix(".md") + f"/{rb.slug}.pdf") if pdf else None,
        "feeds": feeds,
        "json_ld": json_ld(corpus, rb, site_name, site_url, versions, translated_by),
        # hreflang alternates: this page and each translation (render.TranslationLink), by language
        "alternates": sorted([(brief.lang, page_url(site_url, rb.page_path)), *((v.lang, v.url) for v in versions)])
        if versions else [],
    }
