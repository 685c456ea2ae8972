"""Scan stage: what is in input/ (stat only) and which outputs are missing."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path

from xlate.config import Config
from xlate.ingest import SourceFile, scan
from xlate.outputs import output_files

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Scanned:
    files: tuple[SourceFile, ...]
    waiting: bool  # a file is still settling: a later run must read it

    @property
    def live(self) -> set[str]:
        return {f.rel for f in self.files}


def scan_input(cfg: Config, settle_seconds: float, now: float) -> Scanned:
    """Every article file in input/ that has settled, by stat calls alone."""
    cfg.paths.input.mkdir(parents=True, exist_ok=True)
    files, skipped = scan(cfg.paths.input, settle_seconds=settle_seconds, now=now)
    for s in skipped:
        log.info("skipped %s: %s", s.rel, s.why)
    return Scanned(tuple(files), any(s.waiting for s in skipped))


def outputs_missing(cfg: Config) -> bool:
    """Feeds someone deleted are written again, even when nothing else changed (stat only)."""
    return any(not Path(p).is_file() for p in output_files(os.fspath(cfg.paths.feeds), cfg.all_langs))
