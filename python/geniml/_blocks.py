"""Arrays too large to hold, written block by block."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from geniml._atomic import atomic_file
from geniml.exceptions import GenimlValueError

__all__ = ["write_npy_blocks"]


def write_npy_blocks(
    output: str | os.PathLike, blocks: Iterator[np.ndarray], n_rows: int, *, force: bool = False
) -> np.ndarray:
    """Write row blocks into a ``.npy`` file (memory-mapped, renamed into place when complete).

    Returns the file's array, memory-mapped read-only.
    """
    out = Path(output)
    with atomic_file(out, force=force) as tmp:
        mm = None
        row = 0
        for block in blocks:
            block = np.asarray(block, dtype=np.float32)
            if mm is None:
                mm = np.lib.format.open_memmap(
                    tmp, mode="w+", dtype=np.float32, shape=(n_rows, block.shape[1])
                )
            mm[row : row + len(block)] = block
            row += len(block)
        if mm is None:
            raise GenimlValueError("no rows to write")
        if row != n_rows:
            raise GenimlValueError(f"wrote {row} rows, expected {n_rows}")
        mm.flush()
        del mm
    return np.load(out, mmap_mode="r")
