"""Results must not depend on the number of threads."""

from __future__ import annotations

from geniml.universe import assess, build_universe, compute_coverage


def test_thread_count_does_not_change_results(shared_data):
    folder = shared_data / "bedsets" / "diffbind_er_chr18_hg19"
    sizes = shared_data / "chromsizes" / "hg19.chrom.sizes"
    one = compute_coverage(folder, sizes, n_threads=1)
    two = compute_coverage(folder, sizes, n_threads=2)
    for k in ("start", "core", "end"):
        a, b = one.runs("chr18", k), two.runs("chr18", k)
        assert all((x == y).all() for x, y in zip(a, b, strict=True))
    for method in ("cc", "ccf", "ml", "hmm"):
        u1 = build_universe(one, method, n_threads=1)
        u3 = build_universe(two, method, n_threads=3)
        assert u1 == u3
        if method != "cc":
            assert u1.extra_column(3) == u3.extra_column(3)
            assert u1.extra_column(4) == u3.extra_column(4)
    files = sorted(folder.glob("*.bed"))
    u = build_universe(one, "cc", cutoff=2)
    assert assess(u, files, n_threads=1).equals(assess(u, files, n_threads=2))
