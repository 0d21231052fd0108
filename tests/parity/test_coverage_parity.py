"""Coverage tracks against a naive per-base oracle and ``bedtools genomecov -bg``."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from geniml.io import BedSet
from geniml.universe import compute_coverage, coverage_tracks
from tests._oracles import naive_coverage, runs_to_dense

WINDOW = 3_000_000


def _window_rows(shared_data):
    rows = []
    for rs in BedSet(shared_data / "bedsets" / "diffbind_er_chr18_hg19"):
        rows.extend((c, s, e) for c, s, e in rs if e <= WINDOW)
    return rows


def test_real_data_matches_naive_oracle(shared_data, tmp_path):
    rows = _window_rows(shared_data)
    assert len(rows) > 50
    p = tmp_path / "combined.bed"
    p.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in rows))
    sizes = {"chr18": WINDOW}
    cov = compute_coverage(p, sizes, smooth=25)
    want = naive_coverage(rows, sizes, 25)
    for k in ("start", "core", "end"):
        assert runs_to_dense(*cov.runs("chr18", k), WINDOW) == want["chr18"][k], k


@pytest.mark.skipif(shutil.which("bedtools") is None, reason="bedtools is not installed")
def test_core_track_matches_bedtools_genomecov(shared_data, tmp_path):
    folder = shared_data / "bedsets" / "encode_tfbs_hg19"
    # genomecov allocates a per-base array for every chromosome of the genome file: keep the
    # comparison to chr19-chr22 (all ten files) so that the test stays fast.
    keep = ("chr19", "chr20", "chr21", "chr22")
    sizes = tmp_path / "g.sizes"
    sizes.write_text(
        "".join(
            line + "\n"
            for line in (shared_data / "chromsizes" / "hg19.chrom.sizes").read_text().splitlines()
            if line.split("\t")[0] in keep
        )
    )
    combined = tmp_path / "combined.bed"
    combined.write_text(
        "".join(f"{c}\t{s}\t{e}\n" for rs in BedSet(folder) for c, s, e in rs if c in keep)
    )
    sorted_bed = tmp_path / "sorted.bed"
    subprocess.run(f"sort -k1,1 -k2,2n {combined} > {sorted_bed}", shell=True, check=True)
    bg = subprocess.run(
        ["bedtools", "genomecov", "-bg", "-i", str(sorted_bed), "-g", str(sizes)],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    want = sorted(tuple(line.split("\t")) for line in bg.strip().splitlines())
    coverage_tracks(combined, sizes, tmp_path / "cov", format="bedgraph")
    got = sorted(
        tuple(line.split("\t"))
        for line in (tmp_path / "cov" / "all_core.bedGraph").read_text().strip().splitlines()
    )
    assert len(got) > 20_000
    assert got == want
