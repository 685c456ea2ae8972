"""Translate stage: route each target, look up memory, decode what is new, remember it.

Routing is per target: a direct package when installed, else through the pivot.
The pivot sentence is decoded once and reused by every pivoted target, and
sentences stay aligned across hops (Argos re-splits pivot text; we do not).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from xlate.store import Store
from xlate.translate import memory
from xlate.translate.engine import Engine, Output
from xlate.translate.packages import InstalledPackage
from xlate.translate.protect import Protected

log = logging.getLogger(__name__)

Route = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Batch:
    """The unit of translation work: plain data, so it could be sent to another worker."""

    pair: tuple[str, str]
    model_id: str
    sentences: tuple[str, ...]


@dataclass
class Stats:
    decoded: dict[str, int] = field(default_factory=dict)
    memory_hits: int = 0
    flagged: list[tuple[str, str, str]] = field(default_factory=list)  # (pair, sentence, flag)


def translate_all(
    sentences: Sequence[str],
    routes: dict[str, Route],
    packages: dict[tuple[str, str], InstalledPackage],
    engine: Engine,
    store: Store,
    on_batch: Callable[[Batch], None] | None = None,
) -> tuple[dict[str, dict[str, Output]], Stats]:
    """For each target, map every source sentence to its translation."""
    stats = Stats()
    model_ids = {pair: packages[pair].model_id() for r in routes.values() for pair in r}
    # Results per hop, keyed by the hop's input sentence; shared across targets.
    done: dict[tuple[str, str], dict[str, Output]] = {}

    def run_hop(pair: tuple[str, str], inputs: Sequence[str]) -> None:
        table = done.setdefault(pair, {})
        wanted = sorted({memory.normalize(s) for s in inputs if s.strip()} - table.keys())
        if not wanted:
            return
        hits = memory.lookup(store, model_ids[pair], wanted)
        for s, e in hits.items():
            table[s] = Output(e.target, e.score, tuple(f for f in e.flags.split(",") if f))
        stats.memory_hits += len(hits)
        todo = [s for s in wanted if s not in hits]
        label = f"{pair[0]}->{pair[1]}"
        stats.decoded[label] = stats.decoded.get(label, 0) + len(todo)
        if not todo:
            return
        batch = Batch(pair, model_ids[pair], tuple(todo))
        if on_batch:
            on_batch(batch)
        log.info("decoding %d sentences with %s", len(todo), label)
        outs = engine.translate(pair, batch.sentences)
        rows = []
        for s, o in zip(batch.sentences, outs, strict=True):
            table[s] = o
            rows.append((s, o.text, o.score, ",".join(o.flags)))
        memory.remember(store, batch.model_id, rows)

    source = [memory.normalize(s) for s in sentences]
    for label in sorted({f"{p[0]}->{p[1]}" for r in routes.values() for p in r}):
        stats.decoded.setdefault(label, 0)
    # Hop by hop, so each model gets one batch with every sentence it needs in this run.
    depth = max((len(r) for r in routes.values()), default=0)
    current: dict[str, list[str]] = {t: source for t in routes}
    for hop in range(depth):
        for pair in sorted({r[hop] for r in routes.values() if len(r) > hop}):
            inputs = sorted({s for t, r in routes.items() if len(r) > hop and r[hop] == pair for s in current[t]})
            run_hop(pair, inputs)
        for t, r in routes.items():
            if len(r) > hop:
                table = done[r[hop]]
                current[t] = [table[memory.normalize(s)].text if s.strip() else s for s in current[t]]

    result: dict[str, dict[str, Output]] = {}
    for t, r in routes.items():
        per: dict[str, Output] = {}
        for s in source:
            score, cur = 0.0, s
            flags: list[str] = []
            for pair in r:
                if not cur.strip():
                    break
                o = done[pair][memory.normalize(cur)]
                cur = o.text
                flags.extend(o.flags)
                if o.score is not None:
                    score += o.score
            text = cur
            per[s] = Output(text, score, tuple(sorted(set(flags))))
            for f in set(flags):
                if f.startswith("degenerate"):
                    stats.flagged.append((f"{r[0][0]}->{t}", s, f))
        result[t] = per
    return result, stats


QUALITY_FLAGS = ("degenerate", "placeholder lost")


def is_quality_flag(flag: str) -> bool:
    """Flags that make a translation questionable (as opposed to informative ones like 'split')."""
    return flag.startswith(QUALITY_FLAGS)


def translate_units(
    units: Sequence[Protected],
    routes: dict[str, Route],
    packages: dict[tuple[str, str], InstalledPackage],
    engine: Engine,
    store: Store,
    on_batch: Callable[[Batch], None] | None = None,
) -> tuple[dict[str, dict[Protected, Output]], Stats]:
    """Translate protected units and fill their placeholders per target.

    A unit whose output lost, duplicated or invented a placeholder is translated
    again without protection and flagged: a broken placeholder is never returned.
    """
    table, stats = translate_all([u.text for u in units], routes, packages, engine, store, on_batch)
    result: dict[str, dict[Protected, Output]] = {t: {} for t in routes}
    broken: set[Protected] = set()
    for t in routes:
        for u in units:
            o = table[t][memory.normalize(u.text)]
            restored = u.restore(o.text, t) if u.slots else o.text
            if restored is None:
                broken.add(u)
            else:
                result[t][u] = Output(restored, o.score, o.flags)
    if broken:
        plain, more = translate_all(sorted({u.source for u in broken}), routes, packages, engine, store, on_batch)
        for label, n in more.decoded.items():
            stats.decoded[label] = stats.decoded.get(label, 0) + n
        stats.memory_hits += more.memory_hits
        stats.flagged.extend(more.flagged)
        for t, r in routes.items():
            for u in sorted(broken, key=lambda u: u.source):
                if u in result[t]:
                    continue
                o = plain[t][memory.normalize(u.source)]
                result[t][u] = Output(o.text, o.score, (*o.flags, "placeholder lost"))
                stats.flagged.append((f"{r[0][0]}->{t}", u.source, "placeholder lost"))
    return result, stats
