from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from xlate.errors import StateError
from xlate.model import Article, Block, BlockKind
from xlate.store import SCHEMA_VERSION, Store, article_from_json, article_to_json


def test_fresh_database_gets_schema_version_and_wal(tmp_path: Path) -> None:
    s = Store(tmp_path / "s.sqlite3")
    assert s.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert s.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    s.close()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "s.sqlite3"
    db = sqlite3.connect(p)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(StateError, match="newer than this xlate"):
        Store(p)


def test_corrupt_database_is_a_clear_error(tmp_path: Path) -> None:
    p = tmp_path / "s.sqlite3"
    p.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StateError, match="damaged"):
        Store(p)


def test_timestamps_are_strictly_increasing(tmp_path: Path) -> None:
    s = Store(tmp_path / "s.sqlite3")
    now = datetime(2026, 11, 27, 8, 0, 0, 500, tzinfo=UTC)
    stamps = [s.next_timestamp(now) for _ in range(5)]
    assert stamps == sorted(set(stamps))
    assert stamps[0] == now.replace(microsecond=0)


def test_article_json_round_trip() -> None:
    a = Article(
        slug="s",
        source="s.md",
        title="Ąžuolas",
        blocks=(Block(BlockKind.LIST_ITEM, "Šv. Jonas"),),
        author="Ona",
        date=datetime(2026, 10, 12, tzinfo=UTC),
        tags=("a", "b"),
    )
    assert article_from_json(article_to_json(a)) == a


def test_memory_round_trip_and_prune(tmp_path: Path) -> None:
    s = Store(tmp_path / "s.sqlite3")
    with s.transaction():
        s.memory_put("m1", [("Labas.", "Hello.", -0.1, "")])
        s.memory_put("m2", [("Labas.", "Cześć.", -0.2, "")])
    assert s.memory_get("m1", ["Labas.", "Nėra."])["Labas."].target == "Hello."
    with s.transaction():
        assert s.memory_prune(["m1"]) == 1
    assert s.memory_get("m2", ["Labas."]) == {}


def test_v1_database_is_migrated_with_its_rows(tmp_path: Path) -> None:
    from xlate.store import MIGRATIONS, _statements

    p = tmp_path / "old.sqlite3"
    db = sqlite3.connect(p)
    for stmt in _statements(MIGRATIONS[0].sql):
        db.execute(stmt)
    db.execute("PRAGMA user_version = 1")
    old = Article("a", "a.txt", "Antraštė", (Block(BlockKind.PARAGRAPH, "Tekstas."),))
    db.execute(
        "INSERT INTO articles(slug, source_rel, content_hash, data, state) VALUES('a', 'a.txt', 'h', ?, 'ready')",
        (article_to_json(old),),
    )
    db.execute(
        "INSERT INTO articles(slug, source_rel, content_hash, data, state) VALUES('b', 'b.txt', 'h', '{}', 'ready')"
    )
    db.execute("INSERT INTO files VALUES('a.txt', 1, 2, 'raw', 'a', 'article')")
    db.execute(
        "INSERT INTO renditions(slug, lang, data, text_hash, published_at, updated_at, machine_translated)"
        " VALUES('a', 'en', '{}', 't', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', 1)"
    )
    db.commit()
    db.close()
    s = Store(p)
    assert s.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION >= 3
    assert s.db.execute("SELECT slug, lang, forced FROM renditions").fetchall() == [("a", "en", 0)]
    assert s.db.execute("SELECT rel, slug, status FROM files").fetchall() == [("a.txt", "a", "article")]
    assert s.files()["a.txt"].warnings == ()  # v6: no warnings known for a file read before
    assert s.reviews() == []
    # v5 filled the words' hash of every readable article, so duplicates are found by index.
    assert s.db.execute("SELECT slug, text_hash FROM articles ORDER BY slug").fetchall() == [
        ("a", old.text_hash),
        ("b", None),
    ]
    assert set(s.articles_with_text(old.text_hash)) == {"a"}
    s.close()


