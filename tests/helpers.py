"""Helpers shared by the test modules (import them from here, never from another test module).

The real CLI in a subprocess, the repo's config with overrides, the project's fixture packages.
Fixtures stay in conftest.py.
"""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
MODELS = FIXTURES / "models"
CORE_PACKAGES = ("translate-lt_en.argosmodel", "translate-en_pl.argosmodel", "translate-en_ru.argosmodel")


def xlate_argv(project: Path, *args: str) -> list[str]:
    """The command line cron would run for `project`'s config."""
    return [sys.executable, "-m", "xlate", "--config", str(project / "config.yaml"), *args]


def run_cli(
    project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as cron would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        xlate_argv(project, *args),
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=project,
    )


def run_json(project: Path, *extra: str, expect: int | None = 0) -> dict[str, Any]:
    proc = run_cli(project, "run", "--json", *extra)
    if expect is not None:
        assert proc.returncode == expect, proc.stderr + proc.stdout
    data: dict[str, Any] = json.loads(proc.stdout)
    return data


def write_config(root: Path, models: Path, **overrides: object) -> None:
    """The repo's config.yaml in `root`, with `section__key=value` overrides (settle 0, repo glossary)."""
    cfg = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    cfg["paths"]["models"] = str(models)
    cfg["paths"]["glossary"] = str(REPO / "glossary.yaml")
    cfg["ingest"]["settle_seconds"] = 0
    for dotted, value in overrides.items():
        node = cfg
        *parents, leaf = dotted.split("__")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    (root / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")


class LineWatcher:
    """Reads a child's stream line by line in a thread, so a test can wait for a line
    (a readiness handshake) while the child goes on writing; `lines` keeps everything read."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._new = threading.Condition()
        self._done = False
        self._thread = threading.Thread(target=self._pump, args=(stream,), daemon=True)
        self._thread.start()

    def _pump(self, stream: IO[str]) -> None:
        for line in stream:
            with self._new:
                self.lines.append(line)
                self._new.notify_all()
        with self._new:
            self._done = True
            self._new.notify_all()

    def wait_for(self, pattern: str, timeout: float) -> str:
        """The first line matching `pattern` (a regex); AssertionError if the stream ends or time runs out."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        seen = 0
        with self._new:
            while True:
                for line in self.lines[seen:]:
                    if rx.search(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if self._done or left <= 0:
                    raise AssertionError(f"no line matching {pattern!r} within {timeout}s: {''.join(self.lines)}")
                self._new.wait(left)

    def text(self) -> str:
        """Everything the stream held (call after the child exited)."""
        self._thread.join(timeout=30)
        return "".join(self.lines)


def latest_run_status(state_db: Path) -> str | None:
    """The status of the newest row in the state's runs table, read-only; None when there is none yet."""
    if not state_db.exists():
        return None
    try:
        db = sqlite3.connect(f"file:{state_db}?mode=ro", uri=True, timeout=0.05)
        try:
            row = db.execute("SELECT status FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        finally:
            db.close()
    except sqlite3.Error:  # created but not migrated yet, or busy for a moment
        return None
    return str(row[0]) if row else None


def wait_for_run_start(state_db: Path, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    """Wait until the child's run has recorded itself as running in the state database."""
    deadline = time.monotonic() + timeout
    while latest_run_status(state_db) != "running":
        assert proc.poll() is None, "the run ended before it was seen running"
        assert time.monotonic() < deadline, f"the run did not start within {timeout}s"
        time.sleep(0.01)
