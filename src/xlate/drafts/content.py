"""What a draft shows: the machine translation sentence by sentence, each with its quality
flags, the original beside each block, and which route produced it when.

Per-sentence flags are recovered from the translation memory by segmenting and protecting
the source exactly as the translate stage does, then following the route hop by hop. When
that no longer reproduces the stored translation (memory pruned, glossary edited since),
the draft shows whole blocks without sentence marks: never a wrong mark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from xlate.model import Article, Block, BlockKind
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


def sentence_outputs(
    article: Article,
    lang: str,
    route: Sequence[Hop],
    model_ids: Mapping[Hop, str],
    glossary: object,
    store: Store,
) -> list[list[Sentence]] | None:
    """Per unit block (title first), the translated sentences with their quality flags, as the
    translate stage produced them; None when the memory cannot tell."""
    from xlate import segment
    from xlate.translate import is_quality_flag
    from xlate.translate.memory import normalize
    from xlate.translate.protect import Glossary, Protected, protect

    if not isinstance(glossary, Glossary) or not route or any(h not in model_ids for h in route):
        return None
    units = [[protect(u, glossary, article.keep) for u in b] for b in segment.segment(article.title, article.blocks)]

    def follow(texts: Sequence[str]) -> dict[str, tuple[str, tuple[str, ...]]] | None:
        """Each text through the route: (output, flags) by the text, or None if memory lacks one."""
        current = {t: (t, ()) for t in texts}  # text -> (current output, flags so far)
        out: dict[str, tuple[str, tuple[str, ...]]] = dict(current)
        for hop in route:
            wanted = {normalize(o) for o, _ in out.values() if o.strip()}
            found = store.memory_get(model_ids[hop], wanted)
            nxt: dict[str, tuple[str, tuple[str, ...]]] = {}
            for t, (o, flags) in out.items():
                if not o.strip():
                    nxt[t] = (o, flags)
                    continue
                e = found.get(normalize(o))
                if e is None:
                    return None
                nxt[t] = (e.target, (*flags, *(f for f in e.flags.split(",") if f)))
            out = nxt
        return out

    protected = follow(sorted({u.text for b in units for u in b}))
    if protected is None:
        return None
    result: list[list[Sentence]] = []
    broken: list[Protected] = []
    for b in units:
        row = []
        for u in b:
            o, flags = protected[u.text]
            restored = u.restore(o, lang) if u.slots else o
            if restored is None:
                broken.append(u)
                row.append(Sentence(""))  # filled below
            else:
                row.append(Sentence(restored, tuple(sorted({f for f in flags if is_quality_flag(f)}))))
        result.append(row)
    if broken:
        plain = follow(sorted({u.source for u in broken}))
        if plain is None:
            return None
        for b, row in zip(units, result, strict=True):
            for i, u in enumerate(b):
                if u in broken:
                    o, flags = plain[u.source]
                    q = {f for f in flags if is_quality_flag(f)} | {"placeholder lost"}
                    row[i] = Sentence(o, tuple(sorted(q)))
    return result


def assemble(
    article: Article,
    lang: str,
    source_lang: str,
    title: str,
    blocks: Sequence[Block],
    sentences: list[list[Sentence]] | None,
    route: str,
    translated_at: datetime,
    held: bool,
    flagged: bool,
) -> DraftContent:
    """Put the stored translation and the recovered sentences together. The stored text is
    the truth: sentences are used only when they join to exactly that text."""
    stored = [title, *(b.text for b in blocks)]
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
    kinds = [BlockKind.HEADING, *(b.kind for b in blocks)]
    made = [DraftBlock(kind, tuple(ss), orig) for kind, ss, orig in zip(kinds, per, originals, strict=True)]
    return DraftContent(
        slug=article.slug,
        lang=lang,
        source_lang=source_lang,
        title=made[0],
        blocks=tuple(made[1:]),
        route=route,
        translated_at=translated_at,
        held=held,
        flagged=flagged,
    )
