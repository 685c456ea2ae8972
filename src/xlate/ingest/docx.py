"""Word (.docx) articles. Structure comes from paragraph styles, the way
editors format in Word: Title/Heading 1 for the headline, Heading 2-4 for
sub-headings, the List styles (or Word numbering) for bullets."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime
from typing import Any

from xlate.errors import InputError
from xlate.ingest.formats import ReadContext
from xlate.ingest.text import finish_article
from xlate.ingest.txt import list_item
from xlate.model import Article, Block, BlockKind

# A small .docx unpacks to a few MB at most; more is a zip bomb or not an article.
MAX_UNPACKED = 100_000_000
_HEADING = re.compile(r"^heading ([1-9])$", re.IGNORECASE)
DRAFT_PREFIX = "translation-of:"  # core property `identifier` of an xlate draft (xlate.drafts.word)
# python-docx's built-in template carries this creation date: a document generated from it
# without setting one says nothing about when the article was written.
_TEMPLATE_CREATED = datetime(2013, 12, 23, 23, 15, tzinfo=UTC)


def written(document: Any) -> datetime | None:
    """When the document was created (its core properties), if it says so. Naive values
    are read in the site's time zone by `finish_article`."""
    created = document.core_properties.created
    if not isinstance(created, datetime) or created == _TEMPLATE_CREATED:
        return None
    return created


def _open(rel: str, data: bytes) -> Any:
    fix = "open it in Word (or LibreOffice) and save it as a Word document (.docx)"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(f"{rel}: is an old-format .doc or a password-protected document; {fix}, without a password")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            names = set(z.namelist())
            unpacked = sum(i.file_size for i in z.infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise InputError(f"{rel}: is not a valid .docx file (not a ZIP package, or damaged); {fix}") from None
    if "word/document.xml" not in names:
        raise InputError(f"{rel}: is a ZIP file but not a Word document (no word/document.xml); {fix}")
    if unpacked > MAX_UNPACKED:
        raise InputError(
            f"{rel}: unpacks to {unpacked // 1_000_000} MB, more than an article can need; "
            "remove embedded media or copy the text into a new document"
        )
    import docx

    try:
        return docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises many kinds (KeyError, lxml errors, ValueError...)
        raise InputError(f"{rel}: the Word document is damaged ({type(e).__name__}); {fix}") from None


def _style_names(document: Any) -> tuple[dict[str, str], str]:
    """Paragraph style names by style id, and the default paragraph style's name: looked up
    once per document (python-docx's `paragraph.style` scans every style each time)."""
    from docx.enum.style import WD_STYLE_TYPE

    names = {s.style_id: s.name or "" for s in document.styles if s.type == WD_STYLE_TYPE.PARAGRAPH}
    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    return names, (default.name or "") if default is not None else ""


def _kind(p: Any, names: dict[str, str], default: str) -> tuple[str, int]:
    """('title'|'heading'|'list'|'quote'|'para', heading level)."""
    sid = p._p.style
    name = names.get(sid, default) if sid else default
    if name == "Title":
        return "title", 1
    if m := _HEADING.match(name):
        return "heading", int(m[1])
    if name.startswith("List"):
        return "list", 0
    if name in ("Quote", "Intense Quote"):
        return "quote", 0
    ppr = p._p.pPr
    if ppr is not None and ppr.numPr is not None:  # Word numbering without a List style
        return "list", 0
    return "para", 0


def read(rel: str, data: bytes, ctx: ReadContext) -> Article:
    document = _open(rel, data)
    names, default = _style_names(document)
    paras = [(p.text, *_kind(p, names, default)) for p in document.paragraphs if p.text.strip()]
    if not paras:
        raise InputError(f"{rel}: the Word document has no text; write the article in it or delete it")
    title_at = next((i for i, (_, k, lvl) in enumerate(paras) if k == "title"), None)
    if title_at is None:
        title_at = next((i for i, (_, k, lvl) in enumerate(paras) if k == "heading" and lvl == 1), 0)
    blocks: list[Block] = []
    for i, (text, kind, _level) in enumerate(paras):
        if i == title_at:
            continue
        if kind in ("title", "heading"):
            blocks.append(Block(BlockKind.HEADING, text))
        elif kind == "list":
            # Some editors type a bullet even in a List style: keep one marker, Word's.
            blocks.append(Block(BlockKind.LIST_ITEM, list_item(text.strip()) or text))
        elif kind == "quote":
            blocks.append(Block(BlockKind.QUOTE, text))
        elif (item := list_item(text.strip())) is not None:  # bullets typed by hand
            blocks.append(Block(BlockKind.LIST_ITEM, item))
        else:
            blocks.append(Block(BlockKind.PARAGRAPH, text))
    translation_of, lang = draft_of(document)
    notes = []
    if document.tables and translation_of is None:  # a draft's tables are the editor's aids
        n = len(document.tables)
        notes.append(f"ignored {n} table{'s' if n > 1 else ''} (only paragraphs are translated)")
    return finish_article(
        rel,
        ctx,
        title=paras[title_at][0],
        blocks=blocks,
        notes=notes,
        when=written(document),
        translation_of=translation_of,
        declared_lang=lang,
    )


def draft_of(document: Any) -> tuple[str | None, str | None]:
    """(original slug, language) when the document is an xlate draft (its core properties say
    so), so that a renamed copy is still a reviewed translation; (None, None) otherwise.
    Comments, highlights and tables (the head and the originals) are never read as text."""
    props = document.core_properties
    ident = (props.identifier or "").strip()
    if not ident.startswith(DRAFT_PREFIX):
        return None, None
    return ident[len(DRAFT_PREFIX) :].strip() or None, (props.language or "").strip() or None
