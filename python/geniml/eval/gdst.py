"""Upstream ``geniml.eval.gdst``: genome distance scaling test (see :func:`geniml.evaluation.gdst_score`)."""

from __future__ import annotations

from geniml.eval.utils import region_embeddings
from geniml.evaluation.region_scores import gdst_score

__all__ = ["gdst_eval", "get_gdst_score", "get_gdst_score_batch"]


def get_gdst_score(
    path: str, embed_type: str = "exmodel", num_samples: int = 10000, seed: int = 42
) -> float:
    """GDST slope of one model (upstream signature; see :func:`geniml.evaluation.gdst_score`).

    Args:
        path: the model (a folder for ``"exmodel"``, a pickle for ``"base"``, a gensim file for
            ``"region2vec"``).
        embed_type: how ``path`` is read.
        num_samples: number of region pairs sampled.
        seed: seed of the sample.

    Returns:
        The slope of embedding distance against genome distance.

    Examples:
        >>> from geniml import datasets
        >>> model = str(datasets.region2vec_hg38())  # an upstream Region2Vec export
        >>> isinstance(get_gdst_score(model, "exmodel", num_samples=1000), float)
        True
    """
    return gdst_score(region_embeddings(path, embed_type), n_samples=num_samples, seed=seed)


def get_gdst_score_batch(
    batch: list[tuple[str, str]], num_samples: int = 10000, seed: int = 42
) -> list[tuple[str, float]]:
    """GDST slopes of several models.

    Args:
        batch: ``[(path, embed_type)]`` pairs.
        num_samples: number of region pairs sampled per model.
        seed: seed of the sample.

    Returns:
        ``[(path, GDST slope)]`` in ``batch`` order.

    Examples:
        >>> from geniml import datasets
        >>> model = str(datasets.region2vec_hg38())  # an upstream Region2Vec export
        >>> len(get_gdst_score_batch([(model, "exmodel")], num_samples=1000))
        1
    """
    return [(p, get_gdst_score(p, t, num_samples, seed)) for p, t in batch]


def gdst_eval(
    batch: list[tuple[str, str]], num_runs: int = 20, num_samples: int = 1000
) -> list[tuple[str, list[float]]]:
    """GDST of each model with seeds ``0..num_runs-1``.

    Args:
        batch: ``[(path, embed_type)]`` pairs.
        num_runs: number of seeds (runs) per model.
        num_samples: number of region pairs sampled per run.

    Returns:
        ``[(path, [slope per run])]``.

    Examples:
        >>> from geniml import datasets
        >>> model = str(datasets.region2vec_hg38())  # an upstream Region2Vec export
        >>> [len(s) for _, s in gdst_eval([(model, "exmodel")], num_runs=2, num_samples=500)]
        [2]
    """
    models = [(p, region_embeddings(p, t)) for p, t in batch]
    return [
        (p, [gdst_score(m, n_samples=num_samples, seed=s) for s in range(num_runs)])
        for p, m in models
    ]
