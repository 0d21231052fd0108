"""Single cells to tokens: AnnData (cells x peaks) and fragment files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from geniml import _core
from geniml._atomic import atomic_file
from geniml._optional import require
from geniml.exceptions import AnnDataLayoutError, GenimlValueError
from geniml.io import RegionSet
from geniml.tokenization.tokenizer import Tokenizer

if TYPE_CHECKING:
    import anndata

__all__ = [
    "TokenizedCells",
    "peaks_from_anndata",
    "read_tokens_parquet",
    "tokenize_anndata",
    "tokenize_cells",
    "tokenize_fragments",
]

UNIVERSE_KEY = "geniml.universe"
COORD_COLUMNS = (
    ("chr", "start", "end"),
    ("chrom", "start", "end"),
    ("seqnames", "start", "end"),
    ("chromosome", "start", "end"),
)


class TokenizedCells:
    """Token ids of many cells, held as CSR.

    Attributes:
        cells: cell names (barcodes), in row order.
        offsets: ``int64``; cell i has ``ids[offsets[i]:offsets[i+1]]``.
        ids: ``int64`` token ids (sorted and unique within a cell).

    Examples:
        >>> import numpy as np
        >>> from geniml.tokenization import TokenizedCells
        >>> t = TokenizedCells(["c0", "c1"], np.array([0, 1, 3]), np.array([4, 1, 2]))
        >>> t.ids_for(1).tolist(), len(t.cells)
        ([1, 2], 2)
    """

    def __init__(
        self,
        cells: list[str],
        offsets: np.ndarray,
        ids: np.ndarray,
        *,
        universe_path: str | None = None,
    ) -> None:
        if len(offsets) != len(cells) + 1:
            raise GenimlValueError(f"{len(cells)} cells but {len(offsets)} offsets")
        self.cells = list(cells)
        self.offsets = np.asarray(offsets, dtype=np.int64)
        self.ids = np.asarray(ids, dtype=np.int64)
        #: the universe file the ids refer to, when known (kept in parquet metadata)
        self.universe_path = universe_path

    def __len__(self) -> int:
        return len(self.cells)

    def ids_for(self, i: int | str) -> np.ndarray:
        """Token ids of cell ``i`` (a row number or a cell name)."""
        if isinstance(i, str):
            i = self.cells.index(i)
        return self.ids[self.offsets[i] : self.offsets[i + 1]]

    @property
    def lengths(self) -> np.ndarray:
        """Number of tokens of each cell."""
        return np.diff(self.offsets)

    def filter(self, min_tokens: int = 1) -> TokenizedCells:
        """Only the cells with at least ``min_tokens`` tokens."""
        keep = np.flatnonzero(self.lengths >= min_tokens)
        lengths = self.lengths[keep]
        offsets = np.zeros(len(keep) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        # position of each kept token in self.ids: its cell's old start + rank within the cell
        idx = np.repeat(self.offsets[keep] - offsets[:-1], lengths) + np.arange(offsets[-1])
        ids = self.ids[idx]
        return TokenizedCells(
            [self.cells[k] for k in keep], offsets, ids, universe_path=self.universe_path
        )

    def as_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """``(offsets, ids)``, both ``int64``."""
        return self.offsets, self.ids

    def to_parquet(self, path: str | os.PathLike, *, force: bool = False) -> Path:
        """Write upstream's Region2VecDataset layout: columns ``cell`` and ``tokens: list<int32>``.

        The universe file path, when known, is kept in the schema metadata
        (``geniml.universe``), so that a model trained on the file can find its tokenizer.
        """
        import pyarrow as pa
        import pyarrow.parquet as pq

        path = Path(path)
        if path.exists() and not force:
            raise FileExistsError(f"{path}: output exists; pass force=True to replace it")
        if self.ids.size and self.ids.max() > np.iinfo(np.int32).max:
            raise GenimlValueError("token ids do not fit in int32")
        list_type = pa.list_ if self.offsets[-1] < 2**31 else pa.large_list
        off_type = np.int32 if list_type is pa.list_ else np.int64
        tokens = (
            pa.ListArray.from_arrays(
                pa.array(self.offsets.astype(off_type)), pa.array(self.ids.astype(np.int32))
            )
            if list_type is pa.list_
            else pa.LargeListArray.from_arrays(
                pa.array(self.offsets), pa.array(self.ids.astype(np.int32))
            )
        )
        table = pa.table({"cell": pa.array(self.cells, type=pa.string()), "tokens": tokens})
        if self.universe_path is not None:
            table = table.replace_schema_metadata({UNIVERSE_KEY: str(self.universe_path)})
        with atomic_file(path, force=True) as tmp:
            pq.write_table(table, tmp)
        return path

    def __repr__(self) -> str:
        mean = float(self.lengths.mean()) if len(self) else 0.0
        return f"TokenizedCells({len(self)} cells, {mean:.1f} tokens per cell)"


def read_tokens_parquet(path: str | os.PathLike) -> TokenizedCells:
    """Read a parquet ``tokens`` file (as written by :func:`tokenize_cells`).

    Args:
        path: parquet file with ``cell`` and ``tokens: list<int>`` columns (upstream's layout).

    Returns:
        The tokenized cells.

    Examples:
        >>> import tempfile, pathlib
        >>> import numpy as np
        >>> from geniml.tokenization import TokenizedCells, read_tokens_parquet
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "t.parquet"
        >>> _ = TokenizedCells(["c0", "c1"], np.array([0, 1, 3]), np.array([4, 1, 2])).to_parquet(p)
        >>> read_tokens_parquet(p).ids_for(1).tolist()
        [1, 2]
    """
    import pyarrow.parquet as pq

    from geniml.tokenization.dataset import _read_parquet

    names, offsets, ids = _read_parquet(Path(path))
    meta = pq.read_schema(path).metadata or {}
    universe = meta.get(UNIVERSE_KEY.encode())
    return TokenizedCells(
        names, offsets, ids, universe_path=universe.decode() if universe else None
    )


def peaks_from_anndata(adata: anndata.AnnData) -> RegionSet:
    """The peaks of an AnnData object, as a RegionSet.

    Peaks come from ``var`` columns chr/start/end, or from names such as ``chr1:100-200``,
    ``chr1-100-200`` or ``chr1_100_200``.

    Raises:
        AnnDataLayoutError: no coordinates were found (the message lists what was tried).
    """
    var = adata.var
    for cols in COORD_COLUMNS:
        if all(c in var.columns for c in cols):
            try:
                starts = np.asarray(var[cols[1]], dtype=np.int64)
                ends = np.asarray(var[cols[2]], dtype=np.int64)
            except (TypeError, ValueError) as err:
                raise AnnDataLayoutError(
                    f"adata.var columns {cols[1]!r}/{cols[2]!r} are not integers: {err}"
                ) from err
            return RegionSet((np.asarray(var[cols[0]]).astype(str), starts, ends))
    names = [str(x) for x in adata.var_names]
    try:
        parsed = _core.parse_region_names(names)
    except ValueError as err:
        tried = ", ".join("/".join(c) for c in COORD_COLUMNS)
        raise AnnDataLayoutError(
            f"AnnData has no peak coordinates: looked for adata.var columns ({tried}) and for "
            f"var names like 'chr1:100-200', 'chr1-100-200' or 'chr1_100_200' ({err})"
        ) from err
    return RegionSet._from_core(parsed)


def _as_anndata(adata: anndata.AnnData | str | os.PathLike) -> anndata.AnnData:
    if isinstance(adata, (str, os.PathLike)):
        ad = require("anndata")

        path = Path(adata)
        if not path.exists():
            raise FileNotFoundError(f"AnnData file not found: {path}")
        return ad.read_h5ad(path)
    return adata


def _cells_csr(x, adata=None) -> tuple[np.ndarray, np.ndarray]:
    sp = require("scipy.sparse")

    m = x if sp.issparse(x) else sp.csr_matrix(np.asarray(x))
    m = sp.csr_matrix(m)
    if m.nnz and m.data.dtype.kind in "fc":
        bad = np.flatnonzero(np.isnan(m.data) | (m.data.real < 0))
    elif m.nnz and m.data.dtype.kind == "i":
        bad = np.flatnonzero(m.data < 0)
    else:
        bad = np.zeros(0, dtype=np.int64)
    if len(bad):
        k = int(bad[0])
        row = int(np.searchsorted(m.indptr, k, side="right") - 1)
        col = int(m.indices[k])
        cell = adata.obs_names[row] if adata is not None else row
        peak = adata.var_names[col] if adata is not None else col
        raise GenimlValueError(
            f"AnnData X[{row}, {col}] (cell {cell!r}, peak {peak!r}) is {m.data[k]}: counts "
            f"must be non-negative numbers ({len(bad)} such entries)"
        )
    if m.nnz and (m.data == 0).any():
        m = m.copy()
        m.eliminate_zeros()
    return m.indptr.astype(np.int64), m.indices.astype(np.int64)


def _row_blocks(adata: anndata.AnnData, chunk_size: int | None):
    """``(start, stop, X[start:stop])`` blocks; one block for an in-memory AnnData by default.

    Backed AnnData (``read_h5ad(path, backed="r")``) is always read in blocks of ``chunk_size``
    rows (default 10,000), so memory is bounded by the block, not by the file.
    """
    n = adata.n_obs
    backed = bool(getattr(adata, "isbacked", False))
    if chunk_size is None and not backed:
        yield 0, n, adata.X
        return
    step = 10_000 if chunk_size is None else int(chunk_size)
    if step < 1:
        raise GenimlValueError(f"`chunk_size` must be >= 1, got {chunk_size}")
    for start in range(0, n, step):
        stop = min(start + step, n)
        yield start, stop, adata.X[start:stop]


def iter_tokenized_blocks(
    adata: anndata.AnnData,
    tokenizer: Tokenizer,
    *,
    fraction: float = 1e-9,
    chunk_size: int | None = None,
):
    """Tokenize an AnnData block by block: yields ``(start, stop, offsets, ids)`` per block.

    The peak set is tokenized once; each block of rows is read (from disk for backed AnnData)
    and turned into token sets in Rust, so memory holds one block at a time.
    """
    peaks = peaks_from_anndata(adata)
    off, ids = tokenizer.overlaps(peaks, fraction=fraction)
    off = off.astype(np.uint64)
    for start, stop, x in _row_blocks(adata, chunk_size):
        indptr, indices = _cells_csr(x, adata if (start, stop) == (0, adata.n_obs) else None)
        c_off, c_ids, _ = _core.cells_to_tokens(indptr, indices, off, ids, tokenizer.n_regions)
        yield start, stop, c_off.astype(np.int64), c_ids.astype(np.int64)


def tokenize_anndata(
    adata: anndata.AnnData | str | os.PathLike,
    tokenizer: Tokenizer,
    *,
    fraction: float = 1e-9,
    chunk_size: int | None = None,
) -> TokenizedCells:
    """Tokenize every cell of an AnnData object (cells x peaks, any non-zero counts).

    The peak set is tokenized once (peak -> universe tokens); each cell's sparse row then
    becomes the sorted set of its peaks' tokens, in Rust, in parallel. A backed AnnData
    (``anndata.read_h5ad(path, backed="r")``) is read ``chunk_size`` rows at a time.

    Args:
        adata: AnnData (or ``.h5ad`` path) with peaks in ``var`` (chr/start/end columns or
            region-like names).
        tokenizer: the universe tokenizer.
        fraction: minimum overlap as a fraction of the peak.
        chunk_size: rows per block (default: all rows; 10,000 for backed AnnData).

    Returns:
        The tokenized cells, in ``obs`` order.

    Examples:
        >>> import anndata, numpy as np, pandas as pd, scipy.sparse as sp
        >>> from geniml.io import RegionSet
        >>> from geniml.tokenization import Tokenizer
        >>> tok = Tokenizer(RegionSet([("chr1", 0, 100), ("chr1", 200, 300)]))
        >>> var = pd.DataFrame({"chr": ["chr1", "chr1"], "start": [10, 250], "end": [20, 260]},
        ...                    index=["p0", "p1"])
        >>> adata = anndata.AnnData(sp.csr_matrix(np.array([[1, 0], [2, 3]], dtype=np.float32)),
        ...                         obs=pd.DataFrame(index=["c0", "c1"]), var=var)
        >>> cells = tokenize_anndata(adata, tok)
        >>> cells.ids_for(0).tolist(), cells.ids_for(1).tolist()
        ([0], [0, 1])
    """
    adata = _as_anndata(adata)
    offs, idss, base = [np.zeros(1, dtype=np.int64)], [], 0
    for _, _, c_off, c_ids in iter_tokenized_blocks(
        adata, tokenizer, fraction=fraction, chunk_size=chunk_size
    ):
        offs.append(c_off[1:] + base)
        idss.append(c_ids)
        base += int(c_off[-1])
    path = getattr(tokenizer, "path", None)
    return TokenizedCells(
        [str(c) for c in adata.obs_names],
        np.concatenate(offs),
        np.concatenate(idss) if idss else np.zeros(0, dtype=np.int64),
        universe_path=str(Path(path).resolve()) if path else None,
    )


def tokenize_cells(
    adata: anndata.AnnData | str | os.PathLike,
    universe_file: str | os.PathLike | Tokenizer,
    output: str | os.PathLike | None = None,
    *,
    fraction: float = 1e-9,
    min_tokens: int = 0,
    force: bool = False,
    chunk_size: int | None = None,
) -> TokenizedCells:
    """Tokenize the cells of an AnnData object (or ``.h5ad`` path) against a universe.

    Args:
        adata: AnnData with peaks in ``var`` (chr/start/end columns or region-like names); a
            backed one (``read_h5ad(path, backed="r")``) is read in blocks of ``chunk_size``.
        universe_file: universe BED (or a Tokenizer).
        output: parquet file to write (``cell``, ``tokens: list<int32>``); optional.
        fraction: minimum overlap as a fraction of the peak.
        min_tokens: drop cells with fewer tokens.
        force: replace an existing output.
        chunk_size: rows per block (default: all rows in memory; 10,000 for backed AnnData).

    Returns:
        The tokenized cells.

    Raises:
        FileExistsError: ``output`` exists and ``force`` is false.

    Examples:
        >>> import anndata, numpy as np, pandas as pd, scipy.sparse as sp
        >>> from geniml.io import RegionSet
        >>> from geniml.tokenization import Tokenizer
        >>> tok = Tokenizer(RegionSet([("chr1", 0, 100), ("chr1", 200, 300)]))
        >>> var = pd.DataFrame({"chr": ["chr1", "chr1"], "start": [10, 250], "end": [20, 260]},
        ...                    index=["p0", "p1"])
        >>> adata = anndata.AnnData(sp.csr_matrix(np.array([[1, 0], [2, 3]], dtype=np.float32)),
        ...                         obs=pd.DataFrame(index=["c0", "c1"]), var=var)
        >>> cells = tokenize_cells(adata, tok, min_tokens=2)
        >>> cells.cells
        ['c1']
    """
    tok = (
        universe_file if isinstance(universe_file, Tokenizer) else Tokenizer.from_bed(universe_file)
    )
    cells = tokenize_anndata(adata, tok, fraction=fraction, chunk_size=chunk_size)
    if min_tokens > 0:
        cells = cells.filter(min_tokens)
    if output is not None:
        cells.to_parquet(output, force=force)
    return cells


def tokenize_fragments(
    fragments_file: str | os.PathLike,
    tokenizer: Tokenizer,
    *,
    barcodes: list[str] | None = None,
    fraction: float = 1e-9,
) -> TokenizedCells:
    """Tokenize a fragment file (chrom, start, end, barcode, count; gzip or plain).

    Each barcode becomes a cell with the sorted set of tokens its fragments overlap; a file
    without a barcode column is one cell named after the file. The file is read block by
    block and tokenized in parallel.

    Args:
        fragments_file: the fragment file (``.tsv``/``.bed``, gzip allowed).
        tokenizer: the universe tokenizer.
        barcodes: keep only these barcodes (default: all).
        fraction: minimum overlap as a fraction of the fragment.

    Returns:
        One cell per barcode.

    Examples:
        >>> import tempfile, pathlib
        >>> from geniml.io import RegionSet
        >>> from geniml.tokenization import Tokenizer, tokenize_fragments
        >>> tok = Tokenizer(RegionSet([("chr1", 0, 100), ("chr1", 200, 300)]))
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "frags.tsv"
        >>> _ = f.write_text("chr1\\t10\\t20\\tAAAC\\t1\\nchr1\\t210\\t220\\tAAAC\\t2\\nchr1\\t50\\t60\\tGGTA\\t1\\n")
        >>> t = tokenize_fragments(f, tok)
        >>> sorted(zip(t.cells, [t.ids_for(i).tolist() for i in range(len(t.cells))]))
        [('AAAC', [0, 1]), ('GGTA', [0])]
    """
    path = Path(fragments_file)
    names, (off, ids, _), _n = tokenizer._inner.tokenize_fragments(
        path, set(barcodes) if barcodes is not None else None, fraction=float(fraction)
    )
    upath = tokenizer.path
    return TokenizedCells(
        names,
        off.astype(np.int64),
        ids.astype(np.int64),
        universe_path=str(Path(upath).resolve()) if upath else None,
    )
