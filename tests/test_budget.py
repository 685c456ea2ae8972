"""Issue 14 point 2 through the real CLI: a run under a time budget publishes the newest articles
first, leaves the rest pending, and the following runs drain the backlog."""

from __future__ import annotations

import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, run_cli, run_json

LANGS = ("en", "pl", "ru")


def _published(project: Path) -> set[str]:
    """Slugs in every target's feed."""
    feeds = [(project / "feeds" / lang / "atom.xml").read_text(encoding="utf-8") for lang in LANGS]
    slugs = {p.stem for p in (project / "input").iterdir()}
    return {s for s in slugs if all(f"/{s}.html" in f for f in feeds)}


def _backlog(project: Path) -> None:
    old = time.time() - 400 * 86400
    for i, f in enumerate(sorted((FIXTURES / "unseen").iterdir())):
        dest = project / "input" / f.name
        shutil.copy2(f, dest)
        os.utime(dest, (old + i, old + i))  # older than the dated Markdown articles (2026-11/12)
    newest = project / "input" / "skaitymo-maratonas.txt"
    os.utime(newest, (time.time(), time.time()))
    oldest = project / "input" / "bibliotekos-remontas.txt"
    os.utime(oldest, (old - 86400, old - 86400))


def test_a_budget_limited_run_publishes_the_newest_first_then_drains(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False, run__max_seconds=0.001, translate__chunk_tokens=256)
    _backlog(project)
    first = run_json(project)
    published = _published(project)
    # The spent budget still lets the first window finish: the newest article is out in every language.
    assert "skaitymo-maratonas" in published
    assert "bibliotekos-remontas" not in published
    assert 0 < first["published"] == len(published) < 8
    runs, decoded = [first], dict(first["decoded_sentences"])
    while len(_published(project)) < 8:
        assert len(runs) < 40, "the backlog does not drain"
        report = run_json(project)
        runs.append(report)
        for m, n in report["decoded_sentences"].items():
            decoded[m] = decoded.get(m, 0) + n
    assert len(runs) > 2
    assert sum(r["published"] for r in runs) == 8
    # Over all runs, every sentence was decoded once: the same as one run without a budget.
    whole = make_project_copy(project)
    assert run_json(whole)["decoded_sentences"] == decoded
    # Drained: the next run has nothing left to do.
    last = run_json(project)
    assert last["published"] == 0 and sum(last.get("decoded_sentences", {}).values()) == 0


def test_max_seconds_on_the_command_line_overrides_the_config(make_project: Callable[..., Path]) -> None:
    """`xlate run --max-seconds S` is the budget for that run: a spent one publishes the newest
    window and leaves the rest pending, though the config has no budget at all."""
    project = make_project(sample=False, run__max_seconds=None, translate__chunk_tokens=256)
    _backlog(project)
    first = run_json(project, "--max-seconds", "0.001")
    assert 0 < first["published"] < 8
    assert "skaitymo-maratonas" in _published(project)
    assert run_json(project)["published"] == 8 - first["published"]  # no budget: the rest at once
    bad = run_cli(project, "run", "--max-seconds", "0")
    assert bad.returncode == 2 and "--max-seconds" in bad.stderr


def test_status_shows_the_backlog_per_model_and_an_eta_from_measured_speed(
    make_project: Callable[..., Path],
) -> None:
    project = make_project(sample=False, run__max_seconds=0.001, translate__chunk_tokens=256)
    _backlog(project)
    first = run_json(project)
    assert sum(first["decoded_sentences"].values()) > 0 and first["decode_seconds"]
    status = json.loads(run_cli(project, "status", "--json").stdout)
    b = status["backlog"]
    assert b["articles"] == len(status["pending"]) == 8 - first["published"] > 0
    assert set(b["models"]) == {"lt->en", "en->pl", "en->ru"}
    assert (
        b["models"]["lt->en"]["sentences"] > 0 and b["models"]["lt->en"]["tokens"] > b["models"]["lt->en"]["sentences"]
    )
    assert all(m["sentences_per_second"] for m in b["models"].values())  # measured by the first run
    assert b["eta_seconds"] is not None and b["eta_seconds"] > 0
    text = run_cli(project, "status").stdout
    assert "lt->en:" in text and "time left: about" in text
    # The next runs decode at least what status counted at the first hop (exact for whole units;
    # a sentence whose placeholders break is decoded again in pieces, which adds to it).
    promised = b["models"]["lt->en"]["sentences"]
    decoded = 0
    while json.loads(run_cli(project, "status", "--json").stdout)["backlog"]["articles"]:
        decoded += run_json(project, "--max-seconds", "1000")["decoded_sentences"].get("lt->en", 0)
    assert decoded >= promised


def make_project_copy(project: Path) -> Path:
    """The same input and config without a budget, in a fresh state."""
    other = project.parent / "whole"
    other.mkdir()
    shutil.copytree(project / "input", other / "input")
    cfg = (project / "config.yaml").read_text(encoding="utf-8").replace("max_seconds: 0.001", "max_seconds: null")
    (other / "config.yaml").write_text(cfg, encoding="utf-8")
    return other


def _memory_rows(project: Path) -> int:
    dbs = list((project / "state").glob("*.sqlite3"))
    if not dbs:
        return 0
    try:
        with sqlite3.connect(dbs[0], timeout=5) as c:
            return int(c.execute("SELECT count(*) FROM memory").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


@pytest.mark.slow
def test_sigkill_mid_translation_then_the_counts_add_up(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False, run__max_seconds=None, translate__chunk_tokens=256)
    _backlog(project)
    rng = random.Random(int(os.environ.get("XLATE_TEST_SEED", "14")))
    cmd = [sys.executable, "-m", "xlate", "--config", str(project / "config.yaml"), "run"]
    landed = 0
    for _ in range(3):
        start = _memory_rows(project)
        proc = subprocess.Popen(cmd, cwd=project, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        limit = time.monotonic() + 120
        while proc.poll() is None and _memory_rows(project) <= start and time.monotonic() < limit:
            time.sleep(0.02)  # readiness: the run has committed its first chunk
        time.sleep(rng.uniform(0, 0.5))
        if proc.poll() is None:
            landed += 1
        proc.kill()
        proc.wait()
    assert landed, "no kill landed mid-translation"
    before = _memory_rows(project)
    report = run_json(project)
    # Every committed chunk survived, and nothing is decoded twice: the counts add up.
    assert before + sum(report["decoded_sentences"].values()) == _memory_rows(project)
    assert len(_published(project)) == 8
