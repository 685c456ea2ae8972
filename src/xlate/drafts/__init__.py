"""Drafts: an editable file beside every machine translation, for editors.

`drafts/<lang>/<slug>.<lang>.docx` (or `.md`) is a complete reviewed translation: dropped
into input/ unchanged, it approves the machine translation; edited, it replaces it. The
drafts follow the articles (`sync_drafts`, after publishing) and never overwrite what an
editor changed in place. What xlate wrote is remembered in the state (meta key `drafts`):
the file's hash, the translation it came from and the fingerprints that mean "approved".

Entry points for the pipeline: `sync_drafts(cfg, store)` after publishing, and
`reviewed_text(store, review, machine_title, machine_blocks)` when a reviewed
translation is rendered. For the CLI: `waiting` and `write_draft` (`xlate review`).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

from xlate.config import Config
from xlate.drafts.content import DraftContent, Machine, RouteInfo, assemble, sentence_outputs, sentences_from_spans
from xlate.drafts.plan import (
    HISTORY,
    DraftRecord,
    ReviewKind,
    SyncPlan,
    Urgency,
    Waiting,
    Wanted,
    classify_review,
    draft_rel,
    fingerprint,
    ledger_from_json,
    ledger_to_json,
    most_urgent_first,
    plan_sync,
    unrecorded,
    write_order,
)
from xlate.errors import ConfigError, InputError, UsageError, XlateError
from xlate.model import Article, Block, FlagSpan
from xlate.store import Store


class Head(Protocol):
    """What drafts read of a stored language version (`Store.rendition_heads()` rows)."""

    @property
    def slug(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def text_hash(self) -> str: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def machine_translated(self) -> bool: ...
    @property
    def flagged(self) -> bool: ...
    @property
    def forced(self) -> bool: ...
    @property
    def approved(self) -> bool: ...


__all__ = [
    "DraftBudget",
    "DraftReport",
    "ReviewKind",
    "Urgency",
    "Waiting",
    "check_location",
    "classify_review",
    "draft_status",
    "review_kind",
    "reviewed_text",
    "sync_drafts",
    "waiting",
    "write_draft",
]

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DraftReport:
    """What one sync did; paths relative to paths.drafts."""

    written: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    kept_changed: tuple[str, ...] = ()  # changed by an editor in place: kept, not rewritten
    pending: int = 0  # left for the next run: the run's time was up

    def as_json(self) -> dict[str, object]:
        return {
            "written": list(self.written),
            "removed": list(self.removed),
            "kept_changed": list(self.kept_changed),
            "pending": self.pending,
        }


def check_location(cfg: Config) -> None:
    """Drafts are for editors, never for readers: refuse a drafts folder inside the feeds."""
    drafts, feeds = cfg.paths.drafts.resolve(), cfg.paths.feeds.resolve()
    if drafts == feeds or feeds in drafts.parents:
        raise ConfigError(
            f"paths.drafts: {cfg.paths.drafts} is inside paths.feeds ({cfg.paths.feeds}), which the web "
            "server publishes; choose a folder outside it, e.g. drafts"
        )


def load_ledger(store: Store) -> dict[str, DraftRecord]:
    return ledger_from_json(store.drafts_ledger())


class ReviewRecord(Protocol):
    """A stored reviewed translation (`xlate.model.Review`)."""

    @property
    def slug(self) -> str: ...
    @property
    def lang(self) -> str: ...
    @property
    def article(self) -> Article: ...


def review_kind(store: Store, review: ReviewRecord, machine_title: str, machine_blocks: Sequence[Block]) -> ReviewKind:
    """Approved when the review's words are the current machine translation's or those of a
    draft xlate wrote for its (slug, lang); edited otherwise."""
    known = set(load_ledger(store).get(f"{review.lang}/{review.slug}", _EMPTY).approves)
    known.add(fingerprint(machine_title, machine_blocks))
    return classify_review(fingerprint(review.article.title, review.article.blocks), known)


_EMPTY = DraftRecord("", "", None, None, None)


def reviewed_text(
    store: Store, review: ReviewRecord, machine_title: str, machine_blocks: tuple[Block, ...]
) -> tuple[str, tuple[Block, ...], ReviewKind]:
    """What to publish for a reviewed translation that wins over MT, and whether it is an approval.

    An approval of the current machine translation publishes the machine translation itself
    (its block kinds, e.g. a byline, survive a Markdown round trip); an approval of an earlier
    one (the models changed since) and an edit publish the review's text."""
    kind = review_kind(store, review, machine_title, machine_blocks)
    r = review.article
    if kind is ReviewKind.APPROVED and fingerprint(r.title, r.blocks) == fingerprint(machine_title, machine_blocks):
        return machine_title, machine_blocks, kind
    return r.title, r.blocks, kind


