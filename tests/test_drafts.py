"""Issue 15: drafts beside every machine translation; approval and edits by dropping them back."""

from __future__ import annotations

import hashlib
import io
import json
import re
import signal
import subprocess
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.helpers import run_cli, run_json, xlate_argv
from xlate import config as config_mod
from xlate import segment
from xlate.config import Ingest
from xlate.drafts import DraftBudget, DraftReport, draft_status, review_kind, sync_drafts, waiting, write_draft
from xlate.drafts.markdown import comment, escape
from xlate.drafts.plan import (
    DraftRecord,
    ReviewKind,
    Urgency,
    Waiting,
    Wanted,
    classify_review,
    fingerprint,
    ledger_from_json,
    ledger_to_json,
    most_urgent_first,
    plan_sync,
)
from xlate.errors import UsageError
from xlate.ingest import parse_article
from xlate.languages import LANGUAGES, language
from xlate.model import Article, Block, BlockKind, Review
from xlate.store import Store

INGEST = Ingest()


# -- pure decisions ------------------------------------------------------------------------


def test_classify_review_approves_only_known_machine_words() -> None:
    mt = fingerprint("Title", [Block(BlockKind.PARAGRAPH, "One. Two.")])
    # Whitespace and block kinds do not matter (a Markdown paragraph holds a Word list item's words).
    same = fingerprint(" Title ", [Block(BlockKind.LIST_ITEM, "One.  Two.")])
    edited = fingerprint("Title", [Block(BlockKind.PARAGRAPH, "One. Two!")])
    assert classify_review(same, {mt}) is ReviewKind.APPROVED
    assert classify_review(edited, {mt}) is ReviewKind.EDITED
    assert classify_review(mt, set()) is ReviewKind.EDITED


def _rec(key: str, file: str | None, sha: str | None, mt: str = "m1", approves: tuple[str, ...] = ()) -> DraftRecord:
    lang, slug = key.split("/")
    return DraftRecord(slug, lang, file, sha, mt, approves)


def test_plan_sync_writes_rewrites_removes_and_keeps_editor_changes() -> None:
    w = {
        "pl/new": Wanted("new", "pl", "m1", "pl/new.pl.docx"),
        "pl/same": Wanted("same", "pl", "m1", "pl/same.pl.docx"),
        "pl/mtchanged": Wanted("mtchanged", "pl", "m2", "pl/mtchanged.pl.docx"),
        "pl/edited": Wanted("edited", "pl", "m2", "pl/edited.pl.docx"),
        "pl/moved": Wanted("moved", "pl", "m1", "pl/moved.pl.docx"),
        "pl/foreign": Wanted("foreign", "pl", "m1", "pl/foreign.pl.docx"),
        "pl/format": Wanted("format", "pl", "m1", "pl/format.pl.md"),
    }
    ledger = {
        "pl/same": _rec("pl/same", "pl/same.pl.docx", "s"),
        "pl/mtchanged": _rec("pl/mtchanged", "pl/mtchanged.pl.docx", "s"),
        "pl/edited": _rec("pl/edited", "pl/edited.pl.docx", "s"),
        "pl/moved": _rec("pl/moved", "pl/moved.pl.docx", "s"),
        "pl/format": _rec("pl/format", "pl/format.pl.docx", "s"),
        "pl/retracted": _rec("pl/retracted", "pl/retracted.pl.docx", "s"),
        "pl/reviewed": _rec("pl/reviewed", "pl/reviewed.pl.docx", "s", approves=("fp",)),
        "pl/dropped": _rec("pl/dropped", "pl/dropped.pl.docx", "s"),
        "pl/keptedit": _rec("pl/keptedit", "pl/keptedit.pl.docx", "s"),
    }
    disk = {
        "pl/new.pl.docx": None,
        "pl/same.pl.docx": "s",
        "pl/mtchanged.pl.docx": "s",
        "pl/edited.pl.docx": "EDITOR",
        "pl/moved.pl.docx": None,
        "pl/foreign.pl.docx": "X",
        "pl/format.pl.docx": "s",
        "pl/format.pl.md": None,
        "pl/retracted.pl.docx": "s",
        "pl/reviewed.pl.docx": "s",
        "pl/dropped.pl.docx": "INPUT",  # changed, then dropped into input/ (same bytes)
        "pl/keptedit.pl.docx": "EDITOR2",  # changed, article retracted: still kept
    }
    plan = plan_sync(w, ledger, disk, ingested={"INPUT"}, reviewed={"pl/reviewed", "pl/dropped"})
    assert {x.key for x in plan.write} == {"pl/new", "pl/mtchanged", "pl/moved", "pl/format"}
    assert set(plan.remove) == {
        "pl/format.pl.docx",
        "pl/retracted.pl.docx",
        "pl/reviewed.pl.docx",
        "pl/dropped.pl.docx",
    }
    assert set(plan.keep_changed) == {"pl/edited.pl.docx", "pl/foreign.pl.docx", "pl/keptedit.pl.docx"}
    assert set(plan.forget) == {"pl/retracted"}
    assert set(plan.retire) == {"pl/reviewed", "pl/dropped"}


