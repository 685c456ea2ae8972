"""Pure decisions about drafts: what a review means, which drafts to write, keep or remove,
and what waits for an editor first. No I/O: data in, data out, tested on their own."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import PurePosixPath

from xlate.model import Block

EXTENSIONS = {"docx": ".docx", "md": ".md"}
HISTORY = 4  # fingerprints remembered per draft: an editor may drop in a copy made before a rewrite


class ReviewKind(StrEnum):
    APPROVED = "approved"  # the draft came back as it was written: the editors read and approved the MT
    EDITED = "edited"  # a human translation: no machine-translation notice


def normalize(text: str) -> str:
    return " ".join(text.split())


def fingerprint(title: str, blocks: Iterable[Block | str]) -> str:
    """The words of a version, whitespace-normalised, without block kinds: a Word draft's
    list item and a Markdown draft's paragraph hold the same approved sentence."""
    h = hashlib.sha256(normalize(title).encode())
    for b in blocks:
        h.update(b"\x1e" + normalize(b if isinstance(b, str) else b.text).encode())
    return h.hexdigest()


def classify_review(review_fingerprint: str, machine_fingerprints: Collection[str]) -> ReviewKind:
    """A review whose words are those of a machine translation xlate wrote a draft of (or of
    the current one) is an approval; anything else is the editors' own translation."""
    return ReviewKind.APPROVED if review_fingerprint in machine_fingerprints else ReviewKind.EDITED


def draft_rel(slug: str, lang: str, fmt: str) -> str:
    """`<lang>/<slug>.<lang>.<ext>`: the name alone makes it a reviewed translation in input/."""
    return f"{lang}/{slug}.{lang}{EXTENSIONS[fmt]}"


@dataclass(frozen=True)
class DraftRecord:
    """What xlate remembers of a draft it wrote (in the state's meta table, as JSON)."""

    slug: str
    lang: str
    file: str | None  # relative to paths.drafts; None once removed (the fingerprints stay)
    sha256: str | None  # of the bytes written: anything else on disk is an editor's change
    mt_hash: str | None  # the rendition text hash the draft was written from
    approves: tuple[str, ...] = ()  # fingerprints of the drafts written (as the reader reads them)
    written_at: str | None = None
    stat: str | None = None  # "size:mtime_ns" after writing: the file is hashed only when this differs

    @property
    def key(self) -> str:
        return f"{self.lang}/{self.slug}"


