"""Run CTranslate2 on Argos packages: one length-sorted batch per model, guarded output.

This is the only module that imports ctranslate2, and it does so lazily: a run
with nothing to decode never loads a model.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from xlate.config import Translate
from xlate.translate.argos import Tokenizer, load_tokenizer
from xlate.translate.packages import InstalledPackage
from xlate.translate.protect import placeholder_ids, stray_brackets

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Output:
    text: str
    score: float | None
    flags: tuple[str, ...] = ()


@dataclass
class _Loaded:
    pkg: InstalledPackage
    tokenizer: Tokenizer
    translator: Any


def _ngram_repeats(tokens: Sequence[str], n: int) -> int:
    """Longest run of the same n-gram repeated back to back."""
    best = 1
    for start in range(n):
        run = 1
        prev: tuple[str, ...] | None = None
        for i in range(start, len(tokens) - n + 1, n):
            cur = tuple(tokens[i : i + n])
            run = run + 1 if cur == prev else 1
            best = max(best, run)
            prev = cur
    return best


def max_output_tokens(src_len: int, ratio: float) -> int:
    """The decoding cap for one sentence: relative to its source length."""
    return int(ratio * src_len) + 10


def degeneracy(src_tokens: Sequence[str], out_tokens: Sequence[str], ratio: float) -> str | None:
    """Why an output looks degenerate, or None. Pure, so it is tested on its own."""
    if not out_tokens and src_tokens:
        return "empty output"
    if len(out_tokens) >= max_output_tokens(len(src_tokens), ratio):
        return "runaway output (hit the length limit; would be cut off)"
    for n in (1, 2, 3, 4):
        limit = 4 if n == 1 else 3
        if _ngram_repeats(out_tokens, n) >= limit and _ngram_repeats(src_tokens, n) < limit:
            return f"repeated {n}-gram"
    return None


_PUNCT_SPLIT = re.compile(r"^▁?[,;:–—-]$")


def split_long(tokens: list[str], limit: int) -> list[list[str]]:
    """Split an over-long token list at the punctuation nearest its middle, recursively;
    at the middle itself when there is none. Never drops a token."""
    if len(tokens) <= limit:
        return [tokens]
    mid = len(tokens) // 2
    cuts = [i + 1 for i, t in enumerate(tokens[:-1]) if _PUNCT_SPLIT.match(t)]
    cut = min(cuts, key=lambda i: abs(i - mid)) if cuts else mid
    if cut <= 0 or cut >= len(tokens):
        cut = mid
    return split_long(tokens[:cut], limit) + split_long(tokens[cut:], limit)


@dataclass
class Engine:
    """Decodes batches for the installed packages. Models load on first use."""

    packages: dict[tuple[str, str], InstalledPackage]
    settings: Translate
    _loaded: dict[tuple[str, str], _Loaded] = field(default_factory=dict)

    def _load(self, pair: tuple[str, str]) -> _Loaded:
        if pair not in self._loaded:
            import ctranslate2

            pkg = self.packages[pair]
            s = self.settings
            device = s.device
            if device == "auto":
                device = "cuda" if ctranslate2.get_cuda_device_count() > 0 else "cpu"
            translator = ctranslate2.Translator(
                str(pkg.path / "model"),
                device=device,
                compute_type=s.compute_type,
                inter_threads=s.inter_threads,
                intra_threads=s.intra_threads,
            )
            self._loaded[pair] = _Loaded(pkg, load_tokenizer(pkg.path, pkg.tokenizer), translator)
        return self._loaded[pair]

    def _decode_options(self, max_src: int) -> dict[str, Any]:
        s = self.settings
        return {
            "beam_size": s.beam_size,
            "num_hypotheses": 1,
            "length_penalty": 0.2,  # Argos's setting; keeps outputs comparable with it
            "replace_unknowns": True,
            "return_scores": True,
            "max_decoding_length": max_output_tokens(max_src, s.length_ratio),
        }

    def _run(self, m: _Loaded, batch: list[list[str]], **opts: Any) -> list[tuple[list[str], float | None]]:
        prefix = [[m.pkg.target_prefix]] * len(batch) if m.pkg.target_prefix else None
        results = m.translator.translate_batch(
            batch,
            target_prefix=prefix,
            max_batch_size=self.settings.max_batch_size,
            batch_type="tokens",
            **opts,
        )
        out = []
        for r in results:
            toks = list(r.hypotheses[0])
            if m.pkg.target_prefix and toks and toks[0] == m.pkg.target_prefix:
                toks = toks[1:]
            out.append((toks, float(r.scores[0]) if r.scores else None))
        return out

    def _detok(self, m: _Loaded, toks: list[str]) -> str:
        text = m.tokenizer.decode(toks)
        if m.pkg.target_prefix and text.startswith(m.pkg.target_prefix):
            text = text[len(m.pkg.target_prefix) :]
        return text.strip()

    def translate(self, pair: tuple[str, str], sentences: Sequence[str]) -> list[Output]:
        """Translate `sentences` with one length-sorted batch call (plus one small retry call)."""
        if not sentences:
            return []
        m = self._load(pair)
        pieces, split = self._pieces(m, sentences)
        order = sorted(range(len(pieces)), key=lambda k: len(pieces[k][1]))
        batch = [pieces[k][1] for k in order]
        decoded = self._run(m, batch, **self._decode_options(max(len(b) for b in batch)))
        results: list[_Piece] = [_Piece([], None, None)] * len(pieces)
        for k, (toks, score) in zip(order, decoded, strict=True):
            results[k] = _Piece(toks, score, self._fault(m, pieces[k][1], toks))
        self._retry(m, pieces, results)
        return self._assemble(m, len(sentences), pieces, results, split)

    def _pieces(self, m: _Loaded, sentences: Sequence[str]) -> tuple[list[tuple[int, list[str]]], set[int]]:
        """(sentence index, tokens) per piece: over-long sentences become several pieces."""
        pieces: list[tuple[int, list[str]]] = []
        split: set[int] = set()
        for i, s in enumerate(sentences):
            chunks = split_long(m.tokenizer.encode(s), self.settings.max_input_tokens)
            if len(chunks) > 1:
                split.add(i)
                log.info("split an over-long sentence (%d pieces) before decoding", len(chunks))
            pieces.extend((i, c) for c in chunks)
        return pieces, split

    def _fault(self, m: _Loaded, src: list[str], out: list[str]) -> str | None:
        """Why an output needs another try: degenerate, or its placeholders differ from the input's."""
        why = degeneracy(src, out, self.settings.length_ratio)
        if why is None and _placeholders_differ(m.tokenizer.decode(src), self._detok(m, out)):
            why = "placeholders differ from the input's"
        return why

    def _retry(self, m: _Loaded, pieces: list[tuple[int, list[str]]], results: list[_Piece]) -> None:
        """One retry with anti-repetition settings, each piece capped relative to its own length."""
        bad = [k for k, r in enumerate(results) if r.fault]
        if not bad:
            return
        retry_batch = [pieces[k][1] for k in bad]
        opts = self._decode_options(max(len(b) for b in retry_batch))
        opts.update(repetition_penalty=1.3, no_repeat_ngram_size=3)
        ratio = self.settings.length_ratio
        for k, (toks, score) in zip(bad, self._run(m, retry_batch, **opts), strict=True):
            src = pieces[k][1]
            toks = toks[: max_output_tokens(len(src), ratio)]
            why = degeneracy(src, toks, ratio)
            # Placeholders still wrong after the retry: the translate stage mends it and flags it.
            results[k] = _Piece(toks, score, f"degenerate: {why}" if why else "retried")

    def _assemble(
        self, m: _Loaded, n: int, pieces: list[tuple[int, list[str]]], results: list[_Piece], split: set[int]
    ) -> list[Output]:
        by_sentence: list[list[_Piece]] = [[] for _ in range(n)]
        for (i, _), r in zip(pieces, results, strict=True):
            by_sentence[i].append(r)
        outs: list[Output] = []
        for i, mine in enumerate(by_sentence):
            text = " ".join(self._detok(m, r.tokens) for r in mine).strip()
            scores = [r.score for r in mine if r.score is not None]
            flags = {r.fault for r in mine if r.fault} | ({"split"} if i in split else set())
            outs.append(Output(text, min(scores) if scores else None, tuple(sorted(flags))))
        return outs


@dataclass(frozen=True)
class _Piece:
    tokens: list[str]
    score: float | None
    fault: str | None  # before the retry: why to retry; after it: the flag


def _placeholders_differ(src: str, out: str) -> bool:
    return placeholder_ids(src) != placeholder_ids(out) or stray_brackets(out)
