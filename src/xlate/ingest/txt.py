"""Plain-text articles: headline on the first line, then paragraphs.

Editors paste from web pages and e-mails, so paragraphs come one per line or
separated by blank lines, sometimes hard-wrapped, with bullets typed as •, -,
* or –, and a signature (name, institution, role) at the end.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from xlate.errors import InputError
from xlate.ingest.formats import ReadContext
from xlate.ingest.text import clean, control_note, decode, find_repeats, finish_article, normalize_inline
from xlate.languages import language
from xlate.model import Article, Block, BlockKind

LIST_MARKERS = ("•", "◦", "▪", "●", "-", "*", "–")
SENTENCE_END = ".!?…:;"
CLOSERS = "\"'”“»)]’"

BYLINE_MAX_LINES = 4
BYLINE_MAX_CHARS = 80


def list_item(line: str) -> str | None:
    """The text of a bulleted line, or None. '-', '*', '–' need a space after
    them so '-5 °C' or '*svarbu*' stay ordinary text; bullet glyphs do not."""
    for m in LIST_MARKERS:
        if line.startswith(m):
            rest = line[len(m) :]
            if m in "-*–" and not rest[:1].isspace():
                return None
            return rest.strip() or None
    return None


def continues(prev: str, line: str) -> bool:
    """A hard-wrapped continuation: the previous line stops mid-sentence and
    this one starts with a lowercase letter."""
    tail = prev.rstrip().rstrip(CLOSERS)
    return bool(tail) and tail[-1] not in SENTENCE_END and line[:1].islower()


def _is_byline(lines: list[str]) -> bool:
    return (
        len(lines) <= BYLINE_MAX_LINES
        and all(len(s) <= BYLINE_MAX_CHARS for s in lines)
        and not any(s.rstrip(CLOSERS).endswith((".", "!", "?", "…")) for s in lines)
        and not any(list_item(s) is not None for s in lines)
    )


@dataclass
class _Item:
    group: int
    kind: BlockKind
    text: str


def read(rel: str, data: bytes, ctx: ReadContext) -> Article:
    text, removed = clean(decode(rel, data, language(ctx.source_lang)))
    notes = [control_note(removed)] if removed else []
    return parse_text(rel, text, ctx, notes)


def _headline(rel: str, lines: list[str]) -> tuple[str, int]:
    """The headline (the first non-empty line and its hard-wrapped continuation) and
    the index of the first line after it."""
    start = next((i for i, ln in enumerate(lines) if ln), None)
    if start is None:
        raise InputError(f"{rel}: contains only blank space; put the article in it or delete it")
    headline = lines[start]
    i = start + 1
    while i < len(lines) and lines[i] and continues(headline, lines[i]):
        headline += " " + lines[i]
        i += 1
    return headline, i


def _groups(lines: list[str]) -> list[list[str]]:
    """Runs of non-empty lines, split at blank lines."""
    groups: list[list[str]] = [[]]
    for ln in lines:
        if ln:
            groups[-1].append(ln)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


def _items(groups: list[list[str]]) -> list[_Item]:
    """List items and paragraphs; a hard-wrapped line joins the item it continues."""
    items: list[_Item] = []
    for gi, group in enumerate(groups):
        for ln in group:
            item = list_item(ln)
            if item is not None:
                items.append(_Item(gi, BlockKind.LIST_ITEM, item))
            elif items and items[-1].group == gi and continues(items[-1].text, ln):
                items[-1].text += " " + ln
            else:
                items.append(_Item(gi, BlockKind.PARAGRAPH, ln))
    return items


def parse_text(rel: str, text: str, ctx: ReadContext, notes: list[str]) -> Article:
    lines = [ln.strip() for ln in text.split("\n")]
    headline, after = _headline(rel, lines)
    groups = _groups(lines[after:])
    items = _items(groups)

    # Repeats go first: the scraping artefact repeats paragraphs *after* the
    # signature, and the signature is only recognisable as the last block.
    per_group = Counter(it.group for it in items)
    # A signature of several lines is never a cut-off fragment (that is one line).
    sig = bool(groups) and len(groups[-1]) > 1 and _is_byline(groups[-1])
    rep = find_repeats([normalize_inline(it.text) for it in items], protect_last=sig)
    items = [it for it, keep in zip(items, rep.keep, strict=True) if keep]
    notes = [*notes, *rep.notes()]

    blocks = [Block(it.kind, it.text) for it in items]
    if items:
        last = items[-1].group
        tail = [it for it in items if it.group == last]
        if len(tail) < len(items) and _is_byline(groups[last]):
            # One block per signature line, even where a line looks like a
            # continuation ("bibliotekos" / "vedėja" in lowercase).
            lines_kept = groups[last] if len(tail) == per_group[last] else [t.text for t in tail]
            blocks = blocks[: len(items) - len(tail)] + [Block(BlockKind.BYLINE, s) for s in lines_kept]
    return finish_article(rel, ctx, title=headline, blocks=blocks, notes=notes)
