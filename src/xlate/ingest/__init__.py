"""Ingest: find article files in the input folder and turn each into an Article.

`scan` only stats files (the no-op run must stay fast); `parse_article` is pure
bytes -> Article and raises InputError with a message an editor can act on.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath

from xlate.config import Ingest
from xlate.errors import InputError
from xlate.ingest.scan import SUPPORTED, Skipped, SourceFile, scan
from xlate.ingest.slug import slugify, split_lang_suffix
from xlate.model import Article

__all__ = ["SUPPORTED", "Skipped", "SourceFile", "check_size", "parse_article", "scan", "split_lang_suffix"]


def check_size(rel: str, size: int, cfg: Ingest) -> None:
    if size > cfg.max_file_bytes:
        raise InputError(
            f"{rel}: the file is {_human(size)}, over the limit of {cfg.max_file_bytes:,} bytes "
            "(ingest.max_file_bytes); an article should be far smaller: remove embedded images, "
            "split it, or raise the limit in config.yaml"
        )


def _human(size: int) -> str:
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size:,} bytes"


def parse_article(rel: str, data: bytes, cfg: Ingest) -> Article:
    """Bytes -> Article. A reviewed translation (`<slug>.<lang>.md`, or front matter
    `translation_of: <slug>` with `lang:`) comes back with `translation_of` set."""
    article = _parse(rel, data, cfg)
    stem, lang = split_lang_suffix(PurePosixPath(rel).stem)
    if article.translation_of is None and lang is not None:
        article = replace(article, translation_of=stem, declared_lang=lang)
    if article.translation_of is not None:
        original = slugify(article.translation_of)
        if not original:
            raise InputError(f"{rel}: translation_of {article.translation_of!r} names no article; use its slug")
        if not article.declared_lang:
            raise InputError(
                f"{rel}: a reviewed translation needs its language: add `lang: pl` (or en, ru) to the front "
                f"matter, or name the file {original}.pl{PurePosixPath(rel).suffix}"
            )
        article = replace(article, translation_of=original, slug=f"{original}-{article.declared_lang}")
    return article


def _parse(rel: str, data: bytes, cfg: Ingest) -> Article:
    check_size(rel, len(data), cfg)
    ext = PurePosixPath(rel).suffix.lower()
    # Readers import their libraries only when a file of their kind shows up.
    if ext == ".txt":
        from xlate.ingest import txt

        return txt.parse(rel, data, cfg)
    if ext in (".md", ".markdown"):
        from xlate.ingest import markdown

        return markdown.parse(rel, data, cfg)
    if ext in (".html", ".htm"):
        from xlate.ingest import html

        return html.parse(rel, data, cfg)
    if ext == ".docx":
        from xlate.ingest import docx

        return docx.parse(rel, data, cfg)
    hint = {
        ".doc": "; open it in Word and save as .docx",
        ".rtf": "; open it in Word and save as .docx",
        ".odt": "; in LibreOffice use File > Save As > Word (.docx)",
        ".pdf": "; copy its text into a .txt or .docx file",
    }.get(ext, "")
    kind = f"files of type {ext}" if ext else "files without an extension"
    raise InputError(f"{rel}: {kind} are not supported; use one of {', '.join(SUPPORTED)}{hint}")
