from __future__ import annotations

import doctest
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import geniml.bedshift
import geniml.bedshift.core
import geniml.bedshift.genomes
import geniml.bedshift.yaml_config
from geniml.bedshift import BUNDLED_GENOMES, Bedshift, bedshift, genome_sizes, read_operations
from geniml.exceptions import BedParseError, GenimlError, GenimlValueError
from geniml.io import RegionSet, read_bed

ENCODE = "bedsets/encode_tfbs_hg19/wgEncodeAwgTfbsBroadDnd41Ezh239875UniPk.bed"


@pytest.fixture
def bed1000(shared_data, tmp_path) -> Path:
    """The first 1,000 regions of a real ENCODE peak file (upstream's tests use 1,000 regions)."""
    lines = (shared_data / ENCODE).read_text().splitlines()[:1000]
    p = tmp_path / "test1000.bed"
    p.write_text("\n".join(lines) + "\n")
    return p


@pytest.fixture
def hg19(shared_data) -> Path:
    return shared_data / "chromsizes" / "hg19.chrom.sizes"


def _flags(rs: RegionSet) -> list[str]:
    return rs.extra_column(0)


@pytest.mark.parametrize("mod", [geniml.bedshift, geniml.bedshift.core,
                                 geniml.bedshift.genomes, geniml.bedshift.yaml_config])  # fmt: skip
def test_docstring_examples_run(mod):
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS)
    assert res.failed == 0 and res.attempted > 0


def test_bundled_genomes_equal_shared_chrom_sizes(shared_data):
    from geniml.io import read_chrom_sizes

    for g in BUNDLED_GENOMES:
        assert genome_sizes(g) == read_chrom_sizes(shared_data / "chromsizes" / f"{g}.chrom.sizes")


# -- upstream's published expectations (counts on a 1,000-region file) -----------------------
def test_counts_like_upstream(bed1000, hg19):
    bs = Bedshift(bed1000, hg19)
    assert bs.original_num_regions == 1000
    bs.set_seed(1)
    assert bs.add(0.1, 100, 20) == 100
    assert len(bs.bed) == 1100
    bs.reset_bed()
    assert bs.drop(0.315) == 315 and len(bs.bed) == 685
    bs.reset_bed()
    assert bs.cut(0.909) == 909 and len(bs.bed) == 1909
    bs.reset_bed()
    shifted = bs.shift(0.3, 100, 200)
    assert 290 <= shifted <= 300
    assert _flags(bs.bed).count("S") == shifted
    bs.reset_bed()
    merged = bs.merge(0.2)
    assert merged % 2 == 0 and 300 <= merged <= 400
    assert len(bs.bed) == 1000 - merged // 2
    bs.reset_bed()
    assert bs.add_from_file(bed1000, 0.25) == 250
    bs.reset_bed()
    assert bs.add_from_file(bed1000, 2.0) == 1000  # capped at the file's size, as upstream
    assert bs.add(2.0, 100, 10) == 4000  # add rate may exceed 1


def test_counts_equal_upstream_bedshift(bed1000, hg19, peer):
    code = """
import sys
from geniml.bedshift import Bedshift
b = Bedshift(sys.argv[1], sys.argv[2])
out = [b.add(0.1, 100, 20)]; b.reset_bed()
out.append(b.drop(0.315)); b.reset_bed()
out.append(b.cut(0.909)); b.reset_bed()
out.append(b.add_from_file(sys.argv[1], 0.25)); b.reset_bed()
out.append(b.all_perturbations(addrate=0.2, cutrate=0.1, droprate=0.3, seed=3))
out.append(b.bed.shape[0])
print(*out)
"""
    up = [int(x) for x in peer(code, str(bed1000), str(hg19)).split()]
    bs = Bedshift(bed1000, hg19)
    ours = [bs.add(0.1, 100, 20)]
    bs.reset_bed()
    ours.append(bs.drop(0.315))
    bs.reset_bed()
    ours.append(bs.cut(0.909))
    bs.reset_bed()
    ours.append(bs.add_from_file(bed1000, 0.25))
    bs.reset_bed()
    ours.append(bs.all_perturbations(addrate=0.2, cutrate=0.1, droprate=0.3, seed=3))
    ours.append(len(bs.bed))
    # the pipeline's rates are fractions of the current count in both (upstream's methods)
    assert ours == up


def test_pipeline_rates_are_fractions_of_the_original(bed1000, hg19):
    out = bedshift(bed1000, genome=hg19, add_rate=0.2, cut_rate=0.1, drop_rate=0.3, seed=5)[0]
    assert len(out) == 1000 + 200 + 100 - 300
    f = _flags(out)
    assert set(f) <= {"-", "A", "C"}


