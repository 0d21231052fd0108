"""Hypothesis: coverage and CC invariants on random intervals."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from geniml.io import RegionSet
from geniml.universe import cc_universe, compute_coverage
from tests._oracles import naive_merge

SIZE = 500


@st.composite
def region_sets(draw):
    n_sets = draw(st.integers(1, 4))
    out = []
    for _ in range(n_sets):
        rows = []
        for _ in range(draw(st.integers(1, 12))):
            s = draw(st.integers(0, SIZE - 1))
            e = draw(st.integers(s, min(SIZE, s + 80)))
            rows.append(("chr1", s, e))
        out.append(rows)
    return out


@settings(max_examples=60, deadline=None)
@given(region_sets(), st.integers(0, 30))
def test_core_total_is_total_width_and_runs_are_disjoint(sets, smooth):
    cov = compute_coverage([RegionSet(r) for r in sets], {"chr1": SIZE}, smooth=smooth)
    s, e, v = cov.runs("chr1", "core")
    assert int(((e - s).astype("int64") * v).sum()) == sum(b - a for r in sets for _, a, b in r)
    for k in ("start", "core", "end"):
        s, e, v = cov.runs("chr1", k)
        assert (v > 0).all() and (s < e).all() and (s[1:] >= e[:-1]).all() and (e <= SIZE).all()
    # each start adds a window of at most 2 * smooth + 1 bases
    s, e, v = cov.runs("chr1", "start")
    n = sum(len(r) for r in sets)
    assert 0 < int(((e - s).astype("int64") * v).sum()) <= n * (2 * smooth + 1)


@settings(max_examples=60, deadline=None)
@given(region_sets())
def test_cc_cutoff_one_is_the_union(sets):
    rows = [r for rs in sets for r in rs if r[2] > r[1]]
    if not rows:
        return
    u = cc_universe([RegionSet(r) for r in sets], cutoff=1, chrom_sizes={"chr1": SIZE})
    assert [tuple(x) for x in u] == naive_merge(rows)
