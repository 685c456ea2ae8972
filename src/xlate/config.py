"""Load and validate config.yaml.

Relative paths resolve against the folder of the config file, so a copy of the
file in another folder works there. Every error names the key and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictStr,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

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
    drafts: Path = Path("drafts")  # translations waiting for an editor's review (editorial.drafts)


class Person(_Strict):
    name: str = Field(min_length=1)
    email: str | None = Field(default=None, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    uri: str | None = Field(default=None, pattern=r"^https?://[^/\s]+\S*$")


class Site(_Strict):
    base_url: str
    author: Person
    # Dates without a zone (front matter, file times) are read in this zone; an IANA name.
    timezone: str = "Europe/Vilnius"

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{v!r} is not a known time zone; use an IANA name such as Europe/Vilnius") from None
        return v

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
    max_bytes: int = Field(default=1_000_000, ge=10_000, le=100_000_000)
    # Newest articles per language on the index pages; the rest are on monthly archive pages.
    index_items: int = Field(default=20, ge=1, le=1_000)


class Ingest(_Strict):
    settle_seconds: float = Field(default=5.0, ge=0, le=86_400)
    max_file_bytes: int = Field(default=1_000_000, ge=1, le=1_000_000_000)
    max_title_chars: int = Field(default=300, ge=10, le=10_000)
    on_delete: Literal["retract", "keep"] = "retract"
    # A date further than this from now (past or future) is taken for a typo and not trusted.
    date_window_days: int = Field(default=3650, ge=1, le=36_500)


class Detect(_Strict):
    min_probability: float = Field(default=0.80, gt=0, le=1)
    min_chars: int = Field(default=20, ge=0, le=10_000)  # below this, trust the declared/default language


# CTranslate2's compute types (https://opennmt.net/CTranslate2/quantization.html).
ComputeType = Literal[
    "default",
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
]
# Types every CPU build of CTranslate2 runs; any other is checked against the hardware at load.
PORTABLE_COMPUTE_TYPES = frozenset({"default", "auto", "int8", "int8_float32", "float32"})


class Ray(_Strict):
    # None: start a local Ray cluster for the run; else a running cluster ("auto", "ray://host:10001").
    address: str | None = Field(default=None, min_length=1)
    actors: int = Field(default=2, ge=1, le=256)  # translation workers, each holding the models


class Translate(_Strict):
    device: Literal["cpu", "cuda", "auto"] = "cpu"
    compute_type: ComputeType = "int8"
    executor: Literal["local", "ray"] = "local"  # ray: decode on Ray actors (pip install 'xlate[ray]')
    ray: Ray = Ray()
    # Sentences are decoded and checkpointed in chunks of about this many source tokens.
    chunk_tokens: int = Field(default=4096, ge=256, le=1_000_000)
    beam_size: int = Field(default=4, ge=1, le=16)
    inter_threads: int = Field(default=1, ge=1, le=64)
    intra_threads: int = Field(default=0, ge=0, le=256)  # 0: let CTranslate2 pick
    max_batch_size: int = Field(default=2048, ge=1024, le=1_000_000)  # tokens per batch
    max_input_tokens: int = Field(default=200, ge=16, le=1024)  # longer sentences are split first
    length_ratio: float = Field(default=3.0, gt=0, le=20)  # max_decoding_length = ratio * src + 10

    @model_validator(mode="after")
    def _chunk_holds_a_sentence(self) -> Translate:
        if self.chunk_tokens < self.max_input_tokens:
            raise ValueError(
                f"chunk_tokens ({self.chunk_tokens}) must be at least max_input_tokens ({self.max_input_tokens}), "
                "so that every sentence fits in a chunk; raise chunk_tokens"
            )
        return self


class Editorial(_Strict):
    # A translation with a flagged sentence: publish it (and list it in `status`), or hold it
    # in that language until a reviewed translation arrives or `xlate publish --force SLUG`.
    on_flag: Literal["publish", "hold"] = "publish"
    # A reviewed translation whose original changed since: keep publishing it, or let MT take over.
    stale_review: Literal["publish", "machine"] = "publish"
    # Machine translations as drafts for editors (paths.drafts): Word files, Markdown, or none.
    drafts: Literal["docx", "md", "off"] = "docx"


class Run(_Strict):
    # A run stops at a safe point after this many seconds (the next run goes on), so runs started
    # every 5 minutes never pile up. None: no limit.
    max_seconds: float | None = Field(default=240.0, gt=0)


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
    run: Run = Run()

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

    @model_validator(mode="after")
    def _notices(self) -> Config:
        """Every target needs its disclosure texts: refused here, not published in the wrong language."""
        from xlate.languages import language

        src = self.source_lang
        for t in self.targets:
            row = language(t)
            if self.languages[t].mt_notice is None and src not in row.mt_notice:
                raise ValueError(
                    f"languages.{t}.mt_notice: xlate has no machine-translation notice in {row.english_name} for "
                    f"articles translated from {language(src).english_name}; write one here, in {row.english_name}"
                )
            if self.editorial.drafts != "off" and src not in row.reviewed_notice:
                raise ValueError(
                    f"editorial.drafts: xlate's language table (src/xlate/languages.py) has no reviewed-translation "
                    f"notice in {row.english_name} for articles from {language(src).english_name}; add it there "
                    "or set editorial.drafts: off"
                )
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
    if typ == "string_pattern_mismatch":
        example = "info@library.example.lt" if loc.endswith("email") else "https://library.example.lt/"
        return f"{loc}: {err.get('input')!r} is not valid here; write it like {example}"
    if typ == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")  # type: ignore[attr-defined]
        return f"{loc}: {err.get('input')!r} is not allowed; use one of {expected}"
    bounds = {"greater_than_equal": "at least {ge}", "less_than_equal": "at most {le}", "greater_than": "above {gt}"}
    if typ in bounds:
        limit = bounds[typ].format(**err.get("ctx", {}))  # type: ignore[arg-type]
        return f"{loc}: {err.get('input')!r} is out of range; use a value {limit}"
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
    cfg = cfg.resolved(base)
    drafts, feeds = cfg.paths.drafts, cfg.paths.feeds
    if drafts == feeds or feeds in drafts.parents:  # drafts are for editors, never served
        raise ConfigError(
            f"{where}: paths.drafts: {drafts} is inside paths.feeds, which the web server publishes; "
            "choose a folder outside it, e.g. drafts"
        )
    return cfg


def _yaml_problem(e: yaml.YAMLError) -> str:
    """PyYAML's message on one line: the problem and where (errors are one line in every log)."""
    if isinstance(e, yaml.MarkedYAMLError) and e.problem_mark is not None:
        mark = e.problem_mark
        return f"{e.problem or e.context} at line {mark.line + 1}, column {mark.column + 1}"
    return " ".join(str(e).split())


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
        raise ConfigError(f"{path}: not valid YAML ({_yaml_problem(e)}); fix the syntax there") from None
    cfg = parse(data, path.resolve().parent, where=str(path))
    check_hardware(cfg.translate, where=str(path))
    check_executor(cfg.translate, where=str(path))
    if cfg.paths.glossary is not None:
        load_glossary(cfg.paths.glossary, cfg.targets)  # refused now, not mid-run
    return cfg


