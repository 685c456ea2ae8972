"""Argos packages on disk: discover, validate, install (atomically), remove.

Discovery reads only ``metadata.json`` so that listing models and planning
routes never imports ctranslate2 or argostranslate. Loading a package for
decoding goes through ``argostranslate.package.Package`` (metadata, tokenizer,
``target_prefix``); ``argostranslate.translate`` is never imported because it
pulls in sentence-boundary models that it may download at run time.

Folders named ``stanza/``, ``minisbd/`` or ``spacy/`` inside a package are kept
on disk but ignored: xlate splits sentences itself (see segment.py).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import stat
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from xlate.errors import ModelMissing, NotWritable, PackageError
from xlate.translate.argos import argos_env, load_tokenizer

ID_FILE = ".xlate-id.json"
log = logging.getLogger(__name__)

MAX_UNPACKED_BYTES = 4 * 1024**3  # refuse zip bombs; real packages are ~100-300 MB


@dataclass(frozen=True)
class InstalledPackage:
    path: Path
    from_code: str
    to_code: str
    version: str
    tokenizer: str  # "sentencepiece" or "bpe"
    target_prefix: str

    @property
    def pair(self) -> str:
        return f"{self.from_code}->{self.to_code}"

    @property
    def size(self) -> int:
        return sum(p.stat().st_size for p in self.path.rglob("*") if p.is_file())

    def model_id(self) -> str:
        """Identity of the model for the translation memory: pair, version and content hash."""
        return f"{self.from_code}_{self.to_code}@{self.version}#{model_hash(self.path)[:16]}"


def _hash_files(root: Path) -> str:
    h = hashlib.sha256()
    files = sorted(p for p in root.rglob("*") if p.is_file() and p.name != ID_FILE)
    for p in files:
        rel = p.relative_to(root).as_posix()
        if rel.split("/", 1)[0] in {"stanza", "minisbd", "spacy"}:
            continue  # sentence-split data does not affect translations here
        h.update(rel.encode() + b"\0")
        with p.open("rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    return h.hexdigest()


def model_hash(pkg_dir: Path) -> str:
    """Content hash of a package, cached in a small file written at install time."""
    id_file = pkg_dir / ID_FILE
    try:
        data = json.loads(id_file.read_text())
        return str(data["sha256"])
    except (OSError, ValueError, KeyError):
        pass
    digest = _hash_files(pkg_dir)
    with contextlib.suppress(OSError):  # read-only models folder: hash again next time
        id_file.write_text(json.dumps({"sha256": digest}))
    return digest


def read_metadata(pkg_dir: Path) -> dict[str, Any]:
    meta_path = pkg_dir / "metadata.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise PackageError(f"{pkg_dir.name}: no metadata.json; this is not an Argos package") from None
    except (OSError, ValueError) as e:
        raise PackageError(f"{pkg_dir.name}: metadata.json is not valid JSON ({e})") from None
    if not isinstance(meta, dict):
        raise PackageError(f"{pkg_dir.name}: metadata.json must hold a JSON object")
    for key in ("from_code", "to_code"):
        if not isinstance(meta.get(key), str) or not meta[key]:
            raise PackageError(f"{pkg_dir.name}: metadata.json lacks {key!r}")
    if meta.get("type", "translate") != "translate":
        raise PackageError(f"{pkg_dir.name}: package type {meta.get('type')!r} is not a translation package")
    return meta


def describe(pkg_dir: Path) -> InstalledPackage:
    meta = read_metadata(pkg_dir)
    if (pkg_dir / "sentencepiece.model").is_file():
        tok = "sentencepiece"
    elif (pkg_dir / "bpe.model").is_file():
        tok = "bpe"
    else:
        raise PackageError(f"{pkg_dir.name}: neither sentencepiece.model nor bpe.model is present")
    if not (pkg_dir / "model" / "model.bin").is_file():
        raise PackageError(f"{pkg_dir.name}: model/model.bin (the CTranslate2 model) is missing")
    return InstalledPackage(
        path=pkg_dir,
        from_code=meta["from_code"],
        to_code=meta["to_code"],
        version=str(meta.get("package_version", "0")),
        tokenizer=tok,
        target_prefix=str(meta.get("target_prefix", "") or ""),
    )


def installed(models_dir: Path) -> dict[tuple[str, str], InstalledPackage]:
    """Installed translation packages by (from, to). Broken folders are skipped, not fatal."""
    out: dict[tuple[str, str], InstalledPackage] = {}
    if not models_dir.is_dir():
        return out
    for d in sorted(models_dir.iterdir()):
        if not d.is_dir() or d.name.startswith("."):
            continue
        try:
            pkg = describe(d)
        except PackageError:
            continue
        key = (pkg.from_code, pkg.to_code)
        if key not in out or _newer(pkg.version, out[key].version):
            out[key] = pkg
    return out


def _newer(a: str, b: str) -> bool:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(a) > Version(b)
    except InvalidVersion:
        return a > b


# -- routing ---------------------------------------------------------------------------


def plan_routes(
    available: set[tuple[str, str]], source: str, targets: tuple[str, ...], pivot: str
) -> tuple[dict[str, tuple[tuple[str, str], ...]], list[tuple[str, str]]]:
    """Pure: for each target, a direct pair if installed, else source->pivot->target.

    Returns the routes found and the pairs that are missing (the preferred route's).
    """
    routes: dict[str, tuple[tuple[str, str], ...]] = {}
    missing: list[tuple[str, str]] = []
    for t in targets:
        direct = (source, t)
        if direct in available:
            routes[t] = (direct,)
            continue
        if t == pivot:
            missing.append(direct)
            continue
        hops = ((source, pivot), (pivot, t))
        lacking = [h for h in hops if h not in available]
        if lacking:
            missing.extend(h for h in lacking if h not in missing)
        else:
            routes[t] = hops
    return routes, missing


def route_label(hops: tuple[tuple[str, str], ...]) -> str:
    return "->".join([hops[0][0], *(h[1] for h in hops)])


def missing_message(missing: list[tuple[str, str]], models_dir: Path) -> str:
    pairs = ", ".join(f"{a}->{b}" for a, b in missing)
    return (
        f"translation model missing for {pairs} in {models_dir}. Install it online with "
        "`xlate models install` (downloads from the Argos package index), or offline with "
        "`xlate models install FILE.argosmodel ...` (for example translate-lt_en.argosmodel)"
    )


def require_routes(
    models_dir: Path, source: str, targets: tuple[str, ...], pivot: str
) -> tuple[dict[str, tuple[tuple[str, str], ...]], dict[tuple[str, str], InstalledPackage]]:
    pkgs = installed(models_dir)
    routes, missing = plan_routes(set(pkgs), source, targets, pivot)
    if missing:
        raise ModelMissing(missing_message(missing, models_dir))
    return routes, pkgs


# -- validation and install ------------------------------------------------------------


def _check_members(zf: zipfile.ZipFile, origin: str) -> str:
    """Refuse absolute paths, '..', links and zip bombs. Returns the single top-level folder."""
    tops: set[str] = set()
    total = 0
    for info in zf.infolist():
        name = info.filename
        p = PurePosixPath(name)
        if name.startswith(("/", "\\")) or p.is_absolute() or (len(name) > 1 and name[1] == ":"):
            raise PackageError(f"{origin}: refused, it contains an absolute path {name!r}")
        if ".." in p.parts or "\\" in name:
            raise PackageError(f"{origin}: refused, it contains a path that leaves the folder {name!r}")
        mode = info.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise PackageError(f"{origin}: refused, it contains a symbolic link {name!r}")
        total += info.file_size
        if total > MAX_UNPACKED_BYTES:
            raise PackageError(f"{origin}: refused, it unpacks to more than {MAX_UNPACKED_BYTES} bytes")
        tops.add(p.parts[0])
    if len(tops) != 1:
        raise PackageError(
            f"{origin}: expected one top-level folder in the archive, found {len(tops)}; "
            "repack it as Argos does (a folder with metadata.json, model/ and the tokenizer)"
        )
    return tops.pop()


def validate_dir(pkg_dir: Path, origin: str) -> InstalledPackage:
    """Load the tokenizer and the CTranslate2 model once: a package that cannot do both is refused."""
    try:
        pkg = describe(pkg_dir)
    except PackageError as e:
        raise PackageError(f"{origin}: {e}") from None
    try:
        tok = load_tokenizer(pkg.path, pkg.tokenizer)
        tok.encode("Labas")
    except Exception as e:
        raise PackageError(f"{origin}: the tokenizer does not load ({type(e).__name__}: {e})") from None
    try:
        import ctranslate2

        ctranslate2.Translator(str(pkg_dir / "model"), device="cpu")
    except Exception as e:
        raise PackageError(f"{origin}: the CTranslate2 model does not load ({type(e).__name__}: {e})") from None
    return pkg


def install_file(archive: Path, models_dir: Path) -> InstalledPackage:
    """Install one .argosmodel: extract to a temp folder, validate, then rename into place."""
    origin = str(archive)
    if not zipfile.is_zipfile(archive):
        raise PackageError(f"{origin}: not an Argos package (an .argosmodel is a zip archive)")
    try:
        models_dir.mkdir(parents=True, exist_ok=True)
        _sweep_leftovers(models_dir)
        tmp = Path(tempfile.mkdtemp(prefix=".xlate-install-", dir=models_dir))
    except OSError as e:
        raise NotWritable(f"{models_dir}: cannot write the models folder ({e.strerror})") from None
    try:
        with zipfile.ZipFile(archive) as zf:
            top = _check_members(zf, origin)
            zf.extractall(tmp)
        staged = tmp / top
        pkg = validate_dir(staged, origin)
        model_hash(staged)  # cache the identity now, while we can write
        final = models_dir / f"translate-{pkg.from_code}_{pkg.to_code}"
        _replace_dir(staged, final)
        return describe(final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


LEFTOVER_AGE = 3600.0  # installs are not locked: a younger folder may belong to one in progress


def _sweep_leftovers(models_dir: Path, now: float | None = None) -> None:
    """Folders an install killed midway left: its unpacked archive (`.xlate-install-*`) and
    the version it was replacing (`.xlate-old-<name>-<pid>`), put back when nothing replaced it."""
    now = time.time() if now is None else now
    for d in models_dir.iterdir():
        if not d.name.startswith((".xlate-install-", ".xlate-old-")):
            continue
        try:
            if now - d.lstat().st_mtime < LEFTOVER_AGE:
                continue
            if d.name.startswith(".xlate-old-"):
                final = models_dir / d.name.removeprefix(".xlate-old-").rpartition("-")[0]
                if final.name and not final.exists():
                    os.rename(d, final)
                    log.warning("%s: restored from an install that was killed midway", final)
                    continue
        except OSError:
            continue
        shutil.rmtree(d, ignore_errors=True)


def _replace_dir(new: Path, final: Path) -> None:
    old = None
    if final.exists():
        old = final.with_name(f".xlate-old-{final.name}-{os.getpid()}")
        os.rename(final, old)
    try:
        os.rename(new, final)
    except OSError:
        if old is not None:
            os.rename(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    _fsync_dir(final.parent)


def _fsync_dir(d: Path) -> None:
    fd = os.open(d, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def remove(models_dir: Path, pair: str) -> Path:
    a, _, b = pair.replace("_", "->").partition("->")
    pkgs = installed(models_dir)
    pkg = pkgs.get((a, b))
    if pkg is None:
        have = ", ".join(p.pair for p in pkgs.values()) or "none"
        raise ModelMissing(f"no installed package for {a}->{b} (installed: {have}); see `xlate models list`")
    shutil.rmtree(pkg.path)
    return pkg.path


# -- online install through the Argos package index ------------------------------------

ProgressFn = Callable[[str, int, int | None], None]


def install_from_index(
    models_dir: Path, pairs: list[tuple[str, str]], progress: ProgressFn | None = None
) -> list[InstalledPackage]:
    """Download the packages for `pairs` listed in the Argos index, then install each file.

    Uses argostranslate's index API (``update_package_index``/``get_available_packages``)
    for discovery and downloads the archive ourselves so that we can show progress
    and verify it before it touches the models folder.
    """
    argos_env(models_dir)
    from argostranslate import package as argos_package
    from argostranslate import settings as argos_settings

    index_file = Path(argos_settings.local_package_index)
    index_file.unlink(missing_ok=True)  # never install from a stale index
    # It logs and returns on failure (it does not raise); our own message below says it better.
    argos_log = logging.getLogger("argostranslate.utils")
    level = argos_log.level
    argos_log.setLevel(logging.CRITICAL)
    try:
        argos_package.update_package_index()
    finally:
        argos_log.setLevel(level)
    if not index_file.exists():
        raise PackageError(
            f"cannot download the Argos package index from {argos_settings.remote_package_index}; "
            "check the network, or copy the .argosmodel files here and install them offline with "
            "`xlate models install FILE.argosmodel ...`"
        )
    try:
        available = argos_package.get_available_packages()
    except (OSError, ValueError) as e:
        raise PackageError(f"the Argos package index is unreadable ({e}); try again later") from None
    done = []
    for a, b in pairs:
        cand = [p for p in available if p.from_code == a and p.to_code == b and p.type == "translate"]
        if not cand:
            raise ModelMissing(f"the Argos package index has no {a}->{b} package; install a file instead")
        best = max(cand, key=lambda p: _version_key(p.package_version))
        with tempfile.TemporaryDirectory(prefix=".xlate-dl-", dir=_mk(models_dir)) as td:
            dest = Path(td) / f"translate-{a}_{b}.argosmodel"
            _download(list(best.links), dest, f"{a}->{b}", progress)
            done.append(install_file(dest, models_dir))
    return done


def _mk(d: Path) -> Path:
    d.mkdir(parents=True, exist_ok=True)
    return d


def _version_key(v: str) -> Any:
    from packaging.version import InvalidVersion, Version

    try:
        return Version(v)
    except InvalidVersion:
        return Version("0")


def _download(links: list[str], dest: Path, label: str, progress: ProgressFn | None) -> None:
    import urllib.request

    errors = []
    for url in links:
        try:
            with urllib.request.urlopen(url, timeout=60) as resp, dest.open("wb") as f:
                total = int(resp.headers.get("Content-Length") or 0) or None
                got = 0
                while chunk := resp.read(1 << 16):
                    f.write(chunk)
                    got += len(chunk)
                    if progress:
                        progress(label, got, total)
            return
        except OSError as e:
            errors.append(f"{url}: {e}")
    raise PackageError(f"download of {label} failed ({'; '.join(errors) or 'no links'})")