def test_typed_meta_and_article_state(tmp_path: Path) -> None:
    from xlate.model import ArticleState, FileRecord, FileStatus

    s = Store(tmp_path / "s.sqlite3")
    assert not s.publish_pending() and s.translation_key() is None and s.site_key() is None
    with s.transaction():
        s.mark_publish_pending(True)
        s.set_translation_key("k1")
        s.set_site_key("s1")
    assert s.publish_pending() and s.translation_key() == "k1" and s.site_key() == "s1"
    with s.transaction():
        s.mark_publish_pending(False)
        a = Article("a", "a.txt", "Antraštė", (Block(BlockKind.PARAGRAPH, "Tekstas."),))
        s.put_article(a, "lt", 0.99, ArticleState.PENDING)
        s.put_file(FileRecord("a.txt", 1, 2, "raw", "a", FileStatus.ARTICLE, ("unknown key `dte`",)))
    assert not s.publish_pending()
    assert s.articles()["a"].state is ArticleState.PENDING and s.pending_articles() == ["a"]
    assert s.files()["a.txt"] == FileRecord("a.txt", 1, 2, "raw", "a", FileStatus.ARTICLE, ("unknown key `dte`",))
    s.close()


def test_listing_what_to_publish_reads_no_article_body(tmp_path: Path) -> None:
    """Every publish lists every published version: that query must be answered from the
    covering indexes (v8), never by reading the bodies, whose size grows with the archive.
    The heads still carry the title, author, tags and summary, also after an article changes."""
    from xlate.model import ArticleState, Rendition

    s = Store(tmp_path / "x.sqlite3")
    day = datetime(2026, 10, 12, tzinfo=UTC)
    a = Article("s", "s.md", "Ąžuolas", (Block(BlockKind.PARAGRAPH, "Tekstas " * 500),), author="Ona", tags=("a",))
    with s.transaction():
        s.put_article(a, "lt", 0.99, ArticleState.READY)
        s.put_rendition(Rendition("s", "en", "Oak", a.blocks, day, day, machine_translated=True), "h1")
        s.put_article(replace(a, tags=("a", "b"), summary="Apie ąžuolą"), "lt", 0.99, ArticleState.READY)
        s.put_rendition(Rendition("s", "en", "The oak", a.blocks, day, day, machine_translated=True), "h2")
    statements: list[str] = []
    s.db.set_trace_callback(statements.append)
    [head] = s.rendition_heads()
    s.db.set_trace_callback(None)
    assert (head.title, head.author, head.tags, head.summary, head.text_hash) == (
        "The oak",
        "Ona",
        ("a", "b"),
        "Apie ąžuolą",
        "h2",
    )
    [sql] = [q for q in statements if q.lstrip().upper().startswith("SELECT")]
    plan = [row[3] for row in s.db.execute("EXPLAIN QUERY PLAN " + sql)]
    assert len(plan) == 2 and all("USING COVERING INDEX" in step for step in plan), plan
    s.close()


def test_rendition_bodies_and_flag_spans_round_trip(tmp_path: Path) -> None:
    from xlate.model import ArticleState, FlagSpan, Rendition

    s = Store(tmp_path / "x.sqlite3")
    assert s.rendition_blocks([]) == {} and s.rendition_flag_spans([]) == {}  # on a fresh connection
    day = datetime(2026, 10, 12, tzinfo=UTC)
    a = Article("s", "s.md", "Ąžuolas", (Block(BlockKind.PARAGRAPH, "Vienas. Du."),))
    spans = (FlagSpan(1, 4, 8, ("degenerate: repeated",)),)
    with s.transaction():
        s.put_article(a, "lt", 0.99, ArticleState.READY)
        s.put_rendition(Rendition("s", "lt", a.title, a.blocks, day, day), "h0")
        s.put_rendition(Rendition("s", "en", "Oak", a.blocks, day, day, flag_spans=spans), "h1")
        s.put_rendition(Rendition("s", "pl", "Dąb", a.blocks, day, day, flag_spans=()), "h2")
    keys = [("s", "lt"), ("s", "en"), ("s", "pl"), ("s", "ru")]
    assert s.rendition_flag_spans(keys) == {("s", "en"): spans, ("s", "pl"): ()}  # lt: not known
    assert s.rendition_blocks(keys) == {k: a.blocks for k in keys[:3]}
    s.close()
