"""ML and HMM universes against naive per-base numpy oracles on a real coverage track.

The track: the 11 DiffBind ER ChIP-seq peak sets, first 3 Mbp of chr18 (hg19). The oracles
expand the run-length tracks to one value per base and decode every window with a plain
Viterbi over the full 4 x 4 transition matrix, then turn the path into BED9 regions as
upstream's ``predictions_to_bed`` does. Also here: the flexible merge / size filter of the ML
and HMM universes (now in Rust) against the Python post-processing they replaced.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from geniml.io import RegionSet, read_bed
from geniml.universe import Coverage, hmm_universe, ml_universe, read_likelihood_model
from geniml.universe._shared import LAMBDAS, STARTPROB, TRANSMAT, model_tables

# numpy-only (the core install the minimum-versions job tests has no scipy)
_lgamma = np.vectorize(math.lgamma, otypes=[float])


def xlogy(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """x * log(y), 0 where x == 0 (scipy.special.xlogy)."""
    x, y = np.broadcast_arrays(np.asarray(x, float), np.asarray(y, float))
    out = np.zeros(x.shape)
    nz = x != 0
    out[nz] = x[nz] * np.log(y[nz])
    return out


def gammaln(x: np.ndarray) -> np.ndarray:
    """log Gamma(x) elementwise (scipy.special.gammaln for x > 0)."""
    return _lgamma(x)


SPAN = 3_000_000
TRACKS = ("start", "core", "end")


@pytest.fixture(scope="module")
def collection(shared_data) -> list[RegionSet]:
    folder = shared_data / "bedsets" / "diffbind_er_chr18_hg19"
    sets = []
    for p in sorted(folder.glob("*.bed")):
        rs = read_bed(p)
        keep = np.flatnonzero(rs.ends <= SPAN)
        sets.append(rs[keep])
    assert len(sets) == 11 and sum(len(s) for s in sets) > 150
    return sets


@pytest.fixture(scope="module")
def cov(collection) -> Coverage:
    return Coverage.from_regions(collection, {"chr18": SPAN}, smooth=25)


def _dense(cov: Coverage) -> np.ndarray:
    """``(SPAN, 3)`` per-base start/core/end values."""
    out = np.zeros((SPAN, 3), dtype=np.int64)
    for t, name in enumerate(TRACKS):
        starts, ends, values = cov.runs("chr18", name)
        for s, e, v in zip(starts.tolist(), ends.tolist(), values.tolist(), strict=True):
            out[s:e, t] = v
    return out


def _windows(nonzero: np.ndarray) -> list[tuple[int, int]]:
    """Upstream's ``find_full``: 500 bp around covered bases, gaps over 1000 bp split."""
    pos = np.flatnonzero(nonzero)
    if len(pos) == 0:
        return []
    breaks = np.flatnonzero(np.diff(pos) > 1000)
    firsts = np.concatenate([[pos[0]], pos[breaks + 1]])
    lasts = np.concatenate([pos[breaks], [pos[-1]]])
    out = []
    for k, (a, b) in enumerate(zip(firsts.tolist(), lasts.tolist(), strict=True)):
        start = 0 if k == 0 and a <= 1000 else max(a - 500, 0)
        out.append((start, min(b + 500, len(nonzero))))
    return out


def _viterbi(
    emit: np.ndarray, log_t: np.ndarray, log_start: np.ndarray, *, lowest_wins: bool
) -> np.ndarray:
    """Most likely state path (``emit``: n x 4 log emissions, ``log_t[i, j]``: from i to j).

    Ties: ``lowest_wins`` takes the lowest-numbered predecessor (hmmlearn's argmax), else the
    state itself is kept (upstream's ML rule).
    """
    n = len(emit)
    states = np.arange(4)
    back = np.zeros((n, 4), dtype=np.int8)
    score = log_start + emit[0]
    for i in range(1, n):
        cand = score[:, None] + log_t  # cand[i, j]: come from i into j
        best = np.argmax(cand, axis=0)
        if not lowest_wins:
            best = np.where(cand[states, states] == cand.max(axis=0), states, best)
        back[i] = best
        score = cand[best, states] + emit[i]
    path = np.empty(n, dtype=np.int8)
    path[-1] = int(np.argmax(score))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def _regions(offset: int, path: np.ndarray) -> list[tuple[int, int, int, int]]:
    """Runs of non-background states with a core and an end: (start, end, thickS, thickE)."""
    out = []
    i, n = 0, len(path)
    while i < n:
        if path[i] == 3:
            i += 1
            continue
        j = i
        while j < n and path[j] != 3:
            j += 1
        run = path[i:j].tolist()
        if 1 in run and 2 in run:
            out.append(
                (offset + i, offset + j, offset + i + run.index(1), offset + i + run.index(2))
            )
        i = j
    return out


