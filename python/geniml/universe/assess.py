"""Assessment of a universe against a BED collection (upstream geniml ``assess``).

Per file (merged first, as upstream): base pairs only in the universe, only in the file and in
both; the F10 score; median distances of file starts/ends to the nearest universe starts/ends
and back (flexible variants for BED9 universes, where universe boundaries are the intervals
``[start, thickStart]`` and ``[thickEnd, end]``); the region boundary score (RBS); and the
fraction of the file's regions that the universe overlaps. Computed in Rust, files in parallel.
Coordinates are 0-based half-open.
"""

from __future__ import annotations

import os
import warnings
from typing import TYPE_CHECKING

import numpy as np

from geniml import _core
from geniml._atomic import atomic_file
from geniml.exceptions import GenimlValueError, UniverseError
from geniml.io import RegionSet
from geniml.universe._shared import (
    Source,
    as_universe,
    likelihood_tables,
    resolve_coverage,
    thick_columns,
    write_result,
)
from geniml.universe.coverage import BedSource, _bed_paths, _region_sets

if TYPE_CHECKING:
    import polars as pl

__all__ = ["assess", "assess_universe", "filter_universe"]

UPSTREAM_COLUMNS = [
    "file",
    "univers/file",
    "file/universe",
    "universe&file",
    "median_dist_file_to_universe",
    "median_dist_file_to_universe_flex",
    "median_dist_universe_to_file",
    "median_dist_universe_to_file_flex",
]


def _collection(beds: BedSource) -> list[tuple[str, RegionSet]]:
    paths = _bed_paths(beds)
    if paths is None:
        sets = _region_sets(beds)
        return [(str(r.path.name) if r.path else f"set{i}", r) for i, r in enumerate(sets)]
    from geniml.io import BedSet

    return [(p.name, r) for p, r in zip(paths, BedSet(paths), strict=True)]


def _rbs(ftu: pl.Expr, utf: pl.Expr) -> pl.Expr:
    """Region boundary score from the two median distances (upstream ``get_rbs``)."""
    a = 101 / (ftu + 100)
    b = 101 / (utf + 100)
    return (10 * a + b) / 11


def assess(
    universe: RegionSet | str | os.PathLike,
    beds: BedSource,
    *,
    output_csv: str | os.PathLike | None = None,
    force: bool = False,
    n_threads: int | None = None,
) -> pl.DataFrame:
    """Assess how a universe fits each file of a collection.

    Args:
        universe: a universe BED file (BED3, or BED9 flexible) or RegionSet.
        beds: a folder of BED files, a list of paths, or RegionSets.
        output_csv: also write upstream's CSV layout (columns ``file``, ``univers/file``,
            ``file/universe``, ``universe&file``, ``median_dist_*``).
        force: replace an existing ``output_csv``.
        n_threads: threads (default: ``GENIML_NUM_THREADS`` or all cores).

    Returns:
        One row per file: upstream's columns, plus ``F_10``, ``RBS`` (``RBS_flex`` for
        flexible universes), ``n_regions`` and ``coverage`` (fraction of the file's regions
        the universe overlaps).

    Examples:
        >>> u = RegionSet([("chr1", 10, 20), ("chr1", 100, 150)])
        >>> f = RegionSet([("chr1", 12, 18), ("chr1", 15, 25), ("chr1", 300, 310)])
        >>> df = assess(u, [f])
        >>> df.select("universe&file", "median_dist_file_to_universe", "coverage").row(0)
        (8, 82.5, 0.6666666666666666)
    """
    import polars as pl

    u = as_universe(universe)
    files = _collection(beds)
    if not files:
        raise UniverseError("the BED collection is empty")
    thick = thick_columns(u)
    rows = _core.assess_universe(
        u._cols(),
        thick,
        [r._cols() for _, r in files],
        n_threads,
    )
    names = [n for n, _ in files]
    cols = list(zip(*rows, strict=True))
    df = pl.DataFrame(
        {
            "file": names,
            "univers/file": pl.Series(cols[0], dtype=pl.Int64),
            "file/universe": pl.Series(cols[1], dtype=pl.Int64),
            "universe&file": pl.Series(cols[2], dtype=pl.Int64),
            "median_dist_file_to_universe": pl.Series(cols[3], dtype=pl.Float64),
            "median_dist_file_to_universe_flex": pl.Series(cols[5], dtype=pl.Float64),
            "median_dist_universe_to_file": pl.Series(cols[4], dtype=pl.Float64),
            "median_dist_universe_to_file_flex": pl.Series(cols[6], dtype=pl.Float64),
            "n_regions": pl.Series(cols[7], dtype=pl.Int64),
            "n_overlapping": pl.Series(cols[8], dtype=pl.Int64),
        }
    )
    both = pl.col("universe&file").cast(pl.Float64)
    recall = both / (both + pl.col("file/universe"))
    precision = both / (both + pl.col("univers/file"))
    df = df.with_columns(
        F_10=(101 * precision * recall) / (100 * precision + recall),
        RBS=_rbs(pl.col("median_dist_file_to_universe"), pl.col("median_dist_universe_to_file")),
        RBS_flex=_rbs(
            pl.col("median_dist_file_to_universe_flex"),
            pl.col("median_dist_universe_to_file_flex"),
        ),
        coverage=pl.col("n_overlapping") / pl.col("n_regions"),
    ).drop("n_overlapping")
    if thick is None:
        df = df.drop(
            "median_dist_file_to_universe_flex", "median_dist_universe_to_file_flex", "RBS_flex"
        )
    if output_csv is not None:
        with atomic_file(output_csv, force=force) as tmp:
            df.select([c for c in UPSTREAM_COLUMNS if c in df.columns]).write_csv(tmp)
    return df


