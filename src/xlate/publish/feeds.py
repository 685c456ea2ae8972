"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 per language, and the OPML list of all feeds.

RSS and Atom come from feedgen 1.0.0, whose traps are worked around here (each one
has a test in tests/test_publish_feeds.py):

* ``updated``/``lastBuildDate`` default to now: always set from the data; a feed
  without entries says ``EMPTY_FEED_DATE``, never now, so it stays byte-stable.
* ``add_entry`` prepends: entries are sorted here and added with ``order='append'``.
* entry ``<link>`` loses rel/type/hreflang (feedgen issue 135): the entry link is
  rebuilt on the lxml tree after feedgen serialises it (``_relink_atom``).
* the RSS ``<channel><link>`` is the *last* link given to ``FeedGenerator.link``, and
  an item's ``<link>`` is its last alternate: the self link goes first, the HTML link
  last, and feedgen only ever sees an entry's own page as its alternate.

Each entry has exactly one alternate, its own language's page: readers differ in which of
several alternates they follow (newsboat takes the last), so there is only one to follow.
The page links to the other languages.
* ``content(type='CDATA')`` writes ``type="CDATA"`` into Atom: content uses ``html``.
* lxml raises on XML-illegal characters: ``clean`` strips them from every string first.

Everything here is pure: same input, same bytes (no clock, no random ids, stable order).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import nh3
from feedgen.entry import FeedEntry
from feedgen.feed import FeedGenerator
from lxml import etree
from markupsafe import escape

import xlate
from xlate.config import Config
from xlate.languages import language
from xlate.model import Block, BlockKind, Rendition
from xlate.outputs import FEED_FILES as FEED_FILES  # one list of outputs (the no-op stamp reads it)
from xlate.outputs import RESERVED_SLUGS

ATOM_NS = "http://www.w3.org/2005/Atom"
SLUG_RE = re.compile(r"[a-z0-9][a-z0-9-]*")
FEED_TYPES = {"rss": "application/rss+xml", "atom": "application/atom+xml", "json": "application/feed+json"}
FEED_LABELS = {"rss": "RSS", "atom": "Atom", "json": "JSON Feed"}
HTML_TYPE = "text/html"  # the one type every link to a page says
# The feed that OPML lists and autodiscovery offers first: RSS 2.0 is the format every reader
# and CMS import reads (Atom and JSON Feed carry the same entries, for those who want them).
MAIN_FEED = "rss"
GENERATOR = "xlate"

# The `updated` of a feed (and OPML dates) when there is nothing to derive it from.
# Fixed so an empty feed is byte-stable; after 1990 so the W3C validator finds it plausible.
EMPTY_FEED_DATE = datetime(2000, 1, 1, tzinfo=UTC)

MT_CATEGORY = "machine-translation"  # Atom category term / RSS category a CMS can filter on
SUMMARY_CHARS = 300

# Characters XML 1.0 forbids (C0 controls but tab/LF/CR, surrogates, U+FFFE/U+FFFF), plus
# DEL, C1 controls and U+FFFD, which are legal but draw the W3C validator's BadCharacters.
_ILLEGAL = re.compile("[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffc\U00010000-\U0010ffff]")


def clean(text: str) -> str:
    """Drop characters that cannot (or should not) appear in XML or HTML output."""
    return _ILLEGAL.sub("", text)


def utc(dt: datetime) -> datetime:
    """The instant in UTC; a naive value is taken as UTC already."""
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def rfc822(dt: datetime) -> str:
    return format_datetime(utc(dt))


def rfc3339(dt: datetime) -> str:
    return utc(dt).isoformat()


