"""Token stores: tokenized cells or BED files of any size, as a folder of parquet parts.

A store is a folder holding ``part-00000.parquet``, ``part-00001.parquet``, ... (each one a
file in upstream's Region2VecDataset layout: a name column and ``tokens: list<int32>``) and a
``manifest.json`` naming the parts, their row and token counts, the universe and the source.
Stores are written part by part (memory bounded by one part), into a hidden sibling folder
that is renamed into place when complete; a run that stops half way leaves that folder, and
running the same call again resumes it, skipping the finished parts. The same parts can be
computed on a Dask cluster (:mod:`geniml.distributed`), which gives byte-identical files.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from geniml import _core
from geniml._atomic import atomic_file, swap_into_place
from geniml.exceptions import GenimlValueError
from geniml.tokenization.cells import (
    UNIVERSE_KEY,
    TokenizedCells,
    _cells_csr,
    peaks_from_anndata,
)
from geniml.tokenization.tokenizer import Tokenizer

if TYPE_CHECKING:
    import anndata
    import pyarrow as pa

    from geniml.io import RegionSet

__all__ = [
    "TokenStore",
    "tokenize_cells_to_store",
    "tokenize_collection",
]

MANIFEST = "manifest.json"
FORMAT = "geniml-token-store"


class TokenStore:
    """Read side of a token store (a folder of parquet parts) or of one parquet tokens file.

    Nothing is loaded at construction; :meth:`iter_chunks` yields one row group at a time.

    Attributes:
        path: the folder or file.
        kind: ``"cells"`` or ``"files"`` (what a row is).
        universe_path: the universe the ids refer to, when recorded.
    """

    def __init__(self, path: str | os.PathLike) -> None:
        import pyarrow.parquet as pq

        self.path = Path(path)
        if self.path.is_dir():
            mpath = self.path / MANIFEST
            if not mpath.is_file():
                raise GenimlValueError(f"{self.path}: not a token store (no {MANIFEST})")
            try:
                manifest = json.loads(mpath.read_text())
                parts = manifest["parts"]
                self.kind: str = manifest["kind"]
                self.universe_path: str | None = manifest.get("universe")
            except (json.JSONDecodeError, KeyError, TypeError) as err:
                raise GenimlValueError(f"{mpath}: unreadable manifest ({err})") from err
            self._parts = [self.path / p["file"] for p in parts]
            self._rows = [int(p["rows"]) for p in parts]
            self._tokens = [int(p["tokens"]) for p in parts]
            for p in self._parts:
                if not p.is_file():
                    raise GenimlValueError(f"{self.path}: part {p.name} listed but missing")
        elif self.path.is_file():
            try:
                meta = pq.ParquetFile(self.path).metadata
            except (OSError, ValueError) as err:
                raise GenimlValueError(f"{self.path}: not a readable parquet file ({err})") from err
            schema_meta = meta.metadata or {}
            universe = schema_meta.get(UNIVERSE_KEY.encode())
            self.universe_path = universe.decode() if universe else None
            names = meta.schema.names
            self.kind = "cells" if "cell" in names else "files"
            self._parts = [self.path]
            self._rows = [meta.num_rows]
            self._tokens = [-1]
        else:
            raise FileNotFoundError(f"no token store at {self.path}")

    def __len__(self) -> int:
        return sum(self._rows)

    @property
    def n_parts(self) -> int:
        """Parquet files in the store."""
        return len(self._parts)

    def iter_chunks(self) -> Iterator[TokenizedCells]:
        """The rows, one parquet row group at a time, as :class:`TokenizedCells`."""
        import pyarrow.parquet as pq

        for part in self._parts:
            f = pq.ParquetFile(part)
            for g in range(f.num_row_groups):
                yield _from_table(f.read_row_group(g), self.universe_path, part)

    def read(self) -> TokenizedCells:
        """Every row in memory (only for stores that fit)."""
        chunks = list(self.iter_chunks())
        return _concat(chunks, self.universe_path)

    def as_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """``(offsets, ids)`` of every row (loads the store; see :meth:`iter_chunks`)."""
        return self.read().as_csr()

    @property
    def n_tokens(self) -> int:
        """Tokens in all rows."""
        if all(t >= 0 for t in self._tokens):
            return sum(self._tokens)
        return sum(int(c.offsets[-1]) for c in self.iter_chunks())

    def __repr__(self) -> str:
        return f"TokenStore({len(self)} {self.kind}, {self.n_parts} parts, {self.path})"


def _from_table(table: pa.Table, universe: str | None, where: Path) -> TokenizedCells:
    import pyarrow as pa

    col = table["tokens"].combine_chunks()
    if not (pa.types.is_list(col.type) or pa.types.is_large_list(col.type)):
        raise GenimlValueError(f"{where}: 'tokens' must be a list column, got {col.type}")
    offsets = np.asarray(col.offsets, dtype=np.int64)
    values = np.asarray(col.values.to_numpy(zero_copy_only=False), dtype=np.int64)
    offsets = offsets - offsets[0]
    values = values[: offsets[-1]]
    key = "cell" if "cell" in table.column_names else "file"
    names = [str(x) for x in table[key].to_pylist()] if key in table.column_names else []
    if not names:
        names = [str(i) for i in range(len(col))]
    return TokenizedCells(names, offsets, values, universe_path=universe)


def _concat(chunks: Sequence[TokenizedCells], universe: str | None) -> TokenizedCells:
    if not chunks:
        return TokenizedCells([], np.zeros(1, np.int64), np.zeros(0, np.int64))
    names = [n for c in chunks for n in c.cells]
    lengths = np.concatenate([c.lengths for c in chunks])
    offsets = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    ids = np.concatenate([c.ids for c in chunks])
    return TokenizedCells(names, offsets, ids, universe_path=universe)


# -- writing ----------------------------------------------------------------------------------


def _table(
    names: list[str], offsets: np.ndarray, ids: np.ndarray, key: str, universe: str | None
) -> pa.Table:
    """``key: large_string`` and ``tokens: large_list<int32>``, built without copying the ids.

    ``offsets`` (int64 or uint64) and ``ids`` (any integer type; int32/uint32 are viewed, not
    copied) go to Arrow as one offsets + values pair.
    """
    import pyarrow as pa

    if ids.dtype in (np.int32, np.uint32):
        if ids.dtype == np.uint32 and ids.size and int(ids.max()) > np.iinfo(np.int32).max:
            raise GenimlValueError("token ids do not fit in int32")
        vals = ids.view(np.int32)
    else:
        if ids.size and (int(ids.max()) > np.iinfo(np.int32).max or int(ids.min()) < 0):
            raise GenimlValueError("token ids do not fit in int32")
        vals = ids.astype(np.int32)
    offs = offsets.view(np.int64) if offsets.dtype == np.uint64 else offsets.astype(np.int64)
    tokens = pa.LargeListArray.from_arrays(pa.array(offs), pa.array(vals))
    table = pa.table({key: pa.array(names, type=pa.large_string()), "tokens": tokens})
    if universe is not None:
        table = table.replace_schema_metadata({UNIVERSE_KEY: universe})
    return table


COUNTS_KEY = "geniml.counts"
ROW_GROUP = 1 << 16


def _write_part(path: Path, table: pa.Table) -> dict[str, Any]:
    """Write one part with polars' Rust writer (~3x pyarrow's for list columns).

    No statistics and no compression: sorted token ids barely compress and both halve the
    write speed.
    """
    import polars as pl

    tokens = table["tokens"]
    n_tokens = sum(len(c.values) for c in tokens.chunks)
    entry = {"file": path.name, "rows": table.num_rows, "tokens": n_tokens}
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    meta[COUNTS_KEY] = json.dumps(entry)
    df = pl.from_arrow(table.replace_schema_metadata(None))
    assert isinstance(df, pl.DataFrame)
    with atomic_file(path, force=True) as tmp:
        df.write_parquet(
            tmp, compression="uncompressed", statistics=False, row_group_size=ROW_GROUP,
            metadata=meta,
        )  # fmt: skip
    return entry


def _part_counts(path: Path) -> dict[str, Any]:
    import pyarrow.parquet as pq

    meta = pq.read_metadata(path).metadata or {}
    raw = meta.get(COUNTS_KEY.encode())
    if raw is None:
        raise GenimlValueError(f"{path}: a token store part without its counts")
    return json.loads(raw)


@dataclass(frozen=True)
class StorePlan:
    """What a store will hold: its parts, and how to compute part ``i`` (picklable)."""

    kind: str
    universe: str
    fraction: float
    source: dict[str, Any]
    chunks: list[Any]

    def signature(self) -> str:
        """Hash of everything that decides the output (a resumed run must match it)."""
        blob = json.dumps(
            [self.kind, self.universe, self.fraction, self.source, self.chunks], default=str
        )
        return hashlib.sha256(blob.encode()).hexdigest()


def part_name(i: int) -> str:
    """File name of part ``i``."""
    return f"part-{i:05d}.parquet"


def partial_dir(output: Path) -> Path:
    """The hidden sibling folder a store is written into before it is renamed into place."""
    return output.with_name(f".{output.name}.partial")


def open_partial(output: Path, plan: StorePlan, *, force: bool, resume: bool) -> Path:
    """Create (or, when resuming the same plan, reuse) the partial folder of ``output``."""
    if output.exists() and not force:
        raise FileExistsError(f"{output}: output exists; pass force=True (--force) to replace it")
    part = partial_dir(output)
    sig = plan.signature()
    marker = part / ".plan"
    if part.exists():
        if resume and marker.is_file() and marker.read_text() == sig:
            return part
        shutil.rmtree(part)
    part.mkdir(parents=True)
    marker.write_text(sig)
    return part


def finished_parts(part: Path, n: int) -> list[int]:
    """Parts of a partial folder already written (a resumed run skips them)."""
    return [i for i in range(n) if (part / part_name(i)).is_file()]


def commit_store(output: Path, part: Path, plan: StorePlan) -> TokenStore:
    """Write the manifest and swap the partial folder into place."""
    parts = [_part_counts(part / part_name(i)) for i in range(len(plan.chunks))]
    manifest = {
        "format": FORMAT,
        "version": 1,
        "kind": plan.kind,
        "universe": plan.universe,
        "fraction": plan.fraction,
        "source": plan.source,
        "parts": parts,
    }
    with atomic_file(part / MANIFEST, force=True) as tmp:
        tmp.write_text(json.dumps(manifest, indent=1, default=str))
    (part / ".plan").unlink(missing_ok=True)
    swap_into_place(part, output)
    return TokenStore(output)


_TOKENIZERS: dict[tuple[str, float], Tokenizer] = {}


def cached_tokenizer(universe: str) -> Tokenizer:
    """One Tokenizer per universe file and modification time, per process (Dask workers)."""
    key = (universe, os.stat(universe).st_mtime)
    tok = _TOKENIZERS.get(key)
    if tok is None:
        tok = Tokenizer.from_bed(universe)
        _TOKENIZERS.clear()
        _TOKENIZERS[key] = tok
    return tok


def compute_table(plan: StorePlan, i: int) -> pa.Table:
    """Part ``i`` of ``plan`` as an Arrow table (not written)."""
    tok = cached_tokenizer(plan.universe)
    if plan.kind == "files":
        paths = [Path(p) for p in plan.chunks[i]]
        arrays = [t.ids for t in tok.tokenize_batch(paths, fraction=plan.fraction, unique=True)]
        lengths = np.fromiter((len(a) for a in arrays), dtype=np.int64, count=len(arrays))
        offsets = np.zeros(len(arrays) + 1, dtype=np.int64)
        np.cumsum(lengths, out=offsets[1:])
        ids = np.concatenate(arrays) if arrays else np.zeros(0, np.int64)
        return _table([p.name for p in paths], offsets, ids, "file", plan.universe)
    start, stop = plan.chunks[i]
    names, offsets, ids = _cells_tokens(plan.source["path"], start, stop, tok, plan.fraction)
    if tok.n_regions <= np.iinfo(np.int32).max:  # Rust's ids are < n_regions: no check needed
        ids = ids.view(np.int32)
    return _table(names, offsets, ids, "cell", plan.universe)


def compute_part(plan: StorePlan, i: int, part: Path) -> dict[str, Any]:
    """Compute and write part ``i`` of ``plan`` into the partial folder ``part``."""
    return _write_part(part / part_name(i), compute_table(plan, i))


def _run_serial(plan: StorePlan, todo: list[int], part: Path, advance: Callable[[int], Any]):
    """Compute the parts in order, writing part ``i`` on a thread while ``i + 1`` is computed.

    Both release the GIL; at most two parts are in memory.
    """
    from concurrent.futures import Future, ThreadPoolExecutor

    with ThreadPoolExecutor(1) as pool:
        pending: Future | None = None
        for i in todo:
            table = compute_table(plan, i)
            if pending is not None:
                pending.result()
                advance(1)
            pending = pool.submit(_write_part, part / part_name(i), table)
            del table
        if pending is not None:
            pending.result()
            advance(1)


def _run_plan(
    plan: StorePlan,
    output: Path,
    *,
    force: bool,
    resume: bool,
    progress: bool | None,
    runner: Callable[[StorePlan, list[int], Path], None] | None = None,
) -> TokenStore:
    from geniml._progress import progress_bar

    part = open_partial(output, plan, force=force, resume=resume)
    done = set(finished_parts(part, len(plan.chunks)))
    todo = [i for i in range(len(plan.chunks)) if i not in done]
    if runner is not None:
        runner(plan, todo, part)
    else:
        label = f"tokenize {plan.kind}"
        with progress_bar(len(plan.chunks), label, unit="parts", enabled=progress) as advance:
            advance(len(plan.chunks) - len(todo))
            _run_serial(plan, todo, part, advance)
    return commit_store(output, part, plan)


# -- collections ------------------------------------------------------------------------------


def plan_collection(
    beds: Sequence[str | os.PathLike] | str | os.PathLike,
    universe: str | os.PathLike,
    *,
    files_per_part: int = 1000,
    fraction: float = 1e-9,
) -> StorePlan:
    """The parts of :func:`tokenize_collection` (files split in consecutive groups)."""
    from geniml.io import bed_files_in

    if files_per_part < 1:
        raise GenimlValueError(f"`files_per_part` must be >= 1, got {files_per_part}")
    if not 0 < fraction <= 1:
        raise GenimlValueError(f"`fraction` must be in (0, 1], got {fraction}")
    if isinstance(beds, (str, os.PathLike)):
        folder = Path(beds)
        paths = bed_files_in(folder) if folder.is_dir() else [folder]
    else:
        paths = [Path(p) for p in beds]
    if not paths:
        raise GenimlValueError(f"{beds}: no BED file to tokenize")
    for p in paths:
        if not p.is_file():
            raise FileNotFoundError(f"BED file not found: {p}")
    upath = str(Path(universe).resolve())
    if not Path(upath).is_file():
        raise FileNotFoundError(f"universe file not found: {universe}")
    strs = [str(Path(p).resolve()) for p in paths]
    chunks = [strs[i : i + files_per_part] for i in range(0, len(strs), files_per_part)]
    return StorePlan("files", upath, float(fraction), {"n_files": len(strs)}, chunks)


def tokenize_collection(
    beds: Sequence[str | os.PathLike] | str | os.PathLike,
    universe: str | os.PathLike,
    output: str | os.PathLike,
    *,
    files_per_part: int = 1000,
    fraction: float = 1e-9,
    force: bool = False,
    resume: bool = True,
    progress: bool | None = None,
) -> TokenStore:
    """Tokenize a BED collection file by file into a token store (one row per file).

    Each row holds the file's universe tokens, sorted and unique (the set semantics that
    region-set embeddings and search use); files without a token are empty rows. Memory is
    bounded by one part of ``files_per_part`` files; an interrupted run resumes.

    Args:
        beds: a folder of BED files or a list of paths.
        universe: the universe BED file.
        output: the store folder to write.
        files_per_part: files per parquet part.
        fraction: minimum overlap as a fraction of the query region.
        force: replace an existing store.
        resume: reuse the finished parts of an interrupted run of the same call.
        progress: progress bar over parts (default: on a terminal or in Jupyter).

    Returns:
        The written store.
    """
    plan = plan_collection(beds, universe, files_per_part=files_per_part, fraction=fraction)
    return _run_plan(plan, Path(output), force=force, resume=resume, progress=progress)


# -- cells ------------------------------------------------------------------------------------


def _open_backed(path: str) -> anndata.AnnData:
    import anndata as ad

    try:
        return ad.read_h5ad(path, backed="r")
    except (OSError, KeyError, ValueError) as err:
        raise GenimlValueError(f"{path}: not a readable .h5ad file ({err})") from err


_PEAK_TOKENS: dict[tuple[str, float, str, float], tuple[np.ndarray, np.ndarray]] = {}


def _peak_tokens(path: str, tok: Tokenizer, fraction: float) -> tuple[np.ndarray, np.ndarray]:
    """Peak -> token overlaps of an .h5ad's peaks, once per file and process."""
    key = (path, os.stat(path).st_mtime, str(tok.path), fraction)
    hit = _PEAK_TOKENS.get(key)
    if hit is None:
        if _is_10x(path):
            peaks = _10x_peaks(path)
        else:
            peaks = _h5ad_peaks(path)
            if peaks is None:  # a var layout the direct reader does not know: ask anndata
                adata = _open_backed(path)
                try:
                    peaks = peaks_from_anndata(adata)
                finally:
                    adata.file.close()
        hit = tok.overlaps(peaks, fraction=fraction)
        _PEAK_TOKENS.clear()
        _PEAK_TOKENS[key] = hit
    return hit