def assess_universe(
    universe: RegionSet | str | os.PathLike,
    beds: BedSource | None = None,
) -> dict[str, float]:
    """Summary of a universe: ``n_regions``, ``mean_size``, and with a collection more.

    Given ``beds``, also ``coverage`` (fraction of all input regions the universe overlaps; a
    warning under 0.8), mean ``F_10`` and mean ``RBS``.

    Args:
        universe: the universe (BED path or RegionSet; 0-based half-open coordinates).
        beds: the collection to assess it against (a folder, paths or RegionSets), or None
            for the universe's own summary only.

    Returns:
        ``{"n_regions", "mean_size"}``, plus ``coverage``, ``F_10`` and ``RBS`` with ``beds``.

    Examples:
        >>> u = RegionSet([("chr1", 10, 20), ("chr1", 100, 150)])
        >>> s = assess_universe(u, [RegionSet([("chr1", 12, 18), ("chr1", 120, 130)])])
        >>> s["n_regions"], s["mean_size"], s["coverage"]
        (2, 30.0, 1.0)
    """
    u = as_universe(universe)
    out: dict[str, float] = {"n_regions": len(u), "mean_size": float(u.mean_region_width)}
    if beds is None:
        return out
    df = assess(u, beds)
    total = int(df["n_regions"].sum())
    if total == 0:
        raise UniverseError("the BED collection holds no region")
    cov = float((df["coverage"] * df["n_regions"]).sum()) / total
    out.update(
        coverage=cov,
        F_10=float(np.mean(df["F_10"].to_numpy())),
        RBS=float(np.mean(df["RBS"].to_numpy())),
    )
    if cov < 0.8:
        warnings.warn(
            f"the universe overlaps only {cov:.1%} of the input regions (aim for > 80%)",
            stacklevel=2,
        )
    return out


def filter_universe(
    universe: RegionSet | str | os.PathLike,
    *,
    min_size: int = 0,
    min_coverage: int = 0,
    lh_cutoff: float | None = None,
    coverage: Source | None = None,
    model_file: str | os.PathLike | None = None,
    file_no: int | None = None,
    coverage_prefix: str = "all",
    output_file: str | os.PathLike | None = None,
    force: bool = False,
) -> RegionSet:
    """Filter a universe by region size, coverage by the collection and peak likelihood.

    As upstream ``filter_universe``, every test is strict: a region is kept when
    ``end - start > min_size``, its coverage ``> min_coverage`` and (with ``lh_cutoff``) its
    likelihood contribution ``> lh_cutoff``. Upstream read the coverage from the score column
    (written by ``hmm --save-max-cove``); here it is the maximum core coverage inside the region
    when ``coverage`` is given, else the score column. The likelihood contribution of a region is
    its flexible likelihood minus that of background over the same bases (upstream's
    ``save_peak_input``); it needs ``coverage`` and a BED9 universe.

    Args:
        universe: the universe (BED file or RegionSet); BED9 columns are kept.
        min_size: keep regions longer than this.
        min_coverage: keep regions whose coverage exceeds this.
        lh_cutoff: keep regions whose likelihood contribution exceeds this.
        coverage: coverage folder or :class:`~geniml.universe.Coverage` (for coverage and
            likelihood filters).
        model_file: likelihood model (default: built from the coverage with ``file_no``).
        file_no: number of files behind the coverage, to build the model.
        coverage_prefix: prefix of the coverage track files.
        output_file: write the filtered universe there.
        force: replace an existing ``output_file``.

    Examples:
        >>> u = RegionSet([("chr1", 10, 20), ("chr1", 100, 150)])
        >>> [tuple(r) for r in filter_universe(u, min_size=20)]
        [('chr1', 100, 150)]
    """
    if min_size < 0 or min_coverage < 0:
        raise GenimlValueError("`min_size` and `min_coverage` must be >= 0")
    u = as_universe(universe)
    keep = u.widths > min_size
    cov = None
    if coverage is not None:
        cov = resolve_coverage(
            coverage, chrom_sizes=None, smooth=25, coverage_prefix=coverage_prefix
        )
    if min_coverage:
        if cov is not None:
            score = _core.region_max_coverage(cov._inner, u._cols(), "core").astype(np.int64)
        else:
            try:
                score = np.asarray(u.extra_column(1), dtype=np.int64)
            except (ValueError, GenimlValueError) as err:
                raise GenimlValueError(
                    "min_coverage needs `coverage` or an integer score column"
                ) from err
        keep &= score > min_coverage
    if lh_cutoff is not None:
        thick = thick_columns(u)
        if cov is None or thick is None:
            raise GenimlValueError("lh_cutoff needs `coverage` and a flexible (BED9) universe")
        tables = likelihood_tables(cov, model_file, file_no, coverage_prefix=coverage_prefix)
        _, contrib = _core.universe_likelihood(cov._inner, tables, u._cols(), thick)
        keep &= np.nan_to_num(contrib, nan=-np.inf) > lh_cutoff
    return write_result(u[np.flatnonzero(keep)], output_file, force=force)
