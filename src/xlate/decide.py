"""Pure decisions: what in input/ is new, changed or gone, what an article is, what a run
does with it, and what a publish renders.

Nothing here touches the disk or the database (it imports records and the stat-only
SourceFile, nothing that does I/O); the stages feed it values and act on the answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, TypeVar

from xlate.model import Article, ArticleRecord, ArticleState, FileRecord, FileStatus, Review

if TYPE_CHECKING:
    from xlate.ingest.scan import SourceFile


@dataclass(frozen=True)
class FilePlan:
    to_read: tuple[SourceFile, ...]  # new, or size/mtime differ from what we stored
    unchanged: tuple[str, ...]
    gone: tuple[FileRecord, ...]  # stored, no longer in input/

    @property
    def idle(self) -> bool:
        return not self.to_read and not self.gone


def plan_files(scanned: Iterable[SourceFile], stored: Mapping[str, FileRecord]) -> FilePlan:
    seen: set[str] = set()
    to_read: list[SourceFile] = []
    unchanged: list[str] = []
    for f in scanned:
        seen.add(f.rel)
        rec = stored.get(f.rel)
        if rec is not None and rec.size == f.size and rec.mtime_ns == f.mtime_ns:
            unchanged.append(f.rel)
        else:
            to_read.append(f)
    gone = tuple(rec for rel, rec in sorted(stored.items()) if rel not in seen)
    return FilePlan(tuple(to_read), tuple(unchanged), gone)


# -- gone files ---------------------------------------------------------------------------


class GoneAction(StrEnum):
    FORGET = "forget"  # nothing was published from it (a duplicate, an unknown record, already retracted)
    DROP_REVIEW = "drop_review"  # a reviewed translation: machine translation takes that language back
    KEEP = "keep"  # ingest.on_delete: keep -- the article stays published
    RETRACT = "retract"  # take the article down in every language


def on_delete(rec: FileRecord, article: ArticleRecord | None, policy: str) -> GoneAction:
    """What a file that left input/ means for what it published (`policy` is ingest.on_delete)."""
    if rec.slug is None:
        return GoneAction.FORGET
    if rec.status is FileStatus.REVIEW:
        return GoneAction.DROP_REVIEW
    if rec.status is not FileStatus.ARTICLE or article is None:
        return GoneAction.FORGET
    if article.source_rel != rec.rel or article.state is ArticleState.RETRACTED:
        return GoneAction.FORGET  # another file holds the slug now, or it is down already
    return GoneAction.KEEP if policy == "keep" else GoneAction.RETRACT


# -- a parsed article ---------------------------------------------------------------------


class Verdict(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    SAME = "same"
    DUPLICATE = "duplicate"
    SLUG_TAKEN = "slug_taken"


def text_index(articles: Mapping[str, ArticleRecord], live_sources: set[str]) -> dict[str, ArticleRecord]:
    """Live articles by the hash of their words: what a new file could duplicate."""
    return {
        rec.article.text_hash: rec
        for rec in sorted(articles.values(), key=lambda r: r.slug, reverse=True)
        if rec.state is not ArticleState.RETRACTED and rec.source_rel in live_sources
    }


def judge_article(
    article: Article,
    articles: Mapping[str, ArticleRecord],
    live_sources: set[str],
    by_text: Mapping[str, ArticleRecord] | None = None,
) -> tuple[Verdict, str | None]:
    """Classify a freshly parsed article against what is stored.

    `by_text` is `text_index(articles, live_sources)`, passed in when judging many files.
    Returns the verdict and, for DUPLICATE/SLUG_TAKEN, the other party (slug or file).
    """
    rel = article.source
    existing = articles.get(article.slug)
    live = existing is not None and existing.state is not ArticleState.RETRACTED
    if existing is not None and live and existing.source_rel != rel and existing.source_rel in live_sources:
        return Verdict.SLUG_TAKEN, existing.source_rel
    index = text_index(articles, live_sources) if by_text is None else by_text
    twin = index.get(article.text_hash)
    if twin is not None and twin.slug != article.slug and twin.source_rel != rel:
        return Verdict.DUPLICATE, twin.slug
    if existing is None or not live:
        return Verdict.NEW, None
    if existing.content_hash == article.content_hash and existing.state is ArticleState.READY:
        return Verdict.SAME, None
    return Verdict.CHANGED, None


# -- translate and record -----------------------------------------------------------------


def use_review(review: Review | None, original_text_hash: str, stale_policy: str) -> bool:
    """Whether an editor's translation is published instead of machine translation.

    A review always wins while it matches its original; once the original changed, it wins
    only with editorial.stale_review: publish (`stale_policy`)."""
    if review is None:
        return False
    return not review.stale(original_text_hash) or stale_policy == "publish"


class Outcome(StrEnum):
    PUBLISHED = "published"  # first publication (or again after a retraction)
    UPDATED = "updated"  # some language version changed
    UNCHANGED = "unchanged"  # translated again, every version came out the same
    SCHEDULED = "scheduled"  # stored, but its date is still to come: published by a later run


def outcome(record: ArticleRecord, changed_any: bool, scheduled: bool = False) -> Outcome:
    """How one recorded article counts in the run's report (`scheduled`: its date is to come)."""
    if scheduled:
        return Outcome.SCHEDULED
    if record.published_at is None or record.state is ArticleState.RETRACTED:
        return Outcome.PUBLISHED
    return Outcome.UPDATED if changed_any else Outcome.UNCHANGED


