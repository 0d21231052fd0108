"""Evaluation of embeddings, annotations and region-embedding models.

- Labelled embeddings: :func:`evaluate_embeddings` (silhouette, Davies-Bouldin,
  Calinski-Harabasz, ARI/NMI), :func:`cluster_agreement` (k-means or Leiden clusters vs labels),
  :func:`evaluate_annotation` (accuracy, F1, confusion matrix), :func:`plot_embeddings`.
- Metadata-free region-embedding scores of Zheng et al. 2024 (upstream ``geniml.eval``):
  :func:`ctt_score`, :func:`rct_score`, :func:`gdst_score`, :func:`npt_score`.

``assess_universe`` (universe quality) lives in :mod:`geniml.universe.assess` and is
re-exported here (upstream's import path).
"""

from __future__ import annotations

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
from geniml.universe.assess import assess_universe

__all__ = [
    "BaseEmbeddings",
    "NptResult",
    "RegionEmbeddings",
    "assess_universe",
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
