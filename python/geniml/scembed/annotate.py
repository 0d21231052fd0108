"""Cell-type annotation by a kNN vote in embedding space."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from geniml._optional import require
from geniml.exceptions import AnnDataLayoutError, GenimlValueError

if TYPE_CHECKING:
    import anndata
    import pandas as pd

__all__ = ["annotate_celltypes"]


def annotate_celltypes(
    query_adata: anndata.AnnData,
    reference_adata: anndata.AnnData,
    *,
    embedding_key: str = "scembed_X",
    label_key: str = "cell_type",
    k: int = 10,
    key_added: str = "pred_celltype",
) -> pd.DataFrame:
    """Label query cells by the majority label of their ``k`` nearest reference cells.

    Distances are cosine distances between the embeddings in ``obsm[embedding_key]``.

    Returns:
        A DataFrame (index: query cells) with the predicted label and its confidence (the share
        of the ``k`` neighbours voting for it). Also sets ``query_adata.obs[key_added]`` and
        ``query_adata.obs[key_added + "_confidence"]``.
    """
    pd = require("pandas")
    from sklearn.neighbors import NearestNeighbors

    for name, a in (("query", query_adata), ("reference", reference_adata)):
        if embedding_key not in a.obsm:
            raise AnnDataLayoutError(
                f"{name} AnnData has no obsm[{embedding_key!r}] (has {list(a.obsm.keys())}); "
                "embed the cells first, e.g. adata.obsm['scembed_X'] = model.encode(adata)"
            )
    if label_key not in reference_adata.obs:
        raise AnnDataLayoutError(f"reference AnnData has no obs[{label_key!r}]")
    ref = np.asarray(reference_adata.obsm[embedding_key], dtype=np.float32)
    qry = np.asarray(query_adata.obsm[embedding_key], dtype=np.float32)
    if ref.shape[1] != qry.shape[1]:
        raise GenimlValueError(
            f"embedding sizes differ: query {qry.shape[1]}, reference {ref.shape[1]}"
        )
    if not 1 <= k <= len(ref):
        raise GenimlValueError(f"`k` must be in 1..{len(ref)}, got {k}")
    labels = np.asarray(reference_adata.obs[label_key]).astype(str)
    nn = NearestNeighbors(n_neighbors=k, metric="cosine").fit(ref)
    _, idx = nn.kneighbors(qry)
    votes = labels[idx]
    classes, inverse = np.unique(votes, return_inverse=True)
    counts = np.zeros((len(qry), len(classes)), dtype=np.int64)
    np.add.at(counts, (np.repeat(np.arange(len(qry)), k), inverse.ravel()), 1)
    best = counts.argmax(axis=1)
    pred = classes[best]
    conf = counts[np.arange(len(qry)), best] / k
    query_adata.obs[key_added] = pd.Categorical(pred)
    query_adata.obs[key_added + "_confidence"] = conf
    return pd.DataFrame({key_added: pred, "confidence": conf}, index=query_adata.obs_names)
