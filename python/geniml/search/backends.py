"""Vector stores for region-set embeddings: an embedded HNSW index (faiss) and Qdrant.

Both backends share one interface: :meth:`~VectorBackend.load` (add vectors with store ids
and payloads), :meth:`~VectorBackend.search` (nearest neighbours of one vector),
:meth:`~VectorBackend.retrieve_info` (payloads and vectors of given ids), ``len()``,
:meth:`~VectorBackend.save` and :meth:`~VectorBackend.from_folder`. Distances are cosine:
``score`` is the cosine similarity, ``distance = 1 - score``.

The embedded index is faiss' ``IndexHNSWFlat`` over L2-normalised float32 vectors with inner
product: in a 100k-vector test (M 16, efConstruction 200, one thread, batched queries) bare faiss
answered 12.7k queries/s at recall@10 0.972 against hnswlib's 8.6k and usearch's 5.7k at equal
recall; through this class, one query a call, M 16 at ef 50 (recall 0.955) answered 4.5k
queries/s on 100k vectors against 2.2k for hnswlib with upstream's M 64 at ef 50 (0.957)
(benches/README.md, section Search, has the M x ef ladders of both). Payloads (file name and
metadata) are kept beside the index in ``payloads.parquet``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import faiss

from geniml.exceptions import GenimlError, GenimlValueError

__all__ = [
    "EmSearchBackend",
    "HNSWBackend",
    "QdrantBackend",
    "SearchIndexError",
    "UnknownIdError",
    "VectorBackend",
]

BACKEND_FILE = "backend.yaml"
PAYLOADS_FILE = "payloads.parquet"
INDEX_FILE = "index.faiss"
VECTORS_FILE = "vectors.npy"
# Chosen by measurement (benches/README.md, section Search): on 100k real-embedding mixtures
# M 16 reached recall@10 0.955 at ef 50 with the highest throughput of M 16/32/64 for faiss and
# hnswlib alike, builds fastest and holds half M 32's links; ef 64 keeps the default above
# recall 0.95 to ~100k vectors. At 1M vectors raise ``ef_search`` (0.954 needs ef 800).
DEFAULT_M = 16
DEFAULT_EF_CONSTRUCTION = 200
DEFAULT_EF_SEARCH = 64

Payload = dict[str, Any]


class SearchIndexError(GenimlError, ValueError):
    """A search index or its inputs cannot be used (empty index, bad folder, bad vectors)."""


class UnknownIdError(GenimlError, KeyError):
    """A store id is not in the index."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def _as_matrix(vectors: object, what: str, dim: int | None) -> np.ndarray:
    x = np.asarray(vectors)
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2:
        raise GenimlValueError(f"{what}: expected a (n, dim) array, got shape {x.shape}")
    if not np.issubdtype(x.dtype, np.number):
        raise GenimlValueError(f"{what}: expected numbers, got dtype {x.dtype}")
    if dim is not None and x.shape[1] != dim:
        raise GenimlValueError(f"{what}: vectors have dimension {x.shape[1]}, the index has {dim}")
    return np.ascontiguousarray(x, dtype=np.float32)


def _normalised(x: np.ndarray, what: str, ids: np.ndarray | None = None) -> np.ndarray:
    bad = ~np.isfinite(x).all(axis=1)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        name = f"id {ids[i]}" if ids is not None else f"row {i}"
        raise GenimlValueError(f"{what}: {name} holds NaN or infinite values")
    norms = np.linalg.norm(x, axis=1)
    zero = norms == 0
    if zero.any():
        i = int(np.flatnonzero(zero)[0])
        name = f"id {ids[i]}" if ids is not None else f"row {i}"
        raise GenimlValueError(
            f"{what}: {name} is a zero vector; cosine similarity is undefined for it"
        )
    return x / norms[:, None].astype(np.float32)


def _check_ids(ids: object, n: int, start: int) -> np.ndarray:
    if ids is None:
        return np.arange(start, start + n, dtype=np.int64)
    arr = np.asarray(ids)
    if arr.ndim != 1 or len(arr) != n:
        raise GenimlValueError(f"ids: expected {n} ids, got {arr.size}")
    if n and not np.issubdtype(arr.dtype, np.integer):
        raise GenimlValueError(f"ids: expected integer store ids, got dtype {arr.dtype}")
    arr = arr.astype(np.int64)
    if n and arr.min() < 0:
        raise GenimlValueError(f"ids: store ids must be >= 0, got {int(arr.min())}")
    uniq, counts = np.unique(arr, return_counts=True)
    if (counts > 1).any():
        raise GenimlValueError(f"ids: id {int(uniq[counts > 1][0])} appears more than once")
    return arr


