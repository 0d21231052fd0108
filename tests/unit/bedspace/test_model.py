"""BEDspace training (native and StarSpace), the model folder, embedding and search."""

from __future__ import annotations

import numpy as np
import pytest
import yaml

from geniml.bedspace import BEDSpaceModel, distances, preprocess, search, train
from geniml.bedspace.model import read_starspace_tsv
from geniml.exceptions import GenimlValueError
from geniml.io import read_bed

FILES = ["model.safetensors", "config.yaml", "universe.bed", "starspace_trained_model.tsv"]


@pytest.fixture
def prepped(diffbind, tmp_path):
    src, meta, uni = diffbind
    return src, meta, uni, preprocess(src, meta, uni, labels="Tissue", output=tmp_path / "p.txt")


@pytest.fixture
def model(prepped, tmp_path):
    p = prepped[3]
    return train(p, tmp_path / "model", dim=32, epochs=40, seed=3, n_threads=1, progress=False)


def test_model_folder_and_reload(model, tmp_path):
    folder = tmp_path / "model"
    for f in FILES:
        assert (folder / f).is_file(), f
    cfg = yaml.safe_load((folder / "config.yaml").read_text())
    assert cfg["model_type"] == "bedspace" and cfg["trainer"] == "native" and cfg["dim"] == 32
    assert cfg["label_columns"] == ["Tissue"]
    again = BEDSpaceModel.load(folder)
    assert again.labels == model.labels == sorted(model.labels, key=model.labels.index)
    assert set(again.labels) == {"BT474", "MCF7", "T47D", "ZR75"}
    np.testing.assert_array_equal(again.weights, model.weights)
    # the tsv holds the same rows, words then labels
    symbols, w = read_starspace_tsv(folder / "starspace_trained_model.tsv")
    assert symbols[-4:] == ["__label__" + x for x in again.labels]
    np.testing.assert_allclose(w, again.weights, rtol=1e-5, atol=1e-7)
    assert len(read_bed(folder / "universe.bed")) == len(symbols) - 4


def test_deterministic_with_one_thread(prepped, tmp_path):
    p = prepped[3]
    a = train(p, tmp_path / "a", dim=16, epochs=5, seed=11, n_threads=1, progress=False)
    b = train(p, tmp_path / "b", dim=16, epochs=5, seed=11, n_threads=1, progress=False)
    c = train(p, tmp_path / "c", dim=16, epochs=5, seed=12, n_threads=1, progress=False)
    np.testing.assert_array_equal(a.weights, b.weights)
    assert not np.array_equal(a.weights, c.weights)
    with pytest.raises(FileExistsError):
        train(p, tmp_path / "a", dim=16, epochs=1, seed=1, progress=False)
    d = train(p, tmp_path / "a", dim=16, epochs=5, seed=11, n_threads=2, force=True, progress=False)
    assert np.isfinite(d.weights).all()


