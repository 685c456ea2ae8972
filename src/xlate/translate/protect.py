"""Protect spans from the model: glossary terms and do-not-translate spans (pure).

Before decoding, each protected span becomes a placeholder ``⟦0⟧``, ``⟦1⟧``…;
after decoding (through the pivot too), each placeholder becomes the span's
fixed rendering in the target language, or the span itself for
do-not-translate spans (URLs, e-mail addresses, phone numbers, marked spans).

A model that loses or duplicates a placeholder is caught by `restore`, which
returns None; the caller then translates the sentence without protection and
flags it. A broken placeholder is never published.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

OPEN, CLOSE = "⟦", "⟧"
MAX_SLOTS = 10  # ⟦0⟧..⟦9⟧: the fixture models know these as single tokens
# Moses-based (BPE) tokenizers split the brackets off: accept "⟦ 0 ⟧" too.
PLACEHOLDER_RE = re.compile(r"⟦\s*(\d)\s*⟧")

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


@dataclass(frozen=True)
class Protected:
    source: str  # the sentence as written
    text: str  # the sentence with placeholders: what the models see and the memory keys on
    slots: tuple[Slot, ...]

    def restore(self, output: str, lang: str) -> str | None:
        """Fill placeholders for `lang`; None if the model lost, duplicated or invented one."""
        found = PLACEHOLDER_RE.findall(output)
        if sorted(found) != [str(i) for i in range(len(self.slots))]:
            return None
        return PLACEHOLDER_RE.sub(lambda m: self._fill(int(m.group(1)), lang), output)

    def _fill(self, i: int, lang: str) -> str:
        slot = self.slots[i]
        return dict(slot.renderings).get(lang, slot.source)


def _form_pattern(form: str) -> re.Pattern[str]:
    # Case-aware: the form as listed, and with a capital first letter (sentence start).
    first = form[0]
    head = f"[{re.escape(first)}{re.escape(first.upper())}]" if first.islower() else re.escape(first)
    return re.compile(rf"(?<!{_WORD}){head}{re.escape(form[1:])}(?!{_WORD})")


def _spans(sentence: str, glossary: Glossary, keep: Iterable[str]) -> list[tuple[int, int, Slot]]:
    cands: list[tuple[int, int, Slot]] = []
    for rx in (URL_RE, EMAIL_RE, PHONE_RE):
        cands.extend((m.start(), m.end(), Slot(m.group(0))) for m in rx.finditer(sentence))
    for term in sorted(set(keep), key=len, reverse=True):
        if term:
            cands.extend((m.start(), m.end(), Slot(m.group(0))) for m in re.finditer(re.escape(term), sentence))
    for t in glossary.terms:
        for form in t.forms:
            cands.extend(
                (m.start(), m.end(), Slot(m.group(0), t.renderings)) for m in _form_pattern(form).finditer(sentence)
            )
    # Longest first, then leftmost; drop overlaps.
    cands.sort(key=lambda c: (-(c[1] - c[0]), c[0]))
    chosen: list[tuple[int, int, Slot]] = []
    for c in cands:
        if all(c[1] <= o[0] or c[0] >= o[1] for o in chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c[0])[:MAX_SLOTS]


def protect(sentence: str, glossary: Glossary, keep: Iterable[str] = ()) -> Protected:
    if OPEN in sentence or CLOSE in sentence:
        return Protected(sentence, sentence, ())  # the text itself uses our brackets: do not guess
    spans = _spans(sentence, glossary, keep)
    out, last = [], 0
    for i, (a, b, _) in enumerate(spans):
        out.append(sentence[last:a])
        out.append(f"{OPEN}{i}{CLOSE}")
        last = b
    out.append(sentence[last:])
    return Protected(sentence, "".join(out), tuple(s for _, _, s in spans))
