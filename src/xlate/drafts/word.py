"""A draft as a Word document, read back by `xlate.ingest.docx`.

What the reviewed-translation reader takes: the Title paragraph and the body paragraphs
(headings, list items, quotes by style). What it ignores, and what therefore helps the
editor without ever being published: tables (the head box and a grey box under each
paragraph holding the original) and comments (why a highlighted sentence was flagged).
The core properties name the original and the language, so a renamed copy still works.
"""

from __future__ import annotations

import io
import re
from typing import Any

from xlate.drafts.content import DraftBlock, DraftContent, reason
from xlate.ingest.docx import DRAFT_PREFIX
from xlate.languages import language
from xlate.model import BlockKind

_STYLE = {
    BlockKind.HEADING: "Heading 2",
    BlockKind.LIST_ITEM: "List Bullet",
    BlockKind.QUOTE: "Quote",
}
# XML 1.0 cannot carry these; python-docx refuses them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _x(text: str) -> str:
    return _NOT_XML.sub("", text)


def head_lines(c: DraftContent, fmt_note: str) -> list[str]:
    """The draft's head in plain words (shared with the Markdown draft)."""
    name = language(c.lang).english_name
    src = language(c.source_lang).english_name
    flagged = c.flagged_sentences
    lines = [
        f"xlate draft: the {name} machine translation of “{c.slug}” (from {src}).",
        f"Produced by the models {c.route} on {c.translated_at:%Y-%m-%d %H:%M} UTC.",
    ]
    if c.held:
        lines.append("HELD: this translation is not published until an editor approves or corrects it.")
    if flagged:
        lines.append(f"{len(flagged)} sentence(s) marked: the models struggled there; check them first.")
    elif c.flagged:
        lines.append("The models struggled somewhere in this text; read it against the original.")
    lines.append(
        "To approve the translation as it is: drop this file into input/ unchanged. To correct it: "
        f"edit the text, save, and drop the file into input/. {fmt_note}"
    )
    return lines


def _properties(document: Any, c: DraftContent) -> None:
    props = document.core_properties
    props.title = _x(c.title.text)[:255]  # Word's limit for a core property
    props.identifier = f"{DRAFT_PREFIX}{c.slug}"
    props.language = c.lang
    props.subject = f"xlate draft ({c.lang})"
    props.author = "xlate"
    props.last_modified_by = "xlate"
    props.comments = f"Machine translation by {c.route}"
    # `created` stays the template's, which ingest reads as "no date": a draft is not an article's date.
    props.modified = c.translated_at.replace(tzinfo=None)
    props.revision = 1


class _Writer:
    """Adds the draft's parts to a python-docx document."""

    def __init__(self, document: Any) -> None:
        self.document = document
        # Style ids looked up once: python-docx scans every style on each lookup by name.
        self.ids = {s.name: s.style_id for s in document.styles}

    def box(self, lines: list[str], *, italic: bool) -> None:
        """A grey one-cell table: the reviewed-translation reader skips tables."""
        from docx.shared import Pt, RGBColor

        table = self.document.add_table(rows=1, cols=1)
        table._tbl.tblStyle_val = self.ids["Table Grid"]
        cell = table.cell(0, 0)
        for i, line in enumerate(lines):
            p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
            run = p.add_run(_x(line))
            run.italic = italic
            run.font.size = Pt(9)
            run.font.color.rgb = RGBColor(0x55, 0x55, 0x55)

    def paragraph(self, block: DraftBlock, style: str | None) -> None:
        """The translation (see _sentences), then the original in a box."""
        p = self.document.add_paragraph()
        if style is not None:
            p._p.style = self.ids[style]
        self._sentences(p, block)
        if block.original:
            self.box([block.original], italic=True)

    def _sentences(self, p: Any, block: DraftBlock) -> None:
        """One run per sentence; a flagged one highlighted, with a comment. A sentence the
        model left empty has no run: its comment goes on the next run (else the last)."""
        from docx.enum.text import WD_COLOR_INDEX

        last = None
        missing: list[str] = []
        for s in block.sentences:
            text, why = _x(s.text.strip()), _x(" ".join(reason(f) for f in s.flags))
            if not text:
                missing += [why] if s.flags else []
                continue
            if last is not None:
                p.add_run(" ")
            last = p.add_run(text)
            if s.flags:
                last.font.highlight_color = WD_COLOR_INDEX.YELLOW
                self._comment(last, why)
            for w in missing:
                self._comment(last, f"Missing before this: {w}")
            missing = []
        for w in missing:
            self._comment(p.add_run("") if last is None else last, w if last is None else f"Missing after this: {w}")

    def _comment(self, run: Any, text: str) -> None:
        self.document.add_comment([run], text=text, author="xlate", initials="XL")


def render(c: DraftContent) -> bytes:
    import docx

    document = docx.Document()
    _properties(document, c)
    w = _Writer(document)
    note = "The grey boxes hold the original and the comments say why a sentence is marked; neither is published."
    w.box(head_lines(c, note), italic=False)
    w.paragraph(c.title, "Title")
    for b in c.blocks:
        w.paragraph(b, _STYLE.get(b.kind))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
