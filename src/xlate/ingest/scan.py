"""Find candidate article files. Stats only: no file is opened here, so a run
with nothing new costs one directory walk."""

from __future__ import annotations

import fnmatch
import os
import stat
from dataclasses import dataclass
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


def scan(input_dir: Path, *, settle_seconds: float, now: float) -> tuple[list[SourceFile], list[Skipped]]:
    """Files to ingest and files deliberately left alone (with why), both by rel.

    Files with unsupported extensions are returned too: parse_article rejects
    them with a message naming the supported formats, which the editor sees.
    """
    root = Path(input_dir)
    if not root.is_dir():
        raise ConfigError(f"{root}: input folder not found; create it or fix paths.input in config.yaml")
    real_root = Path(os.path.realpath(root))
    files: list[SourceFile] = []
    skipped: list[Skipped] = []
    now_ns = int(now * 1e9)
    settle_ns = int(settle_seconds * 1e9)

    def inside(target: str) -> bool:
        return target == str(real_root) or target.startswith(str(real_root) + os.sep)

    def visit(folder: Path, rel_prefix: str) -> None:
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as e:
            skipped.append(Skipped(rel_prefix.rstrip("/") or ".", f"cannot read folder: {e.strerror}"))
            return
        for entry in entries:
            rel = rel_prefix + entry.name
            try:
                rel.encode("utf-8")
            except UnicodeEncodeError:
                # os.scandir smuggles undecodable bytes in as surrogates; show them as U+FFFD.
                shown = rel.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
                skipped.append(Skipped(shown, "file name is not valid UTF-8; rename it"))
                continue
            if entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                skipped.append(Skipped(rel, "hidden folder (name starts with a dot)"))
                continue
            why = _temp_reason(entry.name)
            if why:
                skipped.append(Skipped(rel, why))
                continue
            if entry.is_symlink():
                target = os.path.realpath(entry.path)
                if not inside(target):
                    skipped.append(Skipped(rel, "symbolic link pointing outside the input folder"))
                    continue
            try:
                st = entry.stat()  # follows an (inside) symlink
            except OSError:
                skipped.append(Skipped(rel, "broken symbolic link or unreadable entry"))
                continue
            if stat.S_ISDIR(st.st_mode):
                if entry.is_symlink():
                    # Its target lies inside and is scanned there; following
                    # would list the same files twice (or loop).
                    skipped.append(Skipped(rel, "symbolic link to a folder; not followed"))
                else:
                    visit(Path(entry.path), rel + "/")
                continue
            if not stat.S_ISREG(st.st_mode):
                skipped.append(Skipped(rel, "not a regular file"))
                continue
            age_ns = now_ns - st.st_mtime_ns
            if 0 <= age_ns < settle_ns:
                skipped.append(
                    Skipped(
                        rel,
                        f"modified {age_ns / 1e9:.1f} s ago; waiting until it is {settle_seconds:g} s old "
                        "(ingest.settle_seconds) so that a copy in progress is not read",
                        waiting=True,
                    )
                )
                continue
            if -FUTURE_SLACK_S * 1e9 < age_ns < 0:
                skipped.append(Skipped(rel, "modified in the future (clock difference?); waiting", waiting=True))
                continue
            files.append(SourceFile(rel, Path(entry.path), st.st_size, st.st_mtime_ns))

    visit(root, "")
    files.sort(key=lambda f: f.rel)
    skipped.sort(key=lambda s: s.rel)
    return files, skipped
