"""Schedule stage: articles whose date has come are released; what is still held, and until when.

A future-dated article is ingested, translated and stored like any other; its versions stay
out of every output until a run at or after its date releases them (their `updated` becomes
that run's time, distinct from every other, never before `published`).
"""

from __future__ import annotations

import logging
from datetime import datetime

from xlate.store import Store

log = logging.getLogger(__name__)


def release_due(store: Store, now: datetime) -> list[str]:
    """Release every held article whose date has come; returns their slugs."""
    slugs = store.due(now)
    if not slugs:
        return []
    with store.transaction():
        for slug in slugs:
            store.release(slug, store.next_timestamp(now))
            log.info("published %s: its date has come", slug)
        store.mark_publish_pending(True)
    return slugs
