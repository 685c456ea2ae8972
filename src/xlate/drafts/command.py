"""`xlate review`: what waits for an editor, and writing one draft on demand."""

from __future__ import annotations

import json
from pathlib import Path

from xlate.config import Config
from xlate.errors import UsageError
from xlate.lock import Busy, run_lock
from xlate.store import Store

LOCK_WAIT = 30.0  # a run in progress usually ends within this


def listing(cfg: Config, as_json: bool) -> str:
    from xlate.drafts import waiting

    store = Store(cfg.paths.state)
    try:
        items = waiting(cfg, store)
    finally:
        store.close()
    if as_json:
        rows = [
            {
                "slug": w.slug,
                "lang": w.lang,
                "why": w.why.value,
                "since": w.since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                "path": w.path,
                "detail": w.detail,
            }
            for w in items
        ]
        return json.dumps(rows, ensure_ascii=False, indent=2)
    if not items:
        return "Nothing waits for review."
    lines = [f"{len(items)} waiting for review, most urgent first:"]
    for w in items:
        lines.append(f"  {w.why.value:14} {w.slug} [{w.lang}] since {w.since:%Y-%m-%d %H:%M}: {w.path}")
        if w.detail:
            lines.append(f"  {'':14} {w.detail}")
    return "\n".join(lines)


def write_one(cfg: Config, slug: str, lang: str) -> Path:
    """Write the draft of (slug, lang) now, under the run lock (a run may be writing drafts)."""
    from xlate.drafts import write_draft

    try:
        with run_lock(cfg.paths.state, LOCK_WAIT):
            store = Store(cfg.paths.state)
            try:
                return write_draft(cfg, store, slug, lang)
            finally:
                store.close()
    except Busy:
        raise UsageError("a run is in progress and did not finish in 30 s; try `xlate review` again later") from None
