from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, run_cli
from xlate import config
from xlate.errors import ConfigError


def _base() -> dict:  # type: ignore[type-arg]
    return yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))


def test_repo_config_loads_and_paths_resolve_against_its_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    target = tmp_path / "sub" / "config.yaml"
    target.write_text((REPO / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    cfg = config.load(target)
    assert cfg.source_lang == "lt"
    assert cfg.targets == ("en", "pl", "ru")
    assert cfg.pivot == "en"
    assert cfg.paths.input == tmp_path / "sub" / "input"
    assert cfg.paths.state == tmp_path / "sub" / "state" / "xlate.sqlite3"
    assert cfg.site.base_url.endswith("/")
    assert set(cfg.languages) == {"lt", "en", "pl", "ru"}
    assert cfg.paths.drafts == tmp_path / "sub" / "drafts"


def test_defaults_of_the_fields_other_stages_read(tmp_path: Path) -> None:
    data = _base()
    for section in ("translate", "editorial", "feeds", "ingest"):
        data.pop(section)
    data.pop("run", None)
    data["site"].pop("timezone", None)
    cfg = config.parse(data, tmp_path)
    assert cfg.site.timezone == "Europe/Vilnius"
    assert (cfg.translate.executor, cfg.translate.ray.address, cfg.translate.ray.actors) == ("local", None, 2)
    assert cfg.translate.chunk_tokens == 4096
    assert cfg.run.max_seconds == 240
    assert cfg.editorial.drafts == "docx"
    assert cfg.feeds.index_items == 20
    assert cfg.ingest.date_window_days == 3650
    data["run"] = {"max_seconds": None}
    assert config.parse(data, tmp_path).run.max_seconds is None


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d.update(colour="blue"), "colour: unknown key"),
        (lambda d: d["feeds"].update(max_items=0), "feeds.max_items"),
        (lambda d: d.update(targets=["en", "en"]), "targets"),
        (lambda d: d.update(targets=["english"]), "targets"),
        (lambda d: d["site"].update(base_url="/news"), "site.base_url"),
        (lambda d: d["languages"].pop("pl"), "languages: add a title and description for pl"),
        (lambda d: d.pop("site"), "site: required key is missing"),
        (lambda d: d["translate"].update(device="tpu"), "translate.device: 'tpu' is not allowed; use one of"),
        (lambda d: d["translate"].update(compute_type="int9"), "translate.compute_type: 'int9' is not allowed"),
        (lambda d: d["translate"].update(executor="dask"), "translate.executor"),
        (lambda d: d["translate"].update(ray={"actors": 0}), "translate.ray.actors: 0 is out of range"),
        (lambda d: d["translate"].update(ray={"adress": "auto"}), "translate.ray.adress: unknown key"),
        (lambda d: d["translate"].update(chunk_tokens=10), "translate.chunk_tokens: 10 is out of range"),
        (lambda d: d["translate"].update(chunk_tokens=300, max_input_tokens=400), "at least max_input_tokens"),
        (lambda d: d["site"].update(timezone="Europe/Vilnus"), "site.timezone: 'Europe/Vilnus' is not a known"),
        (lambda d: d["site"].update(timezone="../../etc/passwd"), "site.timezone"),
        (lambda d: d.update(run={"max_seconds": 0}), "run.max_seconds: 0 is out of range"),
        (lambda d: d["editorial"].update(drafts="pdf"), "editorial.drafts"),
        (lambda d: d["feeds"].update(index_items=0), "feeds.index_items"),
        (lambda d: d["ingest"].update(date_window_days=0), "ingest.date_window_days"),
    ],
)
def test_bad_values_name_the_key(mutate, needle: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    data = _base()
    mutate(data)
    with pytest.raises(ConfigError) as e:
        config.parse(data, tmp_path)
    assert needle in str(e.value)


def test_cli_exit_code_2_on_bad_config(tmp_path: Path) -> None:
    data = _base()
    data["feeds"]["max_itemz"] = 3
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(data), encoding="utf-8")
    proc = run_cli(tmp_path, "run")
    assert proc.returncode == 2
    assert "feeds.max_itemz: unknown key" in proc.stderr


def test_cli_exit_code_2_on_missing_and_malformed_config(tmp_path: Path) -> None:
    proc = run_cli(tmp_path, "run")
    assert proc.returncode == 2
    assert "config file not found" in proc.stderr
    (tmp_path / "config.yaml").write_text("source_lang: [lt\n", encoding="utf-8")
    proc = run_cli(tmp_path, "run")
    assert proc.returncode == 2
    assert "not valid YAML" in proc.stderr


def _ctranslate2_probe() -> tuple[int, set[str]]:
    import ctranslate2

    try:
        cuda = ctranslate2.get_cuda_device_count()
    except RuntimeError:
        cuda = 0
    return cuda, set(ctranslate2.get_supported_compute_types("cpu"))


def _project_with_input(tmp_path: Path, **translate: object) -> Path:
    data = _base()
    data["paths"].pop("glossary")
    data["translate"].update(translate)
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (tmp_path / "input").mkdir()
    for f in sorted((REPO / "input").iterdir()):
        if f.is_file():
            (tmp_path / "input" / f.name).write_bytes(f.read_bytes())
    return tmp_path


def _assert_refused_before_ingest(project: Path, proc: subprocess.CompletedProcess[str], needle: str) -> None:
    assert proc.returncode == 2, proc.stderr
    err = proc.stderr
    assert needle in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    # Nothing was read, moved or recorded: the run stopped at the config.
    assert sorted(p.name for p in (project / "input").iterdir()) == sorted(
        p.name for p in (REPO / "input").iterdir() if p.is_file()
    )
    assert not (project / "state").exists() and not (project / "quarantine").exists()


def test_cuda_without_a_cuda_device_fails_before_ingest(tmp_path: Path) -> None:
    cuda, _ = _ctranslate2_probe()
    if cuda:
        pytest.skip("this machine has a CUDA device, so device: cuda is valid here")
    project = _project_with_input(tmp_path, device="cuda")
    proc = run_cli(project, "run")
    _assert_refused_before_ingest(project, proc, "translate.device: cuda, but CTranslate2 sees no CUDA device")


def test_compute_type_the_cpu_cannot_run_fails_before_ingest(tmp_path: Path) -> None:
    _, cpu_types = _ctranslate2_probe()
    unsupported = [t for t in ("float16", "bfloat16", "int16", "int8_float16") if t not in cpu_types]
    if not unsupported:
        pytest.skip("this CPU runs every half-precision compute type CTranslate2 offers")
    project = _project_with_input(tmp_path, compute_type=unsupported[0])
    proc = run_cli(project, "run")
    _assert_refused_before_ingest(project, proc, f"translate.compute_type: {unsupported[0]} is not supported")


def test_portable_settings_do_not_import_ctranslate2(tmp_path: Path) -> None:
    """Ordinary configs are checked without loading CTranslate2 (status and no-op runs stay light)."""
    data = _base()
    data["paths"].pop("glossary")
    data["translate"]["device"] = "auto"
    (tmp_path / "config.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    code = (
        "import sys; from pathlib import Path; from xlate import config\n"
        f"config.load(Path({str(tmp_path / 'config.yaml')!r}))\n"
        "assert 'ctranslate2' not in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
