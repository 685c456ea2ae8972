"""Encodings and normalisation shared by every format."""

from __future__ import annotations

import codecs
import unicodedata
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xlate.config import Ingest
from xlate.errors import InputError
from xlate.ingest import check_size, parse_article
from xlate.ingest.text import clean, decode, find_repeats, normalize_inline, to_utc
from xlate.languages import language

LT = language("lt")
VILNIUS = ZoneInfo("Europe/Vilnius")

FORMATS = Path(__file__).parent / "fixtures" / "formats"
LETTERS = "ąčęėįšųūž ĄČĘĖĮŠŲŪŽ"
# ISO-8859-13 has no "•": the bullets are typed as "-" for the round trip.
ARTICLE = (FORMATS / "vasaros-skaitymai.txt").read_text(encoding="utf-8").replace("•", "-")
# „quotes“ sit at different bytes in Windows-1257 and ISO-8859-13: the case that tells them apart.
QUOTED = "Žąsų ūkis „Ąžuolynas“ kviečia į šventę.\n\nČia ėjo įdomūs žmonės, šįkart ir šeimos."

ENCODINGS = [
    ("utf-8", b""),
    ("utf-8", codecs.BOM_UTF8),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("cp1257", b""),
    ("iso8859_13", b""),
]


# Word text is full of no-break spaces and soft hyphens: they are text, not binary.
WORD = "Kaina 5\u00a0Eur, 2024\u00a0m. bib\u00adlio\u00adte\u00adka ir ąžuolas. " * 20


@pytest.mark.parametrize(("codec", "bom"), ENCODINGS)
@pytest.mark.parametrize("text", [ARTICLE, QUOTED, f"{LETTERS}\n\nTekstas: {LETTERS}.", WORD])
def test_lithuanian_letters_survive_every_encoding(tmp_path: Path, codec: str, bom: bytes, text: str) -> None:
    f = tmp_path / "straipsnis.txt"
    f.write_bytes(bom + text.encode(codec))
    assert decode("straipsnis.txt", f.read_bytes(), LT) == text


@pytest.mark.parametrize("codec", ["cp1257", "iso8859_13", "utf-16"])
def test_whole_article_from_legacy_encoding(tmp_path: Path, codec: str) -> None:
    f = tmp_path / "senas.txt"
    f.write_bytes(ARTICLE.encode(codec))
    art = parse_article("senas.txt", f.read_bytes(), Ingest())
    want = parse_article("senas.txt", ARTICLE.encode(), Ingest())
    assert art == want
    assert all(ch in "".join(art.units) for ch in "ąčęėįšųūžŠĄŽ")


def test_short_one_line_cp1257_file() -> None:
    assert decode("a.txt", "Ąžuolas".encode("cp1257"), LT) == "Ąžuolas"


def test_html_declared_charset_is_used() -> None:
    data = '<meta charset="windows-1257"><h1>Šventė</h1><p>Čia ąžuolai.</p>'.encode("cp1257")
    assert "Šventė" in decode("a.html", data, LT, hint="windows-1257")


def test_clean_removes_forbidden_characters_and_counts_them() -> None:
    text, removed = clean("a\x00b\x07c\tž\r\nd\ufffe\uffff\ud800e\x85f\ufeff")
    assert text == "abc\tž\nd" + "e\nf"
    assert removed == 5


def test_normalize_inline_is_nfc_and_collapses_space() -> None:
    decomposed = unicodedata.normalize("NFD", "  Ąžuolas   ir\u00a0\tšeima \n")
    assert normalize_inline(decomposed) == "Ąžuolas ir šeima"


def test_find_repeats_drops_repeats_and_cutoff() -> None:
    texts = [
        "Pirma pastraipa, gana ilga.",
        "Antra pastraipa apie renginį.",
        "Pirma pastraipa, gana ilga.",
        "Antra pastraipa",
    ]
    rep = find_repeats(texts)
    assert rep.keep == (True, True, False, False)
    assert rep.notes() == [
        "dropped 1 repeated paragraph (copy or scraping artefact)",
        "dropped a cut-off fragment at the end that repeats the start of an earlier paragraph",
    ]


def test_find_repeats_keeps_short_repeats_and_short_prefixes() -> None:
    # "Taip." twice and a closing line that happens to start an earlier paragraph are content.
    texts = ["Taip.", "Bibliotekos direktorė pasakė kalbą.", "Taip.", "Bibliotekos direktorė"]
    assert find_repeats(texts).keep == (True, True, True, True)


def test_check_size_names_the_limit() -> None:
    with pytest.raises(InputError, match=r"^big\.txt: .*20\.0 MB.*1,000,000 bytes \(ingest\.max_file_bytes\)"):
        check_size("big.txt", 20_000_000, Ingest())
    check_size("ok.txt", 1_000_000, Ingest())


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-05-03", "2024-05-03T09:00:00+00:00"),  # bare date: noon in Vilnius (summer, UTC+3)
        ("2024.01.15", "2024-01-15T10:00:00+00:00"),  # winter, UTC+2; Lithuanian dotted style
        ("2024-05-03 14:30", "2024-05-03T11:30:00+00:00"),
        ("2024-05-03T14:30:00+01:00", "2024-05-03T13:30:00+00:00"),
        ("2024-05-03T14:30:00Z", "2024-05-03T14:30:00+00:00"),
    ],
)
def test_dates_become_utc(value: str, iso: str) -> None:
    dt = to_utc("a.md", value, VILNIUS)
    assert dt is not None and dt.isoformat() == iso


@given(st.text(max_size=300))
def test_normalize_inline_is_idempotent_and_safe(s: str) -> None:
    out = normalize_inline(s)
    assert normalize_inline(out) == out
    assert out == out.strip() and "  " not in out and "\n" not in out
    assert unicodedata.is_normalized("NFC", out)
    assert clean(out) == (out, 0)
    out.encode("utf-8")  # no lone surrogates


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600), st.sampled_from(["a.txt", "a.md", "a.html", "a.docx"]))
def test_any_bytes_give_article_or_input_error(data: bytes, rel: str) -> None:
    try:
        art = parse_article(rel, data, Ingest())
    except InputError as e:
        assert str(e).startswith(f"{rel}: ")
    else:
        assert art.title and art.blocks


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=400), st.sampled_from(["a.txt", "a.md", "a.html"]))
def test_any_text_gives_clean_article_or_input_error(text: str, rel: str) -> None:
    try:
        art = parse_article(rel, text.encode("utf-8", "surrogatepass"), Ingest())
    except InputError as e:
        assert str(e).startswith(f"{rel}: ")
    else:
        for unit in art.units:
            assert unit and normalize_inline(unit) == unit