def _ascii_url(url: str) -> str:
    """IRI -> URI: IDNA host, percent-encoded path (the validator wants plain URIs)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if not netloc.isascii():
        host = (parts.hostname or "").encode("idna").decode("ascii")
        netloc = host + (f":{parts.port}" if parts.port else "")
    safe = "/%:@!$&'()*+,;=-._~"
    return urlunsplit((parts.scheme, netloc, quote(parts.path, safe=safe), quote(parts.query, safe=safe), ""))


@dataclass(frozen=True)
class Site:
    """Where things are served and what the config says about each language."""

    cfg: Config
    base: str  # absolute, ASCII, ends with '/'
    host: str  # for tag: URIs (no port, lower case)

    @classmethod
    def of(cls, cfg: Config) -> Site:
        base = _ascii_url(cfg.site.base_url)
        if not base.endswith("/"):
            base += "/"
        return cls(cfg=cfg, base=base, host=(urlsplit(base).hostname or "localhost").lower())

    @property
    def langs(self) -> tuple[str, ...]:
        return self.cfg.all_langs

    @property
    def source_lang(self) -> str:
        return self.cfg.source_lang

    def page_url(self, lang: str, slug: str) -> str:
        return f"{self.base}{lang}/{slug}.html"

    def feed_url(self, lang: str, kind: str) -> str:
        return f"{self.base}{lang}/{FEED_FILES[kind]}"

    def home_url(self, lang: str) -> str:
        """The HTML page of a feed: its language's home page."""
        return f"{self.base}{lang}/index.html"

    def opml_url(self, lang: str | None = None) -> str:
        """The OPML of one language, or of all of them."""
        return f"{self.base}{lang}/feeds.opml" if lang else f"{self.base}feeds.opml"

    def title(self, lang: str) -> str:
        return clean(self.cfg.languages[lang].title).strip()

    def description(self, lang: str) -> str:
        return clean(self.cfg.languages[lang].description).strip()

    def mt_notice(self, lang: str, *, reviewed: bool = False) -> str:
        """The disclosure in `lang`: from the config when it sets one, else the language table
        (English for a language the table has no text for). `reviewed`: an editor approved it."""
        src = self.source_lang
        own = None if reviewed else self.cfg.languages[lang].mt_notice
        table = language(lang).reviewed_notice if reviewed else language(lang).mt_notice
        english = language("en").reviewed_notice if reviewed else language("en").mt_notice
        fallback = f"Machine-translated from {language(src).english_name}."
        return clean(own or table.get(src) or english.get(src) or fallback).strip()

    def notice(self, r: Rendition) -> str | None:
        """The notice a rendition carries, or None (originals and editors' translations)."""
        if not r.machine_translated or r.lang == self.source_lang:
            return None
        return self.mt_notice(r.lang, reviewed=r.approved)

    def author_name(self) -> str:
        return clean(self.cfg.site.author.name).strip()

    def author(self) -> dict[str, str]:
        """The site author as an Atom person: name, and e-mail/uri when configured."""
        person = self.cfg.site.author
        out = {"name": self.author_name()}
        if person.email:
            out["email"] = clean(person.email).strip()
        if person.uri:
            out["uri"] = _ascii_url(clean(person.uri).strip())
        return out

    def entry_id(self, r: Rendition) -> str:
        """Stable forever: host, the day xlate first published the article, language and slug.
        Not the article's own date: an editor who corrects it must not make a new item."""
        return f"tag:{self.host},{utc(r.first_seen or r.published):%Y-%m-%d}:{r.lang}/{r.slug}"