def _h5_strings(obj: Any) -> np.ndarray | None:
    """A string column of an .h5ad group (plain or categorical), or None if it is not one."""
    import h5py

    if isinstance(obj, h5py.Dataset):
        if obj.dtype.kind in "OSU":
            return np.asarray(obj.asstr()[:], dtype=str) if obj.dtype.kind != "U" else obj[:]
        return None
    if isinstance(obj, h5py.Group) and obj.attrs.get("encoding-type") == "categorical":
        cats = _h5_strings(obj.get("categories"))
        codes = obj.get("codes")
        if cats is None or not isinstance(codes, h5py.Dataset):
            return None
        c = codes[:]
        if c.size and (c.min() < 0 or c.max() >= len(cats)):
            return None  # missing values: leave the message to anndata
        return cats[c]
    return None


def _h5ad_peaks(path: str) -> RegionSet | None:
    """The peaks of an .h5ad, read from ``var`` with h5py (no anndata import).

    Found as :func:`peaks_from_anndata` finds them; None when the layout needs anndata.
    """
    import h5py

    from geniml.io import RegionSet
    from geniml.tokenization.cells import COORD_COLUMNS

    try:
        with h5py.File(path, "r") as f:
            var = f.get("var")
            if not isinstance(var, h5py.Group) or var.attrs.get("encoding-type") != "dataframe":
                return None
            columns = [str(c) for c in var.attrs.get("column-order", [])]
            for cols in COORD_COLUMNS:
                if all(c in columns for c in cols):
                    chroms = _h5_strings(var.get(cols[0]))
                    s, e = var.get(cols[1]), var.get(cols[2])
                    ok = isinstance(s, h5py.Dataset) and isinstance(e, h5py.Dataset)
                    if chroms is None or not ok or not (s.dtype.kind in "iu" and e.dtype.kind in "iu"):  # fmt: skip
                        return None
                    return RegionSet((chroms, s[:].astype(np.int64), e[:].astype(np.int64)))
            key = var.attrs.get("_index")
            names = _h5_strings(var.get(key)) if key is not None else None
    except OSError as err:
        raise GenimlValueError(f"{path}: not a readable .h5ad file ({err})") from err
    if names is None:
        return None
    try:
        return RegionSet._from_core(_core.parse_region_names(names.tolist()))
    except ValueError:
        return None  # anndata's path gives the full message


