"""Upstream ``geniml.eval.ctt``: cluster tendency test (see :func:`geniml.evaluation.ctt_score`)."""

from __future__ import annotations

from geniml.eval.utils import num_workers_threads as _workers
from geniml.eval.utils import region_embeddings
from geniml.evaluation.region_scores import ctt_score

__all__ = ["ctt_eval", "get_ctt_batch", "get_ctt_score"]


def get_ctt_score(
    path: str,
    embed_type: str = "exmodel",
    seed: int = 42,
    num_data: int = 10000,
    num_workers: int = 10,
) -> float:
    """CTT score of one model (upstream signature; ``num_workers``: threads of the scoring)."""
    return ctt_score(
        region_embeddings(path, embed_type),
        n_samples=num_data,
        seed=seed,
        n_threads=_workers(num_workers),
    )


def get_ctt_batch(
    batch: list[tuple[str, str]], seed: int = 42, num_data: int = 10000, num_workers: int = 10
) -> list[tuple[str, float]]:
    """``[(path, CTT)]`` for ``[(path, embed_type)]``."""
    return [(p, get_ctt_score(p, t, seed, num_data, num_workers)) for p, t in batch]


def ctt_eval(
    batch: list[tuple[str, str]], num_runs: int = 20, num_data: int = 10000, num_workers: int = 10
) -> list[tuple[str, list[float]]]:
    """CTT of each model with seeds ``0..num_runs-1``: ``[(path, scores)]``."""
    n = _workers(num_workers)
    models = [(p, region_embeddings(p, t)) for p, t in batch]
    return [
        (p, [ctt_score(m, n_samples=num_data, seed=s, n_threads=n) for s in range(num_runs)])
        for p, m in models
    ]
