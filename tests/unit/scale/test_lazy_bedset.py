"""A lazy BedSet over a folder or a manifest reads members only when walked."""

from __future__ import annotations

import numpy as np
import pytest

from geniml.io import BedSet


def test_lazy_equals_eager(shared_data):
    folder = shared_data / "bedsets" / "encode_tfbs_hg19"
    eager = BedSet(folder)
    lazy = BedSet(folder, lazy=True, batch_size=3)
    assert repr(lazy).endswith("lazy)") and len(lazy) == len(eager)
    assert lazy.identifier == eager.identifier
    assert [len(r) for r in lazy] == [len(r) for r in eager]
    np.testing.assert_array_equal(lazy[4].starts, eager[4].starts)
    batches = list(lazy.iter_batches())
    assert [len(b) for b in batches] == [3, 3, 3, 1]
    assert len(lazy.to_regionset()) == len(eager.to_regionset())


def test_manifest(shared_data, tmp_path):
    folder = shared_data / "bedsets" / "geniml_hg38_sample"
    files = sorted(folder.glob("*.bed"))[:4]
    m = tmp_path / "list.txt"
    m.write_text("# my files\n\n" + "".join(f"{p}\tlabel\n" for p in files))
    bs = BedSet.from_manifest(m, lazy=True)
    assert bs.paths == files
    assert bs.identifier == BedSet(files).identifier
    bad = tmp_path / "bad.txt"
    bad.write_text(f"{files[0]}\nmissing.bed\n")
    with pytest.raises(FileNotFoundError, match=r"bad.txt:2: .*missing.bed"):
        BedSet.from_manifest(bad)
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing\n")
    with pytest.raises(ValueError, match="lists no BED file"):
        BedSet.from_manifest(empty)
    with pytest.raises(ValueError, match="batch_size"):
        BedSet(files, batch_size=0)


def test_embed_region_sets_in_batches(shared_data, tmp_path):
    from geniml.region2vec import Region2VecExModel
    from geniml.region2vec.model import embed_region_sets

    model = Region2VecExModel.from_pretrained(shared_data / "models" / "geniml_region2vec_export")
    files = BedSet(shared_data / "bedsets" / "geniml_hg38_sample", lazy=True).paths
    with pytest.warns(UserWarning, match="no trained token"):
        want = model.encode(files)
    with pytest.warns(UserWarning, match="no trained token"):
        got = embed_region_sets(model, files, batch_size=4, output=tmp_path / "v.npy")
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(np.load(tmp_path / "v.npy"), want, rtol=1e-6, atol=1e-7)
    with pytest.raises(FileExistsError, match="force"):
        embed_region_sets(model, files, output=tmp_path / "v.npy")
