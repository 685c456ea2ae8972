"""Contender "naive Argos": argostranslate.translate.translate() per article and target.

Argos's own defaults (beam 4, token batches of 32, int8 through ARGOS_COMPUTE_TYPE,
models from ARGOS_PACKAGES_DIR). It splits text into paragraphs at newlines and calls
translate_batch once per paragraph with the sentences its sentencizer returns; for
lt->pl and lt->ru it pivots through English, re-splitting the English text, and its
CachedTranslation reuses the lt->en result of the previous call on the same text.

Two things are changed, in this process only:
- the sentencizer (MiniSBDSentencizer, which would download a model) is replaced by one
  that splits at SENTENCE_MARK. The input gives one line per xlate block with the
  block's sentences (xlate's segmentation) joined by the mark, so Argos decodes exactly
  xlate's units and keeps its per-paragraph batching. In pivot text, sentence ends are
  marked by appending the mark to each lt->en hypothesis (one token, added after
  decoding), so en->pl/en->ru see the same sentences instead of one per paragraph;
- translate_batch gets min_decoding_length = max_decoding_length = L, like every
  contender, and counts sentences and output tokens.

    BENCH_DECODE_LEN=L BENCH_STATS=out.json ARGOS_PACKAGES_DIR=MODELS ARGOS_COMPUTE_TYPE=int8 \\
        python -m bench.naive_argos UNITS_JSON
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench.common import ENV_STATS, SENTENCE_MARK, TokenCounter, decode_len, load_units, write_json

TARGETS = ("en", "pl", "ru")


class MarkSentencizer:
    """Stands in for argostranslate.sbd.MiniSBDSentencizer: one sentence per marked segment."""

    def __init__(self, pkg: Any) -> None:
        self.pkg = pkg

    def split_sentences(self, text: str) -> list[str]:
        return [s.strip() for s in text.split(SENTENCE_MARK) if s.strip()]


class _Result:
    def __init__(self, hypotheses: list[list[str]], scores: list[float]) -> None:
        self.hypotheses = hypotheses
        self.scores = scores


def counting_translator(real_cls: Any, counter: TokenCounter, length: int) -> Any:
    class Translator:
        """ctranslate2.Translator as Argos sees it: fixed decode lengths, counted outputs."""

        def __init__(self, model_path: str, **kwargs: Any) -> None:
            self._real = real_cls(model_path, **kwargs)
            meta = json.loads((Path(model_path).parent / "metadata.json").read_text(encoding="utf-8"))
            self.pair = f"{meta['from_code']}->{meta['to_code']}"
            self._mark = meta["from_code"] == "lt"  # first hop of the pivot: mark sentence ends

        def translate_batch(self, source: list[list[str]], **kwargs: Any) -> list[Any]:
            kwargs["min_decoding_length"] = length
            kwargs["max_decoding_length"] = length
            t = time.perf_counter()
            results = self._real.translate_batch(source, **kwargs)
            counter.add(self.pair, [len(r.hypotheses[0]) for r in results], time.perf_counter() - t)
            if not self._mark:
                return list(results)
            return [_Result([[*h, SENTENCE_MARK] for h in r.hypotheses], list(r.scores)) for r in results]

    return Translator


def argos_text(article: list[list[str]]) -> str:
    """One line per block (title first), sentences joined by the mark."""
    return "\n".join(f" {SENTENCE_MARK} ".join(block) for block in article)


def main() -> None:
    t_start = time.perf_counter()
    articles = load_units(Path(sys.argv[1]))
    length = decode_len()
    counter = TokenCounter()

    import argostranslate.translate as at

    t_import = time.perf_counter()
    at.MiniSBDSentencizer = MarkSentencizer

    class _CT2:
        Translator = counting_translator(at.ctranslate2.Translator, counter, length)

    at.ctranslate2 = _CT2

    per_article: list[float] = []
    units: list[int] = []
    for art in articles:
        text = argos_text(art)
        t = time.perf_counter()
        for target in TARGETS:
            at.translate(text, "lt", target)
        per_article.append(time.perf_counter() - t)
        units.append(sum(len(b) for b in art))
    t_end = time.perf_counter()
    write_json(
        Path(os.environ[ENV_STATS]),
        {
            "units": sum(units),
            "counter": counter.as_json(),
            "per_article_seconds": [round(x, 4) for x in per_article],
            "per_article_units": units,
            "phases": {"import": round(t_import - t_start, 4), "translate": round(t_end - t_import, 4)},
        },
    )


if __name__ == "__main__":
    main()
