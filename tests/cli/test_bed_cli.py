from __future__ import annotations

import subprocess
import sys

from typer.testing import CliRunner

from geniml.cli import app

runner = CliRunner()


def test_version_and_help():
    r = runner.invoke(app, ["--version"])
    assert r.exit_code == 0 and r.stdout.startswith("geniml ")
    r = runner.invoke(app, ["--help"])
    assert r.exit_code == 0 and "bed" in r.stdout


def test_stats(shared_data):
    folder = shared_data / "bedsets" / "diffbind_er_chr18_hg19"
    r = runner.invoke(app, ["bed", "stats", str(folder)])
    assert r.exit_code == 0, r.output
    rows = [line.split("\t") for line in r.stdout.strip().splitlines()]
    assert rows[0] == ["file", "regions", "chromosomes", "mean_width", "identifier"]
    assert len(rows) == 12
    assert rows[1][0].endswith("BT4741.bed") and rows[1][1] == "1080" and rows[1][2] == "1"


def test_validate_reports_error_without_traceback(tmp_path):
    bad = tmp_path / "bad.bed"
    bad.write_text("chr1\t1\t5\nchr1\t9\t2\nchr1\tx\t3\n")
    out = subprocess.run(
        [sys.executable, "-m", "geniml.cli", "bed", "validate", str(bad)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert f"error: {bad}:2: start (9) is greater than end (2)" in out.stderr
    assert "Traceback" not in out.stderr
    out = subprocess.run(
        [sys.executable, "-m", "geniml.cli", "bed", "validate", "--all", str(bad)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1
    assert f"{bad}:2:" in out.stderr and f"{bad}:3:" in out.stderr


def test_validate_ok(shared_data):
    r = runner.invoke(
        app,
        ["bed", "validate", str(shared_data / "bedsets" / "geniml_hg38_sample" / "Example1.bed")],
    )
    assert r.exit_code == 0 and "ok (50 regions)" in r.stdout
