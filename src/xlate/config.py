"""Load and validate config.yaml.

Relative paths resolve against the folder of the config file, so a copy of the
file in another folder works there. Every error names the key and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from xlate.errors import ConfigError

LANG_RE = re.compile(r"^[a-z]{2,3}$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Paths(_Strict):
    input: Path = Path("input")
    feeds: Path = Path("feeds")
    state: Path = Path("state/xlate.sqlite3")
    models: Path = Path("models")
    quarantine: Path = Path("quarantine")
    glossary: Path | None = None  # YAML: fixed renderings of names, per target language
    drafts: Path = Path("drafts")  # editable drafts of machine translations, for editors; never served


class Person(_Strict):
    name: str = Field(min_length=1)
    email: str | None = None
    uri: str | None = None


class Site(_Strict):
    base_url: str
    author: Person

    @field_validator("base_url")
    @classmethod
    def _absolute_url(cls, v: str) -> str:
        if not re.match(r"^https?://[^/\s]+", v):
            raise ValueError("must be an absolute http(s) URL, e.g. https://library.example.lt/news/")
        return v if v.endswith("/") else v + "/"


class LanguageText(_Strict):
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    # Shown on machine-translated entries and pages; the editorial issue refines it.
    mt_notice: str | None = None


class Feeds(_Strict):
    max_items: int = Field(default=50, ge=1, le=10_000)
    max_bytes: int = Field(default=1_000_000, ge=10_000)


class Ingest(_Strict):
    settle_seconds: float = Field(default=5.0, ge=0)
    max_file_bytes: int = Field(default=1_000_000, ge=1)
    max_title_chars: int = Field(default=300, ge=10)
    on_delete: Literal["retract", "keep"] = "retract"


class Detect(_Strict):
    min_probability: float = Field(default=0.80, gt=0, le=1)
    min_chars: int = Field(default=20, ge=0)  # below this, trust the declared/default language


class Translate(_Strict):
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    compute_type: str = "int8"
    beam_size: int = Field(default=4, ge=1, le=16)
    inter_threads: int = Field(default=1, ge=1)
    intra_threads: int = Field(default=0, ge=0)  # 0: let CTranslate2 pick
    max_batch_size: int = Field(default=2048, ge=1024)  # tokens per batch
    max_input_tokens: int = Field(default=200, ge=16)  # longer sentences are split first
    length_ratio: float = Field(default=3.0, gt=0)  # max_decoding_length = ratio * src + 10


class Editorial(_Strict):
    # A translation with a flagged sentence: publish it (and list it in `status`), or hold it
    # in that language until a reviewed translation arrives or `xlate publish --force SLUG`.
    on_flag: Literal["publish", "hold"] = "publish"
    # A reviewed translation whose original changed since: keep publishing it, or let MT take over.
    stale_review: Literal["publish", "machine"] = "publish"
    # An editable draft beside every machine translation, in the format the editors use:
    # Word by default (editors of a small library work in Word), Markdown, or none.
    drafts: Literal["docx", "md", "off"] = "docx"


class Config(_Strict):
    source_lang: str = "lt"
    targets: tuple[str, ...] = ("en", "pl", "ru")
    pivot: str = "en"
    paths: Paths = Paths()
    site: Site
    languages: dict[str, LanguageText]
    feeds: Feeds = Feeds()
    ingest: Ingest = Ingest()
    detect: Detect = Detect()
    translate: Translate = Translate()
    editorial: Editorial = Editorial()

    @field_validator("source_lang", "pivot")
    @classmethod
    def _lang(cls, v: str) -> str:
        if not LANG_RE.match(v):
            raise ValueError("must be an ISO 639-1 code such as 'lt' or 'en'")
        return v

    @field_validator("targets")
    @classmethod
    def _targets(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("list at least one target language, e.g. [en, pl, ru]")
        for code in v:
            if not LANG_RE.match(code):
                raise ValueError(f"{code!r} is not an ISO 639-1 code such as 'en'")
        if len(set(v)) != len(v):
            raise ValueError("lists a language twice")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        if self.source_lang in self.targets:
            raise ValueError(f"targets must not include the source language {self.source_lang!r}")
        missing = [lang for lang in self.all_langs if lang not in self.languages]
        if missing:
            raise ValueError(
                f"languages: add a title and description for {', '.join(missing)} (each written in that language)"
            )
        extra = [lang for lang in self.languages if lang not in self.all_langs]
        if extra:
            raise ValueError(f"languages: {', '.join(extra)} is neither the source nor a target; remove it")
        return self

    @property
    def all_langs(self) -> tuple[str, ...]:
        """The source language first, then the targets in config order."""
        return (self.source_lang, *self.targets)

    def resolved(self, base: Path) -> Config:
        """Return a copy whose relative paths are anchored at `base`."""
        p = self.paths
        anchored = Paths(**{k: (v if v is None or v.is_absolute() else (base / v)) for k, v in p.model_dump().items()})
        return self.model_copy(update={"paths": anchored})


def _describe(err: dict[str, object]) -> str:
    loc = ".".join(str(x) for x in err["loc"]) or "(top level)"  # type: ignore[attr-defined]
    typ = str(err["type"])
    msg = str(err["msg"])
    if typ == "extra_forbidden":
        return f"{loc}: unknown key; remove it or check its spelling"
    if typ == "missing":
        return f"{loc}: required key is missing; add it"
    msg = msg.removeprefix("Value error, ")
    return f"{loc}: {msg}"


def parse(data: object, base: Path, where: str = "config") -> Config:
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a mapping of keys at the top level")
    try:
        cfg = Config.model_validate(data)
    except ValidationError as e:
        lines = "; ".join(_describe(dict(err)) for err in e.errors())
        raise ConfigError(f"{where}: {lines}") from None
    return cfg.resolved(base)


def load(path: Path) -> Config:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"{path}: config file not found; run from the folder that holds config.yaml or pass --config PATH"
        ) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read config ({e}); save it as UTF-8 text") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{path}: not valid YAML ({e}); fix the syntax at the line shown") from None
    return parse(data, path.resolve().parent, where=str(path))
