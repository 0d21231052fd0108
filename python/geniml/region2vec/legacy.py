"""The seed's ``region2vec(token_folder, save_dir, ...)``: tokenized BED folder in, model out."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from geniml.exceptions import GenimlValueError


def region2vec(
    token_folder: str | os.PathLike,
    save_dir: str | os.PathLike,
    num_shufflings: int = 1000,
    embedding_dim: int = 100,
    context_len: int = 50,
    window_size: int = 5,
    init_lr: float = 0.025,
    *,
    epochs: int | None = None,
    sg: bool = False,
    min_count: int = 5,
    negative: int = 5,
    min_lr: float = 1e-4,
    seed: int = 0,
    n_threads: int | None = None,
    force: bool = False,
) -> Path:
    """Train Region2Vec on a folder of tokenized BED files and write the model folder.

    The folder is ``hard_tokenization``'s output: one BED per region set holding universe
    regions (0-based half-open). The vocabulary is ``universe.bed`` of the folder when present,
    else the distinct regions of all files (sorted). Each file is one document.

    How the seed's parameters map onto the trainer: upstream trained on ``num_shufflings``
    freshly shuffled copies of the corpus, one gensim pass each, with the learning rate falling
    linearly from ``init_lr`` to ``min_lr`` across them; here one shuffling is one epoch
    (documents are reshuffled every epoch), so ``epochs = num_shufflings`` unless ``epochs`` is
    given. ``window_size`` is the word2vec context half-width. ``context_len`` is the length of
    the sentences a shuffled document is cut into (the window never crosses a cut), so the
    context of a region is drawn from at most ``context_len`` co-occurring regions per pass.

    Writes to ``save_dir``: the model folder files (``checkpoint.pt``, ``model.safetensors``,
    ``config.yaml``, ``universe.bed``; loadable with ``Region2VecExModel.from_pretrained``),
    ``embeddings.npy`` (one float32 row per universe region, zero for regions seen fewer than
    ``min_count`` times) and ``regions.bed`` (the regions naming the rows).

    Args:
        token_folder: folder of tokenized BED files.
        save_dir: output folder (created).
        num_shufflings: number of shuffled passes (epochs).
        embedding_dim: vector size.
        context_len: sentence length (see above).
        window_size: context half-width.
        init_lr: initial learning rate.
        epochs: overrides ``num_shufflings``.
        sg: skip-gram instead of CBOW.
        min_count: regions seen fewer times are not trained.
        negative: negative samples.
        min_lr: final learning rate.
        seed: random seed.
        n_threads: threads (default: ``GENIML_NUM_THREADS`` or all cores).
        force: replace existing outputs.

    Returns:
        ``save_dir``.

    Examples:
        >>> region2vec("tokens/", "model/", num_shufflings=10)  # doctest: +SKIP
    """
    from geniml._atomic import atomic_folder, refuse_existing
    from geniml.io import BedSet, bed_files_in
    from geniml.region2vec.model import MODEL_FILES, Region2VecExModel
    from geniml.tokenization import Tokenizer

    folder, out = Path(token_folder), Path(save_dir)
    if not folder.is_dir():
        raise FileNotFoundError(f"token folder not found: {folder}")
    files = [p for p in bed_files_in(folder) if p.name not in ("universe.bed", "universe.bed.gz")]
    if not files:
        raise GenimlValueError(f"{folder}: no tokenized BED files")
    outputs = (*MODEL_FILES, "embeddings.npy", "regions.bed")
    for name in outputs:  # checked before training, not after
        refuse_existing(out / name, force=force)
    if (folder / "universe.bed").exists():
        tok = Tokenizer.from_bed(folder / "universe.bed")
    else:
        tok = Tokenizer(BedSet(files, allow_empty=True).to_regionset().sort().dedup())
    # An empty token file (a BED that no universe region overlaps) is an empty document.
    docs = tok._inner.tokenize_paths(
        files,
        fraction=1e-9,
        fraction_of="query",
        drop_unknown=True,
        unique=False,
        n_threads=n_threads,
        allow_empty=True,
    )
    model = Region2VecExModel(tokenizer=tok, embedding_dim=embedding_dim, device="cpu")
    model.train(
        docs,
        window_size=window_size,
        epochs=epochs if epochs is not None else num_shufflings,
        min_count=min_count,
        num_cpus=n_threads if n_threads is not None else _default_threads(),
        seed=seed,
        sg=sg,
        negative=negative,
        init_lr=init_lr,
        min_lr=min_lr,
        max_sentence_len=context_len,
    )
    emb = model.embeddings[: len(tok.universe)]
    # Model folder, embeddings and regions are one output, swapped in together.
    with atomic_folder(out, force=force, replace=outputs, keep_others=True) as tmp:
        model.export(tmp, force=True)
        with open(tmp / "embeddings.npy", "wb") as fh:
            np.save(fh, emb)
        tok.universe.to_bed(tmp / "regions.bed", force=True)
    return out


def _default_threads() -> int:
    from geniml import _core

    return int(_core.num_threads())
