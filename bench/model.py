"""Bench translation packages: Argos format, real size, random weights, built without torch.

A package is what `xlate models install FILE` and Argos accept: a zip with one top
folder holding metadata.json, model/ (a CTranslate2 Transformer, int8) and
sentencepiece.model. The Transformer is declared with CTranslate2's spec API
(TransformerSpec.from_config), filled with seeded numpy weights, validated,
quantized to int8 and saved. The SentencePiece model (unigram, shared by source and
target, as in Argos packages) is trained on a generated Lithuanian corpus.

The output projection has a large negative bias on </s>, so the end token never
wins: with random weights a model would otherwise stop at arbitrary points. Decode
lengths are then set by min/max_decoding_length, identically for every contender.

Packages are cached under bench/.cache/models/<label>-<key>/, keyed by the build
parameters, so a second run reuses them.

    python -m bench.model [--quick | --tiny]   # build (or find) the packages, print their paths
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import shutil
import tempfile
import time
import zipfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
CACHE = BENCH_DIR / ".cache"
BUILDER_VERSION = 4  # bump when the build changes in a way the parameters do not show
PAIRS: tuple[tuple[str, str, int], ...] = (("lt", "en", 1), ("en", "pl", 2), ("en", "ru", 3))
LANG_NAMES = {"lt": "Lithuanian", "en": "English", "pl": "Polish", "ru": "Russian"}
# A user-defined SentencePiece symbol. Only the naive-Argos contender uses it, to mark
# sentence ends in pivot text (see bench/naive_argos.py); it never occurs in the corpus.
SENTENCE_MARK = "⟦s⟧"
EOS_BIAS = -1.0e4
EMBEDDING_SCALE = 4.0
SP_SEED = 4242  # corpus seed for tokenizer training; the bench corpus uses other seeds


@dataclass(frozen=True)
class ModelParams:
    label: str
    layers: int = 6
    d_model: int = 512
    heads: int = 8
    ffn: int = 2048
    vocab: int = 32000  # SentencePiece target size (hard_vocab_limit=False: may end lower)
    sp_articles: int = 5000  # articles generated to train SentencePiece
    cross_scale: float = 1.0  # weight scale of the cross-attention output (source influence)
    seed: int = 7

    def key(self) -> str:
        """Changes with the parameters, the builder and the corpus generator (it trains the tokenizer)."""
        h = hashlib.sha256(json.dumps({**asdict(self), "builder": BUILDER_VERSION}, sort_keys=True).encode())
        for name in ("corpus.py", "lithuanian.py"):
            h.update((BENCH_DIR / name).read_bytes())
        return h.hexdigest()[:12]

    def describe(self) -> str:
        return (
            f"Transformer {self.layers}+{self.layers} layers, d_model {self.d_model}, {self.heads} heads, "
            f"FFN {self.ffn}, int8"
        )


# Transformer-base, the size of Argos's own packages.
FULL = ModelParams("base", cross_scale=2.0)
# --quick: small enough to build and run in CI in well under two minutes.
QUICK = ModelParams("quick", layers=2, d_model=256, heads=4, ffn=1024, vocab=8000, sp_articles=800, cross_scale=4.0)
# For building the 1,000-article state cheaply (decode cost is not what that part measures).
TINY = ModelParams("tiny", layers=1, d_model=64, heads=2, ffn=128, vocab=2000, sp_articles=300, cross_scale=4.0)


@dataclass(frozen=True)
class Built:
    params: ModelParams
    folder: Path
    packages: dict[str, Path]  # "lt_en" -> .argosmodel
    vocab_size: int
    model_bytes: int  # size of one model.bin

    def files(self) -> list[Path]:
        return [self.packages[f"{a}_{b}"] for a, b, _ in PAIRS]


def train_sentencepiece(params: ModelParams, out: Path) -> int:
    """Train the shared unigram tokenizer; returns the vocabulary size it reached."""
    import sentencepiece as spm

    from bench.corpus import generate

    lines = [u for a in generate(params.sp_articles, SP_SEED, tag="sp") for u in a.units]
    buf = io.BytesIO()
    spm.set_random_generator_seed(params.seed)
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines),
        model_writer=buf,
        vocab_size=params.vocab,
        model_type="unigram",
        hard_vocab_limit=False,
        character_coverage=1.0,
        user_defined_symbols=[SENTENCE_MARK],
        input_sentence_size=0,
        num_threads=2,
        minloglevel=2,
    )
    out.write_bytes(buf.getvalue())
    return int(spm.SentencePieceProcessor(model_proto=buf.getvalue()).get_piece_size())


def _vocabulary(sp_model: Path) -> list[str]:
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    pieces = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    if pieces[:3] != ["<unk>", "<s>", "</s>"]:
        raise RuntimeError(f"unexpected special pieces {pieces[:3]}")
    return pieces


def build_ct2_model(params: ModelParams, vocab: list[str], seed: int, out_dir: Path) -> None:
    """A Transformer with random weights, declared and saved through CTranslate2's spec API."""
    import numpy as np
    from ctranslate2.specs import transformer_spec

    d, ffn, v = params.d_model, params.ffn, len(vocab)
    rng = np.random.default_rng([params.seed, seed])
    spec = transformer_spec.TransformerSpec.from_config((params.layers, params.layers), params.heads)

    def dense(rows: int, cols: int, scale: float = 1.0) -> Any:
        return (rng.standard_normal((rows, cols), dtype=np.float32) * (scale / np.sqrt(cols))).astype(np.float32)

    def linear(layer: Any, rows: int, cols: int, scale: float = 1.0) -> None:
        layer.weight = dense(rows, cols, scale)
        layer.bias = (rng.standard_normal(rows, dtype=np.float32) * 0.02).astype(np.float32)

    def norm(layer: Any) -> None:
        layer.gamma = np.ones(d, np.float32)
        layer.beta = np.zeros(d, np.float32)

    # Shared source/target embeddings (one SentencePiece vocabulary, as in Argos packages) and an
    # untied output projection. Large embeddings keep each step's output tied to its input token
    # and the source: a random model with tied, small embeddings repeats one token forever and
    # maps most sentences to the same output, which would let xlate's pivot deduplicate them.
    embeddings = dense(v, d, EMBEDDING_SCALE)
    spec.encoder.embeddings[0].weight = embeddings
    spec.decoder.embeddings.weight = embeddings
    spec.decoder.projection.weight = dense(v, d)
    bias = np.zeros(v, np.float32)
    bias[vocab.index("</s>")] = EOS_BIAS  # the end token never wins: lengths come from the decode options
    spec.decoder.projection.bias = bias
    for layer in spec.encoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, ffn, d)
        linear(layer.ffn.linear_1, d, ffn)
    for layer in spec.decoder.layer:
        norm(layer.self_attention.layer_norm)
        linear(layer.self_attention.linear[0], 3 * d, d)
        linear(layer.self_attention.linear[1], d, d)
        norm(layer.attention.layer_norm)
        linear(layer.attention.linear[0], d, d)
        linear(layer.attention.linear[1], 2 * d, d)
        linear(layer.attention.linear[2], d, d, params.cross_scale)
        norm(layer.ffn.layer_norm)
        linear(layer.ffn.linear_0, ffn, d)
        linear(layer.ffn.linear_1, d, ffn)
    norm(spec.encoder.layer_norm)
    norm(spec.decoder.layer_norm)
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization="int8")
    out_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(out_dir))


