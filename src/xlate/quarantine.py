"""Move a file that failed out of input/, next to a note that says why and how to fix it."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from xlate.errors import NotWritable


def quarantine_file(input_dir: Path, quarantine_dir: Path, rel: str, reason: str) -> str | None:
    """Move input_dir/rel to quarantine_dir/rel and write rel.error.txt beside it.

    Returns the quarantine path relative to quarantine_dir, or None when the file
    vanished meanwhile (the editor deleted it: nothing to keep).
    """
    src = input_dir / rel
    dest = quarantine_dir / rel
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        n = 1
        # A note without its file is what a run killed between the two writes leaves: reuse it.
        while dest.exists():
            dest = (quarantine_dir / rel).with_name(f"{Path(rel).stem}.{n}{Path(rel).suffix}")
            n += 1
        note = dest.with_name(dest.name + ".error.txt")
        note.write_text(
            f"{rel}\n\n{reason}\n\nFix the file and drop it into the input folder again; "
            "or run `xlate retry` to put it back as it is.\n",
            encoding="utf-8",
        )
        try:
            os.replace(src, dest) if _same_fs(src, dest.parent) else shutil.move(src, dest)
        except FileNotFoundError:
            note.unlink(missing_ok=True)
            return None
    except OSError as e:
        raise NotWritable(
            f"{quarantine_dir}: cannot move {rel} into quarantine ({e.strerror}); "
            "make the quarantine folder writable (paths.quarantine in config.yaml)"
        ) from None
    return dest.relative_to(quarantine_dir).as_posix()


def _same_fs(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_dev == b.stat().st_dev
    except OSError:
        return True
