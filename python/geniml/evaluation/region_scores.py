"""Metadata-free scores of region embeddings (Zheng et al. 2024, upstream ``geniml.eval``).

- :func:`ctt_score`: cluster tendency test, Hopkins-like statistic (0.5 = uniform, -> 1 clustered).
- :func:`rct_score`: reconstruction test, cross-validated R^2 of an MLP predicting each region's
  binary (region x training file) embedding from its vector.
- :func:`gdst_score`: genome distance scaling test, slope of embedding cosine distance against
  genome distance over random same-chromosome region pairs.
- :func:`npt_score`: neighbourhood preserving test, overlap between a region's K nearest regions on
  the genome and in embedding space, against random embeddings (SNPR).

Definitions and defaults follow upstream geniml 0.8.4. Everything is vectorised over regions;
only chromosomes are looped over. ``seed`` drives a local ``numpy.random.RandomState`` that
makes the same draws as upstream for CTT, NPT and RCT (their scores match upstream exactly for a
seed); GDST draws its region pairs from the same distribution with a vectorised generator.

Coordinates are 0-based half-open ``[start, end)``.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Iterator, Sequence
from typing import Literal, NamedTuple

import numpy as np

from geniml.evaluation.models import RegionEmbeddings, load_region_embeddings
from geniml.exceptions import GenimlValueError
from geniml.io import RegionSet, read_bed

__all__ = [
    "NptResult",
    "binary_embeddings",
    "cosine_distances",
    "ctt_score",
    "gdst_score",
    "genome_distances",
    "npt_score",
    "rct_score",
]

# Upstream constants (geniml/eval/const.py).
GENOME_DIST_SCALAR = 1e10
CTT_QUANTILE_MAX = 0.95
CTT_QUANTILE_MIN = 0.05
CTT_TEST_RATIO = 0.1

Model = str | os.PathLike | np.ndarray | RegionEmbeddings | tuple
Distance = Literal["cosine", "euclidean", "jaccard"]


def genome_distances(
    starts_u: np.ndarray, ends_u: np.ndarray, starts_v: np.ndarray, ends_v: np.ndarray
) -> np.ndarray:
    """Upstream's genome distance between same-chromosome regions u and v, element-wise.

    ``v.start - u.end + 1`` when ``u`` ends before ``v`` ends, else ``u.start - v.end + 1``,
    clipped at 0 (so overlapping regions are at distance 0).

    Examples:
        >>> import numpy as np
        >>> genome_distances(np.array([0]), np.array([10]), np.array([15]), np.array([20]))
        array([6.])
    """
    su, eu = np.asarray(starts_u, np.int64), np.asarray(ends_u, np.int64)
    sv, ev = np.asarray(starts_v, np.int64), np.asarray(ends_v, np.int64)
    d = np.where(eu < ev, sv - eu + 1, su - ev + 1)
    return np.maximum(d, 0).astype(np.float64)


def cosine_distances(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Row-wise ``(1 - cos(x_i, y_i)) / 2`` (upstream's cosine distance, in [0, 1]).

    Examples:
        >>> import numpy as np
        >>> cosine_distances(np.array([[1.0, 0.0]]), np.array([[0.0, 2.0]]))
        array([0.5])
    """
    xn = x / np.linalg.norm(x, axis=1, keepdims=True)
    yn = y / np.linalg.norm(y, axis=1, keepdims=True)
    return (1 - np.einsum("ij,ij->i", xn, yn)) / 2


@contextlib.contextmanager
def _threads(n_threads: int | None) -> Iterator[None]:
    """Cap BLAS/OpenMP threads (small matrices run faster on one thread of a busy machine).

    ``None`` or -1: no cap (the libraries' default, all cores).
    """
    if n_threads is None or n_threads == -1:
        yield
        return
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=n_threads):
        yield


# -- CTT -----------------------------------------------------------------------------------------


