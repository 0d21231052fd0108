"""ScEmbed training, encoding, persistence, the scverse contract and the usage example."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
ad = pytest.importorskip("anndata")

from geniml.io import read_scatac  # noqa: E402
from geniml.scembed import ScEmbed, embed  # noqa: E402
from geniml.tokenization import Tokenizer, tokenize_anndata, tokenize_cells  # noqa: E402


@pytest.fixture(scope="module")
def schep(shared_data):
    return read_scatac(shared_data / "scatac" / "schep2017_600cells_hg19")


@pytest.fixture(scope="module")
def trained(schep, tmp_path_factory):
    d = tmp_path_factory.mktemp("schep")
    peaks = d / "universe.bed"
    from geniml.io import RegionSet

    RegionSet((schep.var["chr"].values, schep.var["start"].values, schep.var["end"].values)).to_bed(
        peaks
    )
    model = ScEmbed(tokenizer=peaks, embedding_dim=16, window_size=5)
    model.train(schep, epochs=3, min_count=5, seed=1, num_cpus=1)
    return model, d


def test_encode_is_pooled_token_vectors(trained, schep):
    model, _ = trained
    x = model.encode(schep)
    assert x.shape == (600, 16) and x.dtype == np.float32
    cells = tokenize_anndata(schep, model.tokenizer)
    e = model.embeddings
    for i in (0, 123):
        ids = [t for t in cells.ids_for(i) if e[t].any()]
        np.testing.assert_allclose(x[i], e[ids].mean(axis=0), rtol=1e-4, atol=1e-6)


def test_save_load_and_embed_contract(trained, schep, tmp_path):
    model, _ = trained
    model.save(tmp_path / "m")
    back = ScEmbed.from_pretrained(tmp_path / "m")
    np.testing.assert_array_equal(back.encode(schep[:20]), model.encode(schep[:20]))
    a = schep[:30].copy()
    assert embed(a, back) is None
    assert a.obsm["X_scembed"].shape == (30, 16)
    assert a.uns["scembed"]["embedding_dim"] == 16
    b = embed(a, back, key_added="emb", copy=True)
    assert "emb" in b.obsm and "emb" not in a.obsm
    with pytest.raises(FileExistsError):
        model.save(tmp_path / "m")


def test_cells_without_tokens_warn(trained, schep):
    model, _ = trained
    a = schep[:5].copy()
    a.var["chr"] = "chrUn_nowhere"
    with pytest.warns(UserWarning, match="5 of 5 cells have no trained token"):
        x = model.encode(a)
    assert not x.any()


def test_upstream_export_encodes_pbmc(shared_data):
    model = ScEmbed.from_pretrained(shared_data / "models" / "geniml_region2vec_export")
    a = ad.read_h5ad(shared_data / "anndata" / "pbmc_hg38.h5ad")
    x = model.encode(a)
    assert x.shape == (20, 100) and np.isfinite(x).all()
    cells = tokenize_anndata(
        a, Tokenizer.from_pretrained(shared_data / "models" / "geniml_region2vec_export")
    )
    has = np.array([len(cells.ids_for(i)) > 0 for i in range(20)])
    assert (np.abs(x[has]).sum(axis=1) > 0).all()


def test_offline_model_name_fails_clearly(monkeypatch, tmp_path):
    from geniml.exceptions import ModelError

    pytest.importorskip("huggingface_hub")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # the hub id is looked up in the cache only
    with pytest.raises(ModelError, match="not found in the local hub cache"):
        ScEmbed.from_pretrained("databio/scembed-pbmc-10k", cache_dir=tmp_path)


# The usage example trains 100 epochs; the default run checks the same pipeline with 5 (the
# steps and shapes do not depend on it), the slow run keeps the example's 100.
@pytest.mark.parametrize("epochs", [5, pytest.param(100, marks=pytest.mark.slow)])
def test_usage_example_scatac_pipeline(shared_data, tmp_path, monkeypatch, epochs):
    """The scATAC-seq pipeline of USAGE_EXAMPLES.md, with file paths (and epochs) changed."""
    sc = pytest.importorskip("scanpy")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GENIML_NO_PROGRESS", "1")
    import shutil

    shutil.copy(shared_data / "anndata" / "pbmc_hg38.h5ad", "scatac_data.h5ad")
    shutil.copy(shared_data / "universes" / "geniml_universe_hg38.uniq.bed", "universe.bed")

    adata = sc.read_h5ad("scatac_data.h5ad")
    tokenize_cells(adata="scatac_data.h5ad", universe_file="universe.bed", output="tokens.parquet")
    model = ScEmbed(embedding_dim=100)
    model.train(dataset="tokens.parquet", epochs=epochs)
    embeddings = model.encode(adata)
    adata.obsm["scembed_X"] = embeddings
    sc.pp.neighbors(adata, use_rep="scembed_X")
    sc.tl.leiden(adata)
    sc.tl.umap(adata)

    assert embeddings.shape == (adata.n_obs, 100) == (20, 100)
    assert np.isfinite(embeddings).all()
    # cells that share tokens get different vectors: the model learnt something per cell
    assert len({tuple(np.round(r, 5)) for r in embeddings}) == adata.n_obs
    assert adata.obsm["X_umap"].shape == (20, 2) and np.isfinite(adata.obsm["X_umap"]).all()
    labels = adata.obs["leiden"]
    assert labels.notna().all() and len(labels) == 20
    assert adata.obsp["connectivities"].shape == (20, 20)
