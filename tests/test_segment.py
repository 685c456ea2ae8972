from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from xlate.languages import language
from xlate.model import Block, BlockKind
from xlate.segment import prefix_file_text, rebuild, segment, split_sentences


def test_abbreviations_dates_and_initials_do_not_split() -> None:
    text = (
        "Renginys vyks 2026 m. spalio 5 d. 17 val. bibliotekos salėje. "
        "Dalyvaus prof. J. Jonaitis ir dr. P. Petraitytė. "
        "Bilietai, pvz. vaikams, kainuoja 2 Eur, t. y. pusę kainos. "
        "Kaina 5 proc. mažesnė nei pernai."
    )
    assert split_sentences(text) == [
        "Renginys vyks 2026 m. spalio 5 d. 17 val. bibliotekos salėje.",
        "Dalyvaus prof. J. Jonaitis ir dr. P. Petraitytė.",
        "Bilietai, pvz. vaikams, kainuoja 2 Eur, t. y. pusę kainos.",
        "Kaina 5 proc. mažesnė nei pernai.",
    ]


def test_quotes_stay_intact() -> None:
    text = "Knyga „Vasara. Ruduo.“ pristatyta vakar. Ji patiko visiems!"
    assert split_sentences(text) == ["Knyga „Vasara. Ruduo.“ pristatyta vakar.", "Ji patiko visiems!"]


def test_numbers_stay_intact() -> None:
    assert split_sentences("Bibliotekoje yra 12.500 knygų. Tel. 8 343 51234.") == [
        "Bibliotekoje yra 12.500 knygų.",
        "Tel. 8 343 51234.",
    ]


def test_headline_list_and_byline_are_units_of_their_own() -> None:
    blocks = (
        Block(BlockKind.PARAGRAPH, "Pirmas sakinys. Antras sakinys."),
        Block(BlockKind.LIST_ITEM, "Punktas be taško. Su dar vienu."),
        Block(BlockKind.BYLINE, "Vardenė Pavardenė"),
    )
    units = segment("Antraštė. Su tašku.", blocks)
    assert units == [
        ["Antraštė. Su tašku."],
        ["Pirmas sakinys.", "Antras sakinys."],
        ["Punktas be taško. Su dar vienu."],
        ["Vardenė Pavardenė"],
    ]


words = st.sampled_from(["Labas", "rytas", "biblioteka", "knyga", "2026", "m.", "„Vasara.", "Ruduo.“", "J.", "!"])


@given(st.lists(st.lists(words, min_size=1, max_size=12).map(" ".join), min_size=1, max_size=5))
def test_one_target_block_per_source_block_and_no_text_lost(paragraphs: list[str]) -> None:
    blocks = tuple(Block(BlockKind.PARAGRAPH, p) for p in paragraphs)
    units = segment("Antraštė", blocks)
    title, rebuilt = rebuild(units[0], units[1:], blocks)
    assert len(rebuilt) == len(blocks)
    for src, out in zip(blocks, rebuilt, strict=True):
        assert out.text.split() == src.text.split()
    assert title == "Antraštė"


@pytest.mark.parametrize(
    ("text", "want"),
    [
        # Capitalised at a sentence start: Moses's list has only "tel".
        ("Ateikite į biblioteką. Tel. 8 600 12345.", ["Ateikite į biblioteką.", "Tel. 8 600 12345."]),
        ("Skambinkite mob. 8 600 12345.", ["Skambinkite mob. 8 600 12345."]),
        ("Šv. Kalėdų proga biblioteka dirbs trumpiau.", ["Šv. Kalėdų proga biblioteka dirbs trumpiau."]),
    ],
)
def test_the_language_tables_abbreviations_take_effect(text: str, want: list[str]) -> None:
    from sentence_splitter import SentenceSplitter

    # Each case is one the splitter's own Lithuanian list gets wrong: the table's rows must fix it.
    assert SentenceSplitter(language="lt").split(text) != want
    assert split_sentences(text, "lt") == want


def test_the_prefix_file_is_the_published_list_plus_the_tables_rows() -> None:
    text = prefix_file_text(language("lt"))
    lines = {ln for ln in text.splitlines() if ln and not ln.startswith("#")}
    assert {"Mr", "tel", "pvz", "Šv", "šv", "Mob", "mob"} <= lines
    ours = text.split("# added by xlate", 1)[1].splitlines()[1:]
    assert "t. y" not in ours  # Moses prefixes are single words; the merge rule handles it
    # A language the splitter has no rules for still gets a file (only the table's rows, if any).
    assert prefix_file_text(language("uk")).strip().startswith("#")


def test_the_source_language_decides_the_rules() -> None:
    # English rules know "Mr." and "Dr."; Lithuanian dates do not apply to English text.
    assert split_sentences("Mr. Smith came. He read.", "en") == ["Mr. Smith came.", "He read."]
    assert split_sentences("Renginys vyks 2026 m. spalio 5 d. salėje.", "lt") == [
        "Renginys vyks 2026 m. spalio 5 d. salėje."
    ]
    # A language without sentence-splitter rules (Ukrainian) is still split at sentence ends.
    assert split_sentences("Бібліотека відкрита. Ласкаво просимо!", "uk") == [
        "Бібліотека відкрита.",
        "Ласкаво просимо!",
    ]
    blocks = (Block(BlockKind.PARAGRAPH, "Mr. Smith came. He read."),)
    assert segment("Title", blocks, "en") == [["Title"], ["Mr. Smith came.", "He read."]]
