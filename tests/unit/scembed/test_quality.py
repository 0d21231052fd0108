"""scEmbed's default (spectral) solver on the real Schep et al. 2017 cells.

Floors sit under the measured values (benches/README.md: k-means ARI 0.71, NMI 0.83 with these
seeds) and well over what a broken solver gives (word2vec CBOW with the same defaults: ARI 0.21;
LSI: 0.67); kNN transfer 0.66 on this split.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sklearn = pytest.importorskip("sklearn")

from geniml.exceptions import GenimlValueError  # noqa: E402
from geniml.io import RegionSet, read_scatac  # noqa: E402
from geniml.scembed import ScEmbed, annotate_celltypes, spectral_token_vectors  # noqa: E402
from geniml.scembed import model as scembed_model  # noqa: E402
from geniml.tokenization import Tokenizer, tokenize_anndata, tokenize_cells  # noqa: E402


@pytest.fixture(scope="module")
def schep(shared_data):
    return read_scatac(shared_data / "scatac" / "schep2017_600cells_hg19")


@pytest.fixture(scope="module")
def universe(schep, tmp_path_factory):
    path = tmp_path_factory.mktemp("u") / "universe.bed"
    RegionSet((schep.var["chr"].values, schep.var["start"].values, schep.var["end"].values)).to_bed(
        path
    )
    return path


def _kmeans_scores(x, labels):
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    km = KMeans(12, n_init=10, random_state=0).fit_predict(x)
    return adjusted_rand_score(labels, km), normalized_mutual_info_score(labels, km)


def test_defaults_cluster_cell_types(schep, universe, tmp_path):
    tokens = tmp_path / "tokens.parquet"
    tokenize_cells(schep, universe, tokens)
    model = ScEmbed(embedding_dim=100)
    report = model.train(dataset=tokens, epochs=100)
    assert report.backend == "spectral" and report.n_trained_tokens > 4000
    x = model.encode(schep)
    assert x.shape == (600, 100)
    ari, nmi = _kmeans_scores(x, schep.obs["cell_type"].to_numpy())
    assert ari > 0.66 and nmi > 0.78, (ari, nmi)
    # save / load keeps the vectors (upstream folder layout)
    model.save(tmp_path / "m")
    np.testing.assert_array_equal(
        ScEmbed.from_pretrained(tmp_path / "m").encode(schep[:10]), x[:10]
    )


def test_new_cells_transfer_labels(schep, universe):
    rng = np.random.default_rng(0)
    perm = rng.permutation(schep.n_obs)
    ref, qry = schep[perm[:300]].copy(), schep[perm[300:]].copy()
    model = ScEmbed(tokenizer=universe, embedding_dim=100)
    model.train(ref)
    ref.obsm["scembed_X"], qry.obsm["scembed_X"] = model.encode(ref), model.encode(qry)
    out = annotate_celltypes(qry, ref, k=10)
    acc = float((out["pred_celltype"].values == qry.obs["cell_type"].values).mean())
    assert acc > 0.5  # 12 balanced types: chance 1/12


def _naive(offsets, ids, vocab, dim, power=0.75):
    """Dense oracle: SVD of B D^-1/2 with D = co-occurrence degree (diagonal excluded)."""
    b = np.zeros((len(offsets) - 1, vocab))
    for c in range(len(offsets) - 1):
        b[c, ids[offsets[c] : offsets[c + 1]]] = 1
    cooc = b.T @ b
    np.fill_diagonal(cooc, 0)
    deg = cooc.sum(axis=1)
    used = deg > 0
    _, s, vt = np.linalg.svd(b[:, used] / np.sqrt(deg[used]), full_matrices=False)
    out = np.zeros((vocab, dim))
    out[used] = (vt[1 : dim + 1] * (s[1 : dim + 1] ** power)[:, None]).T
    return out


def _same_up_to_sign(a, b, cols, tol):
    for j in range(cols):
        c = abs(np.corrcoef(a[:, j], b[:, j])[0, 1])
        assert c > tol, (j, c)
        assert np.isclose(np.linalg.norm(a[:, j]), np.linalg.norm(b[:, j]), rtol=1e-3)


def test_spectral_vectors_match_dense_oracle(schep, universe, monkeypatch):
    tok = Tokenizer.from_bed(universe)
    cells = tokenize_anndata(schep[:80], tok)
    offsets, ids = np.asarray(cells.offsets), np.asarray(cells.ids)
    want = _naive(offsets, ids, tok.vocab_size, 10)
    got = spectral_token_vectors(offsets, ids, vocab_size=tok.vocab_size, dim=10)
    assert got.shape == (tok.vocab_size, 10) and got.dtype == np.float32
    _same_up_to_sign(got, want, 10, 0.9999)
    # power 0: plain singular vectors (orthonormal columns); power 1: scaled by the values
    for power in (1.0, 0.0):
        got = spectral_token_vectors(offsets, ids, vocab_size=tok.vocab_size, dim=10, power=power)
        _same_up_to_sign(got, _naive(offsets, ids, tok.vocab_size, 10, power), 10, 0.9999)
    np.testing.assert_allclose(got.T @ got, np.eye(10), atol=1e-4)
    # the randomized SVD used for large cell counts finds the same leading vectors
    monkeypatch.setattr(scembed_model, "_EXACT_MAX_CELLS", 0)
    rnd = spectral_token_vectors(offsets, ids, vocab_size=tok.vocab_size, dim=10, n_iter=20)
    _same_up_to_sign(rnd, want, 3, 0.99)


def test_bad_solver_and_word2vec_solver(schep, universe):
    model = ScEmbed(tokenizer=universe, embedding_dim=8)
    with pytest.raises(GenimlValueError, match="solver"):
        model.train(schep[:40], solver="sgd")
    report = model.train(schep[:40], solver="word2vec", epochs=1, num_cpus=1)
    assert report.backend != "spectral" and model.embeddings.any()
