"""xlate's benchmark: one command, every contender on the same packages, corpus and machine.

    python -m bench            # full run (Transformer-base packages), about 10 min on 2 cores
    python -m bench --quick    # CI smoke run with a small model, under 2 min

Writes BENCHMARKS.md (repo root) and bench/throughput.png, and the raw figures as JSON
(bench/.cache/results.json). --quick writes under bench/.cache/quick/ unless told
otherwise, so CI leaves the checked-in report alone. See BENCHMARKS.md for the method.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from bench import corpus, model
from bench.common import ENV_DECODE_LEN, units_of, write_json
from bench.measure import REPO, BenchError, Run, base_env, loadavg, median, run

CORPUS_SEED = 2026
SCALE_SEED = 3030
CONTENDERS = ("naive", "raw", "xlate")
LABELS = {
    "naive": "naive Argos",
    "raw": "raw CTranslate2",
    "xlate": "xlate run (cold)",
    "noop": "xlate run (no-op)",
    "import": "import argostranslate.translate",
}


@dataclass(frozen=True)
class Options:
    quick: bool
    sizes: tuple[int, ...]
    decode_len: int
    naive_max: int  # naive Argos is measured up to this many articles, estimated beyond
    existing: int  # articles already published for the add-one test
    existing_small: int | None  # a second, smaller count: how the cost grows with what is published
    feeds_articles: int
    repeat: int  # repetitions of cheap measurements (median)
    profile: bool
    keep: bool
    work_dir: Path
    from_json: Path | None
    json_out: Path
    markdown_out: Path
    plot_out: Path
    argv: tuple[str, ...]


def parse_args(argv: Sequence[str]) -> Options:
    ap = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small model, 1 and 5 articles, 100 existing (CI)")
    ap.add_argument("--sizes", help="comma-separated article counts (default 1,10,100; quick 1,5)")
    ap.add_argument("--decode-len", type=int, default=24, help="output tokens per sentence, every contender")
    ap.add_argument("--naive-max", type=int, help="largest size naive Argos is measured at (default 10)")
    ap.add_argument("--naive-full", action="store_true", help="measure naive Argos at every size (slow)")
    ap.add_argument("--existing", type=int, help="published articles for the add-one test (default 1000)")
    ap.add_argument(
        "--existing-small", type=int, help="the add-one test again at this count (default 100; 0: not; quick: not)"
    )
    ap.add_argument("--feeds-articles", type=int, help="articles for the feeds test (default 1000)")
    ap.add_argument("--repeat", type=int, help="repetitions of cheap measurements (default 5; quick 3)")
    ap.add_argument(
        "--profile",
        action=argparse.BooleanOptionalAction,
        help="profile what misses a target with pyinstrument (default: on, off with --quick)",
    )
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument(
        "--work-dir",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where projects, states and feeds are written during the run (default: the temp folder)",
    )
    ap.add_argument("--from-json", type=Path, help="only rewrite the report and plot from this results file")
    ap.add_argument("--json", dest="json_out", type=Path, help="figures as JSON")
    ap.add_argument("--markdown", dest="markdown_out", type=Path, help="the report (default BENCHMARKS.md)")
    ap.add_argument("--plot", dest="plot_out", type=Path, help="the PNG plot (default bench/throughput.png)")
    a = ap.parse_args(argv)
    quick = bool(a.quick)
    sizes = tuple(int(x) for x in a.sizes.split(",")) if a.sizes else ((1, 5) if quick else (1, 10, 100))
    out_dir = model.CACHE / "quick" if quick else None
    naive_max = max(sizes) if (a.naive_full or quick) else (a.naive_max or 10)
    return Options(
        quick=quick,
        sizes=tuple(sorted(set(sizes))),
        decode_len=a.decode_len,
        naive_max=naive_max,
        existing=a.existing or (100 if quick else 1000),
        existing_small=None if quick or a.existing_small == 0 else (a.existing_small or 100),
        feeds_articles=a.feeds_articles or (100 if quick else 1000),
        repeat=a.repeat or (3 if quick else 5),
        profile=(not quick) if a.profile is None else bool(a.profile),
        keep=bool(a.keep),
        work_dir=a.work_dir,
        from_json=a.from_json,
        json_out=a.json_out or ((out_dir or model.CACHE) / "results.json"),
        markdown_out=a.markdown_out or (out_dir / "BENCHMARKS.md" if out_dir else REPO / "BENCHMARKS.md"),
        plot_out=a.plot_out or (out_dir / "throughput.png" if out_dir else REPO / "bench" / "throughput.png"),
        argv=tuple(argv),
    )


def log(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# -- projects ------------------------------------------------------------------------------


def write_config(root: Path, models_dir: Path | str, settle: float = 0, beam: int | None = None) -> Path:
    """A copy of the repo's config.yaml with every path inside `root` (relative) but the models."""
    cfg = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    if beam is not None:
        cfg["translate"]["beam_size"] = beam
    cfg["paths"] = {
        "input": "input",
        "feeds": "feeds",
        "state": "state/xlate.sqlite3",
        "models": str(models_dir),
        "quarantine": "quarantine",
    }
    cfg["ingest"]["settle_seconds"] = settle
    # What the bench compares is translating and publishing: no time budget (a 100-article cold
    # run must finish in one run) and no editors' drafts (~0.15 s per Word file, see README).
    cfg.setdefault("run", {})["max_seconds"] = None
    cfg.setdefault("editorial", {})["drafts"] = "off"
    root.mkdir(parents=True, exist_ok=True)
    path = root / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True, sort_keys=False), encoding="utf-8")
    (root / "input").mkdir(exist_ok=True)
    return path