def test_ledger_round_trips_and_survives_damage() -> None:
    ledger = {"pl/a": _rec("pl/a", "pl/a.pl.md", "s", approves=("x", "y"))}
    assert ledger_from_json(ledger_to_json(ledger)) == ledger
    assert ledger_from_json("{not json") == {}
    assert ledger_from_json('{"pl/a": {"lang": "pl"}}') == {}


def test_most_urgent_first() -> None:
    t = datetime(2026, 1, 1, tzinfo=UTC)
    items = [
        Waiting("c", "pl", Urgency.CHANGED, t, "p"),
        Waiting("f2", "pl", Urgency.FLAGGED, t + timedelta(hours=1), "p"),
        Waiting("f1", "en", Urgency.FLAGGED, t, "p"),
        Waiting("s", "ru", Urgency.STALE, t + timedelta(days=3), "p"),
        Waiting("h", "en", Urgency.HELD, t + timedelta(days=9), "p"),
    ]
    assert [w.slug for w in most_urgent_first(items)] == ["h", "s", "f1", "f2", "c"]


def test_reviewed_notice_in_every_language_with_a_machine_notice() -> None:
    for code, lang in LANGUAGES.items():
        for source, notice in lang.mt_notice.items():
            reviewed = lang.reviewed_notice[source]
            assert reviewed and reviewed != notice, code
    pl = "Przetłumaczono maszynowo z języka litewskiego, sprawdzone przez redakcję."
    assert language("pl").reviewed_notice["lt"] == pl


# -- Markdown: escaping and comments, against the real reader -------------------------------

_TEXT = (
    st.lists(st.sampled_from([*"ab ąž-+=*_#>[](){}<!&`\\|~.:1)'\"„“", "-->", "<!--", "&amp;", "\u00a0"]), max_size=30)
    .map("".join)
    .map(lambda s: " ".join(s.split()))
)


def _md_read(body: str, title: str = "Antraštė") -> Article:
    front = yaml.safe_dump({"translation_of": "x", "lang": "pl", "title": title}, allow_unicode=True)
    text = f"---\n{front}---\n\n{body}\n"
    return parse_article("x.pl.md", text.encode(), INGEST)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.sampled_from(["", "## ", "- ", "> "]))
def test_markdown_escape_gives_back_exactly_the_text(text: str, prefix: str) -> None:
    if not text.strip():
        return
    a = _md_read(prefix + escape(text))
    assert [b.text for b in a.blocks] == [text]


@settings(max_examples=300, deadline=None)
@given(_TEXT, _TEXT)
def test_markdown_comments_are_never_published(hostile: str, text: str) -> None:
    if not text.strip():
        return
    # (The last block ends in " 9" so that ingest never takes it for a cut-off copy of the first.)
    a = _md_read(f"{escape(text)} {comment(hostile)} {escape(text)}\n\n{comment(hostile)}\n\n{escape(text)} 9")
    assert [b.text for b in a.blocks] == [f"{text} {text}", f"{text} 9"]


# -- real runs with the fixture models --------------------------------------------------


@contextmanager
def _store(project: Path) -> Iterator[tuple[config_mod.Config, Store]]:
    cfg = config_mod.load(project / "config.yaml")
    store = Store(cfg.paths.state)
    try:
        yield cfg, store
    finally:
        store.close()