# -- dates --------------------------------------------------------------------------------


def published_time(article_date: datetime | None, first_seen: datetime) -> datetime:
    """An entry's `published`: the editor's date for the article (to the second, UTC), else
    when xlate first published it. It orders the feeds, so a backfilled archive lands where
    its dates put it, not on top."""
    if article_date is None:
        return first_seen
    return article_date.astimezone(UTC).replace(microsecond=0)


def is_scheduled(published: datetime, now: datetime) -> bool:
    """A version dated after the run's time is held until a run at or after that time."""
    return published > now


def date_warning(article_date: datetime | None, now: datetime, window_days: int) -> str | None:
    """A warning for a date further than `window_days` from now (ingest.date_window_days)."""
    if article_date is None or abs(article_date - now) <= timedelta(days=window_days):
        return None
    when = "in the future" if article_date > now else "in the past"
    return (
        f"its date {article_date.date().isoformat()} is more than {window_days} days {when}; "
        "check `date:` (it is used as given: "
        + ("the article is held until then" if article_date > now else "the article is listed under that date")
        + ")"
    )


def settled(waiting: bool, pending_articles: bool, publish_pending: bool) -> bool:
    """A run leaves nothing for a later run (so a no-op stamp may be written) when no file is
    still settling, no article waits for translation and the feeds are written."""
    return not (waiting or pending_articles or publish_pending)


# -- publish ------------------------------------------------------------------------------


def held(flagged: bool, forced: bool, on_flag: str) -> bool:
    """A flagged translation stays out of its language's outputs with editorial.on_flag: hold,
    until an editor forces it out (`xlate publish --force SLUG`) or a review replaces it."""
    return on_flag == "hold" and flagged and not forced


H = TypeVar("H")


def with_text(
    by_lang: Mapping[str, Sequence[H]],
    pages: Iterable[str],
    max_items: int,
    order: Callable[[Sequence[H]], list[H]],
    key: Callable[[H], tuple[str, str]],
) -> set[tuple[str, str]]:
    """The (slug, lang) renditions a publish reads with their full text: every language version
    of the slugs whose pages are rendered, and the newest `max_items` per language (`order`
    sorts newest first), which the feeds carry. The rest are listed by title only."""
    wanted = set(pages)
    out = {key(r) for rs in by_lang.values() for r in rs if key(r)[0] in wanted}
    for rs in by_lang.values():
        out.update(key(r) for r in order(rs)[:max_items])
    return out


def pages_to_render(
    keys: Mapping[str, str],
    stored: Mapping[str, str],
    page_files: Mapping[str, Iterable[str]],
    present: set[str] | None,
) -> set[str]:
    """Slugs whose article pages must be rendered this run.

    `keys` is each published slug's page key now, `stored` the key its pages were last
    written with, `page_files` each slug's page files ("lang/slug.html"), `present` the page
    files on disk, or None to render every page (config or xlate changed, `xlate publish`).
    """
    if present is None:
        return set(keys)
    return {
        slug
        for slug, key in keys.items()
        if stored.get(slug) != key or any(f not in present for f in page_files.get(slug, ()))
    }


def newest_first(records: Sequence[ArticleRecord], mtime_ns: Mapping[str, int]) -> list[ArticleRecord]:
    """Translation priority: the newest article first, so that today's news goes out in the first
    run even behind an archive. Newest by the editor's date, else by its file's modification time
    (`mtime_ns` by source path); ties by slug, so the order is stable."""

    def when(r: ArticleRecord) -> float:
        return r.article.date.timestamp() if r.article.date else mtime_ns.get(r.source_rel, 0) / 1e9

    return sorted(records, key=lambda r: (-when(r), r.slug))
