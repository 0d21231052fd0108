"""Upstream-compatible alias of :mod:`geniml.evaluation` (``geniml.eval`` in geniml 0.8.4).

The functions keep upstream's names and signatures (``get_ctt_score(path, embed_type, ...)``,
``get_npt_score(model_path, embed_type, K, ...)``...) and run on the vectorised implementations of
:mod:`geniml.evaluation`; the labelled-embedding helpers are re-exported under the same names.
"""

from __future__ import annotations

from geniml.eval.ctt import ctt_eval, get_ctt_batch, get_ctt_score
from geniml.eval.gdst import gdst_eval, get_gdst_score, get_gdst_score_batch
from geniml.eval.npt import cal_snpr, get_npt_score, get_npt_score_batch, npt_eval
from geniml.eval.rct import get_rct_score, rct_eval, reconstruction_batch
from geniml.eval.utils import (
    BaseEmbeddings,
    cosine_distance,
    genome_distance,
    get_bin_embeddings,
    load_base_embeddings,
    load_genomic_embeddings,
    save_base_embeddings,
)
from geniml.evaluation import (
    cluster_agreement,
    ctt_score,
    evaluate_annotation,
    evaluate_embeddings,
    gdst_score,
    npt_score,
    plot_embeddings,
    rct_score,
)

__all__ = [
    "BaseEmbeddings",
    "cal_snpr",
    "cluster_agreement",
    "cosine_distance",
    "ctt_eval",
    "ctt_score",
    "evaluate_annotation",
    "evaluate_embeddings",
    "gdst_eval",
    "gdst_score",
    "genome_distance",
    "get_bin_embeddings",
    "get_ctt_batch",
    "get_ctt_score",
    "get_gdst_score",
    "get_gdst_score_batch",
    "get_npt_score",
    "get_npt_score_batch",
    "get_rct_score",
    "load_base_embeddings",
    "load_genomic_embeddings",
    "npt_eval",
    "npt_score",
    "plot_embeddings",
    "rct_eval",
    "rct_score",
    "reconstruction_batch",
    "save_base_embeddings",
]
