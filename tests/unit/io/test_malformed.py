"""Malformed inputs: each names the exception type, the line and the reason."""

from __future__ import annotations

import gzip
import os

import pytest

from geniml.exceptions import BedParseError
from geniml.io import read_bed

CASES = [
    ("too_few_columns", "chr1\t1\t5\nchr1\t7\n", 2, "at least 3 tab-separated columns"),
    ("non_integer", "chr1\t1\t5\nchr1\tabc\t9\n", 2, "start is not an integer"),
    ("non_integer_end", "chr1\t1\t5.5\n", 1, "end is not an integer"),
    ("negative", "chr1\t-5\t9\n", 1, "negative"),
    ("start_gt_end", "chr1\t1\t5\nchr1\t2\t3\nchr1\t90\t10\n", 3, "greater than end"),
    ("empty_file", "", 0, "file is empty"),
    ("header_only", "track name=peaks\n# comment\nbrowser position chr1\n", 3, "only header"),
    ("spaces", "chr1 100 200\n", 1, "separated by tabs"),
    ("mixed_tabs_spaces", "chr1\t100 200\t300\n", 1, "separated by tabs"),
    ("empty_chrom", "\t1\t5\n", 1, "chromosome name is empty"),
    ("overflow", "chr1\t1\t99999999999\n", 1, "exceeds the largest"),
    ("binary_garbage", b"\x00\x01\x02\xff\xfe\tfoo\tbar\n", 1, "binary data"),
]


@pytest.mark.parametrize(("name", "text", "line", "reason"), CASES, ids=[c[0] for c in CASES])
def test_malformed(bed, name, text, line, reason):
    p = bed(text)
    with pytest.raises(BedParseError) as err:
        read_bed(p)
    e = err.value
    assert e.line == line
    assert reason in e.reason
    assert e.path == str(p)
    assert f"{p}:{line}:" in str(e)
    assert isinstance(e, ValueError)


def test_truncated_gzip(bed, shared_data):
    data = gzip.compress(
        (shared_data / "bedsets" / "diffbind_er_chr18_hg19" / "MCF71.bed").read_bytes()
    )
    p = bed(data[: len(data) // 2], name="cut.bed.gz")
    with pytest.raises(BedParseError, match="truncated or corrupt") as err:
        read_bed(p)
    assert err.value.line > 1


def test_very_long_line(bed):
    p = bed("chr1\t1\t5\n" + "chr1\t" + "9" * 2_000_000 + "\t7\n")
    with pytest.raises(BedParseError) as err:
        read_bed(p)
    assert err.value.line == 2
    assert "exceeds the largest" in err.value.reason
    assert len(str(err.value)) < 400


def test_unknown_chromosome_and_end_past_size(bed):
    sizes = {"chr1": 1000}
    with pytest.raises(BedParseError, match="'chrZ' is not in the chrom sizes") as err:
        read_bed(bed("chr1\t1\t5\nchrZ\t1\t5\n"), chrom_sizes=sizes)
    assert err.value.line == 2
    with pytest.raises(BedParseError, match="beyond the end of chr1") as err:
        read_bed(bed("chr1\t1\t1001\n"), chrom_sizes=sizes)
    assert err.value.line == 1


def test_accepted_oddities(bed):
    assert len(read_bed(bed("chr1\t1\t5\n"))) == 1  # one-line file (gtars #107)
    assert len(read_bed(bed("chr1\t1\t5"))) == 1  # no final newline
    assert len(read_bed(bed("chr1\t1\t5\n\n\n   \n"))) == 1  # trailing blank lines
    crlf = read_bed(bed("chr1\t1\t5\r\nchr2\t3\t8\tname\r\n"))
    assert [tuple(r) for r in crlf] == [("chr1", 1, 5), ("chr2", 3, 8)]
    assert crlf.extra_column(0) == ["", "name"]
    assert len(read_bed(bed("chr1\t5\t5\n"))) == 1  # zero-length region
    assert len(read_bed(bed(""), allow_empty=True)) == 0


def test_skip_and_warn(bed):
    p = bed("chr1\t1\t5\nchr1\tx\t9\nchr1\t9\t2\nchr1\t3\t4\n")
    rs = read_bed(p, on_error="skip")
    assert len(rs) == 2 and rs.report.n_skipped == 2
    assert [ln for ln, _ in rs.report.issues] == [2, 3]
    with pytest.warns(UserWarning, match="dropped 2 malformed line"):
        read_bed(p, on_error="warn")
    with pytest.raises(ValueError, match="on_error"):
        read_bed(p, on_error="ignore")


def test_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_bed(tmp_path / "nope.bed")


def test_errors_found_in_parallel_chunks(tmp_path):
    p = tmp_path / "big.bed"
    lines = [f"chr{i % 5 + 1}\t{i}\t{i + 100}\n" for i in range(400_000)]
    lines[333_333] = "chr1\t10\t5\n"
    p.write_text("".join(lines))
    assert os.path.getsize(p) > 1 << 22
    with pytest.raises(BedParseError) as err:
        read_bed(p)
    assert err.value.line == 333_334
