"""The Ray executor on a real two-node Ray cluster on this machine, with the project's packages.

Same batches -> the same outputs as LocalExecutor; a node removed or a worker killed mid-run
loses nothing and yields every batch exactly once; packages reach the workers through the
object store (the driver's copies are deleted before decoding); `executor: ray` without Ray
installed is a clear exit-2 error before anything is read.
"""

from __future__ import annotations

import logging
import os
import random
import signal
import subprocess
import sys
import zipfile
from collections import Counter
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import FIXTURES, write_config
from xlate.config import Ray, Translate
from xlate.errors import ClusterError, ConfigError, PackageError
from xlate.translate.engine import Engine, Output
from xlate.translate.packages import InstalledPackage, install_file, installed
from xlate.translate.ray_executor import (
    CACHE_KEEP_SECONDS,
    UNPACK_STALE_SECONDS,
    RayExecutor,
    gpus_per_actor,
    import_ray,
    make_executor,
    pack,
    prune_cache,
    unpack_cached,
)
from xlate.translate.work import Batch, LocalExecutor

# Ray maps 127.0.0.1 to the machine's outward address when it connects, where a cluster bound
# to the loopback does not listen; with this, every part of the test cluster stays on 127.0.0.1.
# Set before Ray is imported (it reads the variable once).
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")


# -- data -----------------------------------------------------------------------------------


def _phrasebook() -> list[str]:
    lines = (FIXTURES / "phrasebook.tsv").read_text(encoding="utf-8").splitlines()[1:]
    return [ln.split("\t")[0] for ln in lines if ln.strip()]


def _sentences(n: int, seed: int) -> list[str]:
    """Phrasebook sentences and text the fixture models do not know: shuffled words, a long
    run-on sentence (split before decoding), placeholders, URLs, digits, emoji."""
    rnd = random.Random(seed)
    known = _phrasebook()
    words = " ".join(known).split()
    hostile = [
        " ".join(rnd.sample(words, 400)) + ".",
        "Žr. https://biblioteka.example.lt/renginiai?id=42&x=⟦0⟧ arba rašykite info@example.lt.",
        "⟦0⟧ ir ⟦1⟧ kviečia 2026-12-04 18:00 👋 ❤️",
        "ĄČĘĖĮŠŲŪŽ ąčęėįšųūž " * 3,
        "a",
    ]
    out = hostile[:]
    while len(out) < n:
        out.append(rnd.choice(known) if rnd.random() < 0.5 else " ".join(rnd.sample(words, rnd.randint(3, 30))))
    rnd.shuffle(out)
    return out[:n]


@pytest.fixture(scope="module")
def models(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], InstalledPackage]:
    """The fixture packages installed (validated, extracted) into a folder of this module."""
    d = tmp_path_factory.mktemp("ray-models")
    for name in ("translate-lt_en.argosmodel", "translate-en_pl.argosmodel"):
        install_file(FIXTURES / "models" / name, d)
    return installed(d)


def _batches(models: dict[tuple[str, str], InstalledPackage], n: int, size: int, seed: int = 1) -> list[Batch]:
    pairs = [("lt", "en"), ("en", "pl")]
    out = []
    for i in range(n):
        pair = pairs[i % 2]
        out.append(Batch(pair, models[pair].model_id(), tuple(_sentences(size, seed + i))))
    return out


def _local(
    models: dict[tuple[str, str], InstalledPackage], settings: Translate, batches: list[Batch]
) -> dict[Batch, list[Output]]:
    return dict(LocalExecutor(Engine(dict(models), settings)).decode(batches))


# -- pure parts, no cluster -------------------------------------------------------------------


