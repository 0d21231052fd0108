"""Upstream geniml's search classes: query embedders, search interfaces and retrieval metrics.

``BED2Vec`` embeds a query BED file with a Region2Vec model, ``Text2Vec`` a query sentence
with a :class:`~geniml.search.encoder.TextEncoder` followed by a
:class:`~geniml.text2bednn.Vec2Vec`. ``BED2BEDSearchInterface`` and ``Text2BEDSearchInterface``
pair an embedder with a backend; ``eval`` scores a set of queries with upstream's metrics:

- average precision of one query: the mean, over the relevant items, of the precision of the
  ranking cut at that item's rank (``sum(hits_so_far / rank) / n_relevant``);
- AUC-ROC: the trapezoid area under the curve of (false positives / irrelevant items, true
  positives / relevant items) as the cut moves down the full ranking;
- R-precision: the fraction of relevant items among the first ``n_relevant`` results.

``eval`` returns their means over the queries (Mean Average Precision, Mean AUC-ROC, Average
R-Precision).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from geniml.exceptions import GenimlValueError

if TYPE_CHECKING:
    from geniml.io import RegionSet
    from geniml.region2vec import Region2VecExModel
    from geniml.search.backends import VectorBackend
    from geniml.search.encoder import TextEncoder
    from geniml.text2bednn import Vec2Vec

__all__ = [
    "BED2BEDSearchInterface",
    "BED2Vec",
    "Text2BEDSearchInterface",
    "Text2Vec",
    "rand_eval",
    "rank_metrics",
    "single_query_eval",
]

EVAL_KEYS = ("Mean Average Precision", "Mean AUC-ROC", "Average R-Precision")


def rank_metrics(ranking: Sequence[int], relevant: Sequence[int]) -> tuple[float, float, float]:
    """Average precision, AUC-ROC and R-precision of one ranking (upstream's definitions).

    Args:
        ranking: store ids, best first (normally every stored id).
        relevant: the ids that are correct answers.

    Returns:
        ``(average_precision, auc_roc, r_precision)``; the AUC is NaN when the ranking holds
        no irrelevant item.

    Raises:
        GenimlValueError: ``relevant`` is empty.

    Examples:
        >>> rank_metrics([3, 1, 2, 0], [3, 2])
        (0.8333333333333333, 0.75, 0.5)
    """
    rel = {int(i) for i in relevant}
    if not rel:
        raise GenimlValueError("a query needs at least one relevant id")
    hit = np.fromiter((int(i) in rel for i in ranking), dtype=bool, count=len(ranking))
    n_rel = len(rel)
    tp = np.cumsum(hit)
    ranks = np.arange(1, len(hit) + 1)
    ap = float((tp[hit] / ranks[hit]).sum() / n_rel)
    rp = float(tp[n_rel - 1] / n_rel) if len(hit) >= n_rel else float(tp[-1] / n_rel)
    n_irr = len(hit) - int(hit.sum())
    if n_irr == 0:
        auc = float("nan")
    else:
        fp = np.cumsum(~hit)
        x = np.concatenate([[0.0], fp / n_irr])
        y = np.concatenate([[0.0], tp / n_rel])
        auc = float(np.trapezoid(y, x))
    return ap, auc, rp


def single_query_eval(
    search_results: Sequence[Mapping[str, Any]], relevant_results: Sequence[int]
) -> tuple[float, float, float]:
    """Upstream's name: :func:`rank_metrics` of search results (dicts with an ``id``)."""
    return rank_metrics([int(r["id"]) for r in search_results], relevant_results)


def _mean_scores(rows: list[tuple[float, float, float]]) -> dict[str, float]:
    if not rows:
        return dict.fromkeys(EVAL_KEYS, 0.0)
    a = np.array(rows, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        means = [float(a[:, 0].mean()), float(np.nanmean(a[:, 1])), float(a[:, 2].mean())]
    return dict(zip(EVAL_KEYS, means, strict=True))


def rand_eval(
    n: int,
    query_dict: Mapping[Any, Sequence[int]],
    *,
    rng: int | np.random.Generator | None = 0,
) -> dict[str, float]:
    """The metrics of random rankings of ids ``0..n-1`` (the baseline of :meth:`eval`).

    Args:
        n: number of stored items.
        query_dict: query -> relevant ids.
        rng: seed or generator.

    Returns:
        The three means under upstream's keys.
    """
    gen = rng if isinstance(rng, np.random.Generator) else np.random.default_rng(rng)
    rows = [rank_metrics(gen.permutation(n).tolist(), rel) for rel in query_dict.values()]
    return _mean_scores(rows)


class BED2Vec:
    """Embed a query region set with a Region2Vec model (one pooled vector per set).

    Args:
        model: a :class:`~geniml.region2vec.Region2VecExModel` or a model folder.
    """

    def __init__(self, model: Region2VecExModel | str | os.PathLike) -> None:
        from geniml.region2vec import Region2VecExModel

        if isinstance(model, Region2VecExModel):
            self.model = model
        else:
            self.model = Region2VecExModel.from_pretrained(model)

    def forward(self, query: str | os.PathLike | RegionSet) -> np.ndarray:
        """The ``(dim,)`` embedding of a BED path or RegionSet."""
        return self.model.encode([query])[0]


class Text2Vec:
    """Map a sentence into the region-set space: text encoder, then a Vec2Vec network.

    Upstream's ``Text2Vec.forward`` called ``encode`` on its Vec2VecFNN, which has no such
    method; here the mapping is :meth:`Vec2Vec.encode` (alias ``embedding_to_embedding``).

    Args:
        model: a :class:`TextEncoder`, or a name / folder for one.
        v2v: a :class:`~geniml.text2bednn.Vec2Vec`, a model folder, or ``None`` to return the
            sentence embedding itself.
    """

    def __init__(
        self,
        model: TextEncoder | str | os.PathLike,
        v2v: Vec2Vec | str | os.PathLike | None,
    ) -> None:
        from geniml.search.encoder import TextEncoder
        from geniml.text2bednn import Vec2Vec

        self.text_embedder = model if isinstance(model, TextEncoder) else TextEncoder(model)
        if v2v is None or isinstance(v2v, Vec2Vec):
            self.v2v = v2v
        else:
            self.v2v = Vec2Vec.load(v2v)
        if self.v2v is not None and self.v2v.input_dim != self.text_embedder.dim:
            raise GenimlValueError(
                f"the Vec2Vec network takes {self.v2v.input_dim}-d input but the text encoder "
                f"gives {self.text_embedder.dim}-d embeddings"
            )

    def forward(self, query: str) -> np.ndarray:
        """The ``(dim,)`` vector of one sentence."""
        emb = self.text_embedder.encode(query)
        return emb if self.v2v is None else self.v2v.encode(emb)


class _SearchInterface:
    backend: VectorBackend

    def _embed(self, query: Any) -> np.ndarray:
        raise NotImplementedError

    def query_search(
        self,
        query: Any,
        limit: int,
        *,
        with_payload: bool = True,
        with_vectors: bool = False,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Search with a query (or its embedding vector as a numpy array).

        Returns:
            The backend's result dicts (``id``, ``score``, ``distance``, ``payload``...).
        """
        vec = query if isinstance(query, np.ndarray) else self._embed(query)
        return self.backend.search(
            vec, limit, with_payload=with_payload, with_vectors=with_vectors, offset=offset
        )

    def _ranking(self, query: Any) -> list[int]:
        vec = query if isinstance(query, np.ndarray) else self._embed(query)
        n = len(self.backend)
        exact = getattr(self.backend, "exact_search", None)
        if exact is not None:
            res = exact(vec, n, with_payload=False)
        else:
            res = self.backend.search(vec, n, with_payload=False)
        return [int(r["id"]) for r in res]

    def eval(self, query_dict: Mapping[Any, Sequence[int]]) -> dict[str, float]:
        """Mean Average Precision, mean AUC-ROC and average R-precision over queries.

        Every stored item is ranked (exactly, when the backend can) for each query.

        Args:
            query_dict: query (sentence, BED path or vector) -> relevant store ids.

        Returns:
            ``{"Mean Average Precision": ..., "Mean AUC-ROC": ..., "Average R-Precision": ...}``.
        """
        rows = [rank_metrics(self._ranking(q), rel) for q, rel in query_dict.items()]
        return _mean_scores(rows)


class BED2BEDSearchInterface(_SearchInterface):
    """Search stored region sets with a query region set.

    Args:
        backend: the vector store.
        query2vec: a :class:`BED2Vec`, a Region2VecExModel or a model folder.
    """

    def __init__(self, backend: VectorBackend, query2vec: Any) -> None:
        self.backend = backend
        self.query2vec = query2vec if isinstance(query2vec, BED2Vec) else BED2Vec(query2vec)

    def _embed(self, query: Any) -> np.ndarray:
        return self.query2vec.forward(query)


class Text2BEDSearchInterface(_SearchInterface):
    """Search stored region sets with a natural-language query.

    Args:
        backend: the vector store.
        query2vec: a :class:`Text2Vec`.
    """

    def __init__(self, backend: VectorBackend, query2vec: Text2Vec) -> None:
        if not isinstance(query2vec, Text2Vec):
            raise GenimlValueError(
                f"query2vec: expected a Text2Vec, got {type(query2vec).__name__}"
            )
        self.backend = backend
        self.query2vec = query2vec

    def _embed(self, query: Any) -> np.ndarray:
        if not isinstance(query, str):
            raise GenimlValueError(f"text query: expected a string, got {type(query).__name__}")
        return self.query2vec.forward(query)
