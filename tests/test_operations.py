"""Cron-grade operation through the real CLI: fast no-op, logs, status/retry, faults, migrations, contrib/."""

from __future__ import annotations

import configparser
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import FIXTURES, REPO, run_cli, run_json, write_config

HEAVY = ("ctranslate2", "argostranslate", "torch", "sentencepiece", "langdetect")
ANSI = re.compile(r"\x1b\[")
CONTRIB = REPO / "contrib"


def _project(root: Path, models: Path, *files: Path, **overrides: object) -> Path:
    """A project folder at `root` with exactly `files` in input/."""
    root.mkdir(parents=True)
    write_config(root, models, **overrides)
    (root / "input").mkdir()
    for f in files:
        shutil.copy2(f, root / "input" / f.name)
    return root


def _one_clean_line(stderr: str) -> str:
    assert "Traceback" not in stderr, stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _temp_files(project: Path) -> list[Path]:
    return [p for p in project.rglob("*") if p.name.startswith(".xlate-tmp-")]


def _state(project: Path) -> Path:
    return project / "state" / "xlate.sqlite3"


# -- 1. fast no-op ------------------------------------------------------------------------


def test_second_run_imports_no_model_code(make_project: Callable[..., Path]) -> None:
    project = make_project()
    assert run_cli(project, "run").returncode == 0
    code = textwrap.dedent(
        f"""
        import sys
        from xlate.cli import main
        main(["--config", {str(project / "config.yaml")!r}, "run"], standalone_mode=False)
        print(sorted(m for m in sys.modules if m.split(".")[0] in {set(HEAVY)!r}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=project, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout
    assert "0 published" in proc.stdout


# -- 2. observability ---------------------------------------------------------------------


def test_json_logs_summary_status_and_retry(tmp_path: Path, installed_models: Path) -> None:
    # length_ratio far too small forces flagged (runaway) sentences; polish.txt is quarantined.
    project = _project(
        tmp_path / "p",
        installed_models,
        *sorted((REPO / "input").iterdir()),
        FIXTURES / "articles" / "polish.txt",
        translate__length_ratio=0.05,
    )
    proc = run_cli(project, "--log-format", "json", "run")
    assert proc.returncode == 1, proc.stderr
    records = [json.loads(line) for line in proc.stderr.splitlines()]  # every stderr line is one JSON object
    assert records and all({"time", "level", "message"} <= r.keys() for r in records)
    assert any(r["level"] == "warning" and "quarantined polish.txt" in r["message"] for r in records)
    summary = json.loads(proc.stdout.strip().splitlines()[-1])  # the summary ends the run, as JSON too
    assert (summary["published"], summary["quarantined"]) == (3, 1)
    assert re.fullmatch(r"3 published, .* 1 quarantined in \d+\.\ds", summary["message"])
    assert not ANSI.search(proc.stderr + proc.stdout)  # not a terminal: no progress, no colours

    st = run_cli(project, "status", "--json")
    assert st.returncode == 0, st.stderr
    status = json.loads(st.stdout)
    assert {
        "runs",
        "pending",
        "pending_files",
        "quarantined",
        "flagged",
        "flagged_sentences",
        "feed_items",
        "articles",
        "models",
        "routes",
        "missing_models",
    } <= status.keys()
    last = status["runs"][0]
    assert {"time", "duration_seconds", "status", "published", "updated", "retracted", "quarantined", "warnings"} <= (
        last.keys()
    )
    assert (last["status"], last["published"], last["quarantined"]) == ("ok", 3, 1)
    assert isinstance(last["duration_seconds"], float | int)
    assert status["pending"] == [] and status["pending_files"] == []
    [q] = status["quarantined"]
    assert q["file"] == "polish.txt" and "Lithuanian" in q["reason"]
    assert status["flagged"] and status["flagged_sentences"]
    assert all(s["flag"].startswith("degenerate") for s in status["flagged_sentences"])
    assert status["feed_items"] == {"lt": 3, "en": 3, "pl": 3, "ru": 3}
    assert [m["pair"] for m in status["models"]] == ["en->pl", "en->ru", "lt->en"]
    assert status["routes"] == {"en": "lt->en", "pl": "lt->en->pl", "ru": "lt->en->ru"}
    assert status["missing_models"] == []
    text = run_cli(project, "status")
    assert text.returncode == 0 and "polish.txt: " in text.stdout and "Feed items: lt 3" in text.stdout

    # retry: back into input/, listed as pending, quarantined again by the next run.
    original = (FIXTURES / "articles" / "polish.txt").read_bytes()
    assert run_cli(project, "retry").returncode == 2
    bad = run_cli(project, "retry", "nope.txt")
    assert bad.returncode == 2 and "not quarantined" in _one_clean_line(bad.stderr)
    back = run_cli(project, "retry", "polish.txt")
    assert back.returncode == 0 and "put back polish.txt" in back.stdout
    assert (project / "input" / "polish.txt").read_bytes() == original
    assert list((project / "quarantine").rglob("*.txt")) == []
    status = json.loads(run_cli(project, "status", "--json").stdout)
    assert status["quarantined"] == [] and status["pending_files"] == ["polish.txt"]
    again = run_cli(project, "run")
    assert again.returncode == 1
    assert again.stdout.strip().splitlines()[-1].startswith("0 published, 0 updated, 3 unchanged")
    assert "1 quarantined in" in again.stdout
    assert run_cli(project, "retry", "--all").returncode == 0
    assert (project / "input" / "polish.txt").read_bytes() == original


def test_verbosity_flags(tmp_path: Path, installed_models: Path) -> None:
    files = (REPO / "input" / "skaitymo-klubas.txt", FIXTURES / "articles" / "polish.txt")
    out = {}
    for name, flags in (("default", ()), ("verbose", ("-v",)), ("quiet", ("-q",))):
        project = _project(tmp_path / name, installed_models, *files)
        proc = run_cli(project, *flags, "run")
        assert proc.returncode == 1, proc.stderr
        assert "1 published" in proc.stdout  # the summary ends every run, whatever the verbosity
        out[name] = proc.stderr
    assert "quarantined polish.txt" in out["default"] and "decoding" not in out["default"]
    assert "quarantined polish.txt" in out["verbose"] and "decoding" in out["verbose"]
    assert out["quiet"] == ""


def test_progress_shows_on_a_terminal(make_project: Callable[..., Path]) -> None:
    import pty

    project = make_project()
    master, slave = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "xlate", "--config", str(project / "config.yaml"), "run"],
        stdout=subprocess.PIPE,
        stderr=slave,
        cwd=project,
        env={**os.environ, "TERM": "xterm-256color", "COLUMNS": "100"},
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    assert proc.stdout is not None and "3 published" in proc.stdout.read().decode()
    assert "translating lt->en" in b"".join(chunks).decode(errors="replace")


# -- 3. faults ----------------------------------------------------------------------------


def test_corrupt_state_database_exits_5(make_project: Callable[..., Path]) -> None:
    project = make_project()
    _state(project).parent.mkdir()
    _state(project).write_bytes(b"this is not an SQLite database\n" * 200)
    for cmd in (("run",), ("status",)):
        proc = run_cli(project, *cmd)
        assert proc.returncode == 5, (cmd, proc.stderr)
        line = _one_clean_line(proc.stderr)
        assert "damaged" in line and str(_state(project)) in line
    assert sorted(p.name for p in (project / "input").iterdir()) == sorted(p.name for p in (REPO / "input").iterdir())


def test_state_locked_by_another_program_exits_5(make_project: Callable[..., Path]) -> None:
    project = make_project()
    assert run_cli(project, "run").returncode == 0
    other = sqlite3.connect(_state(project), isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        t = time.monotonic()
        proc = run_cli(project, "run")
        waited = time.monotonic() - t
        assert proc.returncode == 5, proc.stderr
        line = _one_clean_line(proc.stderr)
        assert "locked by another program" in line and str(_state(project)) in line
        assert waited < 30
        assert run_cli(project, "status").returncode == 0  # WAL: status still reads
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert run_cli(project, "run").returncode == 0


def test_feeds_path_is_a_file_exits_4_then_recovers(make_project: Callable[..., Path]) -> None:
    project = make_project()
    feeds = project / "feeds"
    feeds.write_bytes(b"not a folder\n")
    proc = run_cli(project, "run")
    assert proc.returncode == 4, proc.stderr
    assert str(feeds) in _one_clean_line(proc.stderr)
    assert feeds.read_bytes() == b"not a folder\n"
    feeds.unlink()
    report = run_json(project)  # the translations were kept: this run only publishes
    assert sum(report["decoded_sentences"].values()) == 0
    assert len(json.loads((feeds / "en" / "feed.json").read_bytes())["items"]) == 3


def test_feeds_symlink_to_proc_exits_4(make_project: Callable[..., Path]) -> None:
    project = make_project()
    (project / "feeds").symlink_to("/proc")
    proc = run_cli(project, "run")
    assert proc.returncode == 4, proc.stderr
    assert str(project / "feeds") in _one_clean_line(proc.stderr)


ENOSPC_SITECUSTOMIZE = """
import errno, os

_write, _fsync = os.write, os.fsync


def _feeds_temp(fd):
    try:
        path = os.readlink(f"/proc/self/fd/{fd}")
    except OSError:
        return False
    return "/feeds/" in path and os.path.basename(path).startswith(".xlate-tmp-")


def write(fd, data):
    if _feeds_temp(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return _write(fd, data)


def fsync(fd):
    if _feeds_temp(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    return _fsync(fd)


os.write, os.fsync = write, fsync
"""


def test_disk_full_during_publish_keeps_previous_feeds(make_project: Callable[..., Path], tmp_path: Path) -> None:
    project = make_project()
    assert run_cli(project, "run").returncode == 0
    before = _snapshot(project / "feeds")
    shutil.copy2(FIXTURES / "articles" / "darbo-laikas.txt", project / "input")
    site = tmp_path / "enospc"
    site.mkdir()
    (site / "sitecustomize.py").write_text(ENOSPC_SITECUSTOMIZE, encoding="utf-8")
    pythonpath = os.pathsep.join(p for p in (str(site), os.environ.get("PYTHONPATH", "")) if p)
    proc = run_cli(project, "run", env={"PYTHONPATH": pythonpath})
    assert proc.returncode == 4, proc.stderr
    line = _one_clean_line(proc.stderr)
    assert "No space left on device" in line and "free disk space" in line
    assert _snapshot(project / "feeds") == before
    assert _temp_files(project) == []
    report = run_json(project)
    assert report["published"] == 0 and sum(report["decoded_sentences"].values()) == 0
    feed = json.loads((project / "feeds" / "en" / "feed.json").read_bytes())
    assert len(feed["items"]) == 4 and any("darbo-laikas" in i["url"] for i in feed["items"])
    assert _temp_files(project) == []


@pytest.mark.parametrize(
    ("exc", "code", "words"),
    [
        (sqlite3.DatabaseError("database disk image is malformed"), 5, "damaged"),
        (sqlite3.OperationalError("database is locked"), 5, "locked by another program"),
        (sqlite3.OperationalError("database or disk is full"), 4, "free disk space"),
        (OSError(28, "No space left on device", "/srv/feeds/x"), 4, "/srv/feeds/x"),
        (KeyboardInterrupt(), 130, "interrupted"),
    ],
)
def test_unexpected_errors_never_show_a_traceback(
    tmp_path: Path, installed_models: Path, monkeypatch: pytest.MonkeyPatch, exc: BaseException, code: int, words: str
) -> None:
    from click.testing import CliRunner

    from xlate import cli, pipeline

    def boom(*args: object, **kwargs: object) -> None:
        raise exc

    write_config(tmp_path, installed_models)
    monkeypatch.setattr(pipeline, "run", boom)
    for fmt in ("text", "json"):
        result = CliRunner().invoke(cli.main, ["--config", str(tmp_path / "config.yaml"), "--log-format", fmt, "run"])
        assert result.exit_code == code, (result.output, result.exception)
        line = _one_clean_line(result.stderr)
        assert words in line
        if fmt == "json":
            assert json.loads(line)["exit_code"] == code


# -- 4. schema migration ------------------------------------------------------------------


def _counts(db: Path) -> dict[str, int]:
    con = sqlite3.connect(db)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables if t != "sqlite_sequence"}
    finally:
        con.close()


def _user_version(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return int(con.execute("PRAGMA user_version").fetchone()[0])
    finally:
        con.close()


def _as_v1(current: Path, dest: Path) -> None:
    """A v1 database (the first schema) holding the v1 columns of every row of `current`."""
    from xlate.store import MIGRATIONS, _statements

    con = sqlite3.connect(dest, isolation_level=None)
    try:
        for stmt in _statements(MIGRATIONS[0].sql):
            con.execute(stmt)
        con.execute("ATTACH DATABASE ? AS cur", (str(current),))
        tables = con.execute("SELECT name FROM main.sqlite_master WHERE type='table' AND name != 'sqlite_sequence'")
        for (table,) in tables.fetchall():
            cols = ", ".join(r[1] for r in con.execute(f"PRAGMA main.table_info({table})"))
            con.execute(f"INSERT INTO main.{table}({cols}) SELECT {cols} FROM cur.{table}")
        con.execute("DETACH DATABASE cur")
        con.execute("PRAGMA user_version = 1")
    finally:
        con.close()


def test_old_state_databases_are_migrated_never_dropped(
    make_project: Callable[..., Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from xlate import store

    project = make_project()
    db = _state(project)
    # v0: an empty file (what an interrupted first start or `touch` leaves).
    db.parent.mkdir()
    db.write_bytes(b"")
    assert run_cli(project, "run").returncode == 0
    assert _user_version(db) == store.SCHEMA_VERSION
    feeds = _snapshot(project / "feeds")
    before = _counts(db)
    assert before["articles"] == 3 and before["renditions"] == 12 and before["memory"] > 0

    # v1: the first schema, with the rows of that run: migrated up, nothing lost, nothing redone.
    current = tmp_path / "current.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{db}{suffix}").exists():
            os.replace(f"{db}{suffix}", f"{current}{suffix}")
    _as_v1(current, db)
    v1 = _counts(db)
    assert all(v1[t] == before[t] for t in v1)
    report = run_json(project)
    assert (report["published"], report["updated"], sum(report["decoded_sentences"].values())) == (0, 0, 0)
    assert _user_version(db) == store.SCHEMA_VERSION
    after = _counts(db)
    assert all(after[t] == v1[t] for t in v1 if t != "runs") and after["runs"] == v1["runs"] + 1
    assert _snapshot(project / "feeds") == feeds
    # Every page and feed rendered again from the migrated rows (titles, authors and tags now
    # come from columns v8 filled): the same bytes.
    assert run_cli(project, "publish").returncode == 0
    assert _snapshot(project / "feeds") == feeds
    after = _counts(db)

    # The current database, opened by a future xlate with one more migration: moved up, rows kept.
    extra = "ALTER TABLE runs ADD COLUMN host TEXT; CREATE TABLE extra (k TEXT PRIMARY KEY)"
    future = (*store.MIGRATIONS, store.Migration(extra))
    monkeypatch.setattr(store, "MIGRATIONS", future)
    monkeypatch.setattr(store, "SCHEMA_VERSION", len(future))
    store.Store(db).close()
    assert _user_version(db) == len(future)
    assert _counts(db) == {**after, "extra": 0}
    monkeypatch.undo()

    # A database newer than this xlate is refused (exit 5), not rewritten.
    bytes_before = db.read_bytes()
    proc = run_cli(project, "run")
    assert proc.returncode == 5 and "upgrade xlate" in _one_clean_line(proc.stderr)
    assert db.read_bytes() == bytes_before


# -- 5. contrib/ --------------------------------------------------------------------------


def _unit(name: str) -> configparser.ConfigParser:
    cp = configparser.ConfigParser(interpolation=None, strict=True, empty_lines_in_values=False)
    cp.optionxform = str  # type: ignore[assignment,method-assign]
    cp.read_string((CONTRIB / name).read_text(encoding="utf-8"))
    return cp


def test_systemd_units(tmp_path: Path) -> None:
    svc, timer = _unit("xlate.service"), _unit("xlate.timer")
    s = svc["Service"]
    assert s["Type"] == "oneshot" and s["User"] == "xlate" and s["WorkingDirectory"] == "/opt/xlate"
    assert s["ExecStart"] == "/opt/xlate/.venv/bin/xlate --log-format json run"
    # 1 (quarantined files) and 130 (a clean stop) count as success; every failure, 70 (a bug) included, does not.
    assert sorted(s["SuccessExitStatus"].split()) == ["1", "130"]
    for key in ("NoNewPrivileges", "PrivateTmp", "ProtectHome", "PrivateNetwork"):
        assert s[key] == "yes", key
    assert s["ProtectSystem"] == "strict"
    rw = s["ReadWritePaths"].split()
    for sub in ("state", "feeds", "quarantine", "input", "models"):
        assert f"/opt/xlate/{sub}" in rw
    t = timer["Timer"]
    assert t["OnCalendar"] == "*:0/5" and t["Persistent"] == "true"
    assert timer["Install"]["WantedBy"] == "timers.target"


def test_systemd_units_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed (package systemd); test_systemd_units checks the keys")
    # verify checks that ExecStart exists: point it at a binary that does.
    (tmp_path / "xlate.service").write_text(
        (CONTRIB / "xlate.service").read_text(encoding="utf-8").replace("/opt/xlate/.venv/bin/xlate", "/bin/true"),
        encoding="utf-8",
    )
    shutil.copy2(CONTRIB / "xlate.timer", tmp_path / "xlate.timer")
    proc = subprocess.run(
        [analyze, "verify", str(tmp_path / "xlate.service"), str(tmp_path / "xlate.timer")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if "Failed to" in proc.stderr and "bus" in proc.stderr.lower():  # pragma: no cover - no usable systemd here
        pytest.skip(f"systemd-analyze cannot run here (no system bus): {proc.stderr.strip()[:200]}")
    assert proc.returncode == 0, proc.stderr
    assert "Unknown" not in proc.stderr and "ignoring" not in proc.stderr, proc.stderr


def test_cron_line() -> None:
    lines = [
        ln for ln in (CONTRIB / "xlate.cron").read_text(encoding="utf-8").splitlines() if ln and ln[0] in "*0123456789"
    ]
    assert len(lines) == 1
    fields = lines[0].split(None, 6)
    assert fields[:5] == ["*/5", "*", "*", "*", "*"] and fields[5] == "xlate"
    cmd = fields[6]
    assert "cd /opt/xlate" in cmd and re.search(r"flock -n .*\S+/xlate\.cron\.lock", cmd)
    assert "/opt/xlate/.venv/bin/xlate" in cmd and " run" in cmd
    assert "logger -t xlate" in cmd
    # The commented variant mails on any exit but 0 (70, an unexpected error, included).
    variant = [ln for ln in (CONTRIB / "xlate.cron").read_text(encoding="utf-8").splitlines() if ln.startswith("# */5")]
    assert len(variant) == 1 and ">>/var/log/xlate/xlate.log 2>&1 || tail" in variant[0]


def _nginx_blocks(text: str) -> str:
    return re.sub(r"#[^\n]*", "", text)


def test_nginx_snippet_maps_feed_types() -> None:
    conf = _nginx_blocks((CONTRIB / "nginx-xlate.conf").read_text(encoding="utf-8"))
    assert conf.count("{") == conf.count("}")
    locations = dict(re.findall(r"location\s+~\s+(\S+)\s*\{([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}", conf))
    expected = {
        "rss.xml": "application/rss+xml",
        "atom.xml": "application/atom+xml",
        "feed.json": "application/feed+json",
    }
    for name, mime in expected.items():
        matching = [body for rx, body in locations.items() if re.search(rx, f"/en/{name}") and re.search(rx, name)]
        assert len(matching) == 1, name
        assert re.search(rf"default_type\s+{re.escape(mime)}\s*;", matching[0]), name
        assert re.search(r"types\s*\{\s*\}", matching[0]), name  # extension types off, so default_type applies
    assert re.search(r"text/x-opml\s+opml\s*;", conf)
    assert re.search(r"(?m)^\s*charset\s+utf-8\s*;", conf)
    charset_types = re.search(r"charset_types([^;]*);", conf)
    assert charset_types is not None
    for mime in (*expected.values(), "text/x-opml"):
        assert mime in charset_types.group(1).split()
    assert re.search(r"(?m)^\s*etag\s+on\s*;", conf)
    assert re.search(r"(?m)^\s*autoindex\s+off\s*;", conf)
