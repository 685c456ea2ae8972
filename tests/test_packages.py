"""Package validation and atomic install, on the project's real fixture packages."""

from __future__ import annotations

import json
import os
import shutil
import stat
import time
import zipfile
from pathlib import Path

import pytest

from tests.helpers import MODELS, run_cli, write_config
from xlate.errors import ModelMissing, PackageError
from xlate.translate import packages


def _snapshot(d: Path) -> list[str]:
    return sorted(p.relative_to(d).as_posix() for p in d.rglob("*")) if d.exists() else []


def _zip(path: Path, entries: dict[str, bytes], links: dict[str, str] | None = None) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
        for name, target in (links or {}).items():
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, target)
    return path


def _good_members() -> dict[str, bytes]:
    with zipfile.ZipFile(MODELS / "translate-en_pl.argosmodel") as zf:
        return {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}


@pytest.mark.parametrize(
    ("name", "extra", "links", "needle"),
    [
        ("dotdot", {"../evil": b"x"}, None, "leaves the folder"),
        ("dotdot-deep", {"pkg/../../evil": b"x"}, None, "leaves the folder"),
        ("absolute", {"/tmp/evil": b"x"}, None, "absolute path"),
        ("link", {}, {"pkg/link": "/etc/passwd"}, "symbolic link"),
    ],
)
def test_hostile_packages_are_refused_and_nothing_changes(
    tmp_path: Path, name: str, extra: dict[str, bytes], links: dict[str, str] | None, needle: str
) -> None:
    models = tmp_path / "models"
    packages.install_file(MODELS / "translate-lt_en.argosmodel", models)
    before = _snapshot(models)
    members = {k: v for k, v in _good_members().items()}
    members.update(extra)
    bad = _zip(tmp_path / f"{name}.argosmodel", members, links)
    with pytest.raises(PackageError, match=needle):
        packages.install_file(bad, models)
    assert _snapshot(models) == before
    assert not (tmp_path / "evil").exists()
    assert not Path("/tmp/evil").exists()


@pytest.mark.parametrize(
    ("mangle", "needle"),
    [
        (lambda m: {k: v for k, v in m.items() if not k.endswith("metadata.json")}, "no metadata.json"),
        (
            lambda m: {k: (b"{not json" if k.endswith("metadata.json") else v) for k, v in m.items()},
            "not valid JSON",
        ),
        (
            lambda m: {k: (b"garbage" if k.endswith("sentencepiece.model") else v) for k, v in m.items()},
            "tokenizer does not load",
        ),
        (
            lambda m: {k: (b"garbage" if k.endswith("model/model.bin") else v) for k, v in m.items()},
            "CTranslate2 model does not load",
        ),
        (lambda m: {k: v for k, v in m.items() if not k.endswith("model/model.bin")}, "model/model.bin"),
    ],
)
def test_broken_packages_are_refused(tmp_path: Path, mangle, needle: str) -> None:  # type: ignore[no-untyped-def]
    models = tmp_path / "models"
    bad = _zip(tmp_path / "bad.argosmodel", mangle(_good_members()))
    with pytest.raises(PackageError, match=needle):
        packages.install_file(bad, models)
    assert [p for p in _snapshot(models) if not p.startswith(".")] == []
    assert not any(p.name.startswith(".xlate-install-") for p in models.iterdir())


def test_not_a_zip_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "x.argosmodel"
    f.write_bytes(b"hello")
    with pytest.raises(PackageError, match="zip archive"):
        packages.install_file(f, tmp_path / "models")


def test_reinstall_replaces_atomically_and_changes_identity_only_for_that_model(tmp_path: Path) -> None:
    models = tmp_path / "models"
    for name in ("translate-lt_en.argosmodel", "translate-en_pl.argosmodel"):
        packages.install_file(MODELS / name, models)
    ids = {k: p.model_id() for k, p in packages.installed(models).items()}
    # A "new version": same files, bumped metadata version.
    members = _good_members()
    for k in members:
        if k.endswith("metadata.json"):
            meta = json.loads(members[k])
            meta["package_version"] = "9.9"
            members[k] = json.dumps(meta).encode()
    packages.install_file(_zip(tmp_path / "v2.argosmodel", members), models)
    after = {k: p.model_id() for k, p in packages.installed(models).items()}
    assert after[("lt", "en")] == ids[("lt", "en")]
    assert after[("en", "pl")] != ids[("en", "pl")]
    assert "@9.9#" in after[("en", "pl")]
    assert not [p for p in models.iterdir() if p.name.startswith(".xlate-")]


