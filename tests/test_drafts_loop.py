"""Issue 15 end to end: the editors' loop through real runs of the CLI.

Draft written by a run -> dropped into input/ unchanged -> approved (machine-translation
category kept, held translation released) or edited -> a human translation; the feeds stay
W3C-valid and byte-stable.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from tests.helpers import run_cli, run_json
from xlate import config as config_mod
from xlate import drafts
from xlate.ingest import parse_article
from xlate.model import Review
from xlate.store import Store

VALIDATE = Path("/work/shared/tools/validate-feed")
MT = "machine-translation"


def _entry(project: Path, lang: str, slug: str) -> feedparser.FeedParserDict | None:
    parsed = feedparser.parse((project / "feeds" / lang / "atom.xml").read_bytes())
    found = [e for e in parsed.entries if e.link.endswith(f"/{slug}.html")]
    return found[0] if found else None


def _terms(entry: feedparser.FeedParserDict) -> set[str]:
    return {t.term for t in entry.get("tags", [])}


def _heads(project: Path) -> dict[tuple[str, str], object]:
    cfg = config_mod.load(project / "config.yaml")
    store = Store(cfg.paths.state)
    try:
        return {(h.slug, h.lang): h for h in store.rendition_heads()}
    finally:
        store.close()


def _feeds(project: Path) -> dict[str, bytes]:
    return {str(p.relative_to(project)): p.read_bytes() for p in sorted((project / "feeds").rglob("*")) if p.is_file()}


def _validate(project: Path) -> None:
    if not VALIDATE.exists():
        pytest.skip("the W3C validator (../shared/tools/validate-feed) is not on this machine")
    files = [str(p) for p in sorted((project / "feeds").glob("*/*.xml"))]
    proc = subprocess.run([str(VALIDATE), *files], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_unchanged_word_draft_approves_and_edited_markdown_draft_replaces(make_project: Callable[..., Path]) -> None:
    project = make_project()
    run_json(project)
    drafts = project / "drafts"
    pl = drafts / "pl/skaitymo-klubas.pl.docx"
    assert pl.is_file() and (drafts / "ru/skaitymo-klubas.ru.docx").is_file()
    mt = _entry(project, "pl", "skaitymo-klubas")
    assert mt is not None and MT in _terms(mt)

    # Approve: the Word draft, dropped into input/ under another name, exactly as written.
    shutil.copy2(pl, project / "input" / "pataisyta kopija.docx")
    report = run_json(project)
    assert report["quarantined"] == []
    approved = _entry(project, "pl", "skaitymo-klubas")
    assert approved is not None
    assert MT in _terms(approved)  # still machine translation, now reviewed
    assert approved.title == mt.title
    assert mt.content[0].value.split("</p>", 1)[1] == approved.content[0].value.split("</p>", 1)[1]
    head = _heads(project)[("skaitymo-klubas", "pl")]
    assert head.approved and head.machine_translated  # type: ignore[attr-defined]
    assert not pl.exists()  # reviewed: its draft is gone
    assert (drafts / "ru/skaitymo-klubas.ru.docx").is_file()

    # Edit: the Russian draft in Markdown (one sentence changed) is a human translation.
    cfg_text = (project / "config.yaml").read_text(encoding="utf-8")
    (project / "config.yaml").write_text(cfg_text.replace("drafts: docx", "drafts: md"), encoding="utf-8")
    assert run_cli(project, "publish").returncode == 0  # a new format applies from the next full run
    ru = drafts / "ru/skaitymo-klubas.ru.md"
    assert ru.is_file() and not (drafts / "ru/skaitymo-klubas.ru.docx").exists()
    review = parse_article(ru.name, ru.read_bytes(), config_mod.load(project / "config.yaml").ingest)
    first = review.blocks[0].text
    edited = ru.read_text(encoding="utf-8").replace(first, "Осенью в библиотеке начал работу клуб чтения.", 1)
    (project / "input" / ru.name).write_text(edited, encoding="utf-8")
    run_json(project)
    human = _entry(project, "ru", "skaitymo-klubas")
    assert human is not None and MT not in _terms(human)
    assert "Осенью в библиотеке начал работу клуб чтения." in human.content[0].value
    assert not _heads(project)[("skaitymo-klubas", "ru")].machine_translated  # type: ignore[attr-defined]
    assert not ru.exists()
    ru_feed = feedparser.parse((project / "feeds/ru/atom.xml").read_bytes())
    assert all("<!--" not in e.content[0].value for e in ru_feed.entries)

    _validate(project)
    before = _feeds(project)
    assert run_json(project)["published"] == 0
    assert _feeds(project) == before


def test_approving_a_held_translations_draft_releases_it(make_project: Callable[..., Path]) -> None:
    project = make_project(translate__length_ratio=0.05, editorial__on_flag="hold")
    run_json(project)
    status = json.loads(run_cli(project, "status", "--json").stdout)
    held = sorted({(f["slug"], f["lang"]) for f in status["flagged"] if f["lang"] == "pl"})
    assert held
    slug, lang = held[0]
    assert _entry(project, lang, slug) is None
    waiting = json.loads(run_cli(project, "review", "--json").stdout)
    assert waiting[0]["why"] == "held"
    draft = project / "drafts" / lang / f"{slug}.{lang}.docx"
    assert str(draft) in {w["path"] for w in waiting}
    shutil.move(draft, project / "input" / draft.name)
    report = run_json(project)
    assert report["quarantined"] == []
    released = _entry(project, lang, slug)
    assert released is not None and MT in _terms(released)
    assert "The model" not in released.content[0].value  # the highlight's comment is not published
    waiting = json.loads(run_cli(project, "review", "--json").stdout)
    assert (slug, lang) not in {(w["slug"], w["lang"]) for w in waiting}
    _validate(project)


HOSTILE = """<html><head><title>Renginys su ženklais</title></head><body>
<h1>Renginys su ženklais</h1>
<p>Bibliotekoje vyks renginys <span translate="no">&lt;!-- x --&gt; *y* _z_ #h [l](u) `c` &amp;amp; --&gt;</span>
ir dar daugiau.</p>
<p><span translate="no">1. &lt;b&gt; -</span> yra pirmas punktas, o ne sąrašas.</p>
<p>Daugiau: https://biblioteka.example.lt/a_b*c_d/#x[1](2){.notranslate}, rašykite info_x@biblioteka.lt.</p>
</body></html>
"""


@pytest.mark.parametrize("fmt", ["docx", "md"])
def test_every_draft_a_run_writes_reads_back_as_exactly_its_machine_translation(
    make_project: Callable[..., Path], fmt: str
) -> None:
    """Over every file: the sample, the unseen articles (the fixture models translate them
    badly) and an article whose protected spans carry Markdown and HTML comment syntax into
    every translation verbatim."""
    project = make_project(editorial__drafts=fmt)
    fixtures = Path(__file__).parent / "fixtures"
    for f in [*(fixtures / "articles").glob("*.txt"), *(fixtures / "formats").iterdir()]:
        shutil.copy2(f, project / "input" / f.name)
    (project / "input" / "zenklai.html").write_text(HOSTILE, encoding="utf-8")
    run_json(project, expect=None)
    cfg = config_mod.load(project / "config.yaml")
    store = Store(cfg.paths.state)
    try:
        heads = [h for h in store.rendition_heads() if h.lang in cfg.targets]
        bodies = store.rendition_blocks((h.slug, h.lang) for h in heads)
        originals = {s: r.article for s, r in store.articles().items()}
        files = sorted((project / "drafts").rglob("*.*"))
        assert len(files) == len(heads) > 9 and all(p.suffix == f".{fmt}" for p in files)
        # Markup got through into a translation verbatim (a protected span the model kept).
        assert any("<b>" in b.text for h in heads for b in bodies[(h.slug, h.lang)])
        for h in heads:
            path = project / "drafts" / h.lang / f"{h.slug}.{h.lang}.{fmt}"
            mt = bodies[(h.slug, h.lang)]
            review = parse_article(f"input/{path.name}", path.read_bytes(), cfg.ingest)
            assert (review.translation_of, review.declared_lang) == (h.slug, h.lang)
            # The same words (ingest normalises the spaces the models sometimes double)...
            assert _words(review.title) == _words(h.title), path
            assert [_words(b.text) for b in review.blocks] == [_words(b.text) for b in mt], path
            # ...and dropped back, it publishes exactly the machine translation, as an approval.
            title, blocks, kind = drafts.reviewed_text(
                store, Review(path.name, h.slug, h.lang, review, None), h.title, mt
            )
            assert (title, blocks, kind) == (h.title, mt, drafts.ReviewKind.APPROVED)
            published = " ".join([review.title, *(b.text for b in review.blocks)])
            for b in originals[h.slug].blocks:
                if len(b.text) > 30 and b.text not in " ".join(x.text for x in mt):
                    assert b.text not in published  # the original beside it is never read as text
    finally:
        store.close()


def _words(text: str) -> str:
    return " ".join(text.split())


def test_word_draft_edited_is_a_human_translation_and_a_stale_review_waits(make_project: Callable[..., Path]) -> None:
    import docx

    project = make_project()
    run_json(project)
    draft = project / "drafts/pl/skaitymo-klubas.pl.docx"
    document = docx.Document(str(draft))
    body = [p for p in document.paragraphs if p.text.strip() and p.style is not None and p.style.name != "Title"]
    body[0].runs[0].text = "Jesienią w bibliotece zaczął działać klub czytelniczy."
    document.save(str(project / "input" / draft.name))
    assert run_json(project)["quarantined"] == []
    entry = _entry(project, "pl", "skaitymo-klubas")
    assert entry is not None and MT not in _terms(entry)
    assert "Jesienią w bibliotece zaczął działać klub czytelniczy." in entry.content[0].value
    assert "The model" not in entry.content[0].value and "xlate draft" not in entry.content[0].value
    assert not draft.exists()

    # The original changes: the review is stale and waits for the editors, pointing at their file.
    src = project / "input/skaitymo-klubas.txt"
    src.write_text(src.read_text(encoding="utf-8") + "\nKlubas susitiks ir gruodį.\n", encoding="utf-8")
    run_json(project)
    rows = json.loads(run_cli(project, "review", "--json").stdout)
    stale = [r for r in rows if r["why"] == "stale review"]
    assert [(r["slug"], r["lang"]) for r in stale] == [("skaitymo-klubas", "pl")]
    assert stale[0]["path"] == str(project / "input" / draft.name)


def test_drafts_that_cannot_be_written_are_completed_by_the_next_run(make_project: Callable[..., Path]) -> None:
    project = make_project()
    (project / "drafts").write_text("a file where the drafts folder should be", encoding="utf-8")
    proc = run_cli(project, "run")
    assert proc.returncode == 4 and "drafts" in proc.stderr, proc.stderr
    assert _entry(project, "pl", "skaitymo-klubas") is not None  # the feeds were published all the same
    (project / "drafts").unlink()
    run_json(project)  # nothing new in input/: the run completes the drafts
    assert len(list((project / "drafts").rglob("*.docx"))) == 9


def test_approved_drafts_carry_the_reviewed_notice_in_every_language(make_project: Callable[..., Path]) -> None:
    from xlate.languages import language

    project = make_project(editorial__drafts="md")
    run_json(project)
    for lang in ("en", "pl", "ru"):
        plain = _entry(project, lang, "vaiku-knygu-savaite")
        assert plain is not None and language(lang).mt_notice["lt"] in plain.content[0].value
        draft = project / "drafts" / lang / f"vaiku-knygu-savaite.{lang}.md"
        shutil.copy2(draft, project / "input" / draft.name)
    assert run_json(project)["quarantined"] == []
    for lang in ("en", "pl", "ru"):
        notice = language(lang).reviewed_notice["lt"]
        entry = _entry(project, lang, "vaiku-knygu-savaite")
        assert entry is not None and MT in _terms(entry), lang
        assert notice in entry.content[0].value, lang
        assert language(lang).mt_notice["lt"] not in entry.content[0].value, lang
        page = (project / "feeds" / lang / "vaiku-knygu-savaite.html").read_text(encoding="utf-8")
        assert notice in page, lang
        assert not (project / "drafts" / lang / f"vaiku-knygu-savaite.{lang}.md").exists()
    _validate(project)
