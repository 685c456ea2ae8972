"""One run: the stages in order, under the run lock, with SIGTERM/SIGINT honoured at safe points.

Each stage lives in `xlate.stages` and the rules in `xlate.decide`; this module only says in
which order they run. Every state change is a transaction inside a stage, so a run killed
anywhere is completed by the next one.
"""

from __future__ import annotations

import functools
import logging
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING

from xlate import decide, drafts
from xlate.config import Config
from xlate.errors import Interrupted, UsageError, XlateError
from xlate.lock import run_lock
from xlate.model import ArticleState, RunReport, Warned
from xlate.stages import ingest, models, publish, record, retract, scan, schedule, translate
from xlate.store import Store
from xlate.translate.packages import require_routes

if TYPE_CHECKING:
    from xlate.translate import Batch, Limits, Progress
    from xlate.translate.protect import Glossary

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunOptions:
    settle_seconds: float | None = None  # override config.ingest.settle_seconds
    wait_seconds: float = 0.0  # wait this long for another run's lock
    on_batch: Callable[[Batch], None] | None = None  # progress hook: before each batch is decoded
    progress: Callable[[Progress], None] | None = None  # after each chunk: sentences done/total per model
    max_seconds: float | None = None  # override config.run.max_seconds
    republish: bool = False  # render and sync every output even if nothing changed
    force: tuple[str, ...] = ()  # slugs whose held translations an editor releases as they are
    now: datetime | None = None  # the run's time (tests inject it); None: the clock


class _Stop:
    """Turns SIGTERM/SIGINT into a flag checked at safe points."""

    def __init__(self) -> None:
        self.requested = False

    def __call__(self, signum: int, frame: FrameType | None) -> None:
        self.requested = True
        log.warning("signal %d received: stopping at the next safe point", signum)

    def check(self) -> None:
        if self.requested:
            raise Interrupted("stopped by a signal; the next run completes the work")