def _is_10x(path: str) -> bool:
    """True for a 10x Genomics HDF5 matrix (``matrix/`` with barcodes, features, CSC data)."""
    import h5py

    try:
        with h5py.File(path, "r") as f:
            m = f.get("matrix")
            return isinstance(m, h5py.Group) and all(
                k in m for k in ("barcodes", "indptr", "indices", "data", "shape", "features")
            )
    except OSError as err:
        raise GenimlValueError(f"{path}: not a readable HDF5 file ({err})") from err


def _10x_peaks(path: str):
    """Peaks of a 10x matrix: ``features/interval`` (or ``features/id``) as ``chr:start-end``."""
    import h5py

    from geniml.io import RegionSet

    with h5py.File(path, "r") as f:
        feats = f["matrix/features"]
        key = "interval" if "interval" in feats else "id"
        names = [v.decode() if isinstance(v, bytes) else str(v) for v in feats[key][:]]
    try:
        parsed = _core.parse_region_names(names)
    except ValueError as err:
        raise GenimlValueError(
            f"{path}: matrix/features/{key} does not hold peak coordinates like "
            f"'chr1:100-200' ({err})"
        ) from err
    return RegionSet._from_core(parsed)


def _n_obs(path: str) -> int:
    """Number of cells of an .h5ad or 10x .h5 (from HDF5, without importing anndata)."""
    import h5py

    if _is_10x(path):
        with h5py.File(path, "r") as f:
            return int(f["matrix/barcodes"].shape[0])
    try:
        with h5py.File(path, "r") as f:
            obs = f.get("obs")
            key = obs.attrs.get("_index") if obs is not None else None
            if key is not None:
                return int(obs[key].shape[0])
    except OSError as err:
        raise GenimlValueError(f"{path}: not a readable .h5ad file ({err})") from err
    backed = _open_backed(path)
    try:
        return int(backed.n_obs)
    finally:
        backed.file.close()


