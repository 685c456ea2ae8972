"""One run at a time per state database, with a kernel lock.

flock(2) is released by the kernel when the process dies, even on SIGKILL, so
there is no stale PID file to clean up after a crash.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from xlate.errors import NotWritable


class Busy(Exception):
    """Another run holds the lock."""


# Lock files this process holds, with how deep: the CLI holds the lock around a run (to write
# the no-op stamp before it lets go) and the run takes it again. A second flock(2) on a new
# descriptor would conflict with the first, so a nested take only counts.
_held: dict[Path, int] = {}


@contextmanager
def run_lock(state_path: Path, wait_seconds: float = 0.0) -> Iterator[None]:
    """Hold the run lock of `state_path`; re-entrant within this process."""
    lock_path = state_path.with_name(state_path.name + ".lock").absolute()
    if lock_path in _held:
        _held[lock_path] += 1
        try:
            yield
        finally:
            _held[lock_path] -= 1
        return
    try:
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise NotWritable(
            f"{lock_path}: cannot create the lock file ({e.strerror}); make the state folder writable"
        ) from None
    try:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Busy() from None
                time.sleep(0.2)
        _held[lock_path] = 1
        try:
            yield
        finally:
            del _held[lock_path]
    finally:
        os.close(fd)  # closing the descriptor releases the lock
