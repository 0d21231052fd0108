"""Class 6: every format geniml writes, geniml reads; an empty token file is an empty document."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

GENIML = Path(sys.executable).with_name("geniml")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    out = subprocess.run(
        [str(GENIML), *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env={**os.environ, "GENIML_NO_PROGRESS": "1"},
    )
    assert "Traceback" not in out.stderr, out.stderr
    return out


@pytest.fixture
def inputs(tmp_path, shared_data):
    src = shared_data / "bedsets" / "geniml_hg38_sample"
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(src.glob("*.bed"))[:3]:
        (folder / p.name).write_bytes(p.read_bytes())
    (folder / "nowhere.bed").write_text("chrUn_gl000220\t1\t100\nchrM\t5\t9\n")  # no token
    return folder


def test_empty_token_file_round_trip_cli(tmp_path, inputs, shared_data):
    pytest.importorskip("torch")
    universe = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    out = _run("tokenize", "files", str(inputs), "-u", str(universe), "-o", "tok", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "tok" / "nowhere.bed").stat().st_size == 0
    out = _run(
        "region2vec",
        "--token-folder",
        "tok",
        "--save-dir",
        "model",
        "--epochs",
        "1",
        "--min-count",
        "1",
        "--embed-dim",
        "8",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr
    assert (tmp_path / "model" / "embeddings.npy").exists()


def test_datasets_read_empty_documents(tmp_path, inputs, shared_data):
    from geniml.tokenization import Region2VecDataset, Tokenizer, hard_tokenization, write_gtok

    universe = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    tok = Tokenizer.from_bed(universe)
    hard_tokenization(inputs, tmp_path / "tok", tok)
    ds = Region2VecDataset(tmp_path / "tok", tokenizer=tok)
    assert len(ds) == 4
    assert len(ds[ds.names.index("nowhere.bed")]) == 0
    assert ds.lengths.sum() > 0
    gt = tmp_path / "gtok"
    gt.mkdir()
    write_gtok(gt / "a.gtok", [3, 1, 2])
    write_gtok(gt / "empty.gtok", np.zeros(0, dtype=np.int64))
    ds = Region2VecDataset(gt)
    assert [len(d) for d in ds] == [3, 0]
