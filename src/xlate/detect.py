"""Check that an article is in the source language before it is translated.

langdetect is imported (and its profiles loaded) only when an article is
checked, so a run with nothing new never pays for it. Seeded: the same text
always gives the same answer, so a file is never quarantined on one run and
accepted on the next.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from xlate.config import Detect
from xlate.errors import LanguageError
from xlate.languages import language
from xlate.model import Article, BlockKind

# Blocks shorter than this give unreliable per-block guesses.
BLOCK_MIN_CHARS = 40
# A block is reported only when langdetect is this sure (or more, per config).
BLOCK_MIN_PROBABILITY = 0.90


@dataclass(frozen=True)
class Detection:
    lang: str
    probability: float
    notes: tuple[str, ...]


def name(code: str) -> str:
    """The English name of a language code, for messages to the operator (the code if unknown)."""
    return language(code).english_name


def _letters_hint(code: str) -> str:
    """'ą, č, ę…': the letters a wrong encoding would mangle in this language."""
    letters = sorted(ch for ch in language(code).letters if ch.islower())
    return f"check that the file shows {', '.join(letters)} correctly" if letters else "check its encoding"


def _guesses(text: str) -> list[Any]:
    """langdetect's ranked Language(lang, prob) list; [] when there are no letters."""
    from langdetect import DetectorFactory, detect_langs
    from langdetect.lang_detect_exception import LangDetectException

    DetectorFactory.seed = 0
    try:
        return list(detect_langs(text))
    except LangDetectException:
        return []


def _norm_lang(code: str) -> str:
    # langdetect reports a few languages with a region ("zh-cn"); we compare base codes.
    return code.split("-")[0].lower()


def detect_article(article: Article, *, source_lang: str, cfg: Detect) -> Detection:
    rel = article.source
    declared = article.declared_lang
    notes: list[str] = []
    # The byline is names and titles: it says little about the language.
    body = [b.text for b in article.blocks if b.kind is not BlockKind.BYLINE]
    text = "\n".join([article.title, *body]).strip()
    guesses = _guesses(text) if len(text) >= cfg.min_chars else []
    lang, prob = (_norm_lang(guesses[0].lang), float(guesses[0].prob)) if guesses else ("", 0.0)

    if declared and guesses and declared != lang:
        notes.append(f"front matter says '{declared}' but the text looks '{lang}' (p={prob:.2f})")
    if declared and declared != source_lang:
        looks = f"; the text itself looks {name(lang)} (p={prob:.2f})" if guesses else ""
        raise LanguageError(
            f"{rel}: declares language '{declared}' ({name(declared)}), but articles must be in "
            f"{name(source_lang)} '{source_lang}'{looks}; if the text is {name(source_lang)}, set "
            f"lang: {source_lang} (or remove the lang setting), otherwise remove the file"
        )
    if not guesses:
        fallback = declared or source_lang
        why = "front matter" if declared else "the configured source language"
        notes.append(
            f"too little text to detect the language ({len(text)} characters, detect.min_chars="
            f"{cfg.min_chars}); assumed '{fallback}' from {why}"
        )
        return Detection(fallback, 0.0, tuple(notes))
    if lang != source_lang:
        src_p = [g.prob for g in guesses if _norm_lang(g.lang) == source_lang]
        also = f" and only p={src_p[0]:.2f} for {name(source_lang)}" if src_p else ""
        raise LanguageError(
            f"{rel}: detected '{lang}' (p={prob:.2f}){also}, expected {name(source_lang)} '{source_lang}'; "
            f"the article looks {name(lang)}: put only {name(source_lang)} articles in the input folder "
            f"(if it is {name(source_lang)}, {_letters_hint(source_lang)})"
        )
    if prob < cfg.min_probability:
        runner = ""
        if len(guesses) > 1:
            runner = f", next '{_norm_lang(guesses[1].lang)}' (p={guesses[1].prob:.2f})"
        foreign = _block_notes(article, source_lang, cfg)
        which = f" ({'; '.join(foreign)})" if foreign else ""
        raise LanguageError(
            f"{rel}: detected '{lang}' with only p={prob:.2f}{runner}, below detect.min_probability="
            f"{cfg.min_probability:g}; part of the article may be in another language{which}: remove or "
            "translate those parts, or lower detect.min_probability in config.yaml"
        )
    notes.extend(_block_notes(article, source_lang, cfg))
    return Detection(lang, prob, tuple(notes))


def _block_notes(article: Article, source_lang: str, cfg: Detect) -> list[str]:
    """Name blocks that look confidently like another language; they do not fail
    the article (a quoted sentence, a partner's name), but an editor may look."""
    threshold = max(cfg.min_probability, BLOCK_MIN_PROBABILITY)
    out: list[str] = []
    for i, block in enumerate(article.blocks, start=1):
        if block.kind is BlockKind.BYLINE or len(block.text) < BLOCK_MIN_CHARS:
            continue
        guesses = _guesses(block.text)
        if not guesses:
            continue
        lang, prob = _norm_lang(guesses[0].lang), float(guesses[0].prob)
        if lang != source_lang and prob >= threshold:
            out.append(f"block {i} looks {name(lang)} ({lang}, p={prob:.2f})")
    return out