def ctt_score(
    model: Model,
    regions: RegionSet | str | os.PathLike | None = None,
    *,
    n_samples: int = 10000,
    seed: int = 42,
    n_threads: int | None = None,
) -> float:
    """Cluster tendency test: how much more clustered the embeddings are than uniform noise.

    ``n_samples`` vectors are drawn (with replacement, as upstream); 10% of them and as many
    uniform points in the 5%-95% quantile box are matched to their nearest drawn vector; the
    score is ``sum(d_random^2) / (sum(d_random^2) + sum(d_vectors^2))``.

    Args:
        model: a model folder, ``.pkl``/``.npy`` file, array, or ``(vectors, regions)``.
        regions: the regions of an array model (not used by the score itself).
        n_samples: vectors drawn for the test (upstream ``num_data``).
        seed: random seed (same draws as upstream for the same seed).
        n_threads: BLAS/OpenMP threads (``None``: the libraries' default).

    Returns:
        The CTT score.

    Raises:
        GenimlValueError: fewer than 100 vectors, or all distances are zero.

    Examples:
        >>> import numpy as np
        >>> x = np.random.default_rng(0).normal(size=(500, 8))
        >>> round(ctt_score(x), 2) < 0.9
        True
    """
    if isinstance(model, np.ndarray) and regions is None:
        data = model
    else:
        data = load_region_embeddings(model, regions).vectors
    with _threads(n_threads):
        return _ctt(data, n_samples, seed)


def _ctt(data: np.ndarray, n_samples: int, seed: int) -> float:
    from sklearn.neighbors import NearestNeighbors

    if data.ndim != 2:
        raise GenimlValueError(f"embeddings must be 2-D, got shape {data.shape}")
    rs = np.random.RandomState(seed)
    n_ori, dim = data.shape
    num = min(n_samples, n_ori)
    data = data[rs.choice(n_ori, num)]
    if num < 100:
        raise GenimlValueError(f"CTT needs at least 100 vectors, got {num}")
    n_test = int(num * CTT_TEST_RATIO)
    sample = data[rs.choice(num, n_test)]
    nn = NearestNeighbors(n_neighbors=2).fit(data)
    sample_dist = nn.kneighbors(sample)[0][:, 1]
    hi = np.quantile(data, CTT_QUANTILE_MAX, axis=0)
    lo = np.quantile(data, CTT_QUANTILE_MIN, axis=0)
    random_points = rs.uniform(lo, hi, (n_test, dim))
    random_dist = nn.kneighbors(random_points, n_neighbors=1)[0][:, 0]
    x = float(np.sum(sample_dist.astype(np.float64) ** 2))
    y = float(np.sum(random_dist.astype(np.float64) ** 2))
    if x + y == 0:
        raise GenimlValueError("CTT is undefined: every nearest-neighbour distance is zero")
    return y / (x + y)


# -- binary embeddings and RCT -------------------------------------------------------------------


def _region_keys(rs: RegionSet, names: dict[str, int]) -> np.ndarray:
    """(n, 3) int64 rows (chrom id in ``names``, start, end); unknown chroms get -1."""
    lut = np.array([names.get(n, -1) for n in rs.chrom_names], dtype=np.int64)
    c = lut[rs.chroms] if len(lut) else np.zeros(0, np.int64)
    return np.column_stack([c, rs.starts.astype(np.int64), rs.ends.astype(np.int64)])


def _match_regions(query: RegionSet, ref: RegionSet) -> np.ndarray:
    """For each query region, the row of the identical region in ``ref`` (-1 when absent)."""
    names = {n: i for i, n in enumerate(ref.chrom_names)}
    qk, rk = _region_keys(query, names), _region_keys(ref, names)
    allk = np.concatenate([rk, qk])
    _, inv = np.unique(allk, axis=0, return_inverse=True)
    inv = inv.reshape(-1)
    slot = np.full(inv.max() + 1 if len(inv) else 0, -1, dtype=np.int64)
    slot[inv[: len(rk)][::-1]] = np.arange(len(rk))[::-1]  # first copy wins
    out = slot[inv[len(rk) :]]
    out[qk[:, 0] < 0] = -1
    return out


