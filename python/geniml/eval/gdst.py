"""Upstream ``geniml.eval.gdst``: genome distance scaling test (see :func:`geniml.evaluation.gdst_score`)."""

from __future__ import annotations

from geniml.eval.utils import region_embeddings
from geniml.evaluation.region_scores import gdst_score

__all__ = ["gdst_eval", "get_gdst_score", "get_gdst_score_batch"]


def get_gdst_score(
    path: str, embed_type: str = "exmodel", num_samples: int = 10000, seed: int = 42
) -> float:
    """GDST slope of one model (upstream signature)."""
    return gdst_score(region_embeddings(path, embed_type), n_samples=num_samples, seed=seed)


def get_gdst_score_batch(
    batch: list[tuple[str, str]], num_samples: int = 10000, seed: int = 42
) -> list[tuple[str, float]]:
    """``[(path, GDST)]`` for ``[(path, embed_type)]``."""
    return [(p, get_gdst_score(p, t, num_samples, seed)) for p, t in batch]


def gdst_eval(
    batch: list[tuple[str, str]], num_runs: int = 20, num_samples: int = 1000
) -> list[tuple[str, list[float]]]:
    """GDST of each model with seeds ``0..num_runs-1``: ``[(path, slopes)]``."""
    models = [(p, region_embeddings(p, t)) for p, t in batch]
    return [
        (p, [gdst_score(m, n_samples=num_samples, seed=s) for s in range(num_runs)])
        for p, m in models
    ]
