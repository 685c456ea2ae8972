"""Markdown articles with optional YAML front matter.

The body goes through markdown-it-py's token stream rather than rendered HTML:
we want block structure and plain text, and raw HTML is dropped, not sanitized.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

from xlate.errors import InputError
from xlate.ingest.formats import ReadContext
from xlate.ingest.text import clean, control_note, decode, finish_article, normalize_inline
from xlate.languages import language
from xlate.model import Article, Block, BlockKind

KNOWN_KEYS = ("title", "author", "date", "tags", "slug", "lang", "summary", "image", "no_translate", "translation_of")
# Do-not-translate spans in the body: Pandoc's bracketed-span syntax with the class
# that web translators honour, `[Petro Kriaučiūno]{.notranslate}`.
_NOTRANSLATE = re.compile(r"\[([^\[\]\n]+)\]\{\.notranslate\}")
_FENCE = re.compile(r"^-{3,}[ \t]*$", re.MULTILINE)
_UNSAFE_URL = re.compile(r"^\s*(javascript|vbscript|data):", re.IGNORECASE)
_NULL = "tag:yaml.org,2002:null"


class _TextLoader(yaml.SafeLoader):
    """YAML in which every plain value is text, or empty.

    Front matter names slugs, languages and titles: YAML 1.1 would read `translation_of: 07`
    as 7, `title: 1918` as a number and `lang: no` as False. Dates stay text too and are
    parsed by `to_utc`, which knows the site's time zone.
    """

    yaml_implicit_resolvers = {  # noqa: RUF012 (PyYAML's class-level registry, copied, not shared)
        first: [(tag, rx) for tag, rx in resolvers if tag == _NULL]
        for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def split_front_matter(rel: str, text: str) -> tuple[dict[str, Any], str]:
    """(metadata, body). Only a '---' on the very first line opens front matter,
    so a '---' rule further down the body is never mistaken for it."""
    if not _FENCE.match(text.lstrip("\n")):
        return {}, text
    from frontmatter.default_handlers import YAMLHandler

    handler = YAMLHandler()
    try:
        fm, body = handler.split(text.strip())
    except ValueError:
        raise InputError(
            f"{rel}: front matter starts with '---' but has no closing '---' line; "
            "add a line with just --- after the last key"
        ) from None
    try:
        data = yaml.load(fm, Loader=_TextLoader)  # a SafeLoader with fewer resolvers
    except yaml.YAMLError as e:
        where = ""
        mark = getattr(e, "problem_mark", None)
        if mark is not None:
            where = f" at front-matter line {mark.line + 1}"
        problem = getattr(e, "problem", None) or "syntax error"
        raise InputError(
            f"{rel}: front matter is not valid YAML{where} ({problem}); write one 'key: value' per line, "
            'and put values containing ":" or "#" in quotes'
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise InputError(
            f"{rel}: front matter must be 'key: value' lines (title:, date:, tags: ...), not a {type(data).__name__}"
        )
    return data, body


def unknown_key_warnings(meta: dict[str, Any]) -> list[str]:
    """One warning per key xlate does not know, with the likely intended key."""
    out = []
    for key in (str(k) for k in meta):
        if key in KNOWN_KEYS:
            continue
        close = difflib.get_close_matches(key.lower(), KNOWN_KEYS, n=1, cutoff=0.6)
        hint = f"did you mean `{close[0]}`? " if close else ""
        out.append(f"front matter: unknown key `{key}` was ignored; {hint}known keys: {', '.join(KNOWN_KEYS)}")
    return out


def _scalar(rel: str, key: str, value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise InputError(f"{rel}: front matter '{key}' must be plain text, not a {type(value).__name__}")


def _author(rel: str, value: object) -> str | None:
    if isinstance(value, list):  # several authors
        return ", ".join(s for v in value if (s := _scalar(rel, "author", v)))
    return _scalar(rel, "author", value)


def _tags(rel: str, value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(t for t in (x.strip() for x in value.split(",")) if t)
    if isinstance(value, list):
        return tuple(s for v in value if (s := _scalar(rel, "tags", v)))
    raise InputError(f"{rel}: front matter 'tags' must be a list like [renginiai, vaikams]")


def inline_text(tokens: Sequence[Token]) -> str:
    """Flatten inline markup: keep text and link text, drop images and HTML."""
    out: list[str] = []
    for t in tokens:
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type in ("softbreak", "hardbreak"):
            out.append(" ")
        # image (its alt text is in its children), html_inline, *_open/_close: dropped
    return "".join(out)


# Token types that open (+1) or close (-1) a container whose paragraphs change kind.
_DEPTH = {
    "blockquote_open": ("quote", 1),
    "blockquote_close": ("quote", -1),
    "list_item_open": ("items", 1),
    "list_item_close": ("items", -1),
}


def _kind(heading: str | None, depth: dict[str, int]) -> BlockKind:
    if heading:
        return BlockKind.HEADING
    if depth["items"]:
        return BlockKind.LIST_ITEM
    return BlockKind.QUOTE if depth["quote"] else BlockKind.PARAGRAPH


def body_blocks(src: str) -> tuple[str | None, int, list[Block]]:
    """(first '#' heading or None, its position among the blocks, blocks).
    Later '#' headings become HEADINGs."""
    tokens = MarkdownIt("commonmark").parse(src)
    h1: str | None = None
    h1_pos = 0
    blocks: list[Block] = []
    depth = {"quote": 0, "items": 0}
    heading: str | None = None
    for tok in tokens:
        if tok.type in _DEPTH:
            which, step = _DEPTH[tok.type]
            depth[which] += step
        elif tok.type in ("heading_open", "heading_close"):
            heading = tok.tag if tok.type == "heading_open" else None
        elif tok.type == "inline":
            text = inline_text(tok.children or [])
            if heading == "h1" and h1 is None:
                h1, h1_pos = text, len(blocks)
            else:
                blocks.append(Block(_kind(heading, depth), text))
        elif tok.type in ("fence", "code_block"):
            blocks.append(Block(BlockKind.PARAGRAPH, tok.content))
        # html_block, hr: dropped
    return h1, h1_pos, blocks


def read(rel: str, data: bytes, ctx: ReadContext) -> Article:
    text, removed = clean(decode(rel, data, language(ctx.source_lang)))
    notes = [control_note(removed)] if removed else []
    meta, body = split_front_matter(rel, text)
    keep = [m.group(1) for m in _NOTRANSLATE.finditer(body)]
    body = _NOTRANSLATE.sub(lambda m: m.group(1), body)
    keep.extend(_tags(rel, meta.get("no_translate")))
    h1, h1_pos, blocks = body_blocks(body)
    title = _scalar(rel, "title", meta.get("title"))
    if title and h1 is not None and normalize_inline(h1) != normalize_inline(title):
        # Repeating the title as '# ...' is the usual way to write Markdown; only a
        # different top heading is content.
        blocks.insert(h1_pos, Block(BlockKind.HEADING, h1))
    title = title or h1
    if not title:
        if meta and not blocks:
            raise InputError(f"{rel}: has front matter but no article text; write the article below the closing ---")
        if not blocks or blocks[0].kind is not BlockKind.PARAGRAPH:
            raise InputError(f"{rel}: no headline; add 'title:' to the front matter or a '# Headline' line")
        title = blocks.pop(0).text
        notes.append("no title in front matter and no '# ' heading: used the first paragraph as the headline")
    if meta and not blocks:
        raise InputError(f"{rel}: has front matter but no article text; write the article below the closing ---")
    image = _scalar(rel, "image", meta.get("image"))
    if image and _UNSAFE_URL.match(image):
        notes.append("front matter: dropped an image address that is a script or data URL")
        image = None
    return finish_article(
        rel,
        ctx,
        title=title,
        blocks=blocks,
        notes=notes,
        slug=_scalar(rel, "slug", meta.get("slug")),
        author=_author(rel, meta.get("author")),
        when=meta.get("date"),
        tags=_tags(rel, meta.get("tags")),
        summary=_scalar(rel, "summary", meta.get("summary")),
        declared_lang=_scalar(rel, "lang", meta.get("lang")),
        image=image.strip() if image else None,
        keep=keep,
        translation_of=_scalar(rel, "translation_of", meta.get("translation_of")),
        warnings=unknown_key_warnings(meta),
    )
