"""Article pages, language home pages, monthly archives and index.html: plain, accessible
HTML5 with no external resources, rendered by jinja2 templates (``templates/``) with
autoescape on.

Every value is escaped by the template engine; the only markup inserted as such is the
article body, the block HTML the feeds carry (``feeds.blocks_html``: fixed tags, every text
escaped; the feeds pass it through nh3 as well, pages need not), and the stylesheet.
Links in <head> are absolute (canonical, hreflang, feed autodiscovery); links in the body
are relative, so feeds/ can be browsed from disk. Pure: same input, same bytes.

Layout (under the feeds folder)::

    index.html                  every language: subscribe box and newest articles each
    favicon.ico
    <lang>/index.html           one language's home: subscribe, newest articles, archive
    <lang>/archive/YYYY-MM.html one month of that language's articles
    <lang>/<slug>.html          an article
"""

from __future__ import annotations

import functools
import struct
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from importlib import resources
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from markupsafe import Markup

import xlate
from xlate.languages import Language, language
from xlate.model import Rendition
from xlate.outputs import page_config
from xlate.publish.feeds import (
    FEED_FILES,
    FEED_LABELS,
    FEED_TYPES,
    MAIN_FEED,
    Catalog,
    Site,
    blocks_html,
    own_author,
    rfc3339,
    tags,
    title,
    utc,
)

if TYPE_CHECKING:
    import jinja2


# Dates people read are calendar dates where the library is; the instant stays in <time datetime>.


@functools.cache
def _env() -> jinja2.Environment:
    import jinja2  # lazy: a no-op run never renders a page

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("xlate.publish", "templates"),
        autoescape=True,  # every .html template: nothing reaches a page unescaped
        undefined=jinja2.StrictUndefined,  # a misspelt name fails the tests, never prints ""
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,  # templates ship with the package: no stat() per page
    )
    # One stylesheet in every page, read once; it holds no value, so there is nothing to escape.
    css = resources.files("xlate.publish").joinpath("templates/style.css").read_text(encoding="utf-8")
    env.globals["stylesheet"] = Markup(css)
    return env


@functools.cache
def _template(name: str) -> jinja2.Template:
    return _env().get_template(name)


def _render(template: str, **values: Any) -> bytes:
    return _template(template).render(**values).encode("utf-8")


@functools.cache
def _macro(name: str) -> Any:
    return getattr(_template("macros.html").module, name)


@functools.cache
def _subscribe_box(s: Subscribe, level: int = 2, opml: str | None = None) -> Any:
    """A language's subscribe box, rendered once: every article page of a language carries
    the same one."""
    return _macro("subscribe_box")(s, _t(s.lang), level=level, opml=opml)


# -- dates -----------------------------------------------------------------------------


def _tz_name(site: Site) -> str:
    return site.cfg.site.timezone


@functools.lru_cache(maxsize=65536)
def _day(dt: datetime, tz: str) -> date:
    return utc(dt).astimezone(ZoneInfo(tz)).date()


def local_day(site: Site, dt: datetime) -> date:
    """The calendar day of an instant where the library is."""
    return _day(dt, _tz_name(site))


