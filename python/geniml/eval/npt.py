"""Upstream ``geniml.eval.npt``: neighbourhood preserving test (see :func:`geniml.evaluation.npt_score`)."""

from __future__ import annotations

import numpy as np

from geniml.eval.utils import num_workers_threads as _workers
from geniml.eval.utils import region_embeddings
from geniml.evaluation.region_scores import Distance, npt_score

__all__ = ["cal_snpr", "get_npt_score", "get_npt_score_batch", "npt_eval"]


def cal_snpr(ratio_embed: np.ndarray, ratio_random: np.ndarray) -> np.ndarray:
    """Significant neighbourhood preserving ratio: ``max(log10(embed / random), 0)``.

    Upstream's 1e-10 guards keep zero ratios finite.

    Args:
        ratio_embed: neighbourhood preserving ratios of the embeddings.
        ratio_random: the same ratios for random embeddings.

    Returns:
        The SNPR, element-wise.

    Examples:
        >>> import numpy as np
        >>> cal_snpr(np.array([0.1, 0.01]), np.array([0.01, 0.1]))
        array([1., 0.])
    """
    return np.maximum(np.log10((ratio_embed + 1.0e-10) / (ratio_random + 1.0e-10)), 0)


def get_npt_score(
    model_path: str,
    embed_type: str,
    K: int,
    num_samples: int = 100,
    seed: int = 0,
    resolution: int = 10,
    dist: Distance = "cosine",
    num_workers: int = 10,
) -> dict:
    """NPT of one model as upstream's dict (see :func:`geniml.evaluation.npt_score`).

    Args:
        model_path: the model (a folder for ``"exmodel"``, a pickle for ``"base"``).
        embed_type: how ``model_path`` is read: ``"exmodel"``, ``"base"`` or ``"region2vec"``.
        K: neighbourhood size.
        num_samples: number of query regions.
        seed: seed of the query sample.
        resolution: step of the neighbourhood sizes (``resolution, 2*resolution, ... <= K``).
        dist: embedding distance, ``"cosine"`` or ``"euclidean"``.
        num_workers: threads of the neighbour search.

    Returns:
        ``{"K", "Avg_qNPR", "Avg_rNPR", "SNPR", "Resolution", "Path"}``.

    Examples:
        >>> from geniml import datasets
        >>> model = str(datasets.region2vec_hg38())  # an upstream Region2Vec export
        >>> res = get_npt_score(model, "exmodel", K=20, num_samples=50, num_workers=1)
        >>> sorted(res)
        ['Avg_qNPR', 'Avg_rNPR', 'K', 'Path', 'Resolution', 'SNPR']
    """
    res = npt_score(
        region_embeddings(model_path, embed_type),
        k=K,
        n_samples=num_samples,
        seed=seed,
        resolution=resolution,
        distance=dist,
        n_threads=_workers(num_workers),
    )
    return {
        "K": res.k,
        "Avg_qNPR": res.query_npr,
        "Avg_rNPR": res.random_npr,
        "SNPR": res.snpr,
        "Resolution": res.resolution,
        "Path": model_path,
    }


def get_npt_score_batch(
    batch: list[tuple[str, str]],
    K: int,
    num_samples: int = 100,
    num_workers: int = 10,
    seed: int = 0,
    resolution: int = 10,
    dist: Distance = "cosine",
) -> list[dict]:
    """NPT dicts (:func:`get_npt_score`) of several models.

    Args:
        batch: ``[(path, embed_type)]`` pairs.
        K: neighbourhood size.
        num_samples: number of query regions per model.
        num_workers: threads of the neighbour search.
        seed: seed of the query sample.
        resolution: step of the neighbourhood sizes (``resolution, 2*resolution, ... <= K``).
        dist: embedding distance, ``"cosine"`` or ``"euclidean"``.

    Returns:
        One dict per model, in ``batch`` order.

    Examples:
        >>> from geniml import datasets
        >>> model = str(datasets.region2vec_hg38())  # an upstream Region2Vec export
        >>> [r["K"] for r in get_npt_score_batch([(model, "exmodel")], K=20, num_samples=50, num_workers=1)]
        [20]
    """
    return [
        get_npt_score(p, t, K, num_samples, seed, resolution, dist, num_workers) for p, t in batch
    ]


def npt_eval(
    batch: list[tuple[str, str]],
    K: int,
    num_samples: int = 100,
    num_workers: int = 10,
    num_runs: int = 20,
    resolution: int = 10,
    dist: Distance = "cosine",
) -> list[tuple[str, np.ndarray, int]]:
    """SNPRs of each model with seeds ``0..num_runs-1``.

    Args:
        batch: ``[(path, embed_type)]`` pairs.
        K: neighbourhood size.
        num_samples: number of query regions per run.
        num_workers: threads of the neighbour search.
        num_runs: number of seeds (runs) per model.
        resolution: step of the neighbourhood sizes (``resolution, 2*resolution, ... <= K``).
        dist: embedding distance, ``"cosine"`` or ``"euclidean"``.

    Returns:
        ``[(path, SNPR array (num_runs, number of neighbourhood sizes), resolution)]``.

    Examples:
        >>> from geniml import datasets
        >>> model = str(datasets.region2vec_hg38())  # an upstream Region2Vec export
        >>> [(s.shape[0], r) for _, s, r in npt_eval([(model, "exmodel")], K=20, num_samples=50, num_workers=1, num_runs=2)]
        [(2, 10)]
    """
    n = _workers(num_workers)
    out = []
    for p, t in batch:
        m = region_embeddings(p, t)
        snprs = [
            npt_score(
                m,
                k=K,
                n_samples=num_samples,
                seed=s,
                resolution=resolution,
                distance=dist,
                n_threads=n,
            ).snpr
            for s in range(num_runs)
        ]
        out.append((p, np.array(snprs), resolution))
    return out
