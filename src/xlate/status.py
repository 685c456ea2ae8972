"""`xlate status` and `xlate retry`: read state, and put quarantined files back.

Both stay on the light path: no model code, no ingest readers, nothing is decoded.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from xlate import decide
from xlate.config import Config
from xlate.errors import NotWritable, UsageError
from xlate.ingest import scan
from xlate.store import Store
from xlate.translate import packages

RECENT_RUNS = 10
log = logging.getLogger(__name__)


def _duration(started: str, finished: str | None) -> float | None:
    if not finished:
        return None
    fmt = "%Y-%m-%dT%H:%M:%SZ"
    try:
        return (datetime.strptime(finished, fmt) - datetime.strptime(started, fmt)).total_seconds()
    except ValueError:
        return None


def _run_entry(rid: int, started: str, finished: str | None, st: str, report: str | None) -> dict[str, Any]:
    rep = json.loads(report) if report else {}
    return {
        "id": rid,
        "time": started,
        "started": started,
        "finished": finished,
        "duration_seconds": rep.get("duration_seconds", _duration(started, finished)),
        "status": st,
        "published": rep.get("published", 0),
        "updated": rep.get("updated", 0),
        "unchanged": rep.get("unchanged", 0),
        "retracted": rep.get("retracted", 0),
        "quarantined": len(rep.get("quarantined", [])),
        "warnings": len(rep.get("warnings", [])),
        "flagged": len(rep.get("flagged", [])),
        "decoded_sentences": rep.get("decoded_sentences", {}),
        "memory_hits": rep.get("memory_hits", 0),
    }


def _feed_items(feeds: Path, langs: list[str]) -> dict[str, int | None]:
    """Items each language's published JSON feed holds now (None: not published yet)."""
    out: dict[str, int | None] = {}
    for lang in langs:
        try:
            out[lang] = len(json.loads((feeds / lang / "feed.json").read_bytes()).get("items", []))
        except (OSError, ValueError, AttributeError):
            out[lang] = None
    return out


def _pending_files(cfg: Config, stored: dict[str, Any]) -> list[str]:
    """Files in input/ that the next run will read (new or changed), by stat only."""
    if not cfg.paths.input.is_dir():
        return []
    scanned, _ = scan(cfg.paths.input, settle_seconds=0, now=time.time())
    return sorted(f.rel for f in decide.plan_files(scanned, stored).to_read)