@functools.cache
def _locale(lang: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(language(lang).locale or lang)
    except (UnknownLocaleError, ValueError):
        return Locale.parse("en_GB")


@functools.cache
def _long_date(lang: str) -> Any:
    return _locale(lang).date_formats["long"]  # a babel DateTimePattern, parsed once


@functools.cache
def date_text(day: date, lang: str) -> str:
    """'2026 m. gruodžio 4 d.', '4 grudnia 2026', '4 декабря 2026 г.', '4 December 2026'
    (what babel's format_date(day, "long") gives, without looking the pattern up each time)."""
    return str(_long_date(lang).apply(day, _locale(lang)))


@functools.cache
def month_text(year: int, month: int, lang: str) -> str:
    """The month as a heading says it: 'gruodis 2026', 'grudzień 2026', 'December 2026'."""
    from babel.dates import format_date

    text = str(format_date(date(year, month, 1), "LLLL y", locale=_locale(lang)))
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class When:
    iso: str  # <time datetime>
    text: str  # what people read


def when(site: Site, r: Rendition) -> When:
    return When(rfc3339(r.published), date_text(local_day(site, r.published), r.lang))


@functools.lru_cache(maxsize=65536)
def _month(dt: datetime, tz: str) -> str:
    return f"{_day(dt, tz):%Y-%m}"


def month_of(site: Site, r: Rendition) -> str:
    """'YYYY-MM', the archive page an article is listed on."""
    return _month(r.published, _tz_name(site))


# -- what the templates show -----------------------------------------------------------


@dataclass(frozen=True)
class Link:
    href: str
    text: str
    lang: str
    current: bool = False


@dataclass(frozen=True)
class Item:
    href: str
    title: str
    when: When


@dataclass(frozen=True)
class Subscribe:
    """One language's subscribe box: the RSS URL to copy and the other formats."""

    lang: str
    url: str
    prefix: str  # from the page to the language folder ("", "../", "en/")

    @property
    def formats(self) -> list[tuple[str, str, str]]:
        return [(f"{self.prefix}{FEED_FILES[k]}", FEED_TYPES[k], FEED_LABELS[k]) for k in FEED_FILES if k != MAIN_FEED]

    @property
    def main(self) -> tuple[str, str, str]:
        k = MAIN_FEED
        return (f"{self.prefix}{FEED_FILES[k]}", FEED_TYPES[k], FEED_LABELS[k])


def _t(lang: str) -> Language:
    return language(lang)


def _items(site: Site, rs: Sequence[Rendition], prefix: str) -> list[Item]:
    return [Item(f"{prefix}{r.slug}.html", title(r), when(site, r)) for r in rs]


def _autodiscovery(site: Site, lang: str, kinds: Sequence[str]) -> list[dict[str, str]]:
    """<link rel=alternate> for feeds: titled with the language's own name and the format."""
    name = _t(lang).name
    return [
        {
            "type": FEED_TYPES[k],
            "hreflang": lang,
            "title": f"{site.title(lang)} ({name}, {FEED_LABELS[k]})",
            "href": site.feed_url(lang, k),
        }
        for k in kinds
    ]


def _common(site: Site, lang: str) -> dict[str, Any]:
    return {"lang": lang, "t": _t(lang), "favicon": f"{site.base}favicon.ico", "site_title": site.title(lang)}


def months(site: Site, rs: Sequence[Rendition]) -> dict[str, list[Rendition]]:
    """Each month ('YYYY-MM', newest first) with its articles, newest first."""
    tz = _tz_name(site)
    out: dict[str, list[Rendition]] = {}
    for r in rs:  # already newest first
        out.setdefault(_month(r.published, tz), []).append(r)
    return out


# -- pages -----------------------------------------------------------------------------


def _article_frame(site: Site, cat: Catalog, lang: str) -> dict[str, Any]:
    """What every article page of a language shares, computed once per language and run."""
    if lang not in cat.page_frames:
        cat.page_frames[lang] = {
            **_common(site, lang),
            "feeds": _autodiscovery(site, lang, ("rss", "atom")),
            "subscribe_box": _subscribe_box(Subscribe(lang, site.feed_url(lang, MAIN_FEED), ""), opml="feeds.opml"),
        }
    return cat.page_frames[lang]


def render_article(site: Site, cat: Catalog, r: Rendition) -> bytes:
    lang, src = r.lang, site.source_lang
    frame = _article_frame(site, cat, lang)
    versions = cat.versions.get(r.slug, {})
    here = [v for v in site.langs if v in versions]
    author = own_author(r) or site.author_name()
    original = cat.original(site, r)
    return _render(
        "article.html",
        **frame,
        page_title=f"{title(r)} – {frame['site_title']}",
        canonical=site.page_url(lang, r.slug),
        hreflang=[(v, site.page_url(v, r.slug)) for v in here],
        switcher=[Link(f"../{v}/{r.slug}.html", _t(v).name, v, v == lang) for v in here],
        title=title(r),
        when=when(site, r),
        author=author,
        # Names and tags are not translated: on a target page they are source-language text.
        source_lang=src if lang != src else None,
        notice=site.notice(r),
        original=f"../{src}/{r.slug}.html" if original else None,
        content=Markup(blocks_html(r.blocks)),  # escaped text in fixed tags (see blocks_html)
        tags=", ".join(tags(r)),
        archive=f"archive/{month_of(site, r)}.html",
    )


def _language_links(site: Site, lang: str | None, prefix: str) -> list[Link]:
    return [Link(f"{prefix}{v}/index.html", _t(v).name, v, v == lang) for v in site.langs]


def render_language_home(site: Site, cat: Catalog, lang: str) -> bytes:
    rs = cat.by_lang.get(lang, [])
    n = site.cfg.feeds.index_items
    return _render(
        "language.html",
        **_common(site, lang),
        page_title=site.title(lang),
        canonical=site.home_url(lang),
        hreflang=[(v, site.home_url(v)) for v in site.langs],
        feeds=_autodiscovery(site, lang, tuple(FEED_FILES)),  # own RSS first
        switcher=_language_links(site, lang, "../"),
        description=site.description(lang),
        subscribe=Subscribe(lang, site.feed_url(lang, MAIN_FEED), ""),
        latest=_items(site, rs[:n], ""),
        months=[
            (f"archive/{m}.html", month_text(int(m[:4]), int(m[5:]), lang), len(items))
            for m, items in by_month(site, cat)[lang].items()
        ],
    )


def by_month(site: Site, cat: Catalog) -> dict[str, dict[str, list[Rendition]]]:
    """Per language, each month ('YYYY-MM', newest first) with its articles, newest first."""
    if cat.months is None:
        cat.months = {lang: months(site, cat.by_lang.get(lang, [])) for lang in site.langs}
    return cat.months


def _archive_switcher(site: Site, lang: str, month: str, archives: dict[str, dict[str, list[Rendition]]]) -> list[Link]:
    return [
        Link(
            f"../../{v}/archive/{month}.html" if month in archives.get(v, {}) else f"../../{v}/index.html",
            _t(v).name,
            v,
            v == lang,
        )
        for v in site.langs
    ]


def archive_digests(site: Site, archives: dict[str, dict[str, list[Rendition]]]) -> dict[str, str]:
    """The identity of each archive page ("lang/archive/YYYY-MM.html"): everything it shows
    (the config and xlate's version, its articles' slugs, titles and dates, which languages
    have that month). Written into the page, so a page whose month did not change is not
    rendered again (see `publish`)."""
    import hashlib

    site_part = f"{xlate.__version__}\x1e{page_config(site.cfg)}"
    out = {}
    for lang, ms in archives.items():
        for month, rs in ms.items():
            h = hashlib.sha256(site_part.encode())
            h.update("\x1e".join(v for v in site.langs if month in archives.get(v, {})).encode())
            for r in rs:
                h.update(f"\x1d{r.slug}\x1f{r.title}\x1f{r.published.isoformat()}".encode())
            out[f"{lang}/archive/{month}.html"] = h.hexdigest()[:32]
    return out


DIGEST_MARK = "<!-- xlate-archive "


def digest_in(head: bytes) -> str | None:
    """The digest an archive page was written with, from its first bytes."""
    text = head.decode("utf-8", errors="replace")
    at = text.find(DIGEST_MARK)
    return text[at + len(DIGEST_MARK) :].split(" ", 1)[0] if at >= 0 else None


def render_archive(
    site: Site, lang: str, month: str, archives: dict[str, dict[str, list[Rendition]]], digest: str
) -> bytes:
    label = month_text(int(month[:4]), int(month[5:]), lang)
    return _render(
        "archive.html",
        **_common(site, lang),
        digest=digest,
        page_title=f"{_t(lang).archive}: {label} – {site.title(lang)}",
        canonical=f"{site.base}{lang}/archive/{month}.html",
        feeds=_autodiscovery(site, lang, (MAIN_FEED,)),
        switcher=_archive_switcher(site, lang, month, archives),
        heading=label,
        items=_items(site, archives[lang][month], "../"),
    )


def render_index(site: Site, cat: Catalog) -> bytes:
    src = site.source_lang
    n = site.cfg.feeds.index_items
    sections = [
        {
            "lang": lang,
            "t": _t(lang),
            "title": site.title(lang),
            "description": site.description(lang),
            "subscribe": Subscribe(lang, site.feed_url(lang, MAIN_FEED), f"{lang}/"),
            "latest": _items(site, cat.by_lang.get(lang, [])[:n], f"{lang}/"),
        }
        for lang in site.langs
    ]
    feeds = [d for lang in site.langs for d in _autodiscovery(site, lang, (MAIN_FEED,))]
    return _render(
        "index.html",
        **_common(site, src),
        page_title=site.title(src),
        canonical=f"{site.base}index.html",
        feeds=feeds,
        switcher=[Link(f"#{v}", _t(v).name, v) for v in site.langs],
        sections=sections,
    )


def archive_pages(site: Site, cat: Catalog, wanted: Collection[str] | None = None) -> dict[str, bytes]:
    """The archive pages ("lang/archive/YYYY-MM.html") in `wanted` (every one when None)."""
    archives = by_month(site, cat)
    out = {}
    for rel, digest in archive_digests(site, archives).items():
        if wanted is None or rel in wanted:
            lang, _, name = rel.split("/")
            out[rel] = render_archive(site, lang, name.removesuffix(".html"), archives, digest)
    return out


def render_pages(
    site: Site, cat: Catalog, slugs: Collection[str] | None = None, archives: Collection[str] | None = None
) -> dict[str, bytes]:
    """The index pages, the favicon, the article pages of `slugs` and the archive pages in
    `archives` (every article, every archive page when None)."""
    out = {
        f"{r.lang}/{r.slug}.html": render_article(site, cat, r) for r in cat.all() if slugs is None or r.slug in slugs
    }
    for lang in site.langs:
        out[f"{lang}/index.html"] = render_language_home(site, cat, lang)
    out.update(archive_pages(site, cat, archives))
    out["index.html"] = render_index(site, cat)
    out["favicon.ico"] = favicon()
    return out


# -- favicon ---------------------------------------------------------------------------


@functools.cache
def favicon() -> bytes:
    """A 16×16 ICO (a page with lines of text, in the link colour), drawn here so the
    site has one without shipping a binary: /favicon.ico is never a 404."""
    size = 16
    ink, paper, clear = (0xAD, 0x45, 0x06, 0xFF), (0xFF, 0xFF, 0xFF, 0xFF), (0, 0, 0, 0)  # BGRA
    rows = []
    for y in range(size):  # top to bottom
        row = []
        for x in range(size):
            inside = 2 <= x <= 13 and 1 <= y <= 14
            border = inside and (x in (2, 13) or y in (1, 14))
            line = inside and y in (4, 7, 10) and 4 <= x <= 11
            row.append(ink if border or line else paper if inside else clear)
        rows.append(row)
    pixels = b"".join(bytes(px) for row in reversed(rows) for px in row)  # BMP rows go bottom-up
    mask = b"\x00" * (4 * size)  # AND mask, 32-bit padded rows: alpha decides
    dib = struct.pack("<IiiHHIIiiII", 40, size, 2 * size, 1, 32, 0, len(pixels) + len(mask), 0, 0, 0, 0)
    image = dib + pixels + mask
    header = struct.pack("<HHH", 0, 1, 1) + struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), 22)
    return header + image
