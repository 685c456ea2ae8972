"""Ingest stage: read each new or changed file, hash, parse, detect, judge, store.

A file that cannot be used is quarantined with a reason an editor can act on; one bad file
never stops the others. Every other outcome is stored per file in its own transaction.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from xlate import decide
from xlate.config import Config
from xlate.decide import Verdict
from xlate.errors import InputError
from xlate.ingest import SourceFile
from xlate.model import Article, ArticleState, FileRecord, FileStatus, Quarantined, Review, Warned
from xlate.quarantine import quarantine_file
from xlate.store import Store

log = logging.getLogger(__name__)


@dataclass
class Ingested:
    """What the ingest stage produced besides the stored articles."""

    quarantined: list[Quarantined] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    warnings: list[Warned] = field(default_factory=list)


@dataclass(frozen=True)
class _Read:
    file: SourceFile
    raw_hash: str
    article: Article
    lang: str  # as detected
    probability: float
    warnings: tuple[str, ...]  # the reader's, and the checks of this stage

    def record(self, slug: str | None, status: FileStatus) -> FileRecord:
        f = self.file
        return FileRecord(f.rel, f.size, f.mtime_ns, self.raw_hash, slug, status, self.warnings)


def ingest(
    cfg: Config,
    store: Store,
    to_read: tuple[SourceFile, ...],
    live: set[str],
    now: datetime,
    check: Callable[[], None],
) -> Ingested:
    """Read `to_read` (new or changed by stat); `live` is every file in input/ now."""
    out = Ingested()
    stored = store.files() if to_read else {}
    for f in to_read:
        check()
        try:
            read = _read(cfg, store, f, stored.get(f.rel), now)
            if read is None:
                continue
            if read.article.translation_of:
                _store_review(store, read)
            else:
                _store_article(store, read, live, out)
            out.warnings += [Warned(f.rel, w) for w in read.warnings]
            for w in read.warnings:
                log.warning("%s: %s", f.rel, w)
        except InputError as e:
            q = _quarantine(cfg, store, f.rel, str(e), now)
            if q is not None:
                out.quarantined.append(q)
    return out


def _read(cfg: Config, store: Store, f: SourceFile, old: FileRecord | None, now: datetime) -> _Read | None:
    """The file parsed and its language detected; None when it vanished or only its mtime moved."""
    from xlate.detect import detect_article
    from xlate.ingest import ReadContext, check_size, parse_article

    check_size(f.rel, f.size, cfg.ingest)
    try:
        data = f.path.read_bytes()
    except FileNotFoundError:
        return None  # deleted mid-run: the next run sees it gone
    except OSError as e:
        raise InputError(f"{f.rel}: cannot be read ({e.strerror}); check the file's permissions") from None
    raw_hash = hashlib.sha256(data).hexdigest()
    if old is not None and old.raw_hash == raw_hash:
        with store.transaction():  # touched, not changed
            store.put_file(FileRecord(f.rel, f.size, f.mtime_ns, raw_hash, old.slug, old.status, old.warnings))
        return None
    article = parse_article(f.rel, data, ReadContext.from_config(cfg))
    expected = article.declared_lang if article.translation_of else cfg.source_lang
    if article.translation_of and expected not in cfg.targets:
        raise InputError(
            f"{f.rel}: a reviewed translation into {expected!r}, but the targets are "
            f"{', '.join(cfg.targets)}; fix `lang:` or the file name"
        )
    detection = detect_article(article, source_lang=expected or cfg.source_lang, cfg=cfg.detect)
    for note in (*article.notes, *detection.notes):
        log.info("%s: %s", f.rel, note)
    dated = decide.date_warning(article.date, now, cfg.ingest.date_window_days)
    warnings = (*article.warnings, *([dated] if dated else []))
    return _Read(f, raw_hash, article, detection.lang, detection.probability, warnings)


def _store_article(store: Store, read: _Read, live: set[str], out: Ingested) -> None:
    article, rel = read.article, read.file.rel
    # Only what this article could clash with is read: its slug and its words' twins
    # (every earlier file of this run is in the store already).
    existing = store.article(article.slug)
    same_slug = {} if existing is None else {article.slug: existing}
    twins = decide.text_index(store.articles_with_text(article.text_hash), live)
    verdict, other = decide.judge_article(article, same_slug, live, twins)
    if verdict is Verdict.SLUG_TAKEN:
        raise InputError(
            f"{rel}: its slug {article.slug!r} is already used by {other}; rename the file "
            "or set a different `slug:` in its front matter"
        )
    with store.transaction():
        if verdict is Verdict.DUPLICATE:
            store.put_file(read.record(other, FileStatus.DUPLICATE))
        else:
            store.put_file(read.record(article.slug, FileStatus.ARTICLE))
            if verdict is not Verdict.SAME:
                store.put_article(article, read.lang, read.probability, ArticleState.PENDING)
        store.delete_quarantine(rel)  # a fixed version was dropped in: nothing left to retry
    if verdict is Verdict.DUPLICATE:
        out.duplicates.append({"file": rel, "duplicate_of": str(other)})
        log.warning("%s has the same text as %s; published once", rel, other)


def _store_review(store: Store, read: _Read) -> None:
    """Keep an editor's translation; it replaces MT for its language from now on."""
    article, rel = read.article, read.file.rel
    slug, lang = str(article.translation_of), str(article.declared_lang)
    original = store.article(slug)
    base = original.article.text_hash if original is not None else None
    with store.transaction():
        for r in store.reviews(slug):
            if r.lang == lang and r.rel != rel:
                store.delete_review(r.rel)  # the newest file for a language wins
        store.put_review(Review(rel, slug, lang, article, base))
        store.put_file(read.record(slug, FileStatus.REVIEW))
        store.delete_quarantine(rel)
        store.repend(slug)
    if original is None:
        log.warning("%s: reviewed translation of %r, which is not (yet) an article; kept for later", rel, slug)
    else:
        log.info("%s: reviewed %s translation of %s", rel, lang, slug)


def _quarantine(cfg: Config, store: Store, rel: str, reason: str, now: datetime) -> Quarantined | None:
    moved = quarantine_file(cfg.paths.input, cfg.paths.quarantine, rel, reason)
    if moved is None:
        log.info("%s vanished while it was read; it will count as deleted", rel)
        return None
    with store.transaction():
        store.put_quarantine(rel, reason, moved, now)
        store.delete_file(rel)
    log.warning("quarantined %s: %s", rel, reason)
    return Quarantined(rel, reason)