def _metadata(src: str, tgt: str, params: ModelParams) -> dict[str, Any]:
    return {
        "package_version": "1.0",
        "argos_version": "1.9",
        "from_code": src,
        "from_name": LANG_NAMES[src],
        "to_code": tgt,
        "to_name": LANG_NAMES[tgt],
        "type": "translate",
        "target_prefix": "",
        "links": [],
        "bench": {"label": params.label, "key": params.key(), "random_weights": True},
    }


def _zip_package(folder: Path, out: Path) -> None:
    """One top folder inside, as Argos packs them. Weights are stored (random int8 does not compress)."""
    tmp = out.with_suffix(".tmp")
    with zipfile.ZipFile(tmp, "w") as zf:
        for p in sorted(folder.rglob("*")):
            if p.is_file():
                arc = f"{folder.name}/{p.relative_to(folder).as_posix()}"
                method = zipfile.ZIP_STORED if p.name == "model.bin" else zipfile.ZIP_DEFLATED
                zf.write(p, arc, compress_type=method)
    tmp.replace(out)


def build(params: ModelParams, cache: Path = CACHE, log: Any = print) -> Built:
    """Build the three packages for `params`, or reuse the cached ones."""
    folder = cache / "models" / f"{params.label}-{params.key()}"
    manifest = folder / "build.json"
    if manifest.is_file():
        info = json.loads(manifest.read_text())
        pk = {name: folder / f for name, f in info["packages"].items()}
        if all(p.is_file() for p in pk.values()):
            return Built(params, folder, pk, info["vocab_size"], info["model_bytes"])
    t0 = time.perf_counter()
    folder.mkdir(parents=True, exist_ok=True)
    log(f"building {params.label} packages ({params.describe()}) in {folder} ...")
    with tempfile.TemporaryDirectory(dir=folder) as td:
        work = Path(td)
        sp_model = work / "sentencepiece.model"
        vocab_size = train_sentencepiece(params, sp_model)
        vocab = _vocabulary(sp_model)
        log(f"  SentencePiece: {vocab_size} pieces ({time.perf_counter() - t0:.0f} s)")
        packages: dict[str, str] = {}
        model_bytes = 0
        for src, tgt, seed in PAIRS:
            stem = f"translate-{src}_{tgt}"
            pkg = work / f"{stem}-1_0"
            build_ct2_model(params, vocab, seed, pkg / "model")
            shutil.copy(sp_model, pkg / "sentencepiece.model")
            (pkg / "metadata.json").write_text(json.dumps(_metadata(src, tgt, params), indent=2) + "\n")
            (pkg / "README.md").write_text(
                f"Bench package {src}->{tgt}: {params.describe()}, random weights (seed {seed}). "
                "Built by bench/model.py; it translates nothing meaningfully.\n"
            )
            model_bytes = (pkg / "model" / "model.bin").stat().st_size
            _zip_package(pkg, folder / f"{stem}.argosmodel")
            packages[f"{src}_{tgt}"] = f"{stem}.argosmodel"
        shutil.copy(sp_model, folder / "sentencepiece.model")
    manifest.write_text(
        json.dumps(
            {"params": asdict(params), "packages": packages, "vocab_size": vocab_size, "model_bytes": model_bytes},
            indent=2,
        )
    )
    log(f"  built in {time.perf_counter() - t0:.0f} s")
    for old in folder.parent.glob(f"{params.label}-*"):
        if old != folder:  # an earlier build of this label: stale
            shutil.rmtree(old, ignore_errors=True)
    return Built(params, folder, {k: folder / v for k, v in packages.items()}, vocab_size, model_bytes)


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--quick", action="store_true", help="the small CI model")
    g.add_argument("--tiny", action="store_true", help="the tiny model used to build the 1,000-article state")
    args = ap.parse_args(argv)
    params = QUICK if args.quick else TINY if args.tiny else FULL
    built = build(params)
    print(f"{params.describe()}; vocabulary {built.vocab_size}; model.bin {built.model_bytes / 1e6:.1f} MB")
    for p in built.files():
        print(p)


if __name__ == "__main__":
    main()
