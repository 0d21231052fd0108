"""`geniml region2vec` (train, bare form) and `geniml region2vec encode`."""

from __future__ import annotations

import numpy as np
import pytest
from typer.testing import CliRunner

pytest.importorskip("torch")

from geniml.cli import app
from geniml.io import BedSet
from geniml.tokenization import hard_tokenization

runner = CliRunner()


def test_train_then_encode(shared_data, tmp_path, monkeypatch):
    monkeypatch.setenv("GENIML_NO_PROGRESS", "1")
    src = shared_data / "bedsets/diffbind_er_chr18_hg19"
    BedSet(src).to_regionset().sort().merge(0).to_bed(tmp_path / "u.bed")
    hard_tokenization(src, tmp_path / "tokens", tmp_path / "u.bed")
    res = runner.invoke(
        app,
        [
            "region2vec",
            "--token-folder",
            str(tmp_path / "tokens"),
            "--save-dir",
            str(tmp_path / "model"),
            "--num-shuffle",
            "2",
            "--embed-dim",
            "8",
            "--context-len",
            "40",
            "--window-size",
            "3",
            "--init-lr",
            "0.03",
            "--sg",
            "--min-count",
            "2",
        ],
    )
    assert res.exit_code == 0, res.output
    assert (tmp_path / "model/embeddings.npy").exists()
    beds = sorted(str(p) for p in src.glob("*.bed"))
    out = tmp_path / "v.npy"
    res = runner.invoke(
        app,
        ["region2vec", "encode", "--model", str(tmp_path / "model"), *beds, "--output", str(out)],
    )
    assert res.exit_code == 0, res.output
    assert np.load(out).shape == (len(beds), 8)
    res = runner.invoke(
        app,
        ["region2vec", "encode", "--model", str(tmp_path / "model"), *beds, "--output", str(out)],
    )
    assert res.exit_code != 0


def test_bare_form_needs_folders():
    res = runner.invoke(app, ["region2vec", "--save-dir", "x"])
    assert res.exit_code != 0
