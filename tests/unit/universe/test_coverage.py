from __future__ import annotations

import numpy as np
import pytest

from geniml.exceptions import (
    BedParseError,
    ChromosomeNotFoundError,
    GenimlValueError,
    UniverseError,
)
from geniml.io import RegionSet
from geniml.universe import Coverage, compute_coverage, coverage_tracks, load_coverage
from tests._oracles import naive_coverage, runs_to_dense


def _rows(cov, chrom, track):
    s, e, v = cov.runs(chrom, track)
    return list(zip(s.tolist(), e.tolist(), v.tolist(), strict=True))


@pytest.mark.parametrize("smooth", [0, 2, 7])
def test_matches_naive_oracle(bed, smooth):
    rows = [("c1", 5, 9), ("c1", 0, 3), ("c1", 7, 20), ("c2", 1, 1), ("c2", 3, 12), ("c1", 29, 30)]
    p = bed("".join(f"{c}\t{s}\t{e}\n" for c, s, e in reversed(rows)))
    sizes = {"c1": 30, "c2": 12}
    cov = compute_coverage(p, sizes, smooth=smooth)
    want = naive_coverage(rows, sizes, smooth)
    for c, n in sizes.items():
        for k in ("start", "core", "end"):
            assert runs_to_dense(*cov.runs(c, k), n) == want[c][k], (c, k)


def test_runs_are_coalesced_and_nonzero():
    cov = Coverage.from_regions(
        [RegionSet([("chr1", 0, 5), ("chr1", 5, 10)])], {"chr1": 20}, smooth=0
    )
    assert _rows(cov, "chr1", "core") == [(0, 10, 1)]
    assert _rows(cov, "chr1", "start") == [(0, 1, 1), (5, 6, 1)]
    assert _rows(cov, "chr1", "end") == [(5, 6, 1), (10, 11, 1)]


def test_bigwig_round_trip(tmp_path, bed):
    p = bed("chr1\t10\t20\nchr1\t15\t30\nchr2\t0\t4\n")
    paths = coverage_tracks(p, {"chr1": 100, "chr2": 50}, tmp_path / "cov", smooth=3)
    assert [x.name for x in paths] == ["all_start.bw", "all_core.bw", "all_end.bw"]
    back = load_coverage(tmp_path / "cov")
    direct = compute_coverage(p, {"chr1": 100, "chr2": 50}, smooth=3)
    assert back.chroms == {"chr1": 100, "chr2": 50}
    for c in ("chr1", "chr2"):
        for k in ("start", "core", "end"):
            assert _rows(back, c, k) == _rows(direct, c, k)


def test_bedgraph_and_force(tmp_path, bed):
    p = bed("chr1\t10\t20\n")
    out = tmp_path / "bg"
    coverage_tracks(p, {"chr1": 100}, out, smooth=0, format="bedgraph", prefix="x")
    assert (out / "x_core.bedGraph").read_text() == "chr1\t10\t20\t1\n"
    with pytest.raises(FileExistsError, match="force"):
        coverage_tracks(p, {"chr1": 100}, out, smooth=0, format="bedgraph", prefix="x")
    coverage_tracks(
        bed("chr1\t1\t2\n"), {"chr1": 100}, out, smooth=0, format="bedgraph", prefix="x", force=True
    )
    assert (out / "x_core.bedGraph").read_text() == "chr1\t1\t2\t1\n"


def test_region_sets_in_memory_match_files(bed):
    a = bed("chr1\t3\t8\nchr1\t6\t9\n")
    b = bed("chr1\t0\t2\n")
    sizes = {"chr1": 10}
    from_files = compute_coverage([a, b], sizes, smooth=1)
    from_sets = compute_coverage([RegionSet(a), RegionSet(b)], sizes, smooth=1)
    for k in ("start", "core", "end"):
        assert _rows(from_files, "chr1", k) == _rows(from_sets, "chr1", k)


def test_bad_input(tmp_path, bed):
    with pytest.raises(BedParseError, match=r":2: chromosome 'chrZ' is not in the chrom sizes"):
        compute_coverage(bed("chr1\t1\t5\nchrZ\t1\t5\n"), {"chr1": 10})
    with pytest.raises(BedParseError, match=r":1: end \(50\) lies beyond the end of chr1"):
        compute_coverage(bed("chr1\t1\t50\n"), {"chr1": 10})
    with pytest.raises(ChromosomeNotFoundError, match="'chrZ' is not in the chrom sizes"):
        compute_coverage(RegionSet([("chrZ", 1, 2)]), {"chr1": 10})
    with pytest.raises(GenimlValueError, match="beyond the end"):
        compute_coverage(RegionSet([("chr1", 1, 20)]), {"chr1": 10})
    with pytest.raises(UniverseError, match="empty"):
        compute_coverage([], {"chr1": 10})
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UniverseError, match="no BED file"):
        compute_coverage(empty, {"chr1": 10})
    with pytest.raises(GenimlValueError, match="empty"):
        compute_coverage(bed(""), {"chr1": 10})
    with pytest.raises(GenimlValueError, match="smooth"):
        compute_coverage(bed("chr1\t1\t2\n"), {"chr1": 10}, smooth=-1)


def test_missing_track(tmp_path, bed):
    coverage_tracks(bed("chr1\t1\t5\n"), {"chr1": 10}, tmp_path / "c", smooth=0)
    (tmp_path / "c" / "all_end.bw").unlink()
    with pytest.raises(UniverseError, match="lacks the end track"):
        load_coverage(tmp_path / "c")
    with pytest.raises(UniverseError, match="coverage-prefix"):
        load_coverage(tmp_path / "c", prefix="other")
    with pytest.raises(FileNotFoundError):
        load_coverage(tmp_path / "nope")


def test_real_collection_totals(shared_data):
    folder = shared_data / "bedsets" / "diffbind_er_chr18_hg19"
    cov = compute_coverage(folder, shared_data / "chromsizes" / "hg19.chrom.sizes")
    s, e, v = cov.runs("chr18", "core")
    from geniml.io import BedSet

    total = sum(int(r.widths.sum()) for r in BedSet(folder))
    assert int(((e - s).astype(np.int64) * v).sum()) == total
    assert np.all(v > 0) and np.all(s[1:] >= e[:-1])


def test_bedgraph_folder_reads_back(tmp_path, bed):
    from geniml.universe import cc_universe

    p = bed("chr1\t10\t20\nchr1\t15\t30\nchr2\t0\t4\n")
    sizes = {"chr1": 100, "chr2": 50}
    coverage_tracks(p, sizes, tmp_path / "bg", smooth=3, format="bedgraph")
    assert (tmp_path / "bg" / "all_chrom.sizes").read_text() == "chr1\t100\nchr2\t50\n"
    back = load_coverage(tmp_path / "bg")
    direct = compute_coverage(p, sizes, smooth=3)
    assert back.chroms == direct.chroms
    for c in sizes:
        for k in ("start", "core", "end"):
            assert _rows(back, c, k) == _rows(direct, c, k)
    assert cc_universe(tmp_path / "bg") == cc_universe(direct)
    (tmp_path / "bg" / "all_chrom.sizes").unlink()
    with pytest.raises(UniverseError, match="chromosome lengths"):
        load_coverage(tmp_path / "bg")