@dataclass
class Catalog:
    """The renditions to publish: per language newest first, and per slug every language."""

    by_lang: dict[str, list[Rendition]] = field(default_factory=dict)
    versions: dict[str, dict[str, Rendition]] = field(default_factory=dict)
    # entry_html per (lang, slug, blocks kept): RSS, Atom and JSON Feed carry the same HTML.
    entry_cache: dict[tuple[str, str, int | None], str] = field(default_factory=dict)
    # Entries shown shortened, (lang, slug) -> blocks kept: a newest entry over feeds.max_bytes.
    shortened: dict[tuple[str, str], int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # said by the run, not only logged
    # Per language, month ("YYYY-MM") -> renditions, newest first: computed once (pages.by_month).
    months: dict[str, dict[str, list[Rendition]]] | None = None
    # Per language, what every article page shares (pages._article_frame): computed once.
    page_frames: dict[str, dict[str, Any]] = field(default_factory=dict)

    def alternates(self, site: Site, r: Rendition) -> list[str]:
        """The other languages that have this slug, in config order (the original first)."""
        have = self.versions.get(r.slug, {})
        return [lang for lang in site.langs if lang != r.lang and lang in have]

    def original(self, site: Site, r: Rendition) -> str | None:
        """URL of the source-language page when `r` is a machine translation of it."""
        if not r.machine_translated or r.lang == site.source_lang:
            return None
        if site.source_lang not in self.versions.get(r.slug, {}):
            return None
        return site.page_url(site.source_lang, r.slug)

    def all(self) -> list[Rendition]:
        return [r for rs in self.by_lang.values() for r in rs]


def newest_first(items: Sequence[Rendition]) -> list[Rendition]:
    """By first publication, newest first; equal times by slug."""
    by_slug = sorted(items, key=lambda r: r.slug)
    return sorted(by_slug, key=lambda r: utc(r.published), reverse=True)


def catalog(cfg: Config, renditions: Mapping[str, Sequence[Rendition]]) -> Catalog:
    """Check and order the input. Languages not in the config are ignored."""
    cat = Catalog()
    for lang in cfg.all_langs:
        items = list(renditions.get(lang, ()) or ())
        seen: set[str] = set()
        for r in items:
            if not SLUG_RE.fullmatch(r.slug):
                raise ValueError(f"unsafe slug {r.slug!r}: only [a-z0-9][a-z0-9-]* may reach publish")
            if r.lang != lang:
                raise ValueError(f"rendition {r.slug!r} says lang {r.lang!r} but was given as {lang!r}")
            if r.slug in seen:
                raise ValueError(f"slug {r.slug!r} appears twice in {lang}")
            seen.add(r.slug)
        for r in [r for r in items if r.slug in RESERVED_SLUGS]:
            cat.warnings.append(
                f"article {r.slug!r} [{lang}] is not published: {r.slug}.html is the language's home page; "
                "give it another slug (front matter `slug:` or rename the file)"
            )
        items = [r for r in items if r.slug not in RESERVED_SLUGS]
        for r in items:
            cat.versions.setdefault(r.slug, {})[lang] = r
        cat.by_lang[lang] = newest_first(items)
    return cat


# -- entry HTML ------------------------------------------------------------------------

_TAGS = {"h2", "p", "ul", "li", "blockquote", "br", "a"}
_ATTRIBUTES = {"a": {"href", "hreflang"}}
_CLASSES = {"p": {"byline", "mt-notice"}}


def _absolute_only(tag: str, attr: str, value: str) -> str | None:
    if attr == "href" and not re.match(r"https?://[^/\s]+", value):
        return None
    return value


def sanitize(fragment: str) -> str:
    """nh3 with a small allowlist: no script/style/iframe, no on*, only absolute http(s) links."""
    return str(
        nh3.clean(
            fragment,
            tags=_TAGS,
            attributes=_ATTRIBUTES,
            allowed_classes=_CLASSES,
            url_schemes={"http", "https"},
            attribute_filter=_absolute_only,
            link_rel=None,
            strip_comments=True,
        )
    )


def _esc(text: str) -> str:
    return str(escape(clean(text).strip()))  # markupsafe's C escape: &, <, >, ' and "


def blocks_html(blocks: Sequence[Block]) -> str:
    """Blocks to HTML; every text escaped. Runs of list items, quotes and byline lines merge.

    Safe as it is: the markup is this function's own, from a fixed set of tags that
    `sanitize` allows, and every text is escaped, so pages insert it without a second nh3
    pass (tests/test_publish_pages.py shows that pass would change nothing)."""
    out: list[str] = []
    i = 0
    while i < len(blocks):
        kind = blocks[i].kind
        j = i
        while j < len(blocks) and blocks[j].kind == kind:
            j += 1
        texts = [_esc(b.text) for b in blocks[i:j]]
        texts = [t for t in texts if t]
        if texts:
            if kind == BlockKind.LIST_ITEM:
                out.append("<ul>" + "".join(f"<li>{t}</li>" for t in texts) + "</ul>")
            elif kind == BlockKind.BYLINE:
                out.append('<p class="byline">' + "<br>".join(texts) + "</p>")
            elif kind == BlockKind.QUOTE:
                out.append("<blockquote>" + "".join(f"<p>{t}</p>" for t in texts) + "</blockquote>")
            elif kind == BlockKind.HEADING:
                out.extend(f"<h2>{t}</h2>" for t in texts)
            else:
                out.extend(f"<p>{t}</p>" for t in texts)
        i = j
    return "".join(out)


def entry_html(site: Site, cat: Catalog, r: Rendition) -> str:
    """The feed content: the MT notice with a link to the original, and the blocks, sanitised.
    A shortened entry (see `capped`) keeps its first blocks and ends with a link to its page."""
    keep = cat.shortened.get((r.lang, r.slug))
    key = (r.lang, r.slug, keep)
    cached = cat.entry_cache.get(key)
    if cached is not None:
        return cached
    parts = []
    notice = site.notice(r)
    if notice is not None:
        text = html.escape(notice, quote=True)
        orig = cat.original(site, r)
        if orig:
            more = html.escape(language(r.lang).read_original, quote=True)
            text += f' <a href="{html.escape(orig)}" hreflang="{site.source_lang}">{more}</a>'
        parts.append(f'<p class="mt-notice">{text}</p>')
    parts.append(blocks_html(r.blocks if keep is None else r.blocks[:keep]))
    if keep is not None:
        page = html.escape(site.page_url(r.lang, r.slug))
        parts.append(f'<p><a href="{page}">{html.escape(language(r.lang).read_more)}</a></p>')
    out = cat.entry_cache[key] = sanitize("".join(parts))
    return out


def truncate(text: str, limit: int = SUMMARY_CHARS) -> str:
    if len(text) <= limit:
        return text
    cut = text[:limit]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:-–—") + "…"


def summary(r: Rendition) -> str | None:
    """Plain text: the given summary, else the first paragraph (else first block), shortened."""
    text = r.summary or next((b.text for b in r.blocks if b.kind == BlockKind.PARAGRAPH), None)
    if not text and r.blocks:
        text = r.blocks[0].text
    text = " ".join(clean(text or "").split())
    return truncate(text) if text else None


def listing(site: Site, r: Rendition) -> str | None:
    """What list views show (RSS description, Atom summary, JSON Feed summary): the
    machine-translation notice first, then the summary."""
    parts = [p for p in (site.notice(r), summary(r)) if p]
    return " ".join(parts) or None


def title(r: Rendition) -> str:
    return " ".join(clean(r.title).split()) or r.slug


def own_author(r: Rendition) -> str | None:
    """The article's own author, if it names one; else the site author stands in."""
    return " ".join(clean(r.author or "").split()) or None


def tags(r: Rendition) -> list[str]:
    """The article's tags: cleaned, de-duplicated, in order."""
    out: list[str] = []
    for t in r.tags:
        t = " ".join(clean(t).split())
        if t and t not in out:
            out.append(t)
    return out


def categories(r: Rendition, site: Site) -> list[str]:
    """Tags plus the machine-translation marker."""
    out = tags(r)
    if r.machine_translated and r.lang != site.source_lang and MT_CATEGORY not in out:
        out.append(MT_CATEGORY)
    return out


# -- RSS and Atom through feedgen -------------------------------------------------------

_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True)


