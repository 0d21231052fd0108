"""Evaluation of embeddings, annotations and region-embedding models.

- Labelled embeddings: :func:`evaluate_embeddings` (silhouette, Davies-Bouldin,
  Calinski-Harabasz, ARI/NMI), :func:`cluster_agreement` (k-means or Leiden clusters vs labels),
  :func:`evaluate_annotation` (accuracy, F1, confusion matrix), :func:`plot_embeddings`.
- Metadata-free region-embedding scores of Zheng et al. 2024 (upstream ``geniml.eval``):
  :func:`ctt_score`, :func:`rct_score`, :func:`gdst_score`, :func:`npt_score`.

``assess_universe`` (universe quality) lives in :mod:`geniml.universe` and is re-exported here
lazily when that module is present.
"""

from __future__ import annotations

from typing import Any

from geniml.evaluation.metrics import (
    cluster_agreement,
    evaluate_annotation,
    evaluate_embeddings,
    load_embeddings,
    load_labels,
)
from geniml.evaluation.models import (
    BaseEmbeddings,
    RegionEmbeddings,
    load_region_embeddings,
    read_state_dict,
)
from geniml.evaluation.plot import plot_embeddings
from geniml.evaluation.region_scores import (
    NptResult,
    binary_embeddings,
    ctt_score,
    gdst_score,
    npt_score,
    rct_score,
)

__all__ = [
    "BaseEmbeddings",
    "NptResult",
    "RegionEmbeddings",
    "binary_embeddings",
    "cluster_agreement",
    "ctt_score",
    "evaluate_annotation",
    "evaluate_embeddings",
    "gdst_score",
    "load_embeddings",
    "load_labels",
    "load_region_embeddings",
    "npt_score",
    "plot_embeddings",
    "rct_score",
    "read_state_dict",
]

# Names provided by sibling modules that may not exist yet in every build.
_LAZY = {"assess_universe": "geniml.universe"}


def __getattr__(name: str) -> Any:
    """Resolve ``assess_universe`` from :mod:`geniml.universe` on first use."""
    if name in _LAZY:
        import importlib

        try:
            module = importlib.import_module(_LAZY[name])
        except ModuleNotFoundError as err:
            if err.name != _LAZY[name]:
                raise
            raise AttributeError(
                f"geniml.evaluation.{name} needs {_LAZY[name]}, which is not installed"
            ) from err
        try:
            return getattr(module, name)
        except AttributeError as err:
            raise AttributeError(f"{_LAZY[name]} defines no {name}") from err
    raise AttributeError(f"module 'geniml.evaluation' has no attribute {name!r}")