def test_embedding_is_normalised_sum_of_token_rows(model, diffbind):
    src = diffbind[0]
    beds = [src / "MCF71.bed", src / "T47D2.bed"]
    got = model.embed_region_sets(beds)
    ids = [model.tokenizer.tokenize(b, unique=True).ids for b in beds]
    for g, i in zip(got, ids, strict=True):
        v = model.weights[i].sum(axis=0)
        np.testing.assert_allclose(g, v / np.linalg.norm(v), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(model.embed_region_sets(src)[2], got[0], rtol=1e-6)
    assert model.embed_region_sets(read_bed(src / "MCF71.bed")).shape == (1, 32)
    lab = model.embed_labels(["MCF7", "__label__T47D"])
    np.testing.assert_allclose(np.linalg.norm(lab, axis=1), 1.0, rtol=1e-5)
    with pytest.raises(KeyError, match="unknown label"):
        model.embed_labels(["nope"])


def test_search_three_directions(model, diffbind):
    src = diffbind[0]
    r2l = model.search(src / "MCF71.bed", search_type="r2l", top_k=4)
    assert r2l.columns == ["query", "hit", "score", "rank"]
    assert r2l["rank"].to_list() == [1, 2, 3, 4]
    assert r2l["score"].to_list() == sorted(r2l["score"].to_list(), reverse=True)
    # training files: the native trainer fits their own labels
    truth = {"BT474": "BT474", "MCF7": "MCF7", "T47D": "T47D", "ZR75": "ZR75"}
    hits = [
        model.search(src / f, search_type="r2l", top_k=1)["hit"][0]
        for f in model.documents["file_name"]
    ]
    acc = np.mean([h == truth[t] for h, t in zip(hits, model.documents["Tissue"], strict=True)])
    assert acc >= 0.8, hits
    l2r = model.search("T47D", search_type="l2r", top_k=3)
    assert set(l2r["hit"].to_list()[:2]) == {"T47D1.bed", "T47D2.bed"}
    r2r = model.search(src / "ZR751.bed", search_type="r2r", top_k=2)
    assert r2r["hit"][0] == "ZR751.bed" and r2r["score"][0] == pytest.approx(1.0, abs=1e-5)
    other = model.search(src / "ZR751.bed", search_type="r2r", collection=[src / "MCF71.bed"])
    assert other["hit"].to_list() == ["MCF71.bed"]
    with pytest.raises(ValueError, match="search_type"):
        model.search("x", search_type="bad")


def test_distances_then_search(model, diffbind, tmp_path):
    src, meta, uni = diffbind
    out = distances(tmp_path / "model", meta, uni, src, output=tmp_path / "d" / "distances.pkl")
    d = out.parent
    import polars as pl

    raw = pl.read_csv(d / "raw_cosdist_rl.csv")
    assert raw.columns == ["filename", "file_label", "search_term", "score"]
    assert len(raw) == 11 * 4
    rr = pl.read_csv(d / "similarity_score_rr.csv")
    assert rr.columns == ["db_file", "test_file", "score"] and len(rr) == 121
    sim = pl.read_csv(d / "similarity_score_rl.csv")
    assert sim["score"].max() < 0.5 + 1e-9
    hits = search(out, src / "MCF72.bed", search_type="r2l", top_k=4)
    ref = model.search(src / "MCF72.bed", search_type="r2l", top_k=4)
    assert hits["hit"].to_list() == ref["hit"].to_list()
    np.testing.assert_allclose(hits["score"], ref["score"], rtol=1e-5)
    assert search(out, "MCF7", search_type="l2r", top_k=11).height == 11
    assert search(out, "MCF72.bed", search_type="r2r", top_k=1)["hit"][0] == "MCF72.bed"
    with pytest.raises(FileExistsError):
        distances(tmp_path / "model", meta, uni, src, output=out)
    with pytest.raises(GenimlValueError, match="not a BEDspace distances file"):
        search(d / "raw_cosdist_rl.csv", "MCF7")


def test_bad_training_input(tmp_path):
    p = tmp_path / "p.txt"
    p.write_text("chr1_0_10 chr1_20_30\nchr2_0_5\n")
    with pytest.raises(GenimlValueError, match="no line has both"), pytest.warns(UserWarning):
        train(p, tmp_path / "m", progress=False)
    with pytest.raises(FileNotFoundError):
        train(tmp_path / "nope.txt", tmp_path / "m", progress=False)
    p.write_text("chr1_0_10 __label__a\nchr2_0_5 __label__b\n")
    with pytest.raises(GenimlValueError, match="dim"):
        train(p, tmp_path / "m", dim=0, progress=False)


def test_starspace_binary_and_tsv_read_back(prepped, starspace, tmp_path):
    p = prepped[3]
    m = train(
        p,
        tmp_path / "ss",
        dim=16,
        epochs=5,
        n_threads=2,
        path_to_starspace=starspace,
        progress=False,
    )
    assert m.config["trainer"] == "starspace"
    symbols, w = read_starspace_tsv(tmp_path / "ss" / "starspace_trained_model.tsv")
    assert sum(s.startswith("__label__") for s in symbols) == 4 and w.shape[1] == 16
    # an upstream folder holds only StarSpace's tsv: it loads from it
    up = tmp_path / "upstream"
    up.mkdir()
    (up / "starspace_trained_model.tsv").write_bytes(
        (tmp_path / "ss" / "starspace_trained_model.tsv").read_bytes()
    )
    loaded = BEDSpaceModel.load(up)
    assert sorted(loaded.labels) == ["BT474", "MCF7", "T47D", "ZR75"]
    src = prepped[0]
    np.testing.assert_allclose(
        loaded.embed_region_sets(src / "MCF71.bed"),
        BEDSpaceModel.load(tmp_path / "ss").embed_region_sets(src / "MCF71.bed"),
        rtol=1e-4,
        atol=1e-6,
    )
    with pytest.raises(FileNotFoundError, match="StarSpace"):
        train(p, tmp_path / "x", path_to_starspace=tmp_path, progress=False)


def test_neighbour_vote_against_hand_oracle():
    from geniml.bedspace.model import neighbour_vote

    docs = np.array([[1.0, 0.0], [0.8, 0.6], [0.0, 1.0], [-1.0, 0.0]], dtype=np.float32)
    cols = [["a", "b", "b", "a"], ["x y", "x y", None, "z"]]
    labels = ["a", "b", "x_y", "z"]
    q = np.array([1.0, 0.0], dtype=np.float32)
    # k=2: files 0 (sim 1.0) and 1 (sim 0.8); each column's votes sum to 1
    np.testing.assert_allclose(
        neighbour_vote(q, docs, cols, labels, 2), [1 / 1.8, 0.8 / 1.8, 1.0, 0.0], rtol=1e-6
    )
    # file 0 left out: files 1 (0.8) and 2 (0.0) -> all weight on file 1
    np.testing.assert_allclose(
        neighbour_vote(q, docs, cols, labels, 2, exclude=0), [0.0, 1.0, 1.0, 0.0], rtol=1e-6
    )
    # negative similarity never votes; k=0 is no vote
    np.testing.assert_allclose(neighbour_vote(-q, docs, cols, labels, 1), [1.0, 0, 0, 1.0])
    assert not neighbour_vote(q, docs, cols, labels, 0).any()


def test_r2l_neighbour_vote_in_search(model, diffbind, tmp_path):
    from geniml.bedspace.model import DEFAULT_NEIGHBOURS
    from geniml.cli.bedspace import DEFAULT_NEIGHBOURS as CLI_DEFAULT

    assert CLI_DEFAULT == DEFAULT_NEIGHBOURS >= 1
    src, meta, uni = diffbind
    q_path = src / "MCF71.bed"
    q = model.embed_region_sets(q_path)[0]
    cos = model.embed_labels() @ q
    plain = model.search(q_path, search_type="r2l", top_k=10, neighbours=0)
    np.testing.assert_allclose(
        plain["score"], np.sort(cos)[::-1], rtol=1e-5
    )  # neighbours=0 is StarSpace's cosine
    # naive oracle: cosine + similarity-weighted labels of the 3 nearest other training files
    docs = model.documents
    sims = model.document_vectors @ q
    me = docs["file_name"].to_list().index("MCF71.bed")
    sims[me] = -np.inf
    top = np.argsort(-sims)[:3]
    w = np.maximum(sims[top], 0)
    want = cos.copy()
    for t, wt in zip(top, w, strict=True):
        want[model.labels.index(docs["Tissue"][int(t)])] += wt / w.sum()
    got = model.search(q_path, search_type="r2l", top_k=10, neighbours=3)
    assert dict(zip(got["hit"], got["score"], strict=True)) == pytest.approx(
        dict(zip(model.labels, want.tolist(), strict=True)), rel=1e-5
    )
    assert not np.allclose(got["score"].to_numpy(), plain["score"].to_numpy())
    with pytest.raises(ValueError, match="neighbours"):
        model.search(q_path, search_type="r2l", neighbours=-1)
    # the distances file gives the same scores (query left out of its own vote there too)
    out = distances(tmp_path / "model", meta, uni, src, output=tmp_path / "dd.pkl")
    for k in (0, 3):
        a = search(out, q_path, search_type="r2l", top_k=10, neighbours=k)
        b = model.search(q_path, search_type="r2l", top_k=10, neighbours=k)
        assert a["hit"].to_list() == b["hit"].to_list()
        np.testing.assert_allclose(a["score"], b["score"], rtol=1e-5)
