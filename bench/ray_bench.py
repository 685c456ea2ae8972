"""The Ray executor against local decoding on this machine, and the driver's commit rate.

    python -m bench --ray [--quick] [--articles N] [--json PATH]

Not part of the default run (it needs the `ray` extra and starts a Ray instance). Same
batches (the lt->en hop of generated articles, in chunks of about `chunk_tokens` source
tokens, as the translate stage makes them) through:
- `local-1t`: LocalExecutor with one CTranslate2 thread (what one Ray actor gets: 1 CPU);
- `local`: LocalExecutor as configured by default (CTranslate2 picks its threads);
- `ray-1`, `ray-2`: RayExecutor with 1 and 2 actors on a Ray instance started here.
The overhead ratio is ray-1 / local-1t in wall time, decode only (start-up is reported on its
own: connecting, shipping the packages, starting actors, loading the model). Every decoded
sentence has exactly `--decode-len` tokens (the bench's packages have random weights), in the
workers too (a Ray setup hook applies the same patch as bench/xlate_shim.py).

The driver's limit: memory rows committed per second to a real state database, one
transaction per chunk, as the translate stage commits them.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench import corpus, model
from bench.common import ENV_DECODE_LEN, units_of
from xlate.translate.work import Batch

REPO = Path(__file__).resolve().parent.parent


def patch_engine() -> None:
    """Fixed decode length, no degeneracy retry: bench/xlate_shim.py's patch, in any process."""
    from bench.xlate_shim import install

    install()


def _batches(pkg: Any, articles: int, chunk_tokens: int, seed: int) -> list[Batch]:
    from xlate.translate.argos import load_tokenizer

    with tempfile.TemporaryDirectory() as td:
        paths = corpus.write(corpus.generate(articles, seed), Path(td))
        units = sorted({u for art in units_of(paths) for block in art for u in block})
    tok = load_tokenizer(pkg.path, pkg.tokenizer)
    batches: list[Batch] = []
    cur: list[str] = []
    size = 0
    for u in units:
        n = len(tok.encode(u))
        if cur and size + n > chunk_tokens:
            batches.append(Batch((pkg.from_code, pkg.to_code), pkg.model_id(), tuple(cur)))
            cur, size = [], 0
        cur.append(u)
        size += n
    if cur:
        batches.append(Batch((pkg.from_code, pkg.to_code), pkg.model_id(), tuple(cur)))
    return batches


def _timed(executor: Any, batches: Sequence[Any]) -> tuple[float, int]:
    t = time.perf_counter()
    n = sum(len(outs) for _, outs in executor.decode(batches))
    return time.perf_counter() - t, n


def _workers_cpu(executor: Any) -> float:
    """CPU seconds used so far by a RayExecutor's workers (0 for a LocalExecutor: its decoding is
    this process's CPU time)."""
    report = getattr(executor, "report", None)
    return sum(w["cpu_seconds"] for w in report()) if report else 0.0


def commit_rate(rows: int, chunk: int) -> dict[str, float]:
    """Memory rows per second into a fresh state database, one transaction per chunk."""
    from xlate.store import Store

    with tempfile.TemporaryDirectory() as td:
        store = Store(Path(td) / "x.sqlite3")
        src = "Vilniaus apskrities Adomo Mickevičiaus viešoji biblioteka kviečia į parodą Nr. {}."
        tgt = "The Adam Mickiewicz Public Library of Vilnius County invites you to exhibition No. {}."
        t = time.perf_counter()
        for start in range(0, rows, chunk):
            part = [(src.format(i), tgt.format(i), -0.5, "") for i in range(start, min(rows, start + chunk))]
            with store.transaction():
                store.memory_put("lt_en@1#bench", part)
        seconds = time.perf_counter() - t
        store.close()
    return {"rows": rows, "chunk_rows": chunk, "seconds": round(seconds, 3), "rows_per_s": round(rows / seconds)}


