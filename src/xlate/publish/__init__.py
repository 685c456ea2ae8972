"""Publish stage: render every feed and page (pure), then sync them into the feeds folder.

Layout under ``cfg.paths.feeds`` (served at ``cfg.site.base_url``)::

    <lang>/rss.xml  <lang>/atom.xml  <lang>/feed.json  <lang>/<slug>.html
    index.html  feeds.opml

Only files whose bytes changed are written (atomically), so unchanged feeds keep their
mtime and HTTP caches stay valid; article pages of slugs no longer published are deleted.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path, PurePosixPath

from xlate.config import Config
from xlate.errors import NotWritable
from xlate.model import Rendition
from xlate.publish.atomic import ensure_dir, fsync_dir, remove_file, remove_stale_temp_files, write_atomic
from xlate.publish.feeds import SLUG_RE, Site, catalog, render_feeds, render_opml
from xlate.publish.pages import render_pages

__all__ = ["publish_site", "render_site"]


def render_site(cfg: Config, renditions: Mapping[str, Sequence[Rendition]]) -> dict[str, bytes]:
    """Every output as {path relative to the feeds folder (posix): bytes}. Pure and deterministic."""
    site = Site.of(cfg)
    cat = catalog(cfg, renditions)
    out = render_feeds(site, cat)
    out.update(render_pages(site, cat))
    out["feeds.opml"] = render_opml(site, cat)
    return dict(sorted(out.items()))


def inside(root: Path, rel: str, resolved: dict[Path, Path] | None = None) -> Path:
    """`root/rel`, refusing anything that would land outside the feeds folder.

    Only the folders are resolved (once each, through `resolved`): the file itself is
    replaced by rename, which replaces a symlink rather than following it.
    """
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"refusing output path {rel!r}: not a plain relative path")
    target = root.joinpath(*parts)
    cache = {} if resolved is None else resolved
    if root not in cache:
        cache[root] = root.resolve()
    folder = target if len(parts) == 1 and not target.suffix else target.parent
    if folder not in cache:
        cache[folder] = folder.resolve()
    if not cache[folder].is_relative_to(cache[root]):
        raise NotWritable(
            f"{target} resolves outside the feeds folder {cache[root]}; remove the symbolic link that points away"
        )
    return target


def _write_order(rel: str) -> tuple[int, str]:
    if "/" not in rel:
        return (2, rel)  # index.html, feeds.opml
    return (0 if rel.endswith(".html") else 1, rel)


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False  # unreadable: try to write it, which reports the real problem


def publish_site(cfg: Config, renditions: Mapping[str, Sequence[Rendition]]) -> list[Path]:
    """Render every output for every language in cfg.all_langs (renditions[lang] may be empty or
    missing), write only files whose bytes changed (atomic), delete article pages of slugs no
    longer present (retracted) and return the paths actually written or deleted."""
    files = render_site(cfg, renditions)
    root = Path(cfg.paths.feeds)
    ensure_dir(root)
    touched: list[Path] = []
    for folder in (root, *(root / lang for lang in cfg.all_langs)):
        remove_stale_temp_files(folder)
    # Pages first, then the feeds that link to them, then the index and OPML that list the
    # feeds: a reader following a fresh link never finds a page missing.
    resolved: dict[Path, Path] = {}
    for rel, data in sorted(files.items(), key=lambda kv: _write_order(kv[0])):
        path = inside(root, rel, resolved)
        if not _unchanged(path, data):
            write_atomic(path, data, sync_dir=False)
            touched.append(path)
    try:
        for folder in sorted({p.parent for p in touched}):
            fsync_dir(folder)  # once per folder: makes every rename above durable
    except OSError as e:
        raise NotWritable(f"cannot sync {root}: {e.strerror or e}; check the disk that holds it") from None
    for lang in cfg.all_langs:
        folder = inside(root, lang, resolved)
        if not folder.is_dir():
            continue
        for page in sorted(folder.glob("*.html")):
            if SLUG_RE.fullmatch(page.stem) and f"{lang}/{page.name}" not in files:
                remove_file(page)
                touched.append(page)
    return touched