def make_project(root: Path, models_dir: Path | str, articles: Sequence[corpus.Article]) -> tuple[Path, list[Path]]:
    if root.exists():
        shutil.rmtree(root)
    cfg = write_config(root, models_dir)
    return cfg, corpus.write(articles, root / "input")


class Bench:
    def __init__(self, opts: Options) -> None:
        self.o = opts
        model.CACHE.mkdir(parents=True, exist_ok=True)
        opts.work_dir.mkdir(parents=True, exist_ok=True)
        self.work = Path(tempfile.mkdtemp(prefix="xlate-bench-", dir=opts.work_dir))
        self.home = self.work / "home"
        self.home.mkdir()
        self.env = base_env(self.home)
        self.env[ENV_DECODE_LEN] = str(opts.decode_len)
        self.profiles: dict[str, str] = {}
        self.states: dict[int, tuple[Path, corpus.Article, model.Built, float | None]] = {}
        self.started = time.perf_counter()

    def xlate(self, cfg: Path, *args: str, shim: bool = True, profile: Path | None = None, script: bool = False) -> Run:
        if script:  # the `xlate` console script, as cron starts it (no runpy, the no-op fast path first)
            exe = Path(sys.executable).with_name("xlate")
            return run([str(exe), "--config", str(cfg), *args], self.env, cfg.parent, python=False)
        mod = "bench.xlate_shim" if shim else "xlate"
        pre = ["-m", "pyinstrument", "-r", "text", "-o", str(profile), "-i", "0.001"] if profile else []
        return run([*pre, "-m", mod, "--config", str(cfg), *args], self.env, cfg.parent)

    def install(self, built: model.Built, models_dir: Path) -> None:
        cfg = write_config(self.work / f"install-{models_dir.name}", models_dir)
        r = self.xlate(cfg, "models", "install", *map(str, built.files()), shim=False)
        log(r.stdout.strip().replace("\n", "; "))

    def argos_env(self, models_dir: Path) -> dict[str, str]:
        return {**self.env, "ARGOS_PACKAGES_DIR": str(models_dir), "ARGOS_COMPUTE_TYPE": "int8"}

    # -- contenders ----------------------------------------------------------------------

    def size_round(self, size: int, arts: Sequence[corpus.Article], models_dir: Path) -> dict[str, Any]:
        o = self.o
        proj = self.work / f"articles-{size}"
        cfg, paths = make_project(proj, models_dir, arts)
        per_article = units_of(paths)
        units = len({u for art in per_article for block in art for u in block})
        units_json = self.work / f"units-{size}.json"
        write_json(units_json, per_article)
        reps = min(3, o.repeat) if size == min(o.sizes) else 1
        res: dict[str, Any] = {"articles": size, "units": units, "contenders": {}}
        log(f"{size} article(s), {units} units: raw CTranslate2 x{reps}")
        res["contenders"]["raw"] = summarize(
            [run(["-m", "bench.raw_ct2", str(models_dir), str(units_json)], self.env, self.work) for _ in range(reps)],
            units,
        )
        if size <= o.naive_max:
            naive_reps = reps if o.quick else 1  # with the real model even one article takes a while
            log(f"{size} article(s): naive Argos x{naive_reps}")
            env = self.argos_env(models_dir)
            runs = [run(["-m", "bench.naive_argos", str(units_json)], env, self.work) for _ in range(naive_reps)]
            res["contenders"]["naive"] = summarize(runs, units)
        log(f"{size} article(s): xlate run (cold) x{reps}")
        cold: list[Run] = []
        for _ in range(reps):
            cfg, _ = make_project(proj, models_dir, arts)
            cold.append(self.xlate(cfg, "run", "--settle", "0", "--json"))
        res["contenders"]["xlate"] = summarize(cold, units)
        report = cold[-1].json_stdout()
        res["xlate_report"] = {k: report.get(k) for k in ("published", "decoded_sentences", "memory_hits", "flagged")}
        res["xlate_report"]["feeds_written"] = len(report.get("feeds", []))
        log(f"{size} article(s): xlate run (no-op) x{o.repeat}")
        noop = [self.xlate(cfg, "run", "--settle", "0", "--json", script=True) for _ in range(o.repeat)]
        for r in noop:
            if r.json_stdout().get("published") != 0:
                raise BenchError("the no-op run published something")
        res["contenders"]["noop"] = summarize(noop, 0)
        return res

    def argos_import(self, models_dir: Path) -> dict[str, Any]:
        env = self.argos_env(models_dir)
        runs = [run(["-c", "import argostranslate.translate"], env, self.work) for _ in range(self.o.repeat)]
        return summarize(runs, 0)

    # -- add one to many -----------------------------------------------------------------

    def state_key(self, tiny: model.Built, n: int) -> str:
        import hashlib

        h = hashlib.sha256()
        h.update(json.dumps([tiny.params.key(), n, SCALE_SEED, self.o.decode_len, model.BUILDER_VERSION]).encode())
        for p in sorted((REPO / "src" / "xlate").rglob("*.py")):
            h.update(p.read_bytes())
        for p in (REPO / "bench" / "corpus.py", REPO / "bench" / "lithuanian.py"):
            h.update(p.read_bytes())
        return h.hexdigest()[:12]

    def existing_state(self, n: int) -> tuple[Path, corpus.Article, model.Built, float | None]:
        """A project with `n` articles published through the real pipeline with the tiny model.
        Cached: keyed by the tiny model, n, the seeds and xlate's source (once per bench run)."""
        if n in self.states:
            return self.states[n]
        self.states[n] = self._existing_state(n)
        return self.states[n]

    def _existing_state(self, n: int) -> tuple[Path, corpus.Article, model.Built, float | None]:
        tiny = model.build(model.TINY, log=log)
        arts = corpus.generate(n + 1, SCALE_SEED, tag="scale")
        cached = model.CACHE / "state" / f"{n}-{self.state_key(tiny, n)}"
        if (cached / "done").is_file():
            return cached, arts[n], tiny, None
        log(f"building the {n}-article state with the tiny model (cached afterwards)")
        cached.parent.mkdir(parents=True, exist_ok=True)
        for stale in cached.parent.glob(f"{n}-*"):
            if stale != cached:
                shutil.rmtree(stale, ignore_errors=True)
        # Built beside its final place and renamed, so a concurrent bench never sees half a state.
        # Paths in its config are relative, so the project works wherever it is copied.
        build = Path(tempfile.mkdtemp(prefix=f".{n}-", dir=cached.parent))
        cfg = write_config(build, "models", beam=1)  # greedy: decoding is not what this part measures
        self.xlate(cfg, "models", "install", *map(str, tiny.files()), shim=False)
        corpus.write(arts[:n], build / "input")
        r = self.xlate(cfg, "run", "--settle", "0", "--json")
        if r.json_stdout().get("published") != n:
            raise BenchError(f"building the state published {r.json_stdout().get('published')} of {n}")
        (build / "done").write_text(f"{r.wall:.1f}\n")
        try:
            build.rename(cached)
        except OSError:  # another bench got there first
            shutil.rmtree(build, ignore_errors=True)
        return cached, arts[n], tiny, r.wall

    def add_one(self, n: int) -> dict[str, Any]:
        o = self.o
        state, extra, tiny, build_s = self.existing_state(n)
        log(f"add 1 article to {n} published, x{o.repeat}; and the same article alone, x{o.repeat}")
        added: list[Run] = []
        alone: list[Run] = []
        noop: list[Run] = []
        for i in range(o.repeat):
            proj = self.work / f"add-{n}-{i}"
            shutil.copytree(state, proj)  # copy2 keeps mtimes: the scan sees the n files unchanged
            corpus.write([extra], proj / "input")
            added.append(self.xlate(proj / "config.yaml", "run", "--settle", "0", "--json"))
            noop.append(self.xlate(proj / "config.yaml", "run", "--settle", "0", "--json", script=True))
            solo = self.work / f"alone-{n}-{i}"
            write_config(solo, "models", beam=1)
            shutil.copytree(state / "models", solo / "models")
            corpus.write([extra], solo / "input")
            alone.append(self.xlate(solo / "config.yaml", "run", "--settle", "0", "--json"))
        # The copies stay until the bench ends: see feeds().
        for r in added + alone:
            if r.json_stdout().get("published") != 1:
                raise BenchError("the add-one run did not publish exactly one article")
        a, s = summarize(added, 0), summarize(alone, 0)
        out = {
            "existing": n,
            "model": tiny.params.describe(),
            "state_build_s": build_s,
            "add_one": a,
            "alone": s,
            "noop_at_existing": summarize(noop, 0),
            "ratio": a["wall_s"] / s["wall_s"],
        }
        return out

    def profile_add_one(self) -> None:
        state, extra, _, _ = self.existing_state(self.o.existing)
        proj = self.work / "add-profile"
        shutil.copytree(state, proj)
        corpus.write([extra], proj / "input")
        self.profile("add_one", lambda p: self.xlate(proj / "config.yaml", "run", "--settle", "0", profile=p))

    # -- feeds ---------------------------------------------------------------------------

    def feeds(self, profile: bool = False) -> dict[str, Any]:
        n = self.o.feeds_articles
        runs = []
        probes = []
        for i in range(3):
            folder = Path(tempfile.mkdtemp(prefix=f"feeds-{i}-", dir=self.work)) / "feeds"
            probes.append(file_create_ms(self.work))
            runs.append(run(["-m", "bench.feeds_worker", str(n), str(folder)], self.env, self.work))
        # Not deleted until the bench ends (cleanup()): on this disk (ext4 mounted with `discard`)
        # deleting thousands of files slows every file creation for seconds after, which the next
        # measurement would count as its own time.
        stats = [r.stats for r in runs]
        keys = ("render_s", "publish_cold_s", "publish_unchanged_s", "import_s")
        out: dict[str, Any] = {k: median([s[k] for s in stats]) for k in keys}
        out.update({k: stats[0][k] for k in ("articles", "languages", "files", "bytes", "written_cold")})
        out["runs"] = stats
        out["file_create_ms"] = probes
        if profile:
            folder = Path(tempfile.mkdtemp(prefix="feeds-profile-", dir=self.work)) / "feeds"
            prof = self.work / "profile-feeds.txt"
            run(["-m", "bench.feeds_worker", str(n), str(folder), "--profile", str(prof)], self.env, self.work)
            self.profiles["feeds"] = prof.read_text(encoding="utf-8")
        return out

    def profile(self, name: str, fn: Any) -> None:
        path = self.work / f"profile-{name}.txt"
        try:
            fn(path)
            self.profiles[name] = path.read_text(encoding="utf-8")
        except (BenchError, OSError) as e:
            self.profiles[name] = f"(profiling failed: {e})"

    # -- everything ----------------------------------------------------------------------

    def go(self) -> dict[str, Any]:
        o = self.o
        params = model.QUICK if o.quick else model.FULL
        built = model.build(params, log=log)
        models_dir = self.work / "models"
        self.install(built, models_dir)
        all_articles = corpus.generate(max(o.sizes), CORPUS_SEED, tag="bench")
        meta = machine_info()
        meta.update(
            quick=o.quick,
            command="python -m bench" + "".join(f" {a}" for a in o.argv),
            model=params.describe(),
            model_label=params.label,
            vocab=built.vocab_size,
            model_bin_mb=round(built.model_bytes / 1e6, 1),
            decode_len=o.decode_len,
            sizes=list(o.sizes),
            naive_measured_up_to=o.naive_max,
            repeat=o.repeat,
            load_start=loadavg(),
            work_dir=str(o.work_dir),
            file_create_ms=file_create_ms(self.work),
        )
        results: dict[str, Any] = {"meta": meta, "sizes": {}}
        log("start-up reference: import argostranslate.translate")
        results["argos_import"] = self.argos_import(models_dir)
        for size in o.sizes:
            results["sizes"][str(size)] = self.size_round(size, all_articles[:size], models_dir)
        estimate_naive(results, o)
        log(f"feeds: {o.feeds_articles} articles x 4 languages")
        results["feeds"] = self.feeds()
        results["add_one"] = self.add_one(o.existing)
        if o.existing_small and o.existing_small != o.existing:
            results["add_one_small"] = self.add_one(o.existing_small)
        results["figures"], results["targets"] = figures(results, o)
        results["checks"] = checks(results, o)
        if o.profile:
            self.profile_misses(results, models_dir, all_articles)
        results["profiles"] = self.profiles
        meta["load_end"] = loadavg()
        meta["bench_seconds"] = round(time.perf_counter() - self.started, 1)
        return results

    def profile_misses(self, results: dict[str, Any], models_dir: Path, arts: Sequence[corpus.Article]) -> None:
        missed = {t["key"] for t in results["targets"] if not t["met"]}
        mid = sorted(self.o.sizes)[len(self.o.sizes) // 2]
        if missed & {"vs_naive", "vs_raw"}:
            log(f"profiling xlate run (cold) at {mid} articles")
            cfg, _ = make_project(self.work / "profile-cold", models_dir, arts[:mid])
            self.profile("cold", lambda p: self.xlate(cfg, "run", "--settle", "0", profile=p))
        if "noop" in missed:
            log("profiling the no-op run")
            cfg = self.work / "profile-cold" / "config.yaml"
            if not cfg.exists():
                cfg, _ = make_project(self.work / "profile-cold", models_dir, arts[:1])
                self.xlate(cfg, "run", "--settle", "0")
            self.profile("noop", lambda p: self.xlate(cfg, "run", "--settle", "0", shim=False, profile=p))
        if "feeds" in missed:
            log("profiling publish_site")
            self.feeds(profile=True)
        if "add_one" in missed:
            log("profiling the add-one run")
            self.profile_add_one()

    def cleanup(self) -> None:
        if self.o.keep:
            log(f"work folder kept: {self.work}")
        else:
            shutil.rmtree(self.work, ignore_errors=True)


# -- figures -------------------------------------------------------------------------------


def summarize(runs: Sequence[Run], units: int) -> dict[str, Any]:
    """Median wall and CPU time, peak RSS, throughput and the workers' counters."""
    wall = median([r.wall for r in runs])
    counter = runs[-1].stats.get("counter", {})
    tokens = sum(counter.get("tokens", {}).values())
    out: dict[str, Any] = {
        "runs": len(runs),
        "wall_s": wall,
        "walls_s": [round(r.wall, 3) for r in runs],
        "cpu_s": median([r.cpu for r in runs]),
        "rss_mb": max(r.rss_mb for r in runs),
        "load_before": [r.load_before for r in runs],
    }
    if units:
        out.update(
            units=units,
            output_tokens=tokens,
            sentences_per_s=units / wall,
            tokens_per_s=tokens / wall,
            decode_s=sum(counter.get("decode_seconds", {}).values()),
            counter=counter,
        )
    for key in ("phases", "would_retry", "per_article_seconds", "per_article_units", "english_unique"):
        if key in runs[-1].stats:
            out[key] = runs[-1].stats[key]
    return out


def estimate_naive(results: dict[str, Any], o: Options) -> None:
    """Naive Argos beyond --naive-max: it translates article by article, so its time grows
    with the units; extrapolate from the per-article times of the largest measured run
    (its first article, which loads the models, excluded)."""
    measured = [int(s) for s, r in results["sizes"].items() if "naive" in r["contenders"]]
    if not measured:
        return
    base_size = max(measured)
    base = results["sizes"][str(base_size)]["contenders"]["naive"]
    secs, units = base["per_article_seconds"][1:], base["per_article_units"][1:]
    if not secs:
        secs, units = base["per_article_seconds"], base["per_article_units"]
    per_unit = sum(secs) / sum(units)
    for r in results["sizes"].values():
        if "naive" in r["contenders"]:
            continue
        extra = r["units"] - base["units"]
        wall = base["wall_s"] + extra * per_unit
        tokens = r["units"] * 3 * o.decode_len
        r["contenders"]["naive"] = {
            "estimated": True,
            "estimated_from": base_size,
            "wall_s": wall,
            "cpu_s": base["cpu_s"] * wall / base["wall_s"],
            "rss_mb": None,
            "units": r["units"],
            "output_tokens": tokens,
            "sentences_per_s": r["units"] / wall,
            "tokens_per_s": tokens / wall,
            "seconds_per_unit": per_unit,
        }


def _ratio(size_result: dict[str, Any], a: str, b: str, key: str) -> float:
    c = size_result["contenders"]
    return float(c[a][key] / c[b][key])


def figures(results: dict[str, Any], o: Options) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    sizes = results["sizes"]
    top = str(max(o.sizes))
    f: dict[str, Any] = {
        "xlate_over_naive_speed": {s: _ratio(r, "xlate", "naive", "sentences_per_s") for s, r in sizes.items()},
        "xlate_over_raw_time": {s: _ratio(r, "xlate", "raw", "wall_s") for s, r in sizes.items()},
        # The same ratios in CPU time: less sensitive to other load on a shared machine.
        "naive_over_xlate_cpu": {s: _ratio(r, "naive", "xlate", "cpu_s") for s, r in sizes.items()},
        "xlate_over_raw_cpu": {s: _ratio(r, "xlate", "raw", "cpu_s") for s, r in sizes.items()},
        "noop_s": sizes[top]["contenders"]["noop"]["wall_s"],
        "argos_import_s": results["argos_import"]["wall_s"],
        "add_one_s": results["add_one"]["add_one"]["wall_s"],
        "alone_s": results["add_one"]["alone"]["wall_s"],
        "add_one_ratio": results["add_one"]["ratio"],
        "feeds_s": results["feeds"]["publish_cold_s"],
        "peak_rss_mb": {
            name: max((r["contenders"][name].get("rss_mb") or 0) for r in sizes.values())
            for name in ("naive", "raw", "xlate", "noop")
        },
    }
    f["peak_rss_mb"]["import"] = results["argos_import"]["rss_mb"]
    f["noop_over_import"] = f["noop_s"] / f["argos_import_s"]
    # Bounded memory: xlate's peak RSS at the largest backlog against one at least 10x smaller.
    small = max((s for s in sizes if int(top) >= 10 * int(s)), key=int, default=None)
    rss = {s: sizes[s]["contenders"]["xlate"].get("rss_mb") for s in (small, top) if s is not None}
    f["rss_ratio"] = rss[top] / rss[small] if small is not None and rss.get(small) and rss.get(top) else None
    n_feeds = results["feeds"]["articles"]
    naive_top = sizes[top]["contenders"]["naive"]
    est = " (naive estimated)" if naive_top.get("estimated") else ""
    targets = [
        {
            "key": "vs_naive",
            "goal": f"xlate >= 5x naive Argos (sentences/s) at {top} articles",
            "value": f"{f['xlate_over_naive_speed'][top]:.2f}x{est}; CPU time {f['naive_over_xlate_cpu'][top]:.2f}x",
            "met": f["xlate_over_naive_speed"][top] >= 5.0,
        },
        {
            "key": "vs_raw",
            "goal": f"xlate time <= 1.25x raw CTranslate2 time at {top} articles",
            "value": f"{f['xlate_over_raw_time'][top]:.2f}x; CPU time {f['xlate_over_raw_cpu'][top]:.2f}x",
            "met": f["xlate_over_raw_time"][top] <= 1.25,
        },
        {
            "key": "noop",
            "goal": "no-op run <= 0.1x `import argostranslate.translate`",
            "value": f"{f['noop_over_import']:.2f}x ({f['noop_s']:.2f} s vs {f['argos_import_s']:.2f} s)",
            "met": f["noop_over_import"] <= 0.1,
        },
        {
            "key": "add_one",
            "goal": f"adding 1 article to {results['add_one']['existing']} published ~ 1 alone (<= 1.25x)",
            "value": f"{f['add_one_ratio']:.2f}x ({f['add_one_s']:.2f} s vs {f['alone_s']:.2f} s)",
            "met": f["add_one_ratio"] <= 1.25,
        },
        {
            "key": "rss",
            "goal": f"xlate's peak RSS flat across a 10x backlog ({small} -> {top} articles, <= 1.2x)",
            "value": "n/a"
            if f["rss_ratio"] is None
            else f"{f['rss_ratio']:.2f}x ({rss[small]:,.0f} MB -> {rss[top]:,.0f} MB)",
            "met": f["rss_ratio"] is not None and f["rss_ratio"] <= 1.2,
        },
        {
            "key": "feeds",
            "goal": f"all feeds and pages for {n_feeds} articles x 4 languages, cold folder, < 2 s",
            "value": f"{f['feeds_s']:.2f} s",
            "met": f["feeds_s"] < 2.0,
        },
    ]
    return f, targets


def checks(results: dict[str, Any], o: Options) -> dict[str, Any]:
    """Every measured contender decoded each unit once per model, each output exactly L tokens.

    xlate decodes each distinct English sentence once for en->pl and en->ru; the random lt->en
    model maps a few different sources to the same output, so raw CTranslate2 does the same
    (its count is the reference) while naive Argos decodes every English sentence."""
    problems: list[str] = []
    retried = 0
    would_retry = 0
    duplicates: dict[str, int] = {}
    for size, r in results["sizes"].items():
        english = r["contenders"]["raw"].get("english_unique", r["units"])
        duplicates[size] = r["units"] - english
        for name in CONTENDERS:
            c = r["contenders"][name]
            if c.get("estimated"):
                continue
            counter = c["counter"]
            expected = {"lt->en": r["units"]}
            for pair in ("en->pl", "en->ru"):
                expected[pair] = r["units"] if name == "naive" else english
            for pair, want in expected.items():
                n = counter.get("sentences", {}).get(pair, 0)
                lo, hi = counter.get("min_len", {}).get(pair), counter.get("max_len", {}).get(pair)
                if n != want:
                    problems.append(f"{name} at {size}: {pair} decoded {n} sentences, expected {want}")
                if lo != o.decode_len or hi != o.decode_len:
                    problems.append(f"{name} at {size}: {pair} output lengths {lo}..{hi}, expected {o.decode_len}")
        x = r["contenders"]["xlate"]
        retried += sum(x["counter"].get("retries", {}).values())  # chunks make several calls; count retries
        would_retry += sum(x.get("would_retry", {}).values())
    return {
        "equal_output_tokens": not problems,
        "problems": problems,
        "identical_english_outputs": duplicates,
        "xlate_retry_calls": retried,
        "xlate_would_have_retried": would_retry,
    }


def file_create_ms(folder: Path, n: int = 300) -> float:
    """Milliseconds to create and write one small file in `folder`: what publishing pays per page."""
    import os

    probe = Path(tempfile.mkdtemp(prefix="probe-", dir=folder))
    t = time.perf_counter()
    for i in range(n):
        fd = os.open(probe / f"f{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        os.write(fd, b"x" * 7000)
        os.close(fd)
    ms = (time.perf_counter() - t) * 1000 / n
    shutil.rmtree(probe)
    return round(ms, 3)


def machine_info() -> dict[str, Any]:
    import os
    from importlib import metadata

    cpu = "unknown"
    ram_gb = None
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()

    def ver(dist: str) -> str:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return "not installed"

    argos_dists = metadata.packages_distributions().get("argostranslate", [])
    return {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": nproc,
        "cpu": cpu,
        "ram_gb": ram_gb,
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": {
            "ctranslate2": ver("ctranslate2"),
            **{d: ver(d) for d in argos_dists},
            "xlate": ver("xlate"),
            "sentencepiece": ver("sentencepiece"),
            "numpy": ver("numpy"),
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    o = parse_args(args)
    if o.from_json is not None:
        from bench import report

        results = json.loads(o.from_json.read_text(encoding="utf-8"))
        results["figures"], results["targets"] = figures(results, o)  # targets as this version states them
        plot = report.plot(results, o.plot_out)
        o.markdown_out.write_text(report.markdown(results, o.markdown_out, plot), encoding="utf-8")
        log(f"rewrote {o.markdown_out} and {plot} from {o.from_json}")
        return 0
    bench = Bench(o)
    try:
        results = bench.go()
    except BenchError as e:
        log(f"failed: {e}")
        bench.o = replace(bench.o, keep=True)
        return 1
    finally:
        bench.cleanup()
    from bench import report

    o.json_out.parent.mkdir(parents=True, exist_ok=True)
    write_json(o.json_out, results)
    plot = report.plot(results, o.plot_out)
    o.markdown_out.parent.mkdir(parents=True, exist_ok=True)
    o.markdown_out.write_text(report.markdown(results, o.markdown_out, plot), encoding="utf-8")
    print(report.summary(results))
    log(f"wrote {o.markdown_out}, {plot or 'no plot (matplotlib missing)'}, {o.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
