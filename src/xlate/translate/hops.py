"""This run's results per model (hop), and how a sentence travels through a route.

Every output of every hop is checked against its input's placeholders (`protect.accept`).
A broken one is never carried on: the hop's input is cut at its placeholders, the text
between them is translated piece by piece from that hop on, and the spans are spliced
back in source order, rendered for the target. So every protected span reaches every
target, and no placeholder reaches a reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from xlate.translate import protect as pr
from xlate.translate.engine import Output
from xlate.translate.memory import normalize

Pair = tuple[str, str]
Route = tuple[Pair, ...]


def label(pair: Pair) -> str:
    return f"{pair[0]}->{pair[1]}"


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


class Tables:
    """Outputs per model, keyed by normalised input: from the memory or decoded in this run."""

    def __init__(self) -> None:
        self.done: dict[Pair, dict[str, Output]] = {}

    def get(self, pair: Pair, text: str) -> Output | None:
        return self.done.get(pair, {}).get(normalize(text))

    def put(self, pair: Pair, source: str, out: Output) -> None:
        self.done.setdefault(pair, {})[source] = out

    def wanted(self, pair: Pair, texts: Iterable[str]) -> list[str]:
        """The normalised texts of `texts` this model has no output for yet (sorted, unique)."""
        table = self.done.get(pair, {})
        return sorted({normalize(s) for s in texts if s.strip()} - table.keys())

    def to_send(self, pair: Pair, inputs: Iterable[str]) -> list[str]:
        """What a hop must have decoded: the inputs whole, and the pieces of those that broke."""
        inputs = set(inputs)
        out = [s for s in inputs if not must_split(s)]
        for s in inputs:
            o = None if must_split(s) else self.get(pair, s)
            if must_split(s) or (o is not None and pr.accept(s, o.text)[0] is None):
                out.extend(piece_cores(s))
        return out

    def next_inputs(self, pair: Pair, text: str) -> list[str]:
        """What flows on to the next hop from `text` after `pair` (nothing yet if it is not decoded)."""
        if not text.strip():
            return [text]
        if not must_split(text):
            o = self.get(pair, text)
            if o is None:
                return []
            carried = pr.accept(text, o.text)[0]
            if carried is not None:
                return [carried]
        outs = [(core, self.get(pair, core)) for core in piece_cores(text)]
        return [str(pr.accept(core, o.text)[0]) for core, o in outs if o is not None]

    def resolve(self, text: str, route: Route, render: Callable[[int], str]) -> Step | None:
        """`text` through `route`, placeholders rendered; None if a hop's result is not known yet."""
        if not route:
            return Step(pr.fill(text, render), 0.0, ())
        if not text.strip():
            return Step(text, 0.0, ())
        pair = route[0]
        o = None if must_split(text) else self.get(pair, text)
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
