"""Class 7 (outside the BED reader): edge-case inputs are clear errors, never silent results."""

from __future__ import annotations

import gzip
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from geniml.exceptions import BedParseError, GenimlError, GenimlValueError
from geniml.io import RegionSet

GENIML = Path(sys.executable).with_name("geniml")


def _cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    out = subprocess.run(
        [str(GENIML), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "GENIML_NO_PROGRESS": "1"},
    )
    assert "Traceback" not in out.stderr, out.stderr
    return out


@pytest.mark.parametrize("command", ["validate", "stats"])
def test_bed_commands_on_folder_without_bed_files(tmp_path, command):
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "notes.txt").write_text("not a BED file\n")
    out = _cli("bed", command, "empty", cwd=tmp_path)
    assert out.returncode == 1
    assert "empty: the folder holds no BED file" in out.stderr


@pytest.fixture
def tok(shared_data):
    from geniml.tokenization import Tokenizer

    return Tokenizer.from_bed(shared_data / "universes" / "geniml_universe_hg38.uniq.bed")


@pytest.mark.parametrize(
    "content", [b"", b"# comment only\n", b"track name=x\n\n", gzip.compress(b"")]
)
def test_empty_or_header_only_fragment_file(tmp_path, tok, content):
    from geniml.tokenization import tokenize_fragments

    f = tmp_path / "frag.tsv"
    f.write_bytes(content)
    with pytest.raises(BedParseError, match="no fragment lines"):
        tokenize_fragments(f, tok)


def test_distinct_non_utf8_barcodes_do_not_merge(tmp_path, tok, shared_data):
    from geniml.tokenization import tokenize_fragments

    # Two real fragment lines, given barcodes that differ only in their invalid bytes.
    src = gzip.open(shared_data / "fragments" / "TCD8EM_S_1001.fragments.bed.gz").read()
    rows = [r.split(b"\t")[:3] for r in src.splitlines()[:2]]
    f = tmp_path / "frag.tsv"
    f.write_bytes(
        b"\t".join([*rows[0], b"AC\xff", b"1"]) + b"\n" + b"\t".join([*rows[1], b"AC\xfe", b"1"])
    )
    with pytest.raises(GenimlError, match="fragment 1 has a barcode that is not valid UTF-8"):
        tokenize_fragments(f, tok)
    f.write_bytes(b"\t".join([*rows[0], b"AC1", b"1"]) + b"\n" + b"\t".join([*rows[1], b"AC2"]))
    assert len(tokenize_fragments(f, tok)) == 2


@pytest.mark.parametrize("fraction", [-0.1, 1.5, float("nan")])
def test_out_of_range_fraction(tok, fraction):
    with pytest.raises(GenimlValueError, match="overlap fraction must be between 0 and 1"):
        tok.tokenize(RegionSet([("chr1", 0, 100_000)]), fraction=fraction)


@pytest.mark.parametrize("cutoff", [-1.0, float("nan"), float("inf")])
def test_out_of_range_cutoff(cutoff):
    from geniml.universe import cc_universe, ccf_universe, compute_coverage

    cov = compute_coverage(RegionSet([("chr1", 0, 50), ("chr1", 10, 60)]), {"chr1": 100})
    with pytest.raises(GenimlValueError, match="`cutoff` must be a finite number >= 0"):
        cc_universe(cov, cutoff=cutoff)
    with pytest.raises(GenimlValueError, match="`cutoff` must be a finite number >= 0"):
        ccf_universe(cov, cutoff=cutoff)


@pytest.mark.parametrize("bad", [-1.0, float("nan")])
def test_negative_or_nan_anndata_counts(tok, shared_data, bad):
    ad = pytest.importorskip("anndata")
    from geniml.tokenization import tokenize_anndata

    adata = ad.read_h5ad(shared_data / "anndata" / "pbmc_hg38.h5ad")
    x = adata.X.toarray() if hasattr(adata.X, "toarray") else np.array(adata.X)
    x = x.astype(np.float32)
    x[3, 7] = bad
    adata.X = x
    with pytest.raises(GenimlValueError, match=r"X\[3, 7\] .* counts must be non-negative"):
        tokenize_anndata(adata, tok)


@pytest.mark.parametrize("prefix", ["../escape", "a/b", "..", ""])
def test_prefix_cannot_leave_the_output_folder(tmp_path, shared_data, prefix):
    from geniml.universe import coverage_tracks

    bed = sorted((shared_data / "bedsets" / "diffbind_er_chr18_hg19").glob("*.bed"))[0]
    sizes = shared_data / "chromsizes" / "hg19.chrom.sizes"
    out = tmp_path / "cov"
    with pytest.raises(GenimlValueError, match="plain file-name prefix"):
        coverage_tracks(bed, sizes, out, prefix=prefix)
    assert not list(tmp_path.glob("*.bw")) and not list(tmp_path.glob("*/*.bw"))
    if prefix == "../escape":
        res = _cli(
            "coverage", str(bed), "-g", str(sizes), "-o", "cov", "--prefix", prefix, cwd=tmp_path
        )
        assert res.returncode == 1 and "plain file-name prefix" in res.stderr
        assert not list(tmp_path.glob("escape*"))
