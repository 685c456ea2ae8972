"""Publish: article pages, index.html, and publish_site's sync of the feeds folder."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urljoin

import lxml.html
import pytest

from tests.helpers import BASE, make_cfg, parsed, rend, site_of
from xlate.errors import NotWritable
from xlate.publish import inside, publish_site, render_site
from xlate.publish.feeds import sanitize


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
    [notice] = root.find_class("mt-notice")
    assert notice.text_content() == "Machine-translated from Lithuanian."
    assert notice.find("a").get("href") == "../lt/alpha.html" and notice.find("a").get("hreflang") == "lt"
    nav = root.find(".//nav")
    assert [a.get("hreflang") for a in nav.iter("a")] == ["lt", "ru"]
    assert root.find(".//ul/li").text == "Pirmadienį – garsūs skaitymai"
    assert root.find_class("byline")[0].text_content() == "Ona OnaitėVaikų literatūros skyrius"
    # no external resources: no scripts, images, frames, stylesheets; the CSS is inline
    assert not list(root.iter("script", "img", "iframe", "object", "embed"))
    assert [el.get("rel") for el in root.iter("link")] == ["canonical"] + ["alternate"] * 5
    assert root.find("head/style") is not None

    lt = _doc(out["lt/alpha.html"])
    assert lt.get("lang") == "lt" and not lt.find_class("mt-notice")


def test_index_lists_and_autodiscovers_every_feed(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    out = render_site(cfg, site_of(cfg))
    root = _doc(out["index.html"])
    feeds = {f"{lang}/{f}" for lang in cfg.all_langs for f in ("rss.xml", "atom.xml", "feed.json")}
    discovered = {
        el.get("href").removeprefix(BASE): el.get("type") for el in root.iter("link") if el.get("rel") == "alternate"
    }
    assert set(discovered) == feeds
    assert {t for t in discovered.values()} == {"application/rss+xml", "application/atom+xml", "application/feed+json"}
    body_links = {a.get("href") for a in root.iter("a")}
    assert feeds <= body_links and "feeds.opml" in body_links
    for lang in cfg.all_langs:
        section = root.get_element_by_id(lang)
        assert section.get("lang") == lang
        assert [a.get("href") for a in section.find_class("articles")[0].iter("a")] == [
            f"{lang}/{s}.html" for s in ("charlie", "bravo", "alpha")
        ]


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
    assert sorted(written) == files and len(files) == 4 * 3 + 4 * 3 + 2
    old = 1_000_000_000
    for p in files:
        os.utime(p, ns=(old, old))
    assert publish_site(cfg, site) == []
    assert all(p.stat().st_mtime_ns == old for p in files)
    # one changed article: only what shows it is rewritten
    site["ru"][0] = rend("ru", "alpha", 0, title="Новый заголовок")
    again = {p.relative_to(feeds).as_posix() for p in publish_site(cfg, site)}
    assert again == {"ru/alpha.html", "ru/rss.xml", "ru/atom.xml", "ru/feed.json", "index.html"}


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
