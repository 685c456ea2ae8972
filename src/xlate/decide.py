"""Pure decisions: what in input/ is new, changed or gone, and what an article is.

Nothing here touches the disk or the database; the pipeline feeds it values.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from xlate.ingest import SourceFile
from xlate.model import Article
from xlate.store import ArticleRecord, FileRecord


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


class Verdict(StrEnum):
    NEW = "new"
    CHANGED = "changed"
    SAME = "same"
    DUPLICATE = "duplicate"
    SLUG_TAKEN = "slug_taken"


def judge_article(
    article: Article, articles: Mapping[str, ArticleRecord], live_sources: set[str]
) -> tuple[Verdict, str | None]:
    """Classify a freshly parsed article against what is stored.

    Returns the verdict and, for DUPLICATE/SLUG_TAKEN, the other party (slug or file).
    """
    rel = article.source
    existing = articles.get(article.slug)
    live = existing is not None and existing.state != "retracted"
    if existing is not None and live and existing.source_rel != rel and existing.source_rel in live_sources:
        return Verdict.SLUG_TAKEN, existing.source_rel
    th = article.text_hash
    for rec in articles.values():
        if (
            rec.slug != article.slug
            and rec.state != "retracted"
            and rec.source_rel in live_sources
            and rec.source_rel != rel
            and rec.article.text_hash == th
        ):
            return Verdict.DUPLICATE, rec.slug
    if existing is None or not live:
        return Verdict.NEW, None
    if existing.content_hash == article.content_hash and existing.state == "ready":
        return Verdict.SAME, None
    return Verdict.CHANGED, None
