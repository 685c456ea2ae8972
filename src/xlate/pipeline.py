"""Orchestration of one run: lock, scan, decide, ingest, translate, publish, record.

Decisions live in decide.py and the stages; this module only wires them, keeps
state transitions inside transactions, and records per-file failures so that
one bad file never stops the others.
"""

from __future__ import annotations

import hashlib
import logging
import signal
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING, NamedTuple

from xlate import decide
from xlate.config import Config
from xlate.errors import ConfigError, InputError, Interrupted, UsageError, XlateError
from xlate.ingest import SourceFile, scan
from xlate.lock import run_lock
from xlate.model import Article, Block, Quarantined, Rendition, RunReport, text_hash
from xlate.quarantine import quarantine_file
from xlate.store import ArticleRecord, FileRecord, Review, Store
from xlate.translate.packages import installed, plan_routes, require_routes, route_label
from xlate.translate.protect import Glossary

if TYPE_CHECKING:
    from xlate.translate import Batch

log = logging.getLogger(__name__)


class Version(NamedTuple):
    """One language version of an article, as the translate step hands it to the store."""

    title: str
    blocks: tuple[Block, ...]
    flagged: bool = False
    reviewed: bool = False


@dataclass(frozen=True)
class Stamp:
    """What the CLI hands over so that a run can leave a no-op stamp (see xlate.noop)."""

    config: str  # the config file's path, as given
    config_seen: str  # noop.config_stat() taken before the config was loaded
    render: Callable[[RunReport], tuple[str, str, str]]  # a no-op's text, --json and JSON-log output


@dataclass(frozen=True)
class RunOptions:
    settle_seconds: float | None = None  # override config.ingest.settle_seconds
    wait_seconds: float = 0.0  # wait this long for another run's lock
    on_batch: Callable[[Batch], None] | None = None  # progress hook: before each batch is decoded
    republish: bool = False  # render and sync every output even if nothing changed
    force: tuple[str, ...] = ()  # slugs whose held translations an editor releases as they are
    stamp: Stamp | None = None  # leave a no-op stamp when the run ends with nothing left to do


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
    """One complete run. Raises lock.Busy when another run holds the lock."""
    from xlate import noop

    opts = opts or RunOptions()
    with run_lock(cfg.paths.state, opts.wait_seconds):
        seen = None
        if opts.stamp is not None:
            noop.remove(opts.stamp.config)
            p = cfg.paths
            seen = noop.before(opts.stamp.config_seen, str(p.input), str(p.models), str(p.glossary or ""))
        store = Store(cfg.paths.state)
        stop = _Stop()
        try:
            with _signals(stop):
                the_run = _Run(cfg, opts, store, stop.check)
                report = the_run.execute()
        finally:
            store.close()
        if opts.stamp is not None and seen is not None and the_run.settled is not None:
            _write_stamp(cfg, opts.stamp, seen, the_run.settled)
        return report


def _write_stamp(cfg: Config, stamp: Stamp, seen: str, ready: int) -> None:
    from xlate import __version__, noop

    p = cfg.paths
    text, as_json, json_log = stamp.render(RunReport(unchanged=ready))
    noop.write(
        stamp.config,
        version=__version__,
        paths=(str(p.input), str(p.models), str(p.glossary or ""), str(p.state), str(p.feeds)),
        langs=cfg.all_langs,
        fingerprint=seen + "\0" + noop.after(str(p.state), str(p.feeds), cfg.all_langs),
        summary=text,
        json_report=as_json,
        json_log=json_log,
    )


