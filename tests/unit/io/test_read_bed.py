from __future__ import annotations

import gzip

import numpy as np
import polars as pl
import pytest

from geniml.exceptions import UniverseError
from geniml.io import BedSet, Region, RegionSet, load_universe, read_bed, read_chrom_sizes
from tests._oracles import naive_merge, naive_read_bed


def _metadata_counts(folder):
    df = pl.read_csv(folder / "metadata.tsv", separator="\t")
    return dict(zip(df["file"].to_list(), df["n_regions"].to_list(), strict=True))


@pytest.mark.parametrize("collection", ["encode_tfbs_hg19", "diffbind_er_chr18_hg19"])
def test_region_counts_match_metadata(shared_data, collection):
    folder = shared_data / "bedsets" / collection
    counts = _metadata_counts(folder)
    bs = BedSet(folder)
    assert len(bs) == len(counts)
    for rs in bs:
        assert len(rs) == counts[rs.path.name], rs.path


def test_every_real_bed_matches_naive_reader(shared_data):
    files = sorted((shared_data / "bedsets").rglob("*.bed"))
    assert len(files) >= 30
    for f in files:
        rs = read_bed(f)
        rows = naive_read_bed(f)
        assert len(rs) == len(rows), f
        assert [tuple(r) for r in rs] == rows, f


def test_gzip_and_fragments(shared_data):
    frag = shared_data / "fragments" / "TCD8EM_S_1001.fragments.bed.gz"
    rs = read_bed(frag)
    rows = naive_read_bed(frag)
    assert len(rs) == len(rows) > 300_000
    assert rs[len(rs) - 1] == Region(*rows[-1])
    u = load_universe(shared_data / "universes" / "geniml_universe_hg38.uniq.bed")
    assert len(u) == 2378


def test_gz_suffix_not_needed(tmp_path, shared_data):
    src = shared_data / "bedsets" / "geniml_hg38_sample" / "Example1.bed"
    p = tmp_path / "noext"
    p.write_bytes(gzip.compress(src.read_bytes()))
    assert read_bed(p) == read_bed(src)


def test_narrowpeak_columns_reachable(shared_data):
    rs = read_bed(shared_data / "bedsets" / "geniml_hg38_sample" / "Example1.bed")
    df = rs.to_polars(extra=True)
    assert df.columns[:6] == ["chrom", "start", "end", "name", "score", "strand"]
    assert df["name"][0] == "SRX038633.05_peak_1"
    assert float(df["signalValue"][0]) == pytest.approx(7.62090)
    assert rs.extra_column(6)[1] == "165"


def test_columns_and_indexing():
    rs = RegionSet((["chr2", "chr1", "chr1"], np.array([50, 10, 15]), [60, 20, 30]))
    assert rs.starts.dtype == np.uint32 and rs.ends.dtype == np.uint32
    assert rs.chrom_names == ["chr2", "chr1"]
    assert rs[-1] == Region("chr1", 15, 30)
    sub = rs[1:]
    assert len(sub) == 2 and sub[0] == Region("chr1", 10, 20)
    with pytest.raises(IndexError):
        rs[3]
    assert "3 regions" in repr(rs)


def test_sort_natural_order():
    rs = RegionSet(
        [
            ("chrX", 1, 2),
            ("chr10", 1, 2),
            ("chr2", 5, 6),
            ("chrM", 0, 1),
            ("chr2", 1, 9),
            ("chr1_random", 0, 1),
            ("chrY", 0, 1),
        ]
    )
    assert [r.chrom for r in rs.sort()] == [
        "chr2",
        "chr2",
        "chr10",
        "chrX",
        "chrY",
        "chrM",
        "chr1_random",
    ]
    assert rs.sort()[0] == Region("chr2", 1, 9)
    assert rs.sort().is_sorted() and not rs.is_sorted()


def test_merge_matches_oracle(shared_data):
    rs = read_bed(shared_data / "bedsets" / "diffbind_er_chr18_hg19" / "MCF71.bed")
    for d in (0, 100, 5000):
        got = [tuple(r) for r in rs.merge(d)]
        assert got == naive_merge(list(map(tuple, rs)), d)


def test_dedup_and_polars_roundtrip():
    rs = RegionSet([("chr1", 1, 5), ("chr1", 1, 5), ("chr2", 0, 3)])
    assert len(rs.dedup()) == 2
    back = RegionSet.from_polars(rs.to_polars())
    assert back == rs


def test_write_roundtrip_and_no_clobber(tmp_path, shared_data):
    rs = read_bed(shared_data / "bedsets" / "geniml_hg38_sample" / "Example2.bed")
    out = tmp_path / "x.bed.gz"
    rs.to_bed(out)
    assert out.read_bytes()[:2] == b"\x1f\x8b"
    again = read_bed(out)
    assert again == rs and again.extra_column(0) == rs.extra_column(0)
    with pytest.raises(FileExistsError):
        rs.to_bed(out)
    rs[:3].to_bed(out, force=True)
    assert len(read_bed(out)) == 3
    assert not [p for p in tmp_path.iterdir() if ".tmp-" in p.name]


