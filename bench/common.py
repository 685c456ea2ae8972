"""Small helpers shared by the bench's workers and its driver."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.model import SENTENCE_MARK

__all__ = ["SENTENCE_MARK", "TokenCounter", "load_units", "units_of", "write_json"]

# Environment variables the workers read (set by bench/run.py).
ENV_DECODE_LEN = "BENCH_DECODE_LEN"  # every decoded sentence gets exactly this many tokens
ENV_STATS = "BENCH_STATS"  # where a worker writes its counters (JSON)


def decode_len() -> int:
    return int(os.environ[ENV_DECODE_LEN])


@dataclass
class TokenCounter:
    """Per model: sentences decoded, output tokens, shortest and longest output, batch calls."""

    sentences: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, int] = field(default_factory=dict)
    min_len: dict[str, int] = field(default_factory=dict)
    max_len: dict[str, int] = field(default_factory=dict)
    calls: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    retries: dict[str, int] = field(default_factory=dict)  # calls that decode again what was decoded

    def add(self, pair: str, lengths: Sequence[int], seconds: float = 0.0, retry: bool = False) -> None:
        self.calls[pair] = self.calls.get(pair, 0) + 1
        if retry:
            self.retries[pair] = self.retries.get(pair, 0) + 1
        self.seconds[pair] = self.seconds.get(pair, 0.0) + seconds
        if not lengths:
            return
        self.sentences[pair] = self.sentences.get(pair, 0) + len(lengths)
        self.tokens[pair] = self.tokens.get(pair, 0) + sum(lengths)
        self.min_len[pair] = min(self.min_len.get(pair, 1 << 30), min(lengths))
        self.max_len[pair] = max(self.max_len.get(pair, 0), max(lengths))

    def as_json(self) -> dict[str, Any]:
        return {
            "sentences": self.sentences,
            "tokens": self.tokens,
            "min_len": self.min_len,
            "max_len": self.max_len,
            "calls": self.calls,
            "retries": self.retries,
            "decode_seconds": {k: round(v, 4) for k, v in self.seconds.items()},
        }


def units_of(paths: Iterable[Path]) -> list[list[list[str]]]:
    """xlate's own segmentation of each file: per article, the units of each block (title first)."""
    from xlate import segment
    from xlate.config import Ingest
    from xlate.ingest import parse_article

    out = []
    for p in paths:
        art = parse_article(p.name, p.read_bytes(), Ingest())
        out.append(segment.segment(art.title, art.blocks))
    return out


def load_units(path: Path) -> list[list[list[str]]]:
    data: list[list[list[str]]] = json.loads(path.read_text(encoding="utf-8"))
    return data


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")


def now() -> float:
    return time.perf_counter()
