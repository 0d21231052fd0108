"""Region2Vec training on token-id arrays (Rust kernel and torch path)."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from geniml.exceptions import GenimlValueError  # noqa: E402
from geniml.region2vec._nn import Region2Vec, RegionSet2Vec  # noqa: E402
from geniml.region2vec._train import TrainConfig, fit  # noqa: E402

V, PAD = 400, 401  # 400 "regions" + special tokens 400..406


def topic_corpus(n_docs=200, doc_len=300, groups=4, seed=0, n_vocab=V):
    """Documents drawn from one of `groups` disjoint blocks of token ids."""
    rng = np.random.default_rng(seed)
    block = n_vocab // groups
    docs = [
        rng.choice(np.arange(g * block, (g + 1) * block), size=doc_len)
        for g in (d % groups for d in range(n_docs))
    ]
    offsets = np.arange(0, n_docs * doc_len + 1, doc_len, dtype=np.int64)
    return np.concatenate(docs).astype(np.int64), offsets


def train(cfg, backend="rust", tokens=None, offsets=None, dim=16, **kw):
    if tokens is None:
        tokens, offsets = topic_corpus()
    m = Region2Vec(V + 7, dim, padding_idx=PAD)
    rep = fit(
        m, tokens, offsets, cfg, exclude=[PAD], device=torch.device("cpu"), backend=backend, **kw
    )
    return m, rep


def separation(m, groups=4, n_vocab=V):
    w = m.projection.weight.detach().numpy()[:n_vocab]
    w = w / np.linalg.norm(w, axis=1, keepdims=True).clip(1e-12)
    block = n_vocab // groups
    lab = np.arange(n_vocab) // block
    sims = w @ w.T
    same = sims[lab[:, None] == lab[None, :]].mean()
    diff = sims[lab[:, None] != lab[None, :]].mean()
    return same - diff


@pytest.mark.parametrize("sg", [False, True])
def test_rust_kernel_learns_blocks_and_is_reproducible(sg):
    cfg = TrainConfig(epochs=5, min_count=1, sg=sg, n_threads=1)
    m1, rep = train(cfg)
    m2, _ = train(cfg)
    assert torch.equal(m1.projection.weight, m2.projection.weight)
    assert separation(m1) > 0.3
    assert rep.losses[-1] < rep.losses[0]
    assert rep.words > 0 and rep.backend == "rust"
    # the <pad> row and the special-token rows (never seen) stay zero
    assert not m1.projection.weight[V:].any()


def test_seed_changes_result():
    m1, _ = train(TrainConfig(epochs=1, min_count=1, seed=1))
    m2, _ = train(TrainConfig(epochs=1, min_count=1, seed=2))
    assert not torch.equal(m1.projection.weight, m2.projection.weight)


def test_two_threads_still_learn():
    m, _ = train(TrainConfig(epochs=5, min_count=1, n_threads=2))
    assert separation(m) > 0.3


@pytest.mark.parametrize("sg", [False, True])
def test_torch_path_learns_blocks(sg):
    tokens, offsets = topic_corpus(n_docs=30, doc_len=100, n_vocab=40)
    cfg = TrainConfig(epochs=4, min_count=1, sg=sg, batch_size=32, window_size=3, sample=0.0)
    m, rep = train(cfg, backend="torch", tokens=tokens, offsets=offsets)
    assert rep.backend == "torch"
    assert separation(m, n_vocab=40) > 0.3


def test_min_count_leaves_rare_rows_zero():
    tokens, offsets = topic_corpus()
    tokens = np.concatenate([tokens, [5, 5, 7]]).astype(np.int64)
    offsets = np.append(offsets, len(tokens)).astype(np.int64)
    counts = np.bincount(tokens, minlength=V + 7)
    m, rep = train(TrainConfig(epochs=1, min_count=140), tokens=tokens, offsets=offsets)
    w = m.projection.weight.detach().numpy()
    trained = counts >= 140
    trained[PAD] = False
    assert rep.n_trained_tokens == int(trained.sum())
    assert (np.abs(w).sum(axis=1) > 0).tolist() == trained.tolist()


def test_checkpoint_resume_matches_uninterrupted_run(tmp_path):
    cfg = TrainConfig(epochs=3, min_count=1)
    full, _ = train(cfg, save_checkpoint_path=tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "epoch_0001.pt",
        "epoch_0002.pt",
        "epoch_0003.pt",
    ]
    resumed, rep = train(cfg, load_from_checkpoint=tmp_path / "epoch_0001.pt")
    assert len(rep.losses) == 2
    assert torch.equal(full.projection.weight, resumed.projection.weight)


def test_bad_input_is_a_clear_error():
    tokens = np.array([1, 2, 999], dtype=np.int64)
    offsets = np.array([0, 3], dtype=np.int64)
    with pytest.raises(GenimlValueError, match="position 2: token id 999"):
        train(TrainConfig(min_count=1), tokens=tokens, offsets=offsets)
    with pytest.raises(GenimlValueError, match="min_count=10"):
        train(TrainConfig(), tokens=tokens[:2], offsets=np.array([0, 2]))
    with pytest.raises(GenimlValueError, match="window_size"):
        train(TrainConfig(window_size=0))
    with pytest.raises(GenimlValueError, match="backend"):
        train(TrainConfig(min_count=1), backend="gpu")


def test_regionset2vec_pools_and_skips_pad_and_zero_rows():
    m = Region2Vec(10, 3, padding_idx=8)
    with torch.no_grad():
        m.projection.weight.copy_(torch.arange(30, dtype=torch.float32).reshape(10, 3))
        m.projection.weight[8] = 0
        m.projection.weight[5] = 0  # untrained
    ids = torch.tensor([[1, 2, 8], [5, 8, 8], [3, 5, 8]])
    out = RegionSet2Vec(m, "mean")(ids)
    assert out[0].tolist() == [4.5, 5.5, 6.5]
    assert out[1].tolist() == [0.0, 0.0, 0.0]
    assert out[2].tolist() == [9.0, 10.0, 11.0]
    mx = RegionSet2Vec(m, "max")(ids)
    assert mx[0].tolist() == [6.0, 7.0, 8.0] and mx[1].tolist() == [0.0, 0.0, 0.0]
    with pytest.raises(ValueError, match="pooling"):
        RegionSet2Vec(m, "sum")
