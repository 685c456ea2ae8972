"""Time xlate's publish stage alone: N articles x 4 languages into a cold (empty) folder.

Synthetic Renditions (generated Lithuanian text; the same text stands in for the
translations, whose length it matches closely enough) go straight into
xlate.publish.render_site (pure rendering) and publish_site (render, then write every
file atomically). publish_site is timed twice: into the empty folder, then again with
nothing changed.

    BENCH_STATS=out.json python -m bench.feeds_worker N FEEDS_DIR [--profile OUT.txt]
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from bench.common import ENV_STATS, write_json

if TYPE_CHECKING:
    from xlate.model import Rendition

FEEDS_SEED = 777


def renditions(n: int, langs: tuple[str, ...]) -> dict[str, list[Rendition]]:
    from bench.corpus import generate
    from xlate.model import Block, BlockKind, Rendition

    base = datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
    out: dict[str, list[Rendition]] = {lang: [] for lang in langs}
    for i, a in enumerate(generate(n, FEEDS_SEED, tag="feeds")):
        blocks: list[Block] = []
        for j, p in enumerate(a.paragraphs):
            blocks.append(Block(BlockKind.PARAGRAPH, " ".join(p)))
            if j == a.list_after:
                blocks.append(Block(BlockKind.PARAGRAPH, a.list_intro))
                blocks.extend(Block(BlockKind.LIST_ITEM, it) for it in a.items)
        slug = a.name.removesuffix(".txt")
        when = base + timedelta(hours=7 * i)
        for lang in langs:
            out[lang].append(
                Rendition(
                    slug=slug,
                    lang=lang,
                    title=a.headline,
                    blocks=tuple(blocks),
                    published=when,
                    updated=when,
                    author="Bibliotekos naujienų redakcija",
                    tags=("bench", "biblioteka"),
                    machine_translated=lang != langs[0],
                )
            )
    return out


def main() -> None:
    import os

    n, folder = int(sys.argv[1]), Path(sys.argv[2])
    profile_out = Path(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--profile" else None
    t0 = time.perf_counter()
    import yaml

    from xlate import config
    from xlate.publish import publish_site, render_site

    t_import = time.perf_counter() - t0
    repo = Path(__file__).resolve().parent.parent
    data = yaml.safe_load((repo / "config.yaml").read_text(encoding="utf-8"))
    data["paths"]["feeds"] = str(folder)
    cfg = config.parse(data, folder.parent)
    t = time.perf_counter()
    rends = renditions(n, cfg.all_langs)
    t_build = time.perf_counter() - t

    t = time.perf_counter()
    files = render_site(cfg, rends)
    t_render = time.perf_counter() - t

    profiler = None
    if profile_out is not None:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.001)
        profiler.start()
    t = time.perf_counter()
    written = publish_site(cfg, rends)
    t_publish_cold = time.perf_counter() - t
    if profiler is not None and profile_out is not None:
        profiler.stop()
        profile_out.write_text(profiler.output_text(unicode=True, color=False, show_all=False), encoding="utf-8")

    t = time.perf_counter()
    rewritten = publish_site(cfg, rends)
    t_publish_again = time.perf_counter() - t
    write_json(
        Path(os.environ[ENV_STATS]),
        {
            "articles": n,
            "languages": len(cfg.all_langs),
            "files": len(files),
            "bytes": sum(len(b) for b in files.values()),
            "written_cold": len(written),
            "written_again": len(rewritten),
            "import_s": round(t_import, 4),
            "build_renditions_s": round(t_build, 4),
            "render_s": round(t_render, 4),
            "publish_cold_s": round(t_publish_cold, 4),
            "publish_unchanged_s": round(t_publish_again, 4),
        },
    )


if __name__ == "__main__":
    main()
