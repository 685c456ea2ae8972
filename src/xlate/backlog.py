"""What is left to translate, per model, and when it should be done (`xlate status`).

The pending articles' units are counted the way the translate stage would decode them
(`translate.pending_work`: memory first, nothing decoded), and the time left comes from the
throughput the last runs measured per model (`RunReport.decode_seconds`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from xlate.config import Config
from xlate.store import Store


def throughput(reports: Iterable[str | None]) -> dict[str, float]:
    """Sentences per second per model over the given run reports (JSON), where measured. Pure."""
    done: dict[str, int] = {}
    spent: dict[str, float] = {}
    for text in reports:
        report = json.loads(text) if text else {}
        seconds = report.get("decode_seconds") or {}
        for model, n in (report.get("decoded_sentences") or {}).items():
            if n and seconds.get(model):
                done[model] = done.get(model, 0) + int(n)
                spent[model] = spent.get(model, 0.0) + float(seconds[model])
    return {m: done[m] / spent[m] for m in done if spent[m] > 0}


def eta_seconds(pending: dict[str, tuple[int, int]], rates: dict[str, float]) -> float | None:
    """Seconds to decode what is pending at the measured rates; None while a model with work
    has never been measured. Pure."""
    total = 0.0
    for model, (sentences, _) in pending.items():
        if not sentences:
            continue
        if not rates.get(model):
            return None
        total += sentences / rates[model]
    return total


def backlog(cfg: Config, store: Store, reports: Iterable[str | None]) -> dict[str, Any]:
    """{articles, models: {model: {sentences, tokens, sentences_per_second}}, eta_seconds}."""
    from xlate.translate import pending_work
    from xlate.translate.packages import installed, plan_routes, route_label
    from xlate.translate.protect import Glossary, article_units

    slugs = store.pending_articles()
    rates = throughput(reports)
    pkgs = installed(cfg.paths.models)
    routes, missing = plan_routes(set(pkgs), cfg.source_lang, cfg.targets, cfg.pivot)
    if not slugs or missing:
        models = {route_label((p,)): (0, 0) for r in routes.values() for p in r} if not missing else {}
        return _shape(len(slugs), models, rates, None if missing and slugs else 0.0)
    glossary = Glossary.load(cfg.paths.glossary, cfg.targets)
    records = store.articles(slugs)
    units = [
        u
        for slug in slugs
        for block in article_units(
            records[slug].article.title,
            records[slug].article.blocks,
            records[slug].article.keep,
            glossary,
            cfg.source_lang,
        )
        for u in block
    ]
    work = pending_work(units, routes, {p: pkgs[p] for r in routes.values() for p in r}, store)
    return _shape(len(slugs), work, rates, eta_seconds(work, rates))


def _shape(
    articles: int, work: dict[str, tuple[int, int]], rates: dict[str, float], eta: float | None
) -> dict[str, Any]:
    models = {
        m: {"sentences": s, "tokens": t, "sentences_per_second": round(rates[m], 2) if m in rates else None}
        for m, (s, t) in sorted(work.items())
    }
    return {"articles": articles, "models": models, "eta_seconds": None if eta is None else round(eta, 1)}
