from __future__ import annotations

import numpy as np
import pytest

from geniml.exceptions import GenimlValueError, ModelError
from tests.unit.search.conftest import need_text_model

# sentence-transformers 6.2.0, SentenceTransformer(<the package's unpacked folder>).encode(...),
# computed once; the first 8 of 384 values.
REFERENCE = {
    "CTCF ChIP-seq in lymphoblastoid cells": [
        -0.03150403,
        -0.04302591,
        -0.07197732,
        -0.0680819,
        -0.05146787,
        -0.00427699,
        0.01293976,
        0.08071433,
    ],
    "H3K27ac in K562": [
        -0.04032674,
        0.01690087,
        -0.04499755,
        -0.00644139,
        -0.08865821,
        0.02131449,
        0.00146665,
        -0.03116303,
    ],
}


@pytest.fixture(scope="module")
def encoder(tmp_path_factory):
    need_text_model()
    from geniml.search import TextEncoder

    return TextEncoder(batch_size=1)


def test_reference_sentence_embeddings(encoder):
    from geniml.search.encoder import MINILM_SHA256, _sha256

    assert _sha256(encoder.folder / "model.safetensors") == MINILM_SHA256
    sentences = list(REFERENCE)
    x = encoder.encode(sentences)  # batch_size=1: two batches
    assert x.shape == (2, 384) and x.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(x, axis=1), 1.0, atol=1e-5)
    for row, s in zip(x, sentences, strict=True):
        np.testing.assert_allclose(row[:8], REFERENCE[s], atol=2e-6)
    np.testing.assert_allclose(encoder.encode(sentences[1]), x[1], atol=1e-6)


def test_encoder_bad_input(encoder):
    with pytest.raises(GenimlValueError, match="sentence 1"):
        encoder.encode(["ok", ""])


def test_missing_model_is_a_clear_error(tmp_path, monkeypatch):
    from geniml.search import TextEncoder
    from geniml.search import encoder as enc

    with pytest.raises(ModelError, match="never downloads"):
        TextEncoder("sentence-transformers/all-mpnet-base-v2")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelError, match="missing config.json"):
        TextEncoder(tmp_path / "empty")
    monkeypatch.setenv("GENIML_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(enc, "_PACKAGE_MODULE", "no_such_minilm_package")
    with pytest.raises(ModelError, match="geniml\\[search\\]"):
        TextEncoder("all-MiniLM-L6-v2")


def test_vec2vec_lowers_validation_loss_and_round_trips(hg38_collection, tmp_path):
    from geniml.text2bednn import Vec2Vec, Vec2VecFNN

    rng = np.random.default_rng(0)
    y = hg38_collection["xc"].astype(np.float32)
    # inputs: a fixed random projection of the targets plus noise (a learnable map)
    proj = rng.normal(size=(100, 32)).astype(np.float32)
    x = np.repeat(y @ proj, 8, axis=0) + rng.normal(scale=0.05, size=(len(y) * 8, 32)).astype(
        np.float32
    )
    yy = np.repeat(y, 8, axis=0)
    v = Vec2Vec(32, 100, num_units=[64, 64], device="cpu")
    h = v.train(x, yy, validation=0.2, epochs=300, patience=15, rng=1)
    assert len(h.val_loss) == len(h.loss) >= 2
    assert h.val_loss[h.best_epoch] < 0.5 * h.val_loss[0]
    out = v.encode(x[:5])
    v.save(tmp_path / "v2v")
    with pytest.raises(FileExistsError):
        v.save(tmp_path / "v2v")
    import yaml

    cfg = yaml.safe_load((tmp_path / "v2v" / "config.yaml").read_text())
    assert cfg["model_type"] == "text2bednn" and cfg["num_units"] == [64, 64]
    w = Vec2Vec.load(tmp_path / "v2v")
    np.testing.assert_array_equal(w.encode(x[:5]), out)
    np.testing.assert_array_equal(Vec2VecFNN(tmp_path / "v2v").embedding_to_embedding(x[:5]), out)
    (tmp_path / "v2v" / "model.safetensors").unlink()  # upstream's checkpoint.pt alone
    np.testing.assert_array_equal(Vec2Vec.load(tmp_path / "v2v").encode(x[:5]), out)


def test_vec2vec_bad_input(tmp_path):
    from geniml.text2bednn import Vec2Vec

    v = Vec2Vec(4, 2, num_units=3, device="cpu")
    with pytest.raises(GenimlValueError, match="expected dimension 4, got 5"):
        v.train(np.ones((3, 5)), np.ones((3, 2)))
    with pytest.raises(GenimlValueError, match="3 rows but y has 2"):
        v.train(np.ones((3, 4)), np.ones((2, 2)))
    with pytest.raises(GenimlValueError, match="loss"):
        v.train(np.ones((3, 4)), np.ones((3, 2)), loss="hinge")  # type: ignore[arg-type]
    with pytest.raises(ModelError, match="no config.yaml"):
        Vec2Vec.load(tmp_path)


def test_single_sentence_threads_are_restored(encoder):
    import torch

    from geniml.search import TextEncoder
    from geniml.search.encoder import torch_threads

    before = torch.get_num_threads()
    try:
        torch.set_num_threads(2)
        with torch_threads(1):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 2
        sentence = next(iter(REFERENCE))
        assert encoder.threads == 1  # the default for single-sentence queries
        one = encoder.encode(sentence)
        assert torch.get_num_threads() == 2
        encoder.threads = None
        try:
            np.testing.assert_allclose(encoder.encode(sentence), one, atol=1e-6)
        finally:
            encoder.threads = 1
        np.testing.assert_allclose(one[:8], REFERENCE[sentence], atol=2e-6)
    finally:
        torch.set_num_threads(before)
    with pytest.raises(GenimlValueError, match="threads must be >= 1"):
        TextEncoder(threads=0)