def ledger_to_json(ledger: Mapping[str, DraftRecord]) -> str:
    rows = {
        k: {
            "slug": r.slug,
            "lang": r.lang,
            "file": r.file,
            "sha256": r.sha256,
            "mt_hash": r.mt_hash,
            "approves": list(r.approves),
            "written_at": r.written_at,
            "stat": r.stat,
        }
        for k, r in sorted(ledger.items())
    }
    return json.dumps(rows, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def ledger_from_json(text: str | None) -> dict[str, DraftRecord]:
    if not text:
        return {}
    try:
        rows = json.loads(text)
        return {
            k: DraftRecord(
                slug=str(d["slug"]),
                lang=str(d["lang"]),
                file=d.get("file"),
                sha256=d.get("sha256"),
                mt_hash=d.get("mt_hash"),
                approves=tuple(str(x) for x in d.get("approves", ())),
                written_at=d.get("written_at"),
                stat=d.get("stat"),
            )
            for k, d in rows.items()
        }
    except (ValueError, KeyError, TypeError, AttributeError):
        return {}  # a damaged ledger: drafts are rewritten, editors' changes are found by hash next time


@dataclass(frozen=True)
class Wanted:
    """A published (or held) machine translation that should have a draft."""

    slug: str
    lang: str
    mt_hash: str
    file: str  # relative to paths.drafts

    @property
    def key(self) -> str:
        return f"{self.lang}/{self.slug}"


@dataclass(frozen=True)
class SyncPlan:
    write: tuple[Wanted, ...] = ()
    remove: tuple[str, ...] = ()  # files relative to paths.drafts
    keep_changed: tuple[str, ...] = ()  # drafts an editor changed in place: never touched
    forget: tuple[str, ...] = ()  # ledger keys to drop entirely
    retire: tuple[str, ...] = ()  # ledger keys whose file is gone but whose fingerprints stay


def unrecorded(
    wanted: Mapping[str, Wanted], ledger: Mapping[str, DraftRecord], on_disk: Mapping[str, str | None]
) -> list[str]:
    """Keys whose draft file is on disk where a run killed between writing a draft and
    recording it would leave one: a file the ledger does not name, or other bytes than
    recorded while a rewrite was due (the translation changed). The caller reads each: one
    whose words are the current machine translation's is xlate's (no editor changed a word)."""
    out = []
    for key, want in wanted.items():
        sha, rec = on_disk.get(want.file), ledger.get(key)
        if sha is None or sha == "directory":
            continue
        if rec is None or rec.file != want.file or (sha != rec.sha256 and rec.mt_hash != want.mt_hash):
            out.append(key)
    return out


def plan_sync(
    wanted: Mapping[str, Wanted],
    ledger: Mapping[str, DraftRecord],
    on_disk: Mapping[str, str | None],
    ingested: Collection[str],
    reviewed: Collection[str],
) -> SyncPlan:
    """Decide what to do with every draft.

    `on_disk`: sha256 of each file named by `wanted` or `ledger` (None: not there).
    `ingested`: raw hashes of files xlate read from input/ (a changed draft whose bytes are
    among them was dropped in as a review: it may go). `reviewed`: ledger keys whose
    language now has a reviewed translation (their fingerprints are kept for classification).
    """
    write: list[Wanted] = []
    remove: list[str] = []
    keep: list[str] = []
    forget: list[str] = []
    retire: list[str] = []
    for key in sorted(set(wanted) | set(ledger)):
        want, rec = wanted.get(key), ledger.get(key)
        changed = False
        if rec is not None and rec.file is not None:
            sha = on_disk.get(rec.file)
            changed = sha is not None and sha != rec.sha256
            if changed and sha in ingested and want is None:
                changed = False  # the editor's version is in input/ already: this copy is done
            if changed:
                keep.append(rec.file)
                continue
            if sha is not None and (want is None or want.file != rec.file):
                remove.append(rec.file)
        if want is None:
            if rec is not None:
                (retire if key in reviewed else forget).append(key)
            continue
        if (
            rec is None
            or rec.file != want.file
            or rec.mt_hash != want.mt_hash
            or on_disk.get(want.file) is None
            or on_disk.get(want.file) != rec.sha256
        ):
            if on_disk.get(want.file) is not None and (rec is None or rec.file != want.file):
                keep.append(want.file)  # a file xlate did not write sits where the draft goes
                continue
            write.append(want)
    return SyncPlan(tuple(write), tuple(remove), tuple(keep), tuple(forget), tuple(retire))


def write_order(
    write: Sequence[Wanted], first: Collection[str], held: Collection[str], changed_at: Mapping[str, datetime]
) -> list[Wanted]:
    """The order drafts are written in, since a run's time budget may end the step early:
    the articles this run published (`first`, slugs), then held translations (keys; an
    editor must act before they reach a feed), then the newest translations first."""
    return sorted(
        write,
        key=lambda w: (w.slug not in first, w.key not in held, -changed_at[w.key].timestamp(), w.key),
    )


class Urgency(StrEnum):
    HELD = "held"  # kept out of its feed until an editor approves or corrects it
    STALE = "stale review"  # the original changed after the review: the published text may be wrong
    FLAGGED = "flagged"  # published, but a sentence failed a quality check
    CHANGED = "draft changed"  # an editor changed a draft in place and has not dropped it into input/


_ORDER = {u: i for i, u in enumerate(Urgency)}


@dataclass(frozen=True)
class Waiting:
    slug: str
    lang: str
    why: Urgency
    since: datetime
    path: str  # the draft (or for a stale review, the review file) to open
    detail: str = ""
    sentences: tuple[str, ...] = field(default=())


def most_urgent_first(items: Iterable[Waiting]) -> list[Waiting]:
    """Held before stale before flagged before changed drafts; the longest waiting first."""
    return sorted(items, key=lambda w: (_ORDER[w.why], w.since, w.slug, w.lang))


def draft_target(rel: str) -> tuple[str, str] | None:
    """(slug, lang) of a draft's relative name, or None."""
    p = PurePosixPath(rel)
    parts = p.name.split(".")
    if len(p.parts) != 2 or len(parts) != 3 or parts[1] != p.parts[0]:
        return None
    return parts[0], parts[1]


def sentences_text(units: Sequence[str]) -> str:
    return " ".join(u.strip() for u in units if u.strip())