def test_gpus_per_actor() -> None:
    assert gpus_per_actor("cpu", 3, 8) == [0, 0, 0]
    assert gpus_per_actor("auto", 3, 0) == [0, 0, 0]
    assert gpus_per_actor("auto", 3, 2) == [1, 1, 0]  # the third runs on CPUs, not on a GPU it was not given
    assert gpus_per_actor("cuda", 2, 2) == [1, 1]
    with pytest.raises(ConfigError, match=r"translate\.ray\.actors"):
        gpus_per_actor("cuda", 3, 2)
    with pytest.raises(ConfigError, match="device: auto or cpu"):
        gpus_per_actor("cuda", 1, 0)


def test_pack_unpack_once_per_node_and_checked(models: dict[tuple[str, str], InstalledPackage], tmp_path: Path) -> None:
    pkg = models[("lt", "en")]
    mid = pkg.model_id()
    data = pack(pkg)
    fetched: list[int] = []

    def fetch() -> bytes:
        fetched.append(1)
        return data

    got, fresh = unpack_cached(mid, fetch, tmp_path)
    assert fresh and got.model_id() == mid and got.path.parent == tmp_path
    again, fresh2 = unpack_cached(mid, fetch, tmp_path)
    assert not fresh2 and again.path == got.path and len(fetched) == 1  # the object is not fetched again
    assert [p.name for p in tmp_path.iterdir()] == [got.path.name]  # no temp folders left

    # Bytes that arrive damaged (another package under this model id) are refused, nothing cached.
    other = pack(models[("en", "pl")])
    with pytest.raises(ClusterError, match="damaged"):
        unpack_cached(mid, lambda: other, tmp_path / "b")
    assert list((tmp_path / "b").iterdir()) == []


def test_a_new_model_prunes_what_the_node_no_longer_uses(
    models: dict[tuple[str, str], InstalledPackage], tmp_path: Path
) -> None:
    """Upgraded models would pile up in each node's cache: when a new one arrives, packages
    no actor loaded for CACHE_KEEP_SECONDS and dead unpack folders go; recent ones stay."""
    import time

    now = time.time()
    ages = {
        "lt_en_0.9_old": CACHE_KEEP_SECONDS + 3600,  # an upgraded-away model
        "lt_en_1.0_other_driver": CACHE_KEEP_SECONDS - 3600,  # still used by someone lately
        ".unpack-dead": UNPACK_STALE_SECONDS + 60,  # an actor killed while unpacking
        ".unpack-busy": 60,  # another actor unpacking right now
    }
    for name, age in ages.items():
        (tmp_path / name).mkdir()
        (tmp_path / name / "model.bin").write_bytes(b"x")
        os.utime(tmp_path / name, (now - age, now - age))
    pkg = models[("lt", "en")]
    got, fresh = unpack_cached(pkg.model_id(), lambda: pack(pkg), tmp_path)
    assert fresh
    assert {p.name for p in tmp_path.iterdir()} == {got.path.name, "lt_en_1.0_other_driver", ".unpack-busy"}
    # A cache hit counts as use: the package is kept the next time something new arrives.
    os.utime(got.path, (now - CACHE_KEEP_SECONDS - 60,) * 2)
    unpack_cached(pkg.model_id(), lambda: pack(pkg), tmp_path)
    assert now - got.path.stat().st_mtime < 60
    assert prune_cache(tmp_path, keep="", now=time.time()) == []


def test_unpack_refuses_hostile_zip(tmp_path: Path) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as zf:
        zf.writestr("pkg/metadata.json", "{}")
        zf.writestr("../../escape.txt", "x")
    with pytest.raises(PackageError, match="leaves the folder"):
        unpack_cached("lt_en@1#0", evil.read_bytes, tmp_path / "cache")
    assert not (tmp_path / "escape.txt").exists()


def test_make_executor_local_imports_no_ray(models: dict[tuple[str, str], InstalledPackage]) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from xlate.config import Ray, Translate\n"
        "from xlate.translate.packages import installed\n"
        "from xlate.translate.ray_executor import make_executor\n"
        "from xlate.translate.work import LocalExecutor\n"
        f"ex = make_executor(Translate(), installed(Path({str(next(iter(models.values())).path.parent)!r})))\n"
        "assert isinstance(ex, LocalExecutor), ex\n"
        "assert 'ray' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_missing_ray_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # how Python makes an import fail
    with pytest.raises(ConfigError, match=r"pip install 'xlate\[ray\]'"):
        import_ray()


