from __future__ import annotations

import random

import polars as pl
import pytest

from geniml.exceptions import GenimlValueError, UniverseError
from geniml.io import RegionSet
from geniml.universe import assess, assess_universe, ccf_universe, filter_universe
from tests._oracles import naive_merge


def _naive(universe, rows):
    merged = naive_merge(rows)
    ubp = {(c, x) for c, s, e in universe for x in range(s, e)}
    fbp = {(c, x) for c, s, e in merged for x in range(s, e)}
    both = len(ubp & fbp)
    dists = []
    for c, s, e in merged:
        us = [a for cc, a, _ in universe if cc == c]
        ue = [b for cc, _, b in universe if cc == c]
        if us:
            dists += [min(abs(a - s) for a in us), min(abs(b - e) for b in ue)]
    dists.sort()
    n = len(dists)
    med = (dists[n // 2] if n % 2 else (dists[n // 2 - 1] + dists[n // 2]) / 2) if n else None
    return len(ubp) - both, len(fbp) - both, both, med


@pytest.mark.parametrize("seed", range(5))
def test_matches_naive(seed):
    rng = random.Random(seed)
    uni = sorted({("chr1", s, s + rng.randint(5, 60)) for s in range(0, 2000, 150)})
    rows = []
    for _ in range(30):
        s = rng.randrange(0, 2100)
        rows.append((rng.choice(["chr1", "chr1", "chr2"]), s, s + rng.randint(1, 80)))
    df = assess(RegionSet(uni), [RegionSet(rows)])
    want = _naive(uni, rows)
    got = df.select(
        "univers/file", "file/universe", "universe&file", "median_dist_file_to_universe"
    ).row(0)
    assert got == want


def test_flexible_columns_and_csv(tmp_path):
    beds = [RegionSet([("chr1", 0, 300)]), RegionSet([("chr1", 100, 200)])]
    u = ccf_universe(beds, chrom_sizes={"chr1": 1000})
    df = assess(u, beds, output_csv=tmp_path / "a.csv")
    assert {"RBS_flex", "median_dist_universe_to_file_flex"} <= set(df.columns)
    assert df["median_dist_file_to_universe_flex"].to_list() == [0.0, 0.0]
    csv = pl.read_csv(tmp_path / "a.csv")
    assert csv.columns[:4] == ["file", "univers/file", "file/universe", "universe&file"]
    with pytest.raises(FileExistsError):
        assess(u, beds, output_csv=tmp_path / "a.csv")


def test_summary_warns_under_80_percent():
    u = RegionSet([("chr1", 10, 20)])
    with pytest.warns(UserWarning, match="80%"):
        s = assess_universe(u, [RegionSet([("chr1", 12, 18), ("chr1", 500, 600)])])
    assert s["n_regions"] == 1 and s["coverage"] == 0.5
    assert assess_universe(u) == {"n_regions": 1, "mean_size": 10.0}
    with pytest.raises(UniverseError, match="empty"):
        assess(u, [])


def test_filter_universe_keeps_bed9():
    beds = [RegionSet([("chr1", 0, 300), ("chr1", 500, 520)]), RegionSet([("chr1", 100, 200)])]
    u = ccf_universe(beds, chrom_sizes={"chr1": 1000})
    f = filter_universe(u, min_size=100)
    assert all(w >= 100 for w in f.widths) and f.n_extra_columns == 6


def test_evaluation_package_exposes_assess_universe():
    import geniml.evaluation as ev

    assert ev.assess_universe is assess_universe and "assess_universe" in ev.__all__


def test_filter_universe_by_coverage_and_likelihood(tmp_path):
    from geniml.universe import compute_coverage

    beds = [RegionSet([("chr1", 100, 400), ("chr1", 2000, 2100)]) for _ in range(4)]
    beds.append(RegionSet([("chr1", 3000, 3300)]))
    sizes = {"chr1": 5000}
    cov = compute_coverage(beds, sizes)
    u = RegionSet([("chr1", 100, 400), ("chr1", 2000, 2100), ("chr1", 3000, 3300)])
    kept = filter_universe(u, min_coverage=1, coverage=cov)
    assert [tuple(r) for r in kept] == [("chr1", 100, 400), ("chr1", 2000, 2100)]
    flex = ccf_universe(beds, chrom_sizes=sizes)
    assert len(flex) >= 2
    everything = filter_universe(flex, lh_cutoff=-1e300, coverage=cov)
    assert len(everything) == len(flex)
    # oracle: a region's contribution is the universe's log-likelihood minus that of the
    # universe without it (the region's bases back in background)
    from geniml.universe import universe_likelihood

    n = cov.n_files
    full = universe_likelihood(flex, cov, file_no=n)
    contrib = [
        full - universe_likelihood(flex[[j for j in range(len(flex)) if j != i]], cov, file_no=n)
        for i in range(len(flex))
    ]
    assert len(set(contrib)) == len(contrib)  # distinct, so a cutoff between them splits
    cut = sorted(contrib)[len(contrib) // 2 - 1] / 2 + sorted(contrib)[len(contrib) // 2] / 2
    want = [tuple(flex[i]) for i in range(len(flex)) if contrib[i] > cut]
    some = filter_universe(flex, lh_cutoff=cut, coverage=cov, output_file=tmp_path / "f.bed")
    assert 0 < len(want) < len(flex) and [tuple(r) for r in some] == want
    assert [tuple(r) for r in RegionSet(tmp_path / "f.bed")] == want
    with pytest.raises(GenimlValueError, match="lh_cutoff"):
        filter_universe(u, lh_cutoff=0.0, coverage=cov)
