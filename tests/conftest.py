"""Shared fixtures: a project folder with config, sample input and installed fixture models."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
MODELS = FIXTURES / "models"
CORE_PACKAGES = ("translate-lt_en.argosmodel", "translate-en_pl.argosmodel", "translate-en_ru.argosmodel")


def run_cli(
    project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    """Run the real CLI in a subprocess, as cron would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "xlate", "--config", str(project / "config.yaml"), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=project,
    )


def run_json(project: Path, *extra: str, expect: int | None = 0) -> dict:  # type: ignore[type-arg]
    proc = run_cli(project, "run", "--json", *extra)
    if expect is not None:
        assert proc.returncode == expect, proc.stderr + proc.stdout
    return json.loads(proc.stdout)


@pytest.fixture(scope="session")
def installed_models(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture packages installed once per session through the real `models install`."""
    base = tmp_path_factory.mktemp("models-home")
    cfg = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    cfg["paths"] = {"models": "models", "state": "state/x.sqlite3"}
    (base / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    files = [str(MODELS / name) for name in CORE_PACKAGES]
    proc = run_cli(base, "models", "install", *files)
    assert proc.returncode == 0, proc.stderr
    return base / "models"


def write_config(root: Path, models: Path, **overrides: object) -> None:
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


@pytest.fixture
def make_project(tmp_path: Path, installed_models: Path) -> Callable[..., Path]:
    """A fresh project folder: config.yaml (settle 0), input/ with the sample articles, shared models."""

    def make(sample: bool = True, **overrides: object) -> Path:
        root = tmp_path / "project"
        root.mkdir(exist_ok=True)
        write_config(root, installed_models, **overrides)
        (root / "input").mkdir(exist_ok=True)
        if sample:
            for f in sorted((REPO / "input").iterdir()):
                if f.is_file() and not f.name.startswith("."):
                    shutil.copy2(f, root / "input" / f.name)
        return root

    return make
