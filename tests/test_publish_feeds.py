"""Publish: RSS, Atom, JSON Feed and OPML, checked with feedparser and lxml.

One test per feedgen trap (updated=now, prepend, lost link attributes, RSS channel
link, CDATA type, control characters), plus the RSS 2.0 / RFC 4287 elements the W3C
Feed Validation Service looks at.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import feedparser
import lxml.html
import pytest
from feedgen.feed import FeedGenerator
from lxml import etree

from tests.helpers import BASE, BLOCKS, REPO, T0, make_cfg, parsed, rend, site_of
from xlate.languages import language
from xlate.model import Block, BlockKind
from xlate.publish import publish, render_site
from xlate.publish.feeds import EMPTY_FEED_DATE, MT_CATEGORY

A = "{http://www.w3.org/2005/Atom}"
NS = {"a": "http://www.w3.org/2005/Atom", "dc": "http://purl.org/dc/elements/1.1/"}
VALIDATE_FEED = REPO.parent / "shared" / "tools" / "validate-feed"


# -- helpers of this file (the shared ones are in tests/helpers.py) -------------------------


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def html_fields(name: str, data: bytes) -> list[str]:
    """Every field of a feed that carries HTML."""
    if name.endswith(".json"):
        return [i["content_html"] for i in json.loads(data)["items"]]
    root = xml(data)
    if root.tag == "rss":
        return [e.text or "" for e in root.iter("description", "{http://purl.org/rss/1.0/modules/content/}encoded")]
    return [e.text or "" for e in root.iter(f"{A}content", f"{A}summary") if e.get("type") == "html"]


# -- every feed is well-formed and parses ------------------------------------------------


def test_every_feed_parses_and_links_each_entry_to_its_own_page(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    out = render_site(cfg, site_of(cfg))
    for lang in cfg.all_langs:
        for name in ("rss.xml", "atom.xml"):
            d = parsed(out[f"{lang}/{name}"])
            assert d.feed.language == lang
            assert [e.link for e in d.entries] == [f"{BASE}{lang}/{s}.html" for s in ("charlie", "bravo", "alpha")]
            assert d.feed.title == cfg.languages[lang].title
            assert d.feed.author_detail.name == cfg.site.author.name
        feed = json.loads(out[f"{lang}/feed.json"])
        assert feed["version"] == "https://jsonfeed.org/version/1.1"
        assert feed["feed_url"] == f"{BASE}{lang}/feed.json"
        assert [i["url"] for i in feed["items"]] == [f"{BASE}{lang}/{s}.html" for s in ("charlie", "bravo", "alpha")]


def test_atom_has_what_rfc4287_requires(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    out = render_site(cfg, site_of(cfg))
    for lang in cfg.all_langs:
        root = xml(out[f"{lang}/atom.xml"])
        assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
        assert root.findtext("a:id", namespaces=NS) == f"{BASE}{lang}/atom.xml"
        assert root.findtext("a:title", namespaces=NS)
        assert root.findtext("a:author/a:name", namespaces=NS) == cfg.site.author.name
        assert root.findtext("a:generator", namespaces=NS) == "xlate"
        [self_link] = root.findall("a:link[@rel='self']", NS)
        assert self_link.get("href") == f"{BASE}{lang}/atom.xml"
        assert self_link.get("type") == "application/atom+xml"
        ids = []
        for entry in root.findall("a:entry", NS):
            ids.append(entry.findtext("a:id", namespaces=NS))
            assert entry.findtext("a:title", namespaces=NS)
            for tag in ("updated", "published"):
                value = entry.findtext(f"a:{tag}", namespaces=NS)
                assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|\+00:00)", value), value
            assert entry.find("a:author/a:name", NS) is not None
            content = entry.find("a:content", NS)
            assert content.get("type") == "html"
            # one alternate, the entry's own language page: whichever a reader follows
            [link] = entry.findall("a:link", NS)
            assert (link.get("rel"), link.get("type"), link.get("hreflang")) == ("alternate", "text/html", lang)
        # tag:host,YYYY-MM-DD:lang/slug from the published date, unique
        assert ids == [f"tag:biblioteka.example.lt,2024-05-01:{lang}/{s}" for s in ("charlie", "bravo", "alpha")]


def test_rss_has_what_rss2_requires_and_the_validator_wants(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    out = render_site(cfg, site_of(cfg))
    for lang in cfg.all_langs:
        root = xml(out[f"{lang}/rss.xml"])
        assert root.get("version") == "2.0"
        channel = root.find("channel")
        assert channel.findtext("title") == cfg.languages[lang].title
        assert channel.findtext("description") == cfg.languages[lang].description
        assert channel.findtext("language") == lang
        assert channel.findtext("managingEditor") == f"{cfg.site.author.email} ({cfg.site.author.name})"
        [self_link] = channel.findall("a:link[@rel='self']", NS)
        assert self_link.get("href") == f"{BASE}{lang}/rss.xml"
        assert self_link.get("type") == "application/rss+xml"
        # channel metadata all before the first item (the validator's MisplacedItem)
        tags = [c.tag for c in channel]
        assert "item" not in tags[: tags.index("item")] and set(tags[tags.index("item") :]) == {"item"}
        for item in channel.findall("item"):
            guid = item.find("guid")
            assert guid.get("isPermaLink") == "true" and guid.text == item.findtext("link")
            assert re.fullmatch(r"\w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d \+0000", item.findtext("pubDate"))
            # a name without an e-mail goes to dc:creator, never to <author>
            assert item.find("author") is None and item.findtext("dc:creator", namespaces=NS)
            names = [c.tag for c in item]
            assert names.index("description") < names.index("{http://purl.org/rss/1.0/modules/content/}encoded")
            # no other-language links in an item: a reader opens the item's own page
            assert item.findall("a:link", NS) == []


def test_no_relative_urls_in_any_feed_content(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    out = render_site(cfg, site_of(cfg))
    for name, data in out.items():
        if name.endswith((".xml", ".json")) and name != "feeds.opml":
            for fragment in html_fields(name, data):
                for href in re.findall(r'(?:href|src)="([^"]*)"', fragment):
                    assert href.startswith(BASE), (name, href)


# -- feedgen traps, one test each ---------------------------------------------------------
# Each test first shows the trap on bare feedgen (so a feedgen upgrade that fixes or changes
# it is noticed), then that xlate's output does not fall into it.


def _bare_feed() -> FeedGenerator:
    fg = FeedGenerator()
    fg.id("https://example.org/feed")
    fg.title("t")
    fg.description("d")
    fg.link(href="https://example.org/", rel="alternate")
    return fg


def _bare_entry(fg: FeedGenerator, n: int, **kw: Any) -> Any:
    fe = fg.add_entry(**kw)
    fe.id(f"https://example.org/{n}")
    fe.title(f"e{n}")
    fe.content("x")
    return fe


def test_trap_updated_comes_from_data_not_the_clock(tmp_path: Path) -> None:
    assert abs(_bare_feed().updated() - datetime.now(UTC)) < timedelta(minutes=1)  # the trap
    cfg = make_cfg(tmp_path)
    site = site_of(cfg)
    # an old article updated recently: the feed's updated is the newest entry *updated*
    site["lt"][0] = rend("lt", "alpha", 0, updated=T0 + timedelta(days=3))
    out = render_site(cfg, site)
    atom = xml(out["lt/atom.xml"])
    assert atom.findtext("a:updated", namespaces=NS) == (T0 + timedelta(days=3)).isoformat()
    assert xml(out["lt/rss.xml"]).findtext("channel/lastBuildDate") == "Sat, 04 May 2024 09:00:00 +0000"

    empty = render_site(cfg, {})
    for lang in cfg.all_langs:
        assert xml(empty[f"{lang}/atom.xml"]).findtext("a:updated", namespaces=NS) == EMPTY_FEED_DATE.isoformat()
        assert xml(empty[f"{lang}/rss.xml"]).findtext("channel/lastBuildDate") == "Sat, 01 Jan 2000 00:00:00 +0000"
        assert json.loads(empty[f"{lang}/feed.json"])["items"] == []
        assert parsed(empty[f"{lang}/atom.xml"]).entries == []


def test_trap_add_entry_prepends_so_we_sort_and_append(tmp_path: Path) -> None:
    fg = _bare_feed()
    _bare_entry(fg, 1)
    _bare_entry(fg, 2)
    assert [e.title for e in feedparser.parse(fg.atom_str()).entries] == ["e2", "e1"]  # the trap
    cfg = make_cfg(tmp_path)
    items = [rend("lt", f"s{i:02d}", i) for i in range(12)]
    items.append(rend("lt", "aa-same-time", 5))  # tie on published: by slug
    random.Random(7).shuffle(items)
    out = render_site(cfg, {"lt": items})
    want = [f"s{i:02d}" for i in range(11, 5, -1)] + ["aa-same-time", "s05"] + [f"s{i:02d}" for i in range(4, -1, -1)]
    atom = [e.link.rsplit("/", 1)[1][:-5] for e in parsed(out["lt/atom.xml"]).entries]
    rss = [e.link.rsplit("/", 1)[1][:-5] for e in parsed(out["lt/rss.xml"]).entries]
    js = [i["url"].rsplit("/", 1)[1][:-5] for i in json.loads(out["lt/feed.json"])["items"]]
    assert atom == rss == js == want


def test_trap_entry_links_keep_rel_type_and_hreflang(tmp_path: Path) -> None:
    fg = _bare_feed()
    fe = _bare_entry(fg, 1)
    fe.link(href="https://example.org/lt/1.html", rel="alternate", type="text/html", hreflang="lt")
    [bare] = xml(fg.atom_str()).findall("a:entry/a:link", NS)
    assert bare.get("hreflang") is None and bare.get("type") is None  # the trap (feedgen issue 135)
    cfg = make_cfg(tmp_path)
    site = site_of(cfg)
    site["pl"] = [r for r in site["pl"] if r.slug != "alpha"]  # alpha has no Polish version
    out = render_site(cfg, site)
    entry = next(
        e for e in xml(out["en/atom.xml"]).findall("a:entry", NS) if e.findtext("a:id", namespaces=NS).endswith("alpha")
    )
    links = [(x.get("rel"), x.get("type"), x.get("hreflang"), x.get("href")) for x in entry.findall("a:link", NS)]
    assert links == [("alternate", "text/html", "en", f"{BASE}en/alpha.html")]
    assert parsed(out["en/atom.xml"]).entries[-1].link == f"{BASE}en/alpha.html"


def test_trap_rss_channel_link_is_the_html_page_not_the_last_link_added(tmp_path: Path) -> None:
    fg = _bare_feed()
    fg.link(href="https://example.org/rss.xml", rel="self")
    assert xml(fg.rss_str()).findtext("channel/link") == "https://example.org/rss.xml"  # the trap
    cfg = make_cfg(tmp_path)
    out = render_site(cfg, site_of(cfg))
    channel = xml(out["en/rss.xml"]).find("channel")
    assert channel.findtext("link") == f"{BASE}en/index.html"
    assert parsed(out["en/rss.xml"]).feed.link == f"{BASE}en/index.html"
    # and every item's <link> is its own page, not the last alternate language
    assert [i.findtext("link") for i in channel.findall("item")] == [
        f"{BASE}en/{s}.html" for s in ("charlie", "bravo", "alpha")
    ]


def test_trap_content_is_typed_html_never_cdata(tmp_path: Path) -> None:
    fg = _bare_feed()
    _bare_entry(fg, 1).content("<p>x</p>", type="CDATA")
    assert xml(fg.atom_str()).find("a:entry/a:content", NS).get("type") == "CDATA"  # the trap: invalid Atom
    cfg = make_cfg(tmp_path)
    out = render_site(cfg, site_of(cfg))
    assert b"CDATA" not in out["en/atom.xml"] and b"CDATA" not in out["en/rss.xml"]
    for content in xml(out["en/atom.xml"]).iter(f"{A}content"):
        assert content.get("type") == "html"
        assert content.text.startswith('<p class="mt-notice">')
    [entry] = parsed(out["en/atom.xml"]).entries[:1]
    assert entry.content[0].type == "text/html"
    assert "<h2>Programa</h2>" in entry.content[0].value
    assert "<ul><li>Pirmadienį – garsūs skaitymai</li><li>" in entry.content[0].value
    assert "<blockquote><p>Knyga – geriausias draugas.</p></blockquote>" in entry.content[0].value
    assert '<p class="byline">Ona Onaitė<br />Vaikų literatūros skyrius</p>' in entry.content[0].value


def test_trap_control_characters_are_stripped_before_feedgen(tmp_path: Path) -> None:
    fg = _bare_feed()
    _bare_entry(fg, 1).title("bad\x0b")
    with pytest.raises(ValueError, match="XML compatible"):  # the trap
        fg.atom_str()
    cfg = make_cfg(tmp_path)
    dirty = "Nul\x00l ver\x0bt\x1f\x7f\x85 \ufffdtab\tok"
    r = rend(
        "lt",
        "dirty",
        1,
        title=dirty,
        blocks=(Block(BlockKind.PARAGRAPH, dirty),),
        tags=(dirty,),
        author=dirty,
        summary=dirty,
    )
    out = render_site(cfg, {"lt": [r]})  # lxml would raise "All strings must be XML compatible"
    for name in ("lt/rss.xml", "lt/atom.xml"):
        assert parsed(out[name]).entries[0].title == "Null vert tab ok"
        assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]", out[name].decode())
    assert json.loads(out["lt/feed.json"])["items"][0]["title"] == "Null vert tab ok"


# -- machine translation, alternates ------------------------------------------------------


def test_machine_translated_entries_carry_notice_link_and_category(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path, languages__pl__mt_notice="Tłumaczenie maszynowe (test).")
    out = render_site(cfg, site_of(cfg))
    notices = {
        "en": "Machine-translated from Lithuanian.",
        "pl": "Tłumaczenie maszynowe (test).",
        "ru": "Машинный перевод с литовского.",
    }
    for lang, notice in notices.items():
        atom = parsed(out[f"{lang}/atom.xml"])
        for e in atom.entries:
            slug = e.link.rsplit("/", 1)[1]
            first = lxml.html.fragment_fromstring(e.content[0].value, create_parent="div")[0]
            # the notice is text; a separate link says it leads to the original
            assert first.get("class") == "mt-notice" and first.text.strip() == notice
            assert first.find("a").get("href") == f"{BASE}lt/{slug}"
            assert first.find("a").text == language(lang).read_original
            assert MT_CATEGORY in [t.term for t in e.tags]
            assert e.summary.startswith(notice + " ")  # what list views show
        for e in parsed(out[f"{lang}/rss.xml"]).entries:
            assert MT_CATEGORY in [t.term for t in e.tags]
            assert e.summary.startswith(notice + " ")  # RSS <description>
        for i in json.loads(out[f"{lang}/feed.json"])["items"]:
            assert MT_CATEGORY in i["tags"] and i["summary"].startswith(notice + " ")
    for e in parsed(out["lt/rss.xml"]).entries:
        assert e.summary.startswith("Bibliotekoje vyks")
    for e in parsed(out["lt/atom.xml"]).entries:
        assert "mt-notice" not in e.content[0].value
        assert MT_CATEGORY not in [t.term for t in e.tags]
        assert [t.term for t in e.tags] == ["renginiai", "vaikams"]


def test_alternates_list_only_languages_that_have_the_slug(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    site = {"lt": [rend("lt", "only-two", 1)], "en": [rend("en", "only-two", 1)], "ru": [rend("ru", "solo", 2)]}
    out = render_site(cfg, site)
    [en] = json.loads(out["en/feed.json"])["items"]
    assert [a["language"] for a in en["_xlate"]["alternates"]] == ["lt"]
    assert lxml.html.document_fromstring(out["en/only-two.html"]).xpath("//nav//a/@hreflang") == ["lt", "en"]
    [ru] = xml(out["ru/atom.xml"]).findall("a:entry", NS)
    assert [x.get("hreflang") for x in ru.findall("a:link", NS)] == ["ru"]
    # no original page: the notice stays, without a link
    assert "<a " not in ru.findtext("a:content", namespaces=NS)
    assert json.loads(out["ru/feed.json"])["items"][0]["_xlate"]["original_url"] is None


# -- caps, summary ------------------------------------------------------------------------


def test_max_items_keeps_the_newest(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path, feeds__max_items=3)
    out = render_site(cfg, {"lt": [rend("lt", f"n{i}", i) for i in range(8)]})
    for name in ("lt/rss.xml", "lt/atom.xml"):
        assert [e.link[-7:-5] for e in parsed(out[name]).entries] == ["n7", "n6", "n5"]
    assert len(json.loads(out["lt/feed.json"])["items"]) == 3
    # the index and the pages still have every article
    assert all(f"lt/n{i}.html" in out for i in range(8))


def test_max_bytes_drops_the_oldest_until_the_feed_fits(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path, feeds__max_bytes=12_000)
    long = tuple(Block(BlockKind.PARAGRAPH, f"Pastraipa {i} " + "žodis " * 60) for i in range(4))
    out = render_site(cfg, {"lt": [rend("lt", f"n{i}", i, blocks=long) for i in range(10)]})
    for name in ("lt/rss.xml", "lt/atom.xml", "lt/feed.json"):
        assert len(out[name]) <= 12_000, name
    entries = parsed(out["lt/atom.xml"]).entries
    assert 0 < len(entries) < 10
    assert [e.link[-7:-5] for e in entries] == [f"n{i}" for i in range(9, 9 - len(entries), -1)]
    # one more entry would not have fitted
    bigger = render_site(
        make_cfg(tmp_path, feeds__max_bytes=10**7), {"lt": [rend("lt", f"n{i}", i, blocks=long) for i in range(10)]}
    )
    assert len(bigger["lt/atom.xml"]) > 12_000


def test_summary_is_the_given_one_or_the_first_paragraph_cut_at_a_word(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    words = " ".join(f"žodis{i}" for i in range(100))
    blocks = (Block(BlockKind.HEADING, "Antraštė"), Block(BlockKind.PARAGRAPH, words))
    out = render_site(
        cfg, {"lt": [rend("lt", "a", 1, blocks=blocks), rend("lt", "b", 2, summary="Trumpai & aiškiai.")]}
    )
    by_slug = {e.link[-6:-5]: e for e in parsed(out["lt/atom.xml"]).entries}
    assert by_slug["b"].summary == "Trumpai &amp; aiškiai."  # type="html": escaped text
    cut = lxml.html.fromstring(by_slug["a"].summary).text_content()
    assert cut.endswith("…") and len(cut) <= 301
    assert words.startswith(cut[:-1]) and words[len(cut) - 1] == " "


# -- security -----------------------------------------------------------------------------

XSS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">klik</a>',
    "javascript:alert(1)",
    "]]><script>alert(2)</script>",
    '"><svg onload=alert(3)>',
]


def _assert_inert(fragment: str, where: str) -> None:
    for el in lxml.html.fragment_fromstring(fragment or "<p></p>", create_parent="div").iter():
        if not isinstance(el.tag, str):
            continue
        assert el.tag not in {"script", "img", "svg", "iframe", "style", "object", "embed"}, where
        for name, value in el.attrib.items():
            assert not name.startswith("on"), where
            assert not value.strip().lower().startswith(("javascript:", "data:")), where


def test_xss_payloads_do_not_survive_as_markup_anywhere(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    evil = " ".join(XSS)
    blocks = tuple(Block(kind, evil) for kind in BlockKind)
    site = {
        lang: [rend(lang, "xss", 1, title=evil, blocks=blocks, tags=tuple(XSS), author=evil, summary=evil)]
        for lang in cfg.all_langs
    }
    out = render_site(cfg, site)
    for name, data in out.items():
        if name.endswith(".html"):
            page = lxml.html.document_fromstring(data)
            _assert_inert(lxml.html.tostring(page.body, encoding="unicode"), name)
            assert [s for s in page.iter("script")] == []
        elif not name.endswith((".opml", ".ico")):
            fragments = html_fields(name, data)
            assert any("alert(1)" in f for f in fragments), name  # the payload is there, as text
            for fragment in fragments:
                _assert_inert(fragment, name)
        if name.endswith(".xml"):
            root = xml(data)  # text fields stay text: no child elements smuggled in
            for el in root.iter(
                f"{A}title", "title", "category", f"{A}name", "{http://purl.org/dc/elements/1.1/}creator"
            ):
                assert len(el) == 0
    e = parsed(out["en/atom.xml"]).entries[0]
    assert e.title == evil  # shown as the literal text it is


def test_unsafe_slug_is_refused(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    for slug in ("../etc/passwd", "Upper", "-lead", "a/b", "", "a.b"):
        with pytest.raises(ValueError, match="slug"):
            render_site(cfg, {"lt": [rend("lt", slug, 1)]})


# -- determinism, OPML, JSON --------------------------------------------------------------


def test_render_is_deterministic_and_independent_of_input_order(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    site = site_of(cfg, ("a", "b", "c", "d"))
    first = render_site(cfg, site)
    again = render_site(cfg, site)
    shuffled = {lang: list(reversed(items)) for lang, items in reversed(list(site.items()))}
    assert first == again == render_site(cfg, shuffled)
    assert list(first) == sorted(first)


def test_opml_lists_every_feed_with_dates_from_data(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    out = render_site(cfg, site_of(cfg))
    root = xml(out["feeds.opml"])
    assert root.get("version") == "2.0"
    assert root.findtext("head/dateCreated") == "Wed, 01 May 2024 09:00:00 +0000"  # oldest published
    assert root.findtext("head/dateModified") == "Wed, 01 May 2024 11:30:00 +0000"  # newest updated
    # one folder per language, titled with the language's own name, holding its one RSS feed
    folders = root.findall("body/outline")
    assert [f.attrib for f in folders] == [{"text": language(lang).name} for lang in cfg.all_langs]
    for lang, folder in zip(cfg.all_langs, folders, strict=True):
        [o] = folder.findall("outline")
        assert (o.get("type"), o.get("version"), o.get("language")) == ("rss", "RSS2", lang)
        assert o.get("text") == o.get("title") == cfg.languages[lang].title
        assert o.get("xmlUrl") == f"{BASE}{lang}/rss.xml" and o.get("htmlUrl") == f"{BASE}{lang}/index.html"
        # the per-language OPML: that one feed alone
        own = xml(out[f"{lang}/feeds.opml"])
        assert own.findtext("head/title") == cfg.languages[lang].title
        [alone] = own.findall("body/outline")
        assert alone.attrib == o.attrib and len(alone) == 0
    # never a JSON Feed or Atom typed `rss`
    assert all(o.get("xmlUrl").endswith("/rss.xml") for o in root.iter("outline") if o.get("xmlUrl"))
    empty = xml(render_site(cfg, {})["feeds.opml"])
    assert (
        empty.findtext("head/dateCreated") == empty.findtext("head/dateModified") == "Sat, 01 Jan 2000 00:00:00 +0000"
    )


def test_json_feed_items(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    site = site_of(cfg)
    site["en"][0] = rend("en", "alpha", 0, author="Jonas Jonaitis")
    out = render_site(cfg, site)
    feed = json.loads(out["en/feed.json"])
    assert feed["language"] == "en" and feed["authors"][0]["name"] == cfg.site.author.name
    alpha = feed["items"][-1]
    assert alpha["id"] == "tag:biblioteka.example.lt,2024-05-01:en/alpha"
    assert alpha["date_published"] == "2024-05-01T09:00:00+00:00"
    assert alpha["date_modified"] == "2024-05-01T09:30:00+00:00"
    assert alpha["authors"] == [{"name": "Jonas Jonaitis"}]
    assert alpha["summary"] == "Machine-translated from Lithuanian. " + BLOCKS[0].text
    assert alpha["_xlate"]["machine_translated"] is True
    assert alpha["_xlate"]["original_url"] == f"{BASE}lt/alpha.html"
    assert [a["language"] for a in alpha["_xlate"]["alternates"]] == ["lt", "pl", "ru"]
    [atom_alpha] = [e for e in parsed(out["en/atom.xml"]).entries if e.link.endswith("alpha.html")]
    assert atom_alpha.author == "Jonas Jonaitis"


def test_common_validator_misses(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    # updated times that differ by a microsecond stay distinct (no DuplicateUpdated introduced)
    a = rend("lt", "a", 1, updated=T0 + timedelta(hours=5))
    b = rend("lt", "b", 2, updated=T0 + timedelta(hours=5, microseconds=1))
    empty = rend("lt", "empty", 3, blocks=())  # no text at all: no blank <content>
    out = render_site(cfg, {"lt": [a, b, empty]})
    atom = xml(out["lt/atom.xml"])
    updated = [e.findtext("a:updated", namespaces=NS) for e in atom.findall("a:entry", NS)]
    assert len(set(updated)) == 3
    entry = atom.findall("a:entry", NS)[0]
    assert entry.findtext("a:id", namespaces=NS).endswith("lt/empty") and entry.find("a:content", NS) is None
    assert entry.find("a:link[@rel='alternate']", NS) is not None
    # RSS: the atom prefix is bound to the Atom namespace; no CDATA; docs present
    rss = xml(out["lt/rss.xml"])
    assert rss.nsmap["atom"] == "http://www.w3.org/2005/Atom"
    assert rss.findtext("channel/docs") == "http://www.rssboard.org/rss-specification"
    # the self link of every feed is exactly where it is served
    for lang in cfg.all_langs:
        assert parsed(out[f"{lang}/atom.xml"]).feed.links[0].href == f"{BASE}{lang}/atom.xml"
    # a base URL with a port and non-ASCII path still gives valid tag: ids and plain URIs
    other = make_cfg(tmp_path, site__base_url="https://Bibl.example.lt:8443/naujienų")
    atom2 = xml(render_site(other, {"lt": [a]})["lt/atom.xml"])
    assert atom2.findtext("a:entry/a:id", namespaces=NS) == "tag:bibl.example.lt,2024-05-01:lt/a"
    assert atom2.findtext("a:id", namespaces=NS) == "https://Bibl.example.lt:8443/naujien%C5%B3/lt/atom.xml"


def test_newest_entry_over_max_bytes_is_published_shortened_and_said(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path, feeds__max_bytes=12_000)
    paragraphs = tuple(Block(BlockKind.PARAGRAPH, f"Pastraipa {i}. " + "žodis " * 200) for i in range(8))
    huge = rend("en", "huge", 9, blocks=paragraphs)
    site = {"lt": [rend("lt", "huge", 9, blocks=paragraphs)], "en": [huge, rend("en", "older", 1)]}
    done = publish(cfg, site)
    warned = [w for w in done.warnings if "'huge'" in w]
    assert len(warned) == 6 and all("feeds.max_bytes" in w and "shortened" in w for w in warned)
    feeds = cfg.paths.feeds
    for lang in ("lt", "en"):
        for name in ("rss.xml", "atom.xml", "feed.json"):
            assert len((feeds / lang / name).read_bytes()) <= 12_000, name
        [e] = parsed((feeds / lang / "atom.xml").read_bytes()).entries  # the newest, not nothing
        body = lxml.html.fragment_fromstring(e.content[0].value, create_parent="div")
        kept = [p.text_content() for p in body.iter("p") if p.text_content().startswith("Pastraipa")]
        assert 0 < len(kept) < 8 and kept == [b.text.strip() for b in paragraphs[: len(kept)]]  # whole paragraphs
        last = body.findall(".//a")[-1]
        assert last.get("href") == f"{BASE}{lang}/huge.html" and last.text == language(lang).read_more
    if VALIDATE_FEED.is_file():  # the W3C validator (../shared beside the clone; CI has it)
        files = [str(feeds / lang / name) for lang in ("lt", "en") for name in ("rss.xml", "atom.xml")]
        proc = subprocess.run([str(VALIDATE_FEED), *files], capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr
    # the page keeps the whole article
    page = lxml.html.document_fromstring((feeds / "en" / "huge.html").read_bytes())
    assert len([p for p in page.iter("p") if p.text_content().startswith("Pastraipa")]) == 8
    # a feed that fits says nothing
    assert publish(make_cfg(tmp_path, feeds__max_bytes=10**7), site).warnings == []


def test_a_slug_that_is_a_page_of_the_site_is_not_published_and_said(tmp_path: Path) -> None:
    cfg = make_cfg(tmp_path)
    done = publish(cfg, {"lt": [rend("lt", "index", 1), rend("lt", "kitas", 2)]})
    assert [w for w in done.warnings if "'index'" in w and "slug" in w]
    home = lxml.html.document_fromstring((cfg.paths.feeds / "lt" / "index.html").read_bytes())
    assert home.findtext(".//h1") == cfg.languages["lt"].title  # the home page, not the article
    assert [e.link for e in parsed((cfg.paths.feeds / "lt" / "rss.xml").read_bytes()).entries] == [
        f"{BASE}lt/kitas.html"
    ]
