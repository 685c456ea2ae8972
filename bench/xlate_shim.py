"""The real xlate CLI with the bench's decode lengths patched in, and counters.

    BENCH_DECODE_LEN=L BENCH_STATS=out.json python -m bench.xlate_shim --config C run --settle 0 --json

Patches, in this process only (src/ is untouched):
- Engine._decode_options: min_decoding_length = max_decoding_length = L, so every
  decoded sentence has exactly L tokens, as for the other contenders;
- engine.degeneracy and engine._placeholders_differ: still run (their cost stays in the
  measurement) but their verdicts are only counted, never acted on, so no sentence is
  retried: random weights produce repetitive output (and the bench vocabulary's "⟦s⟧"
  symbol), and a retry would decode those sentences a second time;
- Engine._run: counts sentences and output tokens per model and the time in CTranslate2.
The counters are written to $BENCH_STATS at exit.
"""

from __future__ import annotations

import atexit
import os
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.common import ENV_STATS, TokenCounter, decode_len, write_json


def install() -> tuple[TokenCounter, Counter[str]]:
    from xlate.translate import engine

    length = decode_len()
    counter = TokenCounter()
    would_retry: Counter[str] = Counter()
    cls: Any = engine.Engine  # patched below; Any keeps the type checker out of method assignment
    decode_options = cls._decode_options
    run = cls._run
    degeneracy = engine.degeneracy

    def patched_options(self: Any, max_src: int) -> dict[str, Any]:
        opts: dict[str, Any] = decode_options(self, max_src)
        opts["min_decoding_length"] = length
        opts["max_decoding_length"] = length
        return opts

    def patched_run(self: Any, m: Any, batch: list[list[str]], **opts: Any) -> Any:
        t = time.perf_counter()
        out = run(self, m, batch, **opts)
        # xlate decodes in chunks (several calls per model); a retry is a call with the anti-repetition settings.
        retry = "repetition_penalty" in opts
        counter.add(m.pkg.pair, [len(toks) for toks, _ in out], time.perf_counter() - t, retry=retry)
        return out

    def counted_degeneracy(src_tokens: Sequence[str], out_tokens: Sequence[str], ratio: float) -> str | None:
        why = degeneracy(src_tokens, out_tokens, ratio)
        if why:
            would_retry[why] += 1
        return None

    placeholders_differ = engine._placeholders_differ

    def counted_placeholders(src: str, out: str) -> bool:
        if placeholders_differ(src, out):
            would_retry["placeholders differ"] += 1
        return False

    cls._decode_options = patched_options
    cls._run = patched_run
    engine.degeneracy = counted_degeneracy
    engine._placeholders_differ = counted_placeholders
    return counter, would_retry


def main() -> None:
    counter, would_retry = install()
    stats_path = os.environ.get(ENV_STATS)

    def dump() -> None:
        if stats_path:
            write_json(Path(stats_path), {"counter": counter.as_json(), "would_retry": dict(would_retry)})

    atexit.register(dump)
    from xlate.cli import main as cli

    cli(prog_name="xlate")


if __name__ == "__main__":
    main()
