"""Ingest: find article files in the input folder and turn each into an Article.

`scan` only stats files (the no-op run must stay fast); `parse_article` is pure
bytes -> Article and raises InputError with a message an editor can act on.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from xlate.config import Ingest
from xlate.errors import InputError
from xlate.ingest.formats import FORMATS, SUPPORTED, Format, ReadContext, Reader, reader_for
from xlate.ingest.scan import Skipped, SourceFile, scan
from xlate.ingest.slug import slugify, split_lang_suffix
from xlate.model import Article

__all__ = [
    "FORMATS",
    "SUPPORTED",
    "Format",
    "ReadContext",
    "Reader",
    "Skipped",
    "SourceFile",
    "check_size",
    "parse_article",
    "scan",
    "split_lang_suffix",
]


def check_size(rel: str, size: int, cfg: Ingest) -> None:
    if size > cfg.max_file_bytes:
        raise InputError(
            f"{rel}: the file is {_human(size)}, over the limit of {cfg.max_file_bytes:,} bytes "
            "(ingest.max_file_bytes); an article should be far smaller: remove embedded images, "
            "split it, or raise the limit in config.yaml"
        )


def _human(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size:,} bytes"


def parse_article(rel: str, data: bytes, ctx: ReadContext | Ingest) -> Article:
    """Bytes -> Article. A reviewed translation (`<slug>.<lang>.md` for a configured
    language, or front matter `translation_of: <slug>` with `lang:`) comes back with
    `translation_of` set. A bare `Ingest` stands for config.yaml's defaults otherwise."""
    if isinstance(ctx, Ingest):
        ctx = ReadContext(ingest=ctx)
    check_size(rel, len(data), ctx.ingest)
    article = reader_for(rel)(rel, data, ctx)
    stem, lang = split_lang_suffix(PurePosixPath(rel).stem, ctx.review_langs)
    if article.translation_of is None and lang is not None:
        article = replace(article, translation_of=stem, declared_lang=lang)
    if article.translation_of is not None:
        original = slugify(article.translation_of)
        if not original:
            raise InputError(f"{rel}: translation_of {article.translation_of!r} names no article; use its slug")
        if not article.declared_lang:
            example = ctx.targets[0]
            raise InputError(
                f"{rel}: a reviewed translation needs its language: add `lang: {example}` (or "
                f"{', '.join(ctx.targets[1:]) or 'another target'}) to the front matter, or name the file "
                f"{original}.{example}{PurePosixPath(rel).suffix}"
            )
        article = replace(article, translation_of=original, slug=f"{original}-{article.declared_lang}")
    return article
