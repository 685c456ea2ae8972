"""Bytes -> text (encoding detection) and the normalisation every format shares.

Editors save from Word, Notepad, browsers and old Windows machines, so input
arrives as UTF-8 (with or without BOM), UTF-16 with BOM, Windows-1257 or
ISO-8859-13. Everything here is pure: bytes or strings in, values out.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, tzinfo

from xlate.config import Ingest
from xlate.errors import InputError
from xlate.ingest.formats import ReadContext
from xlate.languages import Language
from xlate.model import Article, Block, BlockKind

# Blocks shorter than this may repeat on purpose ("Taip.", "* * *").
MIN_REPEAT_CHARS = 12
# A trailing fragment that is a prefix of an earlier block is a cut-off copy
# when it follows a dropped repeat (the scraper's copy stopped mid-way) or is
# this long (the copy stopped inside its first paragraph).
MIN_CUTOFF_CHARS = 40

_BOMS: tuple[tuple[bytes, str], ...] = (
    # UTF-32 first: its LE BOM starts with the UTF-16 LE BOM.
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document; copy its text into a .txt, .md or .docx file"),
    (b"PK\x03\x04", "a ZIP package (perhaps a .docx or .odt renamed); give it its real extension"),
    (
        b"\xd0\xcf\x11\xe0",
        "an old Word .doc (or other Office binary) file; open it in Word and save as .docx",
    ),
    (b"{\\rtf", "an RTF document; open it in Word and save as .docx"),
    (b"\x89PNG", "a PNG image, not an article"),
    (b"\xff\xd8\xff", "a JPEG image, not an article"),
    (b"GIF8", "a GIF image, not an article"),
)

# A valid multi-byte UTF-8 sequence. Several of them in a file that still fails
# strict UTF-8 mean "UTF-8 with damage", not "some other encoding".
_UTF8_SEQ = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")

_NEWLINES = re.compile(r"\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
# XML 1.0 cannot carry these (feeds are XML), and C1/DEL are invisible junk
# left by wrong decodings. Tab and newline stay; U+FEFF is a stray BOM.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff]")
_CONTROL_NOTE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def decode(rel: str, data: bytes, lang: Language, *, hint: str | None = None) -> str:
    """Decode a text file in language `lang`, or raise InputError saying how to re-save it.

    `hint` is an encoding the file declares itself (an HTML meta charset); it is
    tried after strict UTF-8, which wins whenever it succeeds. Other 8-bit files are
    decoded with the code page that yields most of `lang`'s own letters.
    """
    if not data:
        raise InputError(f"{rel}: the file is empty; put the article in it or delete it")
    marked = _decode_bom(rel, data)
    if marked is not None:
        return marked
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise InputError(f"{rel}: this is {what}")
    if b"\x00" in data:
        raise InputError(_nul_reason(rel, data))
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        first_bad = e
    if hint:
        text = _try_codec(data, hint)
        if text is not None:
            return text
    if len(_UTF8_SEQ.findall(data)) >= 3:
        raise InputError(_broken_utf8_reason(rel, data, first_bad))
    return _detect_8bit(rel, data, lang)


def _decode_bom(rel: str, data: bytes) -> str | None:
    """The text of a file that starts with a byte-order mark; None without one."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec)
            except UnicodeDecodeError as e:
                raise InputError(
                    f"{rel}: starts with a {codec.upper()} byte-order mark but is not valid {codec.upper()} "
                    f"(at byte {e.start}); open it in an editor and save it again as UTF-8"
                ) from None
    return None


def _nul_reason(rel: str, data: bytes) -> str:
    head = data[:4000]
    odd, even = head[1::2].count(0), head[0::2].count(0)
    if max(odd, even) > len(head) // 4:
        return (
            f"{rel}: looks like UTF-16 text without a byte-order mark; save it as UTF-8 "
            "(in Notepad: Save as -> Encoding: UTF-8)"
        )
    return f"{rel}: contains NUL bytes, so it is a binary file, not text; save the article as UTF-8 text"


def _broken_utf8_reason(rel: str, data: bytes, err: UnicodeDecodeError) -> str:
    if err.end >= len(data) and err.reason == "unexpected end of data":
        return (
            f"{rel}: ends in the middle of a character, so the file was cut off while saving or copying; "
            "copy it again from the original"
        )
    line = data.count(b"\n", 0, err.start) + 1
    return (
        f"{rel}: is UTF-8 but has invalid bytes at line {line} (byte 0x{data[err.start]:02x}); parts of it "
        "may be in another encoding (e.g. pasted from a Windows-1257 file). Open it in an editor, fix that "
        "line and save the whole file as UTF-8"
    )


def _try_codec(data: bytes, name: str) -> str | None:
    try:
        return data.decode(codecs.lookup(name).name)
    except (LookupError, UnicodeDecodeError):
        return None