def _raw_rows(path: str, start: int, stop: int) -> tuple[Any, ...] | None:
    """Rows ``start:stop`` straight from a CSR-encoded X (or a 10x matrix) with h5py.

    Returns ``(indptr, indices, data, names, n_vars)``, ``indptr`` from 0; None for other
    layouts.
    """
    import h5py

    def rows(m: Any, n_vars: int, raw_names: Any) -> tuple[Any, ...]:
        indptr = m["indptr"][start : stop + 1].astype(np.int64)
        a, b = int(indptr[0]), int(indptr[-1])
        names = [v.decode() if isinstance(v, bytes) else str(v) for v in raw_names[start:stop]]
        return indptr - a, m["indices"][a:b], m["data"][a:b], names, n_vars

    if _is_10x(path):  # features x barcodes CSC: a barcode's column is a cell's row
        with h5py.File(path, "r") as f:
            m = f["matrix"]
            return rows(m, int(m["shape"][0]), m["barcodes"])
    with h5py.File(path, "r") as f:
        x = f.get("X")
        obs = f.get("obs")
        key = obs.attrs.get("_index") if obs is not None else None
        if (
            isinstance(x, h5py.Group)
            and x.attrs.get("encoding-type") == "csr_matrix"
            and key is not None
        ):
            return rows(x, int(x.attrs["shape"][1]), obs[key])
    return None