# -- determinism ----------------------------------------------------------------------------
def test_seeded_and_replicates_independent_of_count(bed1000, hg19):
    kw = dict(genome=hg19, shift_rate=0.5, add_rate=0.3, merge_rate=0.1, drop_rate=0.2)
    a = bedshift(bed1000, n_iterations=4, seed=11, **kw)
    b = bedshift(bed1000, n_iterations=1, seed=11, **kw)
    assert a[0] == b[0] and _flags(a[0]) == _flags(b[0])
    assert a[1] != a[0]
    c = bedshift(bed1000, n_iterations=4, seed=12, **kw)
    assert c[0] != a[0]


def test_same_output_at_any_thread_count(bed1000, hg19, tmp_path):
    code = (
        "import sys; from geniml.bedshift import bedshift\n"
        "reps = bedshift(sys.argv[1], genome=sys.argv[2], n_iterations=6, shift_rate=0.4,"
        " add_rate=0.2, cut_rate=0.1, drop_rate=0.1, seed=99)\n"
        "print(' '.join(r.identifier + ''.join(r.extra_column(0)) for r in reps))\n"
    )
    outs = set()
    for n in ("1", "2"):
        env = dict(os.environ, GENIML_NUM_THREADS=n)
        r = subprocess.run([sys.executable, "-c", code, str(bed1000), str(hg19)],
                           capture_output=True, text=True, env=env, check=True)  # fmt: skip
        outs.add(r.stdout)
    assert len(outs) == 1


# -- properties -----------------------------------------------------------------------------
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    shift=st.sampled_from([0.0, 0.3, 1.0]),
    add=st.sampled_from([0.0, 0.2, 1.5]),
    cut=st.sampled_from([0.0, 0.25]),
    merge=st.sampled_from([0.0, 0.3]),
    drop=st.sampled_from([0.0, 0.4]),
    preserve_chrom=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_properties(shared_data, shift, add, cut, merge, drop, preserve_chrom, seed):
    path = shared_data / "bedsets" / "diffbind_er_chr18_hg19" / "BT4741.bed"
    sizes = genome_sizes("hg19")
    rs = read_bed(path)
    n = len(rs)
    if shift + add + cut + merge + drop == 0:
        shift = 0.1
    out = bedshift(path, genome="hg19", shift_rate=shift, add_rate=add, cut_rate=cut,
                   merge_rate=merge, drop_rate=drop, preserve_chrom=preserve_chrom, seed=seed)[0]  # fmt: skip
    chroms = out.chrom_array()
    ends = out.ends
    lens = np.array([sizes[c] for c in chroms])
    assert (ends <= lens).all() and (out.starts <= ends).all()
    assert out.is_sorted()
    f = np.array(_flags(out))
    n_add = int(n * add)
    # counts add up: cut adds one region, merge removes one per pair, drop removes. Drop runs
    # last, so the same seed without it gives the state drop started from.
    before = bedshift(path, genome="hg19", shift_rate=shift, add_rate=add, cut_rate=cut,
                      merge_rate=merge, preserve_chrom=preserve_chrom, seed=seed)[0]  # fmt: skip
    n_merged_pairs = _flags(before).count("M")
    assert len(before) == n + n_add + int(n * cut) - n_merged_pairs
    assert len(out) == len(before) - int(n * drop)
    assert set(map(tuple, out)) <= set(map(tuple, before))
    if shift == 0:
        assert "S" not in f
    if preserve_chrom:
        assert set(chroms) <= set(rs.chrom_array())
    if add and not drop and not merge and not cut:
        assert int((f == "A").sum()) == n_add


def test_preserve_chrom_keeps_per_chromosome_counts_in_expectation(shared_data):
    path = shared_data / ENCODE
    rs = read_bed(path)
    out = bedshift(path, genome="hg19", add_rate=1.0, preserve_chrom=True, seed=2)[0]
    f = np.array(_flags(out))
    added = out.chrom_array()[f == "A"]
    assert set(added) <= set(rs.chrom_array())
    names, counts = np.unique(rs.chrom_array(), return_counts=True)
    add_names, add_counts = np.unique(added, return_counts=True)
    got = dict(zip(add_names, add_counts, strict=True))
    for name, c in zip(names, counts, strict=True):
        if c > 100:  # binomial: within 5 sd of the input count
            assert abs(got.get(name, 0) - c) < 5 * math.sqrt(c)
    # without it, added regions spread over the genome by chromosome length
    free = bedshift(path, genome="hg19", add_rate=1.0, seed=2)[0]
    free_added = free.chrom_array()[np.array(_flags(free)) == "A"]
    assert len(set(free_added) - set(rs.chrom_array())) > 0 or len(set(free_added)) > 20


