"""geniml.distributed on a 2-worker LocalCluster gives what the single-process calls give."""

from __future__ import annotations

import os

import numpy as np
import pytest

if os.environ.get("CI") != "true":  # on CI the dask extra is installed: a missing one fails
    pytest.importorskip("distributed")
from dask.distributed import Client, LocalCluster

from geniml import distributed as gd
from geniml.io import bed_files_in, read_scatac
from geniml.tokenization.store import tokenize_cells_to_store, tokenize_collection
from geniml.universe.assess import assess
from geniml.universe.coverage import compute_coverage


@pytest.fixture(scope="module")
def client():
    cluster = LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    )
    c = Client(cluster)
    yield c
    c.close()
    cluster.close()


@pytest.fixture(scope="module")
def encode_set(shared_data):
    return sorted((shared_data / "bedsets" / "encode_tfbs_hg19").glob("*.bed*"))


def _same_coverage(a, b):
    assert a.chroms == b.chroms and a.n_files == b.n_files
    for ch in a.chroms:
        for t in ("start", "core", "end"):
            for x, y in zip(a.runs(ch, t), b.runs(ch, t), strict=True):
                np.testing.assert_array_equal(x, y)


def test_coverage_equals_single_process(client, encode_set, shared_data, tmp_path):
    sizes = shared_data / "chromsizes" / "hg19.chrom.sizes"
    local = compute_coverage(encode_set, sizes)
    dist = gd.compute_coverage(encode_set, sizes, client=client, batch_bytes=200_000)
    _same_coverage(local, dist)
    paths = gd.coverage_tracks(encode_set, sizes, tmp_path / "cov", client=client)
    assert [p.name for p in paths] == ["all_start.bw", "all_core.bw", "all_end.bw"]


def test_token_stores_are_byte_identical(client, shared_data, tmp_path):
    folder = shared_data / "bedsets" / "geniml_hg38_sample"
    universe = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    a = tokenize_collection(folder, universe, tmp_path / "a", files_per_part=3)
    b = gd.tokenize_collection(folder, universe, tmp_path / "b", client=client, files_per_part=3)
    assert a.n_parts == b.n_parts > 1
    for pa_, pb in zip(sorted(a.path.glob("part-*")), sorted(b.path.glob("part-*")), strict=True):
        assert pa_.read_bytes() == pb.read_bytes()

    adata = read_scatac(shared_data / "scatac" / "schep2017_600cells_hg19")
    h5ad = tmp_path / "cells.h5ad"
    adata.write_h5ad(h5ad)
    peaks = shared_data / "scatac" / "schep2017_600cells_hg19" / "peaks.bed"
    c = tokenize_cells_to_store(h5ad, peaks, tmp_path / "c", chunk_size=150)
    d = gd.tokenize_cells(h5ad, peaks, tmp_path / "d", client=client, chunk_size=150)
    for pc, pd_ in zip(sorted(c.path.glob("part-*")), sorted(d.path.glob("part-*")), strict=True):
        assert pc.read_bytes() == pd_.read_bytes()


def test_assess_and_embed(client, shared_data):
    folder = shared_data / "bedsets" / "geniml_hg38_sample"
    universe = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    want = assess(universe, folder)
    got = gd.assess(universe, folder, client=client, files_per_task=4)
    assert got.equals(want)

    from geniml.region2vec import Region2VecExModel

    model_dir = shared_data / "models" / "geniml_region2vec_export"
    files = bed_files_in(folder)
    with pytest.warns(UserWarning, match="no trained token"):
        local = Region2VecExModel.from_pretrained(model_dir).encode(files)
    dist = gd.embed_region_sets(model_dir, files, client=client, files_per_task=5)
    np.testing.assert_allclose(dist, local, rtol=1e-6, atol=1e-7)


def test_errors(client, shared_data, tmp_path):
    with pytest.raises(ValueError, match="Client"):
        gd.compute_coverage(tmp_path, {"chr1": 10}, client=object())  # type: ignore[arg-type]
    bad = tmp_path / "bad.bed"
    bad.write_text("chr1\t10\t5\n")
    with pytest.raises(ValueError, match="bad.bed"):
        gd.compute_coverage([bad], {"chr1": 100}, client=client)


def test_encode_cells(client, shared_data, tmp_path):
    from geniml.scembed import ScEmbed

    folder = shared_data / "scatac" / "schep2017_600cells_hg19"
    adata = read_scatac(folder)
    h5ad = tmp_path / "cells.h5ad"
    adata.write_h5ad(h5ad)
    model = ScEmbed(tokenizer=folder / "peaks.bed", embedding_dim=8)
    model.train(dataset=adata, epochs=1)
    model.save(tmp_path / "m")
    want = model.encode(adata)
    got = gd.encode_cells(h5ad, tmp_path / "m", client=client, chunk_size=200)
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    out = gd.encode_cells(h5ad, tmp_path / "m", client=client, output=tmp_path / "e.npy")
    np.testing.assert_allclose(np.load(tmp_path / "e.npy"), want, rtol=1e-6, atol=1e-7)
    assert out.shape == want.shape
