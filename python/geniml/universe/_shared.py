"""Pieces the universe builders, the likelihood model and the assessment share.

Imports run one way: :mod:`~geniml.universe.coverage` -> this module -> ``builders`` /
``likelihood`` -> ``assess``. This module holds the source type and its resolution to
coverage, the builders' common options and result writer, and the likelihood-model tables
(upstream's HMM defaults, reading ``model.tar``, building the tables in memory).
"""

from __future__ import annotations

import io
import os
import tarfile
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from geniml import _core
from geniml.exceptions import GenimlValueError, ModelError, UniverseError
from geniml.io import RegionSet, read_bed
from geniml.universe.coverage import (
    BedSource,
    Coverage,
    TrackName,
    compute_coverage,
    load_coverage,
)

Source = BedSource | Coverage
ChromSizes = dict[str, int] | str | os.PathLike
TRACKS: tuple[TrackName, TrackName, TrackName] = ("start", "core", "end")

# Upstream geniml's HMM defaults (universe/const.py, universe/models.py).
TRANSMAT = [
    [1 - 1e-10, 1e-10, 0.0, 0.0],
    [0.0, 1 - 1e-6, 1e-6, 0.0],
    [0.0, 0.0, 1 - 1e-10, 1e-10],
    [0.1, 0.0, 0.0, 0.9],
]
LAMBDAS = [
    [5.0, 3.0, 0.0001],
    [0.05, 5.0, 0.05],
    [0.0001, 3.0, 5.0],
    [0.0001, 0.001, 0.0001],
]
STARTPROB = [0.01, 0.01, 0.97, 0.01]

# Per chromosome: (name, size, start, core, end tables), each flattened (n, 2).
ModelTables = list[tuple[str, int, np.ndarray, np.ndarray, np.ndarray]]


def _is_coverage_folder(path: Path, prefix: str) -> bool:
    return path.is_dir() and any(
        (path / f"{prefix}_{t}.{ext}").exists()
        for t in ("start", "core", "end")
        for ext in ("bw", "bedGraph")
    )


def resolve_coverage(
    source: Source,
    *,
    chrom_sizes: ChromSizes | None,
    smooth: int,
    coverage_prefix: str,
    tracks: tuple[TrackName, ...] = TRACKS,
    n_threads: int | None = None,
) -> Coverage:
    """Coverage of a source: a Coverage, a coverage folder, or a BED collection."""
    if isinstance(source, Coverage):
        return source
    if isinstance(source, (str, os.PathLike)) and _is_coverage_folder(
        Path(source), coverage_prefix
    ):
        return load_coverage(source, prefix=coverage_prefix, tracks=tracks)
    if chrom_sizes is None:
        if isinstance(source, (str, os.PathLike)) and Path(source).is_dir():
            hint = (
                f"{source} holds no {coverage_prefix}_{{start,core,end}}.bw coverage tracks; "
                "to build from its BED files pass chrom_sizes (--chrom-sizes)"
            )
        else:
            hint = "chrom_sizes is required when the source is a BED collection"
        raise GenimlValueError(hint)
    return compute_coverage(source, chrom_sizes, smooth=smooth, n_threads=n_threads)


def nonneg(name: str, value: int) -> int:
    """``value`` as an int, or a clear error when it is negative."""
    if value < 0:
        raise GenimlValueError(f"`{name}` must be >= 0, got {value}")
    return int(value)


def write_result(rs: RegionSet, output_file: str | os.PathLike | None, *, force: bool) -> RegionSet:
    """Write ``rs`` to ``output_file`` (when given; refused if it exists unless ``force``)."""
    if output_file is not None:
        rs.to_bed(output_file, force=force)
        rs.path = Path(output_file)
    return rs


@dataclass(frozen=True, kw_only=True)
class BuildOptions:
    """The keywords every builder takes besides its own.

    Where the coverage comes from, where the universe goes, and the post-processing every
    builder shares.

    Attributes:
        merge_distance: join regions closer than this (upstream ``--merge``).
        min_size: drop regions shorter than this (upstream ``--filter-size``).
        output_file: write the universe there (refused if it exists, unless ``force``).
        chrom_sizes: chromosome lengths, required for a BED collection.
        smooth: start/end smoothing when coverage is computed from BED files.
        coverage_prefix: file-name prefix of the coverage tracks.
        force: replace an existing ``output_file``.
        n_threads: threads (``None`` or -1: ``GENIML_NUM_THREADS`` or all cores).
    """

    merge_distance: int = 0
    min_size: int = 0
    output_file: str | os.PathLike | None = None
    chrom_sizes: ChromSizes | None = None
    smooth: int = 25
    coverage_prefix: str = "all"
    force: bool = False
    n_threads: int | None = None

    def __post_init__(self) -> None:
        nonneg("merge_distance", self.merge_distance)
        nonneg("min_size", self.min_size)

    def coverage(self, source: Source, tracks: tuple[TrackName, ...] = TRACKS) -> Coverage:
        """The source's coverage (read, computed or passed through)."""
        return resolve_coverage(
            source,
            chrom_sizes=self.chrom_sizes,
            smooth=self.smooth,
            coverage_prefix=self.coverage_prefix,
            tracks=tracks,
            n_threads=self.n_threads,
        )

    def finish(self, cols: _core._RegionsOut) -> RegionSet:
        """The universe the core returned, written to ``output_file`` when given."""
        return write_result(RegionSet._from_core(cols), self.output_file, force=self.force)


