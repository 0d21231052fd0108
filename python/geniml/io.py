"""Reading, validating and writing genomic regions.

Regions are 0-based half-open ``[start, end)`` intervals (BED convention), held as columns:
chromosome ids (``uint32``) into a name table, starts and ends (``uint32``). Parsing, sorting,
merging and identifiers run in the Rust core with the GIL released.

Examples:
    >>> from geniml.io import RegionSet
    >>> rs = RegionSet((["chr2", "chr1", "chr1"], [50, 10, 15], [60, 20, 30]))
    >>> len(rs), rs.mean_region_width
    (3, 11.666666666666666)
    >>> [tuple(r) for r in rs.sort().merge()]
    [('chr1', 10, 30), ('chr2', 50, 60)]
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NamedTuple, overload

import numpy as np

from geniml import _core
from geniml._optional import require
from geniml.exceptions import GenimlValueError, UniverseError

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

__all__ = [
    "BedSet",
    "ReadReport",
    "Region",
    "RegionSet",
    "bed_files_in",
    "load_universe",
    "read_bed",
    "read_chrom_sizes",
    "read_scatac",
    "tokenize_cells",  # noqa: F822 - resolved by the module __getattr__ below
    "write_bed",
]

OnError = Literal["raise", "skip", "warn"]
BED_SUFFIXES = (
    ".bed",
    ".bed.gz",
    ".narrowpeak",
    ".narrowpeak.gz",
    ".broadpeak",
    ".broadpeak.gz",
    ".bedgraph",
    ".bedgraph.gz",
    ".tsv.gz",
)
NARROWPEAK_COLUMNS = ["name", "score", "strand", "signalValue", "pValue", "qValue", "peak"]


class Region(NamedTuple):
    """One genomic interval, 0-based half-open ``[start, end)``.

    Attributes:
        chrom: chromosome name.
        start: first base (0-based).
        end: one past the last base.

    Examples:
        >>> from geniml.io import Region, RegionSet
        >>> r = Region("chr1", 100, 200)
        >>> str(r), r.end - r.start
        ('chr1:100-200', 100)
        >>> RegionSet([("chr1", 0, 50), ("chr2", 10, 20)])[1]
        Region(chrom='chr2', start=10, end=20)
    """

    chrom: str
    start: int
    end: int

    def __str__(self) -> str:
        return f"{self.chrom}:{self.start}-{self.end}"


class ReadReport(NamedTuple):
    """What reading a file saw besides its regions.

    Attributes:
        n_lines: lines in the file, headers and blank lines included.
        n_skipped: malformed lines dropped (``on_error="skip"`` or ``"warn"``).
        issues: ``(line, reason)`` of the first dropped lines.

    Examples:
        >>> import tempfile, pathlib, warnings
        >>> from geniml.io import read_bed
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.bed"
        >>> _ = p.write_text("chr1\\t0\\t10\\nchr1\\tx\\t20\\n")
        >>> rs = read_bed(p, on_error="skip")
        >>> rs.report.n_lines, rs.report.n_skipped, rs.report.issues[0][0]
        (2, 1, 2)
    """

    n_lines: int
    n_skipped: int
    issues: list[tuple[int, str]]


def _as_u32(values: object, what: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 1:
        raise GenimlValueError(f"`{what}` must be one-dimensional, got shape {arr.shape}")
    if arr.dtype == np.uint32:
        return np.ascontiguousarray(arr)
    if arr.size and arr.dtype.kind in "iu" and (arr.min() < 0 or arr.max() > 0xFFFFFFFF):
        raise GenimlValueError(f"`{what}` holds values outside 0..2**32-1")
    if arr.size and arr.dtype.kind not in "iu":
        raise GenimlValueError(f"`{what}` must hold integers, got dtype {arr.dtype}")
    return np.ascontiguousarray(arr, dtype=np.uint32)


def _intern(chrom_values: Sequence[str] | np.ndarray) -> tuple[list[str], np.ndarray]:
    names, ids = np.unique(np.asarray(chrom_values, dtype=object).astype(str), return_inverse=True)
    # keep first-appearance order so that ids are stable and readable
    first = np.full(len(names), len(ids), dtype=np.int64)
    np.minimum.at(first, ids, np.arange(len(ids)))
    order = np.argsort(first, kind="stable")
    remap = np.empty(len(order), dtype=np.uint32)
    remap[order] = np.arange(len(order), dtype=np.uint32)
    return [str(n) for n in names[order]], remap[ids].astype(np.uint32)


_PANDAS_SPELLINGS: dict[str, tuple[str, ...]] = {
    "chrom": ("chrom", "chromosome", "chr", "seqnames", "chrom_name"),
    "start": ("start", "chromstart", "begin"),
    "end": ("end", "chromend", "stop"),
}


def _reject_dataframe(obj: object, what: str, hint: str) -> None:
    """A clear error for a pandas/polars DataFrame given where an array or a list is expected."""
    kind = type(obj).__module__.split(".", 1)[0]
    if type(obj).__name__ == "DataFrame" and kind in ("pandas", "polars"):
        raise GenimlValueError(f"`{what}` got a {kind} DataFrame; {hint}")


class RegionSet:
    """A set of genomic regions held as columns.

    Args:
        regions: a BED path (plain, gzip or bgzip), an iterable of ``Region`` / ``(chrom,
            start, end)`` tuples, or a ``(chroms, starts, ends)`` triple of sequences/arrays.
        on_error: for paths: ``"raise"`` (default) stops at the first malformed line,
            ``"skip"`` drops bad lines, ``"warn"`` drops them and warns with the count.

    Coordinates are 0-based half-open. Zero-length regions (start == end) are allowed.

    Examples:
        >>> rs = RegionSet([("chr1", 0, 10), ("chr1", 5, 20)])
        >>> rs[1]
        Region(chrom='chr1', start=5, end=20)
        >>> rs.starts
        array([0, 5], dtype=uint32)
    """

    __slots__ = ("_chroms", "_ends", "_extra", "_identifier", "_names", "_starts", "path", "report")

    def __init__(
        self, regions: str | os.PathLike | Iterable | tuple, *, on_error: OnError = "raise"
    ) -> None:
        self.path: Path | None = None
        self.report: ReadReport | None = None
        self._extra: tuple[np.ndarray, np.ndarray] | None = None
        self._identifier: str | None = None
        if isinstance(regions, (str, os.PathLike)):
            other = read_bed(regions, on_error=on_error)
            self._adopt(other)
            return
        if isinstance(regions, RegionSet):
            self._adopt(regions)
            return
        _reject_dataframe(
            regions, "regions", "use RegionSet.from_pandas(df) or RegionSet.from_polars(df)"
        )
        if (
            isinstance(regions, tuple)
            and len(regions) == 3
            and not isinstance(regions[0], str)
            and hasattr(regions[0], "__len__")
        ):
            chroms, starts, ends = regions
        else:
            rows = list(regions)
            chroms = [r[0] for r in rows]
            starts = [r[1] for r in rows]
            ends = [r[2] for r in rows]
        self._names, self._chroms = _intern(chroms)
        self._starts = _as_u32(starts, "starts")
        self._ends = _as_u32(ends, "ends")
        if not (len(self._chroms) == len(self._starts) == len(self._ends)):
            raise GenimlValueError(
                f"chroms, starts and ends differ in length: {len(self._chroms)}, "
                f"{len(self._starts)}, {len(self._ends)}"
            )
        bad = np.flatnonzero(self._starts > self._ends)
        if bad.size:
            i = int(bad[0])
            raise GenimlValueError(
                f"region {i}: start ({self._starts[i]}) is greater than end ({self._ends[i]})"
            )

    # -- construction helpers -------------------------------------------------------------
    def _adopt(self, other: RegionSet) -> None:
        self._names, self._chroms = other._names, other._chroms
        self._starts, self._ends = other._starts, other._ends
        self._extra, self.path, self.report = other._extra, other.path, other.report
        self._identifier = other._identifier

    @classmethod
    def _from_columns(
        cls,
        names: list[str],
        chroms: np.ndarray,
        starts: np.ndarray,
        ends: np.ndarray,
        extra: tuple[np.ndarray, np.ndarray] | None = None,
        path: Path | None = None,
        report: ReadReport | None = None,
    ) -> RegionSet:
        self = cls.__new__(cls)
        self._names, self._chroms, self._starts, self._ends = list(names), chroms, starts, ends
        self._extra, self.path, self.report, self._identifier = extra, path, report, None
        return self

    @classmethod
    def _from_core(
        cls,
        out: _core._RegionsOut,
        path: Path | None = None,
        report: ReadReport | None = None,
    ) -> RegionSet:
        """Adopt a ``(names, chroms, starts, ends, extra)`` result of the Rust core."""
        names, chroms, starts, ends, extra = out
        return cls._from_columns(names, chroms, starts, ends, extra, path, report)

    def _cols(self) -> _core._RegionArg:
        """The ``(names, chroms, starts, ends)`` argument the Rust core takes."""
        return (self._names, self._chroms, self._starts, self._ends)

    @classmethod
    def from_polars(cls, df: pl.DataFrame) -> RegionSet:
        """Build from a polars DataFrame with columns ``chrom``, ``start``, ``end``.

        Examples:
            >>> import polars as pl
            >>> RegionSet.from_polars(pl.DataFrame({"chrom": ["chr1"], "start": [1], "end": [5]}))
            RegionSet(1 regions on 1 chromosomes, mean width 4.0 bp)
        """
        missing = [c for c in ("chrom", "start", "end") if c not in df.columns]
        if missing:
            raise GenimlValueError(
                f"DataFrame lacks column(s) {missing}; expected 'chrom', 'start', 'end'"
            )
        return cls((df["chrom"].to_numpy(), df["start"].to_numpy(), df["end"].to_numpy()))

    @classmethod
    def from_pandas(cls, df: pd.DataFrame) -> RegionSet:
        """Build from a pandas DataFrame (bioframe ``chrom``/``start``/``end`` or pyranges spellings).

        Column names are matched without regard to case: ``chrom``/``Chromosome``/``chr``,
        ``start``/``Start``/``chromStart``, ``end``/``End``/``chromEnd``. Coordinates are
        0-based half-open, as in bioframe and pyranges.

        Args:
            df: the DataFrame (``pyranges.PyRanges`` objects: pass ``gr.df``).

        Returns:
            A RegionSet in the frame's row order.

        Raises:
            GenimlValueError: a coordinate column is missing (the message lists the columns seen).

        Examples:
            >>> import pandas as pd
            >>> df = pd.DataFrame({"Chromosome": ["chr1", "chr2"], "Start": [0, 10], "End": [5, 20]})
            >>> RegionSet.from_pandas(df)
            RegionSet(2 regions on 2 chromosomes, mean width 7.5 bp)
            >>> RegionSet.from_pandas(df).to_pandas().columns.tolist()
            ['chrom', 'start', 'end']
        """
        cols = {str(c).lower(): c for c in df.columns}
        picked = []
        for what, names in _PANDAS_SPELLINGS.items():
            hit = next((cols[n] for n in names if n in cols), None)
            if hit is None:
                raise GenimlValueError(
                    f"DataFrame lacks a {what!r} column (looked for {list(names)}, case-"
                    f"insensitive); it has {[str(c) for c in df.columns]}"
                )
            picked.append(df[hit].to_numpy())
        return cls((picked[0].astype(str), picked[1], picked[2]))

    def to_pandas(self, *, pyranges: bool = False) -> pd.DataFrame:
        """A pandas DataFrame with columns ``chrom``, ``start``, ``end`` (bioframe's names).

        Args:
            pyranges: name the columns ``Chromosome``, ``Start``, ``End`` instead, so that
                ``pyranges.PyRanges(rs.to_pandas(pyranges=True))`` works.

        Returns:
            The DataFrame (``start``/``end`` as ``int64``, 0-based half-open).

        Examples:
            >>> RegionSet([("chr1", 0, 10)]).to_pandas(pyranges=True).columns.tolist()
            ['Chromosome', 'Start', 'End']
        """
        from geniml._optional import require

        pd = require("pandas")
        names = ("Chromosome", "Start", "End") if pyranges else ("chrom", "start", "end")
        return pd.DataFrame(
            {
                names[0]: self.chrom_array().astype(str),
                names[1]: self._starts.astype(np.int64),
                names[2]: self._ends.astype(np.int64),
            }
        )

    # -- columns --------------------------------------------------------------------------
    @property
    def chroms(self) -> np.ndarray:
        """Chromosome id of each region (``uint32``), indexing :attr:`chrom_names`."""
        return self._chroms

    @property
    def starts(self) -> np.ndarray:
        """0-based starts (``uint32``)."""
        return self._starts

    @property
    def ends(self) -> np.ndarray:
        """Exclusive ends (``uint32``)."""
        return self._ends

    @property
    def chrom_names(self) -> list[str]:
        """The chromosome name table (``chrom_names[id]``)."""
        return list(self._names)

    @property
    def widths(self) -> np.ndarray:
        """``end - start`` of each region."""
        return (self._ends - self._starts).astype(np.int64)

    @property
    def mean_region_width(self) -> float:
        """Mean of ``end - start`` (0.0 for an empty set)."""
        return _core.summary(self._cols())[0]

    @property
    def n_chromosomes(self) -> int:
        """Number of distinct chromosomes used."""
        return _core.summary(self._cols())[1]

    @property
    def identifier(self) -> str:
        """BEDbase identifier (md5 digest over the regions in natural sorted order)."""
        if self._identifier is None:
            self._identifier = _core.identifier(self._cols())
        return self._identifier

    def chrom_array(self) -> np.ndarray:
        """Chromosome name of each region as a numpy string array."""
        return (
            np.asarray(self._names, dtype=object)[self._chroms]
            if len(self)
            else np.asarray([], dtype=object)
        )

    # -- extra BED columns ----------------------------------------------------------------
    @property
    def n_extra_columns(self) -> int:
        """Number of columns after the third that the source file had."""
        return 0 if self._extra is None else _core.extra_n_columns(self._extra)

    def extra_column(self, k: int) -> list[str]:
        """Text of BED column ``k + 4`` (``k = 0``: name, 1: score, 2: strand, ...)."""
        if self._extra is None:
            raise GenimlValueError("this RegionSet has no extra columns")
        return _core.extra_column(self._extra, k)

    # -- sequence protocol ----------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._starts)

    def __iter__(self) -> Iterator[Region]:
        names = self._names
        for c, s, e in zip(
            self._chroms.tolist(), self._starts.tolist(), self._ends.tolist(), strict=True
        ):
            yield Region(names[c], s, e)

    @overload
    def __getitem__(self, key: int | np.integer) -> Region: ...
    @overload
    def __getitem__(self, key: slice | np.ndarray) -> RegionSet: ...
    def __getitem__(self, key: int | np.integer | slice | np.ndarray) -> Region | RegionSet:
        if isinstance(key, (int, np.integer)):
            i = int(key)
            if i < 0:
                i += len(self)
            if not 0 <= i < len(self):
                raise IndexError(f"region index {key} out of range for {len(self)} regions")
            return Region(self._names[self._chroms[i]], int(self._starts[i]), int(self._ends[i]))
        idx = np.arange(len(self))[key]
        return self._take(idx.astype(np.uint32))

    def _take(self, order: np.ndarray) -> RegionSet:
        order = np.ascontiguousarray(order, dtype=np.uint32)
        extra = None if self._extra is None else _core.take_extra(self._extra, order)
        return RegionSet._from_columns(
            self._names, self._chroms[order], self._starts[order], self._ends[order], extra
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RegionSet) or len(self) != len(other):
            return False
        return (
            np.array_equal(self.chrom_array(), other.chrom_array())
            and np.array_equal(self._starts, other._starts)
            and np.array_equal(self._ends, other._ends)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        src = f", from {self.path.name}" if self.path is not None else ""
        return (
            f"RegionSet({len(self)} regions on {self.n_chromosomes} chromosomes, "
            f"mean width {self.mean_region_width:.1f} bp{src})"
        )

    # -- operations -----------------------------------------------------------------------
    def is_sorted(self) -> bool:
        """True when regions are in natural chromosome order, then start, then end."""
        return _core.is_sorted(self._cols())

    def sort(self) -> RegionSet:
        """A copy sorted by natural chromosome order, then start and end.

        Natural order: chr1, chr2, ..., chr10, ..., chrX, chrY, chrM, then other contigs
        lexicographically.
        """
        return self._take(_core.sort_order(self._cols()))

    def merge(self, distance: int = 0) -> RegionSet:
        """Merge overlapping, book-ended and at most ``distance`` bp distant regions.

        Same semantics as ``bedtools merge -d distance``; the result is sorted and has no
        extra columns.
        """
        if distance < 0:
            raise GenimlValueError(f"`distance` must be >= 0, got {distance}")
        return RegionSet._from_core(_core.merge(self._cols(), int(distance)))

    def dedup(self) -> RegionSet:
        """A sorted copy without exact duplicate regions (the first copy is kept)."""
        return self._take(_core.dedup_order(self._cols()))

    def to_polars(self, *, extra: bool = False) -> pl.DataFrame:
        """Columns ``chrom`` (categorical-friendly string), ``start``, ``end`` (UInt32).

        Args:
            extra: also include the extra BED columns, named as in narrowPeak
                (``name``, ``score``, ``strand``, ``signalValue``, ...) or ``col4``...
        """
        import polars as pl

        data: dict[str, object] = {
            "chrom": pl.Series("chrom", self.chrom_array().astype(str), dtype=pl.Utf8),
            "start": pl.Series("start", self._starts, dtype=pl.UInt32),
            "end": pl.Series("end", self._ends, dtype=pl.UInt32),
        }
        if extra and self._extra is not None:
            for k in range(self.n_extra_columns):
                name = NARROWPEAK_COLUMNS[k] if k < len(NARROWPEAK_COLUMNS) else f"col{k + 4}"
                data[name] = pl.Series(name, self.extra_column(k), dtype=pl.Utf8)
        return pl.DataFrame(data)

    def to_bed(self, path: str | os.PathLike, *, force: bool = False) -> Path:
        """Write as BED (gzip-compressed when ``path`` ends in ``.gz``).

        The file is written to a temporary name and renamed; an existing file is replaced only
        when ``force=True``.
        """
        return write_bed(self, path, force=force)


def read_bed(
    path: str | os.PathLike,
    *,
    on_error: OnError = "raise",
    chrom_sizes: dict[str, int] | str | os.PathLike | None = None,
    allow_empty: bool = False,
) -> RegionSet:
    """Read a BED-like file (BED3+, BED6/9, narrowPeak, broadPeak, fragments).

    Plain, gzip and bgzip are detected from the magic bytes. ``track``/``browser``/``#`` lines
    and blank lines are skipped, CRLF is accepted, extra columns stay reachable through
    :meth:`RegionSet.extra_column` and :meth:`RegionSet.to_polars`.

    Args:
        path: the file.
        on_error: ``"raise"`` (default), ``"skip"`` or ``"warn"`` (skip and warn).
        chrom_sizes: a ``{name: length}`` dict or a chrom sizes file; when given, unknown
            chromosomes and ends past the chromosome end are errors.
        allow_empty: accept a file with no region (otherwise :class:`BedParseError`).

    Returns:
        The regions, in file order.

    Raises:
        BedParseError: a malformed line (``.path``, ``.line`` and ``.reason`` say which).
        FileNotFoundError: ``path`` does not exist.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "x.bed"
        >>> _ = p.write_text("chr1\\t10\\t20\\tpeak1\\n")
        >>> rs = read_bed(p)
        >>> rs[0], rs.extra_column(0)
        (Region(chrom='chr1', start=10, end=20), ['peak1'])
    """
    sizes = _sizes_dict(chrom_sizes)
    out, rep = _core.read_bed(
        Path(path), on_error=on_error, chrom_sizes=sizes, allow_empty=allow_empty
    )
    report = ReadReport(*rep)
    _report_skips(Path(path), report, on_error)
    return RegionSet._from_core(out, Path(path), report)


def _report_skips(path: Path, report: ReadReport, on_error: str) -> None:
    if on_error == "warn" and report.n_skipped:
        first = "; ".join(f"line {ln}: {msg}" for ln, msg in report.issues[:3])
        warnings.warn(
            f"{path}: dropped {report.n_skipped} malformed line(s) ({first})", stacklevel=3
        )


def _sizes_dict(chrom_sizes: dict[str, int] | str | os.PathLike | None) -> dict[str, int] | None:
    if chrom_sizes is None or isinstance(chrom_sizes, dict):
        return chrom_sizes
    return read_chrom_sizes(chrom_sizes)


def write_bed(
    regions: RegionSet | Iterable, path: str | os.PathLike, *, force: bool = False
) -> Path:
    """Write regions as BED (``.gz`` suffix: gzip).

    The write is atomic (temporary file, then rename); an existing file is replaced only when
    ``force=True``. Coordinates are written as stored: 0-based half-open.

    Args:
        regions: a :class:`RegionSet` or an iterable of ``(chrom, start, end)`` tuples.
        path: the output file; a ``.gz`` suffix writes gzip.
        force: replace an existing file.

    Returns:
        The path written.

    Raises:
        FileExistsError: ``path`` exists and ``force`` is false.

    Examples:
        >>> import tempfile, pathlib
        >>> from geniml.io import write_bed
        >>> p = write_bed([("chr1", 0, 10), ("chr2", 5, 8)], pathlib.Path(tempfile.mkdtemp()) / "a.bed")
        >>> p.read_text()
        'chr1\\t0\\t10\\nchr2\\t5\\t8\\n'
    """
    rs = regions if isinstance(regions, RegionSet) else RegionSet(regions)
    path = Path(path)
    _core.write_bed(rs._cols(), rs._extra, path, gzip=path.suffix == ".gz", force=force)
    return path


def read_chrom_sizes(path: str | os.PathLike) -> dict[str, int]:
    """Read a chrom sizes file (``name<TAB>length`` per line) into a dict, in file order.

    Args:
        path: the chrom sizes file.

    Returns:
        ``{chromosome: length}``.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "g.sizes"
        >>> _ = p.write_text("chr1\\t1000\\nchr2\\t500\\n")
        >>> read_chrom_sizes(p)
        {'chr1': 1000, 'chr2': 500}
    """
    return dict(_core.read_chrom_sizes(Path(path)))


def load_universe(path: str | os.PathLike, *, dedup: bool = False) -> RegionSet:
    """Read a universe BED file, keeping file order (token id i = i-th line).

    Duplicate regions are an error naming both line numbers, unless ``dedup=True`` (then the
    first copy is kept and a warning says how many were dropped). The same Rust loader backs
    :class:`~geniml.tokenization.Tokenizer`.

    Args:
        path: the universe BED file.
        dedup: keep the first copy of duplicate regions instead of raising.

    Returns:
        The universe regions in file order.

    Raises:
        UniverseError: the universe is empty or has duplicate regions.
        UniverseNotFoundError: the file is missing (a ``FileNotFoundError`` too).

    Examples:
        >>> from geniml import datasets
        >>> from geniml.io import load_universe
        >>> len(load_universe(datasets.hg38_universe()))
        2378
    """
    path = Path(path)
    out, n_dropped = _core.read_universe(path, dedup=dedup)
    if n_dropped:
        warnings.warn(f"{path}: dropped {n_dropped} duplicate universe region(s)", stacklevel=2)
    return RegionSet._from_core(out, path)


def bed_files_in(folder: str | os.PathLike) -> list[Path]:
    """BED-like files of a folder (``.bed``, ``.bed.gz``, ``.narrowPeak``, ...), sorted by name.

    Other files (``metadata.tsv``, ``README``) and subfolders are left out.

    Args:
        folder: the folder.

    Returns:
        The file paths, sorted by name.

    Raises:
        FileNotFoundError: ``folder`` is not a folder.

    Examples:
        >>> from geniml import datasets
        >>> from geniml.io import bed_files_in
        >>> [p.name for p in bed_files_in(datasets.diffbind_er_chr18())][:2]
        ['BT4741.bed.gz', 'BT4742.bed.gz']
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"not a folder: {folder}")
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.name.lower().endswith(BED_SUFFIXES)
    )


