"""Record stage: store every language version of one article in one transaction.

A version whose text and metadata hash is unchanged keeps its row (and its `updated` time).
`published` is the article's own date (else first seen); a version dated in the future is
stored now and released by the first run after its date (see `stages.schedule`);
the article becomes ready and the feeds are marked for publishing in the same transaction,
so a run killed in between leaves the article pending for the next one.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

from xlate import decide
from xlate.decide import Outcome
from xlate.model import Article, ArticleRecord, ArticleState, Block, Rendition, Version, text_hash
from xlate.store import Store


def record(store: Store, rec: ArticleRecord, versions: dict[str, Version], now: datetime, source_lang: str) -> Outcome:
    """Store `versions` of one article; returns how the article counts in the run's report."""
    a = rec.article
    with store.transaction():
        old = store.rendition_hashes(a.slug)
        ts = store.next_timestamp(now)
        # First seen is the run's time, not `ts` (which may run ahead of the clock to stay
        # distinct): a version published "later" than now would count as scheduled.
        first_seen = rec.published_at or now.astimezone(UTC).replace(microsecond=0)
        published = decide.published_time(a.date, first_seen)
        # The article's own date is part of what a version shows (it orders the feeds).
        dated = f"@{published.isoformat()}" if a.date else ""
        changed_any = False
        for lang, v in versions.items():
            kind = "/approved" if v.approved else "/reviewed" if v.reviewed else ""  # drafts: approval is a change
            th = rendition_hash(a, v.title, v.blocks) + kind + dated
            if old.get(lang) == th:
                continue
            changed_any = True
            rendition = Rendition(
                slug=a.slug,
                lang=lang,
                title=v.title,
                blocks=v.blocks,
                published=published,
                updated=ts,
                # drafts: an approved review is still machine translation (reviewed by the editors)
                machine_translated=lang != source_lang and (v.approved or not v.reviewed),
                approved=v.approved,
                flagged=v.flagged,
                flag_spans=v.flag_spans,
            )
            store.put_rendition(rendition, th)
        scheduled = decide.is_scheduled(published, now)
        if not scheduled:  # a scheduled article is first seen when it is released
            store.set_article_published(a.slug, first_seen)
        store.set_article_state(a.slug, ArticleState.READY)
        store.mark_publish_pending(True)
    return decide.outcome(rec, changed_any, scheduled=scheduled)


def rendition_hash(a: Article, title: str, blocks: tuple[Block, ...]) -> str:
    """What a language version shows: its text plus the metadata that reaches the feed."""
    h = hashlib.sha256(text_hash(title, blocks).encode())
    for part in (a.author or "", "\x1f".join(a.tags), a.summary or ""):
        h.update(b"\x1e" + part.encode())
    return h.hexdigest()
