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

__all__ = ["encode_backed", "n_obs", "read_rows"]


def _open(h5ad: str | os.PathLike) -> anndata.AnnData:
    import anndata as ad

    path = Path(h5ad)
    if not path.is_file():
        raise FileNotFoundError(f"AnnData file not found: {path}")
    try:
        return ad.read_h5ad(path, backed="r")
    except (OSError, KeyError, ValueError) as err:
        raise GenimlValueError(f"{path}: not a readable .h5ad file ({err})") from err


def n_obs(h5ad: str | os.PathLike) -> int:
    """Number of cells of an ``.h5ad`` (read backed)."""
    a = _open(h5ad)
    try:
        return int(a.n_obs)
    finally:
        a.file.close()


def read_rows(h5ad: str | os.PathLike, start: int, stop: int) -> anndata.AnnData:
    """Cells ``start:stop`` of an ``.h5ad`` as an in-memory AnnData (``var`` included)."""
    a = _open(h5ad)
    try:
        return a[start:stop].to_memory()
    finally:
        a.file.close()


def encode_backed(
    encode: Callable[[anndata.AnnData], np.ndarray],
    adata: anndata.AnnData | str | os.PathLike,
    *,
    chunk_size: int = 20_000,
    output: str | os.PathLike | None = None,
    force: bool = False,
) -> np.ndarray:
    """Run ``encode`` over blocks of ``chunk_size`` cells of a backed AnnData (or ``.h5ad``).

    Memory is bounded by one block (plus the result, or nothing with ``output``).
    """
    if chunk_size < 1:
        raise GenimlValueError(f"`chunk_size` must be >= 1, got {chunk_size}")
    path = Path(adata) if isinstance(adata, (str, os.PathLike)) else Path(adata.filename)
    n = n_obs(path)
    blocks = (encode(read_rows(path, i, min(i + chunk_size, n))) for i in range(0, n, chunk_size))
    if output is not None:
        return write_npy_blocks(output, blocks, n, force=force)
    parts = list(blocks)
    if not parts:
        raise GenimlValueError(f"{path}: no cells to encode")
    return np.concatenate(parts)
