"""The run lock: one run per state database, re-entrant within a process (the CLI holds it
around a run to write the no-op stamp, and the run takes it again)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from xlate.lock import Busy, run_lock

HOLD = """
import sys, time
from pathlib import Path
from xlate.lock import run_lock
with run_lock(Path(sys.argv[1])):
    print("held", flush=True)
    sys.stdin.readline()
"""


def test_another_process_is_refused_while_held_even_when_nested(tmp_path: Path) -> None:
    state = tmp_path / "state" / "x.sqlite3"
    with run_lock(state), run_lock(state):
        pass  # nested: counts, does not deadlock or conflict with itself
    other = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(state)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert other.stdout is not None and other.stdout.readline().strip() == "held"
        with pytest.raises(Busy), run_lock(state):
            pass
    finally:
        other.communicate("\n", timeout=30)
    with run_lock(state), run_lock(state, wait_seconds=0):
        pass  # free again


def test_outer_lock_stays_held_after_the_inner_one_ends(tmp_path: Path) -> None:
    state = tmp_path / "x.sqlite3"
    probe = "import sys\nfrom pathlib import Path\nfrom xlate.lock import run_lock, Busy\n"
    probe += "try:\n    with run_lock(Path(sys.argv[1])): print('free')\nexcept Busy: print('busy')\n"
    with run_lock(state):
        with run_lock(state):
            pass
        out = subprocess.run([sys.executable, "-c", probe, str(state)], capture_output=True, text=True, check=True)
        assert out.stdout.strip() == "busy"
    out = subprocess.run([sys.executable, "-c", probe, str(state)], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "free"