def _score(text: str, letters: frozenset[str]) -> int:
    """Prefer decodings that yield the language's own letters and no control characters."""
    own = sum(1 for ch in text if ch in letters)
    junk = len(_CONTROL_NOTE.findall(text)) + text.count("\ufffd")
    return own - 4 * junk


def _detect_8bit(rel: str, data: bytes, lang: Language) -> str:
    from charset_normalizer import from_bytes  # only non-UTF-8 files pay for it

    guesses = [m.encoding for m in from_bytes(data)]
    # The detector ranks cp1250 and friends above cp1257 for Lithuanian, and
    # cp1257 vs ISO-8859-13 differ only in where the „“ quotes live: score the
    # language's own code pages too.
    candidates = list(dict.fromkeys([*guesses, *lang.encodings]))
    best: tuple[int, int, str] | None = None
    for rank, enc in enumerate(candidates):
        text = _try_codec(data, enc)
        if text is None:
            continue
        key = (_score(text, lang.letters), -rank, text)
        if best is None or key[:2] > best[:2]:
            best = key
    if best is None or (not guesses and best[0] <= 0) or not _plausible(best[2]):
        raise InputError(
            f"{rel}: does not look like text in any known encoding (binary or damaged); save the article as UTF-8 text"
        )
    return best[2]


def _plausible(text: str) -> bool:
    sample = text[:20000]
    if not sample.strip():
        return True  # blank files get their own, clearer error later
    # Controls, unassigned and private-use code points: what binary decodes to.
    # (Not isprintable(): that also rejects NBSP and soft hyphens, common in Word text.)
    bad = sum(1 for ch in sample if unicodedata.category(ch) in _BINARY_CATEGORIES and ch not in "\t\n\r")
    return bad <= max(2, len(sample) // 50)


_BINARY_CATEGORIES = frozenset({"Cc", "Cn", "Co", "Cs"})


def sniff_charset(data: bytes) -> str | None:
    """The charset an HTML file declares in its first few KB, if any."""
    m = re.search(rb"""<meta[^>]+charset\s*=\s*["']?([A-Za-z0-9_.:-]+)""", data[:8192], re.IGNORECASE)
    return m.group(1).decode("ascii") if m else None


# --- normalisation ---------------------------------------------------------------------------


def clean(text: str) -> tuple[str, int]:
    """Unify newlines and strip characters XML cannot carry; return the count of
    removed control characters (a stray BOM is not counted: it is harmless)."""
    text = _NEWLINES.sub("\n", text)
    removed = len(_CONTROL_NOTE.findall(text))
    return _FORBIDDEN.sub("", text), removed


def normalize_inline(text: str) -> str:
    """One block's text: forbidden characters out, NFC, whitespace collapsed.

    Idempotent; NFC runs before collapsing so that removed characters cannot
    leave a base letter and its combining mark apart.
    """
    text, _ = clean(text)
    return " ".join(unicodedata.normalize("NFC", text).split())


def control_note(count: int) -> str:
    return f"removed {count} invisible control character{'s' if count != 1 else ''} (feeds cannot carry them)"


@dataclass(frozen=True)
class Repeats:
    keep: tuple[bool, ...]
    repeated: int
    cutoff: bool

    def notes(self) -> list[str]:
        out = []
        if self.repeated:
            s = "s" if self.repeated != 1 else ""
            out.append(f"dropped {self.repeated} repeated paragraph{s} (copy or scraping artefact)")
        if self.cutoff:
            out.append("dropped a cut-off fragment at the end that repeats the start of an earlier paragraph")
        return out


def find_repeats(texts: Sequence[str], *, protect_last: bool = False) -> Repeats:
    """Mark exact repeats, and a trailing fragment that is a prefix of an earlier
    block, for dropping. Scraped pages often repeat the body and stop mid-text."""
    keep = [True] * len(texts)
    seen: set[str] = set()
    repeated = 0
    for i, t in enumerate(texts):
        if t in seen and len(t) >= MIN_REPEAT_CHARS:
            keep[i] = False
            repeated += 1
        seen.add(t)
    cutoff = False
    kept = [i for i, k in enumerate(keep) if k]
    if kept and not protect_last:
        last = kept[-1]
        frag = texts[last]
        after_repeat = last > 0 and not keep[last - 1]
        long_enough = len(frag) >= MIN_CUTOFF_CHARS or (after_repeat and len(frag) >= MIN_REPEAT_CHARS)
        if long_enough and any(texts[j].startswith(frag) and texts[j] != frag for j in kept[:-1]):
            keep[last] = False
            cutoff = True
    return Repeats(tuple(keep), repeated, cutoff)


_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def _headline(rel: str, title: str, cfg: Ingest, notes: list[str]) -> str:
    """The normalised headline, without markup, checked for presence and length."""
    untagged = normalize_inline(_TAG.sub(" ", title))
    if untagged != title:
        # A headline never needs markup, and feed readers may render RSS titles as HTML.
        notes.append("removed HTML tags from the headline")
        title = untagged
    if not title:
        raise InputError(f"{rel}: no headline found; put the headline on the first line (or in a title)")
    if len(title) > cfg.max_title_chars:
        raise InputError(
            f"{rel}: the headline is {len(title)} characters, over the limit of {cfg.max_title_chars} "
            "(ingest.max_title_chars); shorten it, or check that the first line is a headline "
            "followed by a blank line and not the first paragraph"
        )
    return title


def _body(rel: str, body: list[Block], title: str, notes: list[str]) -> list[Block]:
    """The normalised blocks without a repeat of the headline, repeated paragraphs or a
    cut-off copy at the end; at least one must remain."""
    n = len(body)
    body = [b for b in body if b.text != title]
    if len(body) < n:
        notes.append("dropped a block that repeats the headline")
    if not body:
        raise InputError(f"{rel}: has a headline but no body text; add the article's paragraphs below the headline")
    rep = find_repeats([b.text for b in body], protect_last=body[-1].kind is BlockKind.BYLINE)
    notes.extend(rep.notes())
    return [b for b, k in zip(body, rep.keep, strict=True) if k]


def finish_article(
    rel: str,
    ctx: ReadContext,
    *,
    title: str,
    blocks: Iterable[Block],
    notes: Iterable[str] = (),
    slug: str | None = None,
    author: str | None = None,
    when: object = None,
    tags: Iterable[str] = (),
    summary: str | None = None,
    declared_lang: str | None = None,
    image: str | None = None,
    keep: Iterable[str] = (),
    translation_of: str | None = None,
    warnings: Iterable[str] = (),
) -> Article:
    """Checks and clean-ups every format shares; the one place Articles are built."""
    from xlate.ingest.slug import make_slug  # slug imports this module

    all_notes = list(notes)
    removed = 0

    def norm(s: str) -> str:
        nonlocal removed
        removed += clean(s)[1]
        return normalize_inline(s)

    title = _headline(rel, norm(title), ctx.ingest, all_notes)
    body = _body(rel, [Block(b.kind, t) for b in blocks if (t := norm(b.text))], title, all_notes)

    clean_tags = tuple(dict.fromkeys(t for t in (norm(x) for x in tags) if t))
    summary_n = norm(summary) if summary else None
    author_n = norm(author) if author else None
    if removed:
        all_notes.insert(0, control_note(removed))
    slug_value, slug_notes = make_slug(rel, slug)
    all_notes.extend(slug_notes)
    return Article(
        slug=slug_value,
        source=rel,
        title=title,
        blocks=tuple(body),
        author=author_n or None,
        date=to_utc(rel, when, ctx.timezone),
        tags=clean_tags,
        summary=summary_n or None,
        declared_lang=lang_code(rel, declared_lang),
        image=image,
        keep=tuple(dict.fromkeys(k for k in (normalize_inline(x) for x in keep) if k)),
        translation_of=translation_of,
        notes=tuple(all_notes),
        warnings=tuple(warnings),
    )


# --- metadata ----------------------------------------------------------------------------------

_DATE_ONLY = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?$")
_DATE_TIME = re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})\.?[ T](\d{1,2}):(\d{2})(?::(\d{2}))?$")
_LANG = re.compile(r"^([a-z]{2,3})(?:[-_][a-z0-9]{1,8})*$")


