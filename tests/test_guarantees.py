"""Issue 12: guarantees that hold for every file a run writes, on text the models do not know.

One workspace runs the sample articles, the 8 unseen articles (tests/fixtures/unseen, which the
fixture models translate badly, as real models do on a bad day) and a hostile article that
literally contains placeholder-like text. Every property is then checked over every output file,
not over an example.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from lxml import etree, html

from tests.helpers import FIXTURES, REPO, run_cli, run_json, write_config

ATOM = "{http://www.w3.org/2005/Atom}"
TARGETS = ("en", "pl", "ru")
VALIDATE_FEED = REPO.parent / "shared" / "tools" / "validate-feed"
LITERAL = "⟦7⟧"  # a source that literally contains placeholder-like text publishes it verbatim

HOSTILE = (
    f"Bibliotekos archyve rastas keistas ženklas {LITERAL}\n\n"
    f"Archyvo darbuotojai rado seną kortelę, ant kurios parašyta {LITERAL} ir daugiau nieko. "
    "Kas tai reiškia, kol kas niekas nežino.\n"
)

URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"„“]+[^\s<>\"„“.,;:!?)\]]")
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
PHONE_RE = re.compile(r"(?<!\w)(?:\+\d{3}|\(?8\)?)[\s-]?\(?\d{2,3}\)?[\s-]?\d{2,3}[\s-]?\d{2,5}(?!\w)")
# Spans the editor marked in tests/fixtures/unseen (Markdown {.notranslate}, front matter, HTML).
MARKED = ("Aldona Petrauskienė", "Kazio Daugėlos", "Vasara su knyga")


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory, installed_models: Path) -> Path:
    root = tmp_path_factory.mktemp("guarantees")
    write_config(root, installed_models)
    inp = root / "input"
    inp.mkdir()
    for src in (*sorted((REPO / "input").iterdir()), *sorted((FIXTURES / "unseen").iterdir())):
        shutil.copy2(src, inp / src.name)
    (inp / "keistas-zenklas.txt").write_text(HOSTILE, encoding="utf-8")
    report = run_json(root, expect=None)
    assert report["published"] == 12, report
    (root / "first-run.json").write_text(json.dumps(report), encoding="utf-8")
    return root


def _outputs(root: Path) -> list[Path]:
    files = [p for p in sorted((root / "feeds").rglob("*")) if p.is_file()]
    assert len(files) > 12 * 4  # pages for every article in every language, plus feeds
    return files


def _sources(root: Path) -> dict[str, str]:
    """slug -> the source file's text (slugs are the file stems here)."""
    return {p.stem: p.read_text(encoding="utf-8") for p in (root / "input").iterdir() if p.is_file()}


def _page_text(page: Path) -> str:
    doc = html.fromstring(page.read_bytes())
    return " ".join(doc.text_content().split())


def test_no_output_file_contains_a_placeholder_the_source_did_not_have(workspace: Path) -> None:
    for f in _outputs(workspace):
        if f.suffix == ".ico":
            continue
        text = f.read_text(encoding="utf-8")
        leftover = text.replace(LITERAL, "")
        assert "⟦" not in leftover and "⟧" not in leftover, f"{f.relative_to(workspace)} leaks a placeholder"


def test_literal_placeholder_text_in_a_source_is_published_verbatim(workspace: Path) -> None:
    for lang in ("lt", *TARGETS):
        page = workspace / "feeds" / lang / "keistas-zenklas.html"
        assert LITERAL in _page_text(page), f"{lang}: the literal {LITERAL} was lost"


def test_protected_spans_appear_verbatim_in_every_target_page(workspace: Path) -> None:
    checked = 0
    for slug, source in _sources(workspace).items():
        if "<" in source:  # HTML: compare against the text, not the markup's attributes
            source = html.fromstring(source.encode()).text_content()
        spans = {*URL_RE.findall(source), *EMAIL_RE.findall(source), *PHONE_RE.findall(source)}
        spans |= {m for m in MARKED if m in source}
        for lang in TARGETS:
            text = _page_text(workspace / "feeds" / lang / f"{slug}.html")
            for span in spans:
                assert " ".join(span.split()) in text, f"{lang}/{slug}.html lost {span!r}"
                checked += 1
    assert checked >= 30  # the unseen corpus is full of them


