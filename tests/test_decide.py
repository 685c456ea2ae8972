from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from xlate.decide import Verdict, judge_article, plan_files
from xlate.ingest import SourceFile
from xlate.model import Article, ArticleRecord, ArticleState, Block, BlockKind, FileRecord, FileStatus

VILNIUS = ZoneInfo("Europe/Vilnius")


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


# -- the run's rules ----------------------------------------------------------------------

STATES = list(ArticleState)
STATUSES = list(FileStatus)


@given(st.sampled_from(STATUSES), st.sampled_from([*STATES, None]), st.sampled_from(["retract", "keep"]), st.booleans())
def test_on_delete(status: FileStatus, state: ArticleState | None, policy: str, same_source: bool) -> None:
    from xlate.decide import GoneAction, on_delete

    a = art("a", "a.txt")
    gone = FileRecord("a.txt", 1, 1, "h", "a", status)
    holder = None if state is None else ArticleRecord("a", "a.txt" if same_source else "b.txt", "c", a, None, state)
    action = on_delete(gone, holder, policy)
    if status is FileStatus.REVIEW:
        assert action is GoneAction.DROP_REVIEW
    elif status is FileStatus.DUPLICATE or holder is None or not same_source or state is ArticleState.RETRACTED:
        assert action is GoneAction.FORGET  # nothing of its own is published
    else:
        assert action is (GoneAction.KEEP if policy == "keep" else GoneAction.RETRACT)
    # A record without a slug published nothing, whatever it was.
    assert on_delete(FileRecord("x.txt", 1, 1, "h", None, status), holder, policy) is GoneAction.FORGET


def test_use_review_fresh_always_stale_by_policy() -> None:
    from xlate.decide import use_review
    from xlate.model import Review

    original = art("a", "a.txt")
    fresh = Review("a.pl.md", "a", "pl", art("a-pl", "a.pl.md"), original.text_hash)
    stale = Review("a.pl.md", "a", "pl", art("a-pl", "a.pl.md"), "older")
    early = Review("a.pl.md", "a", "pl", art("a-pl", "a.pl.md"), None)  # saved before its original arrived
    for policy in ("publish", "machine"):
        assert use_review(fresh, original.text_hash, policy)
        assert use_review(early, original.text_hash, policy)
        assert not use_review(None, original.text_hash, policy)
    assert use_review(stale, original.text_hash, "publish")
    assert not use_review(stale, original.text_hash, "machine")


@given(st.sampled_from(STATES), st.booleans(), st.booleans())
def test_outcome_counts_first_publication_once(state: ArticleState, seen: bool, changed: bool) -> None:
    from xlate.decide import Outcome, outcome

    a = art("a", "a.txt")
    r = ArticleRecord("a", "a.txt", a.content_hash, a, datetime(2026, 1, 1, tzinfo=UTC) if seen else None, state)
    got = outcome(r, changed)
    assert outcome(r, changed, scheduled=True) is Outcome.SCHEDULED  # counted when its date comes
    if not seen or state is ArticleState.RETRACTED:
        assert got is Outcome.PUBLISHED
    else:
        assert got is (Outcome.UPDATED if changed else Outcome.UNCHANGED)


@given(st.booleans(), st.booleans(), st.sampled_from(["publish", "hold"]))
def test_held_only_flagged_unforced_under_hold(flagged: bool, forced: bool, policy: str) -> None:
    from xlate.decide import held

    assert held(flagged, forced, policy) == (policy == "hold" and flagged and not forced)


@given(st.booleans(), st.booleans(), st.booleans())
def test_settled_only_when_nothing_waits(waiting: bool, pending: bool, publish: bool) -> None:
    from xlate.decide import settled

    assert settled(waiting, pending, publish) == (not waiting and not pending and not publish)


@given(
    st.dictionaries(
        st.sampled_from(["lt", "en", "pl"]),
        st.lists(st.tuples(st.sampled_from("abcdefgh"), st.integers(0, 20)), unique_by=lambda t: t[0]),
    ),
    st.sets(st.sampled_from("abcdefgh")),
    st.integers(0, 4),
)
def test_with_text_is_pages_plus_newest_per_language(
    by_lang: dict[str, list[tuple[str, int]]], pages: set[str], max_items: int
) -> None:
    from xlate.decide import with_text

    def order(items: list[tuple[str, int]]) -> list[tuple[str, int]]:
        return sorted(items, key=lambda t: (-t[1], t[0]))

    listed = {lang: [(slug, t, lang) for slug, t in items] for lang, items in by_lang.items()}
    got = with_text(
        listed,
        pages,
        max_items,
        lambda rs: [(s, t, lg) for s, t, lg in sorted(rs, key=lambda r: (-r[1], r[0]))],
        lambda r: (r[0], r[2]),
    )
    want = {(s, lang) for lang, items in by_lang.items() for s, _ in items if s in pages}
    want |= {(s, lang) for lang, items in by_lang.items() for s, _ in order(items)[:max_items]}
    assert got == want


# -- dates --------------------------------------------------------------------------------

TIMES = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.sampled_from([UTC, VILNIUS])
)


@given(st.one_of(st.none(), TIMES), TIMES)
def test_published_is_the_articles_date_else_first_seen(date: datetime | None, first_seen: datetime) -> None:
    from xlate.decide import published_time

    got = published_time(date, first_seen)
    if date is None:
        assert got == first_seen
    else:
        assert got.tzinfo == UTC and got.microsecond == 0
        assert timedelta(0) <= date - got < timedelta(seconds=1)


@given(st.one_of(st.none(), TIMES), TIMES, st.integers(1, 5000))
def test_date_warning_outside_the_window_only(date: datetime | None, now: datetime, window: int) -> None:
    from xlate.decide import date_warning, is_scheduled

    warning = date_warning(date, now, window)
    if date is None or abs(date - now) <= timedelta(days=window):
        assert warning is None
    else:
        assert warning is not None and date.date().isoformat() in warning
        assert ("future" in warning) == is_scheduled(date, now)