class BedSet:
    """A collection of BED files, read in parallel.

    Args:
        source: a folder (its BED-like files, sorted by name) or a list of paths (see
            :meth:`from_manifest` for a file listing them).
        on_error: as in :func:`read_bed`.
        allow_empty: accept files with no region (e.g. tokenized files of BED files that no
            universe region overlaps) as empty sets.
        n_threads: threads for reading (default: ``GENIML_NUM_THREADS`` or all cores).
        lazy: open no file at construction: members are read when accessed, and iteration
            reads ``batch_size`` files at a time in parallel, so a collection of 100k files
            is walked with memory bounded by one batch.
        batch_size: files per parallel read when lazy.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "a.bed").write_text("chr1\\t1\\t5\\n")
        >>> _ = (d / "b.bed").write_text("chr2\\t1\\t5\\nchr2\\t8\\t9\\n")
        >>> bs = BedSet(d)
        >>> [len(r) for r in bs], len(bs.identifier)
        ([1, 2], 32)
        >>> lazy = BedSet(d, lazy=True, batch_size=1)
        >>> [len(r) for r in lazy], lazy.identifier == bs.identifier
        ([1, 2], True)
    """

    def __init__(
        self,
        source: str | os.PathLike | Sequence[str | os.PathLike],
        *,
        on_error: OnError = "raise",
        n_threads: int | None = None,
        allow_empty: bool = False,
        lazy: bool = False,
        batch_size: int = 256,
    ) -> None:
        if isinstance(source, (str, os.PathLike)):
            paths = bed_files_in(source)
            if not paths:
                raise UniverseError(f"{source}: the folder holds no BED file")
        else:
            paths = [Path(p) for p in source]
        if batch_size < 1:
            raise GenimlValueError(f"`batch_size` must be >= 1, got {batch_size}")
        self.paths: list[Path] = paths
        self._on_error: OnError = on_error
        self._allow_empty = allow_empty
        self._n_threads = n_threads
        self._batch_size = batch_size
        self._sets: list[RegionSet] | None = None if lazy else self._read(paths)

    @classmethod
    def from_manifest(
        cls,
        manifest: str | os.PathLike,
        *,
        on_error: OnError = "raise",
        allow_empty: bool = False,
        n_threads: int | None = None,
        lazy: bool = False,
        batch_size: int = 256,
    ) -> BedSet:
        """A BedSet of the files a manifest lists (other arguments as in :class:`BedSet`).

        The manifest holds one path per line (the first tab-separated field); relative paths
        are taken from the manifest's folder; ``#`` lines and blank lines are skipped.

        Raises:
            FileNotFoundError: the manifest, or a file it lists (named with its line), is
                missing.
        """
        manifest = Path(manifest)
        if not manifest.is_file():
            raise FileNotFoundError(f"manifest not found: {manifest}")
        paths = []
        with open(manifest, encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                field = line.rstrip("\r\n").split("\t", 1)[0].strip()
                if not field or field.startswith("#"):
                    continue
                p = Path(field)
                p = p if p.is_absolute() else manifest.parent / p
                if not p.is_file():
                    raise FileNotFoundError(f"{manifest}:{n}: listed file not found: {p}")
                paths.append(p)
        if not paths:
            raise UniverseError(f"{manifest}: the manifest lists no BED file")
        return cls(
            paths,
            on_error=on_error,
            allow_empty=allow_empty,
            n_threads=n_threads,
            lazy=lazy,
            batch_size=batch_size,
        )

    def _read(self, paths: list[Path]) -> list[RegionSet]:
        parsed = _core.read_many(
            paths,
            on_error=self._on_error,
            allow_empty=self._allow_empty,
            n_threads=self._n_threads,
        )
        sets = []
        for path, (out, rep) in zip(paths, parsed, strict=True):
            report = ReadReport(*rep)
            _report_skips(path, report, self._on_error)
            sets.append(RegionSet._from_core(out, path, report))
        return sets

    @property
    def region_sets(self) -> list[RegionSet]:
        """Every member in memory (a lazy BedSet reads them all now)."""
        if self._sets is None:
            return [r for batch in self.iter_batches() for r in batch]
        return self._sets

    def iter_batches(self, batch_size: int | None = None) -> Iterator[list[RegionSet]]:
        """Members in consecutive batches (each read in parallel when lazy)."""
        size = batch_size or self._batch_size
        for i in range(0, len(self.paths), size):
            if self._sets is not None:
                yield self._sets[i : i + size]
            else:
                yield self._read(self.paths[i : i + size])

    def __len__(self) -> int:
        return len(self.paths)

    def __iter__(self) -> Iterator[RegionSet]:
        for batch in self.iter_batches():
            yield from batch

    def __getitem__(self, i: int) -> RegionSet:
        if self._sets is not None:
            return self._sets[i]
        return self._read([self.paths[i]])[0]

    @property
    def identifier(self) -> str:
        """md5 of the member identifiers concatenated in file order."""
        return _core.bedset_identifier([r.identifier for r in self])

    def to_regionset(self) -> RegionSet:
        """All regions of all files in one set (file order, then line order)."""
        sets = self.region_sets
        chroms = np.concatenate([r.chrom_array() for r in sets])
        return RegionSet(
            (
                chroms,
                np.concatenate([r.starts for r in sets]),
                np.concatenate([r.ends for r in sets]),
            )
        )

    def __repr__(self) -> str:
        if self._sets is None:
            return f"BedSet({len(self)} files, lazy)"
        n = sum(len(r) for r in self._sets)
        return f"BedSet({len(self)} files, {n} regions)"


def __getattr__(name: str) -> object:
    """``geniml.io.tokenize_cells`` (upstream's import path), resolved on first use.

    The function lives in :mod:`geniml.tokenization`, which imports this module; resolving it
    lazily keeps the imports one-way (``geniml.io`` never imports ``geniml.tokenization``).
    """
    if name == "tokenize_cells":
        from geniml.tokenization import tokenize_cells

        return tokenize_cells
    raise AttributeError(f"module 'geniml.io' has no attribute {name!r}")


def read_scatac(folder: str | os.PathLike, *, matrix: str | None = None):
    """Read a 10x-style scATAC folder into AnnData (cells x peaks).

    The folder holds a MatrixMarket matrix (``matrix.mtx`` or any ``*.mtx``, gzip allowed),
    ``peaks.bed`` and ``barcodes.tsv`` (one barcode per line) or ``cells.tsv`` (a header line
    and a ``cell`` column; other columns become ``obs`` columns, e.g. ``cell_type``). The
    matrix may be peaks x cells or cells x peaks; its orientation is taken from the number of
    peaks. ``var`` gets ``chr``/``start``/``end`` columns.

    Args:
        folder: the folder.
        matrix: the matrix file name inside ``folder`` (default: ``matrix.mtx`` or the only
            ``*.mtx``).

    Returns:
        An AnnData, cells x peaks (needs the ``ml`` extra).

    Raises:
        FileNotFoundError: a required file is missing (the message lists what was looked for).
        AnnDataLayoutError: the matrix shape matches neither peaks x cells nor cells x peaks.

    Examples:
        >>> import tempfile, pathlib
        >>> from geniml.io import read_scatac
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "peaks.bed").write_text("chr1\\t0\\t100\\nchr1\\t200\\t300\\n")
        >>> _ = (d / "barcodes.tsv").write_text("AAAC\\nAAAG\\nAAAT\\n")
        >>> mtx = "%%MatrixMarket matrix coordinate integer general\\n2 3 3\\n1 1 1\\n2 2 4\\n1 3 2\\n"
        >>> _ = (d / "matrix.mtx").write_text(mtx)
        >>> a = read_scatac(d)
        >>> a.shape, list(a.var["start"])
        ((3, 2), [0, 200])
    """
    ad = require("anndata")
    pd = require("pandas")
    scipy = require("scipy")
    require("scipy.io")
    sp = require("scipy.sparse")

    from geniml.exceptions import AnnDataLayoutError

    folder = Path(folder)
    mtx = (
        folder / matrix
        if matrix
        else next(iter(sorted(folder.glob("*.mtx")) + sorted(folder.glob("*.mtx.gz"))), None)
    )
    if mtx is None or not mtx.exists():
        raise FileNotFoundError(f"{folder}: no MatrixMarket file (*.mtx, *.mtx.gz)")
    peaks_path = next(
        (folder / n for n in ("peaks.bed", "peaks.bed.gz") if (folder / n).exists()), None
    )
    if peaks_path is None:
        raise FileNotFoundError(f"{folder}: no peaks.bed")
    peaks = read_bed(peaks_path)
    if (folder / "cells.tsv").exists():
        obs = pd.read_csv(folder / "cells.tsv", sep="\t", dtype=str)
        key = "cell" if "cell" in obs.columns else obs.columns[0]
        obs = obs.set_index(key)
    elif (folder / "barcodes.tsv").exists() or (folder / "barcodes.tsv.gz").exists():
        bc = folder / "barcodes.tsv"
        bc = bc if bc.exists() else folder / "barcodes.tsv.gz"
        obs = pd.DataFrame(index=pd.read_csv(bc, sep="\t", header=None, dtype=str)[0].values)
    else:
        raise FileNotFoundError(f"{folder}: no barcodes.tsv or cells.tsv")
    x = sp.csr_matrix(scipy.io.mmread(mtx))
    n_peaks, n_cells = len(peaks), len(obs)
    if x.shape == (n_peaks, n_cells):
        x = x.T.tocsr()
    elif x.shape != (n_cells, n_peaks):
        raise AnnDataLayoutError(
            f"{mtx}: matrix shape {x.shape} matches neither peaks x cells ({n_peaks}, {n_cells}) "
            f"nor cells x peaks ({n_cells}, {n_peaks})"
        )
    obs.index = obs.index.astype(str)
    if not obs.index.is_unique:  # e.g. 23 cells of the Schep set are all named "NEW"
        obs.index = ad.utils.make_index_unique(obs.index)
    var = pd.DataFrame(
        {"chr": peaks.chrom_array().astype(str), "start": peaks.starts, "end": peaks.ends},
        index=[f"{r.chrom}:{r.start}-{r.end}" for r in peaks],
    )
    return ad.AnnData(X=x.astype("float32"), obs=obs, var=var)