def feed_updated(entries: Sequence[Rendition]) -> datetime:
    """Newest `updated` among the entries shown; a fixed date when there are none."""
    return max((utc(r.updated) for r in entries), default=EMPTY_FEED_DATE)


def _feed(site: Site, lang: str, kind: str, entries: Sequence[Rendition]) -> FeedGenerator:
    fg = FeedGenerator()
    if kind == "rss":
        fg.load_extension("dc", atom=False, rss=True)
    fg.id(site.feed_url(lang, kind))
    fg.title(site.title(lang))
    fg.description(site.description(lang))  # RSS description and Atom subtitle
    fg.language(lang)  # RSS <language> and Atom xml:lang
    fg.generator(GENERATOR, version=xlate.__version__)
    fg.updated(feed_updated(entries))  # trap: defaults to now
    # Trap: RSS <channel><link> is the last link added, so self first, the HTML page last.
    fg.link(href=site.feed_url(lang, kind), rel="self", type=FEED_TYPES[kind])
    fg.link(href=site.home_url(lang), rel="alternate", type=HTML_TYPE)
    person = site.author()
    fg.author(person)
    if kind == "rss":
        # RSS wants "email (name)" in managingEditor; without an e-mail, dc:creator.
        if "email" in person:
            fg.managingEditor(f"{person['email']} ({person['name']})")
        else:
            fg.dc.dc_creator(person["name"])
    return fg


