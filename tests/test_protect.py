"""protect.py on its own (pure): literal brackets, placeholder checks, pieces and splicing."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from xlate.translate.protect import (
    MAX_SLOTS,
    Glossary,
    Term,
    accept,
    clean,
    fit_piece,
    parts,
    placeholder_ids,
    protect,
    stray_brackets,
    translatable,
)

TOWN = Term(("Marijampolėje", "Marijampolės"), (("en", "Marijampolė"), ("pl", "Mariampol")))


def test_literal_placeholder_text_in_the_source_is_itself_protected() -> None:
    p = protect("Šablone rašykite ⟦0⟧ ir ⟦vardas⟧, o ne ⟦ ar ⟧.", Glossary())
    assert [s.source for s in p.slots] == ["⟦0⟧", "⟦vardas⟧", "⟦ ar ⟧"]
    assert p.text == "Šablone rašykite ⟦0⟧ ir ⟦1⟧, o ne ⟦2⟧."
    assert p.restore("Write ⟦0⟧ and ⟦1⟧, not ⟦2⟧.", "en") == "Write ⟦0⟧ and ⟦vardas⟧, not ⟦ ar ⟧."
    lone = protect("Simbolis ⟦ be pabaigos ir ⟧ atskirai, bet https://x.lt/⟦a", Glossary())
    assert stray_brackets(lone.text) is False
    assert lone.restore(lone.text, "en") == lone.source


def test_more_spans_than_placeholders_are_all_kept() -> None:
    s = " ".join(f"tel. +370 612 {i:05d}" for i in range(MAX_SLOTS + 3))
    p = protect(s, Glossary())
    assert len(p.slots) == MAX_SLOTS + 3 and p.pieces_only
    assert p.restore(p.text, "en") == s


def test_accept_checks_every_output_against_its_input() -> None:
    src = "Renginys vyks ⟦0⟧ ir ⟦1⟧."
    assert accept(src, "It will be in ⟦1⟧ and ⟦0⟧.") == ("It will be in ⟦1⟧ and ⟦0⟧.", False)  # reordered: fine
    assert accept(src, "It will be in ⟦ 0 ⟧ and ⟦ 1 ⟧.")[0] is not None  # BPE spacing
    assert accept(src, "It will be in ⟦0⟧.") == (None, True)  # lost
    assert accept(src, "In ⟦0⟧, ⟦0⟧ and ⟦1⟧.") == (None, True)  # duplicated
    assert accept(src, "In ⟦0⟧, ⟦1⟧ and ⟦2⟧.") == (None, True)  # invented
    assert accept(src, "In ⟦0⟧ ⟦ and ⟦1⟧⟧.") == ("In ⟦0⟧ and ⟦1⟧.", True)  # stray brackets removed
    # A sentence without placeholders: anything bracket-like the model made up goes.
    assert accept("Vaikai klausėsi.", "The children ⟦1⟧ listened ⟦.") == ("The children listened.", True)
    assert accept("Vaikai klausėsi.", "The children listened.") == ("The children listened.", False)


def test_parts_and_pieces() -> None:
    assert parts("Skambinkite ⟦0⟧ arba rašykite ⟦1⟧.") == ["Skambinkite ", 0, " arba rašykite ", 1, "."]
    assert parts("⟦0⟧⟦1⟧") == [0, 1]
    assert not translatable(" – ") and not translatable(".") and translatable(" arba ")
    assert fit_piece(" arba rašykite ", "Or write.") == " or write "
    assert fit_piece("Skambinkite ", "Call.") == "Call "
    assert fit_piece("iki penktadienio.", "until Friday.") == "until Friday."
    assert fit_piece(" NATO ", "NATO.") == " NATO "


WORDS = st.sampled_from(["Renginys", "vyks", "bibliotekoje", "ir", "vaikams", ",", ".", "–", "(", ")"])
SPANS = st.sampled_from(
    ["Marijampolėje", "Marijampolės", "info@kvb.lt", "+370 343 51234", "https://kvb.lt/a_b", "⟦0⟧", "⟦x⟧", "⟦", "⟧"]
)
SENTENCE = st.lists(st.one_of(WORDS, SPANS), min_size=1, max_size=16).map(" ".join)


@given(SENTENCE)
def test_the_models_never_see_a_bracket_that_is_not_a_placeholder(sentence: str) -> None:
    p = protect(sentence, Glossary((TOWN,)))
    assert not stray_brackets(p.text)
    assert placeholder_ids(p.text) == list(range(len(p.slots)))
    assert p.restore(p.text, "xx") == sentence


@given(st.text(alphabet="ab ⟦⟧0123.", max_size=30))
def test_clean_leaves_no_bracket(output: str) -> None:
    assert "⟦" not in clean(output) and "⟧" not in clean(output)


PLACEHOLDERISH = st.one_of(
    st.sampled_from(["word", "the", ".", " ", "⟦", "⟧", "⟦x⟧"]),
    st.integers(0, 12).map(lambda i: f"⟦{i}⟧"),
    st.integers(0, 3).map(lambda i: f"⟦ {i} ⟧"),
)


@given(st.lists(PLACEHOLDERISH, max_size=10).map(" ".join), st.lists(PLACEHOLDERISH, max_size=12).map(" ".join))
def test_accept_carries_on_only_the_inputs_placeholders(source_words: str, output: str) -> None:
    source = protect(source_words, Glossary()).text  # as the models see it: brackets only as placeholders
    carried, mended = accept(source, output)
    if carried is None:
        assert mended and placeholder_ids(output) != placeholder_ids(source)
    else:
        assert placeholder_ids(carried) == placeholder_ids(source) and not stray_brackets(carried)
        assert mended == (carried != output)
