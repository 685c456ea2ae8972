"""The input formats xlate reads: one ordered registry, one place that knows extensions.

Adding a format is a module with a `read(rel, data, ctx) -> Article` function and one
`Format` line below. Reader modules are imported only when a file of their kind shows
up (a run with nothing new must not pay for lxml or python-docx), so the registry names
modules instead of holding functions.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Protocol, cast
from zoneinfo import ZoneInfo

from xlate.config import Config, Ingest
from xlate.errors import InputError

if TYPE_CHECKING:
    from xlate.model import Article

_DEFAULTS = Config.model_fields
DEFAULT_SOURCE: str = _DEFAULTS["source_lang"].default
DEFAULT_TARGETS: tuple[str, ...] = _DEFAULTS["targets"].default
DEFAULT_TIMEZONE = "Europe/Vilnius"


@dataclass(frozen=True)
class ReadContext:
    """What a reader needs besides the bytes: limits, the languages of this site, its time zone.

    Build it once per run with `from_config`; the defaults are config.yaml's defaults.
    """

    ingest: Ingest = field(default_factory=Ingest)
    source_lang: str = DEFAULT_SOURCE
    targets: tuple[str, ...] = DEFAULT_TARGETS
    timezone: tzinfo = field(default_factory=lambda: ZoneInfo(DEFAULT_TIMEZONE))

    @classmethod
    def from_config(cls, cfg: Config) -> ReadContext:
        # site.timezone is validated (zoneinfo) by config.py.
        zone = ZoneInfo(cfg.site.timezone)
        return cls(ingest=cfg.ingest, source_lang=cfg.source_lang, targets=cfg.targets, timezone=zone)

    @property
    def review_langs(self) -> tuple[str, ...]:
        """Languages a reviewed translation's file name may carry (`<slug>.<lang>.md`)."""
        return (*self.targets, self.source_lang)


class Reader(Protocol):
    """A format's reader: bytes of one file -> Article, or InputError naming the fix."""

    def __call__(self, rel: str, data: bytes, ctx: ReadContext) -> Article: ...


@dataclass(frozen=True)
class Format:
    name: str  # for people: "Markdown", "Word"
    extensions: tuple[str, ...]  # lower case, with the dot
    module: str  # holds `read`, imported on first use

    def reader(self) -> Reader:
        return cast("Reader", importlib.import_module(self.module).read)


# Ordered: the first format that claims an extension reads it.
FORMATS: tuple[Format, ...] = (
    Format("plain text", (".txt",), "xlate.ingest.txt"),
    Format("Markdown", (".md", ".markdown"), "xlate.ingest.markdown"),
    Format("HTML", (".html", ".htm"), "xlate.ingest.html"),
    Format("Word", (".docx",), "xlate.ingest.docx"),
)

SUPPORTED: tuple[str, ...] = tuple(ext for f in FORMATS for ext in f.extensions)

# Formats editors have and xlate does not read, with the way out.
_HINTS = {
    ".doc": "; open it in Word and save as .docx",
    ".rtf": "; open it in Word and save as .docx",
    ".odt": "; in LibreOffice use File > Save As > Word (.docx)",
    ".pdf": "; copy its text into a .txt or .docx file",
}


def format_of(rel: str) -> Format | None:
    ext = PurePosixPath(rel).suffix.lower()
    return next((f for f in FORMATS if ext in f.extensions), None)


def reader_for(rel: str) -> Reader:
    """The reader for this file name, or InputError naming the formats that are read."""
    fmt = format_of(rel)
    if fmt is not None:
        return fmt.reader()
    ext = PurePosixPath(rel).suffix.lower()
    kind = f"files of type {ext}" if ext else "files without an extension"
    raise InputError(f"{rel}: {kind} are not supported; use one of {', '.join(SUPPORTED)}{_HINTS.get(ext, '')}")


def strip_extension(name: str) -> str:
    """'Renginys.Markdown' -> 'Renginys'; an unknown extension is cut like any suffix."""
    lower = name.lower()
    for ext in SUPPORTED:
        if lower.endswith(ext):
            return name[: -len(ext)]
    return PurePosixPath(name).stem
