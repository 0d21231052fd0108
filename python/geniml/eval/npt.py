"""Upstream ``geniml.eval.npt``: neighbourhood preserving test (see :func:`geniml.evaluation.npt_score`)."""

from __future__ import annotations

import numpy as np

from geniml.eval.utils import num_workers_threads as _workers
from geniml.eval.utils import region_embeddings
from geniml.evaluation.region_scores import Distance, npt_score

__all__ = ["cal_snpr", "get_npt_score", "get_npt_score_batch", "npt_eval"]


def cal_snpr(ratio_embed: np.ndarray, ratio_random: np.ndarray) -> np.ndarray:
    """``max(log10(ratio_embed / ratio_random), 0)`` with upstream's 1e-10 guards."""
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
    """NPT of one model as upstream's dict (``K``, ``Avg_qNPR``, ``Avg_rNPR``, ``SNPR``, ...).

    ``num_workers`` is the thread count of the neighbour search.
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
    """NPT dicts for ``[(path, embed_type)]``."""
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
    """SNPRs of each model with seeds ``0..num_runs-1``: ``[(path, (runs, sizes) array, resolution)]``."""
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