class _Run:
    def __init__(self, cfg: Config, opts: RunOptions, store: Store, check: Callable[[], None]) -> None:
        self.cfg = cfg
        self.opts = opts
        self.store = store
        self.check = check
        self.report = RunReport()
        self.now = datetime.now(UTC)
        self._glossary_cache: Glossary | None = None
        # Set when the run ends with nothing left for a later run: the number of published
        # articles, which a no-op stamp reports. None when something waits (settling file,
        # pending article or publish) or the run failed.
        self.settled: int | None = None

    # -- the run -----------------------------------------------------------------------
    def execute(self) -> RunReport:
        cfg, store = self.cfg, self.store
        run_id = store.start_run(self.now)
        status = "failed"
        try:
            settle = cfg.ingest.settle_seconds if self.opts.settle_seconds is None else self.opts.settle_seconds
            cfg.paths.input.mkdir(parents=True, exist_ok=True)
            scanned, skipped = scan(cfg.paths.input, settle_seconds=settle, now=time.time())
            for s in skipped:
                log.info("skipped %s: %s", s.rel, s.why)
            waiting = any(s.waiting for s in skipped)
            stored_files = store.files()
            plan = decide.plan_files(scanned, stored_files)
            self._invalidate_if_models_changed()
            self._apply_options()
            pending = store.pending_articles()
            publish_pending = store.get_meta("publish_pending") == "1"
            if not publish_pending and self._outputs_missing():
                with store.transaction():
                    store.set_meta("publish_pending", "1")
                publish_pending = True

            if plan.idle and not pending and not publish_pending:
                self.report.unchanged = store.count_ready()
                status = "ok"
                self.settled = None if waiting else self.report.unchanged
                return self.report

            self._retract(plan.gone, {f.rel for f in scanned})
            # Retracting an original drops its duplicates' records: plan again so they are read now.
            to_read = decide.plan_files(scanned, store.files()).to_read if plan.gone else plan.to_read
            self.check()
            if to_read or pending:
                # Fail before touching input/ when a model is missing (exit 3, nothing moved).
                require_routes(cfg.paths.models, cfg.source_lang, cfg.targets, cfg.pivot)
            self._ingest(to_read, {f.rel for f in scanned}, store.files())
            self.check()
            self._translate_pending()
            self.check()
            self._publish()
            ready = store.count_ready()
            self.report.unchanged = max(0, ready - self.report.published - self.report.updated)
            status = "ok"
            left = waiting or store.pending_articles() or store.get_meta("publish_pending") == "1"
            self.settled = None if left else ready
            return self.report
        except Interrupted:
            status = "interrupted"
            raise
        finally:
            store.finish_run(run_id, datetime.now(UTC), status, self.report.as_json())

    def _apply_options(self) -> None:
        if not (self.opts.republish or self.opts.force):
            return
        known = self.store.articles()
        with self.store.transaction():
            for slug in self.opts.force:
                if slug not in known or known[slug].state != "ready":
                    raise UsageError(f"{slug!r} is not a published article; `xlate status` lists the flagged ones")
                n = self.store.force_renditions(slug)
                log.warning("released %d held translation(s) of %s", n, slug)
            self.store.set_meta("publish_pending", "1")

    def _outputs_missing(self) -> bool:
        """Feeds someone deleted are written again, even when nothing else changed (stat only)."""
        root = self.cfg.paths.feeds
        wanted = [root / "index.html", root / "feeds.opml"]
        wanted += [root / lang / name for lang in self.cfg.all_langs for name in ("rss.xml", "atom.xml", "feed.json")]
        return any(not p.is_file() for p in wanted)

    # -- models ------------------------------------------------------------------------
    def _translation_key(self) -> str | None:
        """Identity of everything that shapes a translation: routes, their models, the glossary."""
        cfg = self.cfg
        pkgs = installed(cfg.paths.models)
        routes, missing = plan_routes(set(pkgs), cfg.source_lang, cfg.targets, cfg.pivot)
        if missing:
            return None
        parts = sorted(f"{t}:{'|'.join(pkgs[p].model_id() for p in r)}" for t, r in routes.items())
        parts.append(f"glossary:{self._glossary().version}")
        return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]

    def _glossary(self) -> Glossary:
        if self._glossary_cache is None:
            path = self.cfg.paths.glossary
            try:
                self._glossary_cache = Glossary.load(path, self.cfg.targets)
            except FileNotFoundError:
                raise ConfigError(f"paths.glossary: {path} does not exist; create it or remove the key") from None
            except (ValueError, OSError) as e:
                raise ConfigError(f"paths.glossary: {e}") from None
        return self._glossary_cache

    def _invalidate_if_models_changed(self) -> None:
        """A new model version, a new direct package or a glossary edit re-translates every article.

        The memory is keyed by model identity and by the sentence with its placeholders,
        so only the sentences the change affects are decoded again; the others come from memory.
        """
        key = self._translation_key()
        old = self.store.get_meta("translation_key")
        if key is None or old is None or old == key:
            return
        with self.store.transaction():
            n = self.store.repend_ready_articles()
            self.store.set_meta("translation_key", key)
        log.info("the installed models or the glossary changed: %d articles will be translated again", n)

    # -- gone files --------------------------------------------------------------------
    def _retract(self, gone: tuple[FileRecord, ...], live: set[str]) -> None:
        if not gone:
            return
        store = self.store
        with store.transaction():
            articles = store.articles()
            for rec in gone:
                store.delete_file(rec.rel)
                if rec.status == "review" and rec.slug is not None:
                    store.delete_review(rec.rel)  # machine translation takes that language back
                    store.repend(rec.slug)
                    continue
                if rec.status != "article" or rec.slug is None:
                    continue
                art = articles.get(rec.slug)
                if art is None or art.source_rel != rec.rel or art.state == "retracted":
                    continue
                if self.cfg.ingest.on_delete == "keep":
                    log.info("%s was deleted; keeping %s published (ingest.on_delete: keep)", rec.rel, rec.slug)
                    continue
                store.set_article_state(rec.slug, "retracted")
                store.delete_renditions(rec.slug)
                # A file that duplicated this one must be read again: it may now stand alone.
                for rel, f in store.files().items():
                    if f.status == "duplicate" and f.slug == rec.slug and rel in live:
                        store.delete_file(rel)
                store.set_meta("publish_pending", "1")
                self.report.retracted += 1
                log.info("retracted %s (%s deleted)", rec.slug, rec.rel)

    # -- ingest ------------------------------------------------------------------------
    def _quarantine(self, rel: str, reason: str) -> None:
        moved = quarantine_file(self.cfg.paths.input, self.cfg.paths.quarantine, rel, reason)
        if moved is None:
            log.info("%s vanished while it was read; it will count as deleted", rel)
            return
        with self.store.transaction():
            self.store.put_quarantine(rel, reason, moved, self.now)
            self.store.delete_file(rel)
        self.report.quarantined.append(Quarantined(rel, reason))
        log.warning("quarantined %s: %s", rel, reason)

    def _ingest(self, to_read: tuple[SourceFile, ...], live: set[str], stored_files: dict[str, FileRecord]) -> None:
        if not to_read:
            return
        from xlate.detect import detect_article
        from xlate.ingest import check_size, parse_article

        cfg, store = self.cfg, self.store
        for f in to_read:
            self.check()
            try:
                check_size(f.rel, f.size, cfg.ingest)
                try:
                    data = f.path.read_bytes()
                except FileNotFoundError:
                    continue  # deleted mid-run: the next run sees it gone
                except OSError as e:
                    raise InputError(f"{f.rel}: cannot be read ({e.strerror}); check the file's permissions") from None
                raw_hash = hashlib.sha256(data).hexdigest()
                old = stored_files.get(f.rel)
                if old is not None and old.raw_hash == raw_hash:
                    with store.transaction():  # touched, not changed
                        store.put_file(FileRecord(f.rel, f.size, f.mtime_ns, raw_hash, old.slug, old.status))
                    continue
                article = parse_article(f.rel, data, cfg.ingest)
                expected = article.declared_lang if article.translation_of else cfg.source_lang
                if article.translation_of and expected not in cfg.targets:
                    raise InputError(
                        f"{f.rel}: a reviewed translation into {expected!r}, but the targets are "
                        f"{', '.join(cfg.targets)}; fix `lang:` or the file name"
                    )
                detection = detect_article(article, source_lang=expected or cfg.source_lang, cfg=cfg.detect)
                for note in (*article.notes, *detection.notes):
                    log.info("%s: %s", f.rel, note)
            except InputError as e:
                self._quarantine(f.rel, str(e))
                continue
            if article.translation_of:
                self._ingest_review(f, raw_hash, article)
                continue
            # Only what this article could clash with is read: its slug and its words' twins
            # (every earlier file of this run is in the store already).
            existing = store.article(article.slug)
            same_slug = {} if existing is None else {article.slug: existing}
            twins = decide.text_index(store.articles_with_text(article.text_hash), live)
            verdict, other = decide.judge_article(article, same_slug, live, twins)
            with store.transaction():
                if verdict is decide.Verdict.SLUG_TAKEN:
                    pass
                elif verdict is decide.Verdict.DUPLICATE:
                    store.put_file(FileRecord(f.rel, f.size, f.mtime_ns, raw_hash, other, "duplicate"))
                    self.report.duplicates.append({"file": f.rel, "duplicate_of": str(other)})
                    log.warning("%s has the same text as %s; published once", f.rel, other)
                else:
                    store.put_file(FileRecord(f.rel, f.size, f.mtime_ns, raw_hash, article.slug, "article"))
                    if verdict is not decide.Verdict.SAME:
                        store.put_article(article, detection.lang, detection.probability, "pending")
                if verdict is not decide.Verdict.SLUG_TAKEN:
                    store.delete_quarantine(f.rel)  # a fixed version was dropped in: nothing left to retry
            if verdict is decide.Verdict.SLUG_TAKEN:
                self._quarantine(
                    f.rel,
                    f"{f.rel}: its slug {article.slug!r} is already used by {other}; rename the file "
                    "or set a different `slug:` in its front matter",
                )

    def _ingest_review(self, f: SourceFile, raw_hash: str, article: Article) -> None:
        """Keep an editor's translation; it replaces MT for its language from now on."""
        store, slug, lang = self.store, str(article.translation_of), str(article.declared_lang)
        original = store.article(slug)
        base = original.article.text_hash if original is not None else None
        with store.transaction():
            for r in store.reviews(slug):
                if r.lang == lang and r.rel != f.rel:
                    store.delete_review(r.rel)  # the newest file for a language wins
            store.put_review(Review(f.rel, slug, lang, article, base))
            store.put_file(FileRecord(f.rel, f.size, f.mtime_ns, raw_hash, slug, "review"))
            store.delete_quarantine(f.rel)
            store.repend(slug)
        if original is None:
            log.warning("%s: reviewed translation of %r, which is not (yet) an article; kept for later", f.rel, slug)
        else:
            log.info("%s: reviewed %s translation of %s", f.rel, lang, slug)

    # -- translate ---------------------------------------------------------------------
    def _translate_pending(self) -> None:
        from xlate import segment
        from xlate.translate import is_quality_flag, translate_units
        from xlate.translate.engine import Engine
        from xlate.translate.protect import protect

        cfg, store = self.cfg, self.store
        slugs = store.pending_articles()
        if not slugs:
            return
        routes, pkgs = require_routes(cfg.paths.models, cfg.source_lang, cfg.targets, cfg.pivot)
        self.report.routes = {t: route_label(r) for t, r in routes.items()}
        key = self._translation_key()
        records = store.articles(slugs)
        pending = [records[s] for s in slugs]
        glossary = self._glossary()
        # Per article: units per block, each with its glossary terms and do-not-translate
        # spans replaced by placeholders.
        units = {
            r.slug: [
                [protect(u, glossary, r.article.keep) for u in block]
                for block in segment.segment(r.article.title, r.article.blocks)
            ]
            for r in pending
        }
        unique = sorted({u for per in units.values() for block in per for u in block}, key=lambda u: u.text)
        engine = Engine({p: pkgs[p] for r in routes.values() for p in r}, cfg.translate)
        store.memory_prune(pkgs[p].model_id() for p in pkgs)
        translated, stats = translate_units(unique, routes, pkgs, engine, store, on_batch=self.opts.on_batch)
        self.report.decoded_sentences = stats.decoded
        self.report.memory_hits += stats.memory_hits
        for pair, sentence, flag in stats.flagged:
            self.report.flagged.append({"route": pair, "sentence": sentence, "flag": flag})
        self.check()

        for rec in pending:
            a = rec.article
            reviews = {r.lang: r for r in store.reviews(a.slug)}
            versions: dict[str, Version] = {cfg.source_lang: Version(a.title, a.blocks)}
            for t in cfg.targets:
                review = reviews.get(t)
                if review is not None and (not review.stale(a.text_hash) or cfg.editorial.stale_review == "publish"):
                    versions[t] = Version(review.article.title, review.article.blocks, reviewed=True)
                    continue
                outs = [[translated[t][u] for u in block] for block in units[a.slug]]
                flagged = any(is_quality_flag(f) for block in outs for o in block for f in o.flags)
                per_block = [[o.text for o in block] for block in outs]
                title, blocks = segment.rebuild(per_block[0], per_block[1:], a.blocks)
                versions[t] = Version(title, blocks, flagged=flagged)
            self._record(rec, versions)
        if key is not None:
            with store.transaction():
                store.set_meta("translation_key", key)

    def _record(self, rec: ArticleRecord, versions: dict[str, Version]) -> None:
        """Store every language version of one article in one transaction."""
        store, a = self.store, rec.article
        with store.transaction():
            old = store.rendition_hashes(a.slug)
            ts = store.next_timestamp(self.now)
            published = rec.published_at or ts
            changed_any = False
            for lang, v in versions.items():
                title, blocks = v.title, v.blocks
                th = _rendition_hash(a, title, blocks) + ("/reviewed" if v.reviewed else "")
                if old.get(lang) == th:
                    continue
                changed_any = True
                store.put_rendition(
                    Rendition(
                        slug=a.slug,
                        lang=lang,
                        title=title,
                        blocks=blocks,
                        published=published,
                        updated=ts,
                        machine_translated=lang != self.cfg.source_lang and not v.reviewed,
                        flagged=v.flagged,
                    ),
                    th,
                )
            store.set_article_published(a.slug, published)
            store.set_article_state(a.slug, "ready")
            store.set_meta("publish_pending", "1")
        if rec.published_at is None or rec.state == "retracted":
            self.report.published += 1
        elif changed_any:
            self.report.updated += 1

    # -- publish -----------------------------------------------------------------------
    def _publish(self) -> None:
        """Render what changed: the feeds, index and OPML always; article pages only for slugs
        whose versions changed since their pages were written (page keys in the state), whose
        page files are missing, or all of them after a config or xlate change or `publish`."""
        from dataclasses import replace

        from xlate.publish import page_key, present_pages, publish_site, site_key
        from xlate.publish.feeds import newest_first

        store, cfg = self.store, self.cfg
        if store.get_meta("publish_pending") != "1":
            return
        by_lang: dict[str, list[Rendition]] = {lang: [] for lang in cfg.all_langs}
        hashes: dict[tuple[str, str], str] = {}
        hold = cfg.editorial.on_flag == "hold"
        for h in store.rendition_heads():  # ready articles only, without their blocks
            if h.lang not in by_lang:
                continue
            if hold and h.flagged and not h.forced:
                log.info("holding %s [%s]: a sentence is flagged; review it or `xlate publish --force`", h.slug, h.lang)
                continue
            hashes[(h.slug, h.lang)] = h.text_hash
            by_lang[h.lang].append(
                Rendition(
                    slug=h.slug,
                    lang=h.lang,
                    title=h.title,
                    blocks=(),  # loaded below for the renditions that are rendered in full
                    published=h.published_at,
                    updated=h.updated_at,
                    author=h.author,
                    tags=h.tags,
                    summary=h.summary if h.lang == cfg.source_lang else None,
                    machine_translated=h.machine_translated,
                    flagged=h.flagged,
                )
            )
        skey = site_key(cfg)
        versions: dict[str, list[tuple[Rendition, str]]] = {}
        for rs in by_lang.values():
            for r in rs:
                versions.setdefault(r.slug, []).append((r, hashes[(r.slug, r.lang)]))
        keys = {slug: page_key(skey, vs) for slug, vs in versions.items()}
        old = store.page_keys()
        everything = self.opts.republish or store.get_meta("site_key") != skey
        dirty = decide.pages_to_render(
            keys,
            old,
            {slug: [f"{r.lang}/{slug}.html" for r, _ in vs] for slug, vs in versions.items()},
            None if everything else present_pages(cfg),
        )
        # Full text for the pages to render and for the newest entries, which the feeds carry.
        full = {(slug, r.lang) for slug in dirty for r, _ in versions[slug]}
        for rs in by_lang.values():
            full.update((r.slug, r.lang) for r in newest_first(rs)[: cfg.feeds.max_items])
        blocks = store.rendition_blocks(full)
        renditions = {
            lang: [replace(r, blocks=blocks[(r.slug, lang)]) if (r.slug, lang) in full else r for r in rs]
            for lang, rs in by_lang.items()
        }
        written = publish_site(cfg, renditions, pages=dirty)
        self.report.feeds = [str(p) for p in written]
        with store.transaction():
            store.set_page_keys({s: keys[s] for s in dirty}, drop=set(old) - set(keys))
            store.set_meta("site_key", skey)
            store.set_meta("publish_pending", "0")


def _rendition_hash(a: Article, title: str, blocks: tuple[Block, ...]) -> str:
    """What a language version shows: its text plus the metadata that reaches the feed."""
    h = hashlib.sha256(text_hash(title, blocks).encode())
    for part in (a.author or "", "\x1f".join(a.tags), a.summary or ""):
        h.update(b"\x1e" + part.encode())
    return h.hexdigest()


__all__ = ["RunOptions", "XlateError", "run"]