def binary_embeddings(
    universe: RegionSet | str | os.PathLike, token_files: Sequence[str | os.PathLike]
) -> np.ndarray:
    """Binary embeddings of universe regions: ``1`` where a tokenized file holds the region.

    Upstream's ``bin-gen``: ``out[i, j] = 1`` when region ``i`` of the universe appears exactly
    (same chrom, start, end) in tokenized BED file ``j`` (a file of universe regions).

    Args:
        universe: the universe (RegionSet or BED path, row order = token order).
        token_files: tokenized BED files, one column each.

    Returns:
        ``(n_regions, n_files)`` float64 array of 0/1.

    Examples:
        >>> import tempfile, pathlib
        >>> from geniml.io import RegionSet
        >>> u = RegionSet([("chr1", 0, 10), ("chr1", 20, 30)])
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "t.bed"
        >>> _ = f.write_text("chr1\\t20\\t30\\n")
        >>> binary_embeddings(u, [f]).ravel().tolist()
        [0.0, 1.0]
    """
    if not isinstance(universe, RegionSet):
        universe = read_bed(universe)
    out = np.zeros((len(universe), len(token_files)))
    for j, path in enumerate(token_files):
        tokens = read_bed(path, allow_empty=True)
        rows = _match_regions(tokens, universe)
        out[rows[rows >= 0], j] = 1.0
    return out


def _aligned_binary(
    emb: RegionEmbeddings,
    binary: Model,
    binary_regions: RegionSet | str | os.PathLike | None,
) -> np.ndarray:
    if isinstance(binary, np.ndarray) and binary_regions is None:
        if len(binary) != len(emb.regions):
            raise GenimlValueError(
                f"binary embeddings have {len(binary)} rows but the model has "
                f"{len(emb.regions)} regions (pass binary_regions= to align by region)"
            )
        return binary
    bin_emb = load_region_embeddings(binary, binary_regions)
    rows = _match_regions(emb.regions, bin_emb.regions)
    missing = np.flatnonzero(rows < 0)
    if missing.size:
        raise GenimlValueError(
            f"{missing.size} model region(s) have no binary embedding, e.g. "
            f"{emb.regions[int(missing[0])]}"
        )
    return bin_emb.vectors[rows]


