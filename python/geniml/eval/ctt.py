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
    """CTT score of one model (upstream signature; see :func:`geniml.evaluation.ctt_score`).

    Args:
        path: the model (a folder for ``"exmodel"``, a pickle for ``"base"``, a gensim file for
            ``"region2vec"``).
        embed_type: how ``path`` is read: ``"exmodel"``, ``"base"`` or ``"region2vec"``.
        seed: seed of the region sample.
        num_data: number of regions sampled.
        num_workers: threads of the scoring (>= 1).

    Returns:
        The cluster tendency score.

    Examples:
        >>> from geniml import datasets
        >>> model = str(datasets.region2vec_hg38())  # an upstream Region2Vec export
        >>> s = get_ctt_score(model, "exmodel", num_data=500, num_workers=1)
        >>> isinstance(s, float)
        True
    """
    return ctt_score(
        region_embeddings(path, embed_type),
        n_samples=num_data,
        seed=seed,
        n_threads=_workers(num_workers),
    )


def get_ctt_batch(
    batch: list[tuple[str, str]], seed: int = 42, num_data: int = 10000, num_workers: int = 10
) -> list[tuple[str, float]]:
    """CTT scores of several models.

    Args:
        batch: ``[(path, embed_type)]`` pairs, as for :func:`get_ctt_score`.
        seed: seed of the region sample.
        num_data: number of regions sampled per model.
        num_workers: threads of the scoring.

    Returns:
        ``[(path, CTT score)]`` in ``batch`` order.

    Examples:
        >>> from geniml import datasets
        >>> model = str(datasets.region2vec_hg38())  # an upstream Region2Vec export
        >>> [p == model for p, _ in get_ctt_batch([(model, "exmodel")], num_data=500, num_workers=1)]
        [True]
    """
    return [(p, get_ctt_score(p, t, seed, num_data, num_workers)) for p, t in batch]


def ctt_eval(
    batch: list[tuple[str, str]], num_runs: int = 20, num_data: int = 10000, num_workers: int = 10
) -> list[tuple[str, list[float]]]:
    """CTT of each model with seeds ``0..num_runs-1``.

    Args:
        batch: ``[(path, embed_type)]`` pairs.
        num_runs: number of seeds (runs) per model.
        num_data: number of regions sampled per run.
        num_workers: threads of the scoring.

    Returns:
        ``[(path, [score per run])]``.

    Examples:
        >>> from geniml import datasets
        >>> model = str(datasets.region2vec_hg38())  # an upstream Region2Vec export
        >>> [(p == model, len(s)) for p, s in ctt_eval([(model, "exmodel")], num_runs=2, num_data=500, num_workers=1)]
        [(True, 2)]
    """
    n = _workers(num_workers)
    models = [(p, region_embeddings(p, t)) for p, t in batch]
    return [
        (p, [ctt_score(m, n_samples=num_data, seed=s, n_threads=n) for s in range(num_runs)])
        for p, m in models
    ]