def as_universe(universe: RegionSet | str | os.PathLike) -> RegionSet:
    """A universe as a RegionSet (read when a path); an empty one is an error."""
    rs = universe if isinstance(universe, RegionSet) else read_bed(universe)
    if len(rs) == 0:
        raise UniverseError("the universe holds no region")
    return rs


def thick_columns(u: RegionSet) -> tuple[np.ndarray, np.ndarray] | None:
    """``(thickStart, thickEnd)`` of a BED9 universe, None for a hard one."""
    if u.n_extra_columns < 5:
        return None
    try:
        ts = np.asarray(u.extra_column(3), dtype=np.uint32)
        te = np.asarray(u.extra_column(4), dtype=np.uint32)
    except ValueError as err:
        raise UniverseError(
            f"flexible universe: thickStart/thickEnd are not integers ({err})"
        ) from err
    return ts, te


def model_tables(
    source: Source,
    file_no: int | None,
    *,
    chrom_sizes: ChromSizes | None = None,
    smooth: int = 25,
    coverage_prefix: str = "all",
    stacklevel: int = 3,
) -> ModelTables:
    """Upstream's binomial likelihood tables of a source, computed in Rust.

    ``stacklevel`` points the clipping warning at the public caller's caller.
    """
    cov = resolve_coverage(
        source, chrom_sizes=chrom_sizes, smooth=smooth, coverage_prefix=coverage_prefix
    )
    n = file_no if file_no is not None else cov.n_files
    if not n:
        raise GenimlValueError(
            "file_no (--file-no) is required: the number of BED files the coverage came from"
        )
    tables, clipped = _core.build_lh_model(cov._inner, int(n))
    if clipped:
        warnings.warn(
            f"{clipped} coverage value(s) exceed the number of files ({n}); their background "
            "likelihood was clipped to log10(1e-10) (upstream produced NaN, issue #6)",
            stacklevel=stacklevel,
        )
    return tables


def read_likelihood_model(model_file: str | os.PathLike) -> ModelTables:
    """Read a ``model.tar`` (ours or upstream geniml's) into per-chromosome tables.

    Args:
        model_file: the ``model.tar`` (:func:`~geniml.universe.build_likelihood_model` or
            upstream's ``lh`` command).

    Returns:
        One ``(chrom, length, start, core, end)`` entry per chromosome: each array holds, per
        coverage value ``v``, ``log10 P(background | v)`` and ``log10 P(universe | v)`` of
        that track.

    Raises:
        FileNotFoundError: there is no such file.
        ModelError: the file is not a model tar or a chromosome lacks a track.

    Examples:
        >>> import tempfile, pathlib
        >>> from geniml import datasets
        >>> from geniml.universe import build_likelihood_model, read_likelihood_model
        >>> tar = pathlib.Path(tempfile.mkdtemp()) / "model.tar"
        >>> _ = build_likelihood_model(datasets.diffbind_er_chr18(), tar,
        ...                            chrom_sizes=datasets.hg19_chrom_sizes())
        >>> [t[0] for t in read_likelihood_model(tar)]
        ['chr18']
    """
    model_file = Path(model_file)
    if not model_file.exists():
        raise FileNotFoundError(f"likelihood model not found: {model_file}")
    if not tarfile.is_tarfile(model_file):
        raise ModelError(f"{model_file}: not a likelihood model (expected a tar of .npz files)")
    found: dict[str, dict[str, np.ndarray]] = {}
    sizes: dict[str, int] = {}
    with tarfile.open(model_file) as tar:
        for member in tar.getmembers():
            stem = member.name.removesuffix(".npz")
            chrom, _, track = stem.rpartition("_")
            if not member.name.endswith(".npz") or track not in TRACKS or not chrom:
                raise ModelError(f"{model_file}: unexpected member {member.name!r}")
            fh = tar.extractfile(member)
            if fh is None:
                raise ModelError(f"{model_file}: member {member.name!r} is not a file")
            with np.load(io.BytesIO(fh.read())) as npz:
                key = npz.files[0]
                arr = np.asarray(npz[key], dtype=np.float64)
            if arr.ndim != 2 or arr.shape[1] != 2:
                raise ModelError(f"{model_file}: {member.name} has shape {arr.shape}, want (n, 2)")
            found.setdefault(chrom, {})[track] = np.ascontiguousarray(arr.ravel())
            size = key.rpartition("_")[2]
            sizes[chrom] = int(size) if size.isdigit() else 0
    out: ModelTables = []
    for chrom, tracks in found.items():
        missing = [t for t in TRACKS if t not in tracks]
        if missing:
            raise ModelError(f"{model_file}: chromosome {chrom} lacks the {missing[0]} table")
        out.append((chrom, sizes[chrom], tracks["start"], tracks["core"], tracks["end"]))
    if not out:
        raise ModelError(f"{model_file}: the model holds no chromosome")
    return out


def likelihood_tables(
    cov: Coverage,
    model_file: str | os.PathLike | None,
    file_no: int | None,
    *,
    coverage_prefix: str = "all",
) -> ModelTables:
    """The model of ``model_file``, or one built in memory from ``cov``.

    Building needs ``file_no`` unless the coverage came from BED files.
    """
    if model_file is not None:
        return read_likelihood_model(model_file)
    return model_tables(cov, file_no, coverage_prefix=coverage_prefix, stacklevel=4)