def test_preserve_size_and_distance(shared_data):
    path = shared_data / "bedsets" / "diffbind_er_chr18_hg19" / "BT4741.bed"
    rs = read_bed(path)
    out = bedshift(path, genome="hg19", add_rate=0.5, preserve_size=True, seed=4)[0]
    f = np.array(_flags(out))
    assert set(out.widths[f == "A"]) <= set(rs.widths)
    with pytest.raises(GenimlValueError, match="preserve_size"):
        bedshift(path, genome="hg19", cut_rate=0.1, preserve_size=True)
    srt = rs.sort()
    moved = bedshift(path, genome="hg19", shift_rate=1.0, shift_sd=5000,
                     preserve_distance=True, seed=8)[0]  # fmt: skip
    assert set(_flags(moved)) == {"S"}
    assert (np.diff(moved.starts.astype(np.int64)) == np.diff(srt.starts.astype(np.int64))).all()
    assert moved.starts[0] != srt.starts[0]


def test_valid_regions_and_drop_from_file(shared_data, tmp_path):
    path = shared_data / ENCODE
    valid = (
        shared_data
        / "bedsets"
        / "encode_tfbs_hg19"
        / "wgEncodeAwgTfbsBroadH1hescJarid1aab26049UniPk.bed"
    )
    v = read_bed(valid)
    out = bedshift(path, genome=None, add_rate=0.5, valid_regions=valid, add_mean=200, seed=1)[0]
    f = np.array(_flags(out))
    added = out[np.flatnonzero(f == "A")]
    vset = {}
    for c, s, e in v:
        vset.setdefault(c, []).append((s, e))
    for c, s, e in added:
        assert any(vs <= s and e <= ve for vs, ve in vset[c])
    # drop only regions overlapping the file
    rs = read_bed(path)
    dropped = bedshift(path, genome=None, drop_rate=1.0, drop_file=valid, seed=1)[0]
    gone = set(map(tuple, rs)) - set(map(tuple, dropped))
    assert gone
    for c, s, e in gone:
        assert any(vs < e and s < ve for vs, ve in vset.get(c, []))
    kept_overlapping = [
        r for r in dropped if any(vs < r.end and r.start < ve for vs, ve in vset.get(r.chrom, []))
    ]
    assert kept_overlapping == []


# -- statistics of the shift offsets --------------------------------------------------------
def test_shift_offsets_follow_the_requested_normal(shared_data):
    rs = read_bed(
        shared_data / "bedsets" / "encode_tfbs_hg19" / "wgEncodeAwgTfbsBroadH1hescCtcfUniPk.bed"
    ).sort()
    # keep regions 20 kb from both neighbours, so that a 500 bp sd never reorders them
    s, e, c = rs.starts.astype(np.int64), rs.ends.astype(np.int64), rs.chroms
    gap_ok = np.ones(len(rs), bool)
    same_prev = np.r_[False, c[1:] == c[:-1]]
    gap_ok[1:] &= ~same_prev[1:] | (s[1:] - e[:-1] > 20_000)
    gap_ok[:-1] &= ~same_prev[1:] | (s[1:] - e[:-1] > 20_000)
    sub = rs[np.flatnonzero(gap_ok)]
    assert len(sub) > 3000
    mean, sd = 40.0, 500.0
    out = bedshift(sub, genome="hg19", shift_rate=1.0, shift_mean=mean, shift_sd=sd, seed=123)[0]
    d = out.starts.astype(np.int64) - sub.starts.astype(np.int64)
    assert (out.widths == sub.widths).all()
    n = len(d)
    assert abs(d.mean() - mean) < 4 * sd / math.sqrt(n)
    assert abs(d.std() / sd - 1) < 0.05
    # Kolmogorov-Smirnov against normal(mean, sd) (offsets are truncated toward zero: <1 bp)
    x = np.sort(d)
    cdf = 0.5 * (1 + np.vectorize(math.erf)((x - mean) / (sd * math.sqrt(2))))
    ks = max((np.arange(1, n + 1) / n - cdf).max(), (cdf - np.arange(n) / n).max())
    assert ks < 1.63 / math.sqrt(n)


