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
    embedding_key: str | None = None,
    label_key: str = "cell_type",
    k: int = 10,
    key_added: str = "pred_celltype",
) -> pd.DataFrame:
    """Label query cells by the majority label of their ``k`` nearest reference cells.

    Distances are cosine distances between the embeddings in ``obsm[embedding_key]``.

    Args:
        query_adata: cells to label.
        reference_adata: labelled cells, embedded with the same model.
        embedding_key: the ``obsm`` key of both; default ``"X_scembed"`` (what
            :func:`geniml.scembed.embed` writes), falling back to the seed's ``"scembed_X"``
            when only that one is present.
        label_key: the ``obs`` column of ``reference_adata`` holding the labels.
        k: neighbours per query cell.
        key_added: the ``obs`` column written into ``query_adata``.

    Returns:
        A DataFrame (index: query cells) with the predicted label and its confidence (the share
        of the ``k`` neighbours voting for it). Also sets ``query_adata.obs[key_added]`` and
        ``query_adata.obs[key_added + "_confidence"]``, and ``query_adata.uns[key_added]``
        (``embedding_key``, ``label_key``, ``k``).

    Examples:
        >>> import numpy as np, anndata as ad, pandas as pd
        >>> ref = ad.AnnData(np.zeros((4, 1)), obs=pd.DataFrame({"cell_type": list("aabb")}))
        >>> ref.obsm["X_scembed"] = np.array([[1, 0], [1, 0.1], [0, 1], [0.1, 1]])
        >>> query = ad.AnnData(np.zeros((1, 1)))
        >>> query.obsm["X_scembed"] = np.array([[0.05, 1.0]])
        >>> annotate_celltypes(query, ref, k=2)["pred_celltype"].tolist()
        ['b']
    """
    pd = require("pandas")
    from sklearn.neighbors import NearestNeighbors

    if embedding_key is None:
        both = [key for key in ("X_scembed", "scembed_X") if key in query_adata.obsm]
        both = [key for key in both if key in reference_adata.obsm]
        embedding_key = both[0] if both else "X_scembed"
    for name, a in (("query", query_adata), ("reference", reference_adata)):
        if embedding_key not in a.obsm:
            raise AnnDataLayoutError(
                f"{name} AnnData has no obsm[{embedding_key!r}] (has {list(a.obsm.keys())}); "
                "embed the cells first, e.g. geniml.scembed.embed(adata, model) (writes "
                "obsm['X_scembed']; the seed's obsm['scembed_X'] is read too)"
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
    query_adata.uns[key_added] = {"embedding_key": embedding_key, "label_key": label_key, "k": k}
    return pd.DataFrame({key_added: pred, "confidence": conf}, index=query_adata.obs_names)