def test_identifier_order_independent_for_distinct_starts():
    a = RegionSet([("chr1", 1, 5), ("chr2", 3, 9), ("chr1", 10, 20)])
    b = RegionSet([("chr2", 3, 9), ("chr1", 10, 20), ("chr1", 1, 5)])
    assert a.identifier == b.identifier
    assert a.identifier != RegionSet([("chr1", 1, 6)]).identifier


def test_chrom_sizes(shared_data):
    sizes = read_chrom_sizes(shared_data / "chromsizes" / "hg38.chrom.sizes")
    assert sizes["chr1"] == 248956422
    rs = read_bed(
        shared_data / "bedsets" / "geniml_hg38_sample" / "Example3.bed", chrom_sizes=sizes
    )
    assert len(rs) > 0


def test_universe_duplicates(bed):
    p = bed("chr1\t1\t5\nchr1\t7\t9\n#x\nchr1\t1\t5\n")
    with pytest.raises(UniverseError, match="lines 1 and 4"):
        load_universe(p)
    with pytest.warns(UserWarning, match="dropped 1 duplicate"):
        u = load_universe(p, dedup=True)
    assert [tuple(r) for r in u] == [("chr1", 1, 5), ("chr1", 7, 9)]
    with pytest.raises(UniverseError, match="no region"):
        load_universe(bed("# nothing\n"))
    with pytest.raises(FileNotFoundError):
        load_universe(bed("x").parent / "absent.bed")


def test_bedset_parallel_equals_serial(shared_data):
    folder = shared_data / "bedsets" / "encode_tfbs_hg19"
    a = BedSet(folder, n_threads=1)
    b = BedSet(folder, n_threads=2)
    assert a.identifier == b.identifier
    assert all(x == y for x, y in zip(a, b, strict=True))
    assert len(a.to_regionset()) == sum(len(r) for r in a)


def _oracle_dup_lines(text: str) -> tuple[int, int]:
    """Naive: 1-based lines of the first duplicate (by the later copy) and its first copy."""
    seen: dict[tuple[str, ...], int] = {}
    for ln, raw in enumerate(text.split("\n"), 1):
        t = raw.rstrip("\r")
        if not t.strip(" \t") or t.startswith(("#", "track", "browser")):
            continue
        key = tuple(t.split("\t")[:3])
        if key in seen:
            return seen[key], ln
        seen[key] = ln
    raise AssertionError("no duplicate")


@pytest.mark.parametrize("gz", [False, True])
def test_one_universe_loader_names_both_lines(bed, gz):
    from geniml.exceptions import UniverseNotFoundError
    from geniml.tokenization import Tokenizer

    text = "track x\r\nchr2\t1\t5\r\n\r\n  \nchr1\t7\t9\tname\n#c\nchr9\t0\t3\nchr1\t7\t9\tother\n"
    first, dup = _oracle_dup_lines(text)
    assert (first, dup) == (5, 8)
    p = bed(gzip.compress(text.encode()) if gz else text, name="u.bed.gz" if gz else None)
    for load in (load_universe, Tokenizer):
        with pytest.raises(UniverseError, match=f"chr1:7-9 is on lines {first} and {dup}"):
            load(p)
    with pytest.warns(UserWarning, match="dropped 1 duplicate"):
        u = load_universe(p, dedup=True)
    assert [tuple(r) for r in u] == [("chr2", 1, 5), ("chr1", 7, 9), ("chr9", 0, 3)]
    assert u.extra_column(0) == ["", "name", ""]  # the kept copy's extra text stays
    with pytest.warns(UserWarning, match="dropped 1 duplicate"):
        assert Tokenizer(p, dedup=True).n_regions == 3
    # in memory: rows, not lines
    with pytest.raises(UniverseError, match="rows 1 and 3"):
        Tokenizer(RegionSet([("chr2", 1, 5), ("chr1", 7, 9), ("chr9", 0, 3), ("chr1", 7, 9)]))
    # one class for a missing universe, caught as either parent
    missing = p.parent / "absent.bed"
    for load in (load_universe, Tokenizer, Tokenizer.from_bed):
        with pytest.raises(UniverseNotFoundError, match="universe file not found"):
            load(missing)
    assert issubclass(UniverseNotFoundError, FileNotFoundError)
    assert issubclass(UniverseNotFoundError, UniverseError)


def test_genimlbaseerror_is_the_base_class(bed):
    from geniml.exceptions import GenimlBaseError, GenimlError

    assert GenimlBaseError is GenimlError
    with pytest.raises(GenimlBaseError, match="start"):  # upstream's `except` now catches
        read_bed(bed("chr1\tx\t5\n"))