def _check_payloads(payloads: Sequence[Mapping[str, Any]] | None, n: int) -> list[Payload]:
    if payloads is None:
        return [{} for _ in range(n)]
    out = list(payloads)
    if len(out) != n:
        raise GenimlValueError(f"payloads: expected {n} payloads (one per vector), got {len(out)}")
    for i, p in enumerate(out):
        if not isinstance(p, Mapping):
            raise GenimlValueError(f"payloads[{i}]: expected a mapping, got {type(p).__name__}")
    return [dict(p) for p in out]


def _payload_frame(ids: np.ndarray, payloads: list[Payload]):
    import polars as pl

    keys: list[str] = []
    for p in payloads:
        keys.extend(k for k in p if k not in keys)
    if "id" in keys:
        raise GenimlValueError("payloads: the key 'id' is reserved for the store id")
    cols: dict[str, Any] = {"id": pl.Series("id", ids, dtype=pl.Int64)}
    for k in keys:
        vals = [p.get(k) for p in payloads]
        try:
            cols[k] = pl.Series(k, vals, strict=False)
        except (TypeError, ValueError):
            cols[k] = pl.Series(k, [None if v is None else str(v) for v in vals])
    return pl.DataFrame(cols)


def _payloads_from_frame(df) -> tuple[np.ndarray, list[Payload]]:
    ids = df["id"].to_numpy().astype(np.int64)
    rest = df.drop("id")
    rows = rest.to_dicts() if rest.width else [{} for _ in range(df.height)]
    return ids, [{k: v for k, v in r.items() if v is not None} for r in rows]


def _atomic_folder(folder: Path, write, *, force: bool) -> Path:
    """Write a folder aside (``write(tmp)``) and swap it into place (``geniml._atomic``)."""
    from geniml._atomic import atomic_folder

    with atomic_folder(folder, force=force) as tmp:
        write(Path(tmp))
    return Path(folder)


def _read_backend_config(folder: Path, expected: str) -> dict[str, Any]:
    import yaml

    cfg_path = folder / BACKEND_FILE
    if not folder.is_dir():
        raise SearchIndexError(f"{folder}: no such index folder")
    if not cfg_path.is_file():
        raise SearchIndexError(f"{folder}: not a search backend folder (no {BACKEND_FILE})")
    cfg = yaml.safe_load(cfg_path.read_text()) or {}
    if cfg.get("backend") != expected:
        raise SearchIndexError(
            f"{cfg_path}: field 'backend' is {cfg.get('backend')!r}, expected {expected!r}"
        )
    return cfg


def _hit(
    id_: int, score: float, payload: Mapping[str, Any] | None, vector: np.ndarray | None
) -> dict[str, Any]:
    """One search result: ``id``, ``score``, ``distance`` and the optional parts."""
    out: dict[str, Any] = {"id": int(id_), "score": float(score), "distance": 1.0 - float(score)}
    if payload is not None:
        out["payload"] = dict(payload)
    if vector is not None:
        out["vector"] = vector
    return out


def _check_limit(limit: object, offset: int) -> None:
    if not isinstance(limit, (int, np.integer)) or limit < 1:
        raise GenimlValueError(f"limit must be a positive integer, got {limit!r}")
    if offset < 0:
        raise GenimlValueError(f"offset must be >= 0, got {offset}")


