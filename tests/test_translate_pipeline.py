"""Issue 3 through the real CLI: routing, pivot reuse, memory, model versions, quality flags."""

from __future__ import annotations

import csv
import json
import zipfile
from collections.abc import Callable
from pathlib import Path

import feedparser

from tests.helpers import FIXTURES, MODELS, run_cli, run_json
from xlate.segment import segment
from xlate.translate import packages


def _book() -> dict[str, dict[str, str]]:
    with (FIXTURES / "phrasebook.tsv").open(encoding="utf-8", newline="") as f:
        return {r["lt"]: r for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}


def _sample_units(project: Path) -> set[str]:
    from xlate.config import Ingest
    from xlate.ingest import parse_article

    units: set[str] = set()
    for f in sorted((project / "input").iterdir()):
        a = parse_article(f.name, f.read_bytes(), Ingest())
        units.update(u for block in segment(a.title, a.blocks) for u in block)
    return units


def test_pivot_is_decoded_once_and_reused_by_both_targets(make_project: Callable[..., Path]) -> None:
    project = make_project()
    n = len(_sample_units(project))
    report = run_json(project)
    # Each unique sentence once per model: English once, although pl and ru both use it.
    assert report["decoded_sentences"] == {"lt->en": n, "en->pl": n, "en->ru": n}
    assert report["memory_hits"] == 0


def test_editing_one_paragraph_decodes_exactly_its_sentences(make_project: Callable[..., Path]) -> None:
    project = make_project()
    run_json(project)
    f = project / "input" / "skaitymo-klubas.txt"
    old = "Pirmajame susitikime dalyvavo dvylika skaitytojų. Jie pasirinko romaną apie gyvenimą mažame pajūrio kaime."
    text = f.read_text(encoding="utf-8")
    assert old in text
    # Two sentences the models know from the phrasebook, in place of the paragraph's first two.
    book = _book()
    new = ["Paroda parengta kartu su krašto muziejumi.", "Paroda veiks visą mėnesį."]
    assert all(s in book for s in new)
    f.write_text(text.replace(old, " ".join(new)), encoding="utf-8")
    report = run_json(project)
    assert report["updated"] == 1
    assert report["decoded_sentences"] == {"lt->en": 2, "en->pl": 2, "en->ru": 2}
    en = feedparser.parse((project / "feeds/en/atom.xml").read_bytes())
    [entry] = [e for e in en.entries if e.link.endswith("/skaitymo-klubas.html")]
    assert book[new[0]]["en"] in entry.content[0].value


def test_direct_bpe_package_beats_the_pivot(make_project: Callable[..., Path], tmp_path: Path) -> None:
    models = tmp_path / "models-direct"
    for name in ("translate-lt_en.argosmodel", "translate-en_pl.argosmodel", "translate-en_ru.argosmodel"):
        packages.install_file(MODELS / name, models)
    packages.install_file(MODELS / "extra" / "translate-lt_pl.argosmodel", models)
    project = make_project(paths__models=str(models))
    listed = json.loads(run_cli(project, "models", "list", "--json").stdout)
    assert listed["routes"] == {"en": "lt->en", "pl": "lt->pl", "ru": "lt->en->ru"}
    assert next(p for p in listed["packages"] if p["pair"] == "lt->pl")["tokenizer"] == "bpe"
    report = run_json(project)
    assert report["routes"] == {"en": "lt->en", "pl": "lt->pl", "ru": "lt->en->ru"}
    assert "en->pl" not in report["decoded_sentences"]
    assert report["decoded_sentences"]["lt->pl"] == report["decoded_sentences"]["lt->en"] > 0
    book = _book()
    pl = feedparser.parse((project / "feeds/pl/atom.xml").read_bytes())
    lt = {
        e.link.rsplit("/", 1)[1]: e.title
        for e in feedparser.parse((project / "feeds/lt/atom.xml").read_bytes()).entries
    }
    for e in pl.entries:
        assert e.title == book[lt[e.link.rsplit("/", 1)[1]]]["pl"]


def _bump_version(src: Path, dest: Path, version: str) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename.endswith("metadata.json"):
                meta = json.loads(data)
                meta["package_version"] = version
                data = json.dumps(meta).encode()
            zout.writestr(info, data)
    return dest


def test_new_model_version_redecodes_exactly_that_models_sentences(
    make_project: Callable[..., Path], tmp_path: Path
) -> None:
    models = tmp_path / "models-v"
    for name in ("translate-lt_en.argosmodel", "translate-en_pl.argosmodel", "translate-en_ru.argosmodel"):
        packages.install_file(MODELS / name, models)
    project = make_project(paths__models=str(models))
    first = run_json(project)
    n = first["decoded_sentences"]["lt->en"]
    before = {p: (project / "feeds" / p).read_bytes() for p in ("en/atom.xml", "ru/atom.xml")}
    v2 = _bump_version(MODELS / "translate-en_pl.argosmodel", tmp_path / "en_pl-v2.argosmodel", "1.1")
    assert run_cli(project, "models", "install", str(v2)).returncode == 0
    report = run_json(project)
    assert report["decoded_sentences"] == {"lt->en": 0, "en->pl": n, "en->ru": 0}
    assert report["memory_hits"] == 2 * n
    # Same weights, so the same words: nothing changes for readers.
    assert report["updated"] == 0
    assert {p: (project / "feeds" / p).read_bytes() for p in before} == before


def test_package_with_a_stanza_folder_installs_and_it_is_ignored(tmp_path: Path) -> None:
    src = MODELS / "translate-lt_en.argosmodel"
    dest = tmp_path / "with-stanza.argosmodel"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dest, "w") as zout:
        top = zin.namelist()[0].split("/")[0]
        for info in zin.infolist():
            zout.writestr(info, zin.read(info))
        zout.writestr(f"{top}/stanza/lt/tokenize/model.pt", b"not used by xlate")
    plain = packages.install_file(src, tmp_path / "a")
    with_stanza = packages.install_file(dest, tmp_path / "b")
    assert (with_stanza.path / "stanza").is_dir()
    assert with_stanza.model_id() == plain.model_id()


def test_degenerate_output_is_flagged_in_run_and_status(make_project: Callable[..., Path]) -> None:
    # A length limit far below what the sentences need forces runaway outputs.
    project = make_project(translate__length_ratio=0.05)
    report = run_json(project)
    assert report["flagged"], report
    assert all(f["flag"].startswith("degenerate: runaway") for f in report["flagged"])
    status = json.loads(run_cli(project, "status", "--json").stdout)
    assert status["flagged"]
