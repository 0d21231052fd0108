"""scverse conventions: one embedding key, uns per key, pandas interop, CLI parity with the API."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import polars as pl
import pytest

from geniml import datasets
from geniml.exceptions import AnnDataLayoutError, GenimlValueError
from geniml.io import RegionSet, read_bed
from geniml.scembed import ScEmbed, annotate_celltypes, embed


@pytest.fixture(scope="module")
def cells(tmp_path_factory):
    """The bundled Schep cells, their peak universe, and a small scEmbed model trained on them."""
    from geniml.tokenization import tokenize_cells

    tmp = tmp_path_factory.mktemp("cells")
    adata = datasets.schep2017()
    universe = RegionSet(
        (adata.var["chr"].values, adata.var["start"].values, adata.var["end"].values)
    ).to_bed(tmp / "universe.bed")
    tokenize_cells(adata, universe, tmp / "tokens.parquet")
    model = ScEmbed(embedding_dim=8, window_size=5)
    model.train(tmp / "tokens.parquet", epochs=2, seed=3, num_cpus=1)
    return adata, universe, tmp / "tokens.parquet", model


def test_embed_then_annotate_with_the_default_key(cells):
    adata, _, _, model = cells
    a = adata.copy()
    embed(a, model)
    assert a.obsm["X_scembed"].shape == (600, 8) and a.uns["scembed"]["key_added"] == "X_scembed"
    rng = np.random.default_rng(0)
    perm = rng.permutation(a.n_obs)
    ref, query = a[perm[:400]].copy(), a[perm[400:]].copy()
    out = annotate_celltypes(query, ref, k=5)  # reads obsm["X_scembed"]
    assert out.shape == (200, 2)
    assert query.uns["pred_celltype"] == {
        "embedding_key": "X_scembed",
        "label_key": "cell_type",
        "k": 5,
    }
    # the seed's layout: obsm["scembed_X"] only, found without naming it, and named explicitly
    for x in (ref, query):
        x.obsm["scembed_X"] = x.obsm.pop("X_scembed")
    assert (annotate_celltypes(query, ref, k=5)["pred_celltype"] == out["pred_celltype"]).all()
    explicit = annotate_celltypes(query, ref, k=5, embedding_key="scembed_X")
    assert (explicit["pred_celltype"] == out["pred_celltype"]).all()
    del ref.obsm["scembed_X"]
    with pytest.raises(AnnDataLayoutError, match="X_scembed"):
        annotate_celltypes(query, ref)


def test_uns_parameters_per_key(cells):
    adata, _, _, model = cells
    a = adata.copy()
    embed(a, model)
    embed(a, model, key_added="X_scembed_second")
    assert a.uns["scembed"]["key_added"] == "X_scembed"
    assert a.uns["scembed_second"]["key_added"] == "X_scembed_second"
    np.testing.assert_allclose(a.obsm["X_scembed"], a.obsm["X_scembed_second"])


def _geniml() -> str:
    exe = shutil.which("geniml", path=str(Path(sys.executable).parent))
    assert exe is not None
    return exe


def test_cli_scembed_train_sg_matches_the_api(cells, tmp_path):
    adata, universe, tokens, _ = cells
    args = ["--tokens", str(tokens), "--epochs", "2", "--embed-dim", "8", "--seed", "3"]
    args += ["--num-cpus", "1", "--solver", "word2vec"]
    for flag, name in (("--sg", "sg"), (None, "cbow")):
        r = subprocess.run(
            [_geniml(), "scembed", "train", "--save-dir", str(tmp_path / name), *args]
            + ([flag] if flag else []),
            capture_output=True,
            text=True,
        )
        assert r.returncode == 0, r.stderr[-2000:]
    api = ScEmbed(embedding_dim=8, window_size=5)
    api.train(tokens, epochs=2, seed=3, num_cpus=1, sg=True, solver="word2vec")
    sg = ScEmbed.from_pretrained(tmp_path / "sg").embeddings
    cbow = ScEmbed.from_pretrained(tmp_path / "cbow").embeddings
    np.testing.assert_allclose(sg, api.embeddings, rtol=1e-5, atol=1e-6)
    assert not np.allclose(sg, cbow)


@pytest.mark.parametrize(
    "names",
    [("chrom", "start", "end"), ("Chromosome", "Start", "End"), ("chr", "chromStart", "chromEnd")],
)
def test_from_pandas_round_trip_on_real_beds(names):
    rs = read_bed(datasets.hg38_sample() / "SRX067409.05.bed.gz")
    df = rs.to_pandas().rename(columns=dict(zip(("chrom", "start", "end"), names, strict=True)))
    back = RegionSet.from_pandas(df)
    assert back.identifier == rs.identifier and len(back) == len(rs)
    assert (back.starts == rs.starts).all() and (back.ends == rs.ends).all()
    assert list(rs.to_pandas(pyranges=True).columns) == ["Chromosome", "Start", "End"]
    assert rs.to_pandas()["start"].dtype == np.int64


def test_dataframes_where_an_array_is_expected_get_a_clear_error():
    df = pd.DataFrame({"chrom": ["chr1"], "start": [0], "end": [5]})
    with pytest.raises(GenimlValueError, match=r"pandas DataFrame; use RegionSet.from_pandas"):
        RegionSet(df)
    with pytest.raises(GenimlValueError, match=r"polars DataFrame"):
        RegionSet(pl.from_pandas(df))
    with pytest.raises(
        GenimlValueError, match=r"lacks a 'end' column .* it has \['chrom', 'start'\]"
    ):
        RegionSet.from_pandas(df.drop(columns="end"))


UMASK_CODE = """
import os, stat, sys
os.umask(int(sys.argv[2], 8))
from geniml import datasets
from geniml.region2vec import Region2VecExModel
m = Region2VecExModel.from_pretrained(datasets.region2vec_hg38())
out = m.export(sys.argv[1])
print(" ".join(f"{p.name}={stat.S_IMODE(p.stat().st_mode):o}" for p in sorted(out.iterdir())))
"""


@pytest.mark.parametrize("umask", ["022", "002"])
def test_model_files_follow_the_umask(tmp_path, umask):
    r = subprocess.run(
        [sys.executable, "-c", UMASK_CODE, str(tmp_path / "m"), umask],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    want = f"{0o666 & ~int(umask, 8):o}"
    modes = dict(kv.split("=") for kv in r.stdout.split())
    assert "model.safetensors" in modes and set(modes.values()) == {want}, modes