def _entry(fg: FeedGenerator, site: Site, cat: Catalog, r: Rendition, kind: str) -> FeedEntry:
    fe = fg.add_entry(order="append")  # trap: the default prepends
    page = site.page_url(r.lang, r.slug)
    if kind == "rss":
        fe.guid(page, permalink=True)
        fe.dc.dc_creator(own_author(r) or site.author_name())  # RSS <author> needs an e-mail; dc:creator a name
    else:
        fe.id(site.entry_id(r))
        own = own_author(r)
        fe.author({"name": own} if own else site.author())
    fe.title(title(r))
    # The entry's own page is its only link: the RSS item <link>, the Atom alternate.
    fe.link(href=page, rel="alternate")
    body = entry_html(site, cat, r)
    if body:  # an empty <content> draws the validator's NotBlank; the alternate link suffices
        fe.content(body, type="html")  # trap: 'CDATA' is not an Atom type
    text = listing(site, r)
    if text:
        fe.summary(html.escape(text, quote=False), type="html")  # RSS <description> is HTML too
    fe.published(utc(r.published))
    fe.updated(utc(r.updated))
    for term in categories(r, site):
        fe.category(term=term)
    return fe


def _serialize(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True))


def _alt_link(href: str, lang: str) -> etree._Element:
    el = etree.Element(f"{{{ATOM_NS}}}link")
    el.set("rel", "alternate")
    el.set("type", HTML_TYPE)
    el.set("hreflang", lang)
    el.set("href", href)
    return el


def _relink_atom(root: etree._Element, site: Site, by_id: Mapping[str, Rendition]) -> None:
    """Trap (feedgen issue 135): rebuild each entry's link with rel/type/hreflang."""
    ns = {"a": ATOM_NS}
    for entry in root.findall("a:entry", ns):
        r = by_id[entry.findtext("a:id", namespaces=ns) or ""]
        old = entry.findall("a:link", ns)
        at = entry.index(old[0]) if old else len(entry)
        for el in old:
            entry.remove(el)
        entry.insert(at, _alt_link(site.page_url(r.lang, r.slug), r.lang))


def render_rss(site: Site, cat: Catalog, lang: str, entries: Sequence[Rendition]) -> bytes:
    fg = _feed(site, lang, "rss", entries)
    for r in entries:
        _entry(fg, site, cat, r, "rss")
    return _serialize(etree.fromstring(fg.rss_str(pretty=False), _PARSER))


def render_atom(site: Site, cat: Catalog, lang: str, entries: Sequence[Rendition]) -> bytes:
    fg = _feed(site, lang, "atom", entries)
    for r in entries:
        _entry(fg, site, cat, r, "atom")
    root = etree.fromstring(fg.atom_str(pretty=False), _PARSER)
    _relink_atom(root, site, {site.entry_id(r): r for r in entries})
    return _serialize(root)


# -- JSON Feed 1.1 ---------------------------------------------------------------------


def render_json(site: Site, cat: Catalog, lang: str, entries: Sequence[Rendition]) -> bytes:
    author = {"name": site.author_name()}
    if "uri" in site.author():
        author["url"] = site.author()["uri"]
    items = []
    for r in entries:
        item: dict[str, object] = {
            "id": site.entry_id(r),
            "url": site.page_url(r.lang, r.slug),
            "title": title(r),
            "content_html": entry_html(site, cat, r),
        }
        text = listing(site, r)
        if text:
            item["summary"] = text
        item["date_published"] = rfc3339(r.published)
        item["date_modified"] = rfc3339(r.updated)
        own = own_author(r)
        item["authors"] = [{"name": own}] if own else [author]
        cats = categories(r, site)
        if cats:
            item["tags"] = cats
        item["language"] = lang
        item["_xlate"] = {
            "machine_translated": site.notice(r) is not None,
            "reviewed": bool(site.notice(r) is not None and r.approved),
            "original_url": cat.original(site, r),
            "alternates": [
                {"language": other, "url": site.page_url(other, r.slug)} for other in cat.alternates(site, r)
            ],
        }
        items.append(item)
    doc = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": site.title(lang),
        "home_page_url": site.home_url(lang),
        "feed_url": site.feed_url(lang, "json"),
        "description": site.description(lang),
        "language": lang,
        "authors": [author],
        "items": items,
    }
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


# -- caps ------------------------------------------------------------------------------

Renderer = Callable[[Site, Catalog, str, Sequence[Rendition]], bytes]
RENDERERS: dict[str, Renderer] = {"rss": render_rss, "atom": render_atom, "json": render_json}


