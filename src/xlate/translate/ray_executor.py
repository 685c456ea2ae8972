"""Decode on a pool of Ray actors: the `Executor` for `translate.executor: ray`.

The driver (this process) stays the only writer of SQLite and the feeds. It ships each
package once through Ray's object store (zip bytes: no shared disk is assumed), keeps every
actor busy with at most `DEPTH` batches, and yields results in completion order (`ray.wait`)
so the caller commits chunk by chunk. Each actor unpacks a package once per node into a cache
keyed by model id (which includes the content hash) and decodes with the same `Engine` as
`LocalExecutor`, so outputs are the same.

A worker that dies (node lost, OOM kill) has its batches handed to the others and is replaced;
a batch is yielded only from a result that arrived, so nothing is lost and nothing is yielded
twice. Ray is imported only here, inside functions: `pip install 'xlate[ray]'`.
"""

from __future__ import annotations

import io
import logging
import os
import shutil
import signal
import tempfile
import threading
import time
import zipfile
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xlate.config import Translate
from xlate.errors import ClusterError, ConfigError, XlateError
from xlate.translate.packages import ID_FILE, InstalledPackage, describe, model_hash
from xlate.translate.work import Batch, Executor, LocalExecutor

if TYPE_CHECKING:
    from xlate.translate.engine import Engine, Output

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'xlate[ray]'"
DEPTH = 2  # batches queued per actor: the next one is there when the current one ends
MAX_ATTEMPTS = 3  # a batch whose worker died this often is not tried again (it may be the cause)
START_TIMEOUT = 300.0  # seconds to wait for a worker to come up when none is running
CACHE_ENV = "XLATE_RAY_CACHE"  # where actors unpack packages (set on the nodes); default below
CACHE_NAME = "xlate-ray-models"  # in the node's temp folder


def make_executor(settings: Translate, packages: Mapping[tuple[str, str], InstalledPackage]) -> Executor:
    """The executor `translate.executor` asks for; imports Ray only when it is `ray`."""
    if settings.executor == "ray":
        return RayExecutor(packages, settings)
    from xlate.translate.engine import Engine

    return LocalExecutor(Engine(dict(packages), settings))


def import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ConfigError(
            f"translate.executor: ray, but Ray is not installed here; install it with {INSTALL_HINT} "
            "(on every node of the cluster), or set translate.executor: local"
        ) from None
    return ray


def gpus_per_actor(device: str, actors: int, cluster_gpus: float) -> list[int]:
    """GPUs to request for each actor. Pure, so it is tested on its own.

    `cuda`: one each, and the cluster must have them. `auto`: one each while the cluster has
    GPUs left, the rest run on CPUs (so two actors never share a GPU Ray did not give them).
    """
    if device == "cpu":
        return [0] * actors
    have = int(cluster_gpus)
    if device == "cuda":
        if have < actors:
            raise ConfigError(
                f"translate.device: cuda with translate.ray.actors: {actors}, but the Ray cluster has "
                f"{have} GPU(s); lower translate.ray.actors to {max(have, 1)} or add GPU nodes"
                + ("" if have else " (or set translate.device: auto or cpu)")
            )
        return [1] * actors
    return [1 if i < have else 0 for i in range(actors)]


def _cache_key(model_id: str) -> str:
    """A folder name for a model id (`lt_en@1.0#hash`): letters, digits, '.', '-', '_'."""
    return "".join(c if c.isalnum() or c in ".-_" else "_" for c in model_id)


