"""Cron-grade operation: SIGKILL at varied points, concurrent runs, clean stop on SIGTERM."""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import feedparser
import pytest

from tests.helpers import (
    FIXTURES,
    count_rows,
    latest_run_status,
    run_cli,
    run_json,
    wait_for_rows,
    wait_for_run_start,
    xlate_argv,
)
from xlate import config as config_mod
from xlate.drafts import draft_status
from xlate.store import Store

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
        xlate_argv(project, *args),
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
    _assert_drafts(project, slugs)
    assert sorted(p.stem for p in (project / "input").iterdir()) == sorted(slugs)


def _assert_drafts(project: Path, slugs: list[str]) -> None:
    """Every machine translation has its Word draft, each recorded as xlate's: a kill between
    writing a draft and recording it must not leave one that looks changed by an editor."""
    cfg = config_mod.load(project / "config.yaml")
    store = Store(cfg.paths.state)
    try:
        ledger = json.loads(store.drafts_ledger() or "{}")
        assert draft_status(cfg, store)["changed_by_editor"] == []
    finally:
        store.close()
    on_disk = sorted(p.relative_to(cfg.paths.drafts).as_posix() for p in cfg.paths.drafts.rglob("*.docx"))
    assert on_disk == sorted(f"{lang}/{slug}.{lang}.docx" for lang in LANGS[1:] for slug in slugs)
    assert sorted(r["file"] for r in ledger.values()) == on_disk


def _fresh_corpus(project: Path) -> list[str]:
    for sub in ("feeds", "state", "quarantine", "drafts"):
        subprocess.run(["rm", "-rf", str(project / sub)], check=True)
    for f in (project / "input").iterdir():
        f.unlink()
    return _write_corpus(project / "input")


def _calibrate(make_project: Callable[..., Path]) -> float:
    """Seconds from the moment a run records itself as running to the end of the process."""
    project = make_project(sample=False)
    _fresh_corpus(project)
    proc = _popen(project, "run")
    wait_for_run_start(project / "state" / "xlate.sqlite3", proc)
    t = time.monotonic()
    _, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    return time.monotonic() - t


KILL_POINTS = 20


def _kill_mid_run(project: Path, delay: float) -> bool:
    """Start a run, SIGKILL it `delay` seconds after it recorded itself as running. True when the
    kill landed mid-run: the process was still alive and its run record never finished."""
    proc = _popen(project, "run")
    wait_for_run_start(project / "state" / "xlate.sqlite3", proc)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=60)
    return proc.returncode == -signal.SIGKILL and latest_run_status(project / "state" / "xlate.sqlite3") == "running"


@pytest.mark.slow
def test_sigkill_at_varied_points_never_loses_or_duplicates(make_project: Callable[..., Path]) -> None:
    full = _calibrate(make_project)
    project = make_project(sample=False)
    for i in range(KILL_POINTS):
        delay = full * (i + 0.5) / KILL_POINTS
        for _ in range(4):  # a loaded machine may finish early: kill earlier until the kill lands mid-run
            slugs = _fresh_corpus(project)
            if _kill_mid_run(project, delay):
                break
            delay /= 2
        else:
            pytest.fail(f"kill point {i}: the run always finished before SIGKILL (last delay {delay:.3f}s)")
        # Cron starts again; this run must complete the set.
        final = run_cli(project, "run")
        assert final.returncode == 0, (i, final.stderr)
        _assert_complete(project, slugs)
        again = run_json(project)
        assert sum(again["decoded_sentences"].values()) == 0


def test_two_runs_at_once_one_waits_or_steps_aside(make_project: Callable[..., Path]) -> None:
    project = make_project(sample=False)
    slugs = _write_corpus(project / "input")
    a, b = _popen(project, "run", "--json"), _popen(project, "run", "--json")
    outs = [p.communicate(timeout=300) for p in (a, b)]
    assert (a.returncode, b.returncode) == (0, 0), outs
    reports = [json.loads(out) for out, _ in outs]
    busy = [r for r in reports if r.get("busy")]
    worked = [r for r in reports if not r.get("busy")]
    for r, (_, err) in zip(reports, outs, strict=True):
        assert r.get("busy", False) == ("another run is in progress" in err), err
    # Every article is published exactly once: by one run while the other stepped aside, or, when
    # the second started only after the first had finished, by the first with nothing left for the second.
    assert sorted(r["published"] for r in worked) in ([len(slugs)], [0, len(slugs)]), reports
    assert len(busy) + len(worked) == 2
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
    state = project / "state" / "xlate.sqlite3"
    proc = _popen(project, "run")
    # Readiness: translation has begun. Each decoded chunk is committed to the translation memory
    # as it completes, and lt->en comes first: its first rows mean en->pl and en->ru are still to do.
    at_signal = wait_for_rows(state, "memory", proc)
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "Traceback" not in err
    assert f"signal {int(sig)} received: stopping at the next safe point" in err
    assert "stopped by a signal; the next run completes the work" in err
    assert out == ""  # no summary: the run did not finish
    assert latest_run_status(state) == "interrupted"
    assert not (project / "feeds" / "en" / "rss.xml").exists()  # stopped before anything was published
    final = run_cli(project, "run")
    assert final.returncode == 0, final.stderr
    assert f"{len(slugs)} published" in final.stdout
    _assert_complete(project, slugs)
    assert count_rows(state, "memory") > at_signal  # the signal came before translation was done
