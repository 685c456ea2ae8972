"""A fourth target language is config plus one package: German end to end (issue 13.4).

The real CLI with the project's real en->de fixture package: German feeds and pages,
the German notice from the language table, feeds valid for the W3C validator.
"""

from __future__ import annotations

import csv
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest
import yaml

from tests.helpers import FIXTURES, MODELS, REPO, run_cli, run_json
from xlate.languages import language

VALIDATOR = REPO.parent / "shared" / "tools" / "validate-feed"
GERMAN = {"title": "Bibliotheksnachrichten (maschinell übersetzt)", "description": "Nachrichten der Bibliothek."}
NOTICE = language("de").mt_notice["lt"]


def _book() -> dict[str, dict[str, str]]:
    with (FIXTURES / "phrasebook.tsv").open(encoding="utf-8", newline="") as f:
        return {row["lt"]: row for row in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}


# German renderings for the example glossary's names (the glossary is part of the config).
GERMAN_NAMES = {
    "Vilkaviškis": "Wilkowischken",
    "Chernyakhovsk": "Tschernjachowsk",
    "Petras Kriaučiūnas Public Library of Marijampolė": "Öffentliche Bibliothek Petras Kriaučiūnas in Marijampolė",
}


def _german_glossary(dest: Path) -> Path:
    data = yaml.safe_load((REPO / "glossary.yaml").read_text(encoding="utf-8"))
    for term in data["terms"]:
        term["de"] = GERMAN_NAMES.get(term["en"], term["en"])
    dest.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return dest


@pytest.fixture
def german_project(make_project: Callable[..., Path], installed_models: Path, tmp_path: Path) -> Path:
    # A models folder of its own: the shared one stays as the other tests expect it.
    models = tmp_path / "models-de"
    shutil.copytree(installed_models, models)
    project = make_project(targets=["en", "pl", "ru", "de"], languages__de=GERMAN, paths__models=str(models))
    # make_project points at the example glossary; this project's has German renderings too.
    cfg = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    cfg["paths"]["glossary"] = str(_german_glossary(tmp_path / "glossary-de.yaml"))
    (project / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    proc = run_cli(project, "models", "install", str(MODELS / "translate-en_de.argosmodel"))
    assert proc.returncode == 0, proc.stderr
    return project


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).strip()


def test_german_feeds_and_pages_from_config_plus_one_package(german_project: Path) -> None:
    report = run_json(german_project)
    n = sum(1 for f in (german_project / "input").iterdir() if f.is_file())
    assert report["published"] == n and report["quarantined"] == []
    assert report["routes"]["de"] == "lt->en->de"
    assert report["decoded_sentences"]["en->de"] > 0

    feeds = german_project / "feeds"
    book = _book()
    lt = feedparser.parse((feeds / "lt/atom.xml").read_bytes())
    lt_titles = {e.link.rsplit("/", 1)[1].removesuffix(".html"): e.title for e in lt.entries}
    for name in ("atom.xml", "rss.xml"):
        parsed = feedparser.parse((feeds / "de" / name).read_bytes())
        assert not parsed.bozo, (name, parsed.get("bozo_exception"))
        assert len(parsed.entries) == n
        for e in parsed.entries:
            slug = e.link.rsplit("/", 1)[1].removesuffix(".html")
            # The sample articles are phrasebook rows: the German title is the row's `de`.
            assert e.title == book[lt_titles[slug]]["de"], (name, slug)
    items = json.loads((feeds / "de/feed.json").read_text(encoding="utf-8"))["items"]
    assert len(items) == n
    for slug, lt_title in lt_titles.items():
        page = (feeds / "de" / f"{slug}.html").read_text(encoding="utf-8")
        assert '<html lang="de"' in page
        assert book[lt_title]["de"] in page


def test_every_german_entry_and_page_carries_the_german_notice(german_project: Path) -> None:
    run_json(german_project)
    feeds = german_project / "feeds"
    for name in ("atom.xml", "rss.xml"):
        for e in feedparser.parse((feeds / "de" / name).read_bytes()).entries:
            body = e.content[0].value if "content" in e else e.summary
            assert NOTICE in _text(body), (name, e.link)
    for item in json.loads((feeds / "de/feed.json").read_text(encoding="utf-8"))["items"]:
        assert NOTICE in _text(item["content_html"]), item["url"]
    pages = [p for p in (feeds / "de").glob("*.html") if p.name != "index.html"]
    assert pages
    for page in pages:
        assert NOTICE in _text(page.read_text(encoding="utf-8")), page.name


@pytest.mark.skipif(not VALIDATOR.exists(), reason="the W3C validator lives in ../shared/tools (absent in a clone)")
def test_german_feeds_are_w3c_valid(german_project: Path) -> None:
    run_json(german_project)
    files = [str(german_project / "feeds" / "de" / name) for name in ("atom.xml", "rss.xml")]
    proc = subprocess.run([str(VALIDATOR), *files], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


REVIEW_DE = """---
title: Ein neuer Leseklub für Erwachsene
---

Der Klub freut sich über neue Mitglieder. Eine Voranmeldung ist nicht nötig.
"""


def test_a_german_review_file_replaces_the_machine_translation(german_project: Path) -> None:
    (german_project / "input" / "skaitymo-klubas.de.md").write_text(REVIEW_DE, encoding="utf-8")
    report = run_json(german_project)
    assert report["quarantined"] == []
    page = (german_project / "feeds/de/skaitymo-klubas.html").read_text(encoding="utf-8")
    assert "Ein neuer Leseklub für Erwachsene" in page
    assert not (german_project / "feeds/lt/skaitymo-klubas-de.html").exists()
