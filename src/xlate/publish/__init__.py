"""Publish stage: render every feed and page (pure), then sync them into the feeds folder.

Layout under ``cfg.paths.feeds`` (served at ``cfg.site.base_url``)::

    <lang>/rss.xml  <lang>/atom.xml  <lang>/feed.json  <lang>/feeds.opml  <lang>/index.html
    <lang>/<slug>.html  <lang>/archive/YYYY-MM.html
    index.html  feeds.opml  favicon.ico

Only files whose bytes changed are written (atomically), so unchanged feeds keep their
mtime and HTTP caches stay valid; article pages of slugs no longer published, and archive
pages of months left empty, are deleted. The caller may name the slugs whose pages need
rendering (`pages`): the feeds, the index pages, the archives and the OPML are always
rendered, the other article pages are left as they are. With 1,000 articles that is the
difference between rendering 4,000 pages and 4.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from xlate.config import Config
from xlate.errors import NotWritable
from xlate.model import Rendition
from xlate.outputs import site_key
from xlate.publish.atomic import Batch, ensure_dir, fsync_dir, remove_file, remove_stale_temp_files, write_atomic
from xlate.publish.feeds import SLUG_RE, Catalog, Site, catalog, render_feeds, render_opml
from xlate.publish.pages import archive_digests, by_month, digest_in, render_pages

__all__ = ["Published", "page_key", "present_pages", "publish", "publish_site", "render_site", "site_key"]

log = logging.getLogger(__name__)
MONTH_PAGE = re.compile(r"\d{4}-\d{2}\.html")

# Above this many changed files in one phase, one file-system sync replaces an fsync per file.
BATCH_FROM = 32


def page_key(site: str, versions: Iterable[tuple[Rendition, str]]) -> str:
    """Identity of one slug's pages: the site key plus every published language version
    (a page links to its other languages), each with the hash of its text and metadata."""
    h = hashlib.sha256(site.encode())
    for r, text_hash in sorted(versions, key=lambda v: v[0].lang):
        fields = (r.lang, text_hash, r.published.isoformat(), r.updated.isoformat(), r.title)
        flags = (r.machine_translated, r.flagged, r.approved)
        h.update("\x1e".join((*fields, *(str(int(f)) for f in flags))).encode())
        h.update(b"\x1d")
    return h.hexdigest()[:32]


def present_pages(cfg: Config) -> set[str]:
    """Article pages on disk, as "lang/slug.html" (one folder listing per language)."""
    root = Path(cfg.paths.feeds)
    out: set[str] = set()
    for lang in cfg.all_langs:
        try:
            with os.scandir(root / lang) as it:
                out.update(f"{lang}/{e.name}" for e in it if e.name.endswith(".html"))
        except OSError:
            continue  # missing folder: every page in it counts as missing
    return out


def _render(
    site: Site, cat: Catalog, pages: Collection[str] | None, archives: Collection[str] | None = None
) -> dict[str, bytes]:
    out = render_feeds(site, cat)
    out.update(render_pages(site, cat, pages, archives))
    out["feeds.opml"] = render_opml(site, cat)
    for lang in site.langs:
        out[f"{lang}/feeds.opml"] = render_opml(site, cat, lang)
    return dict(sorted(out.items()))


def render_site(
    cfg: Config, renditions: Mapping[str, Sequence[Rendition]], pages: Collection[str] | None = None
) -> dict[str, bytes]:
    """Every output as {path relative to the feeds folder (posix): bytes}, article pages only
    for the slugs in `pages` (all when None). Pure and deterministic."""
    return _render(Site.of(cfg), catalog(cfg, renditions), pages)


def inside(root: Path, rel: str, resolved: dict[Path, Path] | None = None) -> Path:
    """`root/rel`, refusing anything that would land outside the feeds folder.

    Only the folders are resolved (once each, through `resolved`): the file itself is
    replaced by rename, which replaces a symlink rather than following it.
    """
    parts = rel.split("/")
    if any(p in ("", ".", "..") for p in parts):  # also catches "/abs" and "a//b"
        raise ValueError(f"refusing output path {rel!r}: not a plain relative path")
    target = root.joinpath(*parts)
    cache = {} if resolved is None else resolved
    if root not in cache:
        cache[root] = root.resolve()
    folder = target if len(parts) == 1 and "." not in parts[0] else target.parent
    if folder not in cache:
        cache[folder] = folder.resolve()
    if not cache[folder].is_relative_to(cache[root]):
        raise NotWritable(
            f"{target} resolves outside the feeds folder {cache[root]}; remove the symbolic link that points away"
        )
    return target


def _phase(rel: str) -> int:
    """0: article and archive pages, 1: feeds, 2: index pages, OPML and the favicon."""
    name = rel.rsplit("/", 1)[-1]
    if "/" not in rel or name in ("index.html", "feeds.opml"):
        return 2
    return 0 if rel.endswith(".html") else 1


def _unchanged(path: Path, data: bytes) -> bool:
    try:
        return path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False  # unreadable: try to write it, which reports the real problem


def _write_changed(root: Path, items: Sequence[tuple[Path, bytes]]) -> list[Path]:
    """Write the files whose bytes differ, atomically, and make the renames durable."""
    changed = [(path, data) for path, data in items if not _unchanged(path, data)]
    if len(changed) > BATCH_FROM:
        batch = Batch()
        try:
            for path, data in changed:
                batch.stage(path, data)
        except BaseException:
            batch.abort()
            raise
        return batch.commit(root)
    for path, data in changed:
        write_atomic(path, data, sync_dir=False)
    try:
        for folder in sorted({p.parent for p, _ in changed}):
            fsync_dir(folder)  # once per folder: makes every rename above durable
    except OSError as e:
        raise NotWritable(f"cannot sync {root}: {e.strerror or e}; check the disk that holds it") from None
    return [p for p, _ in changed]


@dataclass(frozen=True)
class Published:
    written: list[Path]  # files written or deleted
    warnings: list[str]  # for the run's output: something is published other than asked


def publish_site(
    cfg: Config, renditions: Mapping[str, Sequence[Rendition]], pages: Collection[str] | None = None
) -> list[Path]:
    """`publish`, returning the paths; its warnings are logged."""
    done = publish(cfg, renditions, pages)
    for w in done.warnings:
        log.warning("%s", w)
    return done.written


def publish(
    cfg: Config, renditions: Mapping[str, Sequence[Rendition]], pages: Collection[str] | None = None
) -> Published:
    """Render the feeds, index pages, archives and OPML for every language in cfg.all_langs
    (renditions[lang] may be empty or missing) and the article pages of the slugs in `pages`
    (all when None); write only files whose bytes changed (atomic), delete article pages of
    slugs no longer present (retracted) and archive pages of months left empty, and return
    the paths actually written or deleted with the warnings (e.g. an entry shortened to fit
    feeds.max_bytes)."""
    site = Site.of(cfg)
    cat = catalog(cfg, renditions)
    root = Path(cfg.paths.feeds)
    digests = archive_digests(site, by_month(site, cat))
    # An archive page is rendered when its month changed (its digest differs from the one
    # written into it), or with every page (`pages` None).
    archives = None if pages is None else {rel for rel, d in digests.items() if _digest_on_disk(root, rel) != d}
    files = _render(site, cat, pages, archives)
    expected = {f"{r.lang}/{r.slug}.html" for r in cat.all()} | set(files) | set(digests)
    ensure_dir(root)
    touched: list[Path] = []
    remove_stale_temp_files(root)
    # Pages first, then the feeds that link to them, then the index and OPML that list the
    # feeds: a reader following a fresh link never finds a page missing.
    resolved: dict[Path, Path] = {}
    phases: list[list[tuple[Path, bytes]]] = [[], [], []]
    for rel, data in sorted(files.items()):
        path = inside(root, rel, resolved)
        phases[_phase(rel)].append((path, data))
    for phase in phases:  # each phase written and durable before the next starts
        touched += _write_changed(root, phase)
    for lang in cfg.all_langs:
        for sub, ours in (("", SLUG_RE), ("/archive", MONTH_PAGE)):
            touched += _remove_stale(inside(root, lang + sub, resolved), f"{lang}{sub}/", expected, ours)
    return Published(touched, list(dict.fromkeys(cat.warnings)))


def _digest_on_disk(root: Path, rel: str) -> str | None:
    try:
        with open(root / rel, "rb") as f:
            return digest_in(f.read(128))
    except OSError:
        return None  # missing or unreadable: render it


def _remove_stale(folder: Path, prefix: str, expected: set[str], ours: re.Pattern[str]) -> list[Path]:
    """Delete the pages in `folder` that xlate would write but no longer does."""
    try:
        with os.scandir(folder) as it:
            names = sorted(e.name for e in it if e.name.endswith(".html"))
    except OSError:
        return []
    gone = []
    for name in names:
        stem = name if ours is MONTH_PAGE else name.removesuffix(".html")
        if prefix + name not in expected and ours.fullmatch(stem):
            remove_file(folder / name)
            gone.append(folder / name)
    return gone
