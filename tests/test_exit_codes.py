"""An exception xlate did not expect ends as one line and exit 70, through the real CLI."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

from tests.helpers import REPO, run_cli
from xlate.errors import UNEXPECTED_EXIT
from xlate.store import Store


def _project_with_bad_run_record(tmp_path: Path) -> Path:
    """A state database whose schema is right but whose last run record holds broken JSON:
    nothing xlate maps to a known failure, so `xlate status` meets a real, unforeseen error."""
    shutil.copy2(REPO / "config.yaml", tmp_path / "config.yaml")
    shutil.copy2(REPO / "glossary.yaml", tmp_path / "glossary.yaml")
    Store(tmp_path / "state" / "xlate.sqlite3").close()  # the real schema, current version
    db = sqlite3.connect(tmp_path / "state" / "xlate.sqlite3")
    with db:
        db.execute(
            "INSERT INTO runs (started_at, finished_at, status, report) VALUES (?, ?, 'ok', ?)",
            ("2026-12-04T10:00:00Z", "2026-12-04T10:00:04Z", '{"published": 1,'),
        )
    db.close()
    return tmp_path


def test_unexpected_error_is_one_line_and_exit_70(tmp_path: Path) -> None:
    project = _project_with_bad_run_record(tmp_path)
    proc = run_cli(project, "status")
    assert proc.returncode == UNEXPECTED_EXIT == 70, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    line = lines[0]
    assert line.startswith("xlate: error: unexpected error JSONDecodeError(")
    assert "at xlate/status.py:" in line  # where, for the report
    assert "this is a bug in xlate" in line and "report this line" in line and "-vv" in line
    assert "Traceback" not in proc.stderr and proc.stdout == ""


def test_unexpected_error_as_a_json_log_record(tmp_path: Path) -> None:
    project = _project_with_bad_run_record(tmp_path)
    proc = run_cli(project, "--log-format", "json", "status")
    assert proc.returncode == 70
    (line,) = proc.stderr.strip().splitlines()
    record = json.loads(line)
    assert record["level"] == "error" and record["exit_code"] == 70
    assert record["message"].startswith("unexpected error JSONDecodeError(")
    assert "exc" not in record  # the traceback only with -vv


def test_traceback_only_with_vv(tmp_path: Path) -> None:
    project = _project_with_bad_run_record(tmp_path)
    once = run_cli(project, "-v", "status")
    assert once.returncode == 70 and "Traceback" not in once.stderr
    twice = run_cli(project, "-vv", "status")
    assert twice.returncode == 70
    assert "Traceback (most recent call last)" in twice.stderr
    assert "json.decoder.JSONDecodeError" in twice.stderr
    assert twice.stderr.strip().splitlines()[-1].startswith("xlate: error: unexpected error JSONDecodeError(")
    as_json = run_cli(project, "-vv", "--log-format", "json", "status")
    records = [json.loads(ln) for ln in as_json.stderr.strip().splitlines()]
    assert any("JSONDecodeError" in r.get("exc", "") for r in records)
    assert records[-1]["exit_code"] == 70


def test_usage_errors_keep_clicks_exit_2(tmp_path: Path) -> None:
    """The last-resort handler leaves click's own errors alone (exit 2, a usage line)."""
    shutil.copy2(REPO / "config.yaml", tmp_path / "config.yaml")
    proc = run_cli(tmp_path, "run", "--no-such-option")
    assert proc.returncode == 2 and "No such option" in proc.stderr
    assert run_cli(tmp_path, "--version").returncode == 0


def test_a_broken_install_is_exit_70_not_1(tmp_path: Path) -> None:
    """A dependency that fails to import (a stray module shadowing click) must not exit 1, which
    the systemd unit counts as success: the entry point reports it in one line with exit 70."""
    shutil.copy2(REPO / "config.yaml", tmp_path / "config.yaml")
    shutil.copy2(REPO / "glossary.yaml", tmp_path / "glossary.yaml")
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "click.py").write_text("raise ImportError('this click is broken')\n", encoding="utf-8")
    proc = run_cli(tmp_path, "status", env={"PYTHONPATH": str(shadow)})
    assert proc.returncode == 70, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert line.startswith("xlate: error: cannot load xlate (ImportError: this click is broken)")
    assert "reinstall" in line