def _stat(path: Path) -> str | None:
    try:
        st = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return f"{st.st_size}:{st.st_mtime_ns}"


def _sha(path: Path, rec: DraftRecord | None = None) -> str | None:
    """The file's sha256 (None: not there); a file whose size and mtime are those xlate left
    is taken to hold what xlate wrote, so a run does not read every draft."""
    stat = _stat(path)
    if stat is None:
        return None
    if rec is not None and rec.stat == stat and rec.sha256 is not None:
        return rec.sha256
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        return "directory"


class _Builder:
    """Builds draft contents; loads routes, packages and the glossary once, when first needed."""

    def __init__(self, cfg: Config, store: Store, budget: DraftBudget | None = None) -> None:
        self.cfg, self.store = cfg, store
        self.budget = budget or DraftBudget()
        self._routes: dict[str, RouteInfo] | None = None
        self.labels: dict[str, str] = {}

    def _load(self) -> dict[str, RouteInfo]:
        from xlate.translate.packages import installed, plan_routes, route_label
        from xlate.translate.protect import Glossary

        cfg = self.cfg
        pkgs = installed(cfg.paths.models)
        routes, _ = plan_routes(set(pkgs), cfg.source_lang, cfg.targets, cfg.pivot)
        try:
            glossary: Glossary | None = Glossary.load(cfg.paths.glossary, cfg.targets)
        except (OSError, ValueError, XlateError):
            glossary = None  # the run reports a broken glossary; drafts lose only the sentence marks
        for t, r in routes.items():
            versions = ", ".join(f"{a}_{b} {pkgs[(a, b)].version}" for a, b in r)
            self.labels[t] = f"{route_label(r)} ({versions})"
        return {
            t: RouteInfo(t, cfg.source_lang, tuple(r), {p: pkgs[p] for p in r}, glossary) for t, r in routes.items()
        }

    def content(
        self, article: Article, head: Head, blocks: tuple[Block, ...], spans: tuple[FlagSpan, ...] | None
    ) -> DraftContent:
        if self._routes is None:
            self._routes = self._load()
        lang = head.lang
        route = self._routes.get(lang)
        if spans is not None:  # where the translate stage found them
            sentences = sentences_from_spans([head.title, *(b.text for b in blocks)], spans)
        else:  # a version stored before xlate kept them: ask the memory
            sentences = None if route is None else sentence_outputs(article, route, self.store)
        mt = Machine(
            lang,
            head.title,
            blocks,
            self.labels.get(lang, "(models no longer installed)"),
            head.updated_at,
            held=self.cfg.editorial.on_flag == "hold" and head.flagged and not head.forced,
            flagged=head.flagged,
        )
        return assemble(article, self.cfg.source_lang, mt, sentences)


def _render(fmt: str, c: DraftContent) -> bytes:
    if fmt == "md":
        from xlate.drafts import markdown

        return markdown.render(c)
    from xlate.drafts import word

    return word.render(c)


def _read_back(cfg: Config, rel: str, data: bytes) -> str | None:
    """The fingerprint of the draft as the reviewed-translation reader reads it."""
    from xlate.ingest import parse_article
    from xlate.ingest.formats import ReadContext

    try:
        a = parse_article(rel, data, ReadContext.from_config(cfg))
    except InputError as e:
        log.warning("draft %s could not be read back as a reviewed translation: %s", rel, e)
        return None
    return fingerprint(a.title, a.blocks)


