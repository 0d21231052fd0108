from __future__ import annotations

import numpy as np
from typer.testing import CliRunner

from geniml.cli import app
from geniml.tokenization import Region2VecDataset, Tokenizer, read_gtok

runner = CliRunner()


def test_bare_form_bed_gtok_parquet(shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("GENIML_NO_PROGRESS", "1")
    u = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    src = shared_data / "bedsets" / "geniml_hg38_sample"
    r = runner.invoke(
        app, ["tokenize", "--universe", str(u), str(src), "--output", str(tmp_path / "bed")]
    )
    assert r.exit_code == 0, r.output
    assert len(list((tmp_path / "bed").glob("*.bed"))) == 13
    r = runner.invoke(
        app,
        [
            "tokenize",
            "-u",
            str(u),
            str(src / "Example2.bed"),
            "-o",
            str(tmp_path / "g"),
            "--format",
            "gtok",
        ],
    )
    assert r.exit_code == 0, r.output
    tok = Tokenizer.from_bed(u)
    assert np.array_equal(
        read_gtok(tmp_path / "g" / "Example2.gtok"), tok.tokenize(src / "Example2.bed").ids
    )
    r = runner.invoke(
        app,
        [
            "tokenize",
            "-u",
            str(u),
            str(src),
            "-o",
            str(tmp_path / "t.parquet"),
            "--format",
            "parquet",
            "--threads",
            "2",
        ],
    )
    assert r.exit_code == 0, r.output
    ds = Region2VecDataset(tmp_path / "t.parquet")
    assert len(ds) == 13
    # refusing to overwrite without --force
    r = runner.invoke(
        app,
        [
            "tokenize",
            "-u",
            str(u),
            str(src),
            "-o",
            str(tmp_path / "t.parquet"),
            "--format",
            "parquet",
        ],
    )
    assert r.exit_code != 0


def test_coverage_cells_fragments(shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("GENIML_NO_PROGRESS", "1")
    u = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    r = runner.invoke(
        app,
        [
            "tokenize",
            "coverage",
            "-u",
            str(u),
            str(shared_data / "bedsets" / "geniml_hg38_sample" / "Example3.bed"),
        ],
    )
    assert r.exit_code == 0, r.output
    header, row = r.stdout.strip().splitlines()
    assert header.startswith("file\tn_regions") and float(row.split("\t")[2]) <= 1.0
    r = runner.invoke(
        app,
        [
            "tokenize",
            "cells",
            str(shared_data / "anndata" / "pbmc_hg38.h5ad"),
            "-u",
            str(u),
            "-o",
            str(tmp_path / "c.parquet"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert len(Region2VecDataset(tmp_path / "c.parquet")) == 20
    r = runner.invoke(
        app,
        [
            "tokenize",
            "fragments",
            str(shared_data / "fragments" / "TCD8EM_U_1001.fragments.bed.gz"),
            "-u",
            str(u),
            "-o",
            str(tmp_path / "f.parquet"),
        ],
    )
    assert r.exit_code == 0, r.output
    assert len(Region2VecDataset(tmp_path / "f.parquet")) == 1
