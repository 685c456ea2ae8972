"""Shared fixtures: a project folder with config, sample input and installed fixture models.

Helpers (run_cli, run_json, write_config, paths) live in tests/helpers.py: test modules import
them from there, never from here (tests/test_house_rules.py checks it).
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from tests.helpers import CORE_PACKAGES, MODELS, REPO, run_cli, write_config


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