def to_utc(rel: str, value: object, zone: tzinfo) -> datetime | None:
    """An editor's date as tz-aware UTC. Naive values are in the site's time zone
    (site.timezone); a bare date becomes noon there, so the calendar day survives in
    every time zone within ±11 hours of it."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, datetime):
            dt = value
        elif isinstance(value, date):
            dt = datetime.combine(value, time(12, 0))
        elif isinstance(value, str):
            dt = _parse_date(value.strip())
        else:
            raise ValueError
        if dt.tzinfo is None:
            dt = dt.replace(tzinfo=zone)
        return dt.astimezone(UTC)
    except (ValueError, OverflowError):
        raise InputError(
            f"{rel}: date {str(value)[:40]!r} is not a date; write it as 2024-05-03 or 2024-05-03 14:30"
        ) from None


def _parse_date(s: str) -> datetime:
    if m := _DATE_ONLY.match(s):
        return datetime(int(m[1]), int(m[2]), int(m[3]), 12, 0)
    if m := _DATE_TIME.match(s):
        return datetime(int(m[1]), int(m[2]), int(m[3]), int(m[4]), int(m[5]), int(m[6] or 0))
    return datetime.fromisoformat(s)


def lang_code(rel: str, value: object) -> str | None:
    """'lt', 'LT', 'lt-LT' -> 'lt'; anything else is an error the editor can fix."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    m = _LANG.match(str(value).strip().lower())
    if not m:
        raise InputError(f"{rel}: language {str(value)[:40]!r} is not a language code; write a code such as lt")
    return m[1]
