"""A partner library subscribes with the `reader` library to feeds served over HTTP on 127.0.0.1."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from reader import make_reader

from tests.helpers import run_json

LANGS = ("lt", "en", "pl", "ru")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    # The content types contrib/nginx serves feeds with.
    extensions_map = {  # noqa: RUF012
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".xml": "application/xml",
        ".json": "application/feed+json",
        ".html": "text/html; charset=utf-8",
    }

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "project" / "feeds"
    root.mkdir(parents=True)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=str(root)))
    t = threading.Thread(target=httpd.serve_forever, daemon=True)
    t.start()
    try:
        yield root, f"http://127.0.0.1:{httpd.server_address[1]}/"
    finally:
        httpd.shutdown()


def _update(r, urls: list[str]) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    new = modified = 0
    for url in urls:
        for res in r.update_feeds_iter(feed=url, scheduled=False):
            assert not isinstance(res.value, Exception), (url, res.value)
            if res.value is not None:
                new += res.value.new
                modified += res.value.modified
    return new, modified


def test_reader_sees_all_then_nothing_then_exactly_the_edit(
    make_project: Callable[..., Path], served: tuple[Path, str], tmp_path: Path
) -> None:
    _, base = served
    project = make_project(site__base_url=base)
    run_json(project)
    r = make_reader(str(tmp_path / "reader.sqlite"))
    urls = [f"{base}{lang}/{name}" for lang in LANGS for name in ("rss.xml", "atom.xml")]
    for url in urls:
        r.add_feed(url)
    n_articles = len(list((project / "input").iterdir()))

    new, modified = _update(r, urls)
    assert (new, modified) == (n_articles * len(urls), 0)
    assert len(list(r.get_entries())) == n_articles * len(urls)

    run_json(project)  # no-op run
    assert _update(r, urls) == (0, 0)

    md = project / "input" / "senuju-zemelapiu-paroda.md"
    md.write_text(
        # Swap one sentence for another the fixture models know, so every language really changes.
        md.read_text(encoding="utf-8").replace("Įėjimas nemokamas.", "Paroda parengta kartu su krašto muziejumi."),
        encoding="utf-8",
    )
    report = run_json(project)
    assert report["updated"] == 1
    new, modified = _update(r, urls)
    assert (new, modified) == (0, len(urls))  # exactly one modified entry in each feed
    r.close()
