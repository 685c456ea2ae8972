"""SQLite state: files seen, articles, per-language renditions, translation memory, runs.

The schema version lives in ``PRAGMA user_version``; each entry of MIGRATIONS moves
the database one version up inside a transaction, so an older database is
migrated, never dropped. WAL mode lets ``xlate status`` read while a run writes.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NamedTuple

from xlate.errors import NotWritable, StateError
from xlate.model import (
    Article,
    ArticleRecord,
    ArticleState,
    Block,
    BlockKind,
    FileRecord,
    FileStatus,
    FlagSpan,
    Rendition,
    RenditionHead,
    Review,
)

# The records live in xlate.model; these names stay importable from here.
__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "MemoryEntry", "Migration", "Store"]


class Migration(NamedTuple):
    """One step up the schema: SQL statements, then an optional hook that fills new columns."""

    sql: str
    hook: Callable[[sqlite3.Connection], None] | None = None


def _fill_text_hash(db: sqlite3.Connection) -> None:
    """v5: the words' hash of every readable article, so duplicates are found by index."""
    filled = []
    for slug, data in db.execute("SELECT slug, data FROM articles").fetchall():
        try:
            filled.append((article_from_json(data).text_hash, slug))
        except (ValueError, KeyError, TypeError):
            continue  # an unreadable row has no twin to find; the next edit of its file rewrites it
    db.executemany("UPDATE articles SET text_hash = ? WHERE slug = ?", filled)


MIGRATIONS: tuple[Migration, ...] = (
    # v1
    Migration("""
    CREATE TABLE files (
        rel TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        raw_hash TEXT NOT NULL,
        slug TEXT,
        status TEXT NOT NULL CHECK (status IN ('article', 'duplicate'))
    );
    CREATE TABLE articles (
        slug TEXT PRIMARY KEY,
        source_rel TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        data TEXT NOT NULL,
        detected_lang TEXT,
        detected_prob REAL,
        published_at TEXT,
        state TEXT NOT NULL CHECK (state IN ('pending', 'ready', 'retracted'))
    );
    CREATE TABLE renditions (
        slug TEXT NOT NULL REFERENCES articles(slug) ON DELETE CASCADE,
        lang TEXT NOT NULL,
        data TEXT NOT NULL,
        text_hash TEXT NOT NULL,
        published_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        machine_translated INTEGER NOT NULL,
        flagged INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (slug, lang)
    );
    CREATE TABLE memory (
        model_id TEXT NOT NULL,
        source TEXT NOT NULL,
        target TEXT NOT NULL,
        score REAL,
        flags TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (model_id, source)
    );
    CREATE TABLE quarantine (
        rel TEXT PRIMARY KEY,
        reason TEXT NOT NULL,
        moved_to TEXT,
        at TEXT NOT NULL
    );
    CREATE TABLE runs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        status TEXT NOT NULL,
        report TEXT
    );
    CREATE TABLE meta (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    """),
    # v2: an editor can force a held (quality-flagged) translation out: `xlate publish --force`.
    Migration("""
    ALTER TABLE renditions ADD COLUMN forced INTEGER NOT NULL DEFAULT 0;
    """),
    # v3: reviewed translations, and files that hold them.
    Migration("""
    CREATE TABLE files_v3 (
        rel TEXT PRIMARY KEY,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL,
        raw_hash TEXT NOT NULL,
        slug TEXT,
        status TEXT NOT NULL CHECK (status IN ('article', 'duplicate', 'review'))
    );
    INSERT INTO files_v3 SELECT rel, size, mtime_ns, raw_hash, slug, status FROM files;
    DROP TABLE files;
    ALTER TABLE files_v3 RENAME TO files;
    CREATE TABLE reviews (
        rel TEXT PRIMARY KEY,
        slug TEXT NOT NULL,
        lang TEXT NOT NULL,
        data TEXT NOT NULL,
        base_hash TEXT
    );
    CREATE UNIQUE INDEX reviews_slug_lang ON reviews(slug, lang);
    """),
    # v4: what each article's pages were last rendered from, so a run renders only the changed ones.
    Migration("""
    CREATE TABLE pages (
        slug TEXT PRIMARY KEY,
        render_key TEXT NOT NULL
    );
    """),
    # v5: the hash of an article's words as a column, so a new file's duplicate is found by an
    # index lookup instead of decoding every article.
    Migration(
        """
    ALTER TABLE articles ADD COLUMN text_hash TEXT;
    CREATE INDEX articles_text_hash ON articles(text_hash);
    """,
        _fill_text_hash,
    ),
    # v6: what ingest warned about each file, shown by `xlate status` while the file is live.
    Migration("""
    ALTER TABLE files ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
    """),
    # v7: a machine translation the editors approved by dropping its draft back unchanged.
    Migration("""
    ALTER TABLE renditions ADD COLUMN approved INTEGER NOT NULL DEFAULT 0;
    """),
    # v8: what every publish lists (titles, dates, flags; the article's author, tags, summary)
    # as columns in covering indexes, so listing 1,000 articles no longer reads their bodies
    # (16 MB; 44 ms -> 10 ms at 1,000 articles, and it grows with the archive).
    Migration("""
    ALTER TABLE renditions ADD COLUMN title TEXT NOT NULL DEFAULT '';
    ALTER TABLE articles ADD COLUMN author TEXT;
    ALTER TABLE articles ADD COLUMN tags TEXT NOT NULL DEFAULT '[]';
    ALTER TABLE articles ADD COLUMN summary TEXT;
    UPDATE renditions SET title = COALESCE(json_extract(data, '$.title'), '');
    UPDATE articles SET author = json_extract(data, '$.author'),
        tags = COALESCE(json_extract(data, '$.tags'), '[]'), summary = json_extract(data, '$.summary');
    CREATE INDEX renditions_heads ON renditions(slug, lang, title, text_hash, published_at, updated_at,
        machine_translated, flagged, forced, approved);
    CREATE INDEX articles_heads ON articles(state, slug, published_at, author, tags, summary);
    """),
)