def _measure(name: str, pkgs: Any, batches: list[Batch]) -> dict[str, float]:
    """One contender over the batches: wall, driver and worker CPU, start-up (model loaded first)."""
    from xlate.config import Ray, Translate
    from xlate.translate.engine import Engine
    from xlate.translate.ray_executor import RayExecutor
    from xlate.translate.work import LocalExecutor

    t = time.perf_counter()
    ex: Any
    if name.startswith("local"):
        ex = LocalExecutor(Engine(dict(pkgs), Translate(intra_threads=1 if name == "local-1t" else 0)))
        ex.engine.translate(("lt", "en"), batches[0].sentences[:2])  # model loaded before timing
    else:
        actors = int(name[-1])
        ex = RayExecutor(pkgs, Translate(executor="ray", ray=Ray(actors=actors)))
        warm = [Batch(b.pair, b.model_id, b.sentences[:2]) for b in batches[:1]] * (2 * actors)
        list(ex.decode(warm))  # every actor up, package unpacked, model loaded
    start = time.perf_counter() - t
    workers_cpu = _workers_cpu(ex)
    cpu = time.process_time()
    wall, n = _timed(ex, batches)
    cpu = time.process_time() - cpu
    workers_cpu = _workers_cpu(ex) - workers_cpu
    ex.close()
    return {
        "seconds": wall,
        "driver_cpu_seconds": cpu,
        "cpu_seconds": cpu + workers_cpu,
        "startup_seconds": start,
        "sentences": n,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    import ray

    from xlate.translate.packages import install_file, installed

    os.environ[ENV_DECODE_LEN] = str(args.decode_len)
    patch_engine()
    params = model.QUICK if args.quick else model.FULL
    built = model.build(params)
    out: dict[str, Any] = {"model": params.describe(), "decode_len": args.decode_len, "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as td:
        models_dir = Path(td) / "models"
        install_file(built.packages["lt_en"], models_dir)
        pkgs = installed(models_dir)
        pkg = pkgs[("lt", "en")]
        batches = _batches(pkg, args.articles, args.chunk_tokens, seed=args.seed)
        sentences = sum(len(b.sentences) for b in batches)
        out.update(articles=args.articles, batches=len(batches), sentences=sentences, chunk_tokens=args.chunk_tokens)
        print(f"{len(batches)} batches, {sentences} sentences ({params.label} model)", flush=True)

        ray.init(
            num_cpus=os.cpu_count(),
            include_dashboard=False,
            log_to_driver=False,
            runtime_env={
                "worker_process_setup_hook": "bench.ray_bench.patch_engine",
                "env_vars": {ENV_DECODE_LEN: str(args.decode_len), "PYTHONPATH": str(REPO)},
            },
        )
        runs: dict[str, list[dict[str, float]]] = {}
        try:
            # Interleaved and repeated: the machine is shared, so each contender sees the same drift.
            for _ in range(args.repeat):
                for name in ("local-1t", "ray-1", "local", "ray-2"):
                    r = _measure(name, pkgs, batches)
                    runs.setdefault(name, []).append(r)
                    print(
                        f"{name}: {r['seconds']:.2f} s, CPU {r['cpu_seconds']:.2f} s "
                        f"(driver {r['driver_cpu_seconds']:.2f} s), start-up {r['startup_seconds']:.2f} s",
                        flush=True,
                    )
        finally:
            ray.shutdown()
    figures: dict[str, Any] = {}
    for name, rs in runs.items():
        best = min(rs, key=lambda r: r["seconds"])  # least disturbed by the other users of the machine
        figures[name] = {
            "seconds": round(best["seconds"], 2),
            "all_seconds": [round(r["seconds"], 2) for r in rs],
            "sentences_per_s": round(best["sentences"] / best["seconds"], 2),
            "driver_cpu_seconds": round(best["driver_cpu_seconds"], 2),
            "cpu_seconds": round(min(r["cpu_seconds"] for r in rs), 2),
            "startup_seconds": round(best["startup_seconds"], 2),
        }
    out["figures"] = figures
    out["overhead_ray1_vs_local1t"] = round(figures["ray-1"]["seconds"] / figures["local-1t"]["seconds"], 3)
    out["scaling_ray2_vs_ray1"] = round(figures["ray-1"]["seconds"] / figures["ray-2"]["seconds"], 3)
    out["cpu_overhead_ray1_vs_local1t"] = round(figures["ray-1"]["cpu_seconds"] / figures["local-1t"]["cpu_seconds"], 3)
    out["ray2_vs_local"] = round(figures["local"]["seconds"] / figures["ray-2"]["seconds"], 3)
    out["commit"] = commit_rate(args.commit_rows, args.commit_chunk)
    print(json.dumps(out, indent=1), flush=True)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench --ray", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="the small CI model instead of Transformer-base")
    ap.add_argument("--articles", type=int, default=40, help="generated articles whose sentences are decoded")
    ap.add_argument("--chunk-tokens", type=int, default=4096, help="source tokens per batch (translate.chunk_tokens)")
    ap.add_argument("--decode-len", type=int, default=24, help="output tokens per sentence")
    ap.add_argument("--seed", type=int, default=20261204)
    ap.add_argument("--commit-rows", type=int, default=200_000, help="memory rows for the commit-rate test")
    ap.add_argument("--commit-chunk", type=int, default=160, help="rows per transaction (one chunk's sentences)")
    ap.add_argument("--repeat", type=int, default=2, help="rounds of the four contenders (the fastest counts)")
    ap.add_argument("--json", dest="json_out", type=Path, help="write the figures here")
    args = ap.parse_args(argv)
    out = run(args)
    if args.json_out:
        args.json_out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