@contextmanager
def _signals(stop: _Stop) -> Iterator[None]:
    old = {s: signal.getsignal(s) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        for s in old:
            signal.signal(s, stop)
    except ValueError:  # not the main thread (tests): no handlers, no harm
        old = {}
    try:
        yield
    finally:
        for s, h in old.items():
            signal.signal(s, h)


def run(cfg: Config, opts: RunOptions | None = None) -> RunReport:
    """One complete run. Raises lock.Busy when another run holds the lock.

    `report.settled` says whether the run left nothing for a later one (the CLI then leaves
    a no-op stamp, still under the lock: run_lock is re-entrant within a process)."""
    opts = opts or RunOptions()
    with run_lock(cfg.paths.state, opts.wait_seconds):
        store = Store(cfg.paths.state)
        stop = _Stop()
        try:
            with _signals(stop):
                return _recorded(cfg, opts, store, stop.check)
        finally:
            store.close()


@dataclass(frozen=True)
class _Run:
    """What every stage of one run shares."""

    cfg: Config
    opts: RunOptions
    store: Store
    check: Callable[[], None]  # raises Interrupted at a safe point after SIGTERM/SIGINT
    now: datetime


def _recorded(cfg: Config, opts: RunOptions, store: Store, check: Callable[[], None]) -> RunReport:
    """The stages, with the run and its report in the runs table whatever happens."""
    now = opts.now or datetime.now(UTC)
    report = RunReport()
    run_id = store.start_run(now)
    status = "failed"
    try:
        _stages(_Run(cfg, opts, store, check, now), report)
        status = "ok"
        return report
    except Interrupted:
        status = "interrupted"
        raise
    finally:
        store.finish_run(run_id, opts.now or datetime.now(UTC), status, report.as_json())


def _stages(r: _Run, report: RunReport) -> None:
    cfg, opts, store, check, now = r.cfg, r.opts, r.store, r.check, r.now
    settle = cfg.ingest.settle_seconds if opts.settle_seconds is None else opts.settle_seconds
    limits = _limits(cfg, opts, check)
    found = scan.scan_input(cfg, settle, time.time())  # settling is about the real file system
    plan = decide.plan_files(found.files, store.files())
    glossary = functools.cache(lambda: models.load_glossary(cfg))  # read only when a route needs it
    key = models.translation_key(cfg, glossary)
    models.invalidate_if_changed(store, key)
    _apply_options(store, opts)
    report.published += len(schedule.release_due(store, now))
    if not store.publish_pending() and (scan.outputs_missing(cfg) or publish.site_changed(cfg, store)):
        with store.transaction():
            store.mark_publish_pending(True)
    if plan.idle and not store.pending_articles() and not store.publish_pending():
        report.scheduled = store.scheduled(now)
        report.unchanged = store.count_ready() - len(report.scheduled)
        report.settled = None if found.waiting else report.unchanged
        return

    report.retracted = retract.retract(store, plan.gone, found.live, cfg.ingest.on_delete)
    # Retracting an original drops its duplicates' records: plan again so they are read now.
    to_read = decide.plan_files(found.files, store.files()).to_read if plan.gone else plan.to_read
    check()
    if to_read or store.pending_articles():
        # Fail before touching input/ when a model is missing (exit 3, nothing moved).
        require_routes(cfg.paths.models, cfg.source_lang, cfg.targets, cfg.pivot)
    ingested = ingest.ingest(cfg, store, to_read, found.live, now, check)
    report.quarantined += ingested.quarantined
    report.duplicates += ingested.duplicates
    report.warnings += ingested.warnings
    check()
    recorded = _translate_and_record(r, report, key, glossary, limits)
    check()
    if store.publish_pending():
        done = publish.publish(cfg, store, opts.republish, now)
        report.feeds = [str(p) for p in done.written]
        # Warnings about outputs (an entry shortened to fit feeds.max_bytes) name the feed file.
        report.warnings += [Warned(f"{cfg.paths.feeds.name}/", w) for w in done.warnings]
        # Editors' drafts follow what was published (xlate.drafts), within the run's time.
        budget = drafts.DraftBudget(recorded, functools.partial(_time_up, limits), limits.should_stop)
        if not drafts.sync_drafts(cfg, store, now=now, budget=budget).pending:
            with store.transaction():
                store.mark_publish_pending(False)  # outputs and drafts both done
        check()  # a signal ends the drafts step before its next draft (the rest wait): exit 130
    report.scheduled = store.scheduled(now)
    ready = store.count_ready()
    report.unchanged = max(0, ready - report.published - report.updated - len(report.scheduled))
    if decide.settled(found.waiting, bool(store.pending_articles()), store.publish_pending()):
        report.settled = ready


def _translate_and_record(
    r: _Run, report: RunReport, key: str | None, glossary: Callable[[], Glossary], limits: Limits
) -> set[str]:
    """Translate within the budget and record what completed; returns the slugs recorded."""
    cfg, store = r.cfg, r.store
    done = translate.translate(cfg, store, glossary, limits, translate.Hooks(r.opts.on_batch, r.opts.progress))
    if done.waiting:
        log.info("%d articles wait for the next run (%s)", len(done.waiting), done.stopped or "incomplete")
    # What was decoded counts even when no article completed (a spent budget mid-window).
    report.routes = done.routes
    report.decoded_sentences = done.decoded
    report.decode_seconds = done.seconds
    report.memory_hits += done.memory_hits
    report.flagged += done.flagged
    if not done.articles:
        return set()
    r.check()
    for rec, versions in done.articles:
        outcome = record.record(store, rec, versions, r.now, cfg.source_lang)
        if outcome is decide.Outcome.PUBLISHED:
            report.published += 1
        elif outcome is decide.Outcome.UPDATED:
            report.updated += 1
    if key is not None:
        with store.transaction():
            store.set_translation_key(key)
    return {rec.slug for rec, _ in done.articles}


def _time_up(limits: Limits) -> bool:
    """The run's time budget is spent."""
    return limits.deadline is not None and time.monotonic() >= limits.deadline


def _limits(cfg: Config, opts: RunOptions, check: Callable[[], None]) -> Limits:
    """The translate stage's budget: chunk size, the run's deadline, and the signal check."""
    from xlate.translate import Limits

    def should_stop() -> bool:
        try:
            check()
        except Interrupted:
            return True  # the stage returns what is complete; the next check() ends the run (130)
        return False

    budget = cfg.run.max_seconds if opts.max_seconds is None else opts.max_seconds
    deadline = None if budget is None else time.monotonic() + budget
    return Limits(chunk_tokens=cfg.translate.chunk_tokens, deadline=deadline, should_stop=should_stop)


def _apply_options(store: Store, opts: RunOptions) -> None:
    """`xlate publish`: every output again; `--force SLUG`: release its held translations."""
    if not (opts.republish or opts.force):
        return
    known = store.articles()
    with store.transaction():
        for slug in opts.force:
            if slug not in known or known[slug].state is not ArticleState.READY:
                raise UsageError(f"{slug!r} is not a published article; `xlate status` lists the flagged ones")
            n = store.force_renditions(slug)
            log.warning("released %d held translation(s) of %s", n, slug)
        store.mark_publish_pending(True)


__all__ = ["RunOptions", "XlateError", "run"]
