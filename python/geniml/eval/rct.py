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
    """RCT score of one model: how well its vectors reconstruct binary region embeddings.

    Args:
        path: the model (a folder for ``"exmodel"``, a pickle for ``"base"``).
        embed_type: how ``path`` is read: ``"exmodel"``, ``"base"`` or ``"region2vec"``.
        bin_path: a :class:`BaseEmbeddings` pickle of the binary embeddings
            (:func:`~geniml.eval.get_bin_embeddings`).
        out_dim: number of binary dimensions to predict (``-1``: all).
        cv_num: cross-validation folds.
        seed: seed of the folds.
        num_workers: parallel folds (at most ``cv_num``).

    Returns:
        The mean cross-validated R^2.

    Examples:
        >>> import tempfile, pathlib
        >>> from geniml import datasets
        >>> from geniml.eval import get_bin_embeddings, save_base_embeddings
        >>> from geniml.io import BedSet
        >>> model = str(datasets.region2vec_hg38())
        >>> bins = pathlib.Path(tempfile.mkdtemp()) / "bins.pkl"
        >>> beds = BedSet(datasets.hg38_sample()).paths
        >>> save_base_embeddings(get_bin_embeddings(f"{model}/universe.bed", beds), bins)
        >>> isinstance(get_rct_score(model, "exmodel", str(bins), cv_num=2, num_workers=1), float)
        True
    """
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
    """RCT scores (:func:`get_rct_score`) of several models.

    Args:
        batch: ``[(path, embed_type, bin_path)]`` triples.
        cv_num: cross-validation folds.
        out_dim: number of binary dimensions to predict (``-1``: all).
        seed: seed of the folds.
        num_workers: parallel folds.

    Returns:
        ``[(path, RCT score)]`` in ``batch`` order.

    Examples:
        >>> import tempfile, pathlib
        >>> from geniml import datasets
        >>> from geniml.eval import get_bin_embeddings, save_base_embeddings
        >>> from geniml.io import BedSet
        >>> model = str(datasets.region2vec_hg38())
        >>> bins = pathlib.Path(tempfile.mkdtemp()) / "bins.pkl"
        >>> beds = BedSet(datasets.hg38_sample()).paths
        >>> save_base_embeddings(get_bin_embeddings(f"{model}/universe.bed", beds), bins)
        >>> len(reconstruction_batch([(model, "exmodel", str(bins))], cv_num=2, num_workers=1))
        1
    """
    return [(p, get_rct_score(p, t, b, out_dim, cv_num, seed, num_workers)) for p, t, b in batch]


def rct_eval(
    batch: list[tuple[str, str, str]],
    num_runs: int = 5,
    cv_num: int = 5,
    out_dim: int = -1,
    num_workers: int = 10,
) -> list[tuple[str, list[float]]]:
    """RCT of each model with seeds ``0..num_runs-1``.

    Args:
        batch: ``[(path, embed_type, bin_path)]`` triples.
        num_runs: number of seeds (runs) per model.
        cv_num: cross-validation folds.
        out_dim: number of binary dimensions to predict (``-1``: all).
        num_workers: parallel folds.

    Returns:
        ``[(path, [score per run])]``.

    Examples:
        >>> import tempfile, pathlib
        >>> from geniml import datasets
        >>> from geniml.eval import get_bin_embeddings, save_base_embeddings
        >>> from geniml.io import BedSet
        >>> model = str(datasets.region2vec_hg38())
        >>> bins = pathlib.Path(tempfile.mkdtemp()) / "bins.pkl"
        >>> beds = BedSet(datasets.hg38_sample()).paths
        >>> save_base_embeddings(get_bin_embeddings(f"{model}/universe.bed", beds), bins)
        >>> [len(s) for _, s in rct_eval([(model, "exmodel", str(bins))], num_runs=2, cv_num=2, num_workers=1)]
        [2]
    """
    return [
        (p, [get_rct_score(p, t, b, out_dim, cv_num, s, num_workers) for s in range(num_runs)])
        for p, t, b in batch
    ]