def check_hardware(t: Translate, where: str = "config") -> None:
    """Fail at load time, not after ingest, when the device or compute type cannot run here.

    Imports ctranslate2 only when the config asks for something the hardware may lack (CUDA,
    or a compute type beyond the portable CPU ones), so ordinary runs stay light.
    """
    if t.device == "cpu" and t.compute_type in PORTABLE_COMPUTE_TYPES:
        return
    if t.device == "auto" and t.compute_type in PORTABLE_COMPUTE_TYPES:
        return
    import ctranslate2

    try:
        cuda_devices = ctranslate2.get_cuda_device_count()
    except RuntimeError:  # a CUDA runtime without a usable driver
        cuda_devices = 0
    device = t.device if t.device != "auto" else ("cuda" if cuda_devices else "cpu")
    if device == "cuda" and cuda_devices == 0:
        raise ConfigError(
            f"{where}: translate.device: cuda, but CTranslate2 sees no CUDA device on this machine; "
            "set translate.device to cpu (or auto), or install the NVIDIA driver and CUDA libraries"
        )
    supported = sorted(ctranslate2.get_supported_compute_types(device))
    if t.compute_type not in supported:
        raise ConfigError(
            f"{where}: translate.compute_type: {t.compute_type} is not supported on this machine's {device}; "
            f"use one of {', '.join(supported)} (int8 is the fastest on CPUs)"
        )


def check_executor(t: Translate, where: str = "config") -> None:
    """`executor: ray` without Ray installed fails at load time (exit 2), not after ingest.
    Looks for the module without importing it."""
    import importlib.util

    if t.executor == "ray" and importlib.util.find_spec("ray") is None:
        raise ConfigError(
            f"{where}: translate.executor: ray, but Ray is not installed here; install it with "
            "pip install 'xlate[ray]' (on every node of the cluster), or set translate.executor: local"
        )


# -- the glossary (paths.glossary) -----------------------------------------------------------

PLACEHOLDER_BRACKETS = ("⟦", "⟧")  # xlate's own placeholders; a term must not contain them


def _clean_text(v: str) -> str:
    if not v.strip():
        raise ValueError("is empty; write the text or remove the entry")
    if v != v.strip():
        raise ValueError(f"{v!r} has spaces at the start or end; remove them")
    if any(b in v for b in PLACEHOLDER_BRACKETS):
        raise ValueError(f"{v!r} contains ⟦ or ⟧, which xlate uses for placeholders; remove them")
    return v


