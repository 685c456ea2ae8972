"""The no-op fast path (xlate.noop): a run with nothing new answers from a stamp, and
every change a normal run would act on sends it down the normal path."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import count_runs, run_cli, run_json
from xlate import noop


def _stamp(project: Path) -> Path:
    return Path(noop.stamp_path(project / "config.yaml", str(project / "state" / "xlate.sqlite3")))


def _text(project: Path, *args: str) -> str:
    proc = run_cli(project, *args)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture
def published(make_project: Callable[..., Path]) -> Path:
    project = make_project()
    assert run_json(project)["published"] == 3
    assert _stamp(project).is_file()
    return project


def test_nothing_new_is_answered_from_the_stamp_with_the_normal_output(published: Path) -> None:
    before = count_runs(published)
    stamp_mtime = _stamp(published).stat().st_mtime_ns
    time.sleep(0.01)
    fast = {
        "text": _text(published, "run"),
        "json": json.loads(_text(published, "run", "--json")),
        "log": json.loads(_text(published, "--log-format", "json", "run")),
    }
    assert count_runs(published) == before  # answered without opening the state
    assert _stamp(published).stat().st_mtime_ns > stamp_mtime  # the heartbeat `xlate status` shows
    assert "last checked" in _text(published, "status")

    def normal(*args: str) -> str:
        _stamp(published).unlink()
        out = _text(published, *args)
        assert count_runs(published) > before
        return out

    slow = {
        "text": normal("run"),
        "json": json.loads(normal("run", "--json")),
        "log": json.loads(normal("--log-format", "json", "run")),
    }
    assert (
        fast["text"].split(" in ")[0]
        == slow["text"].split(" in ")[0]
        == ("0 published, 0 updated, 3 unchanged, 0 retracted, 0 quarantined")
    )
    for key in ("json", "log"):
        for d in (fast[key], slow[key]):
            d.pop("duration_seconds")
            d.pop("time", None)
            d["message"] = d.get("message", "").split(" in ")[0]
        assert fast[key] == slow[key]
    assert fast["json"]["unchanged"] == 3


def test_fast_path_imports_nothing_heavy(published: Path) -> None:
    code = (
        "import sys\n"
        "from xlate import noop\n"
        f"assert noop.answer(['--config', {str(published / 'config.yaml')!r}, 'run'])\n"
        "heavy = ('pydantic', 'yaml', 'click', 'sqlite3', 'json', 'typing', 'xlate.cli', 'xlate.config')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in heavy or m in heavy))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=published, check=True)
    assert proc.stdout.splitlines()[-1] == "[]"


def _edit_in_place(p: Path) -> None:
    """Same size, new bytes, new mtime: only stat can tell."""
    data = bytearray(p.read_bytes())
    i = data.index(b"a")
    data[i : i + 1] = b"e"
    p.write_bytes(bytes(data))


def _write_state(p: Path) -> None:
    db = sqlite3.connect(p / "state" / "xlate.sqlite3")
    with db:
        db.execute("INSERT INTO meta(key, value) VALUES('x', 'y')")
    db.close()


CHANGES: dict[str, Callable[[Path], object]] = {
    "input file edited, same size": lambda p: _edit_in_place(sorted((p / "input").iterdir())[0]),
    "input file added": lambda p: (p / "input" / "naujas.txt").write_text(
        "Naujiena\n\nBiblioteka kviečia skaitytojus į susitikimą su rašytoja.\n", encoding="utf-8"
    ),
    "input file deleted": lambda p: sorted((p / "input").iterdir())[0].unlink(),
    "config touched": lambda p: os.utime(p / "config.yaml"),
    "feed deleted": lambda p: (p / "feeds" / "pl" / "atom.xml").unlink(),
    "a language's index deleted": lambda p: (p / "feeds" / "ru" / "index.html").unlink(),
    "favicon deleted": lambda p: (p / "feeds" / "favicon.ico").unlink(),
    "state written by another program": _write_state,
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_any_change_takes_the_normal_path(published: Path, change: str) -> None:
    before = count_runs(published)
    CHANGES[change](published)
    proc = run_cli(published, "run", "--json")
    assert count_runs(published) == before + 1, f"{change}: answered from a stale stamp"
    assert proc.returncode in (0, 1), proc.stderr
    for rel in ("pl/atom.xml", "ru/index.html", "favicon.ico"):
        assert (published / "feeds" / rel).is_file(), f"{change}: {rel} was not written again"
    if change == "input file added":
        assert json.loads(proc.stdout)["published"] == 1
    # The normal run leaves a fresh stamp: the next run is fast again.
    after = count_runs(published)
    _text(published, "run")
    assert count_runs(published) == after


def test_a_models_change_takes_the_normal_path(tmp_path: Path, make_project: Callable[..., Path]) -> None:
    import shutil

    import yaml

    project = make_project()
    cfg = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    own = tmp_path / "own-models"
    shutil.copytree(cfg["paths"]["models"], own)
    cfg["paths"]["models"] = str(own)
    (project / "config.yaml").write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    run_json(project)
    before = count_runs(project)
    (own / "extra-file").write_text("x", encoding="utf-8")
    run_json(project)
    assert count_runs(project) == before + 1


def test_a_settling_file_leaves_no_stamp_and_is_read_later(published: Path) -> None:
    new = published / "input" / "veliau.txt"
    new.write_text("Vėliau\n\nBiblioteka kviečia skaitytojus į susitikimą su rašytoja.\n", encoding="utf-8")
    report = run_json(published, "--settle", "3600")
    assert report["published"] == 0
    assert not _stamp(published).exists()  # the file still waits: no run may skip it
    assert run_json(published, "--settle", "0")["published"] == 1


@pytest.mark.parametrize(
    "args",
    [
        ["run", "--json", "--settle", "5", "--wait=1"],
        ["-q", "--log-format=text", "run"],
        ["-v", "run"],
    ],
)
def test_options_the_fast_path_answers(published: Path, args: list[str]) -> None:
    before = count_runs(published)
    _text(published, *args)
    assert count_runs(published) == before


@pytest.mark.parametrize("args", [["-vv", "run"], ["publish"], ["run", "--unknown"], ["status"]])
def test_options_left_to_the_normal_cli(published: Path, args: list[str]) -> None:
    config = str(published / "config.yaml")
    assert noop._parse_args(["--config", config, *args]) is None


def test_argument_parsing() -> None:
    assert noop._parse_args(["run"]) == ("config.yaml", False, "text")
    assert noop._parse_args(["--config=c.yaml", "-q", "--log-format", "json", "run", "--json"]) == (
        "c.yaml",
        True,
        "json",
    )
    assert noop._parse_args(["run", "--settle", "soon"]) is None
    assert noop._parse_args(["--config"]) is None
    assert noop._parse_args(["--log-format", "xml", "run"]) is None
    assert noop._parse_args(["models", "list"]) is None


def test_a_damaged_or_foreign_stamp_is_ignored(published: Path) -> None:
    for content in ("", "garbage", noop.MAGIC + "\0" + "0.0.0-other" + "\0" * 20):
        _stamp(published).write_text(content, encoding="utf-8")
        before = count_runs(published)
        _text(published, "run")
        assert count_runs(published) == before + 1


def test_stamp_lives_in_the_state_folder_or_beside_the_config(make_project: Callable[..., Path]) -> None:
    """The default state folder is writable in every deployment (the systemd unit makes the
    project folder read-only); with another paths.state the stamp goes beside the config."""
    project = make_project()
    run_json(project)
    in_state, beside = (Path(p) for p in noop.stamp_paths(project / "config.yaml"))
    assert in_state.parent == project / "state" and in_state.is_file() and not beside.exists()

    other = make_project(paths__state="db/xlate.sqlite3")
    run_json(other)
    assert beside.is_file() and not in_state.exists()  # the normal run removed the old one
    db = sqlite3.connect(other / "db" / "xlate.sqlite3")
    runs = db.execute("SELECT count(*) FROM runs").fetchone()[0]
    db.close()
    _text(other, "run")
    db = sqlite3.connect(other / "db" / "xlate.sqlite3")
    assert db.execute("SELECT count(*) FROM runs").fetchone()[0] == runs  # answered from beside the config
    db.close()


def test_a_stamp_left_half_written_by_a_killed_run_is_removed(published: Path) -> None:
    """SIGKILL between writing the temp stamp and renaming it leaves the temp file: the next
    run that writes a stamp removes it (and only temp stamps of this config)."""
    stamp = _stamp(published)
    stale = stamp.with_name(stamp.name + ".4242.tmp")
    stale.write_text("half", encoding="utf-8")
    other = stamp.with_name(".other.yaml.noop.4242.tmp")
    other.write_text("another config's", encoding="utf-8")
    stamp.unlink()  # the normal path runs and writes a stamp
    _text(published, "run")
    assert stamp.is_file() and not stale.exists() and other.exists()
