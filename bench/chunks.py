"""Chunk size for the translate stage: throughput and time per chunk against `chunk_tokens`.

    python -m bench.chunks [--articles N] [--sizes 512,1024,...] [--decode-len L] [--quick]

Runs xlate's real translate stage (memory in a fresh SQLite file, LocalExecutor, every
chunk committed) over the units of N generated articles with the bench packages (built or
found by bench.model), once per chunk size, and prints sentences/s, the number of chunks
and the median seconds per chunk (how long a stop request or a deadline waits). The
largest size stands for "one batch per model", as before chunking. Decode lengths are
fixed as in bench.xlate_shim, so every contender decodes the same number of tokens.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any


def _measure(units: list[str], models: Path, size: int, decode_len: int) -> dict[str, Any]:
    from xlate.config import Translate
    from xlate.store import Store
    from xlate.translate import Limits, Progress, packages, translate_units
    from xlate.translate.engine import Engine
    from xlate.translate.protect import Glossary, protect

    pkgs = packages.installed(models)
    engine: Any = Engine(pkgs, Translate())
    options = engine._decode_options

    def fixed(max_src: int) -> dict[str, Any]:
        opts: dict[str, Any] = options(max_src)
        opts.update(min_decoding_length=decode_len, max_decoding_length=decode_len)
        return opts

    engine._decode_options = fixed
    engine.translate(("lt", "en"), ["Labas."])  # load outside the timing
    seconds: list[float] = []

    def on_progress(p: Progress) -> None:
        seconds.append(p.seconds)

    routes = {"en": (("lt", "en"),), "pl": (("lt", "en"), ("en", "pl")), "ru": (("lt", "en"), ("en", "ru"))}
    prot = [protect(u, Glossary()) for u in units]
    with tempfile.TemporaryDirectory() as d:
        store = Store(Path(d) / "s.sqlite3")
        t = time.perf_counter()
        _, stats = translate_units(
            prot, routes, pkgs, engine, store, limits=Limits(chunk_tokens=size), progress=on_progress
        )
        wall = time.perf_counter() - t
    n = sum(stats.decoded.values())
    return {
        "chunk_tokens": size,
        "sentences": n,
        "seconds": round(wall, 2),
        "sentences_per_s": round(n / wall, 1),
        "chunks": stats.chunks,
        "median_chunk_s": round(statistics.median(seconds), 2) if seconds else 0.0,
        "max_chunk_s": round(max(seconds), 2) if seconds else 0.0,
    }


def main(argv: Sequence[str] | None = None) -> None:
    from bench import corpus, model

    ap = argparse.ArgumentParser(prog="python -m bench.chunks")
    ap.add_argument("--articles", type=int, default=30)
    ap.add_argument("--sizes", default="256,512,1024,2048,4096,1000000")
    ap.add_argument("--decode-len", type=int, default=30)
    ap.add_argument("--quick", action="store_true", help="the small CI packages instead of Transformer-base")
    a = ap.parse_args(argv)
    params = model.QUICK if a.quick else model.FULL
    built = model.build(params).files()
    from xlate.translate import packages

    with tempfile.TemporaryDirectory() as d:
        models = Path(d)
        for f in built:
            packages.install_file(f, models)
        units = sorted({u for art in corpus.generate(a.articles, seed=7) for u in art.units})
        rows = [_measure(units, models, int(s), a.decode_len) for s in a.sizes.split(",")]
    print(json.dumps({"params": params.label, "units": len(units), "rows": rows}, indent=1))


if __name__ == "__main__":
    main()
