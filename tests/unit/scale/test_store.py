"""Token stores: streamed tokenization equals the in-memory path, resumes, never half-writes."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest

from geniml.io import read_scatac
from geniml.tokenization import Tokenizer, tokenize_anndata
from geniml.tokenization.store import (
    TokenStore,
    partial_dir,
    plan_cells,
    tokenize_cells_to_store,
    tokenize_collection,
)


@pytest.fixture(scope="module")
def schep_h5ad(tmp_path_factory, shared_data):
    adata = read_scatac(shared_data / "scatac" / "schep2017_600cells_hg19")
    path = tmp_path_factory.mktemp("cells") / "schep.h5ad"
    adata.write_h5ad(path)
    universe = shared_data / "scatac" / "schep2017_600cells_hg19" / "peaks.bed"
    return path, universe, adata


def test_cells_store_equals_in_memory(schep_h5ad, tmp_path):
    path, universe, adata = schep_h5ad
    want = tokenize_anndata(adata, Tokenizer.from_bed(universe))
    store = tokenize_cells_to_store(path, universe, tmp_path / "tok", chunk_size=128)
    assert store.n_parts == 5 and len(store) == adata.n_obs
    got = store.read()
    assert got.cells == want.cells
    np.testing.assert_array_equal(got.offsets, want.offsets)
    np.testing.assert_array_equal(got.ids, want.ids)
    assert store.n_tokens == int(want.offsets[-1])
    # each part is a valid upstream-layout parquet file on its own
    first = TokenStore(tmp_path / "tok" / "part-00000.parquet")
    assert len(first) == 128 and first.kind == "cells"
    assert first.universe_path == str(universe.resolve())


def test_backed_anndata_and_chunk_independence(schep_h5ad, tmp_path):
    import anndata as ad

    path, universe, _ = schep_h5ad
    backed = ad.read_h5ad(path, backed="r")
    a = tokenize_cells_to_store(backed, universe, tmp_path / "a", chunk_size=600).read()
    b = tokenize_cells_to_store(path, universe, tmp_path / "b", chunk_size=7).read()
    np.testing.assert_array_equal(a.ids, b.ids)
    np.testing.assert_array_equal(a.offsets, b.offsets)


def test_resume_skips_finished_parts(schep_h5ad, tmp_path, monkeypatch):
    import geniml.tokenization.store as store_mod

    path, universe, _ = schep_h5ad
    out = tmp_path / "tok"
    calls: list[int] = []
    real = store_mod.compute_table  # the single-process runner computes parts with it

    def failing(plan, i):
        if i == 3:
            raise KeyboardInterrupt
        calls.append(i)
        return real(plan, i)

    monkeypatch.setattr(store_mod, "compute_table", failing)
    with pytest.raises(KeyboardInterrupt):
        tokenize_cells_to_store(path, universe, out, chunk_size=100)
    assert not out.exists() and partial_dir(out).is_dir()
    assert calls == [0, 1, 2]
    assert sorted(p.name for p in partial_dir(out).glob("part-*")) == [
        f"part-0000{i}.parquet" for i in range(3)
    ]  # the part being written when the run stopped was finished
    calls.clear()
    monkeypatch.setattr(
        store_mod, "compute_table", lambda plan, i: (calls.append(i), real(plan, i))[1]
    )
    store = tokenize_cells_to_store(path, universe, out, chunk_size=100)
    assert calls == [3, 4, 5]  # parts 0-2 were kept
    assert len(store) == 600 and not partial_dir(out).exists()
    # a different plan (chunk size) does not reuse another plan's parts
    calls.clear()
    tokenize_cells_to_store(path, universe, tmp_path / "other", chunk_size=300)
    assert calls == [0, 1]


def test_existing_output_needs_force(schep_h5ad, tmp_path):
    path, universe, _ = schep_h5ad
    out = tmp_path / "tok"
    tokenize_cells_to_store(path, universe, out, chunk_size=300)
    before = (out / "manifest.json").read_text()
    with pytest.raises(FileExistsError, match="force"):
        tokenize_cells_to_store(path, universe, out, chunk_size=200)
    assert (out / "manifest.json").read_text() == before
    store = tokenize_cells_to_store(path, universe, out, chunk_size=200, force=True)
    assert store.n_parts == 3
    assert json.loads((out / "manifest.json").read_text())["kind"] == "cells"


def test_collection_store_equals_tokenize_batch(shared_data, tmp_path):
    folder = shared_data / "bedsets" / "geniml_hg38_sample"
    universe = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    store = tokenize_collection(folder, universe, tmp_path / "t", files_per_part=4)
    tok = Tokenizer.from_bed(universe)
    from geniml.io import bed_files_in

    files = bed_files_in(folder)
    want = [t.ids for t in tok.tokenize_batch(files, unique=True)]
    got = store.read()
    assert got.cells == [p.name for p in files]
    assert store.kind == "files" and store.n_parts == -(-len(files) // 4)
    for k, w in enumerate(want):
        np.testing.assert_array_equal(got.ids_for(k), w)
    assert sum(len(w) for w in want) > 400  # real overlaps, not empty rows


def test_bad_inputs(schep_h5ad, tmp_path, shared_data):
    path, universe, adata = schep_h5ad
    with pytest.raises(FileNotFoundError, match="universe"):
        plan_cells(path, tmp_path / "nope.bed")
    with pytest.raises(ValueError, match="chunk_size"):
        plan_cells(path, universe, chunk_size=0)
    with pytest.raises(ValueError, match="backed"):
        plan_cells(adata, universe)
    bad = tmp_path / "bad.h5ad"
    bad.write_bytes(b"not hdf5")
    with pytest.raises(ValueError, match="bad.h5ad"):
        plan_cells(bad, universe)
    with pytest.raises(ValueError, match="no BED file"):
        tokenize_collection([], universe, tmp_path / "x")
    with pytest.raises(ValueError, match="not a token store"):
        TokenStore(tmp_path)
    os.makedirs(tmp_path / "s")
    (tmp_path / "s" / "manifest.json").write_text("{")
    with pytest.raises(ValueError, match="manifest"):
        TokenStore(tmp_path / "s")


def test_dense_and_csc_x_take_the_anndata_path(schep_h5ad, tmp_path):
    import scipy.sparse as sp

    path, universe, adata = schep_h5ad
    sub = adata[:40].copy()
    want = tokenize_anndata(sub, Tokenizer.from_bed(universe))
    for name, x in (("dense", sub.X.toarray()), ("csc", sp.csc_matrix(sub.X))):
        other = sub.copy()
        other.X = x
        p = tmp_path / f"{name}.h5ad"
        other.write_h5ad(p)
        got = tokenize_cells_to_store(p, universe, tmp_path / name, chunk_size=15).read()
        np.testing.assert_array_equal(got.ids, want.ids)
        assert got.cells == want.cells


def test_10x_h5_matrix(schep_h5ad, tmp_path):
    import h5py

    path, universe, adata = schep_h5ad
    x = adata.X.tocsc().T.tocsc()  # features x barcodes, CSC (columns are cells)
    h5 = tmp_path / "filtered_peak_bc_matrix.h5"
    with h5py.File(h5, "w") as f:
        m = f.create_group("matrix")
        m["barcodes"] = np.array([c.encode() for c in adata.obs_names])
        m["data"], m["indices"], m["indptr"] = x.data, x.indices, x.indptr
        m["shape"] = np.array(x.shape)
        feats = m.create_group("features")
        names = [f"{c}:{s}-{e}" for c, s, e in zip(adata.var["chr"], adata.var["start"], adata.var["end"], strict=True)]  # fmt: skip
        feats["interval"] = np.array([n.encode() for n in names])
        feats["feature_type"] = np.array([b"Peaks"] * len(names))
    want = tokenize_anndata(adata, Tokenizer.from_bed(universe))
    got = tokenize_cells_to_store(h5, universe, tmp_path / "t", chunk_size=250).read()
    assert got.cells == want.cells
    np.testing.assert_array_equal(got.ids, want.ids)
    np.testing.assert_array_equal(got.offsets, want.offsets)