def _mt(store: Store, slug: str, lang: str) -> tuple[str, tuple[Block, ...]]:
    [head] = [h for h in store.rendition_heads() if (h.slug, h.lang) == (slug, lang)]
    return head.title, store.rendition_blocks([(slug, lang)])[(slug, lang)]


def _docx_parts(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(path.read_bytes())) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml")}


@pytest.mark.parametrize("fmt", ["docx", "md"])
def test_every_machine_translation_gets_a_draft_that_reads_back_as_exactly_the_mt(
    make_project: Callable[..., Path], fmt: str
) -> None:
    project = make_project(editorial__drafts=fmt)
    run_json(project)  # the run writes the drafts after publishing
    with _store(project) as (cfg, store):
        heads = [h for h in store.rendition_heads() if h.lang in cfg.targets]
        assert len(list((project / "drafts").rglob(f"*.{fmt}"))) == len(heads) == 9
        for h in heads:
            path = project / "drafts" / h.lang / f"{h.slug}.{h.lang}.{fmt}"
            assert path.is_file()
            review = parse_article(path.name, path.read_bytes(), cfg.ingest)
            assert (review.translation_of, review.declared_lang) == (h.slug, h.lang)
            title, blocks = _mt(store, h.slug, h.lang)
            # Exactly the machine translation's words, block by block: no original, no head, no comment.
            assert review.title == title
            assert [b.text for b in review.blocks] == [b.text for b in blocks]
            assert (
                review_kind(store, Review(path.name, h.slug, h.lang, review, None), title, blocks)
                is ReviewKind.APPROVED
            )
        # Nothing changed: nothing is written again.
        again = sync_drafts(cfg, store)
        assert again.written == again.removed == again.kept_changed == ()
    assert not any((project / "feeds").rglob(f"*.{fmt}"))


def test_word_draft_marks_flagged_sentences_and_the_reader_drops_every_aid(
    make_project: Callable[..., Path],
) -> None:
    # A tiny length limit makes long sentences run away: they are flagged.
    project = make_project(translate__length_ratio=0.05, editorial__on_flag="hold")
    report = run_json(project)
    assert report["flagged"]
    with _store(project) as (cfg, store):
        sync_drafts(cfg, store)
        flagged = [h for h in store.rendition_heads() if h.flagged and h.lang in cfg.targets]
        assert flagged
        h = flagged[0]
        path = project / "drafts" / h.lang / f"{h.slug}.{h.lang}.docx"
        parts = _docx_parts(path)
        doc, comments = parts["word/document.xml"], parts.get("word/comments.xml", "")
        assert 'w:highlight w:val="yellow"' in doc
        assert "commentReference" in doc and "The model" in comments
        assert "HELD" in doc  # the head says the translation waits for the editor
        import docx

        d = docx.Document(str(path))
        highlighted = [r.text for p in d.paragraphs for r in p.runs if r.font.highlight_color is not None]
        # Exactly the sentences the run flagged for this language are marked.
        bad = {f["sentence"] for f in report["flagged"] if f["route"] == f"lt->{h.lang}"}
        original = store.article(h.slug)
        assert original is not None
        units = segment.segment(original.article.title, original.article.blocks)
        assert len(highlighted) == sum(u in bad for b in units for u in b) > 0
        assert len(d.comments) == len(highlighted)
        assert original.article.blocks[0].text in doc  # the original at hand (in a table)
        review = parse_article(path.name, path.read_bytes(), cfg.ingest)
        text = " ".join([review.title, *(b.text for b in review.blocks)])
        assert "The model" not in text and "xlate draft" not in text
        assert original.article.blocks[0].text not in text
        assert all(s in text for s in highlighted)  # the marked sentence itself is published
        waits = waiting(cfg, store)
        assert waits and all(w.why is Urgency.HELD for w in waits if w.lang == h.lang and w.slug == h.slug)
        assert waits[0].why is Urgency.HELD and waits[0].path.endswith(".docx")