SCHEMA_VERSION = len(MIGRATIONS)


def _ts(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_ts(s: str) -> datetime:
    # fromisoformat (C) reads the "...Z" that _ts writes, many times faster than strptime.
    return datetime.fromisoformat(s).astimezone(UTC)


def article_to_json(a: Article) -> str:
    return json.dumps(
        {
            "slug": a.slug,
            "source": a.source,
            "title": a.title,
            "blocks": [[b.kind.value, b.text] for b in a.blocks],
            "author": a.author,
            "date": a.date.isoformat() if a.date else None,
            "tags": list(a.tags),
            "summary": a.summary,
            "declared_lang": a.declared_lang,
            "image": a.image,
            "keep": list(a.keep),
            "translation_of": a.translation_of,
            "notes": list(a.notes),
        },
        ensure_ascii=False,
        sort_keys=True,
    )


_KINDS = {k.value: k for k in BlockKind}  # a dict lookup: BlockKind(v) is slow in bulk


def article_from_json(s: str) -> Article:
    d = json.loads(s)
    return Article(
        slug=d["slug"],
        source=d["source"],
        title=d["title"],
        blocks=tuple(Block(_KINDS[k], t) for k, t in d["blocks"]),
        author=d["author"],
        date=datetime.fromisoformat(d["date"]) if d["date"] else None,
        tags=tuple(d["tags"]),
        summary=d["summary"],
        declared_lang=d["declared_lang"],
        image=d["image"],
        keep=tuple(d.get("keep", ())),
        translation_of=d.get("translation_of"),
        notes=tuple(d["notes"]),
    )


@dataclass(frozen=True)
class MemoryEntry:
    target: str
    score: float | None
    flags: str


class _RenditionQueries:
    """Renditions and page keys; a part of Store."""

    db: sqlite3.Connection

    # -- renditions --------------------------------------------------------------------
    def rendition_heads(self) -> list[RenditionHead]:
        """Every rendition of a ready article without its blocks, with the article's author,
        tags and summary: what the index, the page keys and the choice of feed entries need,
        read without decoding every article body (`rendition_blocks` reads the bodies)."""
        rows = self.db.execute(
            "SELECT r.slug, r.lang, r.title, r.text_hash, r.published_at, r.updated_at, "
            "r.machine_translated, r.flagged, r.forced, r.approved, a.author, a.tags, a.summary, a.published_at "
            "FROM articles a JOIN renditions r ON r.slug = a.slug WHERE a.state = 'ready'"
        )
        times: dict[str, datetime] = {}  # the languages of an article share their timestamps

        def ts(s: str) -> datetime:
            t = times.get(s)
            if t is None:
                t = times[s] = _parse_ts(s)
            return t

        return [
            RenditionHead(
                slug=slug,
                lang=lang,
                title=title,
                text_hash=th,
                published_at=ts(pub),
                updated_at=ts(upd),
                machine_translated=bool(mt),
                flagged=bool(fl),
                forced=bool(fo),
                approved=bool(ap),
                author=author,
                tags=tuple(json.loads(tags)) if tags else (),
                summary=summary,
                first_seen=ts(seen) if seen else None,
            )
            for slug, lang, title, th, pub, upd, mt, fl, fo, ap, author, tags, summary, seen in rows
        ]

    def _rendition_field(self, keys: Iterable[tuple[str, str]], path: str) -> Iterator[tuple[str, str, Any]]:
        """(slug, lang, json_extract(data, path)) of the renditions named by (slug, lang)."""
        wanted = set(keys)
        if not wanted:
            return iter(())
        self.db.execute("CREATE TEMP TABLE IF NOT EXISTS wanted(slug TEXT, lang TEXT, PRIMARY KEY (slug, lang))")
        self.db.execute("DELETE FROM temp.wanted")
        self.db.executemany("INSERT INTO temp.wanted VALUES(?, ?)", sorted(wanted))
        rows = self.db.execute(
            "SELECT r.slug, r.lang, json_extract(r.data, ?) FROM renditions r "
            "JOIN temp.wanted w ON w.slug = r.slug AND w.lang = r.lang",
            (path,),
        ).fetchall()
        self.db.execute("DELETE FROM temp.wanted")
        return iter(rows)

    def rendition_flag_spans(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[FlagSpan, ...]]:
        """Where the flagged sentences of the renditions named by (slug, lang) are; a rendition
        stored without them (before xlate kept them, or a review) is left out."""
        return {
            (slug, lang): tuple(FlagSpan(int(b), int(s), int(e), tuple(fl)) for b, s, e, fl in json.loads(spans))
            for slug, lang, spans in self._rendition_field(keys, "$.flag_spans")
            if spans is not None
        }

    def rendition_blocks(self, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[Block, ...]]:
        """The blocks of the renditions named by (slug, lang)."""
        out: dict[tuple[str, str], tuple[Block, ...]] = {}
        for slug, lang, blocks in self._rendition_field(keys, "$.blocks"):
            out[(slug, lang)] = tuple(Block(_KINDS[k], t) for k, t in json.loads(blocks))
        return out

    def page_keys(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute("SELECT slug, render_key FROM pages")}

    def set_page_keys(self, keys: dict[str, str], drop: Iterable[str] = ()) -> None:
        self.db.executemany(
            "INSERT INTO pages(slug, render_key) VALUES(?, ?) "
            "ON CONFLICT(slug) DO UPDATE SET render_key = excluded.render_key",
            sorted(keys.items()),
        )
        self.db.executemany("DELETE FROM pages WHERE slug = ?", [(s,) for s in sorted(drop)])

    def rendition_hashes(self, slug: str) -> dict[str, str]:
        rows = self.db.execute("SELECT lang, text_hash FROM renditions WHERE slug = ?", (slug,))
        return {r[0]: r[1] for r in rows}

    def put_rendition(self, r: Rendition, text_hash: str) -> None:
        doc: dict[str, object] = {"title": r.title, "blocks": [[b.kind.value, b.text] for b in r.blocks]}
        if r.flag_spans is not None:
            doc["flag_spans"] = [[f.block, f.start, f.end, list(f.flags)] for f in r.flag_spans]
        data = json.dumps(doc, ensure_ascii=False, sort_keys=True)
        self.db.execute(
            """INSERT INTO renditions(slug, lang, data, text_hash, published_at, updated_at,
                                      machine_translated, flagged, approved, title)
               VALUES(?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(slug, lang) DO UPDATE SET data=excluded.data, text_hash=excluded.text_hash,
                 title=excluded.title,
                 published_at=excluded.published_at, updated_at=excluded.updated_at,
                 machine_translated=excluded.machine_translated,
                 flagged=excluded.flagged, forced=0, approved=excluded.approved""",
            (
                r.slug,
                r.lang,
                data,
                text_hash,
                _ts(r.published),
                _ts(r.updated),
                int(r.machine_translated),
                int(r.flagged),
                int(r.approved),
                r.title,
            ),
        )

    def force_renditions(self, slug: str) -> int:
        """Release held translations of one article (the editor accepts them as they are)."""
        cur = self.db.execute("UPDATE renditions SET forced = 1 WHERE slug = ? AND flagged = 1", (slug,))
        return cur.rowcount

    def delete_renditions(self, slug: str) -> None:
        self.db.execute("DELETE FROM renditions WHERE slug = ?", (slug,))

    # -- scheduled publishing ----------------------------------------------------------
    # A version dated in the future is stored with updated_at < published_at and stays out of
    # the outputs until its time; the first run after it stamps updated_at (`release`).
    def due(self, now: datetime) -> list[str]:
        """Ready articles with a version whose date has come but that was never released."""
        rows = self.db.execute(
            "SELECT DISTINCT r.slug FROM renditions r JOIN articles a ON a.slug = r.slug "
            "WHERE a.state = 'ready' AND r.published_at <= ? AND r.updated_at < r.published_at ORDER BY r.slug",
            (_ts(now),),
        )
        return [r[0] for r in rows]

    def release(self, slug: str, at: datetime) -> None:
        """Its due versions go out now: `updated` becomes `at` (never before `published`)."""
        self.db.execute(
            "UPDATE renditions SET updated_at = ? WHERE slug = ? AND updated_at < published_at AND published_at <= ?",
            (_ts(at), slug, _ts(at)),
        )
        self.db.execute("UPDATE articles SET published_at = COALESCE(published_at, ?) WHERE slug = ?", (_ts(at), slug))

    def scheduled(self, now: datetime) -> list[tuple[str, datetime]]:
        """Ready articles held until their date, soonest first: (slug, when)."""
        rows = self.db.execute(
            "SELECT r.slug, MIN(r.published_at) FROM renditions r JOIN articles a ON a.slug = r.slug "
            "WHERE a.state = 'ready' AND r.published_at > ? GROUP BY r.slug ORDER BY 2, 1",
            (_ts(now),),
        )
        return [(slug, _parse_ts(at)) for slug, at in rows]


class _Journal:
    """Translation memory, quarantine and the runs table; a part of Store."""

    db: sqlite3.Connection

    # -- translation memory ------------------------------------------------------------
    def memory_get(self, model_id: str, sources: Iterable[str]) -> dict[str, MemoryEntry]:
        out: dict[str, MemoryEntry] = {}
        uniq = sorted(set(sources))
        for i in range(0, len(uniq), 500):  # stay under SQLite's variable limit
            chunk = uniq[i : i + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.db.execute(
                f"SELECT source, target, score, flags FROM memory WHERE model_id = ? AND source IN ({marks})",
                (model_id, *chunk),
            )
            for s, t, sc, fl in rows:
                out[s] = MemoryEntry(t, sc, fl)
        return out

    def memory_put(self, model_id: str, rows: Sequence[tuple[str, str, float | None, str]]) -> None:
        self.db.executemany(
            "INSERT OR REPLACE INTO memory(model_id, source, target, score, flags) VALUES(?,?,?,?,?)",
            [(model_id, s, t, sc, fl) for s, t, sc, fl in rows],
        )

    def memory_prune(self, keep_model_ids: Iterable[str]) -> int:
        """Drop entries of models that are no longer installed (a new version replaced them)."""
        keep = sorted(set(keep_model_ids))
        marks = ",".join("?" * len(keep)) or "''"
        cur = self.db.execute(f"DELETE FROM memory WHERE model_id NOT IN ({marks})", keep)
        return cur.rowcount

    # -- quarantine --------------------------------------------------------------------
    def put_quarantine(self, rel: str, reason: str, moved_to: str | None, at: datetime) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO quarantine(rel, reason, moved_to, at) VALUES(?,?,?,?)",
            (rel, reason, moved_to, _ts(at)),
        )

    def quarantined(self) -> list[tuple[str, str, str | None, str]]:
        return list(self.db.execute("SELECT rel, reason, moved_to, at FROM quarantine ORDER BY rel"))

    def delete_quarantine(self, rel: str) -> None:
        self.db.execute("DELETE FROM quarantine WHERE rel = ?", (rel,))

    # -- runs --------------------------------------------------------------------------
    def start_run(self, at: datetime) -> int:
        cur = self.db.execute("INSERT INTO runs(started_at, status) VALUES(?, 'running')", (_ts(at),))
        return int(cur.lastrowid or 0)

    def finish_run(self, run_id: int, at: datetime, status: str, report: dict[str, object]) -> None:
        self.db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, report = ? WHERE id = ?",
            (_ts(at), status, json.dumps(report, ensure_ascii=False, sort_keys=True), run_id),
        )

    def last_runs(self, n: int = 10) -> list[tuple[int, str, str | None, str, str | None]]:
        return list(
            self.db.execute(
                "SELECT id, started_at, finished_at, status, report FROM runs ORDER BY id DESC LIMIT ?", (n,)
            )
        )


