"""Language check: Lithuanian passes, Latvian (its closest neighbour) and others fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from xlate.config import Detect, Ingest
from xlate.detect import Detection, detect_article
from xlate.errors import LanguageError
from xlate.ingest import parse_article
from xlate.model import Article, Block, BlockKind

FIXTURES = Path(__file__).parent / "fixtures"
CFG = Detect()


def article(path: Path, rel: str | None = None) -> Article:
    return parse_article(rel or path.name, path.read_bytes(), Ingest())


def test_lithuanian_passes() -> None:
    d = detect_article(article(FIXTURES / "formats/vasaros-skaitymai.txt"), source_lang="lt", cfg=CFG)
    assert d.lang == "lt" and d.probability > 0.99 and d.notes == ()


def test_latvian_is_not_lithuanian() -> None:
    with pytest.raises(LanguageError) as e:
        detect_article(article(FIXTURES / "bad/latvian.txt", "sub/latvian.txt"), source_lang="lt", cfg=CFG)
    assert str(e.value).startswith("sub/latvian.txt: detected 'lv' (p=1.00), expected Lithuanian 'lt'; ")
    assert "looks Latvian" in str(e.value)


@pytest.mark.parametrize(("name", "code"), [("polish.txt", "pl"), ("english.txt", "en")])
def test_other_languages_fail(name: str, code: str) -> None:
    with pytest.raises(LanguageError, match=rf"^{name}: detected '{code}' \(p=1\.00\), expected Lithuanian"):
        detect_article(article(FIXTURES / "bad" / name), source_lang="lt", cfg=CFG)


def test_a_polish_block_is_a_note_not_a_failure() -> None:
    a = article(FIXTURES / "formats/su-lenkiska-pastraipa.txt")
    d = detect_article(a, source_lang="lt", cfg=CFG)
    assert d.lang == "lt"
    assert d.notes == ("block 2 looks Polish (pl, p=1.00)",)


def test_below_min_probability_fails_and_names_the_blocks() -> None:
    with pytest.raises(LanguageError) as e:
        detect_article(article(FIXTURES / "bad/mixed-lt-pl.txt"), source_lang="lt", cfg=CFG)
    msg = str(e.value)
    assert "detected 'lt' with only p=0.71, next 'pl' (p=0.29), below detect.min_probability=0.8" in msg
    assert "block 3 looks Polish (pl, p=1.00); block 4 looks Polish (pl, p=1.00)" in msg
    # The threshold is the config's: raise it and even clean Lithuanian fails.
    with pytest.raises(LanguageError, match=r"below detect\.min_probability=1"):
        detect_article(
            article(FIXTURES / "formats/vasaros-skaitymai.txt"),
            source_lang="lt",
            cfg=Detect(min_probability=1.0),
        )


def _short(declared: str | None = None, title: str = "Šventė", text: str = "Ačiū.") -> Article:
    return Article(
        slug="s",
        source="s.md",
        title=title,
        blocks=(Block(BlockKind.PARAGRAPH, text),),
        declared_lang=declared,
    )


def test_short_text_falls_back_with_a_note() -> None:
    d = detect_article(_short(), source_lang="lt", cfg=CFG)
    assert d == Detection(
        "lt",
        0.0,
        ("too little text to detect the language (12 characters, detect.min_chars=20); "
         "assumed 'lt' from the configured source language",),
    )  # fmt: skip
    assert detect_article(_short("lt"), source_lang="lt", cfg=CFG).notes[0].endswith("from front matter")
    # Text without letters cannot be detected either.
    numbers = _short(title="2024", text="12 345 678 910 11 12 13 14 15 16 17 18 19 20")
    assert "too little text" in detect_article(numbers, source_lang="lt", cfg=CFG).notes[0]


def test_declared_language_other_than_source_fails() -> None:
    with pytest.raises(LanguageError, match=r"^s\.md: declares language 'lv' \(Latvian\), but articles must be in"):
        detect_article(_short("lv"), source_lang="lt", cfg=CFG)


def test_declared_language_disagreeing_with_detection_is_reported() -> None:
    a = article(FIXTURES / "bad/declared-polish.md")
    with pytest.raises(LanguageError) as e:
        detect_article(a, source_lang="lt", cfg=CFG)
    assert "the text itself looks Lithuanian (p=1.00); if the text is Lithuanian, set lang: lt" in str(e.value)


def test_byline_is_not_judged() -> None:
    a = article(FIXTURES / "formats/vasaros-skaitymai.txt")
    foreign = Block(BlockKind.BYLINE, "Biblioteka Publiczna w Suwałkach, dział wypożyczeń dla dzieci")
    a2 = Article(slug=a.slug, source=a.source, title=a.title, blocks=(*a.blocks, foreign))
    assert detect_article(a2, source_lang="lt", cfg=CFG).notes == ()


def test_deterministic_and_langdetect_imported_lazily() -> None:
    code = (
        "import sys; import xlate.detect, xlate.ingest; "
        "assert 'langdetect' not in sys.modules, 'imported at module level'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": "src"}, cwd=Path(__file__).parents[1])
    a = article(FIXTURES / "bad/mixed-lt-pl.txt")
    messages = set()
    for _ in range(3):
        with pytest.raises(LanguageError) as e:
            detect_article(a, source_lang="lt", cfg=CFG)
        messages.add(str(e.value))
    assert len(messages) == 1
