"""`xlate run` opens no network connection, whatever is installed."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.helpers import run_cli

GUARD = """
import socket

def _refuse(*args, **kwargs):
    raise OSError("xlate test: network access attempted")

for _name in ("connect", "connect_ex", "sendto"):
    setattr(socket.socket, _name, _refuse)
socket.create_connection = _refuse
socket.getaddrinfo = _refuse
"""


def test_whole_pipeline_runs_with_every_socket_refused(make_project: Callable[..., Path], tmp_path: Path) -> None:
    project = make_project()
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(GUARD)
    # Prove the guard is live in the child before trusting a green run.
    import subprocess
    import sys

    probe = subprocess.run(
        [sys.executable, "-c", "import socket; socket.create_connection(('127.0.0.1', 9))"],
        env={"PYTHONPATH": str(guard)},
        capture_output=True,
        text=True,
    )
    assert "network access attempted" in probe.stderr

    proc = run_cli(project, "run", "--json", env={"PYTHONPATH": str(guard), "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    assert "network access attempted" not in proc.stderr
    assert (project / "feeds" / "ru" / "atom.xml").exists()