def _last_noop(config_path: Path | None) -> str | None:
    """When a run last found nothing to do and answered from the no-op stamp (its mtime)."""
    from xlate.noop import stamp_paths

    if config_path is None:
        return None
    times = []
    for path in stamp_paths(config_path):
        try:
            times.append(os.stat(path).st_mtime)
        except OSError:
            continue
    if not times:
        return None
    return datetime.fromtimestamp(max(times), UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def collect(cfg: Config, config_path: Path | None = None, now: datetime | None = None) -> dict[str, Any]:
    """Everything `xlate status` shows; `now` stands in for the clock (XLATE_NOW)."""
    now = now or datetime.now(UTC)
    store = Store(cfg.paths.state)
    try:
        raw_runs = store.last_runs(RECENT_RUNS)
        runs = [_run_entry(*r) for r in raw_runs]
        articles: dict[str, int] = {lang: 0 for lang in cfg.all_langs}
        flagged = []
        for r in store.rendition_heads():
            articles[r.lang] = articles.get(r.lang, 0) + 1
            if r.flagged:
                flagged.append({"slug": r.slug, "lang": r.lang})
        flagged_sentences: dict[tuple[str, str], dict[str, Any]] = {}
        for rid, _, _, _, report in reversed(raw_runs):  # oldest first: newer runs overwrite
            for f in (json.loads(report) if report else {}).get("flagged", []):
                flagged_sentences[(f.get("route", ""), f.get("sentence", ""))] = {**f, "run": rid}
        quarantined = _quarantined(store)
        pending = store.pending_articles()
        originals = {slug: rec.article.text_hash for slug, rec in store.articles().items()}
        reviews = [
            {"file": r.rel, "slug": r.slug, "lang": r.lang, "stale": r.slug in originals and r.stale(originals[r.slug])}
            for r in sorted(store.reviews(), key=lambda r: r.rel)
        ]
        files = store.files()
        pending_files = _pending_files(cfg, files)
        publish_pending = store.publish_pending()
        scheduled = [{"slug": slug, "at": _iso(at)} for slug, at in store.scheduled(now)]
        from xlate.backlog import backlog
        from xlate.drafts import draft_status

        drafts = draft_status(cfg, store)
        work = backlog(cfg, store, (report for *_, report in raw_runs))
    finally:
        store.close()
    pkgs = packages.installed(cfg.paths.models)
    routes, missing = packages.plan_routes(set(pkgs), cfg.source_lang, cfg.targets, cfg.pivot)
    return {
        "state": str(cfg.paths.state),
        "runs": runs,
        "last_noop_check": _last_noop(config_path),
        "pending": pending,
        "backlog": work,
        "pending_files": pending_files,
        "publish_pending": publish_pending,
        "quarantined": quarantined,
        "scheduled": scheduled,
        "warnings": [{"file": rel, "warning": w} for rel, f in sorted(files.items()) for w in f.warnings],
        "flagged": flagged,
        "reviews": reviews,
        "drafts": drafts,
        "flagged_sentences": list(flagged_sentences.values()),
        "articles": articles,
        "feed_items": _feed_items(cfg.paths.feeds, list(cfg.all_langs)),
        "models": [{"pair": p.pair, "version": p.version} for p in sorted(pkgs.values(), key=lambda p: p.pair)],
        "routes": {t: packages.route_label(r) for t, r in sorted(routes.items())},
        "missing_models": [f"{a}->{b}" for a, b in missing],
    }


def _quarantined(store: Store) -> list[dict[str, Any]]:
    return [
        {"file": rel, "reason": reason, "moved_to": moved, "at": at} for rel, reason, moved, at in store.quarantined()
    ]


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _secs(d: float | None) -> str:
    return "running" if d is None else f"{d:.0f}s"


def render_text(d: dict[str, Any]) -> str:
    lines = ["Recent runs:"]
    for r in d["runs"] or []:
        lines.append(
            f"  #{r['id']} {r['time']} {r['status']} ({_secs(r['duration_seconds'])}): "
            f"{r['published']} published, {r['updated']} updated, {r['retracted']} retracted, "
            f"{r['quarantined']} quarantined, {r['warnings']} warnings"
        )
    if not d["runs"]:
        lines.append("  (none yet)")
    if d.get("last_noop_check"):
        lines.append(f"  last checked {d['last_noop_check']}: nothing new (no-op runs are not listed)")
    lines += _work_lines(d)
    lines += _feed_lines(d)
    return "\n".join(lines)


def _work_lines(d: dict[str, Any]) -> list[str]:
    """Pending work, quarantined files, warnings and flagged translations."""
    lines = [f"Pending: {len(d['pending_files'])} files to read, {len(d['pending'])} articles to translate"]
    for rel in d["pending_files"]:
        lines.append(f"  {rel}")
    lines += _backlog_lines(d["backlog"])
    lines.append(f"Quarantined files: {len(d['quarantined'])}")
    for q in d["quarantined"]:
        lines.append(f"  {q['file']}: {q['reason']}")
    lines.append(f"Scheduled (held until their date): {len(d['scheduled'])}")
    for sch in d["scheduled"]:
        lines.append(f"  {sch['slug']}: {sch['at']}")
    lines.append(f"Warnings (files in input/ as last read): {len(d['warnings'])}")
    for w in d["warnings"]:
        lines.append(f"  {w['file']}: {w['warning']}")
    lines.append(f"Flagged translations: {len(d['flagged'])}")
    for f in d["flagged"]:
        lines.append(f"  {f['slug']} [{f['lang']}]")
    for s in d["flagged_sentences"]:
        lines.append(f"  {s.get('route')}: {s.get('sentence')!r}: {s.get('flag')}")
    return lines


def _backlog_lines(b: dict[str, Any]) -> list[str]:
    """Per model what is left to decode, and the time left at the speed recent runs measured."""
    if not b["articles"]:
        return []
    lines = []
    for model, m in b["models"].items():
        speed = f", {m['sentences_per_second']} sentences/s measured" if m["sentences_per_second"] else ""
        lines.append(f"  {model}: {m['sentences']} sentences ({m['tokens']} tokens) to decode{speed}")
    eta = b["eta_seconds"]
    left = "not measured yet" if eta is None else f"about {max(1, round(eta / 60))} min of decoding"
    return [*lines, f"  time left: {left} (runs continue it within run.max_seconds each)"]


def _feed_lines(d: dict[str, Any]) -> list[str]:
    lines = []
    dr = d.get("drafts") or {}
    changed = dr.get("changed_by_editor", [])
    lines.append(f"Drafts: {dr.get('drafts', 0)} in {dr.get('folder', '-')}, {len(changed)} changed by an editor")
    for rel in changed:
        lines.append(f"  {rel}: kept as the editor left it; drop it into input/ to publish it")
    lines.append(
        "Feed items: "
        + ", ".join(f"{k} {'-' if v is None else v}" for k, v in d["feed_items"].items())
        + "  (articles: "
        + ", ".join(f"{k} {v}" for k, v in d["articles"].items())
        + ")"
    )
    lines.append("Models: " + (", ".join(f"{m['pair']} {m['version']}" for m in d["models"]) or "none"))
    for t, r in d["routes"].items():
        lines.append(f"  route to {t}: {r}")
    for m in d["missing_models"]:
        lines.append(f"  MISSING {m}: run `xlate models install`")
    return lines


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
            if dest.exists():
                msg = (
                    f"{dest} exists already (a fixed version was dropped in?); remove it or the quarantined "
                    f"copy {src} first"
                )
                if files is not None:
                    raise UsageError(msg)
                log.warning("left %s in quarantine: %s", rel, msg)
                continue
            try:
                dest.parent.mkdir(parents=True, exist_ok=True)
                if src.exists():
                    shutil.move(src, dest)  # quarantine/ may live on another file system
                Path(str(src) + ".error.txt").unlink(missing_ok=True)
            except OSError as e:
                raise NotWritable(f"{dest}: cannot put the file back ({e.strerror})") from None
            with store.transaction():
                store.delete_quarantine(rel)
            done.append(rel)
    finally:
        store.close()
    return done
