"""The :class:`ScEmbed` model."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from geniml.exceptions import GenimlValueError, ModelError

if TYPE_CHECKING:
    import anndata

    from geniml.region2vec import Region2VecExModel
    from geniml.tokenization import TokenizedCells, Tokenizer

__all__ = ["ScEmbed", "embed", "pool_cells"]

Pooling = Literal["mean", "max"]


def pool_cells(
    offsets: np.ndarray,
    ids: np.ndarray,
    embeddings: np.ndarray,
    *,
    pooling: Pooling = "mean",
    chunk: int = 4096,
) -> tuple[np.ndarray, int]:
    """Pool token vectors per cell: ``(cells x dim array, number of cells without a token)``.

    Rows of ``embeddings`` that are all zero (untrained or special tokens) are skipped. Mean
    pooling is one sparse product ``(cells x tokens) @ embeddings``; max pooling works on chunks
    of cells so that memory stays bounded.
    """
    import scipy.sparse as sp

    offsets = np.asarray(offsets, dtype=np.int64)
    ids = np.asarray(ids, dtype=np.int64)
    n, dim = len(offsets) - 1, embeddings.shape[1]
    trained = np.any(embeddings != 0, axis=1)
    keep = trained[ids] if ids.size else np.zeros(0, dtype=bool)
    cell_of = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    ids_k, cells_k = ids[keep], cell_of[keep]
    counts = np.bincount(cells_k, minlength=n)
    out = np.zeros((n, dim), dtype=np.float32)
    if pooling == "mean":
        m = sp.csr_matrix(
            (np.ones(len(ids_k), dtype=np.float32), (cells_k, ids_k)),
            shape=(n, embeddings.shape[0]),
        )
        out = np.asarray(m @ embeddings.astype(np.float32, copy=False), dtype=np.float32)
        out /= np.maximum(counts, 1)[:, None]
    elif pooling == "max":
        starts = np.concatenate([[0], np.cumsum(counts)])
        for a in range(0, n, chunk):
            b = min(a + chunk, n)
            lo, hi = starts[a], starts[b]
            if hi == lo:
                continue
            vecs = embeddings[ids_k[lo:hi]]
            nonempty = np.flatnonzero(counts[a:b])
            red = np.maximum.reduceat(vecs, starts[a:b][nonempty] - lo, axis=0)
            out[a + nonempty] = red
    else:
        raise GenimlValueError(f"`pooling` must be one of {{'mean','max'}}, got {pooling!r}")
    return out, int((counts == 0).sum())


class ScEmbed:
    """Cell embeddings for scATAC-seq: Region2Vec trained on cells.

    Args:
        model_path: a model folder to load (Region2Vec layout: ``checkpoint.pt`` /
            ``model.safetensors``, ``config.yaml``, ``universe.bed``).
        tokenizer: a ``Tokenizer`` or universe BED path for a new model. Optional: training on
            a parquet file written by ``tokenize_cells`` finds its universe in the file.
        device: torch device (default: CUDA when present, else CPU).
        pooling_method: ``"mean"`` or ``"max"``.
        embedding_dim: vector size.
        window_size: word2vec context half-width.
        negative_samples: negative samples per prediction.

    Examples:
        >>> model = ScEmbed(embedding_dim=100)        # doctest: +SKIP
        >>> model.train("tokens.parquet", epochs=100)  # doctest: +SKIP
        >>> adata.obsm["scembed_X"] = model.encode(adata)  # doctest: +SKIP
    """

    def __init__(
        self,
        model_path: str | os.PathLike | None = None,
        tokenizer: Tokenizer | str | os.PathLike | None = None,
        *,
        device: str | None = None,
        pooling_method: Pooling = "mean",
        embedding_dim: int = 100,
        window_size: int = 5,
        negative_samples: int = 5,
    ) -> None:
        if pooling_method not in ("mean", "max"):
            raise GenimlValueError(
                f"`pooling_method` must be one of {{'mean','max'}}, got {pooling_method!r}"
            )
        self.device = device
        self.pooling_method: Pooling = pooling_method
        self.embedding_dim = embedding_dim
        self.window_size = window_size
        self.negative_samples = negative_samples
        self._r2v: Region2VecExModel | None = None
        self._tokenizer = None
        if model_path is not None:
            from geniml.region2vec import Region2VecExModel

            self._r2v = Region2VecExModel.from_pretrained(model_path, device=device)
            self._tokenizer = self._r2v.tokenizer
            self.embedding_dim = self._r2v.embedding_dim
            self.pooling_method = self._r2v.pooling_method
        elif tokenizer is not None:
            self._tokenizer = _as_tokenizer(tokenizer)

    # -- state ----------------------------------------------------------------------------
    @property
    def tokenizer(self) -> Tokenizer | None:
        """The universe tokenizer (``None`` until known)."""
        return self._tokenizer

    @property
    def region2vec(self) -> Region2VecExModel:
        """The underlying Region2Vec model."""
        if self._r2v is None:
            raise ModelError("the model is not trained or loaded yet")
        return self._r2v

    @property
    def embeddings(self) -> np.ndarray:
        """Token embedding table (vocab_size x embedding_dim)."""
        return self.region2vec.embeddings

    # -- training -------------------------------------------------------------------------
    def train(
        self,
        dataset,
        *,
        epochs: int = 10,
        batch_size: int = 256,
        learning_rate: float = 0.025,
        min_lr: float = 1e-4,
        min_count: int = 1,
        num_cpus: int | None = None,
        seed: int = 42,
        sg: bool = False,
        save_checkpoint_path: str | os.PathLike | None = None,
    ):
        """Train on tokenized cells.

        Args:
            dataset: a parquet tokens file (from ``tokenize_cells``), ``TokenizedCells``, a
                ``Region2VecDataset``, an AnnData / ``.h5ad`` path (tokenized on the fly
                with the model's tokenizer), or a token store (from
                ``tokenize_cells_to_store``; streamed, memory bounded by a group of parts).
            epochs: passes over the cells (tokens reshuffled within each cell every pass).
            batch_size: examples per torch step (GPU backend).
            learning_rate: initial learning rate, decaying linearly to ``min_lr``.
            min_lr: final learning rate.
            min_count: tokens in fewer cells are not trained (default 1: every token of
                every cell; Region2Vec's default of 10 would leave small data sets with
                untrained cells).

            num_cpus: threads (default: all cores).
            seed: random seed.
            sg: skip-gram instead of CBOW.
            save_checkpoint_path: folder for a checkpoint per epoch.

        Returns:
            The training report of the Region2Vec trainer.
        """
        from geniml.region2vec import Region2VecExModel
        from geniml.region2vec.model import _as_store

        store = _as_store(dataset)
        if store is not None:  # streamed a group of row groups at a time (any size)
            if self._tokenizer is None:
                if not store.universe_path or not Path(store.universe_path).exists():
                    raise ModelError(
                        f"{store.path}: the store names no existing universe: pass tokenizer="
                    )
                self._tokenizer = _as_tokenizer(store.universe_path)
            cells = store
        else:
            cells = self._as_cells(dataset)
        if self._r2v is None:
            self._r2v = Region2VecExModel(
                tokenizer=self._tokenizer,
                device=self.device,
                pooling_method=self.pooling_method,
                embedding_dim=self.embedding_dim,
            )
        if store is None and cells.ids.size and cells.ids.max() >= self._tokenizer.vocab_size:
            raise GenimlValueError(
                f"token id {int(cells.ids.max())} is outside the universe's vocabulary "
                f"({self._tokenizer.vocab_size}); were the cells tokenized with another universe?"
            )
        return self._r2v.train(
            cells,
            window_size=self.window_size,
            epochs=epochs,
            min_count=min_count,
            num_cpus=num_cpus or os.cpu_count() or 1,
            seed=seed,
            negative=self.negative_samples,
            init_lr=learning_rate,
            min_lr=min_lr,
            batch_size=batch_size,
            sg=sg,
            save_checkpoint_path=save_checkpoint_path,
        )

    def _as_cells(self, dataset) -> TokenizedCells:
        from geniml.tokenization import (
            Region2VecDataset,
            TokenizedCells,
            read_tokens_parquet,
            tokenize_anndata,
        )

        if isinstance(dataset, TokenizedCells):
            cells = dataset
        elif isinstance(dataset, Region2VecDataset):
            cells = TokenizedCells(dataset.names, dataset.offsets, dataset.ids)
        elif isinstance(dataset, (str, os.PathLike)) and str(dataset).endswith(".parquet"):
            cells = read_tokens_parquet(dataset)
        else:
            if self._tokenizer is None:
                raise ModelError("tokenizing AnnData needs a universe: pass tokenizer=")
            return tokenize_anndata(dataset, self._tokenizer)
        if self._tokenizer is None:
            if not cells.universe_path or not Path(cells.universe_path).exists():
                raise ModelError(
                    "the tokens do not name an existing universe file: pass tokenizer= "
                    "(the universe the cells were tokenized with)"
                )
            self._tokenizer = _as_tokenizer(cells.universe_path)
        return cells

    # -- encoding -------------------------------------------------------------------------
    def encode(
        self,
        adata: anndata.AnnData | str | os.PathLike,
        *,
        pooling: Pooling | None = None,
        chunk_size: int = 20_000,
        output: str | os.PathLike | None = None,
        force: bool = False,
    ) -> np.ndarray:
        """Cell embeddings (cells x embedding_dim, float32).

        Cells are tokenized against the model's universe (peaks mapped to universe regions by
        overlap), then token vectors are pooled per cell. Cells without a trained token get
        zeros and one warning with their count.

        A backed AnnData (``read_h5ad(path, backed="r")``) is encoded ``chunk_size`` cells at
        a time, with memory bounded by one chunk; ``output`` (``.npy``) writes the embeddings
        to a file block by block instead of holding them (the memory-mapped file is
        returned). ``force`` replaces an existing ``output``.
        """
        from geniml.tokenization import tokenize_anndata

        if self._tokenizer is None:
            raise ModelError("the model has no universe: train it or load a model folder")
        if getattr(adata, "isbacked", False) or output is not None:
            from geniml.scembed.stream import encode_backed

            if not isinstance(adata, (str, os.PathLike)) and not getattr(adata, "isbacked", False):
                raise GenimlValueError("`output=` streams from an .h5ad path or a backed AnnData")
            return encode_backed(
                lambda cells: self.encode_tokens(cells, pooling=pooling),
                adata,
                self._tokenizer,
                chunk_size=chunk_size,
                output=output,
                force=force,
            )
        return self.encode_tokens(tokenize_anndata(adata, self._tokenizer), pooling=pooling)

    def encode_tokens(self, cells: TokenizedCells, *, pooling: Pooling | None = None) -> np.ndarray:
        """Embeddings of already tokenized cells (token ids of this model's universe).

        Cells without a trained token get zeros and one warning with their count.
        """
        out, empty = pool_cells(
            cells.offsets, cells.ids, self.embeddings, pooling=pooling or self.pooling_method
        )
        if empty:
            warnings.warn(
                f"{empty} of {len(cells)} cells have no trained token; their embeddings are zero",
                stacklevel=2,
            )
        return out

    # -- persistence ----------------------------------------------------------------------
    def export(self, path: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the model folder (Region2Vec layout)."""
        return self.region2vec.export(path, force=force, model_type="scembed")

    save = export

    @classmethod
    def from_pretrained(cls, path: str | os.PathLike, *, device: str | None = None) -> ScEmbed:
        """Load a model folder (written by :meth:`save` or by upstream geniml)."""
        if not Path(path).is_dir():
            raise ModelError(
                f"{path}: not a local model folder. geniml does not download models at run "
                "time; fetch the Hugging Face repository first (huggingface_hub."
                "snapshot_download) and pass its folder"
            )
        return cls(path, device=device)

    def __repr__(self) -> str:
        state = "untrained" if self._r2v is None else "trained"
        vocab = None if self._tokenizer is None else self._tokenizer.vocab_size
        return f"ScEmbed({state}, vocab_size={vocab}, embedding_dim={self.embedding_dim})"


def _as_tokenizer(tokenizer) -> Tokenizer:
    from geniml.tokenization import Tokenizer

    return tokenizer if isinstance(tokenizer, Tokenizer) else Tokenizer.from_bed(tokenizer)


def embed(
    adata: anndata.AnnData,
    model: ScEmbed | str | os.PathLike,
    *,
    key_added: str = "X_scembed",
    copy: bool = False,
) -> anndata.AnnData | None:
    """Embed the cells of ``adata`` (scverse tool contract).

    Returns:
        ``None`` (or a modified copy when ``copy=True``). Sets ``adata.obsm[key_added]`` (cells x
        embedding_dim) and ``adata.uns["scembed"]`` (``embedding_dim``, ``pooling_method``,
        ``vocab_size``, ``key_added``).
    """
    if not isinstance(model, ScEmbed):
        model = ScEmbed.from_pretrained(model)
    target = adata.copy() if copy else adata
    target.obsm[key_added] = model.encode(target)
    target.uns["scembed"] = {
        "embedding_dim": int(model.embedding_dim),
        "pooling_method": model.pooling_method,
        "vocab_size": int(model.tokenizer.vocab_size),
        "key_added": key_added,
    }
    return target if copy else None
