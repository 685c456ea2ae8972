"""Blocks <-> translation units (pure).

Headlines, sub-headings, list items and byline lines are one unit each: they are
short and often lack final punctuation. Paragraphs and quotes are split into
sentences with sentence-splitter's Moses rules for the source language plus the
abbreviations its row in the language table adds (`xlate.languages`), and never
inside „…“ or «…» quotes.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING

from xlate.languages import Language, language
from xlate.model import Block, BlockKind

if TYPE_CHECKING:
    from sentence_splitter import SentenceSplitter

SPLIT_KINDS = frozenset({BlockKind.PARAGRAPH, BlockKind.QUOTE})
# config.yaml's default source language; callers pass the configured one.
DEFAULT_LANG = "lt"


def prefix_file_text(lang: Language) -> str:
    """The non-breaking-prefix file for `lang`: sentence-splitter's own list for its
    `splitter` code (if it has one) followed by the row's abbreviations, each also
    capitalised ("Tel. 8 600…" starts sentences too)."""
    own = ""
    if lang.splitter is not None:
        bundled = resources.files("sentence_splitter") / "non_breaking_prefixes" / f"{lang.splitter}.txt"
        if bundled.is_file():
            own = bundled.read_text(encoding="utf-8")
    # Moses prefixes are single words: "t. y" is left to the merge rule below.
    words = [a for a in lang.abbreviations if " " not in a]
    extra = dict.fromkeys(form for a in words for form in (a, a[:1].upper() + a[1:]))
    lines = [own.rstrip("\n"), f"# added by xlate from its language table ({lang.code})", *extra]
    return "\n".join(lines).lstrip("\n") + "\n"


@lru_cache(maxsize=8)
def _splitter(code: str) -> SentenceSplitter:
    from sentence_splitter import SentenceSplitter

    lang = language(code)
    # The public way to give the splitter a prefix list is a file; it is read once, here.
    with tempfile.TemporaryDirectory(prefix="xlate-prefixes-") as tmp:
        path = Path(tmp) / f"{code}.txt"
        path.write_text(prefix_file_text(lang), encoding="utf-8")
        # Any two-letter code is accepted with an explicit file; it only names the language.
        return SentenceSplitter(language=lang.splitter or "xx", non_breaking_prefix_file=str(path))


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


@lru_cache(maxsize=8)
def _no_break_after(code: str) -> re.Pattern[str] | None:
    """A part ending like this, followed by a lower-case word, was cut at a period that
    ends no sentence: an abbreviation after a number ("2024 m. spalio 5 d.") or one of
    the row's abbreviations ("t. y.", "pvz.")."""
    lang = language(code)
    alternatives = []
    if lang.after_number:
        alternatives.append(r"\b\d{1,4}\s?(?:" + "|".join(map(re.escape, lang.after_number)) + ")")
    for a in lang.abbreviations:
        # First letter in either case; "t. y" also matches "t.y".
        alternatives.append(r"\b(?i:" + re.escape(a[:1]) + ")" + re.escape(a[1:]).replace(r"\ ", " ?"))
    return re.compile("(?:" + "|".join(alternatives) + r")\.$") if alternatives else None


def _ends_with_initial(part: str) -> bool:
    """'… J.': a lone capital letter and a period, as in "J. Jonaitis"."""
    last = part.rsplit(" ", 1)[-1]
    return len(last) == 2 and last[0].isupper() and last[1] == "."


def _merge_false_breaks(parts: list[str], code: str) -> list[str]:
    rule = _no_break_after(code)
    out: list[str] = []
    for p in parts:
        if out and p[:1].islower() and (_ends_with_initial(out[-1]) or (rule and rule.search(out[-1]))):
            out[-1] = f"{out[-1]} {p}"
        else:
            out.append(p)
    return out


def split_sentences(text: str, lang: str = DEFAULT_LANG) -> list[str]:
    """Sentences of a paragraph in language `lang` (the source language's code)."""
    text = text.strip()
    if not text:
        return []
    parts = [p.strip() for p in _splitter(lang).split(text) if p.strip()]
    return _merge_false_breaks(_merge_inside_quotes(parts), lang)


def units_of_block(block: Block, lang: str = DEFAULT_LANG) -> list[str]:
    if block.kind in SPLIT_KINDS:
        return split_sentences(block.text, lang) or [block.text]
    return [block.text]


def segment(title: str, blocks: Sequence[Block], lang: str = DEFAULT_LANG) -> list[list[str]]:
    """Units per block: index 0 is the title, then one list per block, in order."""
    return [[title], *(units_of_block(b, lang) for b in blocks)]


def join_units(units: Sequence[str]) -> str:
    return " ".join(u.strip() for u in units if u.strip())


def unit_spans(units: Sequence[str]) -> list[tuple[int, int]]:
    """Where each unit lands in `join_units(units)`: [start, end); an empty unit (which the
    join drops) is the empty span where it would have been."""
    out: list[tuple[int, int]] = []
    pos = 0
    for u in units:
        t = u.strip()
        if not t:
            out.append((pos, pos))
            continue
        if pos:
            pos += 1  # the joining space
        out.append((pos, pos + len(t)))
        pos += len(t)
    return out


def rebuild(
    title_units: Sequence[str], block_units: Sequence[Sequence[str]], blocks: Sequence[Block]
) -> tuple[str, tuple[Block, ...]]:
    """Put translated units back into the source's shape: one target block per source block."""
    if len(block_units) != len(blocks):
        raise ValueError("one target block per source block")
    return join_units(title_units), tuple(
        Block(b.kind, join_units(u)) for b, u in zip(blocks, block_units, strict=True)
    )
