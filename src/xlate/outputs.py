"""The files every publish writes besides the article pages, in one place.

The publish stage renders them, a run checks that none was deleted, and the no-op fast
path (`xlate.noop`) fingerprints them; it imports this module, so it uses `os` alone.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: the fast path must not import typing
if TYPE_CHECKING:
    from collections.abc import Iterable

    from xlate.config import Config

FEED_FILES = {"rss": "rss.xml", "atom": "atom.xml", "json": "feed.json"}  # per language
LANG_FILES = ("index.html", "feeds.opml")  # per language, beside its feeds
SITE_FILES = ("index.html", "feeds.opml", "favicon.ico")  # at the top of the feeds folder
# Slugs no article may take: <lang>/<slug>.html would be one of the site's own pages.
RESERVED_SLUGS = frozenset(name.removesuffix(".html") for name in LANG_FILES if name.endswith(".html"))


def output_files(feeds: str, langs: Iterable[str]) -> list[str]:
    """The paths of the site files and of every language's feeds, index and OPML under `feeds`
    (article and archive pages are checked by the publish stage itself)."""
    names = [os.path.join(feeds, name) for name in SITE_FILES]
    per_lang = (*FEED_FILES.values(), *LANG_FILES)
    names += [os.path.join(feeds, lang, name) for lang in langs for name in per_lang]
    return names


# The config sections that shape a page or a feed. Not paths (a moved feeds folder has its pages
# missing, so rendered), nor how translations are made or run (translate, run, ingest, detect):
# those change the renditions, which page keys and digests already cover, and must not change
# an output's bytes by themselves (the same input gives the same feeds with `local` and `ray`).
PAGE_CONFIG = frozenset({"source_lang", "targets", "site", "languages", "feeds", "editorial"})


def page_config(cfg: Config) -> str:
    return str(cfg.model_dump_json(include=set(PAGE_CONFIG)))


def site_key(cfg: Config) -> str:
    """Identity of everything besides the articles that shapes a page: the config sections in
    PAGE_CONFIG and the xlate version. When it changes, every page is rendered again. Here,
    not in xlate.publish, so that a run that has nothing to publish can check it cheaply."""
    import hashlib

    from xlate import __version__

    data = f"{__version__}\n{page_config(cfg)}"
    return hashlib.sha256(data.encode()).hexdigest()[:16]
