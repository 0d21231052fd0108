"""Likelihood model (upstream ``geniml lh``), maximum-likelihood and HMM universes.

The model holds, per chromosome and track (start, core, end), ``log10 P(background | v)`` and
``log10 P(universe | v)`` for every coverage value ``v`` under upstream geniml's binomial model
given the number of files. It is saved as upstream does: a ``model.tar`` with one
``{chrom}_{track}.npz`` per chromosome and track, each holding one ``(max + 1, 2)`` array named
``{chrom}_{chrom_size}``. The tables are computed in Rust; numpy writes the ``.npz`` members.

Differences from upstream geniml 0.8.4: values above the number of files (possible on the
smoothed start/end tracks) are clipped with a warning instead of producing NaN (upstream issue
#6); chromosomes without coverage are left out (upstream wrote NaN tables for them); contig
names containing ``_`` round-trip (upstream split member names at the first ``_``); ML/HMM runs
without a core or an end state are skipped instead of raising ``IndexError``.

Parity: the likelihood tables equal upstream's within 1e-12, the ML universe is identical
(byte for byte on the diffbind chr18 collection) and the universe likelihood agrees within 1e-13
relative. The HMM universe has the same regions as upstream's except for about 1% of lines where
a boundary sits a few bases away (the decoding runs on stretches of equal likelihood, where the
chosen position depends on floating-point rounding).
"""

from __future__ import annotations

import io
import os
import tarfile
import warnings
from pathlib import Path

import numpy as np

from geniml import _core
from geniml._atomic import atomic_file, refuse_existing
from geniml.exceptions import GenimlValueError, ModelError
from geniml.io import RegionSet
from geniml.universe.builders import Source, _finish, resolve_coverage

__all__ = [
    "build_likelihood_model",
    "hmm_universe",
    "ml_universe",
    "read_likelihood_model",
    "universe_likelihood",
]

TRACKS = ("start", "core", "end")

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

ModelTables = list[tuple[str, int, np.ndarray, np.ndarray, np.ndarray]]


def _model_tables(source: Source, file_no: int | None, **kw) -> ModelTables:
    cov = resolve_coverage(source, **kw)
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
            stacklevel=3,
        )
    return tables


def build_likelihood_model(
    source: Source,
    model_file: str | os.PathLike,
    *,
    file_no: int | None = None,
    coverage_prefix: str = "all",
    chrom_sizes: dict[str, int] | str | os.PathLike | None = None,
    smooth: int = 25,
    force: bool = False,
) -> Path:
    """Build upstream's binomial likelihood model and save it as ``model.tar``.

    Args:
        source: coverage folder, :class:`~geniml.universe.Coverage`, or BED collection (needs
            ``chrom_sizes``; then ``file_no`` defaults to the number of files).
        model_file: the ``.tar`` to write (refused if it exists, unless ``force``).
        file_no: number of BED files the coverage was computed from.
        coverage_prefix: prefix of the coverage track files.
        chrom_sizes: chromosome lengths, required for a BED collection.
        smooth: start/end smoothing when coverage is computed from BED files.
        force: replace an existing model file.

    Returns:
        The model path.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> beds = [RegionSet([("chr1", 10, 50)]), RegionSet([("chr1", 30, 80)])]
        >>> p = build_likelihood_model(beds, d / "model.tar", chrom_sizes={"chr1": 1000})
        >>> with tarfile.open(p) as tar:
        ...     sorted(tar.getnames())
        ['chr1_core.npz', 'chr1_end.npz', 'chr1_start.npz']
    """
    model_file = Path(model_file)
    refuse_existing(model_file, force=force)
    tables = _model_tables(
        source, file_no, chrom_sizes=chrom_sizes, smooth=smooth, coverage_prefix=coverage_prefix
    )
    with atomic_file(model_file, force=force) as tmp, tarfile.open(tmp, "w") as tar:
        for name, size, *arrays in tables:
            for track, flat in zip(TRACKS, arrays, strict=True):
                buf = io.BytesIO()
                np.savez_compressed(buf, **{f"{name}_{size}": flat.reshape(-1, 2)})
                info = tarfile.TarInfo(f"{name}_{track}.npz")
                info.size = buf.tell()
                buf.seek(0)
                tar.addfile(info, buf)
    return model_file