def _as_rows(u: RegionSet) -> list[tuple[int, int, int, int]]:
    ts = [int(x) for x in u.extra_column(3)]
    te = [int(x) for x in u.extra_column(4)]
    return list(zip(u.starts.tolist(), u.ends.tolist(), ts, te, strict=True))


def _decode_all(dense, emit_fn, log_t, log_start, *, lowest_wins):
    rows = []
    for s, e in _windows(dense.sum(axis=1) >= 1):
        path = _viterbi(emit_fn(dense[s:e]), log_t, log_start, lowest_wins=lowest_wins)
        rows.extend(_regions(s, path))
    return rows


def test_likelihood_tables_follow_the_binomial_formula(cov):
    (name, size, *tables) = model_tables(cov, 11)[0]
    assert (name, size) == ("chr18", SPAN)
    dense = _dense(cov)
    for t, table in enumerate(tables):
        table = table.reshape(-1, 2)
        values, counts = np.unique(dense[:, t], return_counts=True)
        total = float((values * counts).sum())
        for v in values.tolist():
            bg = np.log10(max(11 - v, 0) / (11 * SPAN - total) + 1e-10)
            fg = np.log10(v / total + 1e-10)
            assert table[v] == pytest.approx([bg, fg], abs=1e-12)


def test_ml_universe_equals_a_naive_viterbi(cov, tmp_path):
    from geniml.universe import build_likelihood_model

    model = build_likelihood_model(cov, tmp_path / "model.tar", file_no=11)
    (_, _, *tables) = read_likelihood_model(model)[0]
    tab = [t.reshape(-1, 2) for t in tables]

    def emit(x: np.ndarray) -> np.ndarray:
        (sb, su), (cb, cu), (eb, eu) = (tab[t][x[:, t]].T for t in range(3))
        return np.stack([su + cb + eb, sb + cu + eb, sb + cb + eu, sb + cb + eb], axis=1)

    # ML: every move is free (log 1 = 0) along the cycle 0 -> 1 -> 2 -> 3 -> 0, others barred
    log_t = np.full((4, 4), -np.inf)
    for j in range(4):
        log_t[j, j] = log_t[j, (j + 1) % 4] = 0.0
    want = _decode_all(_dense(cov), emit, log_t, np.zeros(4), lowest_wins=False)
    got = ml_universe(cov, model_file=model)
    assert len(want) > 20
    assert _as_rows(got) == want


def test_hmm_universe_equals_a_naive_viterbi(cov):
    lam = np.asarray(LAMBDAS)

    def emit(x: np.ndarray) -> np.ndarray:
        # scipy.stats.poisson.logpmf, summed over the three tracks
        ll = xlogy(x[:, None, :], lam[None]) - gammaln(x[:, None, :] + 1) - lam[None]
        return ll.sum(axis=2)

    with np.errstate(divide="ignore"):
        log_t = np.log(np.asarray(TRANSMAT))
        log_start = np.log(np.asarray(STARTPROB))
    want = _decode_all(_dense(cov), emit, log_t, log_start, lowest_wins=True)
    got = hmm_universe(cov, normalize=False)
    assert len(want) > 20
    assert _as_rows(got) == want


def _post_oracle(u: RegionSet, merge: int, min_size: int) -> list[tuple[int, int, int, int]]:
    """The Python post-processing ML/HMM used before it moved to Rust: size filter, then
    join consecutive regions whose gap is in ``(0, merge)``."""
    rows = [r for r in _as_rows(u) if r[1] - r[0] >= min_size]
    out: list[tuple[int, int, int, int]] = []
    for r in rows:
        if out and merge and 0 < r[0] - out[-1][1] < merge:
            a = out[-1]
            out[-1] = (a[0], r[1], a[2], r[3])
        else:
            out.append(r)
    return out


@pytest.mark.parametrize(("merge", "min_size"), [(0, 300), (2000, 0), (5000, 400)])
def test_ml_and_hmm_merge_and_filter_match_the_former_python(cov, merge, min_size, tmp_path):
    for build in (
        lambda **kw: ml_universe(cov, file_no=11, **kw),
        lambda **kw: hmm_universe(cov, **kw),
    ):
        plain = build()
        want = _post_oracle(plain, merge, min_size)
        got = build(
            merge_distance=merge, min_size=min_size, output_file=tmp_path / "u.bed", force=True
        )
        assert len(want) < len(plain)  # the options changed something
        assert _as_rows(got) == want
        text = (tmp_path / "u.bed").read_text().splitlines()
        assert text == [
            f"chr18\t{s}\t{e}\tuniverse\t0\t.\t{a}\t{b}\t0,0,255" for s, e, a, b in want
        ]
