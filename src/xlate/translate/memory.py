"""Translation memory: a sentence decoded once by a model is never decoded again.

Keys are (model identity, normalised source sentence). The model identity holds
the pair, the package version and a hash of the package's files, so installing
a new version of one model misses for exactly that model's entries.

The translate stage sees the memory only through `TranslationMemory` (the state
store fits it as it is), so it never depends on the concrete store.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Protocol

Row = tuple[str, str, float | None, str]  # source, target, score, flags (comma-separated)


class Remembered(Protocol):
    @property
    def target(self) -> str: ...
    @property
    def score(self) -> float | None: ...
    @property
    def flags(self) -> str: ...


class TranslationMemory(Protocol):
    def memory_get(self, model_id: str, sources: Iterable[str]) -> Mapping[str, Remembered]: ...
    def memory_put(self, model_id: str, rows: Sequence[Row]) -> None: ...
    def transaction(self) -> AbstractContextManager[object]: ...


def normalize(sentence: str) -> str:
    return " ".join(unicodedata.normalize("NFC", sentence).split())


def commit(memory: TranslationMemory, model_id: str, rows: Sequence[Row]) -> None:
    """Store one chunk's results in a transaction of its own: a crash later loses none of them."""
    with memory.transaction():
        memory.memory_put(model_id, rows)