def read_likelihood_model(model_file: str | os.PathLike) -> ModelTables:
    """Read a ``model.tar`` (ours or upstream geniml's) into per-chromosome tables.

    Args:
        model_file: the ``model.tar`` (:func:`build_likelihood_model` or upstream's
            ``likelihood`` command).

    Returns:
        One ``(chrom, length, start, core, end)`` entry per chromosome: the three arrays are
        the likelihood tables of the start, core and end tracks, as stored in the tar.

    Raises:
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


def ml_universe(
    source: Source,
    *,
    model_file: str | os.PathLike | None = None,
    file_no: int | None = None,
    merge_distance: int = 0,
    min_size: int = 0,
    output_file: str | os.PathLike | None = None,
    chrom_sizes: dict[str, int] | str | os.PathLike | None = None,
    smooth: int = 25,
    coverage_prefix: str = "all",
    force: bool = False,
    n_threads: int | None = None,
) -> RegionSet:
    """Maximum-likelihood flexible universe (BED9) decoded in Rust over the three tracks.

    Args:
        source: coverage folder, :class:`~geniml.universe.Coverage`, or BED collection.
        model_file: a likelihood model (``model.tar``); when omitted, the model is built in
            memory from the same coverage (needs ``file_no`` unless the source is BED files).
        file_no: number of files, when building the model in memory from a coverage folder.
        merge_distance: join flexible regions separated by a gap shorter than this.
        min_size: drop flexible regions shorter than this.
        output_file: write the universe there (refused if it exists, unless ``force``).
        chrom_sizes: chromosome lengths, required for a BED collection.
        smooth: start/end smoothing when coverage is computed from BED files.
        coverage_prefix: prefix of the coverage track files.
        force: replace an existing ``output_file``.
        n_threads: threads (default: ``GENIML_NUM_THREADS`` or all cores).

    Raises:
        ChromosomeNotFoundError: the model lacks a chromosome that has coverage.

    Examples:
        >>> beds = [RegionSet([("chr1", 100, 400)]), RegionSet([("chr1", 120, 380)])]
        >>> u = ml_universe(beds, chrom_sizes={"chr1": 5000})
        >>> len(u), u.n_extra_columns
        (1, 6)
    """
    cov = resolve_coverage(
        source,
        chrom_sizes=chrom_sizes,
        smooth=smooth,
        coverage_prefix=coverage_prefix,
        n_threads=n_threads,
    )
    if model_file is not None:
        tables = read_likelihood_model(model_file)
    else:
        tables = _model_tables(
            cov, file_no, chrom_sizes=None, smooth=smooth, coverage_prefix=coverage_prefix
        )
    rs = _finish(_core.ml_universe(cov._inner, tables, n_threads), None, force=force)
    return _post(rs, merge_distance, min_size, output_file, force=force)


def _post(
    rs: RegionSet, merge_distance: int, min_size: int, output_file, *, force: bool
) -> RegionSet:
    if merge_distance < 0 or min_size < 0:
        raise GenimlValueError("`merge_distance` and `min_size` must be >= 0")
    if min_size:
        rs = rs[np.flatnonzero(rs.widths >= min_size)]
    if merge_distance:
        rs = _merge_flexible(rs, merge_distance)
    if output_file is not None:
        rs.to_bed(output_file, force=force)
        rs.path = Path(output_file)
    return rs


def _merge_flexible(rs: RegionSet, distance: int) -> RegionSet:
    """Join consecutive flexible regions separated by a gap shorter than ``distance``."""
    if len(rs) < 2:
        return rs
    same = rs.chroms[1:] == rs.chroms[:-1]
    gap = rs.starts[1:].astype(np.int64) - rs.ends[:-1].astype(np.int64)
    join = same & (gap > 0) & (gap < distance)
    if not join.any():
        return rs
    first = np.flatnonzero(np.concatenate([[True], ~join]))
    last = np.flatnonzero(np.concatenate([~join, [True]]))
    ts = np.asarray(rs.extra_column(3), dtype=np.int64)
    te = np.asarray(rs.extra_column(4), dtype=np.int64)
    rows = [
        (rs.chrom_names[rs.chroms[a]], int(rs.starts[a]), int(rs.ends[b]), int(ts[a]), int(te[b]))
        for a, b in zip(first, last, strict=True)
    ]
    return _bed9(rows)


def _bed9(rows: list[tuple[str, int, int, int, int]]) -> RegionSet:
    text = [f"universe\t0\t.\t{a}\t{b}\t0,0,255".encode() for *_, a, b in rows]
    buf = np.frombuffer(b"".join(text), dtype=np.uint8).copy()
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in text])]).astype(np.uint64)
    base = RegionSet([(c, s, e) for c, s, e, _, _ in rows])
    return RegionSet._from_columns(
        base._names, base._chroms, base._starts, base._ends, (buf, offsets)
    )


def _fit_hmm(cov, normalize, states, transmat, lambdas, startprob, n_fit_bases):
    """Baum-Welch with hmmlearn on a sample of windows; returns fitted parameters."""
    try:
        from hmmlearn import hmm
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError("hmm_universe(fit=True) needs hmmlearn: pip install hmmlearn") from err
    values, lengths = _core.hmm_sample(
        cov._inner, normalize=normalize, states=states, max_bases=int(n_fit_bases)
    )
    x = values.reshape(-1, 3).astype(np.int64)
    model = hmm.PoissonHMM(n_components=4, init_params="", params="stl", n_iter=10)
    model.startprob_ = np.asarray(startprob, dtype=float)
    model.transmat_ = np.asarray(transmat, dtype=float)
    model.lambdas_ = np.asarray(lambdas, dtype=float)
    model.fit(x, lengths.astype(np.int64))
    lam = np.maximum(model.lambdas_, 1e-10)
    return model.transmat_.tolist(), lam.tolist(), model.startprob_.tolist()


def hmm_universe(
    source: Source,
    *,
    states: int = 4,
    normalize: bool = True,
    transmat: list[list[float]] | None = None,
    lambdas: list[list[float]] | None = None,
    startprob: list[float] | None = None,
    fit: bool = False,
    n_fit_bases: int = 2_000_000,
    merge_distance: int = 0,
    min_size: int = 0,
    output_file: str | os.PathLike | None = None,
    chrom_sizes: dict[str, int] | str | os.PathLike | None = None,
    smooth: int = 25,
    coverage_prefix: str = "all",
    force: bool = False,
    n_threads: int | None = None,
) -> RegionSet:
    """Poisson-HMM flexible universe (BED9), Viterbi in Rust in log space.

    Four states (start -> core -> end -> background -> start) with upstream geniml's default
    transition matrix, Poisson means and start probabilities, and its optional quantile
    normalisation of the tracks. ``states=3`` sums the start and end tracks into one boundary
    signal (boundary -> core -> boundary).

    Args:
        source: coverage folder, :class:`~geniml.universe.Coverage`, or BED collection.
        states: 3 or 4.
        normalize: quantile-normalise the tracks first (upstream default; ``--not-normalize``).
        transmat: 4 x 4 transition matrix (only self and cyclic-next moves).
        lambdas: 4 x 3 Poisson means (state x track).
        startprob: 4 start probabilities.
        fit: estimate the parameters first with hmmlearn's Baum-Welch (``pip install
            hmmlearn``) on an evenly spaced sample of windows, starting from the given (or
            default) parameters; decoding stays in Rust.
        n_fit_bases: about how many positions the fitting sample holds.
        merge_distance: join flexible regions separated by a gap shorter than this.
        min_size: drop flexible regions shorter than this.
        output_file: write the universe there (refused if it exists, unless ``force``).
        chrom_sizes: chromosome lengths, required for a BED collection.
        smooth: start/end smoothing when coverage is computed from BED files.
        coverage_prefix: prefix of the coverage track files.
        force: replace an existing ``output_file``.
        n_threads: threads (default: ``GENIML_NUM_THREADS`` or all cores).

    Examples:
        >>> beds = [RegionSet([("chr1", 1000, 1400)]) for _ in range(5)]
        >>> u = hmm_universe(beds, chrom_sizes={"chr1": 5000})
        >>> len(u), u.n_extra_columns
        (1, 6)
    """
    cov = resolve_coverage(
        source,
        chrom_sizes=chrom_sizes,
        smooth=smooth,
        coverage_prefix=coverage_prefix,
        n_threads=n_threads,
    )
    transmat, lambdas, startprob = transmat or TRANSMAT, lambdas or LAMBDAS, startprob or STARTPROB
    if fit:
        transmat, lambdas, startprob = _fit_hmm(
            cov, bool(normalize), int(states), transmat, lambdas, startprob, n_fit_bases
        )
    cols = _core.hmm_universe(
        cov._inner,
        transmat,
        lambdas,
        startprob,
        normalize=bool(normalize),
        states=int(states),
        n_threads=n_threads,
    )
    rs = _finish(cols, None, force=force)
    return _post(rs, merge_distance, min_size, output_file, force=force)


def universe_likelihood(
    universe: RegionSet | str | os.PathLike,
    source: Source,
    *,
    model_file: str | os.PathLike | None = None,
    file_no: int | None = None,
    flexible: bool | None = None,
    chrom_sizes: dict[str, int] | str | os.PathLike | None = None,
    smooth: int = 25,
    coverage_prefix: str = "all",
) -> float:
    """Log10 likelihood of a universe given the likelihood model and the coverage.

    As upstream ``hard_universe_likelihood`` / ``likelihood_flexible_universe``: for a hard
    universe a region's first base counts as universe on the start track, ``[start, end)`` on
    the core track and the base at ``end`` on the end track, every other base as background;
    for a flexible (BED9) universe the core ``[thickStart, thickEnd)`` counts as universe and
    the boundaries are weighted linearly. Higher is better.

    Args:
        universe: a universe BED file or RegionSet (sorted, non-overlapping).
        source: coverage folder, :class:`~geniml.universe.Coverage`, or BED collection.
        model_file: a ``model.tar``; when omitted the model is built from the same coverage.
        file_no: number of files, when building the model from a coverage folder.
        flexible: score as a flexible universe (default: when the universe has BED9 columns).
        chrom_sizes: chromosome lengths, required for a BED collection.
        smooth: start/end smoothing when coverage is computed from BED files.
        coverage_prefix: prefix of the coverage track files.

    Examples:
        >>> beds = [RegionSet([("chr1", 100, 400)]), RegionSet([("chr1", 120, 380)])]
        >>> good = universe_likelihood(RegionSet([("chr1", 100, 400)]), beds,
        ...                            chrom_sizes={"chr1": 5000})
        >>> bad = universe_likelihood(RegionSet([("chr1", 1000, 1300)]), beds,
        ...                           chrom_sizes={"chr1": 5000})
        >>> good > bad
        True
    """
    from geniml.universe.assess import _thick, _universe

    u = _universe(universe)
    cov = resolve_coverage(
        source, chrom_sizes=chrom_sizes, smooth=smooth, coverage_prefix=coverage_prefix
    )
    if model_file is not None:
        tables = read_likelihood_model(model_file)
    else:
        tables = _model_tables(
            cov, file_no, chrom_sizes=None, smooth=smooth, coverage_prefix=coverage_prefix
        )
    thick = _thick(u)
    if flexible and thick is None:
        raise GenimlValueError("flexible=True needs a BED9 universe (thickStart/thickEnd)")
    if flexible is False:
        thick = None
    total, _ = _core.universe_likelihood(cov._inner, tables, u._cols(), thick)
    return total
