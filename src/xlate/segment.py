"""Blocks <-> translation units (pure).

Headlines, sub-headings, list items and byline lines are one unit each: they are
short and often lack final punctuation. Paragraphs and quotes are split into
sentences with sentence-splitter's Moses rules for Lithuanian, plus a few
abbreviations it lacks, and never inside „…“ quotes.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from xlate.model import Block, BlockKind

if TYPE_CHECKING:
    from sentence_splitter import SentenceSplitter

SPLIT_KINDS = frozenset({BlockKind.PARAGRAPH, BlockKind.QUOTE})

# Abbreviations common in Lithuanian news that the Moses list lacks.
EXTRA_PREFIXES = (
    "tel",
    "nr",
    "pvz",
    "val",
    "proc",
    "min",
    "sek",
    "mob",
    "el",
    "vnt",
    "gim",
    "mirė",
    "šv",
    "kt",
    "pan",
)

_OPENERS = '„“"«'
_QUOTE_PAIRS = {"„": "“", "«": "»", "“": "”"}


@lru_cache(maxsize=1)
def _splitter() -> SentenceSplitter:
    from sentence_splitter import SentenceSplitter

    s = SentenceSplitter(language="lt")
    # The splitter keeps its prefixes in a private dict (prefix -> kind); add ours as plain ones.
    prefixes = getattr(s, "_SentenceSplitter__non_breaking_prefixes", None)
    if isinstance(prefixes, dict):
        for p in EXTRA_PREFIXES:
            for form in (p, p.capitalize()):  # "Tel. 8 600..." starts sentences too
                prefixes.setdefault(form, SentenceSplitter.PrefixType.DEFAULT)
    return s


def _unbalanced(text: str) -> bool:
    """True when a „…“ or «…» quote opens in `text` and does not close there."""
    depth = 0
    for ch in text:
        if ch in ("„", "«"):
            depth += 1
        elif ch in ("“", "»") and depth > 0:
            depth -= 1
    return depth > 0


def _merge_inside_quotes(parts: list[str]) -> list[str]:
    out: list[str] = []
    buf = ""
    for p in parts:
        buf = f"{buf} {p}" if buf else p
        if not _unbalanced(buf):
            out.append(buf)
            buf = ""
    if buf:
        out.append(buf)
    return out


# "2024 m. spalio 5 d." and initials like "J. Jonaitis" end in a period that is not a sentence end.
_NO_BREAK_AFTER = re.compile(r"(?:\b\d{1,4}\s?(?:m|d|val|min|proc|vnt)|\b[A-ZĄČĘĖĮŠŲŪŽ]|\bt\. ?y|\bpvz|\bNr)\.$")


def _merge_false_breaks(parts: list[str]) -> list[str]:
    out: list[str] = []
    for p in parts:
        if out and _NO_BREAK_AFTER.search(out[-1]) and p[:1].islower():
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return out


def split_sentences(text: str) -> list[str]:
    text = text.strip()
    if not text:
        return []
    parts = [p.strip() for p in _splitter().split(text) if p.strip()]
    return _merge_false_breaks(_merge_inside_quotes(parts))


def units_of_block(block: Block) -> list[str]:
    if block.kind in SPLIT_KINDS:
        return split_sentences(block.text) or [block.text]
    return [block.text]


def segment(title: str, blocks: Sequence[Block]) -> list[list[str]]:
    """Units per block: index 0 is the title, then one list per block, in order."""
    return [[title], *(units_of_block(b) for b in blocks)]


def join_units(units: Sequence[str]) -> str:
    return " ".join(u.strip() for u in units if u.strip())


def rebuild(
    title_units: Sequence[str], block_units: Sequence[Sequence[str]], blocks: Sequence[Block]
) -> tuple[str, tuple[Block, ...]]:
    """Put translated units back into the source's shape: one target block per source block."""
    if len(block_units) != len(blocks):
        raise ValueError("one target block per source block")
    return join_units(title_units), tuple(
        Block(b.kind, join_units(u)) for b, u in zip(blocks, block_units, strict=True)
    )
