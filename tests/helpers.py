"""Helpers shared by the test modules (import them from here, never from another test module).

The real CLI in a subprocess, the repo's config with overrides, the project's fixture packages.
Fixtures stay in conftest.py.
"""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
import time
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from xlate.config import Config, parse
from xlate.model import Block, BlockKind, Rendition

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


def count_runs(project: Path) -> int:
    """Runs the normal path recorded in the project's state (the no-op fast path records none)."""
    db = sqlite3.connect(project / "state" / "xlate.sqlite3")
    try:
        return int(db.execute("SELECT count(*) FROM runs").fetchone()[0])
    finally:
        db.close()


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


def count_rows(state_db: Path, table: str) -> int:
    """Rows in a table of the state database, read-only; 0 while it does not exist yet."""
    if not state_db.exists():
        return 0
    try:
        db = sqlite3.connect(f"file:{state_db}?mode=ro", uri=True, timeout=0.05)
        try:
            return int(db.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        finally:
            db.close()
    except sqlite3.Error:
        return 0


def wait_for_rows(state_db: Path, table: str, proc: subprocess.Popen[str], timeout: float = 120) -> int:
    """Wait until the child's run has committed a first row to `table`; returns the count seen."""
    deadline = time.monotonic() + timeout
    while (n := count_rows(state_db, table)) == 0:
        assert proc.poll() is None, f"the run ended before it wrote to {table}"
        assert time.monotonic() < deadline, f"nothing was written to {table} within {timeout}s"
        time.sleep(0.005)
    return n


def wait_for_run_start(state_db: Path, proc: subprocess.Popen[str], timeout: float = 120) -> None:
    """Wait until the child's run has recorded itself as running in the state database."""
    deadline = time.monotonic() + timeout
    while latest_run_status(state_db) != "running":
        assert proc.poll() is None, "the run ended before it was seen running"
        assert time.monotonic() < deadline, f"the run did not start within {timeout}s"
        time.sleep(0.01)


# -- publish: renditions and a site without running the pipeline --------------------------

BASE = "https://biblioteka.example.lt/naujienos/"
T0 = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

BLOCKS = (
    Block(BlockKind.PARAGRAPH, "Bibliotekoje vyks vaikų knygų savaitė su skaitymais ir dirbtuvėmis."),
    Block(BlockKind.HEADING, "Programa"),
    Block(BlockKind.LIST_ITEM, "Pirmadienį – garsūs skaitymai"),
    Block(BlockKind.LIST_ITEM, "Antradienį – iliustravimo dirbtuvės"),
    Block(BlockKind.QUOTE, "Knyga – geriausias draugas."),
    Block(BlockKind.PARAGRAPH, "Visi renginiai nemokami."),
    Block(BlockKind.BYLINE, "Ona Onaitė"),
    Block(BlockKind.BYLINE, "Vaikų literatūros skyrius"),
)


def make_cfg(tmp_path: Path, **changes: Any) -> Config:
    """The repo's config.yaml, with `section__key=value` overrides, anchored at tmp_path."""
    data = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        node = data
        *parents, leaf = dotted.split("__")
        for p in parents:
            node = node.setdefault(p, {})
        node[leaf] = value
    return parse(data, tmp_path)


def rend(lang: str, slug: str, n: int, **kw: Any) -> Rendition:
    """Article number n: published n hours after T0, updated 30 minutes later (distinct times)."""
    values: dict[str, Any] = {
        "slug": slug,
        "lang": lang,
        "title": f"{slug} ({lang})",
        "blocks": BLOCKS,
        "published": T0 + timedelta(hours=n),
        "updated": T0 + timedelta(hours=n, minutes=30),
        "tags": ("renginiai", "vaikams"),
        "machine_translated": lang != "lt",
    }
    values.update(kw)
    return Rendition(**values)


def site_of(cfg: Config, slugs: tuple[str, ...] = ("alpha", "bravo", "charlie")) -> dict[str, list[Rendition]]:
    return {lang: [rend(lang, s, i) for i, s in enumerate(slugs)] for lang in cfg.all_langs}


def parsed(data: bytes) -> Any:
    """feedparser's reading of a feed, which must not be "bozo" (malformed)."""
    import feedparser

    d = feedparser.parse(data)
    assert not d.bozo, d.get("bozo_exception")
    return d


# -- ingest: bad inputs made on the fly ----------------------------------------------------


def zip_bytes(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def empty_docx() -> bytes:
    import docx

    buf = io.BytesIO()
    docx.Document().save(buf)
    return buf.getvalue()


def mixed_encodings() -> bytes:
    """A Lithuanian article in UTF-8 with a Windows (cp1257) paragraph pasted in."""
    text = (FIXTURES / "formats" / "vasaros-skaitymai.txt").read_text(encoding="utf-8")
    head, _, rest = text.partition("\n\n")
    return head.encode() + b"\n\n" + rest.encode("cp1257")
