"""A draft as Markdown with front matter, read back by `xlate.ingest.markdown`.

The reader keeps the front-matter title and the body's text and drops HTML comments, so
everything that only helps the editor is a comment: the head, the original under each
block, and the reason after a flagged sentence. The translation itself is escaped so that
the reader gives back exactly its characters (no emphasis, links, lists or HTML by accident).
"""

from __future__ import annotations

import re

from xlate.drafts.content import DraftBlock, DraftContent, reason
from xlate.drafts.word import head_lines
from xlate.model import BlockKind

# Inline specials, escaped wherever they stand (CommonMark lets any ASCII punctuation be escaped).
_INLINE = re.compile(r"([\\`*_\[\]<>&{}#!|~])")
# Specials that only matter at the start of a line: list markers, thematic breaks, setext lines.
_LINE_START = re.compile(r"^([-+=:])")
_ORDERED = re.compile(r"^(\d{1,9})([.)])")
_PREFIX = {BlockKind.HEADING: "## ", BlockKind.LIST_ITEM: "- ", BlockKind.QUOTE: "> "}


def escape(text: str) -> str:
    text = _INLINE.sub(r"\\\1", " ".join(text.split()))
    text = _ORDERED.sub(r"\1\\\2", text)
    return _LINE_START.sub(r"\\\1", text)


def _safe(text: str) -> str:
    return re.sub(r"-{2,}", "–", " ".join(text.split())).rstrip("-")


def comment(text: str) -> str:
    """An HTML comment CommonMark reads as one, whatever the text: no '--' inside, no '-' last."""
    return f"<!-- {_safe(text)} -->"


def comment_block(lines: list[str]) -> str:
    """A comment of several lines, on lines of its own (an HTML block the reader drops)."""
    return "\n".join(["<!--", *(_safe(line) for line in lines), "-->"])


def _body(block: DraftBlock) -> str:
    parts: list[str] = []
    before: list[str] = []  # a paragraph must not open with a comment (it would be an HTML block)
    for s in block.sentences:
        text = s.text.strip()
        why = " ".join(reason(f) for f in s.flags)
        if not text:  # the model left it empty: the comment stands where it is missing
            if s.flags and parts:
                parts.append(comment("CHECK: " + why))
            elif s.flags:
                before.append(comment("CHECK (before this sentence): " + why))
            continue
        parts.append(escape(text))
        if s.flags:
            parts.append(comment("CHECK: " + why))
        parts += before
        before = []
    return " ".join(parts + before)


def render(c: DraftContent) -> bytes:
    import yaml

    front = yaml.safe_dump(
        {"translation_of": c.slug, "lang": c.lang, "title": " ".join(c.title.text.split())},
        allow_unicode=True,
        sort_keys=False,
        width=1_000_000,
    )
    note = "Comments like this one (the original, why a sentence is marked) are not published."
    head = head_lines(c, note)
    if c.title.original:
        head.append(f"Original headline: {c.title.original}")
    flagged_title = [s for s in c.title.sentences if s.flags]
    for s in flagged_title:
        head.append("CHECK the headline: " + " ".join(reason(f) for f in s.flags))
    lines = ["---", front.rstrip("\n"), "---", "", comment_block(head), ""]
    for b in c.blocks:
        body = _body(b)
        if not body:
            continue
        lines.append(_PREFIX.get(b.kind, "") + body)
        lines.append("")
        if b.original:
            lines.append(comment(f"{c.source_lang}: {b.original}"))
            lines.append("")
    return "\n".join(lines).encode("utf-8")