class Store(_RenditionQueries, _Journal):
    """All SQL lives here. One instance per run; not shared across threads."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise NotWritable(
                f"{path.parent}: cannot create the state folder ({e.strerror}); "
                "fix its permissions or set paths.state in config.yaml"
            ) from None
        try:
            self.db = sqlite3.connect(path, timeout=10, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self._migrate()
        except sqlite3.DatabaseError as e:
            raise self._explain(e) from None

    def _explain(self, e: sqlite3.Error) -> StateError | NotWritable:
        msg = str(e)
        if "locked" in msg or "busy" in msg:
            return StateError(
                f"{self.path}: the state database is locked by another program ({msg}); "
                "close the other program (sqlite3 shell, backup tool) and run again"
            )
        if "readonly" in msg or "unable to open" in msg:
            return NotWritable(f"{self.path}: cannot write the state database ({msg}); fix the permissions")
        return StateError(
            f"{self.path}: the state database is damaged ({msg}); move it aside and run again "
            "(xlate rebuilds state from input/; feeds keep their files)"
        )

    def close(self) -> None:
        self.db.close()

    # -- schema ------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StateError(
                f"{self.path}: state schema v{version} is newer than this xlate (v{SCHEMA_VERSION}); upgrade xlate"
            )
        for v in range(version, SCHEMA_VERSION):
            with self.transaction():
                step = MIGRATIONS[v]
                for stmt in _statements(step.sql):
                    self.db.execute(stmt)
                if step.hook is not None:
                    step.hook(self.db)
                self.db.execute(f"PRAGMA user_version = {v + 1}")

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as e:
            raise self._explain(e) from None
        try:
            yield self.db
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            try:
                self.db.execute("COMMIT")
            except sqlite3.Error as e:
                raise self._explain(e) from None

    # -- meta --------------------------------------------------------------------------
    # One key-value table; each key has a typed pair of methods below.
    def _meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self.db.execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def publish_pending(self) -> bool:
        """True while stored changes have not reached the feeds (set in the same transaction
        as the change, cleared in the one that records what was written)."""
        return self._meta("publish_pending") == "1"

    def mark_publish_pending(self, pending: bool) -> None:
        self._set_meta("publish_pending", "1" if pending else "0")

    def translation_key(self) -> str | None:
        """Identity of the routes, models and glossary the stored renditions were made with."""
        return self._meta("translation_key")

    def set_translation_key(self, key: str) -> None:
        self._set_meta("translation_key", key)

    def site_key(self) -> str | None:
        """Identity of the config and xlate version the pages were last rendered with."""
        return self._meta("site_key")

    def set_site_key(self, key: str) -> None:
        self._set_meta("site_key", key)

    def drafts_ledger(self) -> str | None:
        """What xlate.drafts remembers of the drafts it wrote (its own JSON)."""
        return self._meta("drafts")

    def set_drafts_ledger(self, data: str) -> None:
        self._set_meta("drafts", data)

    def next_timestamp(self, now: datetime) -> datetime:
        """A second-resolution time, strictly after every one handed out before.

        Feed validators warn when two entries share an `updated` value, and readers
        sort by it; handing out distinct times keeps both happy.
        """
        last = self._meta("last_ts")
        ts = now.astimezone(UTC).replace(microsecond=0)
        if last is not None:
            prev = _parse_ts(last)
            if ts <= prev:
                ts = datetime.fromtimestamp(prev.timestamp() + 1, UTC)
        self._set_meta("last_ts", _ts(ts))
        return ts

    # -- files -------------------------------------------------------------------------
    def files(self) -> dict[str, FileRecord]:
        rows = self.db.execute("SELECT rel, size, mtime_ns, raw_hash, slug, status, warnings FROM files")
        return {r[0]: FileRecord(r[0], r[1], r[2], r[3], r[4], FileStatus(r[5]), tuple(json.loads(r[6]))) for r in rows}

    def put_file(self, f: FileRecord) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO files(rel, size, mtime_ns, raw_hash, slug, status, warnings) VALUES(?,?,?,?,?,?,?)",
            (f.rel, f.size, f.mtime_ns, f.raw_hash, f.slug, f.status.value, json.dumps(list(f.warnings))),
        )

    def delete_file(self, rel: str) -> None:
        self.db.execute("DELETE FROM files WHERE rel = ?", (rel,))

    # -- articles ----------------------------------------------------------------------
    def articles(self, slugs: Iterable[str] | None = None) -> dict[str, ArticleRecord]:
        """Every article, or only those named by `slugs`."""
        sql = "SELECT slug, source_rel, content_hash, data, published_at, state FROM articles"
        rows: Iterable[tuple[str, str, str, str, str | None, str]]
        if slugs is None:
            rows = self.db.execute(sql)
        else:
            wanted = sorted(set(slugs))
            chunks = [wanted[i : i + 500] for i in range(0, len(wanted), 500)]  # SQLite's parameter limit
            rows = [r for c in chunks for r in self.db.execute(f"{sql} WHERE slug IN ({','.join('?' * len(c))})", c)]
        return {
            r[0]: ArticleRecord(
                r[0], r[1], r[2], article_from_json(r[3]), _parse_ts(r[4]) if r[4] else None, ArticleState(r[5])
            )
            for r in rows
        }

    def put_article(self, a: Article, lang: str, prob: float, state: ArticleState) -> None:
        self.db.execute(
            """INSERT INTO articles(slug, source_rel, content_hash, data, detected_lang, detected_prob, state,
                                    text_hash, author, tags, summary)
               VALUES(?,?,?,?,?,?,?,?,?,?,?)
               ON CONFLICT(slug) DO UPDATE SET source_rel=excluded.source_rel,
                 content_hash=excluded.content_hash, data=excluded.data,
                 detected_lang=excluded.detected_lang, detected_prob=excluded.detected_prob,
                 state=excluded.state, text_hash=excluded.text_hash, author=excluded.author,
                 tags=excluded.tags, summary=excluded.summary""",
            (
                a.slug,
                a.source,
                a.content_hash,
                article_to_json(a),
                lang,
                prob,
                state.value,
                a.text_hash,
                a.author,
                json.dumps(list(a.tags), ensure_ascii=False),
                a.summary,
            ),
        )

    def article(self, slug: str) -> ArticleRecord | None:
        return self.articles([slug]).get(slug)

    def articles_with_text(self, text_hash: str) -> dict[str, ArticleRecord]:
        """The articles (any state) whose words hash to `text_hash`: what a new file may duplicate."""
        rows = self.db.execute("SELECT slug FROM articles WHERE text_hash = ?", (text_hash,))
        return self.articles(r[0] for r in rows.fetchall())

    def repend(self, slug: str) -> None:
        """Render a ready article again (its reviews changed); no-op for others."""
        self.db.execute("UPDATE articles SET state = 'pending' WHERE slug = ? AND state = 'ready'", (slug,))

    def set_article_state(self, slug: str, state: ArticleState) -> None:
        self.db.execute("UPDATE articles SET state = ? WHERE slug = ?", (state.value, slug))

    def set_article_published(self, slug: str, at: datetime) -> None:
        self.db.execute("UPDATE articles SET published_at = COALESCE(published_at, ?) WHERE slug = ?", (_ts(at), slug))

    def count_ready(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM articles WHERE state = 'ready'").fetchone()[0])

    def repend_ready_articles(self) -> int:
        cur = self.db.execute("UPDATE articles SET state = 'pending' WHERE state = 'ready'")
        return cur.rowcount

    def pending_articles(self) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT slug FROM articles WHERE state='pending' ORDER BY slug")]

    # -- reviewed translations ---------------------------------------------------------
    def reviews(self, slug: str | None = None) -> list[Review]:
        sql = "SELECT rel, slug, lang, data, base_hash FROM reviews"
        rows = self.db.execute(sql + " WHERE slug = ?", (slug,)) if slug else self.db.execute(sql)
        return [Review(r, s, lg, article_from_json(d), b) for r, s, lg, d, b in rows]

    def put_review(self, r: Review) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO reviews(rel, slug, lang, data, base_hash) VALUES(?,?,?,?,?)",
            (r.rel, r.slug, r.lang, article_to_json(r.article), r.base_hash),
        )

    def delete_review(self, rel: str) -> None:
        self.db.execute("DELETE FROM reviews WHERE rel = ?", (rel,))


def _statements(script: str) -> list[str]:
    return [s.strip() for s in script.split(";") if s.strip()]
