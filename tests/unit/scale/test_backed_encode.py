"""ScEmbed.encode on a backed AnnData, in chunks, equals the in-memory encode."""

from __future__ import annotations

import numpy as np
import pytest

from geniml.io import read_scatac
from geniml.scembed import ScEmbed


@pytest.fixture(scope="module")
def trained(tmp_path_factory, shared_data):
    folder = shared_data / "scatac" / "schep2017_600cells_hg19"
    adata = read_scatac(folder)
    path = tmp_path_factory.mktemp("enc") / "cells.h5ad"
    adata.write_h5ad(path)
    model = ScEmbed(tokenizer=folder / "peaks.bed", embedding_dim=16)
    model.train(dataset=adata, epochs=2)
    return model, adata, path


def test_backed_chunks_equal_in_memory(trained, tmp_path):
    import anndata as ad

    model, adata, path = trained
    want = model.encode(adata)
    backed = ad.read_h5ad(path, backed="r")
    got = model.encode(backed, chunk_size=97)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    assert np.abs(want).sum() > 0
    out = tmp_path / "emb.npy"
    mm = model.encode(path, output=out, chunk_size=250)
    np.testing.assert_allclose(np.load(out), want, rtol=1e-6, atol=1e-7)
    assert mm.shape == want.shape
    with pytest.raises(FileExistsError, match="force"):
        model.encode(path, output=out)
    with pytest.raises(ValueError, match="backed"):
        model.encode(adata, output=tmp_path / "x.npy")
