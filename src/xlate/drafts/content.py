"""What a draft shows: the machine translation sentence by sentence, each with its quality
flags, the original beside each block, and which route produced it when.

The flagged sentences come from where the translate stage located them in the stored text
(`FlagSpan`, kept with each machine translation). For a version stored before xlate kept
them, they are recovered from the translation memory by segmenting and protecting the
source exactly as the translate stage does, then following the route hop by hop. When
neither reproduces the stored translation, the draft shows whole blocks without sentence
marks: never a wrong mark.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from xlate.model import Article, Block, BlockKind, FlagSpan
from xlate.store import Store

# What an editor reads in the comment beside a flagged sentence.
_REASONS = (
    ("degenerate: empty output", "The model gave no translation for this sentence."),
    ("degenerate: runaway output", "The model's output ran on too long; it may be cut off or repeat itself."),
    ("degenerate: repeated", "The model repeated words here; compare with the original."),
    ("placeholder lost", "A name, address or number could not be kept as written; check it against the original."),
)


def reason(flag: str) -> str:
    for prefix, text in _REASONS:
        if flag.startswith(prefix):
            return text
    return f"Check this sentence ({flag})."


@dataclass(frozen=True)
class Sentence:
    text: str
    flags: tuple[str, ...] = ()  # quality flags only (see xlate.translate.is_quality_flag)


@dataclass(frozen=True)
class DraftBlock:
    kind: BlockKind
    sentences: tuple[Sentence, ...]
    original: str

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.sentences if s.text.strip())


@dataclass(frozen=True)
class DraftContent:
    slug: str
    lang: str
    source_lang: str
    title: DraftBlock  # kind is unused
    blocks: tuple[DraftBlock, ...]
    route: str  # e.g. "lt->en->pl (lt_en 1.1, en_pl 1.0)"
    translated_at: datetime
    held: bool = False
    flagged: bool = False  # the rendition is flagged (even if no sentence could be pointed at)

    @property
    def flagged_sentences(self) -> list[tuple[Sentence, str]]:
        """(sentence, reason) for every flagged sentence, headline first."""
        out = []
        for b in (self.title, *self.blocks):
            for s in b.sentences:
                if s.flags:
                    out.append((s, "; ".join(reason(f) for f in s.flags)))
        return out


Hop = tuple[str, str]


@dataclass(frozen=True)
class RouteInfo:
    """How one target was translated: its hops, the installed packages and the glossary."""

    lang: str
    source_lang: str
    hops: tuple[Hop, ...]
    packages: Mapping[Hop, Any]  # InstalledPackage by pair
    glossary: Any  # xlate.translate.protect.Glossary, or None when it could not be read


class _MemoryOnly:
    """An executor that decodes nothing: what the memory lacks stays untranslated (no marks)."""

    def decode(self, batches: Iterable[Any]) -> Iterator[tuple[Any, list[Any]]]:
        for _ in batches:
            pass
        return iter(())

    def close(self) -> None:
        pass


def sentence_outputs(article: Article, route: RouteInfo, store: Store) -> list[list[Sentence]] | None:
    """Per unit block (title first), the translated sentences with their quality flags, as the
    translate stage produced them (the same segmentation, protection and resolution, from the
    memory only); None when the memory cannot tell."""
    from xlate.translate import is_quality_flag, translate_units
    from xlate.translate.protect import Glossary, article_units

    if not isinstance(route.glossary, Glossary) or not route.hops or any(h not in route.packages for h in route.hops):
        return None
    units = article_units(article.title, article.blocks, article.keep, route.glossary, route.source_lang)
    unique = sorted({u for b in units for u in b}, key=lambda u: u.text)
    translated, _ = translate_units(unique, {route.lang: route.hops}, dict(route.packages), _MemoryOnly(), store)
    outs = translated[route.lang]
    if any(u not in outs for b in units for u in b):
        return None
    return [[Sentence(outs[u].text, tuple(f for f in outs[u].flags if is_quality_flag(f))) for u in b] for b in units]


def sentences_from_spans(stored: list[str], spans: Iterable[FlagSpan]) -> list[list[Sentence]] | None:
    """Per stored block (title first), its text cut around the flagged spans: a flagged
    sentence is one piece (empty where the model gave nothing), the text between is another;
    None when a span does not fit."""
    by_block: dict[int, list[FlagSpan]] = {}
    for f in spans:
        by_block.setdefault(f.block, []).append(f)
    out: list[list[Sentence]] = []
    for i, text in enumerate(stored):
        pieces, pos = [], 0
        for f in sorted(by_block.pop(i, ()), key=lambda f: f.start):
            if not pos <= f.start <= f.end <= len(text):
                return None
            if text[pos : f.start].strip():
                pieces.append(Sentence(text[pos : f.start].strip()))
            pieces.append(Sentence(text[f.start : f.end], f.flags))
            pos = f.end
        if text[pos:].strip() or not pieces:
            pieces.append(Sentence(text[pos:].strip()))
        out.append(pieces)
    return None if by_block else out


@dataclass(frozen=True)
class Machine:
    """The stored machine translation a draft is written from."""

    lang: str
    title: str
    blocks: tuple[Block, ...]
    route: str  # e.g. "lt->en->pl (lt_en 1.1, en_pl 1.0)"
    translated_at: datetime
    held: bool = False
    flagged: bool = False


def assemble(article: Article, source_lang: str, mt: Machine, sentences: list[list[Sentence]] | None) -> DraftContent:
    """Put the stored translation and the recovered sentences together. The stored text is
    the truth: sentences are used only when they join to exactly that text."""
    stored = [mt.title, *(b.text for b in mt.blocks)]
    if sentences is not None and len(sentences) == len(stored):
        joined = [DraftBlock(BlockKind.PARAGRAPH, tuple(s), "").text for s in sentences]
        if joined != stored:
            sentences = None
    else:
        sentences = None
    originals = [article.title, *(b.text for b in article.blocks)]
    if len(originals) != len(stored):
        originals = [""] * len(stored)
    per = sentences if sentences is not None else [[Sentence(t)] for t in stored]
    kinds = [BlockKind.HEADING, *(b.kind for b in mt.blocks)]
    made = [DraftBlock(kind, tuple(ss), orig) for kind, ss, orig in zip(kinds, per, originals, strict=True)]
    return DraftContent(
        slug=article.slug,
        lang=mt.lang,
        source_lang=source_lang,
        title=made[0],
        blocks=tuple(made[1:]),
        route=mt.route,
        translated_at=mt.translated_at,
        held=mt.held,
        flagged=mt.flagged,
    )
