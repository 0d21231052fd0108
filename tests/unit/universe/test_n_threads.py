"""``n_threads=-1`` and ``None`` mean all cores (the shared pool) through the Python API."""

from __future__ import annotations

import pytest

from geniml.exceptions import GenimlValueError
from geniml.io import BedSet
from geniml.tokenization import Tokenizer
from geniml.universe import assess, build_universe, compute_coverage


@pytest.fixture(scope="module")
def collection(shared_data):
    folder = shared_data / "bedsets" / "diffbind_er_chr18_hg19"
    return sorted(folder.glob("*.bed")), shared_data / "chromsizes" / "hg19.chrom.sizes"


def test_minus_one_is_all_cores_everywhere(collection):
    files, sizes = collection
    cov = {n: compute_coverage(files, sizes, n_threads=n) for n in (None, -1, 1)}
    for method in ("cc", "ccf", "ml", "hmm"):
        by_n = {n: build_universe(cov[n], method, n_threads=n) for n in (None, -1, 1)}
        assert by_n[-1] == by_n[None] == by_n[1] and len(by_n[-1]) > 10
    u = build_universe(cov[-1], "cc", cutoff=2)
    assert assess(u, files, n_threads=-1).equals(assess(u, files, n_threads=None))
    tok = Tokenizer(u)
    a = [t.ids.tolist() for t in tok.tokenize_batch(files, n_threads=-1)]
    assert a == [t.ids.tolist() for t in tok.tokenize_batch(files, n_threads=1)]
    assert [len(r) for r in BedSet(files, n_threads=-1)] == [len(r) for r in BedSet(files)]


@pytest.mark.parametrize("bad", [0, -2])
def test_other_non_positive_counts_are_refused(collection, bad):
    files, sizes = collection
    with pytest.raises(GenimlValueError, match=r"`n_threads` must be >= 1, or -1 / None"):
        compute_coverage(files, sizes, n_threads=bad)
