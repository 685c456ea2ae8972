"""Article pages and index.html: plain, accessible HTML5 with no external resources.

Every string from data or config is escaped; the article body is the same block HTML
the feeds carry, sanitised by nh3. Links in <head> are absolute (canonical, hreflang,
feed autodiscovery); links in the body are relative, so feeds/ can be browsed from disk.
Pure: same input, same bytes.
"""

from __future__ import annotations

import html
from collections.abc import Collection

from xlate.model import Rendition
from xlate.publish.feeds import (
    FEED_FILES,
    FEED_LABELS,
    FEED_TYPES,
    Catalog,
    Site,
    blocks_html,
    own_author,
    rfc3339,
    sanitize,
    tags,
    title,
    utc,
)

LANGUAGE_NAMES = {
    "lt": "Lietuvių",
    "en": "English",
    "pl": "Polski",
    "ru": "Русский",
    "lv": "Latviešu",
    "et": "Eesti",
    "de": "Deutsch",
    "uk": "Українська",
    "be": "Беларуская",
    "fr": "Français",
}
OTHER_LANGUAGES = {
    "lt": "Kitomis kalbomis",
    "en": "In other languages",
    "pl": "W innych językach",
    "ru": "На других языках",
}

CSS = (
    "body{font-family:system-ui,sans-serif;line-height:1.5;max-width:42rem;margin:0 auto;"
    "padding:1rem;color:#1b1b1b;background:#fff}"
    "a{color:#0645ad}"
    ".mt-notice{border-left:4px solid #8a4b00;padding:.25rem .75rem;background:#fff4e5}"
    ".meta,.tags{color:#444;font-size:.9rem}"
    ".byline{font-style:italic}"
    "nav ul,.feeds{list-style:none;padding:0}"
    "nav li,.feeds li{display:inline;margin-right:1rem}"
)


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)


def _document(lang: str, page_title: str, head: list[str], body: list[str]) -> bytes:
    lines = [
        "<!doctype html>",
        f'<html lang="{_e(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(page_title)}</title>",
        *head,
        f"<style>{CSS}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(lines).encode("utf-8")


def _time(r: Rendition) -> str:
    return f'<time datetime="{rfc3339(r.published)}">{utc(r.published):%Y-%m-%d}</time>'


def _feed_links(site: Site, lang: str, kinds: tuple[str, ...]) -> list[str]:
    return [
        f'<link rel="alternate" type="{FEED_TYPES[k]}" hreflang="{lang}" '
        f'title="{_e(site.title(lang))} ({FEED_LABELS[k]})" href="{_e(site.feed_url(lang, k))}">'
        for k in kinds
    ]


def render_article(site: Site, cat: Catalog, r: Rendition) -> bytes:
    lang = r.lang
    versions = cat.versions.get(r.slug, {})
    head = [f'<link rel="canonical" href="{_e(site.page_url(lang, r.slug))}">']
    head += [
        f'<link rel="alternate" hreflang="{v}" href="{_e(site.page_url(v, r.slug))}">'
        for v in site.langs
        if v in versions
    ]
    head += _feed_links(site, lang, ("rss", "atom"))

    meta = _time(r)
    author = own_author(r) or site.author_name()
    meta += f" · {_e(author)}"
    body = [
        "<header>",
        f'<p><a href="../index.html#{lang}">{_e(site.title(lang))}</a></p>',
        "</header>",
        "<main>",
        "<article>",
        f"<h1>{_e(title(r))}</h1>",
        f'<p class="meta">{meta}</p>',
    ]
    if cat.original(site, r) is not None:
        src = site.source_lang
        body.append(
            f'<p class="mt-notice"><a href="../{src}/{r.slug}.html" hreflang="{src}">{_e(site.mt_notice(lang))}</a></p>'
        )
    elif r.machine_translated and lang != site.source_lang:
        body.append(f'<p class="mt-notice">{_e(site.mt_notice(lang))}</p>')
    content = sanitize(blocks_html(r.blocks))
    if content:
        body.append(content)
    shown = tags(r)
    if shown:
        body.append(f'<p class="tags">{_e(", ".join(shown))}</p>')
    body += ["</article>", "</main>"]
    others = cat.alternates(site, r)
    if others:
        label = OTHER_LANGUAGES.get(lang, OTHER_LANGUAGES["en"])
        body.append(f'<nav aria-label="{_e(label)}">')
        body.append("<ul>")
        body += [
            f'<li><a href="../{v}/{r.slug}.html" hreflang="{v}" lang="{v}">{_e(language_name(v))}</a></li>'
            for v in others
        ]
        body += ["</ul>", "</nav>"]
    return _document(lang, f"{title(r)} – {site.title(lang)}", head, body)


def render_index(site: Site, cat: Catalog) -> bytes:
    src = site.source_lang
    head: list[str] = []
    for lang in site.langs:
        head += _feed_links(site, lang, tuple(FEED_FILES))
    body = [
        "<header>",
        f"<h1>{_e(site.title(src))}</h1>",
        '<p><a href="feeds.opml" type="text/x-opml">OPML</a></p>',
        "</header>",
        "<main>",
    ]
    for lang in site.langs:
        body += [
            f'<section id="{lang}" lang="{lang}" aria-labelledby="h-{lang}">',
            f'<h2 id="h-{lang}">{_e(site.title(lang))}</h2>',
            f"<p>{_e(site.description(lang))}</p>",
            '<ul class="feeds">',
            *(
                f'<li><a href="{lang}/{FEED_FILES[k]}" type="{FEED_TYPES[k]}">{FEED_LABELS[k]}</a></li>'
                for k in FEED_FILES
            ),
            "</ul>",
        ]
        entries = cat.by_lang.get(lang, [])
        if entries:
            body.append('<ul class="articles">')
            body += [f'<li><a href="{lang}/{r.slug}.html">{_e(title(r))}</a> {_time(r)}</li>' for r in entries]
            body.append("</ul>")
        body.append("</section>")
    body.append("</main>")
    return _document(src, site.title(src), head, body)


def render_pages(site: Site, cat: Catalog, slugs: Collection[str] | None = None) -> dict[str, bytes]:
    """The index and the article pages of `slugs` (every article when None)."""
    out = {
        f"{r.lang}/{r.slug}.html": render_article(site, cat, r) for r in cat.all() if slugs is None or r.slug in slugs
    }
    out["index.html"] = render_index(site, cat)
    return out
