"""Models stage: the glossary, and the identity of everything that shapes a translation.

A new model version, a new direct package or a glossary edit sends every published article
back to translation; the memory is keyed by model and by the protected sentence, so only the
sentences the change affects are decoded again.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from xlate.config import Config
from xlate.errors import ConfigError
from xlate.store import Store
from xlate.translate.packages import installed, plan_routes
from xlate.translate.protect import Glossary

log = logging.getLogger(__name__)


def load_glossary(cfg: Config) -> Glossary:
    path = cfg.paths.glossary
    try:
        return Glossary.load(path, cfg.targets)
    except FileNotFoundError:
        raise ConfigError(f"paths.glossary: {path} does not exist; create it or remove the key") from None
    except (ValueError, OSError) as e:
        raise ConfigError(f"paths.glossary: {e}") from None


def translation_key(cfg: Config, glossary: Callable[[], Glossary]) -> str | None:
    """Identity of the routes, their models and the glossary; None while a route is missing."""
    pkgs = installed(cfg.paths.models)
    routes, missing = plan_routes(set(pkgs), cfg.source_lang, cfg.targets, cfg.pivot)
    if missing:
        return None
    parts = sorted(f"{t}:{'|'.join(pkgs[p].model_id() for p in r)}" for t, r in routes.items())
    parts.append(f"glossary:{glossary().version}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def invalidate_if_changed(store: Store, key: str | None) -> None:
    """Send every ready article back to translation when `key` differs from the stored one."""
    old = store.translation_key()
    if key is None or old is None or old == key:
        return
    with store.transaction():
        n = store.repend_ready_articles()
        store.set_translation_key(key)
    log.info("the installed models or the glossary changed: %d articles will be translated again", n)
