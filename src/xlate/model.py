"""Records that flow between the stages. All frozen: stages return new values."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class BlockKind(StrEnum):
    """What a block is. Each kind is one translation unit or a run of sentences."""

    HEADING = "heading"  # a sub-heading inside the body (h2-h4, Markdown ##)
    PARAGRAPH = "paragraph"
    LIST_ITEM = "list_item"
    QUOTE = "quote"  # a blockquote paragraph
    BYLINE = "byline"  # one short line of the signature at the end


@dataclass(frozen=True)
class Block:
    kind: BlockKind
    text: str  # plain text, NFC, whitespace-normalised, no markup


def text_hash(title: str, blocks: tuple[Block, ...]) -> str:
    h = hashlib.sha256(title.encode())
    for b in blocks:
        h.update(b"\x1e" + b.kind.value.encode() + b"\x1f" + b.text.encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Article:
    """One source article as ingested from one file."""

    slug: str
    source: str  # path relative to the input folder, with forward slashes
    title: str
    blocks: tuple[Block, ...]
    author: str | None = None
    date: datetime | None = None  # editor-given publication date, tz-aware
    tags: tuple[str, ...] = ()
    summary: str | None = None
    declared_lang: str | None = None
    image: str | None = None
    # Spans that must pass through translation verbatim (marked by the editor).
    keep: tuple[str, ...] = ()
    # Set on an editor's reviewed translation: the slug of the original it translates.
    translation_of: str | None = None
    notes: tuple[str, ...] = ()  # human-readable things ingest fixed or noticed
    # Things an editor must hear about (an unknown front-matter key): in the run's output and status.
    warnings: tuple[str, ...] = ()

    @property
    def units(self) -> tuple[str, ...]:
        """The texts to translate, in order: the title first, then each block."""
        return (self.title, *(b.text for b in self.blocks))

    @property
    def text_hash(self) -> str:
        """Hash of the words alone: the same text under two file names is a duplicate."""
        return text_hash(self.title, self.blocks)

    @property
    def content_hash(self) -> str:
        """Hash of everything that ends up in an output. Decides 'changed'."""
        h = hashlib.sha256()
        for part in (
            self.slug,
            self.title,
            self.author or "",
            self.date.isoformat() if self.date else "",
            "\x1f".join(self.tags),
            self.summary or "",
            self.image or "",
            "\x1f".join(self.keep),
            self.translation_of or "",
        ):
            h.update(part.encode())
            h.update(b"\x1e")
        for b in self.blocks:
            h.update(b.kind.value.encode())
            h.update(b"\x1f")
            h.update(b.text.encode())
            h.update(b"\x1e")
        return h.hexdigest()


@dataclass(frozen=True)
class Rendition:
    """An article in one language, ready to publish."""

    slug: str
    lang: str
    title: str
    blocks: tuple[Block, ...]
    published: datetime  # the article's date, else when xlate first published it (tz-aware UTC)
    updated: datetime  # last change of *this language's* text
    author: str | None = None
    tags: tuple[str, ...] = ()
    summary: str | None = None
    machine_translated: bool = False
    flagged: bool = False  # some sentence failed a quality check
    approved: bool = False  # a machine translation an editor approved: the reviewed notice
    # When xlate first published the article; never changes, so entry ids built from it stay
    # stable when an editor corrects the article's date. None: use `published`.
    first_seen: datetime | None = None
    # Machine translations: the flagged sentences, for the editors' drafts; None when not known
    # (source text, reviews, versions stored before xlate kept them).
    flag_spans: tuple[FlagSpan, ...] | None = None


class ArticleState(StrEnum):
    """Where an article stands: waiting for its renditions, published, or taken down."""

    PENDING = "pending"  # ingested; its renditions are not (all) stored yet
    READY = "ready"  # every language version stored; published unless held or scheduled
    RETRACTED = "retracted"  # its file was deleted (ingest.on_delete: retract)


class FileStatus(StrEnum):
    """What a file in input/ turned out to hold."""

    ARTICLE = "article"
    DUPLICATE = "duplicate"  # the same words as another live article: published once
    REVIEW = "review"  # an editor's translation of an article


@dataclass(frozen=True)
class FileRecord:
    """A file of input/ as the state remembers it (stat, raw hash, what it held)."""

    rel: str
    size: int
    mtime_ns: int
    raw_hash: str
    slug: str | None
    status: FileStatus
    warnings: tuple[str, ...] = ()  # what ingest warned about when it last read the file


@dataclass(frozen=True)
class ArticleRecord:
    slug: str
    source_rel: str
    content_hash: str
    article: Article
    published_at: datetime | None  # first seen as ready; None until its renditions are stored
    state: ArticleState


@dataclass(frozen=True)
class Review:
    """An editor's translation of an article into one language; it replaces MT."""

    rel: str
    slug: str
    lang: str
    article: Article
    base_hash: str | None  # the original's text hash when the review was saved

    def stale(self, original_text_hash: str) -> bool:
        # A review saved before its original arrived has nothing to be stale against.
        return self.base_hash is not None and self.base_hash != original_text_hash