def rct_score(
    model: Model,
    regions: RegionSet | str | os.PathLike | None = None,
    *,
    binary: Model,
    binary_regions: RegionSet | str | os.PathLike | None = None,
    cv: int = 5,
    out_dim: int = -1,
    seed: int = 42,
    n_jobs: int | None = None,
    n_threads: int | None = None,
) -> float:
    """Reconstruction test: cross-validated R^2 of predicting binary embeddings from vectors.

    A standardised MLP regressor (one hidden layer of 200 ReLU units, Adam, alpha 1e-4, learning
    rate 1e-3, 200 iterations; standardised targets) is scored with ``cv``-fold shuffled cross
    validation; the mean fold R^2 is returned (upstream's settings).

    Args:
        model: a model folder, ``.pkl``/``.npy`` file, array, or ``(vectors, regions)``.
        regions: the regions of an array model.
        binary: the binary (region x file) embeddings: an array aligned with the model rows, or
            a BaseEmbeddings ``.pkl`` / ``(array, regions)``, aligned by region.
        binary_regions: the regions of an array ``binary`` when it is not row-aligned.
        cv: number of folds.
        out_dim: predict only this many randomly chosen binary columns (``-1``: all).
        seed: random seed of the folds, the MLP and the column choice.
        n_jobs: parallel folds (joblib).
        n_threads: BLAS/OpenMP threads per fold (``None``: the libraries' default). On a busy
            machine ``1`` is often several times faster than the default.

    Returns:
        The mean R^2 over folds.

    Raises:
        GenimlValueError: model regions without a binary embedding.

    Examples:
        >>> import numpy as np
        >>> from geniml.io import RegionSet
        >>> rng = np.random.default_rng(0)
        >>> vec = rng.normal(size=(150, 4))
        >>> rs = RegionSet((["chr1"] * 150, np.arange(150) * 100, np.arange(150) * 100 + 50))
        >>> binary = (vec[:, :3] > 0).astype(float)  # each "file" depends on the vector
        >>> rct_score(vec, rs, binary=binary, cv=3, n_threads=1) > 0.5
        True
    """
    from sklearn.compose import TransformedTargetRegressor
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import KFold, cross_val_score
    from sklearn.neural_network import MLPRegressor
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    emb = load_region_embeddings(model, regions)
    target = np.asarray(_aligned_binary(emb, binary, binary_regions))
    if out_dim > 0:
        n_cols = target.shape[1]
        target = target[:, np.random.RandomState(seed).choice(n_cols, min(n_cols, out_dim))]
    mlp = MLPRegressor(
        hidden_layer_sizes=(200,),
        activation="relu",
        solver="adam",
        alpha=0.0001,
        learning_rate_init=0.001,
        max_iter=200,
        shuffle=True,
        random_state=seed,
        tol=0.0001,
        n_iter_no_change=10,
    )
    reg = TransformedTargetRegressor(
        regressor=make_pipeline(StandardScaler(), mlp), transformer=StandardScaler()
    )
    folds = KFold(n_splits=cv, shuffle=True, random_state=seed)
    with warnings.catch_warnings(), _threads(n_threads):
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = cross_val_score(reg, emb.vectors, target, cv=folds, n_jobs=n_jobs)
    return float(np.mean(scores))


# -- GDST ----------------------------------------------------------------------------------------


