"""Translate stage: every pending article -> its language versions (not stored yet).

Segment title and blocks into units, protect glossary terms and do-not-translate spans with
placeholders, translate every unique unit once per route (memory first), then rebuild each
target's title and blocks. A reviewed translation replaces machine translation where
`decide.use_review` says so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from xlate import decide, drafts
from xlate.config import Config
from xlate.model import ArticleRecord, Version
from xlate.store import Store
from xlate.translate.packages import require_routes, route_label
from xlate.translate.protect import Glossary

if TYPE_CHECKING:
    from xlate.translate import Batch
    from xlate.translate.engine import Output
    from xlate.translate.protect import Protected

Units = list[list["Protected"]]  # per block (the title first), its protected units


@dataclass(frozen=True)
class Translated:
    articles: tuple[tuple[ArticleRecord, dict[str, Version]], ...]  # every pending article, by slug
    routes: dict[str, str] = field(default_factory=dict)  # target -> route label
    decoded: dict[str, int] = field(default_factory=dict)  # sentences decoded per model
    memory_hits: int = 0
    flagged: tuple[dict[str, str], ...] = ()  # {route, sentence, flag}


def translate(
    cfg: Config,
    store: Store,
    glossary: Callable[[], Glossary],
    on_batch: Callable[[Batch], None] | None = None,
) -> Translated:
    """Translate every pending article; an empty result when none is pending."""
    from xlate.translate import translate_units
    from xlate.translate.engine import Engine

    slugs = store.pending_articles()
    if not slugs:
        return Translated(())
    routes, pkgs = require_routes(cfg.paths.models, cfg.source_lang, cfg.targets, cfg.pivot)
    records = store.articles(slugs)
    pending = [records[s] for s in slugs]
    units = {r.slug: _protect(r, glossary()) for r in pending}
    unique = sorted({u for per in units.values() for block in per for u in block}, key=lambda u: u.text)
    engine = Engine({p: pkgs[p] for r in routes.values() for p in r}, cfg.translate)
    store.memory_prune(pkgs[p].model_id() for p in pkgs)
    translated, stats = translate_units(unique, routes, pkgs, engine, store, on_batch=on_batch)
    return Translated(
        articles=tuple((rec, _versions(cfg, store, rec, units[rec.slug], translated)) for rec in pending),
        routes={t: route_label(r) for t, r in routes.items()},
        decoded=stats.decoded,
        memory_hits=stats.memory_hits,
        flagged=tuple({"route": p, "sentence": s, "flag": f} for p, s, f in stats.flagged),
    )


def _protect(rec: ArticleRecord, glossary: Glossary) -> Units:
    """Units per block, each with its glossary terms and do-not-translate spans replaced by
    placeholders."""
    from xlate import segment
    from xlate.translate.protect import protect

    a = rec.article
    return [[protect(u, glossary, a.keep) for u in block] for block in segment.segment(a.title, a.blocks)]


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
        flagged = any(is_quality_flag(f) for block in outs for o in block for f in o.flags)
        title, blocks = segment.rebuild([o.text for o in outs[0]], [[o.text for o in b] for b in outs[1:]], a.blocks)
        if review is not None and decide.use_review(review, a.text_hash, cfg.editorial.stale_review):
            # drafts: a review that is an unchanged draft approves the MT (it keeps its MT notice)
            rt, rb, kind = drafts.reviewed_text(store, review, title, blocks)
            versions[t] = Version(rt, rb, reviewed=True, approved=kind is drafts.ReviewKind.APPROVED)
            continue
        versions[t] = Version(title, blocks, flagged=flagged)
    return versions
