"""Translate stage: route each target, look up memory, decode what is new, remember it.

Routing is per target: a direct package when installed, else through the pivot.
The pivot sentence is decoded once and reused by every pivoted target, and
sentences stay aligned across hops (Argos re-splits pivot text; we do not).

Every output of every hop is checked against its input's placeholders
(`protect.accept`). A broken one is never carried on: the hop's input is cut at its
placeholders, the text between them is translated piece by piece from that hop on,
and the spans are spliced back in source order, rendered for the target. So every
protected span reaches every target, and no placeholder reaches a reader.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from xlate.translate import protect as pr
from xlate.translate.engine import Engine, Output
from xlate.translate.memory import TranslationMemory, commit, normalize
from xlate.translate.packages import InstalledPackage
from xlate.translate.work import Batch, Executor, LocalExecutor

__all__ = ["Batch", "Route", "Stats", "is_quality_flag", "translate_units"]

log = logging.getLogger(__name__)

Route = tuple[tuple[str, str], ...]
Pair = tuple[str, str]

QUALITY_FLAGS = ("degenerate", "placeholder")


def is_quality_flag(flag: str) -> bool:
    """Flags that make a translation questionable (as opposed to informative ones like 'split')."""
    return flag.startswith(QUALITY_FLAGS)


def label(pair: Pair) -> str:
    return f"{pair[0]}->{pair[1]}"


@dataclass
class Stats:
    decoded: dict[str, int] = field(default_factory=dict)
    memory_hits: int = 0
    flagged: list[tuple[str, str, str]] = field(default_factory=list)  # (route, sentence, flag)


@dataclass(frozen=True)
class Step:
    """A text carried through the rest of a route: the final text, summed score, flags."""

    text: str
    score: float
    flags: tuple[str, ...]


def must_split(text: str) -> bool:
    """More placeholders than the models know: never sent whole, translated in pieces."""
    return len(pr.placeholder_ids(text)) > pr.MAX_SLOTS


def piece_cores(text: str) -> list[str]:
    """What is sent to a model when `text` is translated in pieces."""
    return [p.strip() for p in pr.parts(text) if isinstance(p, str) and pr.translatable(p)]


class Hops:
    """This run's hop results, keyed by pair and normalised input; filled from memory or decoded."""

    def __init__(
        self,
        model_ids: dict[Pair, str],
        memory: TranslationMemory,
        executor: Executor,
        stats: Stats,
        on_batch: Callable[[Batch], None] | None = None,
    ) -> None:
        self.model_ids = model_ids
        self.memory = memory
        self.executor = executor
        self.stats = stats
        self.on_batch = on_batch
        self.done: dict[Pair, dict[str, Output]] = {}

    def fill(self, pair: Pair, texts: Iterable[str]) -> None:
        """Make sure every text has its output for `pair`: from this run, the memory, or the model."""
        table = self.done.setdefault(pair, {})
        wanted = sorted({normalize(s) for s in texts if s.strip()} - table.keys())
        if not wanted:
            return
        hits = self.memory.memory_get(self.model_ids[pair], wanted)
        for s, e in hits.items():
            table[s] = Output(e.target, e.score, tuple(f for f in e.flags.split(",") if f))
        self.stats.memory_hits += len(hits)
        todo = tuple(s for s in wanted if s not in hits)
        if todo:
            self.decode([Batch(pair, self.model_ids[pair], todo)])

    def decode(self, batches: Sequence[Batch]) -> None:
        for b in batches:
            if self.on_batch:
                self.on_batch(b)
            log.info("decoding %d sentences with %s", len(b.sentences), label(b.pair))
        for b, outs in self.executor.decode(batches):
            table = self.done.setdefault(b.pair, {})
            rows = []
            for s, o in zip(b.sentences, outs, strict=True):
                table[s] = o
                rows.append((s, o.text, o.score, ",".join(o.flags)))
            commit(self.memory, b.model_id, rows)
            key = label(b.pair)
            self.stats.decoded[key] = self.stats.decoded.get(key, 0) + len(b.sentences)

    def carry(self, pair: Pair, text: str) -> str | None:
        """The next hop's input for `text` after `pair`; None: translate it in pieces (or not yet known)."""
        if not text.strip():
            return text
        if must_split(text):
            return None
        o = self.done.get(pair, {}).get(normalize(text))
        return None if o is None else pr.accept(text, o.text)[0]

    def next_inputs(self, pair: Pair, text: str) -> list[str]:
        carried = self.carry(pair, text)
        if carried is not None:
            return [carried]
        outs = [self.carry(pair, core) for core in piece_cores(text)]
        return [o for o in outs if o is not None]

    def run_hop(self, pair: Pair, inputs: Iterable[str]) -> None:
        """Decode a hop: the inputs whole, then the pieces of those whose placeholders broke."""
        inputs = sorted(set(inputs))
        self.fill(pair, [s for s in inputs if not must_split(s)])
        broken = [s for s in inputs if self.carry(pair, s) is None]
        self.fill(pair, [core for s in broken for core in piece_cores(s)])

    def resolve(self, text: str, route: Route, render: Callable[[int], str]) -> Step | None:
        """`text` through `route`, placeholders rendered; None if a hop's result is not known yet."""
        if not route:
            return Step(pr.fill(text, render), 0.0, ())
        if not text.strip():
            return Step(text, 0.0, ())
        pair = route[0]
        o = None if must_split(text) else self.done.get(pair, {}).get(normalize(text))
        carried, mended = pr.accept(text, o.text) if o is not None else (None, False)
        if o is not None and carried is not None:
            rest = self.resolve(carried, route[1:], render)
            if rest is None:
                return None
            flags = (*o.flags, *rest.flags, *((f"placeholder invented by {label(pair)}: removed",) if mended else ()))
            return Step(rest.text, (o.score or 0.0) + rest.score, flags)
        if o is None and not must_split(text):
            return None
        why = f"placeholder broken by {label(pair)}: translated in pieces" if o else "many spans: translated in pieces"
        return self._in_pieces(text, route, render, why)

    def _in_pieces(self, text: str, route: Route, render: Callable[[int], str], why: str) -> Step | None:
        out: list[str] = []
        flags = [why]
        scores = []
        for p in pr.parts(text):
            if isinstance(p, int):
                out.append(render(p))
            elif not pr.translatable(p):
                out.append(p)
            else:
                step = self.resolve(p.strip(), route, render)
                if step is None:
                    return None
                out.append(pr.fit_piece(p, step.text))
                flags.extend(step.flags)
                scores.append(step.score)
        return Step("".join(out), min(scores, default=0.0), tuple(flags))


