"""Universe builders: coverage cut-off (CC), flexible CC (CCF), maximum likelihood (ML), HMM.

Every builder runs in the Rust core, chromosome-parallel, on run-length encoded coverage.
The source is a coverage folder (``{prefix}_start.bw``, ``_core.bw``, ``_end.bw``, e.g. from
:func:`~geniml.universe.coverage_tracks`), a :class:`~geniml.universe.Coverage`, or a BED
collection (then ``chrom_sizes`` is required and coverage is computed in memory). Coordinates
are 0-based half-open.

Hard universes are BED3. Flexible universes (CCF, ML, HMM) are BED9 as upstream geniml writes
them: ``chrom start end universe 0 . thickStart thickEnd 0,0,255`` with the core in
``[thickStart, thickEnd)``.

Differences from upstream geniml 0.8.4 (deliberate):

* CC ``merge``: upstream joins two regions when ``next_start - (prev_end - 1) < merge``; that
  rule is kept, but ``merge`` 0 or 1 no longer split every region into 1-bp pieces (upstream's
  ``merge=0, filter_size>0`` dropped everything).
* Bases with zero coverage never enter a universe (upstream's ``cutoff=0``, or a chromosome
  without coverage, turned whole chromosomes into one region); a chromosome with nothing above
  the cut-off yields nothing instead of an ``IndexError``.
* CCF ``confidence`` sets the width of the flexible band: the lower / upper cut-offs are the
  quantiles ``q -/+ (1 - confidence)`` of the non-zero coverage distribution around the
  quantile ``q`` of the centre value (upstream fixes ``+-0.2``, i.e. ``confidence=0.8``, the
  default). Higher confidence: boundaries closer to the core. ``cutoff`` replaces the mean
  coverage as the centre. ``merge_distance`` joins
  flexible regions separated by a gap shorter than it; ``min_size`` drops shorter regions.
* CCF drops regions whose core is empty (thickStart >= thickEnd) everywhere; upstream kept such
  a region when it was the last on its chromosome.
"""

from __future__ import annotations

import os
from typing import Literal, TypedDict

from geniml import _core
from geniml.exceptions import GenimlValueError
from geniml.io import RegionSet
from geniml.universe._shared import BuildOptions, ChromSizes, Source
from geniml.universe.likelihood import hmm_universe, ml_universe

__all__ = ["build_universe", "cc_universe", "ccf_universe"]

Method = Literal["cc", "ccf", "ml", "hmm"]


def cc_universe(
    source: Source,
    *,
    cutoff: float | None = None,
    merge_distance: int = 0,
    min_size: int = 0,
    output_file: str | os.PathLike | None = None,
    chrom_sizes: ChromSizes | None = None,
    smooth: int = 25,
    coverage_prefix: str = "all",
    force: bool = False,
    n_threads: int | None = None,
) -> RegionSet:
    """Coverage cut-off universe: bases covered by at least ``cutoff`` regions (BED3).

    Args:
        source: coverage folder, :class:`Coverage`, or BED collection (needs ``chrom_sizes``).
        cutoff: minimum coverage (``1``: union of the collection; the number of files:
            intersection). Default: each chromosome's mean coverage, as upstream.
        merge_distance: join regions whose closest bases are less than this far apart
            (upstream ``--merge``).
        min_size: drop regions shorter than this (upstream ``--filter-size``).
        output_file: write the universe there (refused if it exists, unless ``force``).
        chrom_sizes: chromosome lengths, required for a BED collection.
        smooth: start/end smoothing when coverage is computed from BED files.
        coverage_prefix: file-name prefix of the coverage tracks.
        force: replace an existing ``output_file``.
        n_threads: threads (default: ``GENIML_NUM_THREADS`` or all cores).

    Returns:
        The universe, sorted in natural chromosome order.

    Examples:
        >>> from geniml.io import RegionSet
        >>> beds = [RegionSet([("chr1", 10, 50)]), RegionSet([("chr1", 30, 80)])]
        >>> u = cc_universe(beds, cutoff=2, chrom_sizes={"chr1": 100})
        >>> [tuple(r) for r in u]
        [('chr1', 30, 50)]
    """
    opts = BuildOptions(
        merge_distance=merge_distance,
        min_size=min_size,
        output_file=output_file,
        chrom_sizes=chrom_sizes,
        smooth=smooth,
        coverage_prefix=coverage_prefix,
        force=force,
        n_threads=n_threads,
    )
    cols = _core.cc_universe(
        opts.coverage(source, tracks=("core",))._inner,
        cutoff=None if cutoff is None else float(cutoff),
        merge=opts.merge_distance,
        min_size=opts.min_size,
        n_threads=n_threads,
    )
    return opts.finish(cols)