@dataclass(frozen=True)
class FlagSpan:
    """A machine-translated sentence a quality check flagged, located in the stored text:
    block 0 is the title, block i the article's block i-1; [start, end) in that block's text."""

    block: int
    start: int
    end: int
    flags: tuple[str, ...]


@dataclass(frozen=True)
class Version:
    """One language version of an article, as the translate stage hands it to the record stage."""

    title: str
    blocks: tuple[Block, ...]
    flagged: bool = False
    reviewed: bool = False
    approved: bool = False  # a review that is an unchanged draft: the editors approved the MT (xlate.drafts)
    flag_spans: tuple[FlagSpan, ...] | None = None  # machine translations: where the flagged sentences are


@dataclass(frozen=True)
class RenditionHead:
    """A stored language version without its body: what the index, the page keys and the
    choice of feed entries need, read without decoding every article's text."""

    slug: str
    lang: str
    title: str
    text_hash: str
    published_at: datetime
    updated_at: datetime
    machine_translated: bool
    flagged: bool
    forced: bool = False
    approved: bool = False  # a machine translation the editors approved (xlate.drafts)
    first_seen: datetime | None = None  # the article's first publication by xlate (entry ids)
    # The article's metadata that reaches the feeds.
    author: str | None = None
    tags: tuple[str, ...] = ()
    summary: str | None = None


@dataclass(frozen=True)
class Quarantined:
    file: str  # path relative to the input folder
    reason: str


@dataclass(frozen=True)
class Warned:
    """Something an editor should hear about one file (the file is published all the same)."""

    file: str  # path relative to the input folder; "<feeds folder>/" for a warning about an output
    warning: str


@dataclass
class RunReport:
    """What one run did. Mutable while the run goes on; serialised at the end.

    There is no "failed" count: a file that cannot be used is quarantined (counted there), and
    anything unexpected ends the run with its own exit code, so nothing fails silently per item.
    """

    published: int = 0
    updated: int = 0
    unchanged: int = 0
    retracted: int = 0
    quarantined: list[Quarantined] = field(default_factory=list)
    decoded_sentences: dict[str, int] = field(default_factory=dict)
    decode_seconds: dict[str, float] = field(default_factory=dict)  # per model: measured throughput for ETAs
    memory_hits: int = 0
    feeds: list[str] = field(default_factory=list)
    routes: dict[str, str] = field(default_factory=dict)
    flagged: list[dict[str, str]] = field(default_factory=list)
    duplicates: list[dict[str, str]] = field(default_factory=list)
    warnings: list[Warned] = field(default_factory=list)
    scheduled: list[tuple[str, datetime]] = field(default_factory=list)  # held until their date, soonest first
    # When the run left nothing for a later run (no settling file, nothing pending): the number
    # of published articles, which a no-op run reports as unchanged; the CLI then leaves a no-op
    # stamp. None when something waits. Not part of the report's JSON.
    settled: int | None = None

    def as_json(self) -> dict[str, object]:
        return {
            "published": self.published,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "retracted": self.retracted,
            "quarantined": [{"file": q.file, "reason": q.reason} for q in self.quarantined],
            "decoded_sentences": dict(sorted(self.decoded_sentences.items())),
            "decode_seconds": {m: round(t, 3) for m, t in sorted(self.decode_seconds.items())},
            "memory_hits": self.memory_hits,
            "feeds": sorted(self.feeds),
            "routes": dict(sorted(self.routes.items())),
            "flagged": self.flagged,
            "duplicates": self.duplicates,
            "warnings": [{"file": w.file, "warning": w.warning} for w in self.warnings],
            "scheduled": [{"slug": slug, "at": at.strftime("%Y-%m-%dT%H:%M:%SZ")} for slug, at in self.scheduled],
        }

    def summary_line(self) -> str:
        text = (
            f"{self.published} published, {self.updated} updated, "
            f"{self.unchanged} unchanged, {self.retracted} retracted, "
            f"{len(self.quarantined)} quarantined"
        )
        return text + (f", {len(self.warnings)} warnings" if self.warnings else "")
