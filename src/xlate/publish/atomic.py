"""Atomic file replacement for the feeds folder.

A reader (web server, feed fetcher) sees either the old file or the new one, never a
half-written one, and a crash or a full disk leaves the old file in place:
temp file in the same folder -> write -> flush -> fsync -> os.replace -> fsync the folder.
For many files at once (a full render: four pages per article) the same guarantee comes
cheaper: stage every temp file, make them all durable with one syncfs(2) of the file
system, then rename them (`Batch`). One fsync per file costs 0.2-1 ms on a shared disk;
4,000 of them were most of the time to publish 1,000 articles.
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


def _sync_filesystem(folder: Path) -> None:
    """syncfs(2) on the file system that holds `folder` (Linux); elsewhere sync(2)."""
    fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            syncfs = libc.syncfs
        except (OSError, AttributeError):
            os.sync()
            return
        if syncfs(fd) != 0:
            err = ctypes.get_errno()
            raise OSError(err, os.strerror(err), str(folder))
    finally:
        os.close(fd)


class Batch:
    """Many files replaced atomically with one file-system sync instead of one fsync each.

    stage() writes each temp file (no fsync); commit() syncs the file system once, then
    renames each temp file over its target in the order staged and fsyncs each folder once.
    Until commit() renames a file, its old version stays; a crash leaves only temp files,
    which remove_stale_temp_files() sweeps. abort() removes the staged temp files.
    """

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []
        self._folders: set[Path] = set()  # created (or found) already: one mkdir per folder

    def stage(self, path: Path, data: bytes) -> None:
        if path.parent not in self._folders:
            ensure_dir(path.parent)
            self._folders.add(path.parent)
        tmp = _write_temp(path, data, fsync=False, folder_exists=True)
        self._staged.append((tmp, path))

    def commit(self, root: Path) -> list[Path]:
        if not self._staged:
            return []
        try:
            _sync_filesystem(root)
        except OSError as e:
            self.abort()
            raise NotWritable(f"cannot sync {root}: {e.strerror or e}; check the disk that holds it") from None
        done: list[Path] = []
        try:
            for tmp, path in self._staged:
                os.replace(tmp, path)
                done.append(path)
            for folder in sorted({p.parent for p in done}):
                fsync_dir(folder)
        except OSError as e:
            self.abort()
            raise not_writable(path, e) from None
        self._staged = []
        return done

    def abort(self) -> None:
        for tmp, _ in self._staged:
            with contextlib.suppress(OSError):
                tmp.unlink()
        self._staged = []


def _write_temp(path: Path, data: bytes, *, fsync: bool, folder_exists: bool = False) -> Path:
    """A temp file beside `path` holding `data`, with path's mode (or DEFAULT_MODE)."""
    folder = path.parent
    if not folder_exists:
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
            if fsync:
                os.fsync(fd)
        finally:
            os.close(fd)
        return tmp
    except OSError as e:
        if tmp is not None:
            with contextlib.suppress(OSError):
                tmp.unlink()
        raise not_writable(path, e) from None


def write_atomic(path: Path, data: bytes, *, sync_dir: bool = True) -> None:
    """Replace `path` with `data` atomically; on failure the old file stays and no temp file remains.

    With sync_dir=False the caller fsyncs the folder once after a batch of renames: each
    file is still old-or-new at every instant, and one folder fsync makes them all durable.
    """
    tmp = _write_temp(path, data, fsync=True)
    try:
        os.replace(tmp, path)
        if sync_dir:
            fsync_dir(path.parent)
    except OSError as e:
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


def remove_stale_temp_files(root: Path, depth: int = 2) -> None:
    """Temp files a killed run left in `root` and its folders down to `depth` levels (only
    ours, by prefix): xlate writes no deeper (feeds/<lang>/archive/, drafts/<lang>/).

    Every folder, not a list of them: a list falls behind the moment a new kind of page gets
    a folder of its own. Callers hold the run lock, so no temp file there belongs to a write
    in progress.
    """
    base = len(root.parts)
    for folder, dirs, files in os.walk(root):
        # Nothing of ours hides in a dot folder (.git of a deployed site) or deeper.
        dirs[:] = [] if len(Path(folder).parts) - base >= depth else [d for d in dirs if not d.startswith(".")]
        for name in files:
            if name.startswith(TMP_PREFIX):
                with contextlib.suppress(OSError):
                    os.unlink(os.path.join(folder, name))
