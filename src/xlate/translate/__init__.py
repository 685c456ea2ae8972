"""Translate stage: route each target, look up memory, decode what is new in chunks, remember it.

Routing is per target: a direct package when installed, else through the pivot.
The pivot sentence is decoded once and reused by every pivoted target, and
sentences stay aligned across hops (Argos re-splits pivot text; we do not).

Work is done in windows of units, in the caller's priority order (newest article
first): each window goes through every hop (pivot, then the targets) before the next
window starts, so the first units are complete in every language first. Each hop is
decoded in chunks of about `Limits.chunk_tokens` tokens through an `Executor`, and each
chunk's results are committed to the memory in a transaction of their own as soon as
they arrive: a crash loses at most the chunks in flight, and the next run starts from
the memory. Between chunks the stage checks whether it was asked to stop or its time
is spent, and then returns what is complete.

Placeholders are checked on every hop (see hops.py).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from xlate.translate import protect as pr
from xlate.translate.engine import Engine, Output
from xlate.translate.hops import Pair, Route, Tables, label, must_split
from xlate.translate.memory import TranslationMemory, commit, normalize
from xlate.translate.packages import InstalledPackage
from xlate.translate.work import Batch, Executor, LocalExecutor

__all__ = ["Batch", "Limits", "Progress", "Route", "Stats", "complete", "is_quality_flag", "translate_units"]

log = logging.getLogger(__name__)

# Tokens per chunk (config: translate.chunk_tokens). CTranslate2 decodes a chunk in sub-batches of
# translate.max_batch_size tokens (2048) anyway, so bigger chunks cannot batch better; they only
# delay the next commit, the stop check and the progress line. Measured (bench/chunks-quick.json):
# 512 to 4096 tokens per chunk decode as fast as one batch per model; 256 loses a third.
DEFAULT_CHUNK_TOKENS = 2048

QUALITY_FLAGS = ("degenerate", "placeholder")


def is_quality_flag(flag: str) -> bool:
    """Flags that make a translation questionable (as opposed to informative ones like 'split')."""
    return flag.startswith(QUALITY_FLAGS)


@dataclass(frozen=True)
class Limits:
    """How the stage may spend this run."""

    chunk_tokens: int = DEFAULT_CHUNK_TOKENS
    parallel: int = 1  # chunks per window at the first hop: how many workers the executor can keep busy
    # time.monotonic(): start no chunk after it. The first window always completes, so that every
    # run publishes at least its newest articles, however small the budget.
    deadline: float | None = None
    should_stop: Callable[[], bool] | None = None  # e.g. SIGTERM seen: stop after the chunk in flight


@dataclass(frozen=True)
class Progress:
    """After each chunk: sentences decoded so far and expected in this run, per model."""

    models: tuple[tuple[str, int, int], ...]  # (model, done, total)
    batch: Batch
    seconds: float  # how long this chunk took

    @property
    def done(self) -> int:
        return sum(d for _, d, _ in self.models)

    @property
    def total(self) -> int:
        return sum(t for _, _, t in self.models)


@dataclass
class Stats:
    decoded: dict[str, int] = field(default_factory=dict)
    memory_hits: int = 0
    flagged: list[tuple[str, str, str]] = field(default_factory=list)  # (route, sentence, flag)
    chunks: int = 0
    seconds: dict[str, float] = field(default_factory=dict)  # decoding time per model (for throughput, ETA)
    stopped: str | None = None  # "deadline" or "stop": some units were left for the next run


class _Stop(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Driver:
    """Fills `Tables` from the memory and the executor, window by window, hop by hop."""

    def __init__(
        self,
        model_ids: dict[Pair, str],
        memory: TranslationMemory,
        executor: Executor,
        limits: Limits,
        count: Callable[[Pair, str], int],
    ) -> None:
        self.tables = Tables()
        self.model_ids = model_ids
        self.memory = memory
        self.executor = executor
        self.limits = limits
        self.count = count
        self.stats = Stats(decoded={label(p): 0 for p in model_ids})
        self.totals = {label(p): 0 for p in model_ids}
        self.looked: dict[Pair, set[str]] = {}
        self.windows_done = 0
        self.needed: dict[Pair, set[str]] = {}  # per model, the inputs still to decode ("\x00"+unit: unknown yet)
        self.on_batch: Callable[[Batch], None] | None = None
        self.progress: Callable[[Progress], None] | None = None

    def run_window(self, texts: Sequence[str], routes: dict[str, Route], decode: bool = True) -> None:
        """Every hop of every route for `texts`; with decode=False from the memory only."""
        depth = max((len(r) for r in routes.values()), default=0)
        current: dict[str, set[str]] = {t: set(texts) for t in routes}
        for hop in range(depth):
            inputs: dict[Pair, set[str]] = {}
            for t, r in routes.items():
                if len(r) > hop:
                    inputs.setdefault(r[hop], set()).update(current[t])
            for _ in range(2):  # the inputs whole, then the pieces of those whose placeholders broke
                todo = {p: self._recall(p, self.tables.to_send(p, ins)) for p, ins in sorted(inputs.items())}
                if decode:
                    self._decode([b for p, ss in todo.items() for b in self._chunks(p, ss)])
            for t, r in routes.items():
                if len(r) > hop:
                    current[t] = {n for s in current[t] for n in self.tables.next_inputs(r[hop], s)}

    def _recall(self, pair: Pair, texts: Iterable[str]) -> list[str]:
        """Fill from the memory what it has (asking once per text); return what is left to decode."""
        wanted = self.tables.wanted(pair, texts)
        looked = self.looked.setdefault(pair, set())
        ask = [s for s in wanted if s not in looked]
        if ask:
            hits = self.memory.memory_get(self.model_ids[pair], ask)
            for s, e in hits.items():
                self.tables.put(pair, s, Output(e.target, e.score, tuple(f for f in e.flags.split(",") if f)))
            self.stats.memory_hits += len(hits)
            looked.update(ask)
        return [s for s in wanted if self.tables.get(pair, s) is None]

    def _chunks(self, pair: Pair, todo: Sequence[str]) -> list[Batch]:
        """Length-sorted, so each chunk holds sentences of similar length (little padding)."""
        sized = sorted((self.count(pair, s), s) for s in todo)
        chunks: list[list[str]] = []
        tokens = self.limits.chunk_tokens
        for n, s in sized:
            if tokens + n > self.limits.chunk_tokens and (not chunks or chunks[-1]):
                chunks.append([])
                tokens = 0
            chunks[-1].append(s)
            tokens += n
        return [Batch(pair, self.model_ids[pair], tuple(c)) for c in chunks]

    def _announce(self, batches: Sequence[Batch]) -> Iterator[Batch]:
        for b in batches:
            if self.on_batch:
                self.on_batch(b)
            yield b

    def _decode(self, batches: Sequence[Batch]) -> None:
        if not batches:
            return
        self._check()
        results = self.executor.decode(self._announce(batches))
        try:
            started = time.monotonic()
            for b, outs in results:
                self._commit(b, outs, time.monotonic() - started)
                started = time.monotonic()
                self._check()
        finally:
            close = getattr(results, "close", None)
            if close is not None:
                close()

    def _commit(self, b: Batch, outs: list[Output], seconds: float) -> None:
        rows = [(s, o.text, o.score, ",".join(o.flags)) for s, o in zip(b.sentences, outs, strict=True)]
        commit(self.memory, b.model_id, rows)
        for s, o in zip(b.sentences, outs, strict=True):
            self.tables.put(b.pair, s, o)
        key = label(b.pair)
        self.stats.decoded[key] += len(b.sentences)
        self.stats.seconds[key] = self.stats.seconds.get(key, 0.0) + seconds
        self.stats.chunks += 1
        self.totals[key] = max(self.totals[key], self.stats.decoded[key])
        if self.progress:
            models = tuple((m, self.stats.decoded[m], self.totals[m]) for m in sorted(self.totals))
            self.progress(Progress(models, b, seconds))

    def _check(self) -> None:
        lim = self.limits
        if lim.should_stop is not None and lim.should_stop():
            raise _Stop("stop")
        if lim.deadline is not None and self.windows_done > 0 and time.monotonic() >= lim.deadline:
            raise _Stop("deadline")

    def windows(self, texts: Sequence[str], routes: dict[str, Route]) -> Iterator[list[str]]:
        """Consecutive texts whose new tokens at the first hop fill `parallel` chunks."""
        first = sorted({r[0] for r in routes.values() if r})
        budget = self.limits.chunk_tokens * self.limits.parallel
        cur: list[str] = []
        tokens = 0
        for t in texts:
            cur.append(t)
            tokens += sum(self.count(p, t) for p in first if self.tables.get(p, t) is None)
            if tokens >= budget:
                yield cur
                cur, tokens = [], 0
        if cur:
            yield cur

    def estimate(self, texts: Sequence[str], routes: dict[str, Route]) -> None:
        """Sentences each model will decode: exact where the input is known, one per unit beyond."""
        need: dict[Pair, set[str]] = {p: set() for p in self.model_ids}
        for text in texts:
            for r in routes.values():
                cur, blocked = {text}, False
                for pair in r:
                    if blocked:
                        need[pair].add(f"\x00{text}")
                        continue
                    for c in cur:
                        if c.strip() and not must_split(c) and self.tables.get(pair, c) is None:
                            need[pair].add(normalize(c))
                            blocked = True
                    cur = {n for c in cur for n in self.tables.next_inputs(pair, c)}
        for p, s in need.items():
            self.totals[label(p)] = len(s)
        self.needed = need


def _blank(_: int) -> str:
    return ""


def translate_units(
    units: Sequence[pr.Protected],
    routes: dict[str, Route],
    packages: dict[Pair, InstalledPackage],
    engine: Engine | Executor,
    memory: TranslationMemory,
    on_batch: Callable[[Batch], None] | None = None,
    *,
    limits: Limits = Limits(),
    progress: Callable[[Progress], None] | None = None,
) -> tuple[dict[str, dict[pr.Protected, Output]], Stats]:
    """Translate protected units, in the given order of priority, and render their spans per target.

    Returns, per target, the units that are complete (all of them unless the stage was
    stopped or ran out of time: see `Stats.stopped`). Every protected span appears in
    every target (verbatim, or as the glossary's rendering), and no placeholder the
    source did not literally contain ever does.
    """
    pairs = sorted({p for r in routes.values() for p in r})
    executor = LocalExecutor(engine) if isinstance(engine, Engine) else engine
    d = _Driver({p: packages[p].model_id() for p in pairs}, memory, executor, limits, _token_counter(packages))
    d.on_batch, d.progress = on_batch, progress
    order = list(dict.fromkeys(u.text for u in units))
    d.run_window(order, routes, decode=False)
    pending = [t for t in order if any(d.tables.resolve(t, r, _blank) is None for r in routes.values())]
    d.estimate(pending, routes)
    started = time.monotonic()
    try:
        for n, window in enumerate(d.windows(pending, routes), start=1):
            log.info("decoding window %d: %d sentences", n, len(window))  # a readiness mark for tests too
            d.run_window(window, routes)
            d.windows_done += 1
            _log_window(n, d, time.monotonic() - started)
    except _Stop as stop:
        d.stats.stopped = stop.reason
        log.info("translation stopped (%s) after %d chunks; the next run continues", stop.reason, d.stats.chunks)
    return _results(units, routes, d.tables, d.stats), d.stats


def pending_work(
    units: Sequence[pr.Protected],
    routes: dict[str, Route],
    packages: dict[Pair, InstalledPackage],
    memory: TranslationMemory,
) -> dict[str, tuple[int, int]]:
    """What is left to decode per model, (sentences, source tokens), without decoding anything.

    Exact for the first hop and wherever the memory knows the input; beyond, one sentence per
    unit (a unit's pivot text is unknown until it is decoded). For `xlate status` and an ETA.
    """
    pairs = sorted({p for r in routes.values() for p in r})
    count = _token_counter(packages)
    d = _Driver({p: packages[p].model_id() for p in pairs}, memory, _MemoryOnly(), Limits(), count)
    order = list(dict.fromkeys(u.text for u in units))
    d.run_window(order, routes, decode=False)
    pending = [t for t in order if any(d.tables.resolve(t, r, _blank) is None for r in routes.values())]
    d.estimate(pending, routes)
    # An input not known yet is counted by its unit's source text: the best guess before decoding.
    return {label(p): (d.totals[label(p)], sum(d.count(p, s.lstrip("\x00")) for s in d.needed[p])) for p in pairs}


class _MemoryOnly:
    """The executor of a dry run: asked to decode, it refuses (a bug, never input)."""

    def decode(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[Output]]]:
        raise RuntimeError("pending_work must not decode")

    def close(self) -> None:
        pass


def complete(units: Iterable[Iterable[pr.Protected]], translated: Mapping[str, Mapping[pr.Protected, Output]]) -> bool:
    """Whether every unit (e.g. of one article, per block) is translated for every target.

    An article is published when it is complete in all its targets, not language by language:
    its pages link to each other's language versions, and the work left for a language is at
    most the window in flight (all targets of a window are decoded before the next one starts).
    """
    return all(u in per for block in units for u in block for per in translated.values())


def _results(
    units: Sequence[pr.Protected], routes: dict[str, Route], tables: Tables, stats: Stats
) -> dict[str, dict[pr.Protected, Output]]:
    result: dict[str, dict[pr.Protected, Output]] = {t: {} for t in routes}
    for t, r in routes.items():
        for u in units:
            step = tables.resolve(u.text, r, _renderer(u, t))
            if step is None:
                continue  # not complete in this run
            flags = tuple(sorted(set(step.flags)))
            result[t][u] = Output(step.text, step.score, flags)
            stats.flagged.extend((f"{r[0][0]}->{t}", u.source, f) for f in flags if is_quality_flag(f))
    return result


def _renderer(u: pr.Protected, lang: str) -> Callable[[int], str]:
    return lambda i: u.slots[i].render(lang)


def _log_window(n: int, d: _Driver, seconds: float) -> None:
    if d.stats.chunks:
        models = ", ".join(f"{m} {d.stats.decoded[m]}/{d.totals[m]}" for m in sorted(d.totals))
        log.info("window %d done: %s sentences decoded (%.1f s)", n, models, seconds)


def _token_counter(packages: dict[Pair, InstalledPackage]) -> Callable[[Pair, str], int]:
    """Tokens per sentence with the model's own tokenizer (loaded once per model, no model weights)."""
    from xlate.translate.argos import Tokenizer, load_tokenizer

    loaded: dict[Pair, Tokenizer] = {}
    counted: dict[tuple[Pair, str], int] = {}  # windows and chunks both ask

    def count(pair: Pair, text: str) -> int:
        if (pair, text) not in counted:
            if pair not in loaded:
                pkg = packages[pair]
                loaded[pair] = load_tokenizer(pkg.path, pkg.tokenizer)
            counted[pair, text] = len(loaded[pair].encode(text))
        return counted[pair, text]

    return count
