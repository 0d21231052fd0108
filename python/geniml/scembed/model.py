"""The :class:`ScEmbed` model."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from geniml import _core
from geniml._optional import require
from geniml.exceptions import GenimlValueError, ModelError
from geniml.hub import PretrainedMixin

if TYPE_CHECKING:
    import anndata

    from geniml.region2vec import Region2VecExModel
    from geniml.tokenization import TokenizedCells, Tokenizer

__all__ = ["ScEmbed", "embed", "pool_cells", "spectral_token_vectors"]

Pooling = Literal["mean", "max"]
Solver = Literal["spectral", "word2vec"]


def spectral_token_vectors(
    offsets: np.ndarray,
    ids: np.ndarray,
    *,
    vocab_size: int,
    dim: int,
    exclude: np.ndarray | None = None,
    n_iter: int = 7,
    seed: int = 42,
    power: float = 0.75,
) -> np.ndarray:
    """Token vectors from the whole-cell co-occurrence of tokens (``vocab_size x dim``).

    With every cell as one context window, two tokens co-occur once per cell holding both, so
    the co-occurrence matrix is ``B.T @ B`` for the binary cells x tokens matrix ``B``. The
    vectors are the top ``dim`` eigenvectors of the degree-normalised co-occurrence
    ``D^-1/2 (B.T B) D^-1/2`` (``D``: each token's number of co-occurrences), scaled by the
    singular values of ``B D^-1/2`` to the power ``power``, without the first one (the trivial
    eigenvector, about ``sqrt(D)``: it measures how many peaks a cell has, not which; spectral
    embeddings and LSI drop it too). The co-occurrence matrix is never
    built: up to 4,000 cells the SVD is exact (through the cells x cells Gram matrix; ``seed``
    is then unused), beyond that a randomized truncated SVD of the sparse ``B D^-1/2`` (cost
    linear in the tokens of the cells). Tokens that never co-occur, and ``exclude``, get zero rows (which
    :func:`pool_cells` skips). When ``dim`` is not below the number of cells or of usable
    tokens, the extra columns are zero.

    Args:
        offsets: cell ``i`` holds ``ids[offsets[i]:offsets[i+1]]`` (CSR, ``int64``).
        ids: token ids of the cells (each id at most once per cell).
        vocab_size: rows of the result.
        dim: columns of the result.
        exclude: token ids that get zero rows (e.g. special tokens).
        n_iter: power iterations of the randomized SVD (large inputs only).
        seed: seed of the randomized SVD.
        power: exponent of the singular values scaling the vectors (0: plain singular
            vectors; 0.5: the symmetric split of word2vec-style factorisations; 1: LSI's
            scaling). 0.75, the default, was chosen by measurement on two labelled data sets
            (``benches/README.md``): higher powers cluster cells better, lower ones transfer
            labels to new cells slightly better.

    Returns:
        float32 array ``(vocab_size, dim)``.

    Examples:
        >>> import numpy as np
        >>> off = np.array([0, 2, 4, 6, 8])
        >>> ids = np.array([0, 1, 0, 1, 2, 3, 2, 3])  # two groups of cells, two token pairs
        >>> v = spectral_token_vectors(off, ids, vocab_size=5, dim=2)
        >>> v.shape, bool(np.allclose(v[4], 0))
        ((5, 2), True)
    """
    import scipy.sparse as sp
    from sklearn.utils.extmath import randomized_svd

    offsets = np.asarray(offsets, dtype=np.int64)
    ids = np.asarray(ids, dtype=np.int64)
    n = len(offsets) - 1
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(offsets))
    keep = np.ones(len(ids), dtype=bool)
    if exclude is not None and len(exclude):
        keep &= ~np.isin(ids, exclude)
    b = sp.csr_matrix((np.ones(int(keep.sum())), (rows[keep], ids[keep])), shape=(n, vocab_size))
    b.data[:] = 1.0  # duplicates of a token in one cell count once
    per_cell = np.asarray(b.sum(axis=1)).ravel()
    degree = np.asarray(b.T @ (per_cell - 1)).ravel()
    used = np.flatnonzero(degree > 0)
    out = np.zeros((vocab_size, dim), dtype=np.float32)
    k = min(dim + 1, len(used) - 1, n - 1)  # + the trivial first component, dropped below
    if k < 2:
        return out
    m = b[:, used].tocsr()
    m.data = m.data / np.sqrt(degree[used])[m.indices]  # B D^-1/2, column scaling in place
    if n <= _EXACT_MAX_CELLS:
        # exact: eigenvectors of the small cells x cells Gram matrix, mapped to the tokens
        import scipy.linalg as sl
        from threadpoolctl import threadpool_limits

        # One BLAS thread: as fast as two on these small matrices, and it does not collapse
        # on a busy machine (600 cells: 0.5 s single-threaded, 13 s with 2 threads at load 17).
        with threadpool_limits(limits=1, user_api="blas"):
            if n * m.shape[1] <= _DENSE_MAX_ENTRIES:  # dense product: 8x faster on Schep
                dense = m.toarray()
                gram = dense @ dense.T
            else:
                gram = (m @ m.T).toarray()
            w, u = sl.eigh(gram, subset_by_index=[n - k, n - 1])
        order = np.argsort(-w)
        s = np.sqrt(np.maximum(w[order], 0))
        u = u[:, order]
        nz = s > s[0] * 1e-7
        vt = np.zeros((k, m.shape[1]))
        vt[nz] = (m.T @ u[:, nz]).T / s[nz, None]
        vt, s = _fix_signs(vt), s
    else:
        _, s, vt = randomized_svd(m, k, n_iter=n_iter, random_state=seed)
    out[used, : k - 1] = (vt[1:].T * s[1:] ** power).astype(np.float32)
    return out


_EXACT_MAX_CELLS = 4000
_DENSE_MAX_ENTRIES = 10_000_000  # cells x tokens up to which the Gram matrix is a dense product


def _fix_signs(vt: np.ndarray) -> np.ndarray:
    """Make the largest-magnitude entry of each singular vector positive (deterministic)."""
    big = np.argmax(np.abs(vt), axis=1)
    sign = np.sign(vt[np.arange(len(vt)), big])
    sign[sign == 0] = 1
    return vt * sign[:, None]


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

    Args:
        offsets: ``n_cells + 1`` CSR offsets; cell ``i`` has ``ids[offsets[i]:offsets[i+1]]``.
        ids: token ids.
        embeddings: ``(vocab_size, dim)`` token vectors.
        pooling: ``"mean"`` or ``"max"``.
        chunk: cells per block of max pooling.

    Returns:
        ``(cells x dim float32 array, number of cells without a usable token)``; such cells
        get a zero vector.

    Examples:
        >>> import numpy as np
        >>> from geniml.scembed import pool_cells
        >>> emb = np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], dtype=np.float32)
        >>> x, n_empty = pool_cells(np.array([0, 2, 3]), np.array([0, 1, 2]), emb)
        >>> x.tolist(), n_empty
        ([[0.5, 1.0], [0.0, 0.0]], 1)
    """
    sp = require("scipy.sparse")

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
        # rows are already grouped by cell (sorted ids): CSR directly, no COO sort
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(counts, out=indptr[1:])
        m = sp.csr_matrix(
            (np.ones(len(ids_k), dtype=np.float32), ids_k, indptr),
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


class ScEmbed(PretrainedMixin):
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
        solver: Solver = "spectral",
        progress: bool | None = None,
    ):
        """Train on tokenized cells.

        The default solver, ``"spectral"``, fits the token vectors in one step as the truncated
        factorisation of the tokens' whole-cell co-occurrence (see
        :func:`spectral_token_vectors`), the matrix that word2vec with the cell as its window
        factorises implicitly; on the real Schep et al. 2017 cells it clusters cell types about
        twice as well as word2vec (``benches/README.md``) and takes well under a second.
        ``"word2vec"`` runs Region2Vec's CBOW / skip-gram trainer; ``epochs``, ``batch_size``,
        ``learning_rate``, ``min_lr``, ``sg``, ``num_cpus`` and ``save_checkpoint_path`` apply
        to it only. Either way the model is a token embedding table and :meth:`encode` pools it.
        The spectral solver holds all cells' token ids in memory (a token store is read whole);
        ``"word2vec"`` streams a store.

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

            num_cpus: threads (default: ``GENIML_NUM_THREADS``, else all cores).
            seed: random seed.
            sg: skip-gram instead of CBOW.
            save_checkpoint_path: folder for a checkpoint per epoch.
            solver: ``"spectral"`` (default) or ``"word2vec"``.
            progress: show a progress bar (``None``: unless ``GENIML_NO_PROGRESS`` is set).

        Returns:
            The training report of the Region2Vec trainer (``backend="spectral"`` with no
            losses for the spectral solver).
        """
        from geniml.region2vec import Region2VecExModel
        from geniml.region2vec.model import _as_store

        if solver not in ("spectral", "word2vec"):
            raise GenimlValueError(
                f"`solver` must be one of {{'spectral','word2vec'}}, got {solver!r}"
            )
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
        tokenizer = self._tokenizer
        if tokenizer is None:  # _as_cells sets it from the tokens file or raises
            raise ModelError("the model has no universe: pass tokenizer=")
        if self._r2v is None:
            self._r2v = Region2VecExModel(
                tokenizer=tokenizer,
                device=self.device,
                pooling_method=self.pooling_method,
                embedding_dim=self.embedding_dim,
            )
        if store is None and cells.ids.size and cells.ids.max() >= tokenizer.vocab_size:
            raise GenimlValueError(
                f"token id {int(cells.ids.max())} is outside the universe's vocabulary "
                f"({tokenizer.vocab_size}); were the cells tokenized with another universe?"
            )
        if solver == "spectral":
            if store is not None:  # the factorisation needs every cell's tokens at once
                cells = store.read()
            return self._train_spectral(cells, tokenizer, self._r2v, min_count=min_count, seed=seed)
        return self._r2v.train(
            cells,
            window_size=self.window_size,
            epochs=epochs,
            min_count=min_count,
            num_cpus=num_cpus or _core.num_threads(),  # GENIML_NUM_THREADS, else all cores
            seed=seed,
            negative=self.negative_samples,
            init_lr=learning_rate,
            min_lr=min_lr,
            batch_size=batch_size,
            sg=sg,
            save_checkpoint_path=save_checkpoint_path,
            progress=progress,
        )

    def _train_spectral(
        self,
        cells: TokenizedCells,
        tok: Tokenizer,
        r2v: Region2VecExModel,
        *,
        min_count: int,
        seed: int,
    ):
        import time

        import torch

        from geniml.region2vec._train import TrainReport

        if min_count < 1:
            raise GenimlValueError(f"`min_count` must be >= 1, got {min_count}")
        t0 = time.perf_counter()
        vocab = tok.vocab_size
        exclude = np.arange(tok.n_regions, vocab, dtype=np.int64)  # special tokens
        if min_count > 1:
            ids = np.asarray(cells.ids, dtype=np.int64)
            offsets = np.asarray(cells.offsets, dtype=np.int64)
            rows = np.repeat(np.arange(len(offsets) - 1), np.diff(offsets))
            pairs = np.unique(rows * vocab + ids)  # one count per cell
            df = np.bincount(pairs % vocab, minlength=vocab)
            exclude = np.union1d(exclude, np.flatnonzero(df < min_count))
        vecs = spectral_token_vectors(
            cells.offsets,
            cells.ids,
            vocab_size=vocab,
            dim=self.embedding_dim,
            exclude=exclude,
            seed=seed,
        )
        model = r2v.model
        with torch.no_grad():
            w = torch.from_numpy(vecs).to(model.projection.weight.device)
            model.projection.weight.copy_(w)
            model.output.weight.copy_(w)
        r2v.trained = True
        trained = int(np.any(vecs != 0, axis=1).sum())
        report = TrainReport(
            losses=[],
            words=int(len(cells.ids)),
            seconds=time.perf_counter() - t0,
            backend="spectral",
            n_trained_tokens=trained,
        )
        r2v.report = report
        return report

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
        chunk_size: int = 5_000,
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

    # -- Hugging Face folders: from_pretrained / save_pretrained / push_to_hub (PretrainedMixin)
    card_type = "scEmbed"

    @classmethod
    def _from_folder(cls, folder: Path, *, device: str | None) -> ScEmbed:
        return cls(folder, device=device)

    def _save_folder(self, folder: Path, *, force: bool) -> Path:
        return self.export(folder, force=force)

    def _train_params(self) -> dict | None:
        return None if self._r2v is None else self._r2v._train_params()

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

    Args:
        adata: cells x peaks, peaks in ``var`` (chr/start/end columns or region-like names).
        model: a trained :class:`ScEmbed`, a model folder or a Hugging Face repository id.
        key_added: the ``obsm`` key written.
        copy: return a modified copy instead of writing into ``adata``.

    Examples:
        >>> import anndata, numpy as np, pandas as pd, scipy.sparse as sp
        >>> from geniml import datasets
        >>> from geniml.io import read_bed
        >>> from geniml.scembed import ScEmbed, embed
        >>> model = ScEmbed.from_pretrained(datasets.region2vec_hg38())
        >>> u = read_bed(datasets.hg38_universe())[:3]
        >>> var = pd.DataFrame({"chr": [r.chrom for r in u], "start": [r.start for r in u],
        ...                     "end": [r.end for r in u]}, index=[str(r) for r in u])
        >>> adata = anndata.AnnData(sp.csr_matrix(np.eye(3, dtype=np.float32)), var=var)
        >>> embed(adata, model)
        >>> adata.obsm["X_scembed"].shape, adata.uns["scembed"]["key_added"]
        ((3, 100), 'X_scembed')

    Returns:
        ``None`` (or a modified copy when ``copy=True``). Sets ``adata.obsm[key_added]`` (cells x
        embedding_dim) and the parameters in ``adata.uns["scembed"]`` (for another
        ``key_added``, ``uns[key_added without its "X_" prefix]``): ``embedding_dim``,
        ``pooling_method``, ``vocab_size``, ``key_added``.
    """
    if not isinstance(model, ScEmbed):
        model = ScEmbed.from_pretrained(model)
    if model.tokenizer is None:
        raise ModelError("the model has no universe: train it or load a model folder")
    target = adata.copy() if copy else adata
    target.obsm[key_added] = model.encode(target)
    # parameters per key (scanpy's key_added convention): uns["scembed"] for the default key
    uns_key = "scembed" if key_added == "X_scembed" else key_added.removeprefix("X_")
    target.uns[uns_key] = {
        "embedding_dim": int(model.embedding_dim),
        "pooling_method": model.pooling_method,
        "vocab_size": int(model.tokenizer.vocab_size),
        "key_added": key_added,
    }
    return target if copy else None