def test_markdown_draft_marks_flagged_sentences_with_comments(make_project: Callable[..., Path]) -> None:
    project = make_project(translate__length_ratio=0.05, editorial__drafts="md")
    run_json(project)
    with _store(project) as (cfg, store):
        sync_drafts(cfg, store)
        h = next(h for h in store.rendition_heads() if h.flagged and h.lang in cfg.targets)
        path = project / "drafts" / h.lang / f"{h.slug}.{h.lang}.md"
        text = path.read_text(encoding="utf-8")
        assert "<!-- CHECK:" in text and "lt->en" in text
        assert re.search(r"[^\s>] <!-- CHECK: ", text)  # right after a sentence
        review = parse_article(path.name, path.read_bytes(), cfg.ingest)
        assert "CHECK" not in " ".join(b.text for b in review.blocks)
        title, blocks = _mt(store, h.slug, h.lang)
        assert (review.title, [b.text for b in review.blocks]) == (title, [b.text for b in blocks])


def test_edited_draft_is_a_human_translation_and_never_overwritten(make_project: Callable[..., Path]) -> None:
    project = make_project(editorial__drafts="md")
    run_json(project)
    with _store(project) as (cfg, store):
        sync_drafts(cfg, store)
        path = project / "drafts/pl/skaitymo-klubas.pl.md"
        edited = path.read_text(encoding="utf-8").replace("\n\n", "\n\nPoprawione przez redakcję. ", 3)
        path.write_text(edited, encoding="utf-8")
        review = parse_article(path.name, path.read_bytes(), cfg.ingest)
        title, blocks = _mt(store, "skaitymo-klubas", "pl")
        assert (
            review_kind(store, Review(path.name, "skaitymo-klubas", "pl", review, None), title, blocks)
            is ReviewKind.EDITED
        )
        # The machine translation changes (say a new model): the editor's file stays as it is.
        with store.transaction():
            store.db.execute("UPDATE renditions SET text_hash = 'new' WHERE slug = 'skaitymo-klubas'")
        report = sync_drafts(cfg, store)
        assert report.kept_changed == ("pl/skaitymo-klubas.pl.md",)
        assert set(report.written) == {"en/skaitymo-klubas.en.md", "ru/skaitymo-klubas.ru.md"}
        assert path.read_text(encoding="utf-8") == edited
        assert draft_status(cfg, store)["changed_by_editor"] == ["pl/skaitymo-klubas.pl.md"]
        assert [w.why for w in waiting(cfg, store) if w.slug == "skaitymo-klubas"] == [Urgency.CHANGED]
        with pytest.raises(UsageError, match="changed by an editor"):
            write_draft(cfg, store, "skaitymo-klubas", "pl")


def test_retracted_articles_drafts_are_removed(make_project: Callable[..., Path]) -> None:
    project = make_project()
    run_json(project)
    with _store(project) as (cfg, store):
        assert sync_drafts(cfg, store) == DraftReport()  # the run wrote them all already
    drafts = sorted(p.name for p in (project / "drafts").rglob("*.docx"))
    assert "skaitymo-klubas.pl.docx" in drafts
    (project / "input/skaitymo-klubas.txt").unlink()
    assert run_json(project)["retracted"] == 1
    left = sorted(p.name for p in (project / "drafts").rglob("*.docx"))
    assert left == [d for d in drafts if not d.startswith("skaitymo-klubas.")]


def test_review_command_writes_one_draft_now_and_drafts_off_writes_none(make_project: Callable[..., Path]) -> None:
    project = make_project(editorial__drafts="off")
    run_json(project)
    with _store(project) as (cfg, store):
        assert sync_drafts(cfg, store).written == ()
        assert not (project / "drafts").exists()
        path = write_draft(cfg, store, "skaitymo-klubas", "ru")
        assert path == project / "drafts/ru/skaitymo-klubas.ru.docx" and path.is_file()
        with pytest.raises(UsageError, match="no published translation"):
            write_draft(cfg, store, "no-such-article", "ru")


def test_drafts_folder_inside_feeds_is_refused_before_anything_runs(make_project: Callable[..., Path]) -> None:
    project = make_project(paths__drafts="feeds/drafts")
    proc = run_cli(project, "run")
    assert proc.returncode == 2 and "paths.drafts" in proc.stderr
    assert not (project / "feeds").exists()


