"""geniml.datasets: the bundled sets load offline and equal the real data they were made from."""

from __future__ import annotations

import doctest
import importlib

import numpy as np
import pytest

from geniml import datasets
from geniml.io import BedSet, read_bed


@pytest.mark.parametrize("name", ["geniml.datasets", "geniml._optional", "geniml.hub"])
def test_doctests(name):
    res = doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0


def test_schep_matches_the_shared_matrix(shared_data):
    from geniml.io import read_scatac

    adata = datasets.schep2017()
    ref = read_scatac(shared_data / "scatac" / "schep2017_600cells_hg19")
    assert adata.obs_names.tolist() == ref.obs_names.tolist()
    assert adata.var_names.tolist() == ref.var_names.tolist()
    assert (adata.X != ref.X).nnz == 0
    assert adata.obs["cell_type"].astype(str).tolist() == ref.obs["cell_type"].tolist()
    assert adata.obs["cell_type"].value_counts().tolist() == [50] * 12


@pytest.mark.parametrize(
    ("folder", "shared"),
    [
        (datasets.hg38_sample, "bedsets/geniml_hg38_sample"),
        (datasets.diffbind_er_chr18, "bedsets/diffbind_er_chr18_hg19"),
    ],
)
def test_bundled_beds_equal_the_originals(folder, shared, shared_data):
    bundled = BedSet(folder())
    originals = sorted((shared_data / shared).glob("*.bed"))
    assert [p.name for p in bundled.paths] == [p.name + ".gz" for p in originals]
    for rs, orig in zip(bundled, originals, strict=True):
        assert rs.identifier == read_bed(orig).identifier


def test_universe_and_chrom_sizes(shared_data):
    u = read_bed(datasets.hg38_universe())
    assert (
        u.identifier
        == read_bed(shared_data / "universes" / "geniml_universe_hg38.uniq.bed").identifier
    )
    sizes = datasets.hg19_chrom_sizes().read_text()
    assert sizes == (shared_data / "chromsizes" / "hg19.chrom.sizes").read_text()


def test_metadata_names_the_files():
    meta = datasets.diffbind_er_chr18_metadata()
    names = {p.name for p in datasets.diffbind_er_chr18().iterdir()}
    assert {f + ".gz" for f in meta["file"]} == names
    counts = dict(zip(meta["file"], meta["n_regions"], strict=True))
    for rs in BedSet(datasets.diffbind_er_chr18()):
        assert len(rs) == counts[rs.path.name[: -len(".gz")]]
    hg38 = datasets.hg38_sample_metadata()
    assert hg38["file"][0] == "Example1"


def test_region2vec_export_reproduces_upstream_encode(shared_data):
    from geniml.region2vec import Region2VecExModel

    model = Region2VecExModel.from_pretrained(datasets.region2vec_hg38())
    got = model.encode(datasets.hg38_sample() / "Example1.bed.gz")
    want = np.load(
        shared_data / "models" / "geniml_region2vec_export" / "expected_encode_Example1.npy"
    )
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_every_set_has_source_and_licence():
    for name in datasets.DATASETS:
        text = datasets.source(name)
        assert text.startswith("# ") and "licen" in text.lower()
        folder = datasets._folder(name)
        assert len((folder / "LICENSE").read_text()) > 500


def test_unknown_name_is_a_clear_error():
    with pytest.raises(ValueError, match="must be one of"):
        datasets.source("chraccrex")
