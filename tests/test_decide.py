from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from xlate.decide import Verdict, judge_article, plan_files
from xlate.ingest import SourceFile
from xlate.model import Article, ArticleRecord, ArticleState, Block, BlockKind, FileRecord, FileStatus


def sf(rel: str, size: int = 10, mtime: int = 1) -> SourceFile:
    return SourceFile(rel=rel, path=Path("/in") / rel, size=size, mtime_ns=mtime)


def fr(rel: str, size: int = 10, mtime: int = 1, slug: str | None = None) -> FileRecord:
    return FileRecord(rel, size, mtime, "h", slug or rel.split(".")[0], FileStatus.ARTICLE)


def test_plan_new_changed_unchanged_gone() -> None:
    plan = plan_files(
        [sf("a.txt"), sf("b.txt", size=11), sf("c.txt")],
        {"a.txt": fr("a.txt"), "b.txt": fr("b.txt"), "d.txt": fr("d.txt")},
    )
    assert [f.rel for f in plan.to_read] == ["b.txt", "c.txt"]
    assert plan.unchanged == ("a.txt",)
    assert [g.rel for g in plan.gone] == ["d.txt"]
    assert not plan.idle


@given(
    st.dictionaries(st.sampled_from("abcdef"), st.tuples(st.integers(0, 3), st.integers(0, 3))),
    st.dictionaries(st.sampled_from("abcdef"), st.tuples(st.integers(0, 3), st.integers(0, 3))),
)
def test_plan_partitions_every_file(scanned: dict, stored: dict) -> None:  # type: ignore[type-arg]
    plan = plan_files([sf(k, *v) for k, v in sorted(scanned.items())], {k: fr(k, *v) for k, v in stored.items()})
    read = {f.rel for f in plan.to_read}
    assert read | set(plan.unchanged) == set(scanned)
    assert not read & set(plan.unchanged)
    assert {g.rel for g in plan.gone} == set(stored) - set(scanned)
    assert plan.idle == (not read and not plan.gone)


def art(slug: str, source: str, text: str = "Tekstas.") -> Article:
    return Article(slug=slug, source=source, title="Antraštė", blocks=(Block(BlockKind.PARAGRAPH, text),))


def rec(a: Article, state: ArticleState = ArticleState.READY) -> ArticleRecord:
    return ArticleRecord(a.slug, a.source, a.content_hash, a, None, state)


def test_judge_new_same_changed() -> None:
    a = art("a", "a.txt")
    assert judge_article(a, {}, {"a.txt"}) == (Verdict.NEW, None)
    assert judge_article(a, {"a": rec(a)}, {"a.txt"}) == (Verdict.SAME, None)
    edited = art("a", "a.txt", "Kitas tekstas.")
    assert judge_article(edited, {"a": rec(a)}, {"a.txt"}) == (Verdict.CHANGED, None)
    assert judge_article(a, {"a": rec(a, ArticleState.RETRACTED)}, {"a.txt"}) == (Verdict.NEW, None)
    assert judge_article(a, {"a": rec(a, ArticleState.PENDING)}, {"a.txt"}) == (Verdict.CHANGED, None)


def test_judge_duplicate_and_slug_taken() -> None:
    a = art("a", "a.txt")
    copy = art("a-kopija", "a-kopija.txt")
    assert judge_article(copy, {"a": rec(a)}, {"a.txt", "a-kopija.txt"}) == (Verdict.DUPLICATE, "a")
    # The original is gone: the copy stands alone.
    assert judge_article(copy, {"a": rec(a)}, {"a-kopija.txt"})[0] is Verdict.NEW
    same_slug = art("a", "a.md", "Visai kitas.")
    assert judge_article(same_slug, {"a": rec(a)}, {"a.txt", "a.md"}) == (Verdict.SLUG_TAKEN, "a.txt")


def test_pages_to_render_changed_keys_missing_files_or_everything() -> None:
    from xlate.decide import pages_to_render

    keys = {"a": "k1", "b": "k2", "c": "k3", "d": "k4"}
    stored = {"a": "k1", "b": "old", "c": "k3", "gone": "k9"}
    files = {s: [f"lt/{s}.html", f"en/{s}.html"] for s in keys}
    present = {"lt/a.html", "en/a.html", "lt/b.html", "en/b.html", "lt/c.html", "lt/d.html", "en/d.html"}
    # b: key changed; c: its English page is missing; d: never rendered (no stored key).
    assert pages_to_render(keys, stored, files, present) == {"b", "c", "d"}
    assert pages_to_render(keys, stored, files, None) == set(keys)
    assert pages_to_render({}, stored, {}, present) == set()
