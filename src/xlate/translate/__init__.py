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