def test_review_and_status_commands(make_project: Callable[..., Path]) -> None:
    project = make_project(translate__length_ratio=0.05, editorial__on_flag="hold", editorial__drafts="md")
    run_json(project)
    proc = run_cli(project, "review", "--json")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows and {r["why"] for r in rows} == {"held"}
    assert all(Path(r["path"]).is_file() and not r["detail"] for r in rows)  # the run wrote the drafts
    first = rows[0]
    Path(first["path"]).unlink()  # e.g. an editor deleted it: `xlate review SLUG LANG` writes it again
    assert "no draft yet" in json.loads(run_cli(project, "review", "--json").stdout)[0]["detail"]
    proc = run_cli(project, "review", first["slug"], first["lang"])
    assert proc.returncode == 0, proc.stderr
    assert Path(first["path"]).is_file() and proc.stdout.strip() == f"wrote {first['path']}"
    assert run_cli(project, "review", first["slug"]).returncode == 2
    bad = run_cli(project, "review", "nope", "pl")
    assert bad.returncode == 2 and "no published translation" in bad.stderr
    Path(first["path"]).write_text("edited by hand", encoding="utf-8")
    status = json.loads(run_cli(project, "status", "--json").stdout)
    assert status["drafts"]["changed_by_editor"] == [f"{first['lang']}/{first['slug']}.{first['lang']}.md"]
    text = run_cli(project, "review").stdout
    assert text.splitlines()[1].split()[0] == "held" and "draft changed" in text


def test_a_same_size_change_is_still_an_editors_change(make_project: Callable[..., Path]) -> None:
    project = make_project(editorial__drafts="md")
    run_json(project)
    with _store(project) as (cfg, store):
        sync_drafts(cfg, store)
        path = project / "drafts/en/skaitymo-klubas.en.md"
        data = bytearray(path.read_bytes())
        data[-2] = ord("X") if data[-2] != ord("X") else ord("Y")
        path.write_bytes(bytes(data))
        with store.transaction():
            store.db.execute("UPDATE renditions SET text_hash = 'new' WHERE slug = 'skaitymo-klubas'")
        assert "en/skaitymo-klubas.en.md" in sync_drafts(cfg, store).kept_changed
        assert path.read_bytes() == bytes(data)


def test_word_draft_with_a_headline_longer_than_words_property_limit() -> None:
    from xlate.drafts import word
    from xlate.drafts.content import DraftBlock, DraftContent, Sentence

    title = "Labai ilga antraštė " * 14  # 280 characters: over Word's 255 for a core property
    content = DraftContent(
        slug="ilga",
        lang="pl",
        source_lang="lt",
        title=DraftBlock(BlockKind.HEADING, (Sentence(title.strip(), ("degenerate: repeated 1-gram",)),), "Ilga"),
        blocks=(DraftBlock(BlockKind.PARAGRAPH, (Sentence("Jedno zdanie."),), "Vienas sakinys."),),
        route="lt->en->pl (lt_en 1.0, en_pl 1.0)",
        translated_at=datetime(2026, 12, 4, 12, 0, tzinfo=UTC),
    )
    review = parse_article("ilga.pl.docx", word.render(content), INGEST)
    assert (review.title, [b.text for b in review.blocks]) == (title.strip(), ["Jedno zdanie."])
    assert (review.translation_of, review.declared_lang) == ("ilga", "pl")


def test_the_drafts_step_stops_when_the_runs_time_is_up(make_project: Callable[..., Path]) -> None:
    """Drafts turned on over published articles: with the time spent, one draft is written and
    the rest wait (the publish step stays pending, so the next run goes on); the drafts of
    articles this run published are written whatever the time; the newest go first."""
    project = make_project(editorial__drafts="off")
    run_json(project)
    make_project(sample=False, editorial__drafts="md")
    with _store(project) as (cfg, store):
        heads = sorted(
            (h for h in store.rendition_heads() if h.lang in cfg.targets), key=lambda h: h.updated_at, reverse=True
        )
        assert len(heads) == 9 and not store.publish_pending()
        one = sync_drafts(cfg, store, budget=DraftBudget(time_up=lambda: True))
        assert one.written == (f"{heads[0].lang}/{heads[0].slug}.{heads[0].lang}.md",)  # the newest first
        assert one.pending == 8 and store.publish_pending()
        oldest = heads[-1].slug
        more = sync_drafts(cfg, store, budget=DraftBudget({oldest}, lambda: True))
        assert {p.split("/")[1].split(".")[0] for p in more.written} == {oldest}  # all its languages
        assert more.pending == 8 - len(more.written)
        rest = sync_drafts(cfg, store, budget=DraftBudget(time_up=lambda: False))
        assert rest.pending == 0 and len(one.written + more.written + rest.written) == 9
        assert len(list((project / "drafts").rglob("*.md"))) == 9


