"""The fixture phrasebook covers every unit of the sample and test articles, as xlate segments them."""

from __future__ import annotations

import csv
import json
import zipfile
from pathlib import Path

import pytest

from tests.helpers import CORE_PACKAGES, FIXTURES, MODELS, REPO
from xlate.config import Ingest
from xlate.ingest import parse_article
from xlate.segment import segment

ARTICLES = sorted((REPO / "input").iterdir()) + sorted(
    p for p in (FIXTURES / "articles").iterdir() if p.stem not in ("latvian", "polish")
)


def _book() -> set[str]:
    with (FIXTURES / "phrasebook.tsv").open(encoding="utf-8", newline="") as f:
        return {r["lt"] for r in csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE)}


@pytest.mark.parametrize("path", ARTICLES, ids=lambda p: p.name)
def test_every_unit_is_in_the_phrasebook(path: Path) -> None:
    a = parse_article(path.name, path.read_bytes(), Ingest())
    units = [u for block in segment(a.title, a.blocks) for u in block]
    assert [u for u in units if u not in _book()] == []


@pytest.mark.parametrize("name", [*CORE_PACKAGES, "translate-en_de.argosmodel", "extra/translate-lt_pl.argosmodel"])
def test_packages_are_real_argos_packages(name: str) -> None:
    path = MODELS / name
    assert path.stat().st_size < 5_000_000
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        top = {n.split("/")[0] for n in names}
        assert len(top) == 1
        (root,) = top
        meta = json.loads(zf.read(f"{root}/metadata.json"))
        assert meta["type"] == "translate" and meta["from_code"] and meta["to_code"]
        assert f"{root}/model/model.bin" in names
        assert f"{root}/sentencepiece.model" in names or f"{root}/bpe.model" in names
