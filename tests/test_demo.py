from __future__ import annotations

import pytest

from geniml.demo import main


# The whole demo is most of a suite run; CI runs it once as `make demo` (.ci/run), and
# `pytest -m slow` runs this check of its outputs.
@pytest.mark.slow
def test_main_job_runs_on_real_data(shared_data, tmp_path, capsys):
    assert main(["--data", str(shared_data), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "encode_tfbs_hg19" in out and "tokens" in out
    table = (tmp_path / "collections.tsv").read_text().splitlines()
    assert len(table) == 1 + 10 + 11 + 13
    assert (tmp_path / "tokens_encode_tfbs_hg19.parquet").exists()
    assert len((tmp_path / "universe_cc.bed").read_text().splitlines()) > 1000
    assert sorted(p.name for p in (tmp_path / "coverage").iterdir()) == [
        "all_core.bw",
        "all_end.bw",
        "all_start.bw",
    ]
    assert (tmp_path / "region2vec_model" / "checkpoint.pt").exists()
    for png in ("region2vec_encode_pca.png", "scembed_cells_pca.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
    assert "ARI" in out and "silhouette" in out
