from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xlate.model import Block, BlockKind
from xlate.segment import rebuild, segment, split_sentences


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
