"""Retract stage: files that left input/ take down what they published (ingest.on_delete)."""

from __future__ import annotations

import logging

from xlate import decide
from xlate.decide import GoneAction
from xlate.model import ArticleState, FileRecord, FileStatus
from xlate.store import Store

log = logging.getLogger(__name__)


def retract(store: Store, gone: tuple[FileRecord, ...], live: set[str], policy: str) -> int:
    """Forget the gone files and act on what each published; returns how many were retracted."""
    if not gone:
        return 0
    retracted = 0
    with store.transaction():
        articles = store.articles()
        for rec in gone:
            store.delete_file(rec.rel)
            action = decide.on_delete(rec, articles.get(rec.slug or ""), policy)
            if action is GoneAction.DROP_REVIEW and rec.slug is not None:
                store.delete_review(rec.rel)  # machine translation takes that language back
                store.repend(rec.slug)
            elif action is GoneAction.KEEP:
                log.info("%s was deleted; keeping %s published (ingest.on_delete: keep)", rec.rel, rec.slug)
            elif action is GoneAction.RETRACT and rec.slug is not None:
                _take_down(store, rec.slug, live)
                retracted += 1
                log.info("retracted %s (%s deleted)", rec.slug, rec.rel)
    return retracted


def _take_down(store: Store, slug: str, live: set[str]) -> None:
    store.set_article_state(slug, ArticleState.RETRACTED)
    store.delete_renditions(slug)
    # A file that duplicated this one must be read again: it may now stand alone.
    for rel, f in store.files().items():
        if f.status is FileStatus.DUPLICATE and f.slug == slug and rel in live:
            store.delete_file(rel)
    store.mark_publish_pending(True)