def pack(pkg: InstalledPackage) -> bytes:
    """The package folder as zip bytes (stored, not deflated: model weights do not shrink)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for p in sorted(pkg.path.rglob("*")):
            if p.is_file() and p.name != ID_FILE:
                zf.write(p, (Path(pkg.path.name) / p.relative_to(pkg.path)).as_posix())
    return buf.getvalue()


# A cached package no actor on this node loaded for this long is removed when a new one
# arrives (the models were upgraded); another driver still using it touches it on each load.
CACHE_KEEP_SECONDS = 30 * 86400
# Temp folders of an unpack that died (actor killed mid-way) are removed after this long.
UNPACK_STALE_SECONDS = 86400


def prune_cache(cache_root: Path, keep: str, now: float) -> list[str]:
    """Remove from a node's cache the packages unused for CACHE_KEEP_SECONDS and dead unpack
    folders; returns the names removed. Never `keep`, never a folder in use lately."""
    removed = []
    for entry in sorted(cache_root.iterdir()):
        if entry.name == keep or not entry.is_dir():
            continue
        limit = UNPACK_STALE_SECONDS if entry.name.startswith(".unpack-") else CACHE_KEEP_SECONDS
        try:
            idle = now - entry.stat().st_mtime
        except OSError:
            continue  # another actor removed it
        if idle > limit:
            shutil.rmtree(entry, ignore_errors=True)
            removed.append(entry.name)
    if removed:
        log.info("removed unused models from the node cache %s: %s", cache_root, ", ".join(removed))
    return removed


def unpack_cached(model_id: str, data: Callable[[], bytes], cache_root: Path) -> tuple[InstalledPackage, bool]:
    """The package for `model_id` in this node's cache; unpacked from `data()` when absent.

    Returns the package and whether it was unpacked now. Several actors on one node may race:
    each unpacks into its own temp folder, checks the content hash, and renames it into place;
    a loser throws its copy away.
    """
    from xlate.translate.packages import _check_members

    final = cache_root / _cache_key(model_id)
    if (final / "metadata.json").is_file():
        os.utime(final)  # used now: pruning keeps what any driver used lately
        return describe(final), False
    cache_root.mkdir(parents=True, exist_ok=True)
    prune_cache(cache_root, keep=final.name, now=time.time())  # a new model: older ones may be stale
    tmp = Path(tempfile.mkdtemp(prefix=".unpack-", dir=cache_root))
    try:
        with zipfile.ZipFile(io.BytesIO(data())) as zf:
            top = _check_members(zf, f"package {model_id} from the driver")
            zf.extractall(tmp)
        staged = tmp / top
        model_hash(staged)  # hashes the files now and caches the identity beside them
        got = describe(staged).model_id()
        if got != model_id:
            raise ClusterError(f"package {model_id} arrived as {got} on this node; the transfer is damaged, run again")
        try:
            os.rename(staged, final)
        except OSError:
            if not (final / "metadata.json").is_file():
                raise
        return describe(final), True
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Worker:
    """One Ray actor: unpacks packages on first use and decodes with its own `Engine`."""

    def __init__(
        self, shipped: dict[str, tuple[tuple[str, str], list[Any]]], settings: Translate, cache_dir: str | None
    ) -> None:
        import ray

        from xlate.translate.engine import Engine

        # `shipped` maps model id -> (pair, [object ref]); the ref sits in a list so that Ray
        # does not fetch it before the node's cache is checked.
        self.shipped = shipped
        gpu = bool(ray.get_gpu_ids())
        device = "cuda" if gpu or settings.device == "cuda" else "cpu"  # auto: the GPU Ray gave us
        self.engine: Engine = Engine({}, settings.model_copy(update={"device": device}))
        self.cache_root = Path(cache_dir or os.environ.get(CACHE_ENV) or Path(tempfile.gettempdir()) / CACHE_NAME)
        self.unpacked: dict[str, bool] = {}
        self.device = device

    def ready(self) -> dict[str, Any]:
        import ray

        from xlate import __version__

        return {
            "node": ray.get_runtime_context().get_node_id(),
            "pid": os.getpid(),
            "device": self.device,
            "version": __version__,
            "unpacked": dict(self.unpacked),
            "cpu_seconds": time.process_time(),  # this worker's CPU so far (all its threads)
        }

    def decode(self, model_id: str, sentences: tuple[str, ...]) -> list[Output]:
        import ray

        pair, (ref,) = self.shipped[model_id]
        if pair not in self.engine.packages:
            pkg, fresh = unpack_cached(model_id, lambda: ray.get(ref), self.cache_root)
            self.unpacked[model_id] = fresh
            self.engine.packages[pair] = pkg
        return self.engine.translate(pair, sentences)


@dataclass
class _Slot:
    """The driver's view of one actor."""

    handle: Any
    gpus: int
    ping: Any = None  # ref of ready() until it answers
    info: dict[str, Any] = field(default_factory=dict)
    load: int = 0
    dead: bool = False


