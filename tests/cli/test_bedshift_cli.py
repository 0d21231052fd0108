from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from geniml.io import read_bed

GENIML = str(Path(__import__("sys").executable).with_name("geniml"))
BT = "bedsets/diffbind_er_chr18_hg19/BT4741.bed"


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([GENIML, *args], capture_output=True, text=True, cwd=cwd)


def test_seed_form_writes_replicates(shared_data, tmp_path):
    src = shared_data / BT
    r = _run("bedshift", "--input", str(src), "--genome", "hg19", "--preserve-chrom",
             "--iterations", "3", "--output", "randomized_peaks.bed", "--seed", "5", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    files = sorted(tmp_path.glob("randomized_peaks_rep*.bed"))
    assert [f.name for f in files] == [f"randomized_peaks_rep{i}.bed" for i in (1, 2, 3)]
    rs = read_bed(files[0])
    assert len(rs) == len(read_bed(src)) and set(rs.extra_column(0)) == {"S"}
    again = _run("bedshift", "--input", str(src), "--genome", "hg19", "--iterations", "3",
                 "--output", "randomized_peaks.bed", cwd=tmp_path)  # fmt: skip
    assert again.returncode == 1 and "exists" in again.stderr and "Traceback" not in again.stderr


def test_upstream_flags(shared_data, tmp_path):
    src = shared_data / BT
    sizes = shared_data / "chromsizes" / "hg19.chrom.sizes"
    r = _run("bedshift", "-b", str(src), "-l", str(sizes), "-a", "0.1", "--addmean", "200",
             "--addstdev", "20", "-d", "0.2", "-c", "0.1", "-o", "out.bed", "--seed", "1", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    n = len(read_bed(src))
    out = read_bed(tmp_path / "out.bed")
    assert len(out) == n + int(n * 0.1) + int(n * 0.1) - int(n * 0.2)
    cfg = tmp_path / "ops.yaml"
    cfg.write_text("bedshift_operations:\n  - cut:\n    rate: 0.5\n")
    r = _run("bedshift", "-b", str(src), "-l", str(sizes), "-y", str(cfg), "-r", "2",
             "-o", "y.bed", "--seed", "2", cwd=tmp_path)  # fmt: skip
    assert r.returncode == 0, r.stderr
    assert len(read_bed(tmp_path / "y_rep1.bed")) == n + int(n * 0.5)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--genome", "hg99"], "unknown genome 'hg99'"),
        (["-d", "1.5"], "drop rate must be in [0, 1]"),
    ],
)
def test_errors_exit_1_with_message(shared_data, tmp_path, args, message):
    r = _run("bedshift", "-b", str(shared_data / BT), *args, cwd=tmp_path)
    assert r.returncode == 1 and message in r.stderr and "Traceback" not in r.stderr


def test_usage_error_exit_2(tmp_path):
    r = _run("bedshift", "--iterations", "2", cwd=tmp_path)
    assert r.returncode == 2 and "--input" in r.stderr