# -- errors ---------------------------------------------------------------------------------
def test_errors(bed1000, hg19, tmp_path, bed):
    with pytest.raises(GenimlValueError, match="hg19, hg38, mm9, mm10"):
        bedshift(bed1000, genome="hg99")
    outside = bed("chr1\t100\t200\nchr21\t48129800\t48129900\n")
    with pytest.raises(BedParseError) as ei:
        bedshift(outside, genome="hg19")
    assert ei.value.line == 2 and str(outside) in str(ei.value)
    unknown = bed("chr1\t100\t200\nchrZ\t1\t9\n")
    with pytest.raises(BedParseError, match=":2:"):
        bedshift(unknown, genome="hg19")
    with pytest.raises(GenimlValueError, match=r"drop rate must be in \[0, 1\], got 1.5"):
        bedshift(bed1000, genome=hg19, drop_rate=1.5)
    with pytest.raises(GenimlValueError, match="shift rate"):
        bedshift(bed1000, genome=hg19, shift_rate=-0.1)
    with pytest.raises(GenimlValueError, match="need chromosome sizes"):
        bedshift(bed1000, genome=None, add_rate=0.1)
    with pytest.raises(GenimlValueError, match="need chromosome sizes"):
        bedshift(bed1000, genome=None, shift_rate=0.1)
    small = {"chr1": 10_000_000}
    with pytest.raises(GenimlError, match="not in the chromosome sizes"):
        bedshift(read_bed(bed1000), genome=small, shift_rate=0.1)
    bs = Bedshift(bed1000, hg19)
    with pytest.raises(GenimlValueError, match="cut rate"):
        bs.cut(2)
    with pytest.raises(GenimlValueError, match="Seed should be an integer"):
        bs.set_seed("x")


def test_outputs_named_like_upstream_and_never_clobbered(bed1000, hg19, tmp_path):
    out = tmp_path / "randomized_peaks.bed"
    reps = bedshift(bed1000, genome=hg19, n_iterations=12, seed=1, output=out)
    files = sorted(tmp_path.glob("randomized_peaks_rep*.bed"))
    assert [p.name for p in files][:2] == [
        "randomized_peaks_rep01.bed",
        "randomized_peaks_rep02.bed",
    ]
    assert len(files) == 12
    back = read_bed(files[0])
    assert back == reps[0] and back.extra_column(0) == reps[0].extra_column(0)
    with pytest.raises(FileExistsError):
        bedshift(bed1000, genome=hg19, n_iterations=12, seed=2, output=out)
    bedshift(bed1000, genome=hg19, n_iterations=12, seed=2, output=out, force=True)
    assert read_bed(files[0]) != back


# -- YAML -----------------------------------------------------------------------------------
def test_yaml_pipeline_with_vars(bed1000, hg19, tmp_path, monkeypatch):
    monkeypatch.setenv("BS_DATA", str(bed1000.parent))
    cfg = tmp_path / "ops.yaml"
    cfg.write_text(
        "bedshift_operations:\n"
        "  - add_from_file:\n"
        "    file: $BS_DATA/test1000.bed\n"
        "    rate: 0.2\n"
        "  - cut:\n"
        "    rate: 0.1\n"
        "  - drop:\n"
        "      rate: 0.3\n"
    )
    ops = read_operations(cfg)
    assert ops == [
        ("add_from_file", {"fp": str(bed1000), "addrate": 0.2}),
        ("cut", {"cutrate": 0.1}),
        ("drop", {"droprate": 0.3}),
    ]
    bs = Bedshift(bed1000, hg19)
    n = bs.all_perturbations(yaml=cfg, seed=7)
    assert n == 200 + 120 + int(1320 * 0.3)
    assert len(bs.bed) == 1320 - int(1320 * 0.3)


def test_yaml_errors_name_file_and_line(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("bedshift_operations:\n  - add:\n    rate: [1,\n")
    with pytest.raises(GenimlValueError, match=r"bad.yaml:\d+: invalid YAML"):
        read_operations(bad)
    unk = tmp_path / "unk.yaml"
    unk.write_text("bedshift_operations:\n  - cut:\n    rate: 0.1\n  - explode:\n    rate: 1\n")
    with pytest.raises(GenimlValueError, match=r"unk.yaml:4: each item names exactly one"):
        read_operations(unk)
    miss = tmp_path / "miss.yaml"
    miss.write_text(
        "bedshift_operations:\n  - add_from_file:\n    file: $NOPE_X/a.bed\n    rate: 0.1\n"
    )
    with pytest.raises(GenimlValueError, match=r"miss.yaml:2: file .* does not exist"):
        read_operations(miss)
    with pytest.raises(GenimlValueError, match="cannot read"):
        read_operations(tmp_path / "absent.yaml")
