"""Contender "raw CTranslate2": the practical limit for the same work.

Loads the three installed packages, tokenizes every unit up front, then per model one
length-sorted translate_batch over all sentences with xlate's settings (beam 4,
length_penalty 0.2, batch_type tokens, max_batch_size 2048, int8). English outputs are
detokenized and re-encoded for en->pl and en->ru, as any pivot must. Nothing else:
no files, no database, no language detection, no feeds.

    BENCH_DECODE_LEN=L BENCH_STATS=out.json python -m bench.raw_ct2 MODELS_DIR UNITS_JSON
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from bench.common import ENV_STATS, TokenCounter, decode_len, load_units, write_json


def main() -> None:
    t_start = time.perf_counter()
    models, units_json = Path(sys.argv[1]), Path(sys.argv[2])
    import ctranslate2
    import sentencepiece as spm

    length = decode_len()
    t_import = time.perf_counter()

    def load(pair: str) -> tuple[ctranslate2.Translator, spm.SentencePieceProcessor]:
        pkg = models / f"translate-{pair}"
        tr = ctranslate2.Translator(
            str(pkg / "model"), device="cpu", compute_type="int8", inter_threads=1, intra_threads=0
        )
        return tr, spm.SentencePieceProcessor(model_file=str(pkg / "sentencepiece.model"))

    loaded = {p: load(p) for p in ("lt_en", "en_pl", "en_ru")}
    t_load = time.perf_counter()

    articles = load_units(units_json)
    sentences = sorted({u for art in articles for block in art for u in block})
    counter = TokenCounter()

    def translate(pair: str, texts: list[str]) -> list[str]:
        tr, sp = loaded[pair]
        toks = [sp.encode(s, out_type=str) for s in texts]
        order = sorted(range(len(toks)), key=lambda i: len(toks[i]))
        batch = [toks[i] for i in order]
        t = time.perf_counter()
        results = tr.translate_batch(
            batch,
            beam_size=4,
            num_hypotheses=1,
            length_penalty=0.2,
            replace_unknowns=True,
            return_scores=True,
            max_batch_size=2048,
            batch_type="tokens",
            min_decoding_length=length,
            max_decoding_length=length,
        )
        dt = time.perf_counter() - t
        hyps = [r.hypotheses[0] for r in results]
        counter.add(pair.replace("_", "->"), [len(h) for h in hyps], dt)
        out = [""] * len(texts)
        for i, h in zip(order, hyps, strict=True):
            out[i] = sp.decode_pieces(h)
        return out

    # Each distinct English sentence once, as xlate does (random models map a few sources alike).
    english = sorted({e.strip() for e in translate("lt_en", sentences)} - {""})
    translate("en_pl", english)
    translate("en_ru", english)
    t_end = time.perf_counter()
    write_json(
        Path(os.environ[ENV_STATS]),
        {
            "units": len(sentences),
            "english_unique": len(english),
            "counter": counter.as_json(),
            "phases": {
                "import": round(t_import - t_start, 4),
                "load_models": round(t_load - t_import, 4),
                "tokenize_decode_detok": round(t_end - t_load, 4),
                "decode_only": round(sum(counter.seconds.values()), 4),
            },
        },
    )


if __name__ == "__main__":
    main()
