"""Every spelling of the shared `universe build` options works for cc, ccf, ml and hmm."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import typer.main

from geniml.cli.universe import build_app
from geniml.io import read_bed
from geniml.universe import build_universe, coverage_tracks

METHODS = ("cc", "ccf", "ml", "hmm")
SHARED = {
    "output_file": {"--output-file", "--output", "-o"},
    "coverage_folder": {"--coverage-folder"},
    "bed_folder": {"--bed-folder"},
    "chrom_sizes": {"--chrom-sizes", "-g"},
    "coverage_prefix": {"--coverage-prefix"},
    "merge": {"--merge"},
    "filter_size": {"--filter-size"},
    "smooth": {"--smooth", "-m"},
    "force": {"--force"},
}


def _geniml() -> str:
    exe = Path(sys.executable).with_name("geniml")
    return str(exe) if exe.exists() else shutil.which("geniml") or "geniml"


def test_every_command_declares_every_shared_spelling():
    group = typer.main.get_command(build_app)
    for m in METHODS:
        params = {p.name: set(p.opts) for p in group.commands[m].params}
        for name, spellings in SHARED.items():
            assert params.get(name) == spellings, (m, name)


@pytest.fixture(scope="module")
def data(shared_data, tmp_path_factory):
    folder = shared_data / "bedsets" / "diffbind_er_chr18_hg19"
    sizes = shared_data / "chromsizes" / "hg19.chrom.sizes"
    cov = tmp_path_factory.mktemp("cov")
    coverage_tracks(sorted(folder.glob("*.bed")), sizes, cov, smooth=10, prefix="er")
    return folder, sizes, cov


@pytest.mark.parametrize("method", METHODS)
def test_long_and_short_spellings_build_the_same_universe(data, tmp_path, method):
    folder, sizes, cov = data
    extra = ["--file-no", "11"] if method == "ml" else []
    runs = {
        "long": [
            "--output-file", str(tmp_path / "a.bed"), "--bed-folder", str(folder),
            "--chrom-sizes", str(sizes), "--smooth", "10", "--merge", "200",
            "--filter-size", "100",
        ],
        "short": [
            "--output", str(tmp_path / "b.bed"), "--bed-folder", str(folder), "-g", str(sizes),
            "-m", "10", "--merge", "200", "--filter-size", "100",
        ],
        "folder": [
            "-o", str(tmp_path / "c.bed"), "--coverage-folder", str(cov),
            "--coverage-prefix", "er", "--merge", "200", "--filter-size", "100", *extra,
        ],
    }  # fmt: skip
    for args in runs.values():
        r = subprocess.run(
            [_geniml(), "universe", "build", method, *args],
            capture_output=True,
            text=True,
            check=False,
        )
        assert r.returncode == 0, (args, r.stderr)
    want = build_universe(
        folder, method, chrom_sizes=sizes, smooth=10, merge_distance=200, min_size=100
    )
    assert len(want) > 10
    texts = {p: (tmp_path / p).read_text() for p in ("a.bed", "b.bed", "c.bed")}
    assert texts["a.bed"] == texts["b.bed"] == texts["c.bed"]
    got = read_bed(tmp_path / "a.bed")
    assert got == want and all(w >= 100 for w in got.widths.tolist())
    # --force replaces; without it the existing output is refused (exit 1, file kept)
    args = [_geniml(), "universe", "build", method, *runs["folder"]]
    r = subprocess.run(args, capture_output=True, text=True, check=False)
    assert r.returncode == 1 and "--force" in r.stderr
    r = subprocess.run([*args, "--force"], capture_output=True, text=True, check=False)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "c.bed").read_text() == texts["c.bed"]
