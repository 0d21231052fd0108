"""Upstream ``geniml.eval.rct``: reconstruction test (see :func:`geniml.evaluation.rct_score`)."""

from __future__ import annotations

from geniml.eval.utils import region_embeddings
from geniml.evaluation.region_scores import rct_score

__all__ = ["get_rct_score", "rct_eval", "reconstruction_batch"]


def get_rct_score(
    path: str,
    embed_type: str,
    bin_path: str,
    out_dim: int = -1,
    cv_num: int = 5,
    seed: int = 42,
    num_workers: int = 10,
) -> float:
    """RCT score of one model against a BaseEmbeddings pickle of binary embeddings."""
    return rct_score(
        region_embeddings(path, embed_type),
        binary=region_embeddings(bin_path, "base"),
        cv=cv_num,
        out_dim=out_dim,
        seed=seed,
        n_jobs=min(num_workers, cv_num),
    )


def reconstruction_batch(
    batch: list[tuple[str, str, str]],
    cv_num: int = 5,
    out_dim: int = -1,
    seed: int = 42,
    num_workers: int = 10,
) -> list[tuple[str, float]]:
    """``[(path, RCT)]`` for ``[(path, embed_type, bin_path)]``."""
    return [(p, get_rct_score(p, t, b, out_dim, cv_num, seed, num_workers)) for p, t, b in batch]


def rct_eval(
    batch: list[tuple[str, str, str]],
    num_runs: int = 5,
    cv_num: int = 5,
    out_dim: int = -1,
    num_workers: int = 10,
) -> list[tuple[str, list[float]]]:
    """RCT of each model with seeds ``0..num_runs-1``: ``[(path, scores)]``."""
    return [
        (p, [get_rct_score(p, t, b, out_dim, cv_num, s, num_workers) for s in range(num_runs)])
        for p, t, b in batch
    ]