def test_glossary_terms_are_rendered_in_every_target_page(workspace: Path) -> None:
    terms = yaml.safe_load((REPO / "glossary.yaml").read_text(encoding="utf-8"))["terms"]
    checked = 0
    for slug, source in _sources(workspace).items():
        for term in terms:
            if not any(re.search(rf"(?<!\w){re.escape(f)}(?!\w)", source) for f in term["forms"]):
                continue
            for lang in TARGETS:
                text = _page_text(workspace / "feeds" / lang / f"{slug}.html")
                assert term[lang] in text, f"{lang}/{slug}.html lacks the glossary's {term[lang]!r}"
                checked += 1
    assert checked >= 9


def test_every_atom_alternate_is_the_entrys_own_language_page(workspace: Path) -> None:
    base = yaml.safe_load((workspace / "config.yaml").read_text(encoding="utf-8"))["site"]["base_url"]
    for lang in ("lt", *TARGETS):
        tree = etree.parse(str(workspace / "feeds" / lang / "atom.xml"))
        entries = tree.findall(f"{ATOM}entry")
        assert entries
        for e in entries:
            alternates = [a for a in e.findall(f"{ATOM}link") if a.get("rel", "alternate") == "alternate"]
            assert alternates
            for a in alternates:  # first, last, without hreflang, text/html: all the same language
                assert a.get("href", "").startswith(f"{base}{lang}/"), (lang, a.get("href"))
                assert a.get("type") in (None, "text/html")


def test_rss_descriptions_of_translations_carry_the_notice(workspace: Path) -> None:
    from xlate.languages import language

    for lang in TARGETS:
        notice = language(lang).mt_notice["lt"]
        tree = etree.parse(str(workspace / "feeds" / lang / "rss.xml"))
        items = tree.findall("channel/item")
        assert items
        for item in items:
            assert notice in (item.findtext("description") or ""), f"{lang} rss item without the notice"


@pytest.mark.skipif(not VALIDATE_FEED.exists(), reason="../shared/tools/validate-feed is not beside this clone")
def test_w3c_feed_validator_accepts_every_feed(workspace: Path) -> None:
    feeds = [str(p) for p in _outputs(workspace) if p.name in ("rss.xml", "atom.xml")]
    proc = subprocess.run([str(VALIDATE_FEED), *feeds], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_flags_reach_run_json_and_status(workspace: Path) -> None:
    """The unseen articles are translated badly: their flags are reported, per article and language."""

    report = json.loads((workspace / "first-run.json").read_text(encoding="utf-8"))
    assert report["flagged"], "bad translations of unseen text raised no flag"
    proc = run_cli(workspace, "status", "--json")
    assert proc.returncode == 0, proc.stderr
    flagged = json.loads(proc.stdout)["flagged"]
    slugs = set(_sources(workspace))
    assert flagged and all(f["slug"] in slugs and f["lang"] in TARGETS for f in flagged), flagged
    unseen = {p.stem for p in (FIXTURES / "unseen").iterdir()}
    assert unseen & {f["slug"] for f in flagged}


def test_an_entry_over_max_bytes_is_shortened_and_the_run_says_so(make_project: Callable[..., Path]) -> None:
    """feeds.max_bytes smaller than the newest entry alone: the entry is published shortened
    (never an empty feed) and `run --json` names the feed file in its warnings."""
    project = make_project(sample=False, feeds__max_bytes=10_000)
    towns = ("Kaune", "Vilniuje", "Alytuje", "Utenoje", "Telšiuose", "Šiauliuose")
    paragraphs = [
        f"Bibliotekoje {towns[i % len(towns)]} vyko {i + 1}-asis skaitymų vakaras. Skaitytojai aptarė "
        f"{i + 3} naujas knygas ir dalijosi įspūdžiais apie jas iki vėlyvo vakaro."
        for i in range(70)
    ]
    (project / "input" / "ilgas-straipsnis.txt").write_text(
        "Labai ilgas straipsnis apie skaitymų vakarus\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8"
    )
    report = run_json(project, expect=None)
    assert report["published"] == 1, report
    shortened = [w for w in report["warnings"] if "max_bytes" in w["warning"]]
    assert shortened and all(w["file"] == "feeds/" for w in shortened), report["warnings"]
    for lang in ("lt", *TARGETS):
        feed = project / "feeds" / lang / "rss.xml"
        assert feed.stat().st_size <= 10_000, feed
        items = etree.parse(str(feed)).findall("channel/item")
        assert len(items) == 1, f"{lang}: the entry was dropped instead of shortened"