class RayExecutor:
    """Decode batches on `settings.ray.actors` Ray actors; see the module's docstring."""

    def __init__(
        self,
        packages: Mapping[tuple[str, str], InstalledPackage],
        settings: Translate,
        *,
        start_timeout: float = START_TIMEOUT,
        cache_dir: str | None = None,
    ) -> None:
        ray = import_ray()
        self._ray = ray
        self.settings = settings
        self.start_timeout = start_timeout
        self.cache_dir = cache_dir  # None: each node's $XLATE_RAY_CACHE or <tmp>/xlate-ray-models
        self._owns_ray = False
        if not ray.is_initialized():
            self._connect(settings.ray.address)
            self._owns_ray = True
        self.parallel = settings.ray.actors  # batches decoded at once: one per actor
        shipped = {}
        for pair, pkg in packages.items():
            ref = ray.put(pack(pkg))
            shipped[pkg.model_id()] = (pair, [ref])
        self._shipped = shipped
        self._gpus = gpus_per_actor(settings.device, self.parallel, ray.cluster_resources().get("GPU", 0))
        self._start_failures = 0  # in a row; reset when a worker comes up
        self._slots = [self._start(g) for g in self._gpus]

    def _connect(self, address: str | None) -> None:
        kwargs: dict[str, Any] = {"logging_level": logging.WARNING, "log_to_driver": False}
        if address is None:  # a Ray instance of our own for this run, whatever else runs here
            address = "local"  # ("auto" is how to join the cluster `ray start` runs on this machine)
            kwargs.update(include_dashboard=False)
        # ray.init installs its own SIGTERM handler (exit at once); xlate's stops after the chunk
        # in flight and exits 130, so it is put back.
        main = threading.current_thread() is threading.main_thread()
        sigterm = signal.getsignal(signal.SIGTERM) if main else None
        try:
            self._ray.init(address=address, **kwargs)
        except (ConnectionError, RuntimeError, ValueError) as e:
            raise ConfigError(
                f"translate.ray.address: cannot reach the Ray cluster at {address!r} ({e}); start it with "
                "`ray start --head` on the head node, or fix the address (auto, ray://host:10001, or remove "
                "the key for a Ray instance on this machine)"
            ) from None
        finally:
            if sigterm is not None:
                signal.signal(signal.SIGTERM, sigterm)

    def _start(self, gpus: int) -> _Slot:
        actor = self._ray.remote(Worker).options(
            num_cpus=1,
            num_gpus=gpus,
            max_restarts=0,  # a dead worker is replaced by the driver, which knows its batches
            scheduling_strategy="SPREAD",
        )
        handle = actor.remote(self._shipped, self.settings, self.cache_dir)
        return _Slot(handle, gpus, ping=handle.ready.remote())

    def decode(self, batches: Iterable[Batch]) -> Generator[tuple[Batch, list[Output]], None, None]:
        ray = self._ray
        source = iter(batches)
        retry: deque[Batch] = deque()
        attempts: dict[int, int] = {}  # id(batch) -> attempts so far
        inflight: dict[Any, tuple[Batch, _Slot]] = {}
        exhausted = False
        idle_since = time.monotonic()
        try:
            while True:
                exhausted = self._fill(source, retry, inflight, exhausted)
                if not inflight and exhausted and not retry:
                    return
                pings = {s.ping: s for s in self._slots if s.ping is not None and not s.dead}
                waiting = list(inflight) + list(pings)
                if not waiting:
                    raise ClusterError("no Ray worker is left to decode with; check the cluster with `ray status`")
                ready, _ = ray.wait(waiting, num_returns=1, timeout=5.0)
                if not ready:
                    if not inflight and time.monotonic() - idle_since > self.start_timeout:
                        raise ClusterError(
                            f"no Ray worker started within {self.start_timeout:.0f} s (resources asked: 1 CPU"
                            f"{', 1 GPU' if any(self._gpus) else ''} each); check `ray status`, or lower "
                            "translate.ray.actors"
                        )
                    continue
                idle_since = time.monotonic()
                ref = ready[0]
                if ref in pings:
                    self._answered(pings[ref])
                    continue
                b, slot = inflight.pop(ref)
                slot.load -= 1
                outs = self._result(ref, b, slot, attempts, retry)
                if outs is not None:
                    attempts.pop(id(b), None)
                    yield b, outs
        finally:
            for ref, (_, slot) in inflight.items():
                slot.load -= 1  # abandoned (the caller stopped): the slot takes new work next time
                try:
                    ray.cancel(ref)
                except Exception:  # best effort: the actor may be gone already
                    log.debug("could not cancel a Ray task", exc_info=True)

    def _fill(
        self,
        source: Iterator[Batch],
        retry: deque[Batch],
        inflight: dict[Any, tuple[Batch, _Slot]],
        exhausted: bool,
    ) -> bool:
        """Give each running worker up to DEPTH batches, retried ones first. Pulls lazily."""
        for slot in self._slots:
            while not slot.dead and slot.ping is None and slot.load < DEPTH:
                if retry:
                    b = retry.popleft()
                elif exhausted:
                    return True
                else:
                    nxt = next(source, None)
                    if nxt is None:
                        return True
                    b = nxt
                if b.model_id not in self._shipped:
                    raise ClusterError(f"batch for model {b.model_id} ({b.pair}), which was not shipped to the workers")
                ref = slot.handle.decode.remote(b.model_id, b.sentences)
                inflight[ref] = (b, slot)
                slot.load += 1
        return exhausted

    def _answered(self, slot: _Slot) -> None:
        ray = self._ray
        from xlate import __version__

        try:
            info = ray.get(slot.ping)
        except ray.exceptions.RayError as e:
            self._start_failures += 1
            if self._start_failures >= MAX_ATTEMPTS * self.parallel:  # not bad luck: say why, stop
                raise ClusterError(
                    f"Ray workers keep failing to start ({self._start_failures} times; last: {type(e).__name__}: "
                    f"{str(e)[:300]}); check `ray status` and that every node has this xlate ({INSTALL_HINT})"
                ) from None
            log.warning("a Ray worker failed to start (%s); starting another", type(e).__name__)
            self._replace(slot)
            return
        self._start_failures = 0
        slot.ping, slot.info = None, info
        if info["version"] != __version__:
            raise ClusterError(
                f"the Ray worker on node {info['node'][:12]} runs xlate {info['version']}, this driver "
                f"{__version__}; install the same version on every node ({INSTALL_HINT})"
            )
        log.info("Ray worker ready on node %s (%s)", info["node"][:12], info["device"])

    def _result(
        self, ref: Any, b: Batch, slot: _Slot, attempts: dict[int, int], retry: deque[Batch]
    ) -> list[Output] | None:
        """The batch's outputs, or None when its worker died (the batch is queued again)."""
        ray = self._ray
        try:
            outs: list[Output] = ray.get(ref)
            return outs
        except (ray.exceptions.RayActorError, ray.exceptions.ObjectLostError) as e:
            n = attempts[id(b)] = attempts.get(id(b), 0) + 1
            if n >= MAX_ATTEMPTS:
                raise ClusterError(
                    f"a batch of {len(b.sentences)} sentences for {b.pair[0]}->{b.pair[1]} lost its Ray worker "
                    f"{n} times; it may be what kills them (memory?); check `ray status` and the workers' logs"
                ) from None
            log.warning("a Ray worker died (%s); its batch goes to another worker", type(e).__name__)
            retry.append(b)
            if not slot.dead:
                self._replace(slot)
            return None
        except ray.exceptions.RayTaskError as e:
            if isinstance(e.cause, XlateError):  # e.g. a package that arrived damaged: its own message
                raise e.cause from None
            raise

    def _replace(self, slot: _Slot) -> None:
        slot.dead = True
        try:
            self._ray.kill(slot.handle)
        except Exception:
            log.debug("could not kill a dead Ray worker", exc_info=True)
        self._slots.append(self._start(slot.gpus))

    def workers(self) -> list[dict[str, Any]]:
        """What each running worker said when it came up (node, pid, device); no remote call."""
        return [dict(s.info) for s in self._slots if not s.dead and s.ping is None]

    def report(self) -> list[dict[str, Any]]:
        """Each running worker's state now, incl. which packages it unpacked or found cached.
        Waits behind the batches queued on them."""
        live = [s for s in self._slots if not s.dead and s.ping is None]
        infos: list[dict[str, Any]] = self._ray.get([s.handle.ready.remote() for s in live])
        return infos

    def close(self) -> None:
        for s in self._slots:
            if not s.dead:
                try:
                    self._ray.kill(s.handle)
                except Exception:
                    log.debug("could not kill a Ray worker", exc_info=True)
        self._slots = []
        if self._owns_ray:
            self._ray.shutdown()
            self._owns_ray = False

    def __enter__(self) -> RayExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
