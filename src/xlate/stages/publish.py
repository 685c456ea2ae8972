"""Publish stage: decide what to render, render and sync it, remember what was written.

The feeds, index and OPML are always rendered; article pages only for slugs whose page key
(site key + each language version's hash and dates) changed, whose files are missing, or all
of them after a config or xlate change or `xlate publish`. Only the feed entries and those
pages are read with their text: the others reach publish as titles (empty `blocks`).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from xlate import decide
from xlate.config import Config
from xlate.model import Rendition, RenditionHead
from xlate.store import Store

if TYPE_CHECKING:
    from xlate.publish import Published

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Listed:
    """The published language versions per language, as renditions without their text, and
    each one's stored text hash."""

    by_lang: dict[str, list[Rendition]]
    hashes: dict[tuple[str, str], str]

    def per_slug(self) -> dict[str, list[tuple[Rendition, str]]]:
        out: dict[str, list[tuple[Rendition, str]]] = {}
        for rs in self.by_lang.values():
            for r in rs:
                out.setdefault(r.slug, []).append((r, self.hashes[(r.slug, r.lang)]))
        return out


def site_changed(cfg: Config, store: Store) -> bool:
    """The config sections that shape the outputs (titles, base URL, notices, drafts...)
    changed since the last publish: everything is published again, though no article changed."""
    from xlate.outputs import site_key  # not xlate.publish: this runs when nothing else will publish

    return store.site_key() not in (None, site_key(cfg))


def publish(cfg: Config, store: Store, republish: bool, now: datetime) -> Published:
    """Write what changed into the feeds folder; returns the paths written or deleted and what
    was published other than asked (warnings). Versions dated after `now` are not published yet."""
    from xlate.publish import page_key, present_pages, site_key
    from xlate.publish import publish as publish_site
    from xlate.publish.feeds import newest_first

    listed = _listed(cfg, store, now)
    skey = site_key(cfg)
    per_slug = listed.per_slug()
    keys = {slug: page_key(skey, vs) for slug, vs in per_slug.items()}
    old = store.page_keys()
    everything = republish or store.site_key() != skey
    dirty = decide.pages_to_render(
        keys,
        old,
        {slug: [f"{r.lang}/{slug}.html" for r, _ in vs] for slug, vs in per_slug.items()},
        None if everything else present_pages(cfg),
    )
    full = decide.with_text(listed.by_lang, dirty, cfg.feeds.max_items, newest_first, lambda r: (r.slug, r.lang))
    blocks = store.rendition_blocks(full)
    renditions = {
        lang: [replace(r, blocks=blocks[(r.slug, lang)]) if (r.slug, lang) in full else r for r in rs]
        for lang, rs in listed.by_lang.items()
    }
    done = publish_site(cfg, renditions, pages=dirty)
    with store.transaction():
        store.set_page_keys({s: keys[s] for s in dirty}, drop=set(old) - set(keys))
        store.set_site_key(skey)
    # Still pending: the drafts step comes next, and a run killed before it ends must leave
    # it to the next run (the pipeline clears the mark once the drafts are written).
    return done


def _listed(cfg: Config, store: Store, now: datetime) -> _Listed:
    """Every published version per language, minus those held (decide.held) or scheduled."""
    by_lang: dict[str, list[Rendition]] = {lang: [] for lang in cfg.all_langs}
    hashes: dict[tuple[str, str], str] = {}
    for h in store.rendition_heads():  # ready articles only
        if h.lang not in by_lang or decide.is_scheduled(h.published_at, now):
            continue
        if decide.held(h.flagged, h.forced, cfg.editorial.on_flag):
            log.info("holding %s [%s]: a sentence is flagged; review it or `xlate publish --force`", h.slug, h.lang)
            continue
        hashes[(h.slug, h.lang)] = h.text_hash
        by_lang[h.lang].append(_untexted(h, cfg.source_lang))
    return _Listed(by_lang, hashes)


def _untexted(h: RenditionHead, source_lang: str) -> Rendition:
    """A head as the publish code takes it, its `blocks` empty until `rendition_blocks` fills
    them for the versions rendered in full (feed entries, pages rendered this run)."""
    return Rendition(
        slug=h.slug,
        lang=h.lang,
        title=h.title,
        blocks=(),
        published=h.published_at,
        updated=h.updated_at,
        author=h.author,
        tags=h.tags,
        summary=h.summary if h.lang == source_lang else None,
        machine_translated=h.machine_translated,
        flagged=h.flagged,
        approved=h.approved,
        first_seen=h.first_seen,
    )
