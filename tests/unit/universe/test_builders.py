from __future__ import annotations

import random

import pytest

from geniml.exceptions import GenimlValueError, UniverseError
from geniml.io import RegionSet, read_bed
from geniml.universe import (
    build_universe,
    cc_universe,
    ccf_universe,
    compute_coverage,
    coverage_tracks,
)
from tests._oracles import naive_cc, naive_coverage


def _sets(seed: int, n_sets: int = 5, size: int = 3000):
    rng = random.Random(seed)
    out = []
    for _ in range(n_sets):
        rows = []
        for _ in range(rng.randint(5, 40)):
            s = rng.randrange(0, size - 200)
            rows.append(("chr1", s, s + rng.randint(1, 200)))
        out.append(rows)
    return out, {"chr1": size}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize(
    ("cutoff", "merge", "min_size"), [(None, 0, 0), (2, 0, 0), (1, 30, 20), (3, 2, 5)]
)
def test_cc_matches_oracle(seed, cutoff, merge, min_size):
    sets, sizes = _sets(seed)
    rows = [r for s in sets for r in s]
    dense = naive_coverage(rows, sizes, 0)["chr1"]["core"]
    want = naive_cc(dense, "chr1", cutoff, merge, min_size)
    u = cc_universe(
        [RegionSet(s) for s in sets],
        cutoff=cutoff,
        merge_distance=merge,
        min_size=min_size,
        chrom_sizes=sizes,
    )
    assert [tuple(r) for r in u] == want


def test_cc_union_and_intersection():
    sets = [RegionSet([("chr1", 0, 100)]), RegionSet([("chr1", 50, 150)])]
    assert [tuple(r) for r in cc_universe(sets, cutoff=1, chrom_sizes={"chr1": 200})] == [
        ("chr1", 0, 150)
    ]
    assert [tuple(r) for r in cc_universe(sets, cutoff=2, chrom_sizes={"chr1": 200})] == [
        ("chr1", 50, 100)
    ]
    # nothing above the cut-off on a chromosome: no region there, no crash
    sets.append(RegionSet([("chr2", 0, 10)]))
    u = cc_universe(sets, cutoff=2, chrom_sizes={"chr1": 200, "chr2": 50})
    assert [tuple(r) for r in u] == [("chr1", 50, 100)]


def test_ccf_is_bed9_with_core_inside(tmp_path):
    sets, sizes = _sets(3, n_sets=8)
    u = ccf_universe(
        [RegionSet(s) for s in sets], chrom_sizes=sizes, output_file=tmp_path / "u.bed"
    )
    assert len(u) > 0
    back = read_bed(tmp_path / "u.bed")
    assert back.n_extra_columns == 6
    ts = [int(x) for x in back.extra_column(3)]
    te = [int(x) for x in back.extra_column(4)]
    for (_c, s, e), a, b in zip(back, ts, te, strict=True):
        assert s <= a < b <= e
    assert set(back.extra_column(0)) == {"universe"}
    assert set(back.extra_column(5)) == {"0,0,255"}
    # a narrow band (confidence 0.95) still finds cores
    tight = ccf_universe([RegionSet(s) for s in sets], chrom_sizes=sizes, confidence=0.95)
    assert len(tight) > 0


def test_build_universe_sources_agree(tmp_path, bed):
    a = bed("chr1\t10\t50\nchr1\t100\t120\n")
    b = bed("chr1\t30\t80\n")
    sizes = {"chr1": 500}
    coverage_tracks([a, b], sizes, tmp_path / "cov")
    from_folder = build_universe(tmp_path / "cov", "cc", cutoff=1)
    from_beds = build_universe([a, b], "cc", cutoff=1, chrom_sizes=sizes)
    from_cov = build_universe(compute_coverage([a, b], sizes), "cc", cutoff=1)
    assert from_folder == from_beds == from_cov
    assert [tuple(r) for r in from_folder] == [("chr1", 10, 80), ("chr1", 100, 120)]


def test_builder_errors(tmp_path, bed):
    a = bed("chr1\t10\t50\n")
    with pytest.raises(GenimlValueError, match="chrom_sizes"):
        cc_universe([a])
    with pytest.raises(GenimlValueError, match="method"):
        build_universe([a], "nope", chrom_sizes={"chr1": 100})  # type: ignore[arg-type]
    with pytest.raises(GenimlValueError, match="confidence"):
        ccf_universe([a], chrom_sizes={"chr1": 100}, confidence=1.5)
    with pytest.raises(GenimlValueError, match="merge_distance"):
        cc_universe([a], chrom_sizes={"chr1": 100}, merge_distance=-1)
    out = tmp_path / "u.bed"
    out.write_text("keep me\n")
    with pytest.raises(FileExistsError, match="force"):
        cc_universe([a], chrom_sizes={"chr1": 100}, output_file=out)
    assert out.read_text() == "keep me\n"
    cc_universe([a], chrom_sizes={"chr1": 100}, output_file=out, force=True)
    assert out.read_text() == "chr1\t10\t50\n"
    coverage_tracks([a], {"chr1": 100}, tmp_path / "cov")
    (tmp_path / "cov" / "all_core.bw").unlink()
    with pytest.raises(UniverseError, match="lacks the core track"):
        cc_universe(tmp_path / "cov")
