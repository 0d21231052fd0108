from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geniml.demo import main


def _geniml() -> str:
    exe = shutil.which("geniml", path=str(Path(sys.executable).parent))
    assert exe is not None, "the geniml entry point is not installed next to this python"
    return exe


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
        "all_tracks.manifest",
    ]
    assert (tmp_path / "region2vec_model" / "checkpoint.pt").exists()
    for png in ("region2vec_encode_pca.png", "scembed_cells_pca.png", "bedspace_pca.png"):
        assert (tmp_path / png).read_bytes()[:4] == b"\x89PNG"
    assert "ARI" in out and "silhouette" in out
    _check_new_steps(out, tmp_path)


def _check_new_steps(out: str, folder: Path) -> None:
    """BEDspace, BEDshift and search: a summary line each and their outputs."""
    import re

    from geniml.bedspace import BEDSpaceModel
    from geniml.io import read_bed

    acc = re.search(r"r2l top-1 accuracy (\d\.\d\d)", out)
    assert acc is not None and 0.0 <= float(acc.group(1)) <= 1.0, out
    model = BEDSpaceModel.load(folder / "bedspace_model")
    assert sorted(model.labels) == ["BT474", "MCF7", "T47D", "ZR75"]
    reps = sorted((folder / "bedshift").iterdir())
    assert len(reps) == 20 and reps[0].name == "BT4741_rep01.bed"
    flags = set(read_bed(reps[0]).extra_column(0))
    assert flags == {"-", "S", "A"}
    assert "20 replicates of BT4741.bed" in out and "overlap an original one" in out
    from geniml.demo import _search_installed

    if _search_installed() is None:
        assert "BED query" in out and " ChIP-seq peaks': top hits " in out
        assert (folder / "search_index" / "search.yaml").exists()
    else:
        assert "skipped:" in out


def test_geniml_demo_runs_on_the_bundled_data(tmp_path):
    """`geniml demo` with no --data: the installed entry point, from an unrelated folder."""
    out_dir = tmp_path / "out"
    r = subprocess.run(
        [_geniml(), "--quiet", "demo", "--out", str(out_dir)],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert "bundled geniml.datasets" in r.stdout and "diffbind_er_chr18_hg19" in r.stdout
    table = (out_dir / "collections.tsv").read_text().splitlines()
    assert len(table) == 1 + 11 + 13
    assert (out_dir / "region2vec_model" / "checkpoint.pt").exists()
    pngs = ["region2vec_encode_pca.png", "scembed_cells_pca.png", "scembed_cells_umap.png"]
    for png in [*pngs, "bedspace_pca.png"]:
        assert (out_dir / png).read_bytes()[:4] == b"\x89PNG"
    assert "ARI" in r.stdout and "silhouette by Tissue" in r.stdout
    _check_new_steps(r.stdout, out_dir)

    # a second run does not clobber the first one's outputs without --force
    again = subprocess.run(
        [_geniml(), "demo", "--out", str(out_dir)], capture_output=True, text=True, cwd=tmp_path
    )
    assert again.returncode == 1
    assert again.stderr.strip().startswith("error: ") and "--force" in again.stderr


def test_module_entry_point_reports_a_bad_data_folder(tmp_path):
    (tmp_path / "bedsets").mkdir()
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "geniml.demo",
            "--data",
            str(tmp_path),
            "--out",
            str(tmp_path / "o"),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 1
    assert "missing collections" in r.stderr and "encode_tfbs_hg19" in r.stderr


def test_search_step_without_the_search_extra_prints_a_skip_line(monkeypatch, capsys, tmp_path):
    import geniml.demo as demo

    monkeypatch.setattr(demo, "_search_installed", lambda: "faiss")
    assert demo.step_search({}, tmp_path) == {}
    out = capsys.readouterr().out
    assert out.strip() == "skipped: faiss is not installed (`pip install 'geniml[search]'`)"
    assert not any(tmp_path.iterdir())
