"""Smoke test of the benchmark: `python -m bench --quick` runs end to end and reports every figure.

It checks that the figures exist and are positive, never how fast anything is.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO

TARGETS = {"vs_naive", "vs_raw", "noop", "add_one", "rss", "feeds"}


@pytest.mark.slow
def test_bench_quick_produces_every_figure(tmp_path: Path) -> None:
    out, md, png = tmp_path / "results.json", tmp_path / "BENCHMARKS.md", tmp_path / "throughput.png"
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--json", str(out), "--markdown", str(md), "--plot", str(png)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-4000:]
    r = json.loads(out.read_text(encoding="utf-8"))

    assert r["meta"]["quick"] is True
    assert len(r["sizes"]) >= 2
    for res in r["sizes"].values():
        assert res["units"] > 0
        for name in ("naive", "raw", "xlate"):
            c = res["contenders"][name]
            for key in ("wall_s", "cpu_s", "rss_mb", "sentences_per_s", "tokens_per_s", "output_tokens"):
                assert c[key] > 0, (name, key, c[key])
        noop = res["contenders"]["noop"]
        assert noop["wall_s"] > 0 and noop["rss_mb"] > 0

    f = r["figures"]
    for key in ("noop_s", "argos_import_s", "noop_over_import", "add_one_s", "alone_s", "add_one_ratio", "feeds_s"):
        assert f[key] > 0, key
    for key in ("xlate_over_naive_speed", "xlate_over_raw_time"):
        assert f[key] and all(v > 0 for v in f[key].values()), key
    assert all(v > 0 for v in f["peak_rss_mb"].values())

    assert {t["key"] for t in r["targets"]} == TARGETS
    assert all(isinstance(t["met"], bool) and t["value"] for t in r["targets"])
    assert r["checks"]["equal_output_tokens"], r["checks"]["problems"]
    assert r["checks"]["xlate_retry_calls"] == 0

    report = md.read_text(encoding="utf-8")
    for heading in ("## Throughput", "## Figures", "## Targets"):
        assert heading in report
    assert png.stat().st_size > 0  # matplotlib comes with the bench extra, which `make test` installs
