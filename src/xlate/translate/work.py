"""The unit of translation work and where it runs.

A `Batch` (one model, some sentences) is plain data, so it can be decoded in this process
or shipped to a worker on another machine. An `Executor` decodes batches and yields each
one's outputs as soon as it is done, so that the caller (the only writer of the state) can
commit them chunk by chunk. `LocalExecutor` is the default: this process, nothing to set up.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from xlate.translate.engine import Engine, Output


@dataclass(frozen=True)
class Batch:
    """One model's share of work: plain data, so it could be sent to another worker."""

    pair: tuple[str, str]
    model_id: str
    sentences: tuple[str, ...]


class Executor(Protocol):
    def decode(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[Output]]]:
        """Decode every batch; yield each with its outputs (aligned with its sentences) as it completes.

        Completion order may differ from submission order. Stopping iteration early (the caller
        was asked to stop) abandons the batches not yet yielded.
        """
        ...

    def close(self) -> None: ...


class LocalExecutor:
    """Decode in this process, one batch after another (the default)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    def decode(self, batches: Iterable[Batch]) -> Iterator[tuple[Batch, list[Output]]]:
        for b in batches:
            yield b, self.engine.translate(b.pair, b.sentences)

    def close(self) -> None:
        pass
