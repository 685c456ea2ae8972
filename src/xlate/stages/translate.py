"""Translate stage: every pending article -> its language versions (not stored yet).

Segment title and blocks into units, protect glossary terms and do-not-translate spans with
placeholders, translate every unique unit once per route (memory first), then rebuild each
target's title and blocks. A reviewed translation replaces machine translation where
`decide.use_review` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from xlate import decide, drafts
from xlate.config import Config
from xlate.model import ArticleRecord, FlagSpan, Version
from xlate.store import Store
from xlate.translate.packages import require_routes, route_label
from xlate.translate.protect import Glossary

if TYPE_CHECKING:
    from xlate.translate import Batch, Limits, Progress
    from xlate.translate.engine import Output
    from xlate.translate.protect import Protected

Units = list[list["Protected"]]  # per block (the title first), its protected units


@dataclass(frozen=True)
class Translated:
    articles: tuple[tuple[ArticleRecord, dict[str, Version]], ...]  # every pending article, by slug
    routes: dict[str, str] = field(default_factory=dict)  # target -> route label
    decoded: dict[str, int] = field(default_factory=dict)  # sentences decoded per model
    seconds: dict[str, float] = field(default_factory=dict)  # decoding time per model (throughput, ETA)
    memory_hits: int = 0
    flagged: tuple[dict[str, str], ...] = ()  # {route, sentence, flag}
    stopped: str | None = None  # "deadline" or "stop": `waiting` articles are left for the next run
    waiting: tuple[str, ...] = ()  # pending articles not complete in every target (still pending)


@dataclass(frozen=True)
class Hooks:
    """Who watches the translation: before each chunk is decoded, after each is committed."""

    on_batch: Callable[[Batch], None] | None = None
    progress: Callable[[Progress], None] | None = None


def translate(
    cfg: Config,
    store: Store,
    glossary: Callable[[], Glossary],
    limits: Limits | None = None,
    hooks: Hooks = Hooks(),
) -> Translated:
    """Translate pending articles, newest first, within `limits`; an empty result when none is pending.

    Only articles complete in every target are returned; the others stay pending."""
    from xlate.translate import Limits, complete, translate_units
    from xlate.translate.protect import article_units
    from xlate.translate.ray_executor import make_executor

    slugs = store.pending_articles()
    if not slugs:
        return Translated(())
    routes, pkgs = require_routes(cfg.paths.models, cfg.source_lang, cfg.targets, cfg.pivot)
    records = store.articles(slugs)
    mtimes = {rel: f.mtime_ns for rel, f in store.files().items()}
    pending = decide.newest_first([records[s] for s in slugs], mtimes)
    units = {
        r.slug: article_units(r.article.title, r.article.blocks, r.article.keep, glossary(), cfg.source_lang)
        for r in pending
    }
    ordered = [u for r in pending for block in units[r.slug] for u in block]
    store.memory_prune(pkgs[p].model_id() for p in pkgs)
    limits = limits or Limits(chunk_tokens=cfg.translate.chunk_tokens)
    # Local (this process) or a pool of Ray actors: the same decoding, and this process stays
    # the only writer of the state, chunk by chunk.
    executor = make_executor(cfg.translate, {p: pkgs[p] for r in routes.values() for p in r})
    try:
        # as many chunks per window as the executor has workers (Ray actors), one locally
        limits = replace(limits, parallel=getattr(executor, "parallel", limits.parallel))
        translated, stats = translate_units(
            ordered, routes, pkgs, executor, store, on_batch=hooks.on_batch, limits=limits, progress=hooks.progress
        )
    finally:
        executor.close()
    done = [rec for rec in pending if complete(units[rec.slug], translated)]
    finished = {rec.slug for rec in done}
    return Translated(
        articles=tuple((rec, _versions(cfg, store, rec, units[rec.slug], translated)) for rec in done),
        routes={t: route_label(r) for t, r in routes.items()},
        decoded=stats.decoded,
        seconds=stats.seconds,
        memory_hits=stats.memory_hits,
        flagged=tuple({"route": p, "sentence": s, "flag": f} for p, s, f in stats.flagged),
        stopped=stats.stopped,
        waiting=tuple(r.slug for r in pending if r.slug not in finished),
    )


def _versions(
    cfg: Config,
    store: Store,
    rec: ArticleRecord,
    units: Units,
    translated: Mapping[str, Mapping[Protected, Output]],
) -> dict[str, Version]:
    """Every language version of one article: the source, then each target's review or MT."""
    from xlate import segment
    from xlate.translate import is_quality_flag

    a = rec.article
    reviews = {r.lang: r for r in store.reviews(a.slug)}
    versions = {cfg.source_lang: Version(a.title, a.blocks)}
    for t in cfg.targets:
        review = reviews.get(t)
        outs: Sequence[Sequence[Output]] = [[translated[t][u] for u in block] for block in units]
        spans = _flag_spans(outs, is_quality_flag)  # every flagged output, an empty one too
        title, blocks = segment.rebuild([o.text for o in outs[0]], [[o.text for o in b] for b in outs[1:]], a.blocks)
        if review is not None and decide.use_review(review, a.text_hash, cfg.editorial.stale_review):
            # drafts: a review that is an unchanged draft approves the MT (it keeps its MT notice)
            rt, rb, kind = drafts.reviewed_text(store, review, title, blocks)
            versions[t] = Version(rt, rb, reviewed=True, approved=kind is drafts.ReviewKind.APPROVED)
            continue
        versions[t] = Version(title, blocks, flagged=bool(spans), flag_spans=spans)
    return versions


def _flag_spans(outs: Sequence[Sequence[Output]], is_quality: Callable[[str], bool]) -> tuple[FlagSpan, ...]:
    """Where the sentences with a quality flag sit in the joined text of each block (title
    first): the editors' drafts mark them from this, long after the memory may have dropped them."""
    from xlate import segment

    spans = []
    for i, block in enumerate(outs):
        for o, at in zip(block, segment.unit_spans([o.text for o in block]), strict=True):
            quality = tuple(f for f in o.flags if is_quality(f))
            if quality:  # an empty output too: its empty span marks where the sentence is missing
                spans.append(FlagSpan(i, at[0], at[1], quality))
    return tuple(spans)