def _csr_rows(path: str, start: int, stop: int) -> tuple[Any, list[str]]:
    """Rows ``start:stop`` of an .h5ad's X as a scipy CSR matrix, and their obs names.

    A CSR-encoded X is read straight from its HDF5 datasets (only the rows' slices); any
    other layout goes through anndata's backed mode.
    """
    import scipy.sparse as sp

    raw = _raw_rows(path, start, stop)
    if raw is not None:
        indptr, indices, data, names, n_vars = raw
        return sp.csr_matrix((data, indices, indptr), shape=(stop - start, n_vars)), names
    adata = _open_backed(path)
    try:
        return adata.X[start:stop], [str(c) for c in adata.obs_names[start:stop]]
    finally:
        adata.file.close()


def _cells_tokens(
    path: str, start: int, stop: int, tok: Tokenizer, fraction: float
) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Cells ``start:stop`` as ``(names, offsets uint64, ids uint32)``, as tokenize_anndata.

    When every stored value is positive (the usual counts), the HDF5 index arrays go to Rust
    as they are (int32, no scipy matrix); otherwise the values are checked and explicit zeros
    dropped as in the in-memory path.
    """
    off, ids = _peak_tokens(path, tok, fraction)
    raw = _raw_rows(path, start, stop)
    fast = False
    if raw is not None:
        indptr, indices, data, names, n_vars = raw
        fast = data.dtype.kind in "biuf" and (data.size == 0 or bool(data.min() > 0))
        if indices.dtype not in (np.int32, np.int64):
            indices = indices.astype(np.int64)
    if not fast:
        x, names = _csr_rows(path, start, stop)
        indptr, indices = _cells_csr(x)
    c_off, c_ids, _ = _core.cells_to_tokens(
        indptr, indices, off.astype(np.uint64), ids, tok.n_regions
    )
    return names, c_off, c_ids


def _cells_rows(
    path: str, start: int, stop: int, tok: Tokenizer, fraction: float
) -> TokenizedCells:
    names, c_off, c_ids = _cells_tokens(path, start, stop, tok, fraction)
    return TokenizedCells(names, c_off.astype(np.int64), c_ids.astype(np.int64))


def plan_cells(
    adata: anndata.AnnData | str | os.PathLike,
    universe: str | os.PathLike,
    *,
    chunk_size: int = 10_000,
    fraction: float = 1e-9,
) -> StorePlan:
    """The parts of :func:`tokenize_cells_to_store` (consecutive blocks of cells)."""
    if chunk_size < 1:
        raise GenimlValueError(f"`chunk_size` must be >= 1, got {chunk_size}")
    if not 0 < fraction <= 1:
        raise GenimlValueError(f"`fraction` must be in (0, 1], got {fraction}")
    if isinstance(adata, (str, os.PathLike)):
        path = Path(adata)
    else:
        fn = getattr(adata, "filename", None)
        if not getattr(adata, "isbacked", False) or fn is None:
            raise GenimlValueError(
                "streaming tokenization needs an .h5ad path or a backed AnnData "
                "(anndata.read_h5ad(path, backed='r')); use tokenize_cells for in-memory data"
            )
        path = Path(fn)
    if not path.is_file():
        raise FileNotFoundError(f"AnnData file not found: {path}")
    path = path.resolve()
    upath = Path(universe).resolve()
    if not upath.is_file():
        raise FileNotFoundError(f"universe file not found: {universe}")
    n = _n_obs(str(path))
    st = path.stat()
    chunks = [(i, min(i + chunk_size, n)) for i in range(0, n, chunk_size)]
    source = {"path": str(path), "size": st.st_size, "mtime": st.st_mtime, "n_obs": n}
    return StorePlan("cells", str(upath), float(fraction), source, chunks)


def tokenize_cells_to_store(
    adata: anndata.AnnData | str | os.PathLike,
    universe: str | os.PathLike,
    output: str | os.PathLike,
    *,
    chunk_size: int = 10_000,
    fraction: float = 1e-9,
    force: bool = False,
    resume: bool = True,
    progress: bool | None = None,
) -> TokenStore:
    """Tokenize the cells of an ``.h5ad`` (read backed) or a 10x ``.h5`` matrix into a store.

    Memory is bounded by one chunk of ``chunk_size`` cells (plus the peak -> token map);
    an interrupted run resumes from the finished chunks.

    Args:
        adata: an ``.h5ad`` path, a backed AnnData, or a 10x Genomics ``.h5`` matrix
            (peaks from ``matrix/features/interval``).
        universe: the universe BED file.
        output: the store folder to write.
        chunk_size: cells per part.
        fraction: minimum overlap as a fraction of the peak.
        force: replace an existing store.
        resume: reuse the finished parts of an interrupted run of the same call.
        progress: progress bar over parts (default: on a terminal or in Jupyter).

    Returns:
        The written store (rows named by cell, ``tokens`` sorted and unique per cell).
    """
    plan = plan_cells(adata, universe, chunk_size=chunk_size, fraction=fraction)
    return _run_plan(plan, Path(output), force=force, resume=resume, progress=progress)
