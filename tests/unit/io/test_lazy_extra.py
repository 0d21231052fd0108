"""Lazily read extra columns of `read_bed`: same text as a naive parse, errors at read time,
a changed file detected on first use."""

from __future__ import annotations

import gzip
import os
from pathlib import Path

import pytest

from geniml.exceptions import BedParseError
from geniml.io import read_bed, write_bed


def _naive_extras(path: Path) -> list[list[str]]:
    """Columns 4+ of every data line, split on tabs (the oracle)."""
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    out = []
    for line in raw.decode().splitlines():
        if not line.strip() or line.startswith(("#", "track ", "browser ")):
            continue
        out.append(line.split("\t")[3:])
    return out


def _real_files(shared: Path) -> list[Path]:
    files = [
        shared / "bedsets/immune_atlas_peaks_hg38.bed",  # BED4 with names
        *sorted((shared / "bedsets/diffbind_er_chr18_hg19").glob("*.bed"))[:2],  # BED5
        *sorted((shared / "bedsets/geniml_hg38_sample").glob("*.bed"))[:3],  # narrowPeak
        *sorted((shared / "fragments").glob("*.fragments.bed.gz")),  # gzip fragments
        *sorted((shared / "bedsets/encode_tfbs_hg19").glob("*.bed"))[:1],
    ]
    return [f for f in files if f.is_file()]


def test_extra_columns_equal_a_naive_parse_on_real_files(shared_data):
    files = _real_files(shared_data)
    assert len(files) >= 6
    for path in files:
        rs = read_bed(path)
        want = _naive_extras(path)
        assert len(rs) == len(want), path
        width = max(len(x) for x in want)
        assert rs.report is not None and rs.report.has_extra == (width > 0), path
        # nothing parsed past column 3 until first use
        assert (rs._extra_src is not None) == (width > 0), path
        assert rs.n_extra_columns == width, path
        for k in range(width):
            got = rs.extra_column(k)
            assert got == [x[k] if k < len(x) else "" for x in want], (path, k)


def test_lazy_extras_follow_slicing_sorting_and_writing(shared_data, tmp_path):
    path = shared_data / "bedsets/immune_atlas_peaks_hg38.bed"
    names = [x[0] for x in _naive_extras(path)]
    rs = read_bed(path)
    assert rs[10:20].extra_column(0) == names[10:20]
    srt = read_bed(path).sort()
    assert sorted(srt.extra_column(0)) == sorted(names)
    out = tmp_path / "copy.bed"
    write_bed(read_bed(path), out)
    assert _naive_extras(out) == [[n] for n in names]


def test_skip_mode_keeps_the_extras_of_kept_rows(tmp_path):
    p = tmp_path / "x.bed"
    p.write_text("chr1\t1\t5\ta\t1\nchr1\t9\t3\tbad\t2\nchr2\t0\t4\tc\t3\n")
    rs = read_bed(p, on_error="skip")
    assert rs.report is not None and rs.report.n_skipped == 1
    assert rs.extra_column(0) == ["a", "c"]
    assert rs.extra_column(1) == ["1", "3"]


def test_errors_name_file_line_reason_at_read_time(tmp_path):
    p = tmp_path / "bad.narrowPeak"
    p.write_text("chr1\t1\t5\tp1\t10\t.\t1.5\t2\t3\t40\nchr1\t7\tx\tp2\t10\t.\t1\t2\t3\t4\n")
    with pytest.raises(BedParseError) as e:
        read_bed(p)
    assert e.value.path == str(p) and e.value.line == 2 and "not an integer" in e.value.reason
    # a fault only in a column after the third is no parse error: extra columns are text
    q = tmp_path / "odd_score.narrowPeak"
    q.write_text("chr1\t1\t5\tp1\tnot-a-score\t.\t1.5\n")
    rs = read_bed(q)
    assert rs.extra_column(1) == ["not-a-score"]


def test_a_file_changed_before_first_use_is_an_error(tmp_path):
    p = tmp_path / "x.bed"
    p.write_text("chr1\t1\t5\tname1\nchr1\t6\t9\tname2\n")
    rs = read_bed(p)
    p.write_text("chr1\t1\t5\tother\n")
    os.utime(p, ns=(0, 0))
    with pytest.raises(BedParseError) as e:
        rs.extra_column(0)
    assert e.value.path == str(p) and e.value.line == 0 and "changed" in str(e.value)
    p.unlink()
    with pytest.raises(BedParseError, match="changed"):
        rs.n_extra_columns  # noqa: B018


def test_bed3_has_no_lazy_source(tmp_path):
    p = tmp_path / "x.bed"
    p.write_text("chr1\t1\t5\nchr2\t3\t4\n")
    rs = read_bed(p)
    assert rs.report is not None and not rs.report.has_extra
    assert rs.n_extra_columns == 0
