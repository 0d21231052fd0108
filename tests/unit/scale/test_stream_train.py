"""Training streamed from a token store, and on two torchrun processes, trains as well as in
memory (k-means ARI of the Schep cells, which have 12 labelled types)."""

from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

from geniml.io import read_scatac
from geniml.region2vec import Region2VecExModel
from geniml.scembed.model import pool_cells
from geniml.tokenization.store import tokenize_cells_to_store


def _ari(model, cells, labels) -> float:
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    from sklearn.preprocessing import normalize

    emb, _ = pool_cells(cells.offsets, cells.ids, model.embeddings, pooling="mean")
    km = KMeans(12, n_init=10, random_state=0).fit_predict(normalize(emb))
    return adjusted_rand_score(labels, km)


@pytest.fixture(scope="module")
def schep(tmp_path_factory, shared_data):
    folder = shared_data / "scatac" / "schep2017_600cells_hg19"
    adata = read_scatac(folder)
    work = tmp_path_factory.mktemp("stream")
    h5 = work / "cells.h5ad"
    adata.write_h5ad(h5)
    universe = folder / "peaks.bed"
    store = tokenize_cells_to_store(h5, universe, work / "tokens", chunk_size=100)
    return store, universe, adata.obs["cell_type"].to_numpy(), work


def _train(data, universe):
    m = Region2VecExModel(tokenizer=universe, embedding_dim=32)
    m.train(data, epochs=15, window_size=5, min_count=1, sg=True, seed=1)
    return m


def test_streamed_equals_in_memory_quality(schep):
    import torch

    from geniml.region2vec._stream import fit_stream
    from geniml.region2vec._train import TrainConfig

    store, universe, labels, _ = schep
    cells = store.read()
    mem = _train(cells, universe)
    one_group = _train(store, universe)
    assert one_group.report.backend == "rust-stream"
    # a store that fits in one group trains exactly as the in-memory corpus
    torch.testing.assert_close(
        one_group.model.projection.weight, mem.model.projection.weight, rtol=0, atol=0
    )
    # many groups: same quality
    many = Region2VecExModel(tokenizer=universe, embedding_dim=32)
    cfg = TrainConfig(epochs=15, window_size=5, min_count=1, sg=True, seed=1)
    pad = many.model.padding_idx
    fit_stream(many.model, store, cfg, exclude=[pad], device=many.device, chunk_tokens=150_000)
    a_mem, a_many = _ari(mem, cells, labels), _ari(many, cells, labels)
    assert a_mem > 0.08 and a_many > a_mem - 0.1, (a_mem, a_many)
    # min_count is applied to the whole store's counts
    m = Region2VecExModel(tokenizer=universe, embedding_dim=8)
    with pytest.raises(ValueError, match="min_count=1000000000"):
        m.train(store, epochs=1, min_count=10**9)


def test_torchrun_two_processes(schep):
    store, universe, labels, work = schep
    out = work / "ddp_model"
    env = dict(os.environ, OMP_NUM_THREADS="1", GENIML_NO_PROGRESS="1")
    cmd = [
        sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2",
        "--master_port", "29517", "-m", "geniml.region2vec.ddp", "--tokens", str(store.path),
        "--universe", str(universe), "--save-dir", str(out), "--epochs", "15",
        "--embedding-dim", "32", "--sg", "--seed", "1",
    ]  # fmt: skip
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    assert "trained on 2 processes" in r.stdout
    ddp = Region2VecExModel.from_pretrained(out)
    cells = store.read()
    one = _train(store, universe)
    a_one, a_two = _ari(one, cells, labels), _ari(ddp, cells, labels)
    assert a_two > a_one - 0.1, (a_one, a_two)
    assert np.abs(ddp.embeddings).sum() > 0


def test_ddp_needs_torchrun():
    r = subprocess.run(
        [sys.executable, "-m", "geniml.region2vec.ddp", "--tokens", "x", "--universe", "u",
         "--save-dir", "d"],
        capture_output=True, text=True,
    )  # fmt: skip
    assert r.returncode == 2 and "torchrun" in r.stderr and "Traceback" not in r.stderr


def test_scembed_trains_from_a_store(schep):
    from geniml.scembed import ScEmbed

    store, universe, labels, _ = schep
    model = ScEmbed(embedding_dim=16)  # the universe comes from the store's manifest
    report = model.train(dataset=store, epochs=2, seed=3, solver="word2vec")
    assert report.backend == "rust-stream" and report.n_trained_tokens > 1000
    emb = model.encode_tokens(store.read())
    assert emb.shape == (600, 16) and np.isfinite(emb).all()