def test_a_budget_limited_run_leaves_drafts_for_the_next_run(make_project: Callable[..., Path]) -> None:
    """Through the CLI: a run whose time is spent writes some drafts and is not settled (no
    no-op stamp), so the following runs write the rest; then a run has nothing to do."""
    project = make_project(editorial__drafts="off")
    run_json(project)
    make_project(sample=False, editorial__drafts="docx", run__max_seconds=0.001)
    drafts = project / "drafts"
    run_json(project)
    first = len(list(drafts.rglob("*.docx")))
    assert 1 <= first < 9
    run_json(project)
    second = len(list(drafts.rglob("*.docx")))
    assert first < second  # not answered by the no-op stamp: the budget-limited run left work
    make_project(sample=False, editorial__drafts="docx", run__max_seconds=None)
    run_json(project)
    assert len(list(drafts.rglob("*.docx"))) == 9
    mtimes = {p: p.stat().st_mtime_ns for p in drafts.rglob("*.docx")}
    last = run_json(project)
    assert last["published"] == 0 and last["feeds"] == []
    assert {p: p.stat().st_mtime_ns for p in drafts.rglob("*.docx")} == mtimes


def test_turning_drafts_off_removes_the_ones_xlate_wrote(make_project: Callable[..., Path]) -> None:
    """editorial.drafts: off after drafts were written: the next run removes them (the setting
    alone republishes), and later runs skip the drafts step entirely."""
    project = make_project(editorial__drafts="md")
    run_json(project)
    assert len(list((project / "drafts").rglob("*.md"))) == 9
    make_project(sample=False, editorial__drafts="off")
    run_json(project)
    assert list((project / "drafts").rglob("*.md")) == []
    with _store(project) as (cfg, store):
        assert sync_drafts(cfg, store) == DraftReport()


def test_a_signal_ends_the_drafts_step_even_for_this_runs_articles(make_project: Callable[..., Path]) -> None:
    """SIGTERM must not wait for hundreds of Word files: the drafts step ends before its next
    draft, whatever the budget would allow, and the rest wait for the next run."""
    project = make_project(editorial__drafts="off")
    run_json(project)
    make_project(sample=False, editorial__drafts="md")
    with _store(project) as (cfg, store):
        slugs = {h.slug for h in store.rendition_heads()}
        stopped = sync_drafts(cfg, store, budget=DraftBudget(slugs, lambda: False, stop=lambda: True))
        assert stopped.written == () and stopped.pending == 9 and store.publish_pending()


