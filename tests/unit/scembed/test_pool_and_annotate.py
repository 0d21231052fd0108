"""Pooling and annotation: no torch needed."""

from __future__ import annotations

import numpy as np
import pytest

from geniml.exceptions import AnnDataLayoutError
from geniml.io import read_scatac
from geniml.scembed import annotate_celltypes, pool_cells


def test_pool_cells_matches_naive_loop():
    rng = np.random.default_rng(0)
    emb = rng.normal(size=(50, 8)).astype(np.float32)
    emb[[3, 7]] = 0  # untrained rows
    docs = [rng.choice(50, size=k, replace=False) for k in (5, 0, 12, 1, 2)]
    docs[3] = np.array([3])  # only an untrained token
    offsets = np.concatenate([[0], np.cumsum([len(d) for d in docs])])
    ids = np.concatenate(docs)
    mean, empty = pool_cells(offsets, ids, emb)
    mx, _ = pool_cells(offsets, ids, emb, pooling="max", chunk=2)
    assert empty == 2
    for c, d in enumerate(docs):
        d = [t for t in d if t not in (3, 7)]
        if d:
            np.testing.assert_allclose(mean[c], emb[d].mean(axis=0), rtol=1e-5, atol=1e-6)
            np.testing.assert_allclose(mx[c], emb[d].max(axis=0))
        else:
            assert not mean[c].any() and not mx[c].any()


def _lsi(adata, dim=30):
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer

    x = TfidfTransformer().fit_transform(adata.X)
    return TruncatedSVD(dim, random_state=0).fit_transform(x)[:, 1:]


def test_annotate_celltypes_on_real_cells(shared_data):
    a = read_scatac(shared_data / "scatac" / "schep2017_600cells_hg19")
    a.obsm["scembed_X"] = _lsi(a)
    rng = np.random.default_rng(1)
    perm = rng.permutation(a.n_obs)
    ref, query = a[perm[:400]].copy(), a[perm[400:]].copy()
    out = annotate_celltypes(query, ref, k=10)
    acc = float((out["pred_celltype"].values == query.obs["cell_type"].values).mean())
    assert acc > 0.6  # 12 balanced classes: chance is 1/12
    assert query.obs["pred_celltype_confidence"].between(0.1, 1.0).all()
    del ref.obsm["scembed_X"]
    with pytest.raises(AnnDataLayoutError, match="scembed_X"):
        annotate_celltypes(query, ref)