def test_missing_ray_stops_the_cli_before_ingest(tmp_path: Path) -> None:
    """Through the real CLI: exit 2, one line naming the key and the install command, input
    untouched, no state written. Ray is made unimportable in that process only."""
    write_config(tmp_path, tmp_path / "models", translate__executor="ray")
    (tmp_path / "input").mkdir()
    (tmp_path / "input" / "a.txt").write_text("Antraštė\n\nBibliotekoje vyks renginys.\n", encoding="utf-8")
    code = (
        "import runpy, sys\n"
        "sys.modules['ray'] = None\n"
        f"sys.argv = ['xlate', '--config', {str(tmp_path / 'config.yaml')!r}, 'run']\n"
        "runpy.run_module('xlate', run_name='__main__')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    (line,) = proc.stderr.strip().splitlines()
    assert "translate.executor: ray" in line and "pip install 'xlate[ray]'" in line and "executor: local" in line
    assert (tmp_path / "input" / "a.txt").exists() and not (tmp_path / "state").exists()


# -- on a real cluster ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """A head node and one more node, 1 CPU each, on 127.0.0.1; shut down whatever happens."""
    ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'xlate[ray]' (make setup-test does)")
    from ray.cluster_utils import Cluster

    c = Cluster(
        initialize_head=True,
        head_node_args={"num_cpus": 1, "node_ip_address": "127.0.0.1", "include_dashboard": False},
    )
    try:
        c.add_node(num_cpus=1, node_ip_address="127.0.0.1")
        ray.init(address=c.address, logging_level=logging.WARNING, log_to_driver=False)
        c.wait_for_nodes()
        yield c
    finally:
        ray.shutdown()
        c.shutdown()  # type: ignore[no-untyped-call]


@pytest.fixture
def cache(tmp_path: Path) -> Path:
    """A fresh package cache for this test's actors (both nodes share this machine's disk)."""
    return tmp_path / "ray-cache"


def _settings(actors: int) -> Translate:
    return Translate(executor="ray", ray=Ray(actors=actors))


@pytest.mark.slow
def test_same_outputs_as_local_and_packages_via_object_store(
    cluster: Any, models: dict[tuple[str, str], InstalledPackage], tmp_path: Path, cache: Path
) -> None:
    import shutil

    # The driver's copies live in a folder deleted before decoding: the actors cannot read them.
    driver_dir = tmp_path / "driver-models"
    shutil.copytree(next(iter(models.values())).path.parent, driver_dir)
    pkgs = installed(driver_dir)
    ids = {p.model_id() for p in pkgs.values()}
    batches = _batches(models, 6, 12)
    expected = _local(models, _settings(2), batches)

    ex = RayExecutor(pkgs, _settings(2), cache_dir=str(cache))
    try:
        shutil.rmtree(driver_dir)
        got = list(ex.decode(batches))
        infos = ex.report()
    finally:
        ex.close()
    assert Counter(id(b) for b, _ in got) == Counter(id(b) for b in batches)  # each batch once
    for b, outs in got:
        assert outs == expected[b], b.pair
    assert len({i["node"] for i in infos}) == 2  # one actor on each node (SPREAD)
    assert {i["device"] for i in infos} == {"cpu"}
    # Both nodes share this machine's disk, so each model was unpacked once in all, not per actor.
    unpacked = Counter(m for i in infos for m, fresh in i["unpacked"].items() if fresh)
    assert set(unpacked) == ids and all(n == 1 for n in unpacked.values())
    assert sorted(p.name for p in cache.iterdir()) == sorted(
        "".join(c if c.isalnum() or c in ".-_" else "_" for c in mid) for mid in ids
    )


@pytest.mark.slow
def test_a_killed_worker_loses_nothing(
    cluster: Any, models: dict[tuple[str, str], InstalledPackage], cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    batches = _batches(models, 8, 60, seed=7)
    expected = _local(models, _settings(2), batches)
    ex = RayExecutor(models, _settings(2), cache_dir=str(cache))
    got: list[tuple[Batch, list[Output]]] = []
    try:
        it = ex.decode(batches)
        got.append(next(it))
        victim = ex.workers()[0]
        os.kill(victim["pid"], signal.SIGKILL)  # mid-chunk: it holds queued batches
        with caplog.at_level(logging.WARNING, logger="xlate.translate.ray_executor"):
            got.extend(it)
    finally:
        ex.close()
    assert Counter(id(b) for b, _ in got) == Counter(id(b) for b in batches)
    assert all(outs == expected[b] for b, outs in got)
    assert any("died" in r.getMessage() for r in caplog.records), "the kill was not noticed"


@pytest.mark.slow
def test_removing_a_node_mid_run_loses_nothing(
    cluster: Any, models: dict[tuple[str, str], InstalledPackage], cache: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A third node joins; the run spreads over two of them; the one not holding the head is
    removed while its actor has batches queued. Every batch comes back exactly once, right."""
    extra = cluster.add_node(num_cpus=1, node_ip_address="127.0.0.1")
    cluster.wait_for_nodes()
    batches = _batches(models, 10, 60, seed=11)
    expected = _local(models, _settings(2), batches)
    ex = RayExecutor(models, _settings(2), cache_dir=str(cache))
    got: list[tuple[Batch, list[Output]]] = []
    try:
        it = ex.decode(batches)
        got.append(next(it))
        on = {i["node"] for i in ex.workers()}
        head_id = cluster.head_node.node_id
        nodes = {n.node_id: n for n in cluster.worker_nodes}
        victim = next(nid for nid in on if nid != head_id)
        cluster.remove_node(nodes[victim])
        with caplog.at_level(logging.WARNING, logger="xlate.translate.ray_executor"):
            got.extend(it)
    finally:
        ex.close()
        if extra in cluster.worker_nodes:
            cluster.remove_node(extra)
    assert Counter(id(b) for b, _ in got) == Counter(id(b) for b in batches)
    assert all(outs == expected[b] for b, outs in got)
    assert any("died" in r.getMessage() for r in caplog.records), "the node loss was not noticed"


@pytest.mark.slow
def test_no_free_cpu_is_a_clear_error_not_a_hang(
    cluster: Any, models: dict[tuple[str, str], InstalledPackage], cache: Path
) -> None:
    """Every CPU of the cluster reserved by someone else: no worker can start; the run stops
    with a ClusterError after start_timeout instead of waiting forever."""
    import ray
    from ray.util.placement_group import placement_group, remove_placement_group

    cpus = int(ray.cluster_resources()["CPU"])  # type: ignore[no-untyped-call]  # all of them, once free
    pg = placement_group([{"CPU": 1}] * cpus, strategy="SPREAD")
    ray.get(pg.ready(), timeout=60)
    try:
        ex = RayExecutor(models, _settings(1), start_timeout=8, cache_dir=str(cache))
        try:
            with pytest.raises(ClusterError, match=r"no Ray worker started within 8 s.*ray status"):
                list(ex.decode(_batches(models, 2, 2)))
        finally:
            ex.close()
    finally:
        remove_placement_group(pg)


@pytest.mark.slow
def test_make_executor_ray_unknown_model_and_early_stops(
    cluster: Any, models: dict[tuple[str, str], InstalledPackage]
) -> None:
    ex = make_executor(_settings(1), models)
    try:
        assert isinstance(ex, RayExecutor)
        stray = Batch(("lt", "en"), "lt_en@9#deadbeef", ("Labas.",))
        with pytest.raises(ClusterError, match="not shipped"):
            list(ex.decode([stray]))
        # A caller that stops early (asked to stop) abandons what is in flight; the executor
        # still takes the next call's work, as often as that happens.
        batches = _batches(models, 4, 3)
        for _ in range(3):
            it = ex.decode(batches)
            next(it)
            assert isinstance(it, Generator)
            it.close()
        got = list(ex.decode(batches))
        assert Counter(id(b) for b, _ in got) == Counter(id(b) for b in batches)
        assert all(len(outs) == 3 for _, outs in got)
    finally:
        ex.close()


SIGTERM_DRIVER = """
import os, signal, sys
from pathlib import Path
import ray
from xlate.config import Ray, Translate
from xlate.translate.packages import installed
from xlate.translate.ray_executor import RayExecutor
from xlate.translate.work import Batch

stop = []
handler = lambda *a: stop.append(1)  # noqa: E731  (xlate's: stop after the chunk in flight)
signal.signal(signal.SIGTERM, handler)
pkgs = installed(Path(sys.argv[1]))
mid = pkgs[("lt", "en")].model_id()
ex = RayExecutor(pkgs, Translate(executor="ray", ray=Ray(actors=1)))  # starts its own Ray
assert signal.getsignal(signal.SIGTERM) is handler, "ray.init replaced the SIGTERM handler"
batches = [Batch(("lt", "en"), mid, (f"Bibliotekoje vyks renginys {i}.",)) for i in range(20)]
done = 0
for _ in ex.decode(batches):
    done += 1
    if done == 1:
        os.kill(os.getpid(), signal.SIGTERM)
    if stop:
        break
ex.close()
assert not ray.is_initialized()
print(done)
sys.exit(130 if stop else 0)
"""


@pytest.mark.slow
def test_sigterm_still_stops_after_the_chunk_in_flight(models: dict[tuple[str, str], InstalledPackage]) -> None:
    """With its own Ray instance (no address), the driver keeps xlate's SIGTERM handling: the
    signal stops decoding after the chunk in flight, and close() shuts that Ray down."""
    env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"}
    models_dir = str(next(iter(models.values())).path.parent)
    proc = subprocess.run(
        [sys.executable, "-c", SIGTERM_DRIVER, models_dir], capture_output=True, text=True, timeout=300, env=env
    )
    assert proc.returncode == 130, proc.stderr[-3000:]
    assert proc.stdout.strip() == "1"


def _project(root: Path, models_dir: Path, **overrides: object) -> Path:
    """The repo's sample input plus an article of text the fixture models do not know."""
    import shutil

    from tests.helpers import REPO

    root.mkdir()
    write_config(root, models_dir, **overrides)
    (root / "input").mkdir()
    for f in sorted((REPO / "input").iterdir()):
        if f.is_file() and not f.name.startswith("."):
            shutil.copy2(f, root / "input" / f.name)
    body = "\n\n".join(" ".join(_sentences(6, seed)) for seed in range(5))
    (root / "input" / "nezinomas.txt").write_text(f"Nežinomas tekstas bibliotekai\n\n{body}\n", encoding="utf-8")
    return root


@pytest.mark.slow
def test_same_input_gives_byte_identical_feeds_with_local_and_ray(
    cluster: Any, installed_models: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from datetime import UTC, datetime

    from xlate import config, pipeline

    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    feeds = {}
    for executor in ("local", "ray"):
        root = _project(tmp_path / executor, installed_models, translate__executor=executor)
        with caplog.at_level(logging.INFO, logger="xlate.translate.ray_executor"):
            pipeline.run(config.load(root / "config.yaml"), pipeline.RunOptions(settle_seconds=0, now=now))
        out = root / "feeds"
        feeds[executor] = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert any("Ray worker ready" in r.getMessage() for r in caplog.records), "the ray run did not use Ray"
    assert len(feeds["local"]) > 20
    assert feeds["ray"].keys() == feeds["local"].keys()
    assert [k for k in feeds["local"] if feeds["local"][k] != feeds["ray"][k]] == []
