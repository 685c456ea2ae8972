"""Publish: article pages, index.html, and publish_site's sync of the feeds folder."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.html
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import BASE, make_cfg, parsed, rend, site_of
from xlate.errors import NotWritable
from xlate.languages import language
from xlate.model import Block, BlockKind, Rendition
from xlate.publish import inside, publish_site, render_site
from xlate.publish.feeds import blocks_html, sanitize


def _doc(data: bytes) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(data)


def _links(root: lxml.html.HtmlElement) -> list[str]:
    return [el.get("href") for el in root.iter("a", "link") if el.get("href")]


def _target(feeds: Path, page_rel: str, href: str) -> Path:
    """The file under feeds/ that a link on `page_rel` points at (absolute or relative)."""
    url = urljoin(BASE + page_rel, href).split("#", 1)[0]
    assert url.startswith(BASE), (page_rel, href)
    return feeds / (url.removeprefix(BASE) or "index.html")


def test_article_page_is_plain_accessible_html(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    site = site_of(cfg)
    site["pl"] = [r for r in site["pl"] if r.slug != "alpha"]
    out = render_site(cfg, site)
    data = out["en/alpha.html"]
    assert data.startswith(b"<!doctype html>\n")
    root = _doc(data)
    assert root.get("lang") == "en"
    assert root.find("head/meta").get("charset") == "utf-8"
    assert root.findtext("head/title").startswith("alpha (en)")
    assert root.findtext(".//h1") == "alpha (en)"
    alternates = {
        el.get("hreflang"): el.get("href")
        for el in root.iter("link")
        if el.get("rel") == "alternate" and not el.get("type")
    }
    assert alternates == {lang: f"{BASE}{lang}/alpha.html" for lang in ("lt", "en", "ru")}
    [canonical] = [el for el in root.iter("link") if el.get("rel") == "canonical"]
    assert canonical.get("href") == f"{BASE}en/alpha.html"
    # the notice is text; a separate link says it leads to the original
    [notice] = root.find_class("mt-notice")
    assert notice.text.strip() == "Machine-translated from Lithuanian."
    [orig] = notice.findall("a")
    assert (orig.get("href"), orig.get("hreflang"), orig.text) == (
        "../lt/alpha.html",
        "lt",
        "Read the original in Lithuanian",
    )
    # a labelled language switcher at the top, before the article
    nav = root.find(".//header/nav")
    label = root.get_element_by_id(nav.get("aria-labelledby"))
    assert label.text_content().strip(": ") == "In other languages"
    assert [(a.get("hreflang"), a.text) for a in nav.iter("a")] == [
        ("lt", "Lietuvių"),
        ("en", "English"),
        ("ru", "Русский"),
    ]
    assert [a.get("aria-current") for a in nav.iter("a")] == [None, "page", None]
    # the Lithuanian author line and tags carry lang="lt" on a target page; the date is readable
    meta = root.find_class("meta")[0]
    assert meta.find("span").get("lang") == "lt" and meta.find("span").text == cfg.site.author.name
    assert meta.find("time").text == "1 May 2024" and meta.find("time").get("datetime") == "2024-05-01T09:00:00+00:00"
    assert root.find_class("tags")[0].get("lang") == "lt"
    # a subscribe box: the feed URL to copy and a sentence on what it is
    box = root.find_class("subscribe")[0]
    assert box.find_class("url")[0].text == f"{BASE}en/rss.xml"
    assert "feed reader" in box.find("p").text
    assert root.find(".//article//ul/li").text == "Pirmadienį – garsūs skaitymai"
    assert root.find_class("byline")[0].text_content() == "Ona OnaitėVaikų literatūros skyrius"
    # no external resources: no scripts, images, frames, stylesheets; the CSS is inline
    assert not list(root.iter("script", "img", "iframe", "object", "embed"))
    assert [el.get("rel") for el in root.iter("link")] == ["canonical"] + ["alternate"] * 5 + ["icon"]
    assert root.find("head/style") is not None

    lt = _doc(out["lt/alpha.html"])
    assert lt.get("lang") == "lt" and not lt.find_class("mt-notice")
    assert lt.find_class("meta")[0].find("span") is None  # own language: no lang switch
    assert lt.find(".//time").text == "2024 m. gegužės 1 d."
    assert _doc(out["pl/bravo.html"]).find(".//time").text == "1 maja 2024"
    assert _doc(out["ru/bravo.html"]).find(".//time").text == "1 мая 2024\u202fг."


def test_reviewed_machine_translation_says_so(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    site = site_of(cfg)
    site["pl"][0] = rend("pl", "alpha", 0, approved=True)
    out = render_site(cfg, site)
    reviewed = "Przetłumaczono maszynowo z języka litewskiego, sprawdzone przez redakcję."
    assert _doc(out["pl/alpha.html"]).find_class("mt-notice")[0].text.strip() == reviewed
    assert _doc(out["pl/bravo.html"]).find_class("mt-notice")[0].text.strip() == language("pl").mt_notice["lt"]
    alpha = next(i for i in json.loads(out["pl/feed.json"])["items"] if i["url"].endswith("/alpha.html"))
    assert alpha["summary"].startswith(reviewed) and alpha["_xlate"]["reviewed"] is True


def _feeds_discovered(root: lxml.html.HtmlElement) -> list[tuple[str, str, str, str]]:
    return [
        (el.get("href").removeprefix(BASE), el.get("type"), el.get("hreflang"), el.get("title"))
        for el in root.iter("link")
        if el.get("rel") == "alternate" and el.get("type")
    ]


def test_index_offers_one_feed_per_language_titled_by_language(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    out = render_site(cfg, site_of(cfg))
    root = _doc(out["index.html"])
    assert _feeds_discovered(root) == [
        (f"{lang}/rss.xml", "application/rss+xml", lang, f"{cfg.languages[lang].title} ({language(lang).name}, RSS)")
        for lang in cfg.all_langs
    ]
    # language navigation first thing in the body, to each language's section
    nav = root.find("body/header/nav")
    assert [(a.get("href"), a.text) for a in nav.iter("a")] == [(f"#{v}", language(v).name) for v in cfg.all_langs]
    # h1 and the first h2 differ; no bare "OPML" link
    assert root.findtext(".//h1") != root.findtext(".//h2")
    assert all(a.text_content().strip() != "OPML" for a in root.iter("a"))
    for lang in cfg.all_langs:
        section = root.get_element_by_id(lang)
        assert section.get("lang") == lang
        assert section.find_class("url")[0].text == f"{BASE}{lang}/rss.xml"
        assert f"{lang}/feeds.opml" in [a.get("href") for a in section.iter("a")]
        assert [a.get("href") for a in section.find_class("articles")[0].iter("a")] == [
            f"{lang}/{s}.html" for s in ("charlie", "bravo", "alpha")
        ]


def test_language_home_discovers_its_own_feed_first(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    out = render_site(cfg, site_of(cfg))
    for lang in cfg.all_langs:
        root = _doc(out[f"{lang}/index.html"])
        assert root.get("lang") == lang
        found = _feeds_discovered(root)
        assert [(h, t) for h, t, _, _ in found] == [
            (f"{lang}/rss.xml", "application/rss+xml"),
            (f"{lang}/atom.xml", "application/atom+xml"),
            (f"{lang}/feed.json", "application/feed+json"),
        ]
        assert all(hl == lang and language(lang).name in title for _, _, hl, title in found)
        assert root.findtext(".//h1") != root.findtext(".//h2")
        nav = root.find("body/header/nav")
        assert [a.get("href") for a in nav.iter("a")] == [f"../{v}/index.html" for v in cfg.all_langs]
        assert root.get_element_by_id("archive") is not None


def test_index_shows_the_newest_n_and_archives_by_month(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path, feeds__index_items=3)
    # 7 articles over three months (in Vilnius time: 23:30 UTC on 31 March is 1 April there)
    times = [datetime(2026, 3, 31, 23, 30, tzinfo=UTC) + timedelta(days=12 * i) for i in range(7)]
    site = {
        lang: [rend(lang, f"n{i}", 0, published=t, updated=t) for i, t in enumerate(times)] for lang in ("lt", "pl")
    }
    out = render_site(cfg, site)
    home = _doc(out["pl/index.html"])
    assert [a.get("href") for a in home.find_class("articles")[0].iter("a")] == ["n6.html", "n5.html", "n4.html"]
    months = [(a.get("href"), a.text) for a in home.find_class("months")[0].iter("a")]
    assert months == [
        ("archive/2026-06.html", "Czerwiec 2026"),
        ("archive/2026-05.html", "Maj 2026"),
        ("archive/2026-04.html", "Kwiecień 2026"),
    ]
    april = _doc(out["pl/archive/2026-04.html"])
    assert [a.get("href") for a in april.find_class("articles")[0].iter("a")] == [
        "../n2.html",
        "../n1.html",
        "../n0.html",
    ]
    assert april.find(".//time").text == "25 kwietnia 2026"
    assert april.findtext(".//h1") == "Archiwum: Kwiecień 2026"
    assert _doc(out["lt/archive/2026-04.html"]).find(".//time").text == "2026 m. balandžio 25 d."
    # no Russian articles: no Russian archive; its switcher link goes to the Russian home
    assert not [k for k in out if k.startswith("ru/archive/")]
    links = [a.get("href") for a in april.find("body/header/nav").iter("a")]
    assert links == [
        "../../lt/archive/2026-04.html",
        "../../en/index.html",
        "../../pl/archive/2026-04.html",
        "../../ru/index.html",
    ]
    root = _doc(out["index.html"])
    assert len(list(root.get_element_by_id("pl").find_class("articles")[0].iter("li"))) == 3


def test_every_link_resolves_to_a_published_file(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    publish_site(cfg, site_of(cfg))
    feeds = cfg.paths.feeds
    checked = 0
    for page in feeds.rglob("*.html"):
        rel = page.relative_to(feeds).as_posix()
        for href in _links(_doc(page.read_bytes())):
            assert _target(feeds, rel, href).is_file(), (rel, href)
            checked += 1
    from lxml import etree

    opml = etree.parse(str(feeds / "feeds.opml")).getroot()
    for o in opml.iter("outline"):
        for attr in ("xmlUrl", "htmlUrl"):
            assert _target(feeds, "feeds.opml", o.get(attr)).is_file()
            checked += 1
    for lang in cfg.all_langs:
        d = parsed((feeds / lang / "atom.xml").read_bytes())
        for e in d.entries:
            for link in e.links:
                assert _target(feeds, "", link.href).is_file()
                checked += 1
    assert checked > 100


def test_publish_twice_writes_nothing_the_second_time(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    site = site_of(cfg)
    written = publish_site(cfg, site)
    feeds = cfg.paths.feeds
    files = sorted(p for p in feeds.rglob("*") if p.is_file())
    # per language 3 feeds, an OPML, a home, one month's archive, 3 pages; index, OPML, favicon
    assert sorted(written) == files and len(files) == 4 * 9 + 3
    old = 1_000_000_000
    for p in files:
        os.utime(p, ns=(old, old))
    assert publish_site(cfg, site) == []
    assert all(p.stat().st_mtime_ns == old for p in files)
    # one changed article: only what shows it is rewritten
    site["ru"][0] = rend("ru", "alpha", 0, title="Новый заголовок")
    again = {p.relative_to(feeds).as_posix() for p in publish_site(cfg, site)}
    assert again == {
        "ru/alpha.html",
        "ru/rss.xml",
        "ru/atom.xml",
        "ru/feed.json",
        "ru/index.html",
        "ru/archive/2024-05.html",
        "index.html",
    }


def test_retracted_pages_are_deleted_and_reported(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    publish_site(cfg, site_of(cfg))
    feeds = cfg.paths.feeds
    (feeds / "en" / "notes.txt").write_text("not ours")
    (feeds / "en" / "Custom Page.html").write_text("not a slug: not ours")
    touched = publish_site(cfg, site_of(cfg, ("alpha", "charlie")))
    gone = [p for p in touched if not p.exists()]
    assert sorted(p.relative_to(feeds).as_posix() for p in gone) == [
        f"{lang}/bravo.html" for lang in sorted(cfg.all_langs)
    ]
    assert (feeds / "en" / "notes.txt").exists() and (feeds / "en" / "Custom Page.html").exists()
    assert len(parsed((feeds / "en" / "rss.xml").read_bytes()).entries) == 2
    # everything retracted: empty but valid feeds, no pages
    publish_site(cfg, {})
    assert not [p for p in feeds.rglob("*.html") if p.name not in ("index.html", "Custom Page.html")]
    assert parsed((feeds / "lt" / "atom.xml").read_bytes()).entries == []


def test_missing_languages_still_get_every_output(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    publish_site(cfg, {"lt": [rend("lt", "vienas", 1)]})
    for lang in cfg.all_langs:
        for name in ("rss.xml", "atom.xml", "feed.json"):
            assert (cfg.paths.feeds / lang / name).is_file()
    assert (cfg.paths.feeds / "lt" / "vienas.html").is_file()
    assert not (cfg.paths.feeds / "en" / "vienas.html").exists()


def test_output_paths_stay_inside_the_feeds_folder(tmp_path: Path) -> None:
    root = tmp_path / "feeds"
    root.mkdir()
    assert inside(root, "en/rss.xml") == root / "en" / "rss.xml"
    for bad in ("../x.html", "/etc/passwd", "en/../../x", ""):
        with pytest.raises(ValueError):
            inside(root, bad)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (root / "en").symlink_to(outside)
    with pytest.raises(NotWritable, match="outside the feeds folder"):
        inside(root, "en/rss.xml")


def test_sanitizer_removes_active_markup_even_if_it_got_in() -> None:
    dirty = (
        '<script>alert(1)</script><p onclick="x()" style="color:red" class="byline evil">ok</p>'
        '<a href="javascript:alert(1)">j</a><a href="data:text/html,x">d</a><a href="/rel">r</a>'
        '<iframe src="https://e.example/"></iframe><img src="x" onerror="y()">'
        '<a href="https://ok.example/">fine</a>'
    )
    clean = sanitize(dirty)
    assert clean == '<p class="byline">ok</p><a>j</a><a>d</a><a>r</a><a href="https://ok.example/">fine</a>'


class _Events(HTMLParser):
    """What a parser sees in a fragment: tags with their attributes, and the text between."""

    def __init__(self, fragment: str) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple[str, Any]] = []
        self.feed(fragment)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.events.append(("start", (tag, sorted(attrs))))

    def handle_endtag(self, tag: str) -> None:
        self.events.append(("end", tag))

    def handle_data(self, data: str) -> None:
        # HTML parsing turns CR and CRLF into LF (nh3's parser does, browsers do).
        data = data.replace("\r\n", "\n").replace("\r", "\n")
        if self.events and self.events[-1][0] == "text":
            data = str(self.events.pop()[1]) + data
        self.events.append(("text", data))


_block_kinds = st.sampled_from(list(BlockKind))
_hostile_text = st.text(
    alphabet=st.one_of(st.characters(), st.sampled_from(list("<>&\"'\r\n\x00\x0b\ufffd\xa0=/ "))), max_size=40
) | st.sampled_from(["<script>alert(1)</script>", '" onmouseover="x()', "&amp; &#x27; &lt;b&gt;", "<!-- c -->", "]]>"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.builds(Block, _block_kinds, _hostile_text), max_size=8))
def test_block_html_needs_no_second_sanitising(blocks: list[Block]) -> None:
    """Pages insert blocks_html without an nh3 pass: on any text (hostile, control
    characters, markup, entities), nh3 would change nothing a parser sees."""
    mine = blocks_html(blocks)
    assert _Events(mine).events == _Events(sanitize(mine)).events
    for kind, value in _Events(mine).events:
        if kind == "start":
            tag, attrs = value
            assert tag in {"p", "ul", "li", "blockquote", "h2", "br"}
            assert attrs in ([], [("class", "byline")])


def test_hostile_body_text_is_text_on_the_page(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    hostile = '<script>alert(1)</script> <img src=x onerror="y()"> " onclick="z()'
    r = rend("lt", "evil", 1, title="Pavadinimas", blocks=(Block(BlockKind.PARAGRAPH, hostile),))
    page = render_site(cfg, {"lt": [r]})["lt/evil.html"]
    doc = lxml.html.fromstring(page)
    assert not doc.xpath("//script | //img | //*[@onclick] | //*[@onerror]")
    assert hostile in doc.xpath("string(//article)")


def test_favicon_is_a_real_icon(tmp_path: Path) -> None:
    import struct

    cfg = make_cfg(tmp_path)
    publish_site(cfg, site_of(cfg))
    data = (cfg.paths.feeds / "favicon.ico").read_bytes()
    reserved, kind, count = struct.unpack_from("<HHH", data)
    w, h, _, _, planes, bpp, size, offset = struct.unpack_from("<BBBBHHII", data, 6)
    assert (reserved, kind, count, w, h, planes, bpp) == (0, 1, 1, 16, 16, 1, 32)
    assert offset + size == len(data)
    header, width, height = struct.unpack_from("<Iii", data, offset)
    assert (header, width, height) == (40, 16, 32)  # a DIB with its AND mask
    for page in ("index.html", "en/index.html", "en/alpha.html"):
        [icon] = [el for el in _doc((cfg.paths.feeds / page).read_bytes()).iter("link") if el.get("rel") == "icon"]
        assert icon.get("href") == f"{BASE}favicon.ico"


def test_archive_pages_are_rendered_only_when_their_month_changes(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    march, april = datetime(2026, 3, 10, 9, tzinfo=UTC), datetime(2026, 4, 10, 9, tzinfo=UTC)

    def site(*extra: tuple[str, datetime]) -> dict[str, list[Rendition]]:
        items = [("old", march), ("older", march - timedelta(days=1)), ("new", april), *extra]
        return {"pl": [rend("pl", s, 0, published=t, updated=t) for s, t in items]}

    feeds = cfg.paths.feeds
    publish_site(cfg, site(), pages=None)
    archive = {m: feeds / "pl" / "archive" / f"2026-{m}.html" for m in ("03", "04")}
    assert all(p.is_file() for p in archive.values())
    old = 1_000_000_000
    for p in archive.values():
        os.utime(p, ns=(old, old))
    # a new article in April: April's page is rewritten, March's is not even rendered
    written = publish_site(cfg, site(("newer", april + timedelta(days=1))), pages={"newer"})
    assert archive["04"] in written and archive["03"] not in written
    assert archive["03"].stat().st_mtime_ns == old
    assert "newer.html" in archive["04"].read_text(encoding="utf-8")
    # a retraction changes its month; a month left empty is deleted
    written = publish_site(cfg, {"pl": [r for r in site()["pl"] if r.slug != "older"]}, pages=set())
    assert archive["03"] in written and "older.html" not in archive["03"].read_text(encoding="utf-8")
    publish_site(cfg, {"pl": [r for r in site()["pl"] if r.slug == "new"]}, pages=set())
    assert not archive["03"].exists() and archive["04"].is_file()
    # a full publish renders every archive page, whatever is on disk
    archive["04"].write_text(archive["04"].read_text(encoding="utf-8").replace("<h1>", "<h1>edited "))
    publish_site(cfg, {"pl": [r for r in site()["pl"] if r.slug == "new"]}, pages=set())
    assert "edited" in archive["04"].read_text(encoding="utf-8")  # same digest: not rendered
    publish_site(cfg, {"pl": [r for r in site()["pl"] if r.slug == "new"]}, pages=None)
    assert "edited" not in archive["04"].read_text(encoding="utf-8")
