"""Helpers shared by the test modules (import them from here, never from another test module).

The real CLI in a subprocess, the repo's config with overrides, the project's fixture packages.
Fixtures stay in conftest.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

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