def _run_hops(hops: Hops, texts: Sequence[str], routes: dict[str, Route]) -> None:
    """Hop by hop, so each model gets one batch with every sentence it needs in this run."""
    depth = max((len(r) for r in routes.values()), default=0)
    current: dict[str, list[str]] = {t: list(texts) for t in routes}
    for hop in range(depth):
        for pair in sorted({r[hop] for r in routes.values() if len(r) > hop}):
            hops.run_hop(pair, (s for t, r in routes.items() if len(r) > hop and r[hop] == pair for s in current[t]))
        for t, r in routes.items():
            if len(r) > hop:
                current[t] = [n for s in current[t] for n in hops.next_inputs(r[hop], s)]


def translate_units(
    units: Sequence[pr.Protected],
    routes: dict[str, Route],
    packages: dict[Pair, InstalledPackage],
    engine: Engine | Executor,
    memory: TranslationMemory,
    on_batch: Callable[[Batch], None] | None = None,
) -> tuple[dict[str, dict[pr.Protected, Output]], Stats]:
    """Translate protected units and render their spans per target.

    Every protected span appears in every target (verbatim, or as the glossary's rendering),
    and no placeholder the source did not literally contain ever does.
    """
    stats = Stats()
    pairs = sorted({p for r in routes.values() for p in r})
    stats.decoded = {label(p): 0 for p in pairs}
    executor = LocalExecutor(engine) if isinstance(engine, Engine) else engine
    hops = Hops({p: packages[p].model_id() for p in pairs}, memory, executor, stats, on_batch)
    _run_hops(hops, [u.text for u in units], routes)
    result: dict[str, dict[pr.Protected, Output]] = {t: {} for t in routes}
    for t, r in routes.items():
        for u in units:
            step = hops.resolve(u.text, r, _renderer(u, t))
            if step is None:
                raise RuntimeError(f"no translation of {u.text!r} for {t}: a hop was skipped")  # a bug, not input
            flags = tuple(sorted(set(step.flags)))
            result[t][u] = Output(step.text, step.score, flags)
            stats.flagged.extend((f"{r[0][0]}->{t}", u.source, f) for f in flags if is_quality_flag(f))
    return result, stats


def _renderer(u: pr.Protected, lang: str) -> Callable[[int], str]:
    return lambda i: u.slots[i].render(lang)
