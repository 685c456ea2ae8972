"""Run one contender in its own process and measure it: wall time, CPU time, peak RSS.

A contender is started by a minimal launcher (python -I -S, a few MB): Linux carries the
parent's peak RSS over into a forked child's ru_maxrss, so spawning straight from the bench
driver (which holds the corpus, yaml, numpy...) would report the driver's size for small
contenders. The launcher posix_spawns the contender, times it, and takes its CPU time and
peak RSS from os.wait4, i.e. of exactly that process (getrusage(RUSAGE_CHILDREN) would give
the largest child so far).
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import ENV_STATS

REPO = Path(__file__).resolve().parent.parent
LAUNCHER = """
import os, sys, time
out, cmd = sys.argv[1], sys.argv[2:]
t = time.perf_counter()
pid = os.posix_spawn(cmd[0], cmd, os.environ)
_, status, ru = os.wait4(pid, 0)
wall = time.perf_counter() - t
with open(out, "w") as f:
    f.write(f"{wall} {ru.ru_utime + ru.ru_stime} {ru.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


class BenchError(RuntimeError):
    pass


@dataclass
class Run:
    wall: float
    cpu: float
    rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    stats: dict[str, Any] = field(default_factory=dict)
    load_before: float = 0.0

    def json_stdout(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.stdout)
        return data


def loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return float("nan")


def base_env(home: Path) -> dict[str, str]:
    """The environment every contender gets: a throwaway HOME, the repo on PYTHONPATH."""
    env = dict(os.environ)
    for var in list(env):
        if var.startswith(("ARGOS_", "BENCH_", "XDG_")):
            del env[var]
    env["HOME"] = str(home)
    env["XDG_DATA_HOME"] = str(home / ".local" / "share")
    env["XDG_CONFIG_HOME"] = str(home / ".config")
    env["XDG_CACHE_HOME"] = str(home / ".cache")
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])])
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    return env


def run(
    args: Sequence[str],
    env: Mapping[str, str],
    cwd: Path,
    *,
    check: bool = True,
    python: bool = True,
) -> Run:
    """Run `python args...` (or `args...`) and measure it. Counters from $BENCH_STATS land in .stats."""
    cmd = [sys.executable, *args] if python else list(args)
    with tempfile.TemporaryDirectory(prefix="bench-run-") as td:
        out_p, err_p, stats_p, usage_p = (Path(td, n) for n in ("out", "err", "stats.json", "usage"))
        full_env = {**env, ENV_STATS: str(stats_p)}
        load = loadavg()
        with out_p.open("wb") as out, err_p.open("wb") as err:
            subprocess.run(
                [sys.executable, "-I", "-S", "-c", LAUNCHER, str(usage_p), *cmd],
                stdout=out,
                stderr=err,
                env=full_env,
                cwd=cwd,
                check=True,
            )
        wall, cpu, maxrss, returncode = usage_p.read_text().split()
        stats = json.loads(stats_p.read_text(encoding="utf-8")) if stats_p.exists() else {}
        result = Run(
            wall=float(wall),
            cpu=float(cpu),
            rss_mb=int(maxrss) / 1024.0,  # KiB on Linux
            returncode=int(returncode),
            stdout=out_p.read_text(encoding="utf-8", errors="replace"),
            stderr=err_p.read_text(encoding="utf-8", errors="replace"),
            stats=stats,
            load_before=load,
        )
    if check and result.returncode != 0:
        raise BenchError(
            f"{' '.join(cmd)} exited with {result.returncode}\n"
            f"--- stderr (tail) ---\n{result.stderr[-3000:]}\n--- stdout (tail) ---\n{result.stdout[-1000:]}"
        )
    return result


def median(xs: Sequence[float]) -> float:
    return float(statistics.median(xs))