def _run_until_the_first_word_draft(
    make_project: Callable[..., Path],
) -> tuple[Path, Path, subprocess.Popen[str]]:
    """Articles published with drafts off, then drafts turned on: a run whose drafts step has
    begun (its first Word file is there; each takes ~0.15 s, so a signal now lands mid-step)."""
    project = make_project(editorial__drafts="off")
    run_json(project)
    make_project(sample=False, editorial__drafts="docx", run__max_seconds=None)
    drafts = project / "drafts"
    proc = subprocess.Popen(xlate_argv(project, "run"), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    while not any(drafts.rglob("*.docx")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "no draft appeared"
        time.sleep(0.005)
    return project, drafts, proc


def test_sigterm_while_drafts_are_written_exits_130_and_the_next_run_finishes(
    make_project: Callable[..., Path],
) -> None:
    project, drafts, proc = _run_until_the_first_word_draft(make_project)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "stopped by a signal" in err and out == ""  # no summary: the run did not finish
    assert 1 <= len(list(drafts.rglob("*.docx"))) < 9
    assert run_json(project)["published"] == 0
    assert len(list(drafts.rglob("*.docx"))) == 9


def test_drafts_written_but_not_recorded_are_xlates_and_other_words_stay_an_editors(
    make_project: Callable[..., Path],
) -> None:
    """A run killed after writing drafts and before recording them: a file whose words are the
    machine translation is recorded as xlate's (not kept as an editor's change, forever stale);
    a file with other words where a draft goes is still an editor's."""
    project = make_project(editorial__drafts="md")
    run_json(project)
    with _store(project) as (cfg, store):
        ledger = {k: r for k, r in json.loads(store.drafts_ledger() or "{}").items()}
        assert len(ledger) == 9
        with store.transaction():  # as if the run was killed before recording this article's drafts
            store.set_drafts_ledger(json.dumps({k: r for k, r in ledger.items() if not k.endswith("skaitymo-klubas")}))
        edited = project / "drafts/pl/skaitymo-klubas.pl.md"
        edited.write_text(edited.read_text(encoding="utf-8").replace("\n\n", "\n\nRedaktorė.\n\n", 1), encoding="utf-8")
        report = sync_drafts(cfg, store)
        assert report.written == () and report.kept_changed == ("pl/skaitymo-klubas.pl.md",)
        after = json.loads(store.drafts_ledger() or "{}")
        assert {"en/skaitymo-klubas", "ru/skaitymo-klubas"} <= set(after) and "pl/skaitymo-klubas" not in after
        for key in ("en/skaitymo-klubas", "ru/skaitymo-klubas"):
            path = project / "drafts" / after[key]["file"]
            assert after[key]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        # Killed after rewriting a draft whose translation changed, before recording it: the
        # ledger still holds the old draft (other bytes, other words, older translation).
        key = "en/skaitymo-klubas"
        path = project / "drafts" / after[key]["file"]
        stale = dict(after[key], sha256="0" * 64, mt_hash="older", approves=["older words"], stat=None)
        with store.transaction():
            store.set_drafts_ledger(json.dumps(dict(after, **{key: stale})))
        mtime = path.stat().st_mtime_ns
        report = sync_drafts(cfg, store)
        assert report.written == () and "en/skaitymo-klubas.en.md" not in report.kept_changed
        assert path.stat().st_mtime_ns == mtime
        rec = json.loads(store.drafts_ledger() or "{}")[key]
        assert rec["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest() and rec["mt_hash"] != "older"


@pytest.mark.slow
def test_sigkill_while_drafts_are_written_loses_nothing_and_mistakes_nothing(
    make_project: Callable[..., Path],
) -> None:
    """SIGKILL runs no cleanup: drafts written but not recorded, a temp file half written, and
    the publish step already done. The next run writes the rest, records the written ones as
    xlate's (none looks changed by an editor) and leaves no temp file; then nothing to do."""
    project, drafts, proc = _run_until_the_first_word_draft(make_project)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert 1 <= len(list(drafts.rglob("*.docx"))) < 9
    (drafts / "en" / ".xlate-tmp-killed").write_bytes(b"half a draft")  # as a kill mid-write leaves
    run_json(project)
    assert len(list(drafts.rglob("*.docx"))) == 9
    assert [p for p in drafts.rglob("*") if p.name.startswith(".xlate-tmp-")] == []
    status = run_cli(project, "status", "--json")
    assert json.loads(status.stdout)["drafts"]["changed_by_editor"] == []
    mtimes = {p: p.stat().st_mtime_ns for p in drafts.rglob("*.docx")}
    assert run_json(project)["feeds"] == []
    assert {p: p.stat().st_mtime_ns for p in drafts.rglob("*.docx")} == mtimes


_UNIT = st.text(st.sampled_from("ab .\n\u00a0ąž"), max_size=8)


@given(st.lists(st.lists(st.tuples(_UNIT, st.booleans()), max_size=6), min_size=1, max_size=4))
def test_flag_spans_mark_exactly_the_flagged_sentences(blocks: list[list[tuple[str, bool]]]) -> None:
    """The translate stage locates flagged units in the joined text (segment.unit_spans); the
    draft cuts the stored text there: the marked pieces are those units, and nothing else changes."""
    from xlate.drafts.content import Machine, assemble, sentences_from_spans
    from xlate.model import FlagSpan

    stored = [segment.join_units([u for u, _ in b]) for b in blocks]
    spans = [
        FlagSpan(i, at[0], at[1], ("degenerate: repeated",))
        for i, b in enumerate(blocks)
        for (_, bad), at in zip(b, segment.unit_spans([u for u, _ in b]), strict=True)
        if bad
    ]
    cut = sentences_from_spans(stored, spans)
    assert cut is not None
    marked = [s.text for b in cut for s in b if s.flags]
    assert marked == [u.strip() for b in blocks for u, bad in b if bad]  # an empty output as an empty mark
    article = Article("s", "s.txt", stored[0], tuple(Block(BlockKind.PARAGRAPH, t) for t in stored[1:]))
    mt = Machine("en", stored[0], article.blocks, "lt->en", datetime(2026, 1, 1, tzinfo=UTC))
    content = assemble(article, "lt", mt, cut)
    assert [s for s, _ in content.flagged_sentences] == [s for b in cut for s in b if s.flags]
    assert [content.title.text, *(b.text for b in content.blocks)] == stored


def test_flagged_sentences_are_marked_after_the_memory_is_gone(make_project: Callable[..., Path]) -> None:
    """The flagged sentences are kept with the stored translation: a draft written after the
    translation memory was pruned still marks each of them."""
    project = make_project(translate__length_ratio=0.05, editorial__drafts="off")
    report = run_json(project)
    with _store(project) as (cfg, store):
        with store.transaction():
            store.db.execute("DELETE FROM memory")
        make_project(sample=False, translate__length_ratio=0.05, editorial__drafts="md")
        cfg = config_mod.load(project / "config.yaml")
        sync_drafts(cfg, store)
        for h in (h for h in store.rendition_heads() if h.lang in cfg.targets):
            text = (project / "drafts" / h.lang / f"{h.slug}.{h.lang}.md").read_text(encoding="utf-8")
            bad = [f for f in report["flagged"] if f["route"].endswith(f"->{h.lang}")]
            original = store.article(h.slug)
            assert original is not None
            units = segment.segment(original.article.title, original.article.blocks)
            expected = sum(u in {f["sentence"] for f in bad} for b in units for u in b)
            assert text.count("<!-- CHECK:") + text.count("CHECK the headline:") == expected, (h.slug, h.lang)
            assert expected == 0 or h.flagged
        assert any("<!-- CHECK:" in p.read_text(encoding="utf-8") for p in (project / "drafts").rglob("*.md"))


@pytest.mark.parametrize("fmt", ["docx", "md"])
def test_a_sentence_the_model_left_empty_is_marked_where_it_is_missing(fmt: str) -> None:
    """An empty output has no text to highlight: the comment stands beside where it belongs
    (Word: on the next sentence, else the last; Markdown: in place), and the draft still
    reads back as exactly the machine translation."""
    from xlate.drafts import markdown, word
    from xlate.drafts.content import Machine, assemble, sentences_from_spans
    from xlate.model import FlagSpan

    empty = ("degenerate: empty output",)
    stored = ["The title", "One. Three.", "Four."]
    spans = [FlagSpan(1, 4, 4, empty), FlagSpan(2, 0, 0, empty), FlagSpan(2, 5, 5, empty)]
    cut = sentences_from_spans(stored, spans)
    assert cut is not None
    blocks = tuple(Block(BlockKind.PARAGRAPH, t) for t in stored[1:])
    article = Article("s", "s.txt", "Antraštė", (Block(BlockKind.PARAGRAPH, "Vienas. Du. Trys."),) * 2)
    mt = Machine("en", stored[0], blocks, "lt->en", datetime(2026, 1, 1, tzinfo=UTC))
    content = assemble(article, "lt", mt, cut)
    name = f"s.en.{fmt}"
    if fmt == "md":
        text = markdown.render(content).decode("utf-8")
        assert "One. <!-- CHECK: The model gave no translation" in text
        assert text.count("The model gave no translation") == 3
        assert "Four. <!-- CHECK (before this sentence): The model gave no translation" in text
    else:
        import docx

        d = docx.Document(io.BytesIO(word.render(content)))
        notes = sorted(c.text for c in d.comments)
        assert len(notes) == 3 and all("The model gave no translation" in n for n in notes)
        assert sum(n.startswith("Missing before this") for n in notes) == 2  # on "Three." and "Four."
        assert sum(n.startswith("Missing after this") for n in notes) == 1  # the last one, on "Four."
    # The marks are not published: the draft reads back as exactly the translation.
    review = parse_article(name, markdown.render(content) if fmt == "md" else word.render(content), Ingest())
    assert (review.title, [b.text for b in review.blocks]) == (stored[0], stored[1:])