class GlossaryTerm(_Strict):
    """One term: the source-language forms to match and one rendering per target language."""

    forms: tuple[StrictStr, ...]
    renderings: dict[str, StrictStr]

    @model_validator(mode="before")
    @classmethod
    def _split(cls, data: Any) -> Any:
        # In the file the renderings sit beside `forms` (en: …, pl: …); gather them.
        if not isinstance(data, dict):
            raise ValueError("must be a mapping with forms: [...] and one rendering per target language")
        rest = {k: v for k, v in data.items() if k != "forms"}
        return {"forms": data.get("forms"), "renderings": rest} if "forms" in data else {"renderings": rest}

    @field_validator("forms")
    @classmethod
    def _forms(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if not v:
            raise ValueError("is empty; list the forms to match, e.g. [Vilnius, Vilniaus, Vilniuje]")
        for form in v:
            _clean_text(form)
        return v

    @field_validator("renderings")
    @classmethod
    def _renderings(cls, v: dict[str, str], info: ValidationInfo) -> dict[str, str]:
        targets: tuple[str, ...] = (info.context or {}).get("targets", ())
        unknown = [k for k in v if k not in targets]
        if unknown:
            raise ValueError(
                f"{unknown[0]!r} is not a target language (targets: {', '.join(targets)}); "
                "fix the spelling or remove it"
            )
        missing = [t for t in targets if t not in v]
        if missing:
            raise ValueError(f"lacks a rendering for {', '.join(missing)}; add e.g. `{missing[0]}: <name>`")
        for lang, value in v.items():
            try:
                _clean_text(value)
            except ValueError as e:
                raise ValueError(f"{lang}: {e}") from None
        return v


class GlossaryFile(_Strict):
    terms: tuple[GlossaryTerm, ...]

    @model_validator(mode="after")
    def _forms_once(self) -> GlossaryFile:
        seen: dict[str, int] = {}
        for i, term in enumerate(self.terms, start=1):
            for form in dict.fromkeys(term.forms):
                if form in seen:
                    raise ValueError(f"the form {form!r} is listed in terms {seen[form]} and {i}; keep it in one")
                seen[form] = i
        return self


def _glossary_error(err: dict[str, Any], data: object) -> str:
    """`term 3 (Marijampolė), en: is empty; ...`: the entry by number and first form, then the key."""
    loc = list(err["loc"])
    where = "terms"
    if len(loc) >= 2 and loc[0] == "terms" and isinstance(loc[1], int):
        i = loc[1]
        entries = data.get("terms") if isinstance(data, dict) else None
        entry = entries[i] if isinstance(entries, list) and i < len(entries) else None
        forms = entry.get("forms") if isinstance(entry, dict) else None
        first = f" ({forms[0]})" if isinstance(forms, list) and forms and isinstance(forms[0], str) and forms[0] else ""
        rest = [str(x) for x in loc[2:] if x != "renderings"]
        where = f"term {i + 1}{first}" + (f", {'.'.join(rest)}" if rest else "")
    elif loc:
        where = ".".join(str(x) for x in loc)
    typ, msg = str(err["type"]), str(err["msg"]).removeprefix("Value error, ")
    if typ == "missing":
        msg = "is missing; add it" + (" (a list of the forms to match)" if loc[-1:] == ["forms"] else "")
    elif typ == "extra_forbidden":
        msg = "unknown key; the file holds only `terms:`"
    elif typ == "string_type":
        got = err.get("input")
        msg = "is empty; write the text or remove it" if got is None else f"{got!r} must be text; put it in quotes"
    elif typ == "tuple_type":
        msg = "must be a list, e.g. [Vilnius, Vilniaus]" if loc[-1:] == ["forms"] else "must be a list of terms"
    return f"{where}: {msg}"


def parse_glossary(data: object, targets: tuple[str, ...], where: str) -> GlossaryFile:
    """Validate a glossary already read from YAML; errors name the term and the fix (exit 2)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where}: expected a top-level `terms:` list (see glossary.yaml in xlate's folder)")
    try:
        return GlossaryFile.model_validate(data, context={"targets": tuple(targets)})
    except ValidationError as e:
        lines = "; ".join(_glossary_error(dict(err), data) for err in e.errors())
        raise ConfigError(f"{where}: {lines}") from None


def load_glossary(path: Path, targets: tuple[str, ...]) -> GlossaryFile:
    """Read and validate the glossary file named by paths.glossary."""
    where = f"paths.glossary: {path}"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{where} does not exist; create it or remove the key") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{where}: cannot read it ({e}); save it as UTF-8 text readable by xlate") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as e:
        raise ConfigError(f"{where}: not valid YAML ({_yaml_problem(e)}); fix the syntax there") from None
    return parse_glossary(data, targets, where)
