"""The one adapter to argostranslate's package layer, used by the engine and by package validation.

xlate uses only `argostranslate.package.Package` (metadata, tokenizer) and its tokenizers;
argostranslate is imported inside `load_tokenizer`, so importing this module costs nothing.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any, Protocol


class Tokenizer(Protocol):
    def encode(self, sentence: str) -> list[str]: ...
    def decode(self, tokens: list[str]) -> str: ...


def argos_env(models_dir: Path) -> None:
    """Make importing argostranslate harmless here.

    Its settings module creates folders under $HOME at import time; under a
    hardened service $HOME may be read-only, so point it at a writable place.
    """
    os.environ.setdefault("ARGOS_PACKAGES_DIR", str(models_dir))
    home = Path.home()
    if not os.access(home, os.W_OK):
        base = Path(tempfile.gettempdir()) / "xlate-argos"
        for var, sub in (
            ("XDG_DATA_HOME", "data"),
            ("XDG_CONFIG_HOME", "config"),
            ("XDG_CACHE_HOME", "cache"),
        ):
            os.environ.setdefault(var, str(base / sub))


class SentencePiece:
    """Argos's SentencePiece tokenizer, minus its decode bug.

    argostranslate >= 1.10 replaces every '_' with a space after decoding, which
    breaks URLs, e-mail addresses and handles. SentencePiece's own decoder already
    maps '▁' to spaces, so nothing else is needed.
    """

    def __init__(self, argos_tokenizer: Any) -> None:
        self._argos = argos_tokenizer

    def encode(self, sentence: str) -> list[str]:
        return list(self._argos.encode(sentence))

    def decode(self, tokens: list[str]) -> str:
        return str(self._argos.lazy_processor().decode_pieces(tokens))


def load_tokenizer(pkg_dir: Path, kind: str) -> Tokenizer:
    """The tokenizer argostranslate's package layer builds for the package in `pkg_dir`.

    `kind` is "sentencepiece" (decoded with the fix above) or "bpe" (Moses detokenizer
    and '@@ ' joins, as Argos does it).
    """
    argos_env(pkg_dir.parent)
    from argostranslate.package import Package

    tok = getattr(Package(pkg_dir), "tokenizer", None)
    if tok is None:
        raise ValueError("argostranslate found no tokenizer in the package")
    if kind == "sentencepiece":
        return SentencePiece(tok)
    return tok  # type: ignore[no-any-return]
