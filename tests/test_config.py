from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

from tests.helpers import REPO, run_cli
from xlate import config
from xlate.errors import ConfigError


def _base() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
    return data


def test_repo_config_loads_and_paths_resolve_against_its_folder(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    target = tmp_path / "sub" / "config.yaml"
    target.write_text((REPO / "config.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "sub" / "glossary.yaml").write_bytes((REPO / "glossary.yaml").read_bytes())
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
    assert cfg.translate.chunk_tokens == 2048
    assert cfg.run.max_seconds == 240
    assert cfg.editorial.drafts == "docx"
    assert cfg.feeds.index_items == 20
    assert cfg.ingest.date_window_days == 3650
    data["run"] = {"max_seconds": None}
    assert config.parse(data, tmp_path).run.max_seconds is None


def _add_target(code: str, **texts: str) -> Callable[[dict[str, Any]], None]:
    def add(d: dict[str, Any]) -> None:
        d["targets"] = [*d["targets"], code]
        d["languages"][code] = {"title": "T", "description": "D", **texts}

    return add


def test_targets_with_notice_texts_load() -> None:
    data = _base()
    _add_target("de")(data)
    _add_target("uk")(data)
    assert config.parse(data, REPO).targets == ("en", "pl", "ru", "de", "uk")
    # A target the table has no texts for: the config's own notice, with drafts off.
    data = _base()
    _add_target("lv", mt_notice="Mašīntulkots no lietuviešu valodas.")(data)
    data["editorial"]["drafts"] = "off"
    assert "lv" in config.parse(data, REPO).targets


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
        (lambda d: d["site"]["author"].update(email="info at library"), "site.author.email: 'info at library' is not"),
        (lambda d: d["site"]["author"].update(uri="library.example.lt"), "site.author.uri"),
        (lambda d: d["translate"].update(inter_threads=1000), "translate.inter_threads: 1000 is out of range"),
        (lambda d: d["translate"].update(length_ratio=0), "length_ratio: 0 is out of range; use a value above 0"),
        (lambda d: d["ingest"].update(settle_seconds=-1), "ingest.settle_seconds: -1 is out of range; use a value at"),
        (_add_target("lv"), "languages.lv.mt_notice: xlate has no machine-translation notice in Latvian"),
        (_add_target("xx"), "languages.xx.mt_notice"),
        (_add_target("lv", mt_notice="Mašīntulkots no lietuviešu valodas."), "editorial.drafts: xlate's language"),
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


# -- the glossary is checked when the config loads -----------------------------------------

TARGETS = ("en", "pl", "ru")
GOOD_TERM = {"forms": ["Vilnius", "Vilniaus"], "en": "Vilnius", "pl": "Wilno", "ru": "Вильнюс"}


@pytest.mark.parametrize(
    ("terms", "needle"),
    [
        ([{**GOOD_TERM, "en": None}], "term 1 (Vilnius), en: is empty"),  # once published as "None"
        ([{**GOOD_TERM, "pl": ""}], "term 1 (Vilnius): pl: is empty"),
        ([{**GOOD_TERM, "eng": "Vilnius"}], "'eng' is not a target language (targets: en, pl, ru)"),
        ([{k: v for k, v in GOOD_TERM.items() if k != "ru"}], "lacks a rendering for ru"),
        ([GOOD_TERM, {**GOOD_TERM, "forms": [""]}], "term 2, forms: is empty"),  # once an IndexError mid-run
        ([{**GOOD_TERM, "forms": []}], "term 1, forms: is empty"),
        ([{**GOOD_TERM, "forms": None}], "term 1, forms: must be a list"),
        ([{**GOOD_TERM, "forms": "Vilnius"}], "term 1, forms: must be a list"),
        ([{**GOOD_TERM, "forms": [7]}], "forms.0: 7 must be text; put it in quotes"),
        ([{**GOOD_TERM, "en": 7}], "en: 7 must be text; put it in quotes"),
        ([{k: v for k, v in GOOD_TERM.items() if k != "forms"}], "term 1, forms: is missing"),
        ([GOOD_TERM, "Kaunas"], "term 2: must be a mapping"),
        ([GOOD_TERM, GOOD_TERM], "the form 'Vilnius' is listed in terms 1 and 2"),
        ([{**GOOD_TERM, "ru": "Вильнюс "}], "ru: 'Вильнюс ' has spaces at the start or end"),
        ([{**GOOD_TERM, "en": "⟦0⟧"}], "contains ⟦ or ⟧"),
    ],
)
def test_bad_glossary_entries_name_the_term_and_the_fix(terms: list[object], needle: str) -> None:
    with pytest.raises(ConfigError) as e:
        config.parse_glossary({"terms": terms}, TARGETS, "g.yaml")
    assert needle in str(e.value)


@pytest.mark.parametrize("data", [None, [], "terms", {"term": [GOOD_TERM]}, {"terms": None}])
def test_glossary_without_a_terms_list_is_refused(data: object) -> None:
    with pytest.raises(ConfigError, match=r"g\.yaml: .*(terms|unknown key)"):
        config.parse_glossary(data, TARGETS, "g.yaml")


def test_glossary_load_builds_from_the_validated_model() -> None:
    from xlate.translate.protect import Glossary

    g = Glossary.load(REPO / "glossary.yaml", TARGETS)
    model = config.load_glossary(REPO / "glossary.yaml", TARGETS)
    assert [t.forms for t in g.terms] == [t.forms for t in model.terms]
    assert all(dict(t.renderings).keys() == set(TARGETS) for t in g.terms)
    assert dict(g.terms[0].renderings)["pl"] == "Mariampol"
    # Glossary.load refuses what the config load refuses.
    bad = REPO / "tests" / "fixtures"  # a folder: unreadable as a file
    with pytest.raises(ConfigError, match=r"paths\.glossary"):
        Glossary.load(bad, TARGETS)


def _config_with_glossary(tmp_path: Path, glossary_text: str | None) -> Path:
    project = _project_with_input(tmp_path)
    data = yaml.safe_load((project / "config.yaml").read_text(encoding="utf-8"))
    data["paths"]["glossary"] = "names.yaml"
    (project / "config.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    if glossary_text is not None:
        (project / "names.yaml").write_text(glossary_text, encoding="utf-8")
    return project


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        (None, "names.yaml does not exist; create it or remove the key"),
        ("terms: [\n", "not valid YAML"),
        ("terms:\n  - forms: [Vilnius]\n    en: Vilnius\n    pl:\n    ru: Вильнюс\n", "term 1 (Vilnius), pl: is empty"),
        ("terms:\n  - forms: [Vilnius]\n    en: Vilnius\n    pol: Wilno\n    ru: Вильнюс\n", "'pol' is not a target"),
    ],
)
def test_cli_refuses_a_bad_glossary_before_ingest(tmp_path: Path, text: str | None, needle: str) -> None:
    project = _config_with_glossary(tmp_path, text)
    proc = run_cli(project, "run")
    _assert_refused_before_ingest(project, proc, needle)
    assert "paths.glossary" in proc.stderr
    assert run_cli(project, "status").returncode == 2  # every command loads the config the same way


def _schema_keys(model: type[BaseModel], prefix: str = "") -> list[str]:
    keys = []
    for name, field in model.model_fields.items():
        sub = field.annotation
        keys.append(prefix + name)
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            keys.extend(_schema_keys(sub, f"{prefix}{name}."))
    return keys


def test_example_config_shows_every_key() -> None:
    """config.yaml is the documentation of the settings: every key of the schema appears in it."""
    data = _base()
    missing = []
    for key in _schema_keys(config.Config):
        node: Any = data
        for part in key.split("."):
            if not isinstance(node, dict) or part not in node:
                missing.append(key)
                break
            node = node[part]
    assert missing == []
