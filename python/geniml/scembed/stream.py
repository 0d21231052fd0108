"""Cells of ``.h5ad`` files too large to load: row blocks read backed, embeddings by block."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geniml._blocks import write_npy_blocks
from geniml.exceptions import GenimlValueError

if TYPE_CHECKING:
    import anndata

    from geniml.tokenization import TokenizedCells, Tokenizer

__all__ = ["encode_backed"]


def encode_backed(
    encode_tokens: Callable[[TokenizedCells], np.ndarray],
    adata: anndata.AnnData | str | os.PathLike,
    tokenizer: Tokenizer,
    *,
    chunk_size: int = 5_000,
    output: str | os.PathLike | None = None,
    force: bool = False,
) -> np.ndarray:
    """Run ``encode_tokens`` over blocks of ``chunk_size`` cells of an ``.h5ad`` (or 10x ``.h5``).

    Each block's rows are read straight from the file and tokenized against ``tokenizer`` as
    the in-memory path does (peaks mapped once per file); memory is bounded by one block
    (plus the result, or nothing with ``output``).
    """
    from geniml.tokenization.store import _cells_rows, _n_obs

    if chunk_size < 1:
        raise GenimlValueError(f"`chunk_size` must be >= 1, got {chunk_size}")
    path = Path(adata) if isinstance(adata, (str, os.PathLike)) else Path(adata.filename)
    if not path.is_file():
        raise FileNotFoundError(f"AnnData file not found: {path}")
    name = str(path.resolve())
    n = _n_obs(name)
    blocks = (
        encode_tokens(_cells_rows(name, i, min(i + chunk_size, n), tokenizer, 1e-9))
        for i in range(0, n, chunk_size)
    )
    if output is not None:
        return write_npy_blocks(output, blocks, n, force=force)
    parts = list(blocks)
    if not parts:
        raise GenimlValueError(f"{path}: no cells to encode")
    return np.concatenate(parts)
