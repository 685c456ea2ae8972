"""Find candidate article files. Stats only: no file is opened here, so a run
with nothing new costs one directory walk."""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from xlate.errors import ConfigError

# Files editors' tools leave while a document is open or being copied. They are
# skipped, never quarantined: they vanish by themselves.
TEMP_PATTERNS = ("~$*", ".~lock*", "*.swp", "*.swx", "*.part", "*.partial", "*.crdownload", "*.tmp", "*~")
# Operating-system litter that is never an article.
OS_JUNK = frozenset({"thumbs.db", "desktop.ini", "ehthumbs.db"})
# A file dated this far in the future was not just written: its clock was wrong
# (copied with its mtime from another machine), and waiting would never end.
FUTURE_SLACK_S = 3600.0


@dataclass(frozen=True)
class SourceFile:
    rel: str  # posix path relative to the input folder
    path: Path
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class Skipped:
    rel: str
    why: str
    waiting: bool = False  # left for a later run (still settling), not left alone for good


def _temp_reason(name: str) -> str | None:
    if name.lower() in OS_JUNK:
        return "operating-system file, not an article"
    for pat in TEMP_PATTERNS:
        if fnmatch.fnmatchcase(name.lower(), pat):
            return f"editor temporary or lock file ({pat}); it goes away when the editor closes it"
    if name.startswith("."):
        return "hidden file (name starts with a dot)"
    return None


def _refused(entry: os.DirEntry[str], rel: str, real_root: str) -> Skipped | None:
    """Why an entry is left alone by its name or link alone (no stat yet), or None."""
    try:
        rel.encode("utf-8")
    except UnicodeEncodeError:
        # os.scandir smuggles undecodable bytes in as surrogates; show them as U+FFFD.
        shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        return Skipped(shown, "file name is not valid UTF-8; rename it")
    if entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
        return Skipped(rel, "hidden folder (name starts with a dot)")
    why = _temp_reason(entry.name)
    if why:
        return Skipped(rel, why)
    if entry.is_symlink():
        target = os.path.realpath(entry.path)
        if not (target == real_root or target.startswith(real_root + os.sep)):
            return Skipped(rel, "symbolic link pointing outside the input folder")
    return None


def _unsettled(rel: str, mtime_ns: int, now_ns: int, settle_seconds: float) -> Skipped | None:
    """A file still being written (or dated in the near future) waits for a later run."""
    age_ns = now_ns - mtime_ns
    if 0 <= age_ns < int(settle_seconds * 1e9):
        return Skipped(
            rel,
            f"modified {age_ns / 1e9:.1f} s ago; waiting until it is {settle_seconds:g} s old "
            "(ingest.settle_seconds) so that a copy in progress is not read",
            waiting=True,
        )
    if -FUTURE_SLACK_S * 1e9 < age_ns < 0:
        return Skipped(rel, "modified in the future (clock difference?); waiting", waiting=True)
    return None


@dataclass
class _Walk:
    """One walk of the input folder: what it found and what it left alone."""

    real_root: str
    now_ns: int
    settle_seconds: float
    files: list[SourceFile] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)

    def visit(self, folder: Path, rel_prefix: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            self.skipped.append(Skipped(rel_prefix.rstrip("/") or ".", f"cannot read folder: {e.strerror}"))
            return
        for entry in entries:
            rel = rel_prefix + entry.name
            if refused := _refused(entry, rel, self.real_root):
                self.skipped.append(refused)
                continue
            try:
                st = entry.stat()  # follows an (inside) symlink
            except OSError:
                self.skipped.append(Skipped(rel, "broken symbolic link or unreadable entry"))
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.is_symlink():
                    # Its target lies inside and is scanned there; following
                    # would list the same files twice (or loop).
                    self.skipped.append(Skipped(rel, "symbolic link to a folder; not followed"))
                else:
                    self.visit(Path(entry.path), rel + "/")
            elif not stat.S_ISREG(st.st_mode):
                self.skipped.append(Skipped(rel, "not a regular file"))
            elif waiting := _unsettled(rel, st.st_mtime_ns, self.now_ns, self.settle_seconds):
                self.skipped.append(waiting)
            else:
                self.files.append(SourceFile(rel, Path(entry.path), st.st_size, st.st_mtime_ns))


def scan(input_dir: Path, *, settle_seconds: float, now: float) -> tuple[list[SourceFile], list[Skipped]]:
    """Files to ingest and files deliberately left alone (with why), both by rel.

    Files with unsupported extensions are returned too: parse_article rejects
    them with a message naming the supported formats, which the editor sees.
    """
    root = Path(input_dir)
    if not root.is_dir():
        raise ConfigError(f"{root}: input folder not found; create it or fix paths.input in config.yaml")
    walk = _Walk(os.path.realpath(root), int(now * 1e9), settle_seconds)
    walk.visit(root, "")
    return sorted(walk.files, key=lambda f: f.rel), sorted(walk.skipped, key=lambda s: s.rel)
