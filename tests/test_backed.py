"""Backed AnnData (read_h5ad(path, backed="r")) in tokenize_cells and ScEmbed.encode, in blocks."""

from __future__ import annotations

import tracemalloc

import anndata as ad
import numpy as np
import pytest

from geniml import datasets
from geniml.exceptions import GenimlValueError
from geniml.io import RegionSet
from geniml.scembed import ScEmbed
from geniml.tokenization import Tokenizer, tokenize_cells


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("backed")
    adata = datasets.schep2017()
    adata.write_h5ad(tmp / "cells.h5ad")  # uncompressed CSR on disk
    universe = RegionSet(
        (adata.var["chr"].values, adata.var["start"].values, adata.var["end"].values)
    ).to_bed(tmp / "universe.bed")
    cells = tokenize_cells(adata, universe, tmp / "tokens.parquet")
    model = ScEmbed(tokenizer=Tokenizer.from_bed(universe), embedding_dim=16)
    model.train(cells, epochs=1, seed=2, num_cpus=1)
    return adata, tmp / "cells.h5ad", universe, cells, model


@pytest.mark.parametrize("chunk", [None, 1, 37, 600, 10_000])
def test_tokenize_cells_backed_equals_in_memory(setup, chunk):
    _, h5ad, universe, ref, _ = setup
    backed = ad.read_h5ad(h5ad, backed="r")
    got = tokenize_cells(backed, universe, chunk_size=chunk)
    assert got.cells == ref.cells
    np.testing.assert_array_equal(got.offsets, ref.offsets)
    np.testing.assert_array_equal(got.ids, ref.ids)
    backed.file.close()


def test_encode_backed_equals_in_memory_and_memory_follows_the_block(setup):
    adata, h5ad, _, _, model = setup
    want = model.encode(adata)
    backed = ad.read_h5ad(h5ad, backed="r")
    peaks = []
    for chunk in (30, 600):
        tracemalloc.start()
        got = model.encode(backed, chunk_size=chunk)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    backed.file.close()
    # 30-row blocks hold ~1/20 of the matrix at a time: the peak is far below one full block
    print("tracemalloc peaks (30-row, 600-row blocks):", peaks)
    assert peaks[0] < 0.5 * peaks[1], peaks


def test_bad_chunk_size(setup):
    adata, _, universe, _, _ = setup
    with pytest.raises(GenimlValueError, match="chunk_size"):
        tokenize_cells(adata, universe, chunk_size=0)
