"""Cron-grade operation: SIGKILL at varied points, concurrent runs, clean stop on SIGTERM."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from tests.conftest import FIXTURES, run_cli, run_json

LANGS = ("lt", "en", "pl", "ru")


def _write_corpus(input_dir: Path, n: int = 10) -> list[str]:
    """n Lithuanian articles made of phrasebook sentences (so the fixture models know them)."""
    with (FIXTURES / "phrasebook.tsv").open(encoding="utf-8", newline="") as f:
        rows = [r["lt"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE) if "⟦" not in r["lt"]]
    rows = rows[-(n * 5) :]
    slugs = []
    for i in range(n):
        chunk = rows[i * 5 : i * 5 + 5]
        slug = f"straipsnis-{i:02d}"
        text = f"{chunk[0]}\n\n{' '.join(chunk[1:3])}\n\n{' '.join(chunk[3:])}\n"
        (input_dir / f"{slug}.txt").write_text(text, encoding="utf-8")
        slugs.append(slug)
    return slugs


def _popen(project: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "xlate", "--config", str(project / "config.yaml"), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=project,
    )


def _assert_complete(project: Path, slugs: list[str]) -> None:
    feeds = project / "feeds"
    for lang in LANGS:
        for name in ("rss.xml", "atom.xml"):
            parsed = feedparser.parse((feeds / lang / name).read_bytes())
            assert not parsed.bozo, (lang, name, parsed.get("bozo_exception"))
            links = sorted(e.link.rsplit("/", 1)[1].removesuffix(".html") for e in parsed.entries)
            assert links == sorted(slugs), (lang, name)  # each exactly once
        for slug in slugs:
            assert (feeds / lang / f"{slug}.html").is_file()
    leftovers = [p for p in project.rglob("*") if p.name.startswith((".xlate-tmp-", ".xlate-install-"))]
    assert leftovers == []
    assert sorted(p.stem for p in (project / "input").iterdir()) == sorted(slugs)


def _calibrate(make_project: Callable[..., Path]) -> float:
    project = make_project(sample=False)
    _write_corpus(project / "input")
    t = time.monotonic()
    run_json(project)
    return time.monotonic() - t


KILL_POINTS = 20


def test_sigkill_at_varied_points_never_loses_or_duplicates(make_project: Callable[..., Path], tmp_path: Path) -> None:
    full = _calibrate(make_project)
    for i in range(KILL_POINTS):
        project = make_project(sample=False)
        for sub in ("feeds", "state", "quarantine"):
            subprocess.run(["rm", "-rf", str(project / sub)], check=True)
        for f in (project / "input").iterdir():
            f.unlink()
        slugs = _write_corpus(project / "input")
        proc = _popen(project, "run")
        time.sleep(full * (i + 0.5) / KILL_POINTS)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        # Cron starts again; this run must complete the set.
        final = run_cli(project, "run")
        assert final.returncode == 0, (i, final.stderr)
        _assert_complete(project, slugs)
        again = run_json(project)
        assert sum(again["decoded_sentences"].values()) == 0


def test_two_runs_at_once_one_waits_or_steps_aside(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False)
    slugs = _write_corpus(project / "input")
    a, b = _popen(project, "run"), _popen(project, "run")
    outs = [p.communicate(timeout=300) for p in (a, b)]
    assert (a.returncode, b.returncode) == (0, 0), outs
    assert any("another run is in progress" in err for _, err in outs) or all("published" in out for out, _ in outs)
    _assert_complete(project, slugs)


def test_wait_option_waits_for_the_lock(make_project: Callable[..., Path]) -> None:
    import fcntl

    project = make_project(sample=False)
    slugs = _write_corpus(project / "input", 3)
    lock = project / "state" / "xlate.sqlite3.lock"
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        busy = run_cli(project, "run")
        assert busy.returncode == 0
        assert "another run is in progress" in busy.stderr
        waiting = _popen(project, "run", "--wait", "30")
        time.sleep(1.0)
        assert waiting.poll() is None  # still waiting for us
    finally:
        os.close(fd)
    out, err = waiting.communicate(timeout=300)
    assert waiting.returncode == 0, err
    assert "3 published" in out
    _assert_complete(project, slugs)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_stops_cleanly_and_next_run_completes(make_project: Callable[..., Path], sig: int) -> None:
    project = make_project(sample=False)
    slugs = _write_corpus(project / "input")
    proc = _popen(project, "run")
    time.sleep(0.8)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode in (0, 130), err
    assert "Traceback" not in err
    final = run_cli(project, "run")
    assert final.returncode == 0, final.stderr
    _assert_complete(project, slugs)