def test_an_install_killed_midway_is_cleaned_up_by_the_next(tmp_path: Path) -> None:
    """SIGKILL cannot run `finally`: the next install removes the unpacked archive and puts
    back a version that was moved aside but never replaced; recent ones may be in progress."""
    models = tmp_path / "models"
    packages.install_file(MODELS / "translate-lt_en.argosmodel", models)
    lt_en = models / "translate-lt_en"
    aside = models / ".xlate-old-translate-lt_en-4242"
    lt_en.rename(aside)  # killed between the two renames of a reinstall
    unpacked = models / ".xlate-install-abc"
    (unpacked / "translate-en_pl").mkdir(parents=True)
    fresh = models / ".xlate-install-now"  # another install, still running
    fresh.mkdir()
    old = time.time() - 2 * packages.LEFTOVER_AGE
    for d in (aside, unpacked):
        os.utime(d, (old, old))
    assert ("lt", "en") not in packages.installed(models)
    packages.install_file(MODELS / "translate-en_pl.argosmodel", models)
    assert set(packages.installed(models)) == {("lt", "en"), ("en", "pl")}
    assert sorted(p.name for p in models.iterdir() if p.name.startswith(".")) == [".xlate-install-now"]


def test_routes_direct_beats_pivot_and_missing_is_reported() -> None:
    have = {("lt", "en"), ("en", "pl"), ("en", "ru"), ("lt", "pl")}
    routes, missing = packages.plan_routes(have, "lt", ("en", "pl", "ru"), "en")
    assert routes == {"en": (("lt", "en"),), "pl": (("lt", "pl"),), "ru": (("lt", "en"), ("en", "ru"))}
    assert missing == []
    routes, missing = packages.plan_routes({("en", "pl")}, "lt", ("en", "pl", "ru"), "en")
    assert routes == {}
    assert missing == [("lt", "en"), ("en", "ru")]


def test_models_cli_install_list_remove(tmp_path: Path) -> None:
    write_config(tmp_path, tmp_path / "models")
    proc = run_cli(
        tmp_path,
        "models",
        "install",
        *(
            str(MODELS / n)
            for n in (
                "translate-lt_en.argosmodel",
                "translate-en_pl.argosmodel",
                "translate-en_ru.argosmodel",
            )
        ),
    )
    assert proc.returncode == 0, proc.stderr
    proc = run_cli(tmp_path, "models", "list", "--json")
    data = json.loads(proc.stdout)
    assert data["routes"] == {"en": "lt->en", "pl": "lt->en->pl", "ru": "lt->en->ru"}
    assert {p["pair"] for p in data["packages"]} == {"lt->en", "en->pl", "en->ru"}
    assert all(p["size"] > 0 and p["version"] for p in data["packages"])
    proc = run_cli(tmp_path, "models", "remove", "en->ru")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(run_cli(tmp_path, "models", "list", "--json").stdout)
    assert data["missing"] == ["en->ru"]
    proc = run_cli(tmp_path, "models", "remove", "en->ru")
    assert proc.returncode == 3
    assert "no installed package" in proc.stderr


def test_missing_models_exit_3_and_input_untouched(tmp_path: Path) -> None:
    write_config(tmp_path, tmp_path / "no-models")
    (tmp_path / "input").mkdir()
    shutil.copy(Path(__file__).parent.parent / "input" / "skaitymo-klubas.txt", tmp_path / "input")
    (tmp_path / "input" / "bad.pdf").write_bytes(b"%PDF-1.4")
    before = _snapshot(tmp_path / "input")
    proc = run_cli(tmp_path, "run")
    assert proc.returncode == 3, proc.stderr
    assert "xlate models install" in proc.stderr and ".argosmodel" in proc.stderr
    assert _snapshot(tmp_path / "input") == before


def test_remove_unknown_pair_raises() -> None:
    with pytest.raises(ModelMissing):
        packages.remove(Path("/nonexistent"), "xx->yy")
