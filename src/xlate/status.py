"""`xlate status` and `xlate retry`: read state, and put quarantined files back."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from xlate.config import Config
from xlate.errors import NotWritable, UsageError
from xlate.store import Store
from xlate.translate import packages


def collect(cfg: Config) -> dict[str, Any]:
    store = Store(cfg.paths.state)
    try:
        runs = []
        for rid, started, finished, st, report in store.last_runs(10):
            rep = json.loads(report) if report else {}
            runs.append(
                {
                    "id": rid,
                    "started": started,
                    "finished": finished,
                    "status": st,
                    "published": rep.get("published", 0),
                    "updated": rep.get("updated", 0),
                    "retracted": rep.get("retracted", 0),
                    "quarantined": len(rep.get("quarantined", [])),
                    "decoded_sentences": rep.get("decoded_sentences", {}),
                }
            )
        items: dict[str, int] = {lang: 0 for lang in cfg.all_langs}
        flagged = []
        for r in store.renditions():
            items[r.lang] = items.get(r.lang, 0) + 1
            if r.flagged:
                flagged.append({"slug": r.slug, "lang": r.lang})
        quarantined = [
            {"file": rel, "reason": reason, "moved_to": moved, "at": at}
            for rel, reason, moved, at in store.quarantined()
        ]
        pending = store.pending_articles()
    finally:
        store.close()
    pkgs = packages.installed(cfg.paths.models)
    routes, missing = packages.plan_routes(set(pkgs), cfg.source_lang, cfg.targets, cfg.pivot)
    return {
        "runs": runs,
        "pending": pending,
        "quarantined": quarantined,
        "flagged": flagged,
        "feed_items": items,
        "models": [{"pair": p.pair, "version": p.version} for p in sorted(pkgs.values(), key=lambda p: p.pair)],
        "routes": {t: packages.route_label(r) for t, r in sorted(routes.items())},
        "missing_models": [f"{a}->{b}" for a, b in missing],
    }


def render_text(d: dict[str, Any]) -> str:
    lines = ["Recent runs:"]
    for r in d["runs"] or []:
        lines.append(
            f"  #{r['id']} {r['started']} {r['status']}: {r['published']} published, {r['updated']} updated, "
            f"{r['retracted']} retracted, {r['quarantined']} quarantined"
        )
    if not d["runs"]:
        lines.append("  (none yet)")
    lines.append(f"Pending articles: {len(d['pending'])}")
    lines.append(f"Quarantined files: {len(d['quarantined'])}")
    for q in d["quarantined"]:
        lines.append(f"  {q['file']}: {q['reason']}")
    lines.append(f"Flagged translations: {len(d['flagged'])}")
    for f in d["flagged"]:
        lines.append(f"  {f['slug']} [{f['lang']}]")
    lines.append("Feed items: " + ", ".join(f"{k} {v}" for k, v in d["feed_items"].items()))
    lines.append("Models: " + (", ".join(f"{m['pair']} {m['version']}" for m in d["models"]) or "none"))
    for t, r in d["routes"].items():
        lines.append(f"  route to {t}: {r}")
    for m in d["missing_models"]:
        lines.append(f"  MISSING {m}: run `xlate models install`")
    return "\n".join(lines)


def retry(cfg: Config, files: list[str] | None) -> list[str]:
    """Move quarantined files back into input/; the next run reads them again."""
    store = Store(cfg.paths.state)
    done = []
    try:
        rows = {rel: moved for rel, _, moved, _ in store.quarantined()}
        wanted = sorted(rows) if files is None else files
        for rel in wanted:
            if rel not in rows:
                raise UsageError(f"{rel} is not quarantined; `xlate status` lists the quarantined files")
            moved = rows[rel]
            src = cfg.paths.quarantine / (moved or rel)
            dest = cfg.paths.input / rel
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                if src.exists():
                    os.replace(src, dest)
                Path(str(src) + ".error.txt").unlink(missing_ok=True)
            except OSError as e:
                raise NotWritable(f"{dest}: cannot put the file back ({e.strerror})") from None
            with store.transaction():
                store.delete_quarantine(rel)
            done.append(rel)
    finally:
        store.close()
    return done
