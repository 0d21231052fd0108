"""Coverage tracks of a BED collection (replaces ``uniwig``).

Three run-length encoded tracks per chromosome, computed in the Rust core in parallel:
``core`` (regions covering each base), ``start`` and ``end`` (region starts / ends, each
smoothed over ``[p - smooth, p + smooth]`` and clipped to the chromosome; the end of
``[s, e)`` is the BED end coordinate ``e``). Coordinates are 0-based half-open.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from geniml import _core
from geniml.exceptions import GenimlValueError, UniverseError
from geniml.io import RegionSet, bed_files_in, read_chrom_sizes

__all__ = ["Coverage", "BedSource", "coverage_tracks", "load_coverage"]

TrackName = Literal["start", "core", "end"]
TrackFormat = Literal["bigwig", "bedgraph"]
BedSource = str | os.PathLike | Sequence[str | os.PathLike | RegionSet] | RegionSet


class Coverage:
    """Start / core / end coverage tracks of a collection, held run-length encoded in Rust.

    Build one with :func:`coverage_tracks` (BED files), :meth:`from_regions` (in-memory region
    sets) or :func:`load_coverage` (a folder of bigWig tracks).

    Examples:
        >>> from geniml.io import RegionSet
        >>> cov = Coverage.from_regions([RegionSet([("chr1", 10, 20), ("chr1", 15, 30)])],
        ...                             {"chr1": 100}, smooth=0)
        >>> [tuple(int(x) for x in r) for r in zip(*cov.runs("chr1", "core"))]
        [(10, 15, 1), (15, 20, 2), (20, 30, 1)]
    """

    __slots__ = ("_inner",)

    def __init__(self, inner: _core.Coverage) -> None:
        self._inner = inner

    @classmethod
    def from_regions(
        cls,
        region_sets: Sequence[RegionSet],
        chrom_sizes: dict[str, int] | str | os.PathLike,
        *,
        smooth: int = 25,
        labels: Sequence[str] | None = None,
        n_threads: int | None = None,
    ) -> Coverage:
        """Tracks of in-memory region sets (no file is written).

        Raises:
            ChromosomeNotFoundError: a region's chromosome is not in ``chrom_sizes``.
            GenimlValueError: a region ends past its chromosome, or the collection is empty.
        """
        sizes = _sizes_list(chrom_sizes)
        if labels is None:
            labels = [
                str(r.path) if r.path is not None else f"set {i}" for i, r in enumerate(region_sets)
            ]
        sets = [r._cols() for r in region_sets]
        return cls(
            _core.Coverage.from_regions(
                sets, list(labels), sizes, smooth=_smooth(smooth), n_threads=n_threads
            )
        )

    @property
    def n_files(self) -> int:
        """Number of region sets the tracks came from (0 when read from a folder)."""
        return self._inner.n_files

    @property
    def chroms(self) -> dict[str, int]:
        """``{chromosome: length}`` in natural order."""
        return dict(self._inner.chroms())

    def runs(self, chrom: str, track: TrackName = "core"):
        """Non-zero runs of a track on one chromosome: ``(starts, ends, values)`` uint32 arrays."""
        return self._inner.runs(chrom, track)

    def write(
        self,
        out_dir: str | os.PathLike,
        *,
        prefix: str = "all",
        format: TrackFormat = "bigwig",
        force: bool = False,
    ) -> list[Path]:
        """Write ``{prefix}_start``, ``_core`` and ``_end`` (``.bw`` or ``.bedGraph``).

        Existing files are refused unless ``force=True`` (then nothing is written); each
        file is written to a temporary name and renamed.
        """
        return [Path(p) for p in self._inner.write(Path(out_dir), prefix, format, force=force)]

    def is_empty(self) -> bool:
        """True when every track is zero everywhere."""
        return _core.coverage_is_empty(self._inner)

    def __add__(self, other: Coverage) -> Coverage:
        """Tracks of both collections together (run-wise sum; same genome required).

        Coverage is additive, so the tracks of a collection equal the sum of the tracks of
        any split of it: this is how batches and Dask partitions are combined.
        """
        if not isinstance(other, Coverage):
            return NotImplemented
        return Coverage(_core.coverage_add(self._inner, other._inner))

    def __reduce__(self):
        return (_coverage_from_bytes, (_core.coverage_to_bytes(self._inner),))

    def __repr__(self) -> str:
        return f"Coverage({len(self.chroms)} chromosomes)"


def _coverage_from_bytes(data: bytes) -> Coverage:
    return Coverage(_core.coverage_from_bytes(data))


#: Bytes of BED text read per batch when a collection is streamed (see :func:`compute_coverage`).
DEFAULT_BATCH_BYTES = 256 * 2**20


def file_batches(paths: Sequence[Path], batch_bytes: int) -> list[list[Path]]:
    """Consecutive groups of files holding about ``batch_bytes`` of input each (>= 1 file).

    Sizes are file sizes on disk (compressed for gzip), so a batch of gzip files holds more
    regions than one of plain files of the same total size.
    """
    if batch_bytes < 1:
        raise GenimlValueError(f"`batch_bytes` must be >= 1, got {batch_bytes}")
    out: list[list[Path]] = []
    cur: list[Path] = []
    size = 0
    for p in paths:
        if cur and size >= batch_bytes:
            out.append(cur)
            cur, size = [], 0
        cur.append(p)
        try:
            size += os.stat(p).st_size
        except OSError:
            pass  # the reader names the missing file
    if cur:
        out.append(cur)
    return out


def _smooth(smooth: int) -> int:
    if smooth < 0:
        raise GenimlValueError(f"`smooth` must be >= 0, got {smooth}")
    return int(smooth)


def _sizes_list(chrom_sizes: dict[str, int] | str | os.PathLike) -> list[tuple[str, int]]:
    if isinstance(chrom_sizes, dict):
        return [(str(k), int(v)) for k, v in chrom_sizes.items()]
    return list(read_chrom_sizes(chrom_sizes).items())


def _bed_paths(beds: BedSource) -> list[Path] | None:
    """File paths of a BED source, or None when it holds in-memory region sets."""
    if isinstance(beds, RegionSet):
        return None
    if isinstance(beds, (str, os.PathLike)):
        p = Path(beds)
        if p.is_dir():
            paths = bed_files_in(p)
            if not paths:
                raise UniverseError(f"{p}: the folder holds no BED file (empty collection)")
            return paths
        return [p]
    items = list(beds)
    if not items:
        raise UniverseError("the BED collection is empty")
    if all(isinstance(b, RegionSet) for b in items):
        return None
    named = [b for b in items if not isinstance(b, RegionSet)]
    if len(named) != len(items):
        raise GenimlValueError("mix of paths and RegionSets; pass one kind")
    return [Path(b) for b in named]


def _region_sets(beds: BedSource) -> list[RegionSet]:
    """The in-memory region sets of a source (for which :func:`_bed_paths` gave None)."""
    if isinstance(beds, RegionSet):
        return [beds]
    if isinstance(beds, (str, os.PathLike)):
        return []
    return [b for b in beds if isinstance(b, RegionSet)]


def compute_coverage(
    beds: BedSource,
    chrom_sizes: dict[str, int] | str | os.PathLike,
    *,
    smooth: int = 25,
    n_threads: int | None = None,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
    progress: bool | None = None,
) -> Coverage:
    """Coverage tracks of a BED collection, in memory.

    Files are read ``batch_bytes`` of input at a time and each batch's tracks are added into
    the result, so peak memory is bounded by one batch plus the result's runs, not by the
    size of the collection; the tracks are identical for any batch size.

    Args:
        beds: a folder of BED files, one (combined) BED file, a list of paths, a
            :class:`~geniml.io.RegionSet` or a list of them. Unsorted input is fine.
        chrom_sizes: ``{name: length}`` or a chrom sizes file.
        smooth: half-width of the start/end smoothing window (``uniwig -m``).
        n_threads: threads (default: ``GENIML_NUM_THREADS`` or all cores); the result does
            not depend on it.
        batch_bytes: bytes of BED files (on disk) read per batch.
        progress: show a progress bar over batches (default: when there is more than one
            batch and progress is not switched off by ``GENIML_NO_PROGRESS``).

    Raises:
        BedParseError: a malformed line, a chromosome missing from the chrom sizes or a
            region past the chromosome end (with file and line).
        UniverseError: the collection is empty.

    Returns:
        The start, core and end tracks (:class:`Coverage`), run-length encoded.

    Examples:
        >>> from geniml import datasets
        >>> from geniml.universe import compute_coverage
        >>> cov = compute_coverage(datasets.diffbind_er_chr18(), datasets.hg19_chrom_sizes())
        >>> cov.n_files
        11
    """
    sizes = _sizes_list(chrom_sizes)
    paths = _bed_paths(beds)
    if paths is None:
        sets = _region_sets(beds)
        return Coverage.from_regions(sets, dict(sizes), smooth=smooth, n_threads=n_threads)
    smooth = _smooth(smooth)
    batches = file_batches(paths, batch_bytes)
    if len(batches) == 1:
        return Coverage(_core.Coverage.from_files(paths, sizes, smooth=smooth, n_threads=n_threads))
    from geniml._progress import progress_bar

    acc: Coverage | None = None
    with progress_bar(len(paths), "coverage", unit="files", enabled=progress) as advance:
        for batch in batches:
            part = Coverage(
                _core.coverage_of_batch(batch, sizes, smooth=smooth, n_threads=n_threads)
            )
            acc = part if acc is None else acc + part
            advance(len(batch))
    assert acc is not None
    if acc.is_empty():
        raise UniverseError("the BED collection is empty: no region to compute coverage from")
    return acc


def coverage_tracks(
    beds: BedSource,
    chrom_sizes: dict[str, int] | str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    smooth: int = 25,
    prefix: str = "all",
    format: TrackFormat = "bigwig",
    force: bool = False,
    n_threads: int | None = None,
    batch_bytes: int = DEFAULT_BATCH_BYTES,
) -> list[Path]:
    """Write start / core / end coverage tracks of a BED collection (like ``uniwig -m``).

    Args:
        beds: a folder of BED files, one (combined) BED file, a list of paths or RegionSets.
        chrom_sizes: ``{name: length}`` or a chrom sizes file.
        out_dir: folder for ``{prefix}_start.bw``, ``{prefix}_core.bw``, ``{prefix}_end.bw``
            (created when missing).
        smooth: start/end smoothing half-width in bp (a start at ``s`` adds 1 on
            ``[s - smooth, s + smooth]``, clipped to the chromosome).
        prefix: file-name prefix.
        format: ``"bigwig"`` (default) or ``"bedgraph"`` (then ``{prefix}_chrom.sizes`` is
            written too, so that the folder can be read back).
        force: replace existing track files.
        n_threads: threads (default: ``GENIML_NUM_THREADS`` or all cores).
        batch_bytes: bytes of BED input read per batch (memory bound; see
            :func:`compute_coverage`).

    Returns:
        The three paths written (start, core, end).

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "a.bed").write_text("chr1\\t10\\t20\\nchr1\\t15\\t30\\n")
        >>> [p.name for p in coverage_tracks(d / "a.bed", {"chr1": 100}, d / "cov")]
        ['all_start.bw', 'all_core.bw', 'all_end.bw']
    """
    cov = compute_coverage(
        beds, chrom_sizes, smooth=smooth, n_threads=n_threads, batch_bytes=batch_bytes
    )
    return cov.write(out_dir, prefix=prefix, format=format, force=force)


def load_coverage(
    folder: str | os.PathLike,
    *,
    prefix: str = "all",
    tracks: Sequence[TrackName] = ("start", "core", "end"),
) -> Coverage:
    """Read ``{prefix}_start.bw``, ``{prefix}_core.bw`` and ``{prefix}_end.bw`` of a folder.

    bedGraph tracks (``{prefix}_core.bedGraph`` ...) are read when the bigWig is absent; they
    need the ``{prefix}_chrom.sizes`` that ``coverage_tracks(format="bedgraph")`` writes.

    Args:
        folder: the coverage folder (as written by :func:`coverage_tracks` or uniwig).
        prefix: file-name prefix.
        tracks: which tracks to read (the others stay empty).

    Returns:
        The tracks read (:class:`Coverage`).

    Raises:
        UniverseError: a track is missing.
        FileNotFoundError: the folder does not exist.

    Examples:
        >>> import tempfile
        >>> from geniml import datasets
        >>> from geniml.universe import coverage_tracks, load_coverage
        >>> d = tempfile.mkdtemp()
        >>> _ = coverage_tracks(datasets.diffbind_er_chr18(), datasets.hg19_chrom_sizes(), d, force=True)
        >>> "chr18" in load_coverage(d).chroms
        True
    """
    return Coverage(_core.Coverage.from_folder(Path(folder), prefix, list(tracks)))