def ccf_universe(
    source: Source,
    *,
    cutoff: float | None = None,
    confidence: float | None = None,
    merge_distance: int = 0,
    min_size: int = 0,
    output_file: str | os.PathLike | None = None,
    chrom_sizes: ChromSizes | None = None,
    smooth: int = 25,
    coverage_prefix: str = "all",
    force: bool = False,
    n_threads: int | None = None,
) -> RegionSet:
    """Coverage cut-off flexible universe (BED9: boundaries plus core).

    Args:
        source: coverage folder, :class:`Coverage`, or BED collection (needs ``chrom_sizes``).
        cutoff: centre of the flexible band (default: each chromosome's mean coverage).
        confidence: in ``[0, 1]``; the cut-offs are the quantiles ``q -/+ (1 - confidence)``
            of the non-zero coverage around the centre's quantile ``q`` (default 0.8 =
            upstream's ``q +- 0.2``). Higher values give tighter boundaries.
        merge_distance: join flexible regions separated by a gap shorter than this.
        min_size: drop flexible regions shorter than this.
        output_file: write the universe there (refused if it exists, unless ``force``).
        chrom_sizes: chromosome lengths, required for a BED collection.
        smooth: start/end smoothing when coverage is computed from BED files.
        coverage_prefix: file-name prefix of the coverage tracks.
        force: replace an existing ``output_file``.
        n_threads: threads (default: ``GENIML_NUM_THREADS`` or all cores).

    Examples:
        >>> from geniml.io import RegionSet
        >>> beds = [RegionSet([("chr1", 0, 300)]), RegionSet([("chr1", 100, 200)])]
        >>> u = ccf_universe(beds, chrom_sizes={"chr1": 1000})
        >>> u[0], u.extra_column(3), u.extra_column(4)
        (Region(chrom='chr1', start=0, end=300), ['100'], ['199'])
    """
    opts = BuildOptions(
        merge_distance=merge_distance,
        min_size=min_size,
        output_file=output_file,
        chrom_sizes=chrom_sizes,
        smooth=smooth,
        coverage_prefix=coverage_prefix,
        force=force,
        n_threads=n_threads,
    )
    cols = _core.ccf_universe(
        opts.coverage(source, tracks=("core",))._inner,
        cutoff=None if cutoff is None else float(cutoff),
        confidence=0.8 if confidence is None else float(confidence),
        merge=opts.merge_distance,
        min_size=opts.min_size,
        n_threads=n_threads,
    )
    return opts.finish(cols)


def build_universe(
    source: Source,
    method: Method = "cc",
    *,
    cutoff: float | None = None,
    merge_distance: int = 0,
    min_size: int = 0,
    confidence: float | None = None,
    model_file: str | os.PathLike | None = None,
    states: int = 4,
    output_file: str | os.PathLike | None = None,
    chrom_sizes: ChromSizes | None = None,
    smooth: int = 25,
    coverage_prefix: str = "all",
    force: bool = False,
    n_threads: int | None = None,
) -> RegionSet:
    """Build a universe from a coverage folder or a BED collection.

    Args:
        source: coverage folder, :class:`Coverage`, or BED collection (a folder of BED files,
            one combined file, a list of paths or RegionSets; needs ``chrom_sizes``).
        method: ``"cc"``, ``"ccf"``, ``"ml"`` or ``"hmm"``.
        cutoff: CC/CCF coverage cut-off (default: mean coverage per chromosome).
        merge_distance: join regions closer than this (upstream ``--merge``).
        min_size: drop regions shorter than this (upstream ``--filter-size``).
        confidence: CCF band width (see :func:`ccf_universe`).
        model_file: ML likelihood model (``model.tar``); built on the fly when omitted.
        states: HMM states, 3 or 4.
        output_file: write the universe there (refused if it exists, unless ``force``).
        chrom_sizes: chromosome lengths, required for a BED collection.
        smooth: start/end smoothing when coverage is computed from BED files.
        coverage_prefix: file-name prefix of the coverage tracks.
        force: replace an existing ``output_file``.
        n_threads: threads (default: ``GENIML_NUM_THREADS`` or all cores); the result does
            not depend on it.

    Returns:
        The universe (BED3 for CC, BED9 for the flexible methods).

    Examples:
        >>> from geniml.io import RegionSet
        >>> beds = [RegionSet([("chr1", 10, 50)]), RegionSet([("chr1", 30, 80)])]
        >>> len(build_universe(beds, "cc", cutoff=1, chrom_sizes={"chr1": 100}))
        1
    """
    common: _Common = {
        "merge_distance": merge_distance,
        "min_size": min_size,
        "output_file": output_file,
        "chrom_sizes": chrom_sizes,
        "smooth": smooth,
        "coverage_prefix": coverage_prefix,
        "force": force,
        "n_threads": n_threads,
    }
    if method == "cc":
        return cc_universe(source, cutoff=cutoff, **common)
    if method == "ccf":
        return ccf_universe(source, cutoff=cutoff, confidence=confidence, **common)
    if method == "ml":
        return ml_universe(source, model_file=model_file, **common)
    if method == "hmm":
        return hmm_universe(source, states=states, **common)
    raise GenimlValueError(f"`method` must be one of {{'cc','ccf','ml','hmm'}}, got {method!r}")


class _Common(TypedDict):
    """The keywords :func:`build_universe` passes to every builder (see BuildOptions)."""

    merge_distance: int
    min_size: int
    output_file: str | os.PathLike | None
    chrom_sizes: ChromSizes | None
    smooth: int
    coverage_prefix: str
    force: bool
    n_threads: int | None
