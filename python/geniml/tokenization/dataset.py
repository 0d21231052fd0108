"""Pre-tokenized data on disk: ``.gtok`` files, parquet ``tokens`` files, and the dataset."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import numpy as np

from geniml import _core
from geniml.exceptions import GenimlValueError

__all__ = ["Region2VecDataset", "read_gtok", "write_gtok"]


def write_gtok(
    path: str | os.PathLike,
    ids: np.ndarray | list[int],
    *,
    width: Literal[16, 32] | None = None,
    force: bool = False,
) -> Path:
    """Write token ids as ``.gtok``: ``GTOK``, a flag byte (0x01 u16, 0x02 u32), LE ids.

    Args:
        path: output file (written atomically).
        ids: token ids.
        width: 16 or 32 bits; default: 16 when every id fits. Ids wider than u16 in a u16
            file are refused.
        force: replace an existing file.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.gtok"
        >>> _ = write_gtok(p, [3, 1, 2])
        >>> read_gtok(p)
        array([3, 1, 2])
    """
    path = Path(path)
    _core.write_gtok(path, np.ascontiguousarray(ids, dtype=np.int64), width=width, force=force)
    return path


def read_gtok(path: str | os.PathLike) -> np.ndarray:
    """Token ids (``int64``) of a ``.gtok`` file (u16 or u32 ids, as the flag byte says).

    Args:
        path: the ``.gtok`` file.

    Returns:
        The ids.

    Examples:
        >>> import tempfile, pathlib
        >>> p = write_gtok(pathlib.Path(tempfile.mkdtemp()) / "a.gtok", [70000, 1])
        >>> read_gtok(p)
        array([70000,     1])
    """
    return _core.read_gtok(Path(path))


class Region2VecDataset:
    """Tokenized documents (BED files or cells) for Region2Vec / scEmbed training.

    Args:
        path: a parquet file with a ``tokens`` list column (upstream's format, as written by
            :func:`tokenize_cells`), or a folder of ``.gtok`` files, or a folder of tokenized
            BED files (as written by :func:`hard_tokenization`; needs ``tokenizer`` or a
            ``universe.bed`` in the folder to map regions to ids).
        tokenizer: the universe tokenizer for tokenized BED folders.
        shuffle: yield each document's tokens in a random order (new order per access).
        seed: seed of that shuffling.

    Documents are numpy ``int64`` arrays. The whole dataset is also available as CSR
    (:meth:`as_csr`), which trainers hand to the Rust batch builder without copies.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = write_gtok(d / "a.gtok", [3, 1, 2])
        >>> _ = write_gtok(d / "b.gtok", [5])
        >>> ds = Region2VecDataset(d)
        >>> len(ds), [x.tolist() for x in ds]
        (2, [[3, 1, 2], [5]])
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        tokenizer=None,
        shuffle: bool = False,
        seed: int | None = None,
    ) -> None:
        self.path = Path(path)
        self.shuffle = shuffle
        self._rng = np.random.default_rng(seed)
        if self.path.is_file():
            self.names, offsets, ids = _read_parquet(self.path)
        elif self.path.is_dir():
            self.names, offsets, ids = _read_folder(self.path, tokenizer)
        else:
            raise FileNotFoundError(f"no tokenized data at {self.path}")
        self.offsets: np.ndarray = offsets
        self.ids: np.ndarray = ids

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, i: int) -> np.ndarray:
        if not -len(self) <= i < len(self):
            raise IndexError(f"document {i} out of range for {len(self)} documents")
        i %= len(self)
        doc = self.ids[self.offsets[i] : self.offsets[i + 1]]
        if self.shuffle:
            doc = self._rng.permutation(doc)
        return doc

    def __iter__(self) -> Iterator[np.ndarray]:
        for i in range(len(self)):
            yield self[i]

    @property
    def lengths(self) -> np.ndarray:
        """Tokens per document."""
        return np.diff(self.offsets)

    @property
    def n_tokens(self) -> int:
        """Tokens in all documents."""
        return int(self.offsets[-1])

    def as_csr(self) -> tuple[np.ndarray, np.ndarray]:
        """``(offsets int64, ids int64)``: document d is ``ids[offsets[d]:offsets[d+1]]``."""
        return self.offsets, self.ids

    def __repr__(self) -> str:
        return f"Region2VecDataset({len(self)} documents, {self.n_tokens} tokens, {self.path})"


def _read_parquet(path: Path) -> tuple[list[str], np.ndarray, np.ndarray]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as err:
        raise GenimlValueError(f"{path}: not a readable parquet file ({err})") from err
    if "tokens" not in table.column_names:
        raise GenimlValueError(
            f"{path}: no 'tokens' column (columns: {table.column_names}); expected upstream's "
            "Region2VecDataset layout"
        )
    col = table["tokens"].combine_chunks()
    if not (pa.types.is_list(col.type) or pa.types.is_large_list(col.type)):
        raise GenimlValueError(f"{path}: 'tokens' must be a list column, got {col.type}")
    if col.null_count:
        raise GenimlValueError(f"{path}: 'tokens' has {col.null_count} null rows")
    offsets = np.asarray(col.offsets, dtype=np.int64)
    values = np.asarray(col.values.to_numpy(zero_copy_only=False), dtype=np.int64)
    offsets = offsets - offsets[0]
    values = values[: offsets[-1]] if len(values) > offsets[-1] else values
    for key in ("cell", "name", "file"):
        if key in table.column_names:
            names = [str(x) for x in table[key].to_pylist()]
            break
    else:
        names = [str(i) for i in range(len(col))]
    return names, offsets, values


def _read_folder(folder: Path, tokenizer) -> tuple[list[str], np.ndarray, np.ndarray]:
    from geniml.io import bed_files_in

    gtoks = sorted(folder.glob("*.gtok"))
    if gtoks:
        docs = [read_gtok(p) for p in gtoks]
        names = [p.stem for p in gtoks]
    else:
        beds = [
            p for p in bed_files_in(folder) if p.name not in ("universe.bed", "universe.bed.gz")
        ]
        if not beds:
            raise FileNotFoundError(f"{folder}: no .gtok or tokenized BED files")
        if tokenizer is None:
            from geniml.tokenization.tokenizer import Tokenizer

            if not (folder / "universe.bed").exists():
                raise GenimlValueError(
                    f"{folder} holds tokenized BED files: pass tokenizer= (the universe) so "
                    "that regions can be mapped to ids"
                )
            tokenizer = Tokenizer.from_bed(folder / "universe.bed")
        # tokenized BED files hold exact universe regions: keep identical intervals only
        docs = [
            a
            for a in tokenizer._inner.tokenize_paths(
                beds,
                fraction=1.0,
                fraction_of="both",
                drop_unknown=True,
                unique=False,
                allow_empty=True,
            )
        ]
        names = [p.name for p in beds]
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    ids = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
    return names, offsets, ids.astype(np.int64, copy=False)
