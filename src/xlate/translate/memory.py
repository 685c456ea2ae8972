"""Translation memory: a sentence decoded once by a model is never decoded again.

Keys are (model identity, normalised source sentence). The model identity holds
the pair, the package version and a hash of the package's files, so installing
a new version of one model misses for exactly that model's entries.
"""

from __future__ import annotations

import unicodedata

from xlate.store import MemoryEntry, Store


def normalize(sentence: str) -> str:
    return " ".join(unicodedata.normalize("NFC", sentence).split())


def lookup(store: Store, model_id: str, sentences: list[str]) -> dict[str, MemoryEntry]:
    return store.memory_get(model_id, sentences)


def remember(store: Store, model_id: str, rows: list[tuple[str, str, float | None, str]]) -> None:
    with store.transaction():
        store.memory_put(model_id, rows)
