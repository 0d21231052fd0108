from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm
from typer.testing import CliRunner

from geniml.cli import app
from geniml.evaluation import ctt_score, npt_score

runner = CliRunner()
EXPORT = "models/geniml_region2vec_export"


def _rows(text: str) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in text.strip().splitlines())


def test_eval_embeddings_and_plot(tmp_path):
    rng = np.random.default_rng(0)
    z = np.concatenate([rng.normal(0, 1, (30, 4)), rng.normal(4, 1, (30, 4))])
    y = ["a"] * 30 + ["b"] * 30
    np.save(tmp_path / "emb.npy", z)
    (tmp_path / "meta.csv").write_text("label\n" + "\n".join(y) + "\n")
    r = runner.invoke(
        app, ["eval", "embeddings", str(tmp_path / "emb.npy"), "-l", str(tmp_path / "meta.csv")]
    )
    assert r.exit_code == 0, r.output
    got = _rows(r.stdout)
    assert float(got["silhouette"]) == pytest.approx(skm.silhouette_score(z, y), rel=1e-5)
    assert float(got["davies_bouldin"]) == pytest.approx(skm.davies_bouldin_score(z, y), rel=1e-5)
    r = runner.invoke(
        app, ["eval", "cluster", str(tmp_path / "emb.npy"), "-l", str(tmp_path / "meta.csv")]
    )
    assert r.exit_code == 0 and _rows(r.stdout)["n_clusters"] == "2"
    png = tmp_path / "p.png"
    args = ["eval", "plot", str(tmp_path / "emb.npy"), "-l", str(tmp_path / "meta.csv")]
    r = runner.invoke(app, [*args, "--method", "pca", "-o", str(png)])
    assert r.exit_code == 0 and r.stdout.strip() == str(png) and png.stat().st_size > 0
    r = runner.invoke(app, [*args, "--method", "pca", "-o", str(png)])
    assert r.exit_code != 0 and isinstance(r.exception, FileExistsError)


def test_eval_annotation(tmp_path):
    (tmp_path / "pred.txt").write_text("B\nT\nT\n")
    (tmp_path / "true.txt").write_text("B\nT\nB\n")
    r = runner.invoke(
        app, ["eval", "annotation", str(tmp_path / "pred.txt"), str(tmp_path / "true.txt")]
    )
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "accuracy\t0.666667"
    assert lines[2:] == ["true\\predicted\tB\tT", "B\t1\t1", "T\t0\t1"]


def test_eval_region_scores_on_export(shared_data):
    model = shared_data / EXPORT
    r = runner.invoke(app, ["eval", "ctt", str(model), "--seed", "1"])
    assert r.exit_code == 0, r.output
    assert float(r.stdout) == pytest.approx(ctt_score(model, seed=1), rel=1e-5)
    r = runner.invoke(app, ["eval", "npt", str(model), "-k", "20", "--num-samples", "60"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert lines[0] == "size\tquery_npr\trandom_npr\tsnpr" and len(lines) == 3
    want = npt_score(model, k=20, n_samples=60)
    assert float(lines[1].split("\t")[1]) == pytest.approx(want.query_npr[0], rel=1e-5)
    r = runner.invoke(app, ["eval", "gdst", str(model), "--num-samples", "500"])
    assert r.exit_code == 0 and np.isfinite(float(r.stdout))
    # an .npy model needs its universe
    vec = shared_data / EXPORT / "expected_encode_Example1.npy"
    r = runner.invoke(app, ["eval", "ctt", str(vec)])
    assert r.exit_code != 0 and "need their regions" in str(r.exception)


def test_eval_rct_npy_with_universe(tmp_path):
    from geniml.evaluation import rct_score
    from geniml.io import RegionSet

    rng = np.random.default_rng(0)
    vec = rng.normal(size=(150, 4))
    rs = RegionSet((["chr1"] * 150, np.arange(150) * 100, np.arange(150) * 100 + 50))
    rs.to_bed(tmp_path / "u.bed")
    np.save(tmp_path / "v.npy", vec)
    np.save(tmp_path / "b.npy", (vec[:, :3] > 0).astype(float))
    args = ["eval", "rct", str(tmp_path / "v.npy"), "-u", str(tmp_path / "u.bed")]
    r = runner.invoke(
        app, [*args, "-b", str(tmp_path / "b.npy"), "--cv-num", "3", "--threads", "1"]
    )
    assert r.exit_code == 0, r.output
    want = rct_score(vec, rs, binary=(vec[:, :3] > 0).astype(float), cv=3)
    assert float(r.stdout) == pytest.approx(want, rel=1e-5) and want > 0.5