class VectorBackend:
    """The interface shared by the search backends (upstream: ``EmSearchBackend``).

    :meth:`load`, :meth:`search` and :meth:`retrieve_info` check their inputs here; a backend
    implements the storage steps ``_next_id``, ``_taken``, ``_add``, ``_search`` and
    ``_lookup``.
    """

    dim: int | None

    @property
    def ids(self) -> np.ndarray:
        """Store ids."""
        raise NotImplementedError

    @property
    def payloads(self) -> list[Payload]:
        """Payloads, in the order of :attr:`ids`."""
        raise NotImplementedError

    def __len__(self) -> int:
        raise NotImplementedError

    def _next_id(self) -> int:
        """The default id of the next vector (one past the largest stored id)."""
        raise NotImplementedError

    def _taken(self, ids: np.ndarray) -> int | None:
        """One of ``ids`` that is already stored, else None."""
        raise NotImplementedError

    def _add(self, x: np.ndarray, ids: np.ndarray, payloads: list[Payload]) -> None:
        """Store checked unit vectors."""
        raise NotImplementedError

    def _search(
        self, q: np.ndarray, limit: int, offset: int, *, with_payload: bool, with_vectors: bool
    ) -> list[dict[str, Any]]:
        """Nearest neighbours of one checked unit vector."""
        raise NotImplementedError

    def _lookup(
        self, ids: list[int], *, with_vectors: bool
    ) -> list[tuple[Payload, np.ndarray | None]]:
        """Payload (and vector) of each id; :class:`UnknownIdError` for a missing one."""
        raise NotImplementedError

    def load(
        self,
        vectors: np.ndarray,
        ids: Sequence[int] | np.ndarray | None = None,
        payloads: Sequence[Mapping[str, Any]] | None = None,
    ) -> None:
        """Add vectors with store ids (default: consecutive after the largest id) and payloads.

        Args:
            vectors: ``(n, dim)`` array.
            ids: ``n`` distinct non-negative integers not yet in the index.
            payloads: ``n`` mappings (file name, metadata) returned with the results.

        Raises:
            GenimlValueError: shapes disagree, an id repeats, a vector is zero or not finite.
        """
        x = _as_matrix(vectors, "vectors", self.dim)
        n = x.shape[0]
        ids_ = _check_ids(ids, n, self._next_id() if len(self) else 0)
        taken = self._taken(ids_) if len(self) else None
        if taken is not None:
            raise GenimlValueError(f"ids: id {taken} is already in the index")
        pays = _check_payloads(payloads, n)
        x = _normalised(x, "vectors", ids_)
        if n:
            self._add(x, ids_, pays)

    def search(
        self,
        query: np.ndarray,
        limit: int,
        *,
        with_payload: bool = True,
        with_vectors: bool = False,
        offset: int = 0,
    ) -> list[dict[str, Any]]:
        """Approximate nearest neighbours of one vector, best first.

        Args:
            query: a ``(dim,)`` vector.
            limit: how many results.
            with_payload: include each result's payload.
            with_vectors: include each result's stored (unit) vector.
            offset: skip this many best results first.

        Returns:
            Dicts with ``id``, ``score`` (cosine similarity), ``distance`` (1 - score) and
            optionally ``payload`` / ``vector``.

        Raises:
            SearchIndexError: the index is empty.
            GenimlValueError: the query has the wrong dimension, is zero or not finite.
        """
        q = self._check_query(query, limit, offset)
        return self._search(q, limit, offset, with_payload=with_payload, with_vectors=with_vectors)

    def retrieve_info(
        self, ids: int | Sequence[int], *, with_vectors: bool = False
    ) -> list[dict[str, Any]]:
        """Payloads (and vectors) of store ids, in the given order.

        Raises:
            UnknownIdError: an id is not in the index.
        """
        items = [ids] if isinstance(ids, (int, np.integer)) else list(ids)
        out = []
        for i, (pay, vec) in zip(
            items, self._lookup(items, with_vectors=with_vectors), strict=True
        ):
            d: dict[str, Any] = {"id": int(i), "payload": pay}
            if with_vectors:
                d["vector"] = vec
            out.append(d)
        return out

    def save(self, folder: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the backend to a folder (aside, then renamed into place)."""
        raise NotImplementedError

    @classmethod
    def from_folder(cls, folder: str | os.PathLike) -> VectorBackend:
        """Read a folder written by :meth:`save`."""
        raise NotImplementedError

    def _check_query(self, query: object, limit: int, offset: int) -> np.ndarray:
        if len(self) == 0:
            raise SearchIndexError("the index is empty: load vectors before searching")
        _check_limit(limit, offset)
        q = np.asarray(query, dtype=np.float32)
        if q.ndim != 1:
            raise GenimlValueError(
                f"query: expected one vector of dimension {self.dim}, got shape {q.shape}"
            )
        if self.dim is not None and q.shape[0] != self.dim:
            raise GenimlValueError(
                f"query: vectors have dimension {q.shape[0]}, the index has {self.dim}"
            )
        norm = float(np.sqrt(q @ q))
        if not np.isfinite(norm):
            raise GenimlValueError("query: holds NaN or infinite values")
        if norm == 0:
            raise GenimlValueError("query: a zero vector; cosine similarity is undefined for it")
        return q / np.float32(norm)


EmSearchBackend = VectorBackend


class HNSWBackend(VectorBackend):
    """An embedded HNSW index (faiss) with cosine similarity, payloads kept in parquet.

    Args:
        dim: vector dimension (default: taken from the first :meth:`load`).
        m: graph links per node.
        ef_construction: candidate list size while building.
        ef_search: candidate list size while searching (raised to ``limit + offset`` when
            smaller).

    Examples:
        >>> import numpy as np
        >>> b = HNSWBackend(dim=3)
        >>> b.load(np.eye(3), payloads=[{"file": f"{c}.bed"} for c in "abc"])
        >>> [r["payload"]["file"] for r in b.search(np.array([1.0, 0.1, 0.0]), 2)]
        ['a.bed', 'b.bed']
    """

    def __init__(
        self,
        dim: int | None = None,
        *,
        m: int = DEFAULT_M,
        ef_construction: int = DEFAULT_EF_CONSTRUCTION,
        ef_search: int = DEFAULT_EF_SEARCH,
    ) -> None:
        for name, v in (("m", m), ("ef_construction", ef_construction), ("ef_search", ef_search)):
            if v < 1:
                raise GenimlValueError(f"{name} must be >= 1, got {v}")
        if dim is not None and dim < 1:
            raise GenimlValueError(f"dim must be >= 1, got {dim}")
        self.dim = dim
        self.m = m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self._index: faiss.Index | None = None
        self._ids = np.zeros(0, dtype=np.int64)
        self._pos: dict[int, int] = {}
        self._payloads: list[Payload] = []
        self._params: dict[int, Any] = {}

    def __repr__(self) -> str:
        return f"HNSWBackend(n={len(self)}, dim={self.dim}, m={self.m})"

    def __len__(self) -> int:
        return len(self._ids)

    @property
    def index(self) -> faiss.Index:
        """The faiss index (built on the first :meth:`load`)."""
        if self._index is None:
            raise SearchIndexError("the index is empty: load vectors before searching")
        return self._index

    def _next_id(self) -> int:
        return int(self._ids.max()) + 1

    def _taken(self, ids: np.ndarray) -> int | None:
        return next((int(i) for i in ids if int(i) in self._pos), None)

    def _add(self, x: np.ndarray, ids: np.ndarray, payloads: list[Payload]) -> None:
        if self._index is None:
            import faiss

            self.dim = x.shape[1]
            hnsw = faiss.IndexHNSWFlat(self.dim, self.m, faiss.METRIC_INNER_PRODUCT)
            hnsw.hnsw.efConstruction = self.ef_construction
            self._index = hnsw
        self.index.add(x)
        base = len(self._ids)
        self._pos.update({int(i): base + k for k, i in enumerate(ids)})
        self._ids = np.concatenate([self._ids, ids])
        self._payloads.extend(payloads)

    @property
    def ids(self) -> np.ndarray:
        """Store ids in insertion order."""
        return self._ids.copy()

    @property
    def vectors(self) -> np.ndarray:
        """The stored (unit) vectors in insertion order, ``(n, dim)`` float32."""
        if self._index is None:
            return np.zeros((0, self.dim or 0), dtype=np.float32)
        return self._index.reconstruct_n(0, len(self._ids))

    @property
    def payloads(self) -> list[Payload]:
        """Payloads in insertion order."""
        return [dict(p) for p in self._payloads]

    def _search(
        self, q: np.ndarray, limit: int, offset: int, *, with_payload: bool, with_vectors: bool
    ) -> list[dict[str, Any]]:
        return self._search_rows(
            q[None, :], limit, offset, with_payload=with_payload, with_vectors=with_vectors
        )[0]

    def batch_search(
        self,
        queries: np.ndarray,
        limit: int,
        *,
        with_payload: bool = True,
        with_vectors: bool = False,
        offset: int = 0,
    ) -> list[list[dict[str, Any]]]:
        """:meth:`search` for each row of a ``(n_queries, dim)`` array, in one faiss call.

        faiss spreads the rows over its OpenMP threads (``faiss.omp_set_num_threads``).
        """
        if len(self) == 0:
            raise SearchIndexError("the index is empty: load vectors before searching")
        _check_limit(limit, offset)
        q = _normalised(_as_matrix(queries, "queries", self.dim), "queries")
        return self._search_rows(
            q, limit, offset, with_payload=with_payload, with_vectors=with_vectors
        )

    def _search_rows(
        self, q: np.ndarray, limit: int, offset: int, *, with_payload: bool, with_vectors: bool
    ) -> list[list[dict[str, Any]]]:
        k = min(limit + offset, len(self))
        ef = max(self.ef_search, k)
        params = self._params.get(ef)
        if params is None:
            import faiss

            # SearchParametersHNSW exists since faiss 1.7.3; faiss' bundled stubs omit it
            params = self._params[ef] = faiss.SearchParametersHNSW(efSearch=ef)  # type: ignore[attr-defined]
        scores, pos = self.index.search(q, k, params=params)
        out = []
        for srow, prow in zip(scores, pos, strict=True):
            keep = prow >= 0
            prow = prow[keep][offset:]
            ids = self._ids[prow].tolist()
            sc = srow[keep][offset:].astype(np.float64).tolist()
            rows = [
                {"id": i, "score": v, "distance": 1.0 - v} for i, v in zip(ids, sc, strict=True)
            ]
            if with_payload:
                for r, p in zip(rows, prow.tolist(), strict=True):
                    r["payload"] = dict(self._payloads[p])
            if with_vectors:
                for r, p in zip(rows, prow.tolist(), strict=True):
                    r["vector"] = self.index.reconstruct(int(p))
            out.append(rows)
        return out

    def exact_search(
        self,
        query: np.ndarray,
        limit: int,
        *,
        ids: Sequence[int] | None = None,
        with_payload: bool = True,
    ) -> list[dict[str, Any]]:
        """Exact cosine ranking of all stored vectors (or of ``ids`` only), best first."""
        q = self._check_query(query, limit, 0)
        pos = (
            np.arange(len(self))
            if ids is None
            else np.array([self._position(i) for i in ids], dtype=np.int64)
        )
        if len(pos) == 0:
            return []
        vecs = self.vectors[pos] if ids is not None else self.vectors
        scores = vecs @ q
        order = np.lexsort((self._ids[pos], -scores))[:limit]
        return [
            _hit(
                int(self._ids[pos[o]]),
                float(scores[o]),
                self._payloads[int(pos[o])] if with_payload else None,
                None,
            )
            for o in order
        ]

    def _position(self, id_: int) -> int:
        try:
            return self._pos[int(id_)]
        except (KeyError, TypeError, ValueError):
            raise UnknownIdError(f"id {id_!r} is not in the index ({len(self)} vectors)") from None

    def _lookup(
        self, ids: list[int], *, with_vectors: bool
    ) -> list[tuple[Payload, np.ndarray | None]]:
        out: list[tuple[Payload, np.ndarray | None]] = []
        for i in ids:
            p = self._position(i)
            vec = np.asarray(self.index.reconstruct(int(p))) if with_vectors else None
            out.append((dict(self._payloads[p]), vec))
        return out

    def save(self, folder: str | os.PathLike, *, force: bool = False) -> Path:
        """Write ``index.faiss``, ``payloads.parquet`` and ``backend.yaml`` to a folder.

        Raises:
            SearchIndexError: the index is empty.
            FileExistsError: the folder exists and ``force`` is false.
        """
        import faiss
        import yaml

        if len(self) == 0:
            raise SearchIndexError("cannot save an empty index")
        index = self.index

        def write(tmp: Path) -> None:
            faiss.write_index(index, str(tmp / INDEX_FILE))
            _payload_frame(self._ids, self._payloads).write_parquet(tmp / PAYLOADS_FILE)
            cfg = {
                "backend": "hnsw",
                "library": "faiss",
                "metric": "cosine",
                "dim": int(self.dim or 0),
                "n_vectors": len(self),
                "m": self.m,
                "ef_construction": self.ef_construction,
                "ef_search": self.ef_search,
            }
            (tmp / BACKEND_FILE).write_text(yaml.safe_dump(cfg, sort_keys=False))

        return _atomic_folder(Path(folder), write, force=force)

    @classmethod
    def from_folder(cls, folder: str | os.PathLike) -> HNSWBackend:
        """Read a folder written by :meth:`save`.

        Raises:
            SearchIndexError: the folder is missing files or they disagree.
        """
        import faiss
        import polars as pl

        folder = Path(folder)
        cfg = _read_backend_config(folder, "hnsw")
        for f in (INDEX_FILE, PAYLOADS_FILE):
            if not (folder / f).is_file():
                raise SearchIndexError(f"{folder}: missing {f}")
        b = cls(
            int(cfg["dim"]),
            m=int(cfg.get("m", DEFAULT_M)),
            ef_construction=int(cfg.get("ef_construction", DEFAULT_EF_CONSTRUCTION)),
            ef_search=int(cfg.get("ef_search", DEFAULT_EF_SEARCH)),
        )
        try:
            index = faiss.read_index(str(folder / INDEX_FILE))
        except RuntimeError as err:
            raise SearchIndexError(f"{folder / INDEX_FILE}: unreadable index ({err})") from err
        ids, pays = _payloads_from_frame(pl.read_parquet(folder / PAYLOADS_FILE))
        if index.ntotal != len(ids) or index.d != b.dim:
            raise SearchIndexError(
                f"{folder}: {INDEX_FILE} holds {index.ntotal} vectors of dimension "
                f"{index.d}, {PAYLOADS_FILE} {len(ids)} rows and {BACKEND_FILE} dim {b.dim}"
            )
        b._index = index
        b._ids = ids
        b._pos = {int(i): k for k, i in enumerate(ids)}
        b._payloads = pays
        return b


class QdrantBackend(VectorBackend):
    """Vectors in a Qdrant collection (cosine), through ``qdrant-client``.

    Args:
        client: a ``qdrant_client.QdrantClient`` (a server, ``path=`` local storage or
            ``":memory:"``); default: an in-process in-memory client.
        dim: vector dimension (default: taken from the first :meth:`load`).
        collection: collection name (created when missing).
        url: a Qdrant server URL, used when ``client`` is not given.

    Examples:
        >>> import numpy as np
        >>> b = QdrantBackend(dim=2)  # doctest: +SKIP
        >>> b.load(np.eye(2), payloads=[{"file": "a.bed"}, {"file": "b.bed"}])  # doctest: +SKIP
    """

    def __init__(
        self,
        client: Any = None,
        *,
        dim: int | None = None,
        collection: str = "embeddings",
        url: str | None = None,
    ) -> None:
        try:
            from qdrant_client import QdrantClient
        except ImportError as err:  # pragma: no cover - depends on the install
            raise SearchIndexError(
                "QdrantBackend needs qdrant-client: pip install 'geniml[search]'"
            ) from err
        if client is None:
            client = QdrantClient(url=url) if url else QdrantClient(location=":memory:")
        self.client = client
        self.collection = collection
        self.dim = dim
        if client.collection_exists(collection):
            info = client.get_collection(collection)
            size = info.config.params.vectors.size
            if dim is not None and size != dim:
                raise GenimlValueError(
                    f"collection {collection!r} holds vectors of dimension {size}, not {dim}"
                )
            self.dim = int(size)
        elif dim is not None:
            self._create(dim)

    def __repr__(self) -> str:
        return f"QdrantBackend(collection={self.collection!r}, n={len(self)}, dim={self.dim})"

    def _create(self, dim: int) -> None:
        from qdrant_client.models import Distance, VectorParams

        self.client.create_collection(
            self.collection, vectors_config=VectorParams(size=dim, distance=Distance.COSINE)
        )
        self.dim = dim

    def __len__(self) -> int:
        if not self.client.collection_exists(self.collection):
            return 0
        return int(self.client.count(self.collection, exact=True).count)

    def _next_id(self) -> int:
        return max(int(p.id) for p in self._scroll(with_vectors=False)) + 1

    def _taken(self, ids: np.ndarray) -> int | None:
        found = self.client.retrieve(self.collection, [int(i) for i in ids])
        return int(found[0].id) if found else None

    def _add(self, x: np.ndarray, ids: np.ndarray, payloads: list[Payload]) -> None:
        from qdrant_client.models import PointStruct

        if self.dim is None or not self.client.collection_exists(self.collection):
            self._create(x.shape[1])
        points = [
            PointStruct(id=int(i), vector=v.tolist(), payload=p)
            for i, v, p in zip(ids, x, payloads, strict=True)
        ]
        for lo in range(0, len(points), 1024):
            self.client.upsert(self.collection, points[lo : lo + 1024], wait=True)

    def _search(
        self, q: np.ndarray, limit: int, offset: int, *, with_payload: bool, with_vectors: bool
    ) -> list[dict[str, Any]]:
        res = self.client.query_points(
            self.collection,
            query=q.tolist(),
            limit=limit,
            offset=offset,
            with_payload=with_payload,
            with_vectors=with_vectors,
        )
        return [
            _hit(
                int(p.id),
                float(p.score),
                (p.payload or {}) if with_payload else None,
                np.asarray(p.vector, dtype=np.float32) if with_vectors else None,
            )
            for p in res.points
        ]

    def _lookup(
        self, ids: list[int], *, with_vectors: bool
    ) -> list[tuple[Payload, np.ndarray | None]]:
        found = {}
        if self.client.collection_exists(self.collection):
            got = self.client.retrieve(
                self.collection, [int(i) for i in ids], with_vectors=with_vectors
            )
            found = {int(p.id): p for p in got}
        out: list[tuple[Payload, np.ndarray | None]] = []
        for i in ids:
            p = found.get(int(i))
            if p is None:
                raise UnknownIdError(f"id {i!r} is not in collection {self.collection!r}")
            vec = np.asarray(p.vector, dtype=np.float32) if with_vectors else None
            out.append((dict(p.payload or {}), vec))
        return out

    @property
    def ids(self) -> np.ndarray:
        """Store ids, ascending."""
        return np.array(sorted(int(p.id) for p in self._scroll(with_vectors=False)), dtype=np.int64)

    @property
    def payloads(self) -> list[Payload]:
        """Payloads in ascending id order."""
        pts = sorted(self._scroll(with_vectors=False), key=lambda p: int(p.id))
        return [dict(p.payload or {}) for p in pts]

    def _scroll(self, *, with_vectors: bool):
        if not self.client.collection_exists(self.collection):
            return
        offset = None
        while True:
            points, offset = self.client.scroll(
                self.collection,
                limit=1024,
                offset=offset,
                with_payload=True,
                with_vectors=with_vectors,
            )
            yield from points
            if offset is None:
                break

    def save(self, folder: str | os.PathLike, *, force: bool = False) -> Path:
        """Export the collection (``vectors.npy``, ``payloads.parquet``, ``backend.yaml``)."""
        import yaml

        points = sorted(self._scroll(with_vectors=True), key=lambda p: int(p.id))
        if not points:
            raise SearchIndexError("cannot save an empty collection")
        ids = np.array([int(p.id) for p in points], dtype=np.int64)
        vecs = np.array([p.vector for p in points], dtype=np.float32)
        pays = [dict(p.payload or {}) for p in points]

        def write(tmp: Path) -> None:
            np.save(tmp / VECTORS_FILE, vecs)
            _payload_frame(ids, pays).write_parquet(tmp / PAYLOADS_FILE)
            cfg = {
                "backend": "qdrant",
                "metric": "cosine",
                "dim": int(vecs.shape[1]),
                "n_vectors": len(ids),
                "collection": self.collection,
            }
            (tmp / BACKEND_FILE).write_text(yaml.safe_dump(cfg, sort_keys=False))

        return _atomic_folder(Path(folder), write, force=force)

    @classmethod
    def from_folder(
        cls, folder: str | os.PathLike, *, client: Any = None, url: str | None = None
    ) -> QdrantBackend:
        """Upload a folder written by :meth:`save` into a collection (in memory by default)."""
        import polars as pl

        folder = Path(folder)
        cfg = _read_backend_config(folder, "qdrant")
        for f in (VECTORS_FILE, PAYLOADS_FILE):
            if not (folder / f).is_file():
                raise SearchIndexError(f"{folder}: missing {f}")
        vecs = np.load(folder / VECTORS_FILE, allow_pickle=False)
        ids, pays = _payloads_from_frame(pl.read_parquet(folder / PAYLOADS_FILE))
        if vecs.ndim != 2 or len(vecs) != len(ids):
            raise SearchIndexError(
                f"{folder}: {VECTORS_FILE} has shape {vecs.shape}, {PAYLOADS_FILE} {len(ids)} rows"
            )
        b = cls(client, dim=int(cfg["dim"]), collection=str(cfg["collection"]), url=url)
        b.load(vecs, ids, pays)
        return b
