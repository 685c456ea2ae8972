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


def text_index(articles: Mapping[str, ArticleRecord], live_sources: set[str]) -> dict[str, ArticleRecord]:
    """Live articles by the hash of their words: what a new file could duplicate."""
    return {
        rec.article.text_hash: rec
        for rec in sorted(articles.values(), key=lambda r: r.slug, reverse=True)
        if rec.state != "retracted" and rec.source_rel in live_sources
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
    live = existing is not None and existing.state != "retracted"
    if existing is not None and live and existing.source_rel != rel and existing.source_rel in live_sources:
        return Verdict.SLUG_TAKEN, existing.source_rel
    index = text_index(articles, live_sources) if by_text is None else by_text
    twin = index.get(article.text_hash)
    if twin is not None and twin.slug != article.slug and twin.source_rel != rel:
        return Verdict.DUPLICATE, twin.slug
    if existing is None or not live:
        return Verdict.NEW, None
    if existing.content_hash == article.content_hash and existing.state == "ready":
        return Verdict.SAME, None
    return Verdict.CHANGED, None


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
