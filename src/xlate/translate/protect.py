"""Protect spans from the model: glossary terms and do-not-translate spans (pure).

Before decoding, each protected span becomes a placeholder ``⟦0⟧``, ``⟦1⟧``…;
after decoding (through the pivot too), each placeholder becomes the span's
fixed rendering in the target language, or the span itself for
do-not-translate spans (URLs, e-mail addresses, phone numbers, marked spans).

Literal ``⟦…⟧`` text (and any lone bracket) in the source is itself a protected
span, so the only brackets a model ever sees are our placeholders, and a source
that uses them is published verbatim.

After every hop, `accept` compares an output's placeholders with its input's. A
broken output is never carried on: the caller translates the text between the
placeholders as separate pieces (`parts`) and splices the spans back in source
order (`splice`), so protected spans survive whatever a model emits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from xlate.model import Block

OPEN, CLOSE = "⟦", "⟧"
MAX_SLOTS = 10  # ⟦0⟧..⟦9⟧ (the fixture models know these as single tokens); more: pieces only
# Moses-based (BPE) tokenizers split the brackets off: accept "⟦ 0 ⟧" too.
PLACEHOLDER_RE = re.compile(r"⟦\s*(\d+)\s*⟧")
BRACKET_RE = re.compile(r"[⟦⟧]")
# Literal bracket text in a source: a whole ``⟦…⟧`` span, else a lone bracket.
LITERAL_RE = re.compile(r"⟦[^⟦⟧]*⟧|[⟦⟧]")

URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"„“]+[^\s<>\"„“.,;:!?)\]]")
EMAIL_RE = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
# Lithuanian numbers as editors write them: +370 612 34567, 8 612 34567, (8 343) 51234.
PHONE_RE = re.compile(r"(?<!\w)(?:\+\d{3}|\(?8\)?)[\s-]?\(?\d{2,3}\)?[\s-]?\d{2,3}[\s-]?\d{2,5}(?!\w)")

_WORD = r"[\wąčęėįšųūžĄČĘĖĮŠŲŪŽ]"


@dataclass(frozen=True)
class Term:
    """A glossary entry: the Lithuanian surface forms and one rendering per target."""

    forms: tuple[str, ...]
    renderings: tuple[tuple[str, str], ...]  # (lang, rendering), sorted


@dataclass(frozen=True)
class Glossary:
    terms: tuple[Term, ...] = ()

    @property
    def version(self) -> str:
        h = hashlib.sha256()
        for t in self.terms:
            h.update("\x1f".join(t.forms).encode() + b"\x1e")
            h.update("\x1f".join(f"{k}={v}" for k, v in t.renderings).encode() + b"\x1d")
        return h.hexdigest()[:16]

    @classmethod
    def load(cls, path: Path | None, targets: Sequence[str]) -> Glossary:
        """Read the glossary YAML file (see glossary.yaml), validated by xlate.config's schema.

        Raises ConfigError naming the term and the fix (the config load has already checked it).
        """
        if path is None:
            return cls()
        from xlate.config import load_glossary

        model = load_glossary(path, tuple(targets))
        return cls(tuple(Term(t.forms, tuple(sorted(t.renderings.items()))) for t in model.terms))


@dataclass(frozen=True)
class Slot:
    source: str  # the span as it stands in the source sentence
    renderings: tuple[tuple[str, str], ...] = ()  # empty: do-not-translate, pass the span through

    def render(self, lang: str) -> str:
        return dict(self.renderings).get(lang, self.source)


@dataclass(frozen=True)
class Protected:
    source: str  # the sentence as written
    text: str  # the sentence with placeholders: what the models see and the memory keys on
    slots: tuple[Slot, ...]

    def restore(self, output: str, lang: str) -> str | None:
        """Fill placeholders for `lang`; None if the model lost, duplicated or invented one."""
        if placeholder_ids(output) != list(range(len(self.slots))) or stray_brackets(output):
            return None
        return fill(output, lambda i: self.slots[i].render(lang))

    @property
    def pieces_only(self) -> bool:
        """Too many spans for the placeholders the models know: translate the text between them."""
        return len(self.slots) > MAX_SLOTS


def placeholder_ids(text: str) -> list[int]:
    """The placeholder numbers in `text`, sorted (a multiset: duplicates stay)."""
    return sorted(int(m) for m in PLACEHOLDER_RE.findall(text))


def stray_brackets(text: str) -> bool:
    """Bracket characters that are not part of a placeholder."""
    return BRACKET_RE.search(PLACEHOLDER_RE.sub("", text)) is not None


def fill(text: str, render: Callable[[int], str]) -> str:
    return PLACEHOLDER_RE.sub(lambda m: render(int(m.group(1))), text)


_SPACE_BEFORE_PUNCT = re.compile(r"\s+([.,;:!?…)])")


def clean(output: str) -> str:
    """Model output for an input without placeholders: remove any it invented, and stray brackets."""
    text = BRACKET_RE.sub(" ", PLACEHOLDER_RE.sub(" ", output))
    return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(text.split()))


def accept(source: str, output: str) -> tuple[str | None, bool]:
    """What to carry on to the next hop, and whether the output's placeholders had to be mended.

    None: the output lost, duplicated or invented placeholders of a source that has some;
    the caller translates the source in pieces instead. An output that invents placeholders
    or brackets for a source without any is cleaned. Reordered placeholders are fine.
    """
    want = placeholder_ids(source)
    if not want:
        if BRACKET_RE.search(output):
            return clean(output), True
        return output, False
    if placeholder_ids(output) != want:
        return None, True
    if stray_brackets(output):
        kept = [m.group(0) for m in PLACEHOLDER_RE.finditer(output)]
        between = [BRACKET_RE.sub(" ", p) for p in PLACEHOLDER_RE.split(output)[::2]]
        mended = "".join(p + (kept[i] if i < len(kept) else "") for i, p in enumerate(between))
        return _SPACE_BEFORE_PUNCT.sub(r"\1", " ".join(mended.split())), True
    return output, False


def parts(text: str) -> list[str | int]:
    """`text` cut at its placeholders: the pieces between them (str) and the slot numbers (int)."""
    out: list[str | int] = []
    last = 0
    for m in PLACEHOLDER_RE.finditer(text):
        if m.start() > last:
            out.append(text[last : m.start()])
        out.append(int(m.group(1)))
        last = m.end()
    if last < len(text):
        out.append(text[last:])
    return out


def translatable(piece: str) -> bool:
    """Pieces of only punctuation and spaces are kept as they are, never sent to a model."""
    return any(c.isalnum() for c in piece)


_END_PUNCT = ".!?…"


def fit_piece(piece: str, translated: str) -> str:
    """A translated piece put back where the source piece stood.

    Keeps the piece's surrounding spaces; a model finishes every input as a sentence, so
    a final full stop or a capital the mid-sentence source piece did not have is dropped.
    """
    core = piece.strip()
    lead = piece[: len(piece) - len(piece.lstrip())]
    trail = piece[len(piece.rstrip()) :]
    out = translated.strip()
    if out and out[-1] in _END_PUNCT and core[-1:] not in _END_PUNCT:
        out = out.rstrip(_END_PUNCT).rstrip()
    if len(out) > 1 and core[:1].islower() and out[0].isupper() and out[1].islower():
        out = out[0].lower() + out[1:]
    return f"{lead}{out}{trail}"


def _form_pattern(form: str) -> re.Pattern[str]:
    # Case-aware: the form as listed, and with a capital first letter (sentence start).
    first = form[0]
    head = f"[{re.escape(first)}{re.escape(first.upper())}]" if first.islower() else re.escape(first)
    return re.compile(rf"(?<!{_WORD}){head}{re.escape(form[1:])}(?!{_WORD})")


Span = tuple[int, int, Slot]


def _candidates(sentence: str, glossary: Glossary, keep: Iterable[str]) -> list[Span]:
    cands: list[Span] = []
    for rx in (URL_RE, EMAIL_RE, PHONE_RE, LITERAL_RE):
        cands.extend((m.start(), m.end(), Slot(m.group(0))) for m in rx.finditer(sentence))
    for term in sorted(set(keep), key=len, reverse=True):
        if term:
            cands.extend((m.start(), m.end(), Slot(m.group(0))) for m in re.finditer(re.escape(term), sentence))
    for t in glossary.terms:
        for form in t.forms:
            cands.extend(
                (m.start(), m.end(), Slot(m.group(0), t.renderings)) for m in _form_pattern(form).finditer(sentence)
            )
    return cands


def _spans(sentence: str, glossary: Glossary, keep: Iterable[str]) -> list[Span]:
    # Longest first, then leftmost; drop overlaps.
    cands = sorted(_candidates(sentence, glossary, keep), key=lambda c: (-(c[1] - c[0]), c[0]))
    chosen: list[Span] = []
    for c in cands:
        if all(c[1] <= o[0] or c[0] >= o[1] for o in chosen):
            chosen.append(c)
    # A bracket left outside every span (a longer span overlapped its literal) is a span of its own:
    # the models must never see a bracket that is not a placeholder.
    for m in BRACKET_RE.finditer(sentence):
        if not any(o[0] <= m.start() < o[1] for o in chosen):
            chosen.append((m.start(), m.end(), Slot(m.group(0))))
    return sorted(chosen, key=lambda c: c[0])


def protect(sentence: str, glossary: Glossary, keep: Iterable[str] = ()) -> Protected:
    spans = _spans(sentence, glossary, keep)
    out, last = [], 0
    for i, (a, b, _) in enumerate(spans):
        out.append(sentence[last:a])
        out.append(f"{OPEN}{i}{CLOSE}")
        last = b
    out.append(sentence[last:])
    return Protected(sentence, "".join(out), tuple(s for _, _, s in spans))


def article_units(
    title: str, blocks: Sequence[Block], keep: Sequence[str], glossary: Glossary, lang: str
) -> list[list[Protected]]:
    """An article's translation units per block (the title first), each with its glossary terms
    and do-not-translate spans replaced by placeholders: what the translate stage decodes, and
    what drafts recover their per-sentence flags from."""
    from xlate import segment

    return [[protect(u, glossary, keep) for u in block] for block in segment.segment(title, blocks, lang)]