def _shortened(render: Renderer, site: Site, cat: Catalog, lang: str, r: Rendition) -> tuple[bytes, int]:
    """The feed with `r` alone, its body cut after the most whole blocks that fit the limit
    (none: the notice, the title and the link to the page remain)."""
    limit, key = site.cfg.feeds.max_bytes, (lang, r.slug)
    lo, hi, keep = 1, len(r.blocks) - 1, 0
    try:
        while lo <= hi:
            mid = (lo + hi) // 2
            cat.shortened[key] = mid
            if len(render(site, cat, lang, [r])) <= limit:
                keep, lo = mid, mid + 1
            else:
                hi = mid - 1
        cat.shortened[key] = keep
        return render(site, cat, lang, [r]), keep
    finally:
        del cat.shortened[key]  # the other formats decide for themselves


def capped(kind: str, site: Site, cat: Catalog, lang: str) -> bytes:
    """The newest `max_items` entries, then drop the oldest until the bytes fit `max_bytes`.
    When the newest entry alone does not fit, it is published shortened (whole paragraphs,
    then a link to its page) and `cat.warnings` says so."""
    render = RENDERERS[kind]
    entries = cat.by_lang.get(lang, [])[: site.cfg.feeds.max_items]
    limit = site.cfg.feeds.max_bytes
    data = render(site, cat, lang, entries)
    if len(data) <= limit:
        return data
    # Size grows with the number of entries: binary-search the largest prefix that fits.
    lo, hi, best = 1, len(entries) - 1, b""
    while lo <= hi:
        mid = (lo + hi) // 2
        out = render(site, cat, lang, entries[:mid])
        if len(out) <= limit:
            lo, best = mid + 1, out
        else:
            hi = mid - 1
    if best:
        return best
    r = entries[0]
    data, keep = _shortened(render, site, cat, lang, r)
    cat.warnings.append(
        f"{lang}/{FEED_FILES[kind]}: the newest entry {r.slug!r} alone is over feeds.max_bytes ({limit} bytes); "
        f"published shortened ({keep} of {len(r.blocks)} paragraphs, then a link to its page); "
        "raise feeds.max_bytes to carry it whole"
    )
    return data


def render_feeds(site: Site, cat: Catalog) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for lang in site.langs:
        for kind in RENDERERS:
            out[f"{lang}/{FEED_FILES[kind]}"] = capped(kind, site, cat, lang)
    return out


# -- OPML 2.0 --------------------------------------------------------------------------


def _span(rs: Sequence[Rendition]) -> tuple[datetime, datetime]:
    """Oldest published (the last: `rs` is newest first) and newest updated of one language."""
    return utc(rs[-1].published), max(utc(r.updated) for r in rs)


def _feed_outline(parent: etree._Element, site: Site, lang: str) -> None:
    etree.SubElement(
        parent,
        "outline",
        {
            "text": site.title(lang),
            "title": site.title(lang),
            "type": "rss",  # RSS 2.0 only: OPML's `rss` type is what importers expect
            "version": "RSS2",
            "xmlUrl": site.feed_url(lang, MAIN_FEED),
            "htmlUrl": site.home_url(lang),
            "language": lang,
            "description": site.description(lang),
        },
    )


def render_opml(site: Site, cat: Catalog, lang: str | None = None) -> bytes:
    """OPML 2.0 with one feed (RSS 2.0) per language: of every language, each in a folder
    titled with the language's own name, or (`lang`) of that language alone."""
    spans = [_span(rs) for code in ([lang] if lang else site.langs) if (rs := cat.by_lang.get(code, []))]
    created = min((c for c, _ in spans), default=EMPTY_FEED_DATE)
    modified = max((m for _, m in spans), default=EMPTY_FEED_DATE)
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = site.title(lang or site.source_lang)
    etree.SubElement(head, "dateCreated").text = rfc822(created)
    etree.SubElement(head, "dateModified").text = rfc822(modified)
    etree.SubElement(head, "ownerName").text = site.author_name()
    if site.cfg.site.author.email:
        etree.SubElement(head, "ownerEmail").text = clean(site.cfg.site.author.email).strip()
    body = etree.SubElement(root, "body")
    if lang:
        _feed_outline(body, site, lang)
        return _serialize(root)
    for code in site.langs:
        name = language(code).name
        folder = etree.SubElement(body, "outline", {"text": name})  # a folder: text alone (no type)
        _feed_outline(folder, site, code)
    return _serialize(root)
