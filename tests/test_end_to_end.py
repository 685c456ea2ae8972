"""Issue 2's acceptance: the real CLI, real fixture packages, real feeds, in a subprocess."""

from __future__ import annotations

import csv
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import feedparser
from langdetect import DetectorFactory, detect

from tests.helpers import FIXTURES, REPO, run_json

LANGS = ("lt", "en", "pl", "ru")
FEEDS = [f"{lang}/{name}" for lang in LANGS for name in ("rss.xml", "atom.xml")]


def _phrasebook() -> dict[str, dict[str, str]]:
    with (FIXTURES / "phrasebook.tsv").open(encoding="utf-8", newline="") as f:
        return {row["lt"]: row for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}


def _sample_count() -> int:
    return sum(1 for f in (REPO / "input").iterdir() if f.is_file() and not f.name.startswith("."))


def _snapshot(feeds: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(feeds).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(feeds.rglob("*"))
        if p.is_file()
    }


def test_sample_articles_become_eight_valid_feeds(make_project: Callable[..., Path]) -> None:
    project = make_project()
    n = _sample_count()
    report = run_json(project)
    assert report["published"] == n
    assert report["quarantined"] == []
    assert set(report["decoded_sentences"]) == {"lt->en", "en->pl", "en->ru"}
    assert report["decoded_sentences"]["lt->en"] > 0
    assert report["routes"] == {"en": "lt->en", "pl": "lt->en->pl", "ru": "lt->en->ru"}

    feeds = project / "feeds"
    DetectorFactory.seed = 0
    book = _phrasebook()
    for rel in FEEDS:
        parsed = feedparser.parse((feeds / rel).read_bytes())
        assert not parsed.bozo, (rel, parsed.get("bozo_exception"))
        assert len(parsed.entries) == n, rel
        lang = rel.split("/")[0]
        for e in parsed.entries:
            html = e.content[0].value if "content" in e else e.get("summary", "")
            text = e.title + " " + re.sub(r"<[^>]+>", " ", html)
            assert detect(text) == lang, (rel, e.title)

    # The English title of each sample article is its phrasebook translation.
    en = feedparser.parse((feeds / "en/atom.xml").read_bytes())
    lt = feedparser.parse((feeds / "lt/atom.xml").read_bytes())
    lt_titles = {e.link.rsplit("/", 1)[1]: e.title for e in lt.entries}
    for e in en.entries:
        slug = e.link.rsplit("/", 1)[1]
        assert e.title == book[lt_titles[slug]]["en"], slug


def test_second_run_decodes_nothing_and_leaves_feeds_byte_identical(
    make_project: Callable[..., Path],
) -> None:
    project = make_project()
    run_json(project)
    before = _snapshot(project / "feeds")
    assert set(FEEDS) <= set(before)
    report = run_json(project)
    assert sum(report["decoded_sentences"].values()) == 0
    assert report["published"] == report["updated"] == 0
    assert report["unchanged"] == _sample_count()
    assert report["feeds"] == []
    assert _snapshot(project / "feeds") == before


def test_non_lithuanian_article_is_quarantined_and_the_others_published(
    make_project: Callable[..., Path],
) -> None:
    project = make_project()
    shutil.copy(FIXTURES / "articles" / "polish.txt", project / "input" / "wiadomosci.txt")
    report = run_json(project, expect=1)
    assert report["published"] == _sample_count()
    [q] = report["quarantined"]
    assert q["file"] == "wiadomosci.txt"
    assert "pl" in q["reason"] and "lt" in q["reason"]
    assert not (project / "input" / "wiadomosci.txt").exists()
    assert (project / "quarantine" / "wiadomosci.txt").exists()
    assert "pl" in (project / "quarantine" / "wiadomosci.txt.error.txt").read_text(encoding="utf-8")
    for rel in FEEDS:
        parsed = feedparser.parse((project / "feeds" / rel).read_bytes())
        assert len(parsed.entries) == _sample_count()


def test_deleted_feed_files_are_written_again_by_the_next_run(make_project: Callable[..., Path]) -> None:
    project = make_project()
    run_json(project)
    before = (project / "feeds/pl/rss.xml").read_bytes()
    (project / "feeds/pl/rss.xml").unlink()
    report = run_json(project)
    assert sum(report["decoded_sentences"].values()) == 0
    assert (project / "feeds/pl/rss.xml").read_bytes() == before
