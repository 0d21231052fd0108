"""Region2VecExModel: model folders, encode, the seed's region2vec() and embed_region_sets."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from geniml.exceptions import ModelError  # noqa: E402
from geniml.io import BedSet, RegionSet  # noqa: E402
from geniml.region2vec import Region2VecExModel, embed_region_sets, region2vec  # noqa: E402
from geniml.tokenization import Tokenizer, hard_tokenization  # noqa: E402

EXPORT = "models/geniml_region2vec_export"


def test_loads_upstream_export_and_reproduces_its_encode(shared_data):
    m = Region2VecExModel.from_pretrained(shared_data / EXPORT, device="cpu")
    state = torch.load(shared_data / EXPORT / "checkpoint.pt", weights_only=True)
    assert torch.equal(m.model.projection.weight, state["projection.weight"])
    assert m.embedding_dim == 100 and m.model.vocab_size == 2385
    got = m.encode(shared_data / "bedsets/geniml_hg38_sample/Example1.bed")
    want = np.load(shared_data / EXPORT / "expected_encode_Example1.npy")
    np.testing.assert_array_equal(got, want)


def test_export_roundtrip_prefers_safetensors(shared_data, tmp_path):
    m = Region2VecExModel.from_pretrained(shared_data / EXPORT, device="cpu")
    out = m.export(tmp_path / "m")
    names = sorted(p.name for p in out.iterdir())
    assert names == ["checkpoint.pt", "config.yaml", "model.safetensors", "universe.bed"]
    import yaml

    cfg = yaml.safe_load((out / "config.yaml").read_text())
    assert cfg == {
        "vocab_size": 2385,
        "embedding_dim": 100,
        "embedding_size": 100,
        "pooling_method": "mean",
        "model_type": "region2vec",
    }
    assert list(torch.load(out / "checkpoint.pt", weights_only=True)) == ["projection.weight"]
    with pytest.raises(FileExistsError, match="force=True"):
        m.export(out)
    (out / "checkpoint.pt").write_bytes(b"not a checkpoint")
    again = Region2VecExModel.from_pretrained(out, device="cpu")
    assert torch.equal(again.model.projection.weight, m.model.projection.weight)
    (out / "model.safetensors").unlink()
    with pytest.raises(ModelError, match="checkpoint.pt: unreadable"):
        Region2VecExModel.from_pretrained(out)


def test_bad_folders_are_clear_errors(tmp_path):
    with pytest.raises(ModelError, match="not a model folder"):
        Region2VecExModel.from_pretrained(tmp_path / "missing")
    with pytest.raises(ModelError, match="no config.yaml"):
        Region2VecExModel.from_pretrained(tmp_path)
    (tmp_path / "config.yaml").write_text("vocab_size: 3\n")
    with pytest.raises(ModelError, match="embedding_dim"):
        Region2VecExModel.from_pretrained(tmp_path)


@pytest.fixture(scope="module")
def encode_model(shared_data):
    """A model trained on the ENCODE TF sets against their merged union."""
    files = sorted((shared_data / "bedsets/encode_tfbs_hg19").glob("*.bed"))
    universe = BedSet(files).to_regionset().sort().merge(0)
    tok = Tokenizer(universe)
    m = Region2VecExModel(tokenizer=tok, embedding_dim=16, device="cpu")
    docs = [t.ids for t in tok.tokenize_batch(files, drop_unknown=True)]
    rep = m.train(docs, epochs=2, min_count=2, num_cpus=1)
    return m, files, rep


def test_train_and_encode_region_sets(encode_model):
    m, files, rep = encode_model
    assert rep and len(rep.losses) == 2
    vecs = embed_region_sets(m, files)
    assert vecs.shape == (len(files), 16) and np.isfinite(vecs).all()
    assert np.allclose(m.encode([str(f) for f in files]), vecs)
    mx = m.encode(files[:2], pooling="max")
    assert (mx >= vecs[:2] - 1e-6).all()
    with pytest.raises(ValueError, match="pooling"):
        m.encode(files[:1], pooling="sum")


def test_encode_skips_untrained_and_warns_on_empty(encode_model):
    m, _, _ = encode_model
    w = m.model.projection.weight.detach().numpy()
    trained = np.flatnonzero(np.abs(w).sum(axis=1) > 0)
    u = m.tokenizer.universe
    t = int(trained[0])
    one = RegionSet._from_columns(
        u.chrom_names, u.chroms[t : t + 1], u.starts[t : t + 1], u.ends[t : t + 1]
    )
    np.testing.assert_allclose(m.encode(one)[0], w[t])
    far = RegionSet([("chrUn_nowhere", 1, 2)])
    with pytest.warns(UserWarning, match="no trained token"):
        assert not m.encode(far).any()


def test_region2vec_seed_function(shared_data, tmp_path):
    src = shared_data / "bedsets/diffbind_er_chr18_hg19"
    universe = BedSet(src).to_regionset().sort().merge(0)
    universe.to_bed(tmp_path / "u.bed")
    hard_tokenization(src, tmp_path / "tokens", tmp_path / "u.bed")
    out = region2vec(
        tmp_path / "tokens",
        tmp_path / "model",
        num_shufflings=3,
        embedding_dim=8,
        min_count=2,
        n_threads=1,
    )
    emb = np.load(out / "embeddings.npy")
    regions = (out / "regions.bed").read_text().splitlines()
    assert emb.shape == (len(regions), 8)
    assert (np.abs(emb).sum(axis=1) > 0).any()
    m = Region2VecExModel.from_pretrained(out)
    np.testing.assert_array_equal(m.embeddings[: len(regions)], emb)
    with pytest.raises(FileExistsError):
        region2vec(tmp_path / "tokens", tmp_path / "model", num_shufflings=1)


def test_usage_example_basic_region_embedding_pipeline(shared_data, tmp_path, monkeypatch):
    """USAGE_EXAMPLES.md 'Basic Region Embedding Pipeline', steps 1-2 (fewer shufflings)."""
    monkeypatch.chdir(tmp_path)
    src = shared_data / "bedsets/diffbind_er_chr18_hg19"
    BedSet(src).to_regionset().sort().merge(0).to_bed("universe.bed")
    hard_tokenization(
        src_folder=str(src),
        dst_folder="tokens/",
        universe_file="universe.bed",
        p_value_threshold=1e-9,
    )
    region2vec(token_folder="tokens/", save_dir="model/", num_shufflings=5, embedding_dim=100)
    emb = np.load("model/embeddings.npy")
    assert emb.shape == (len((tmp_path / "model/regions.bed").read_text().splitlines()), 100)
    assert Region2VecExModel.from_pretrained("model/").embedding_dim == 100


def test_train_accepts_parquet_folder_and_dataset(shared_data, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from geniml.tokenization import Region2VecDataset

    src = shared_data / "bedsets/diffbind_er_chr18_hg19"
    files = sorted(src.glob("*.bed"))
    tok = Tokenizer(BedSet(files).to_regionset().sort().merge(0))
    docs = [t.ids for t in tok.tokenize_batch(files, drop_unknown=True)]
    pq.write_table(pa.table({"tokens": [d.tolist() for d in docs]}), tmp_path / "t.parquet")
    hard_tokenization(src, tmp_path / "tokens", tok)
    weights = []
    for data in (docs, tmp_path / "t.parquet", Region2VecDataset(tmp_path / "t.parquet")):
        m = Region2VecExModel(tokenizer=tok, embedding_dim=8, device="cpu")
        m.train(data, epochs=1, min_count=2)
        weights.append(m.embeddings)
    np.testing.assert_array_equal(weights[0], weights[1])
    np.testing.assert_array_equal(weights[0], weights[2])
    m = Region2VecExModel(tokenizer=tok, embedding_dim=8, device="cpu")
    m.train(tmp_path / "tokens", epochs=1, min_count=2)
    assert np.abs(m.embeddings).sum() > 0


@pytest.mark.gpu
def test_cuda_training_uses_the_torch_path(encode_model):
    _, files, _ = encode_model
    tok = encode_model[0].tokenizer
    m = Region2VecExModel(tokenizer=tok, embedding_dim=8, device="cuda")
    docs = [t.ids for t in tok.tokenize_batch(files, drop_unknown=True)]
    rep = m.train(docs, epochs=1, min_count=2)
    assert rep.backend == "torch"
    assert m.model.projection.weight.is_cuda
    assert m.encode(files[:2]).shape == (2, 8)


@pytest.mark.parametrize("pooling", ["mean", "max"])
def test_numpy_and_torch_pooling_agree(pooling):
    from geniml.region2vec.model import _pool_numpy, _pool_torch

    rng = np.random.default_rng(0)
    w = rng.normal(size=(50, 6)).astype(np.float32)
    w[[3, 7]] = 0  # untrained rows
    ids = rng.integers(0, 50, size=200)
    seg = np.sort(rng.integers(0, 30, size=200))
    seg[seg == 5] = 6  # an empty segment
    a, ca = _pool_numpy(w, ids, seg, 31, pooling)
    b, cb = _pool_torch(torch.from_numpy(w), ids, seg, 31, pooling)
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(ca, cb)
    assert not a[5].any()