def _wanted(cfg: Config, heads: Iterable[Head]) -> dict[str, Wanted]:
    fmt = cfg.editorial.drafts
    if fmt == "off":
        return {}
    out = {}
    for h in heads:
        if h.lang in cfg.targets and h.machine_translated and not h.approved:
            w = Wanted(h.slug, h.lang, h.text_hash, draft_rel(h.slug, h.lang, fmt))
            out[w.key] = w
    return out


def _write(
    builder: _Builder, wants: Sequence[Wanted], heads: Mapping[str, Head], ledger: dict[str, DraftRecord], now: datetime
) -> list[str]:
    """Write `wants` in order; before each one, the builder's budget may end the step."""
    from xlate.publish.atomic import ensure_dir, write_atomic

    cfg = builder.cfg
    store, root, fmt = builder.store, cfg.paths.drafts, cfg.editorial.drafts
    if fmt == "off":
        fmt = "docx"
    articles = store.articles({w.slug for w in wants})
    blocks = store.rendition_blocks((w.slug, w.lang) for w in wants)
    spans = store.rendition_flag_spans((w.slug, w.lang) for w in wants)
    written = []
    for w in wants:
        if builder.budget.stop_before(w):
            break
        rec = articles.get(w.slug)
        if rec is None or (w.slug, w.lang) not in blocks:
            continue
        content = builder.content(rec.article, heads[w.key], blocks[(w.slug, w.lang)], spans.get((w.slug, w.lang)))
        data = _render(fmt, content)
        path = root / w.file
        ensure_dir(path.parent)
        write_atomic(path, data)
        fp = _read_back(cfg, w.file, data)
        made = _record(w, path, data, fp, ledger.get(w.key, _EMPTY))
        ledger[w.key] = replace(made, written_at=now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        written.append(w.file)
    return written


@dataclass
class DraftBudget:
    """When the drafts step stops: at once when `stop()` says so (a signal); once `time_up()`
    says so, after at least one draft and never before the drafts of `first` (slugs this
    run published)."""

    first: Collection[str] = ()
    time_up: Callable[[], bool] | None = None
    stop: Callable[[], bool] | None = None
    tried: int = field(default=0, init=False)  # drafts this step went on to (written or skipped)

    def stop_before(self, w: Wanted) -> bool:
        if self.stop is not None and self.stop():
            return True
        halt = self.tried > 0 and w.slug not in self.first and self.time_up is not None and self.time_up()
        self.tried += not halt
        return halt


def sync_drafts(
    cfg: Config,
    store: Store,
    *,
    now: datetime | None = None,
    budget: DraftBudget | None = None,
) -> DraftReport:
    """Bring the drafts folder in line with the published machine translations.

    Writes a draft for each machine translation (held ones included) that has none or whose
    translation changed; removes the drafts of retracted, reviewed or approved articles;
    keeps every draft an editor changed in place. Call it after publishing.

    A Word draft takes about 0.15 s, so a first run over an archive has thousands to write:
    once the `budget` says the run's time is spent, the step stops and marks the publish step
    pending, so the next run writes the rest. The drafts of the articles this run published
    (`budget.first`) and at least one draft are written whatever the time (every run makes
    progress); the rest go held translations first, then newest first. A signal
    (`budget.stop`) ends the step before the next draft, whichever it is.
    """
    from xlate.publish.atomic import remove_stale_temp_files

    budget = budget or DraftBudget()
    remove_stale_temp_files(cfg.paths.drafts)  # a run killed mid-draft left its temp file
    ledger = load_ledger(store)
    if cfg.editorial.drafts == "off" and not ledger:
        return DraftReport()  # none wanted, none written before: no need to read every rendition
    check_location(cfg)
    now = now or datetime.now(UTC)
    heads = {f"{h.lang}/{h.slug}": h for h in store.rendition_heads()}
    plan = _plan(cfg, store, heads, ledger)
    order = write_order(
        plan.write,
        budget.first,
        held={k for k, h in heads.items() if h.flagged and not h.forced},
        changed_at={k: h.updated_at for k, h in heads.items()},
    )
    try:
        _remove(cfg.paths.drafts, plan.remove, ledger)
        written = _write(_Builder(cfg, store, budget), order, heads, ledger, now) if order else []
    except BaseException:
        # Whatever was written is remembered (else it would look like an editor's change), and
        # the next run publishes again, so that it completes the drafts.
        with store.transaction():
            store.set_drafts_ledger(ledger_to_json(ledger))
            store.mark_publish_pending(True)
        raise
    pending = len(order) - budget.tried
    new = ledger_to_json(ledger)
    if new != (store.drafts_ledger() or ledger_to_json({})) or pending:
        with store.transaction():
            store.set_drafts_ledger(new)
            if pending:
                store.mark_publish_pending(True)  # the next run publishes (nothing changed) and goes on here
    if pending:
        log.info("drafts: %d written, %d left for the next run (the run's time was up)", len(written), pending)
    for rel in plan.keep_changed:
        log.info("draft %s was changed by an editor: kept as it is (drop it into input/ to publish it)", rel)
    return DraftReport(tuple(written), plan.remove, plan.keep_changed, pending)


def _plan(cfg: Config, store: Store, heads: Mapping[str, Head], ledger: dict[str, DraftRecord]) -> SyncPlan:
    """What to write, remove and keep; forgets (in `ledger`) the drafts no longer wanted."""
    wanted = _wanted(cfg, heads.values())
    root = cfg.paths.drafts
    names = {w.file for w in wanted.values()} | {r.file for r in ledger.values() if r.file}
    by_file = {r.file: r for r in ledger.values() if r.file}
    on_disk = {n: _sha(root / n, by_file.get(n)) for n in names}
    _adopt(cfg, store, heads, [wanted[k] for k in unrecorded(wanted, ledger, on_disk)], ledger)
    ingested = {f.raw_hash for f in store.files().values() if f.status == "review"}
    reviewed = {f"{r.lang}/{r.slug}" for r in store.reviews()}
    plan = plan_sync(wanted, ledger, on_disk, ingested, reviewed)
    for key in plan.forget:
        ledger.pop(key, None)
    for key in plan.retire:
        ledger[key] = replace(ledger[key], file=None, sha256=None, stat=None)
    return plan


def _adopt(
    cfg: Config,
    store: Store,
    heads: Mapping[str, Head],
    wants: Sequence[Wanted],
    ledger: dict[str, DraftRecord],
) -> None:
    """Record as xlate's the drafts in `wants` whose words are the current machine translation:
    a run killed after writing one and before recording it must not leave it looking like an
    editor's change (kept forever, never updated)."""
    if not wants:
        return
    blocks = store.rendition_blocks((w.slug, w.lang) for w in wants)
    for w in wants:
        path = cfg.paths.drafts / w.file
        try:
            data = path.read_bytes()
        except OSError:
            continue
        fp = _read_back(cfg, w.file, data)
        mt = fingerprint(heads[w.key].title, blocks.get((w.slug, w.lang), ()))
        if fp is None or fp != mt:
            continue  # other words: an editor's
        old = ledger.get(w.key, _EMPTY)
        if old.file == w.file and fp in old.approves:
            continue  # the words of the draft that was there: an editor changed something else in it
        ledger[w.key] = _record(w, path, data, fp, old)
        log.info("draft %s: recorded as xlate's (a run was stopped before it recorded it)", w.file)


def _record(w: Wanted, path: Path, data: bytes, fp: str | None, old: DraftRecord) -> DraftRecord:
    """What the ledger remembers of the draft `w` whose bytes at `path` are `data`: their hash
    and stat, and its fingerprint added to those of the drafts written before (approvals);
    `old`'s time of writing (the caller sets it when it writes)."""
    approves = tuple(x for x in old.approves if x != fp) + ((fp,) if fp else ())
    return DraftRecord(
        w.slug,
        w.lang,
        w.file,
        hashlib.sha256(data).hexdigest(),
        w.mt_hash,
        approves[-HISTORY:],
        old.written_at,
        _stat(path),
    )


def _remove(root: Path, files: Sequence[str], ledger: dict[str, DraftRecord]) -> None:
    from xlate.publish.atomic import remove_file

    for rel in files:
        remove_file(root / rel)
        for key, rec in list(ledger.items()):
            if rec.file == rel:
                ledger[key] = replace(rec, file=None, sha256=None, stat=None)


def write_draft(cfg: Config, store: Store, slug: str, lang: str, *, now: datetime | None = None) -> Path:
    """Write the draft of (slug, lang) now (`xlate review SLUG LANG`), unless an editor changed it."""
    check_location(cfg)
    now = now or datetime.now(UTC)
    key = f"{lang}/{slug}"
    heads = {f"{h.lang}/{h.slug}": h for h in store.rendition_heads()}
    head = heads.get(key)
    if head is None or lang not in cfg.targets:
        raise UsageError(f"{slug} [{lang}]: no published translation; `xlate review` lists what waits for review")
    if not head.machine_translated or head.approved:
        raise UsageError(
            f"{slug} [{lang}]: already reviewed by the editors; its review file in input/ is the one to edit"
        )
    fmt = cfg.editorial.drafts if cfg.editorial.drafts != "off" else "docx"
    want = Wanted(slug, lang, head.text_hash, draft_rel(slug, lang, fmt))
    ledger = load_ledger(store)
    rec = ledger.get(key)
    sha = _sha(cfg.paths.drafts / want.file, rec if rec is not None and rec.file == want.file else None)
    if sha is not None and (rec is None or rec.file != want.file or rec.sha256 != sha):
        raise UsageError(
            f"{cfg.paths.drafts / want.file}: changed by an editor; drop it into input/, "
            "or delete it to get a new draft"
        )
    _write(_Builder(cfg, store), [want], heads, ledger, now)
    with store.transaction():
        store.set_drafts_ledger(ledger_to_json(ledger))
    return cfg.paths.drafts / want.file


def draft_status(cfg: Config, store: Store) -> dict[str, object]:
    """For `xlate status`: how many drafts there are and which ones editors changed in place."""
    ledger = load_ledger(store)
    files = sorted(r.file for r in ledger.values() if r.file)
    changed = []
    for r in ledger.values():
        if r.file:
            sha = _sha(cfg.paths.drafts / r.file, r)
            if sha is not None and sha != r.sha256:
                changed.append(r.file)
    return {"folder": str(cfg.paths.drafts), "drafts": len(files), "changed_by_editor": sorted(changed)}


def waiting(cfg: Config, store: Store) -> list[Waiting]:
    """What waits for an editor, most urgent first: held, stale reviews, flagged, changed drafts."""
    ledger = load_ledger(store)
    root = cfg.paths.drafts
    hold = cfg.editorial.on_flag == "hold"
    heads = store.rendition_heads()
    out: list[Waiting] = []
    fmt = cfg.editorial.drafts if cfg.editorial.drafts != "off" else "docx"
    for h in heads:
        if h.lang not in cfg.targets or not h.flagged or not h.machine_translated or h.approved:
            continue
        rec = ledger.get(f"{h.lang}/{h.slug}")
        rel = rec.file if rec is not None and rec.file else draft_rel(h.slug, h.lang, fmt)
        path = root / rel
        detail = "" if path.is_file() else f"no draft yet: `xlate review {h.slug} {h.lang}` writes it"
        why = Urgency.HELD if hold and not h.forced else Urgency.FLAGGED
        out.append(Waiting(h.slug, h.lang, why, h.updated_at, str(path), detail))
    originals = {s: r.article.text_hash for s, r in store.articles().items() if r.state == "ready"}
    changed_at = {h.slug: h.updated_at for h in heads if h.lang == cfg.source_lang}
    for r in store.reviews():
        if r.slug in originals and r.stale(originals[r.slug]):
            since = changed_at.get(r.slug, datetime.now(UTC))
            detail = "the original changed after this review; update it (or delete it to let MT take over)"
            out.append(Waiting(r.slug, r.lang, Urgency.STALE, since, str(cfg.paths.input / r.rel), detail))
    for rec in ledger.values():
        if not rec.file:
            continue
        path = root / rec.file
        sha = _sha(path, rec)
        if sha is not None and sha != rec.sha256:
            since = datetime.fromtimestamp(os.stat(path).st_mtime, UTC)
            detail = "changed in place by an editor; drop it into input/ to publish it"
            out.append(Waiting(rec.slug, rec.lang, Urgency.CHANGED, since, str(path), detail))
    return most_urgent_first(out)
