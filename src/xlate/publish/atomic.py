"""Atomic file replacement for the feeds folder.

A reader (web server, feed fetcher) sees either the old file or the new one, never a
half-written one, and a crash or a full disk leaves the old file in place:
temp file in the same folder -> write -> flush -> fsync -> os.replace -> fsync the folder.
Every OSError becomes NotWritable, naming the path and what to do about it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path

from xlate.errors import NotWritable

TMP_PREFIX = ".xlate-tmp-"
DEFAULT_MODE = 0o644  # feeds are public: the web server must be able to read them


def _fix(folder: Path, err: OSError) -> str:
    if err.errno in (errno.ENOSPC, errno.EDQUOT):
        return f"free disk space (or quota) on the device that holds {folder}"
    if err.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return f"make {folder} writable by the user that runs xlate"
    if err.errno in (errno.ENOTDIR, errno.EEXIST):
        return f"{folder} (or a folder above it) is a file: move it away or change paths.feeds"
    return f"check that {folder} exists, is a folder and is writable"


def not_writable(path: Path, err: OSError, doing: str = "write") -> NotWritable:
    reason = err.strerror or str(err)
    return NotWritable(f"cannot {doing} {path}: {reason}; {_fix(path.parent, err)}")


def fsync_dir(folder: Path) -> None:
    """Make a rename or unlink in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def ensure_dir(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise NotWritable(f"cannot create folder {folder}: {e.strerror or e}; {_fix(folder, e)}") from None


def write_atomic(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Replace `path` with `data` atomically; on failure the old file stays and no temp file remains.

    With sync_dir=False the caller fsyncs the folder once after a batch of renames: each
    file is still old-or-new at every instant, and one folder fsync makes them all durable.
    """
    folder = path.parent
    ensure_dir(folder)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mode = DEFAULT_MODE
    tmp: Path | None = None
    try:
        fd, name = tempfile.mkstemp(prefix=TMP_PREFIX, dir=folder)
        tmp = Path(name)
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
        tmp = None
        if sync_dir:
            fsync_dir(folder)
    except OSError as e:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise not_writable(path, e) from None


def remove_file(path: Path) -> None:
    """Delete `path` (gone already is fine) and make the deletion durable."""
    try:
        path.unlink(missing_ok=True)
        fsync_dir(path.parent)
    except OSError as e:
        raise not_writable(path, e, "delete") from None


def remove_stale_temp_files(folder: Path) -> None:
    """Temp files a killed run left behind (only ours, by prefix)."""
    if not folder.is_dir():
        return
    for p in folder.glob(TMP_PREFIX + "*"):
        with contextlib.suppress(OSError):
            p.unlink()
