from __future__ import annotations

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
        (lambda d: d["translate"].update(device="tpu"), "translate.device"),
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