def _chrom_groups(regions: RegionSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows grouped by chromosome: (order, group offsets, group sizes) indexed by chrom id."""
    n_chrom = len(regions.chrom_names)
    order = np.argsort(regions.chroms, kind="stable")
    sizes = np.bincount(regions.chroms, minlength=n_chrom)
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return order, offsets, sizes


def _gdst_slope(emb: RegionEmbeddings, i: np.ndarray, j: np.ndarray) -> float:
    """Least-squares slope of cosine distance on (genome distance / 1e10) for pairs (i, j)."""
    rs, vec = emb.regions, emb.vectors
    gd = genome_distances(rs.starts[i], rs.ends[i], rs.starts[j], rs.ends[j]) / GENOME_DIST_SCALAR
    ed = cosine_distances(vec[i], vec[j]).astype(np.float64)
    xc = gd - gd.mean()
    denom = float(xc @ xc)
    if denom == 0:
        raise GenimlValueError("GDST is undefined: every sampled pair has the same genome distance")
    return float(xc @ (ed - ed.mean()) / denom)


def gdst_score(
    model: Model,
    regions: RegionSet | str | os.PathLike | None = None,
    *,
    n_samples: int = 10000,
    seed: int = 42,
    n_threads: int | None = None,
) -> float:
    """Genome distance scaling test: slope of embedding distance against genome distance.

    ``n_samples`` pairs of distinct regions are drawn: a chromosome with probability proportional
    to its number of regions (chromosomes with a single region are never drawn), then two
    distinct regions of it uniformly. The score is the least-squares slope of their cosine
    distance ``(1 - cos) / 2`` on their genome distance divided by 1e10.

    Args:
        model: a model folder, ``.pkl``/``.npy`` file, array, or ``(vectors, regions)``.
        regions: the regions of an array model.
        n_samples: number of region pairs.
        seed: random seed.
        n_threads: BLAS/OpenMP threads (``None``: the libraries' default).

    Returns:
        The GDST slope.

    Raises:
        GenimlValueError: no chromosome holds two regions.

    Examples:
        >>> import numpy as np
        >>> from geniml.io import RegionSet
        >>> starts = np.arange(0, 100_000, 1000)
        >>> rs = RegionSet((["chr1"] * 100, starts, starts + 500))
        >>> vec = np.column_stack([np.cos(starts / 1e5), np.sin(starts / 1e5)])
        >>> gdst_score(vec, rs, n_samples=2000) > 0
        True
    """
    if n_samples < 2:
        raise GenimlValueError(f"GDST needs `n_samples` >= 2 pairs, got {n_samples}")
    emb = load_region_embeddings(model, regions)
    order, offsets, sizes = _chrom_groups(emb.regions)
    p = np.where(sizes >= 2, sizes, 0).astype(np.float64)
    if p.sum() == 0:
        raise GenimlValueError("GDST needs a chromosome with at least two regions")
    rng = np.random.default_rng(seed)
    c = rng.choice(len(p), size=n_samples, p=p / p.sum())
    n_c = sizes[c]
    a = (rng.random(n_samples) * n_c).astype(np.int64)
    b = (rng.random(n_samples) * (n_c - 1)).astype(np.int64)
    b += b >= a
    i, j = order[offsets[c] + a], order[offsets[c] + b]
    with _threads(n_threads):
        return _gdst_slope(emb, i, j)


# -- NPT -----------------------------------------------------------------------------------------


class NptResult(NamedTuple):
    """Result of :func:`npt_score`; arrays have one entry per neighbourhood size.

    Attributes:
        k: the largest neighbourhood size K.
        resolution: neighbourhood sizes are ``resolution, 2*resolution, ... <= K``.
        query_npr: mean overlap ratio for the model's embeddings (upstream ``Avg_qNPR``).
        random_npr: mean overlap ratio for random embeddings (upstream ``Avg_rNPR``).
        snpr: ``max(log10(query / random), 0)`` (upstream ``SNPR``).

    Examples:
        >>> from geniml import datasets
        >>> from geniml.evaluation import npt_score
        >>> res = npt_score(str(datasets.region2vec_hg38()), k=20, n_samples=50, n_threads=1)
        >>> res.k, res.snpr.shape
        (20, (2,))
    """

    k: int
    resolution: int
    query_npr: np.ndarray
    random_npr: np.ndarray
    snpr: np.ndarray


_CHUNK = 1 << 22  # elements of a (queries x chromosome regions) block


def _genome_knn(starts: np.ndarray, ends: np.ndarray, q: np.ndarray, k: int) -> np.ndarray:
    """Genome neighbours of sorted-chromosome positions ``q``, upstream-style.

    For each query the window ``[q-k, q+k]`` (clipped to the chromosome) is ranked by genome
    distance with numpy's default argsort and the first entry dropped. Rows are grouped by
    window length so that every row goes through the same argsort as upstream's 1-D call.
    Returns ``(len(q), k)`` local indices, ``-1`` padded.
    """
    n = len(starts)
    out = np.full((len(q), k), -1, dtype=np.int64)
    left = np.maximum(q - k, 0)
    right = np.minimum(q + k, n - 1)
    length = right - left + 1
    for w in np.unique(length):
        rows = np.flatnonzero(length == w)
        idx = left[rows, None] + np.arange(w)
        qq = q[rows, None]
        d = genome_distances(starts[qq], ends[qq], starts[idx], ends[idx])
        ranked = np.take_along_axis(idx, np.argsort(d, axis=1), axis=1)[:, 1 : k + 1]
        out[rows, : ranked.shape[1]] = ranked
    return out


def _embed_knn(
    vec: np.ndarray, q: np.ndarray, k: int, distance: Distance, norms: np.ndarray
) -> np.ndarray:
    """Embedding neighbours (local indices) of rows ``q`` of ``vec`` among all rows, self dropped."""
    n = len(vec)
    kk = min(k + 1, n)
    out = np.empty((len(q), kk - 1), dtype=np.int64)
    per_row = n * (vec.shape[1] if distance == "jaccard" else 1)
    step = max(1, _CHUNK // max(per_row, 1))
    for s in range(0, len(q), step):
        qs = q[s : s + step]
        if distance == "cosine":
            with np.errstate(divide="ignore", invalid="ignore"):
                key = -(vec[qs] @ vec.T) / (norms[qs, None] * norms[None, :])
        elif distance == "euclidean":
            sq = (norms**2)[None, :] + (norms[qs] ** 2)[:, None] - 2 * (vec[qs] @ vec.T)
            key = np.sqrt(np.maximum(sq, 0))
        else:  # jaccard on binary vectors
            inter = vec[qs] @ vec.T
            union = ((vec[qs][:, None, :] + vec[None, :, :]) > 0).sum(axis=2)
            with np.errstate(divide="ignore", invalid="ignore"):
                key = -inter / union
        key = np.where(np.isnan(key), np.inf, key)
        if kk < n:
            part = np.argpartition(key, kk - 1, axis=1)[:, :kk]
        else:
            part = np.broadcast_to(np.arange(n), (len(qs), n)).copy()
        pk = np.take_along_axis(key, part, axis=1)
        # nearest first, ties by index; the query itself is dropped wherever it ranks
        ranked = np.take_along_axis(part, np.lexsort((part, pk), axis=1), axis=1)
        is_self = ranked == qs[:, None]
        has_self = is_self.any(axis=1)
        keep = ~is_self
        keep[~has_self, kk - 1] = False
        out[s : s + step] = ranked[keep].reshape(len(qs), kk - 1)
    return out


def _overlap_counts(g: np.ndarray, e: np.ndarray, sizes: np.ndarray) -> np.ndarray:
    """For each row, |g[:i] & e[:i]| for each neighbourhood size i in ``sizes``."""
    n_q, kg = g.shape
    ke = e.shape[1]
    if n_q == 0 or kg == 0 or ke == 0:
        return np.zeros((n_q, len(sizes)))
    # rank of each genome neighbour in the embedding list (ke when absent)
    width = max(int(g.max(initial=0)), int(e.max(initial=0))) + 2
    row = np.arange(n_q)[:, None] * width
    ekeys = (row + e).ravel()
    eorder = np.argsort(ekeys, kind="stable")
    gkeys = (row + g).ravel()
    pos = np.searchsorted(ekeys[eorder], gkeys)
    pos = np.minimum(pos, len(ekeys) - 1)
    hit = (ekeys[eorder][pos] == gkeys) & (g.ravel() >= 0)
    erank = np.where(hit, eorder[pos] % ke, np.iinfo(np.int64).max).reshape(n_q, kg)
    both = np.maximum(erank, np.arange(kg)[None, :])
    return (both[:, :, None] < sizes[None, None, :]).sum(axis=1).astype(np.float64)


def npt_score(
    model: Model,
    regions: RegionSet | str | os.PathLike | None = None,
    *,
    k: int,
    n_samples: int = 100,
    seed: int = 0,
    resolution: int = 10,
    distance: Distance = "cosine",
    n_threads: int | None = None,
) -> NptResult:
    """Neighbourhood preserving test: do genome neighbours stay neighbours in embedding space?

    Regions are grouped by chromosome and sorted by start. ``n_samples`` query regions are
    drawn, each chromosome contributing ``round(n_samples * its share of regions)`` (``0``: every
    region). For each query, its ``K`` nearest regions on the genome (upstream's window rule) and
    in embedding space (same chromosome) are compared: for ``i = resolution, 2*resolution, ...,
    <= K`` the overlap ratio is ``|genome[:i] & embedding[:i]| / |genome[:i]|``. The same is done
    with random embeddings (``(U(0,1) - 0.5) / dim``), and ``SNPR = max(log10(ratio /
    random ratio), 0)``.

    Args:
        model: a model folder, ``.pkl``/``.npy`` file, array, or ``(vectors, regions)``.
        regions: the regions of an array model.
        k: the largest neighbourhood size K.
        n_samples: query regions (``0``: all).
        seed: random seed (same draws as upstream).
        resolution: step between neighbourhood sizes (``<= k``).
        distance: ``"cosine"``, ``"euclidean"`` or ``"jaccard"`` (binary embeddings).
        n_threads: BLAS/OpenMP threads (``None``: the libraries' default).

    Returns:
        An :class:`NptResult`.

    Raises:
        GenimlValueError: ``resolution`` is not in ``1..k`` or ``distance`` is unknown.

    Examples:
        >>> import numpy as np
        >>> from geniml.io import RegionSet
        >>> starts = np.arange(0, 200_000, 1000)
        >>> rs = RegionSet((["chr1"] * 200, starts, starts + 500))
        >>> vec = np.column_stack([np.cos(starts / 2e4), np.sin(starts / 2e4)])
        >>> res = npt_score(vec, rs, k=10, n_samples=50)
        >>> bool(res.snpr[0] > 0.5)
        True
    """
    if distance not in ("cosine", "euclidean", "jaccard"):
        raise GenimlValueError(
            f"`distance` must be one of {{'cosine','euclidean','jaccard'}}, got {distance!r}"
        )
    if not 1 <= resolution <= k:
        raise GenimlValueError(f"`resolution` must be in 1..k ({k}), got {resolution}")
    if n_samples < 0:
        raise GenimlValueError(f"`n_samples` must be >= 0 (0: every region), got {n_samples}")
    emb = load_region_embeddings(model, regions)
    with _threads(n_threads):
        return _npt(emb, k, n_samples, seed, resolution, distance)


def _npt(
    emb: RegionEmbeddings, k: int, n_samples: int, seed: int, resolution: int, distance: Distance
) -> NptResult:
    rs_, vec = emb.regions, emb.vectors
    n, dim = vec.shape
    rs = np.random.RandomState(seed)
    random_vec = (rs.rand(n, dim) - 0.5) / dim
    sizes = np.arange(resolution, k + 1, resolution)

    # chromosomes in order of first appearance, each sorted by start (stable)
    first = np.full(len(rs_.chrom_names), n, dtype=np.int64)
    np.minimum.at(first, rs_.chroms, np.arange(n))
    chrom_rank = np.argsort(np.argsort(first, kind="stable"), kind="stable")
    order = np.lexsort((rs_.starts, chrom_rank[rs_.chroms]))
    counts = np.bincount(rs_.chroms, minlength=len(first))
    chrom_seq = np.argsort(first, kind="stable")[: np.count_nonzero(counts)]

    totals = np.zeros((2, len(sizes)))
    n_queries = 0
    offset = 0
    vec_norms = np.linalg.norm(vec, axis=1)
    rnd_norms = np.linalg.norm(random_vec, axis=1)
    for c in chrom_seq:
        n_c = int(counts[c])
        rows = order[offset : offset + n_c]
        offset += n_c
        if n_samples == 0:
            q = np.arange(n_c)
        else:
            num = min(n_c, round(n_samples * (n_c / n)))
            q = rs.permutation(n_c)[:num]
        n_queries += len(q)
        if len(q) == 0 or n_c < 2:
            continue
        kg = min(k, n_c)
        g = _genome_knn(rs_.starts[rows], rs_.ends[rows], q, kg)
        denom = np.minimum(sizes[None, :], (g >= 0).sum(axis=1)[:, None]).astype(np.float64)
        for t, (v, norms) in enumerate(((vec, vec_norms), (random_vec, rnd_norms))):
            e = _embed_knn(v[rows], q, k, distance, norms[rows])
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(denom > 0, _overlap_counts(g, e, sizes) / denom, 0.0)
            totals[t] += ratio.sum(axis=0)
    if n_queries == 0:
        raise GenimlValueError("NPT drew no query region; raise n_samples")
    q_npr, r_npr = totals / n_queries
    snpr = np.maximum(np.log10((q_npr + 1.0e-10) / (r_npr + 1.0e-10)), 0)
    return NptResult(k, resolution, q_npr, r_npr, snpr)
