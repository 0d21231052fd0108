"""A search index folder: region-set embeddings, their metadata, and the query models.

Layout written by :func:`build_search_index`::

    DIR/search.yaml        model_type: search_index, dim, region2vec model path, text model
    DIR/index/             the backend folder (backend.yaml, index.faiss, payloads.parquet)
    DIR/text2bednn/        the Vec2Vec network mapping sentences to region-set embeddings

:class:`SearchBackend` reads it and answers queries by text, by BED file, by vector and by
exact metadata filter, as polars DataFrames (``rank``, ``id``, ``score``, payload columns).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from geniml.evaluation.metrics import _stem  # one BED-name stem rule with labels
from geniml.exceptions import GenimlValueError, ModelError
from geniml.search.backends import (
    HNSWBackend,
    QdrantBackend,
    SearchIndexError,
    VectorBackend,
    _atomic_folder,
    _payload_frame,
)

if TYPE_CHECKING:
    import polars as pl

    from geniml.io import RegionSet
    from geniml.region2vec import Region2VecExModel
    from geniml.search.encoder import TextEncoder
    from geniml.text2bednn import Vec2Vec

__all__ = ["SearchBackend", "build_search_index", "metadata_sentences", "read_metadata"]

CONFIG_FILE = "search.yaml"
INDEX_DIR = "index"
TEXT2BEDNN_DIR = "text2bednn"
CENTER_FILE = "center.npy"
_ID_COLUMNS = ("file", "file_name", "filename", "file_path", "path", "name", "id", "sample")


def read_metadata(
    path: str | os.PathLike, *, id_column: str | None = None
) -> tuple[pl.DataFrame, str]:
    """Read a metadata table (``.csv``, else tab-separated) and find its file-name column.

    Args:
        path: the table (one row per BED file, a header line).
        id_column: the column naming each file (default: the first of ``file``,
            ``file_name``, ``filename``, ``file_path``, ``path``, ``name``, ``id``, ``sample``).

    Returns:
        ``(table, id_column)``; unnamed index columns (pandas' ``""``) are dropped.

    Raises:
        GenimlValueError: no identifier column, an empty or repeated file name.
    """
    import polars as pl

    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"metadata file not found: {path}")
    sep = "," if path.suffix.lower() == ".csv" else "\t"
    try:
        df = pl.read_csv(path, separator=sep, infer_schema_length=10000)
    except pl.exceptions.PolarsError as err:
        raise GenimlValueError(f"{path}: not a readable table ({err})") from err
    df = df.drop([c for c in df.columns if c == "" or c.startswith("__UNNAMED__")])
    if df.height == 0:
        raise GenimlValueError(f"{path}: no rows")
    lower = {c.lower(): c for c in df.columns}
    if id_column is None:
        id_column = next((lower[n] for n in _ID_COLUMNS if n in lower), None)
        if id_column is None:
            raise GenimlValueError(
                f"{path}: no file-name column (one of {', '.join(_ID_COLUMNS)}); "
                f"columns are {df.columns}"
            )
    elif id_column not in df.columns:
        raise GenimlValueError(f"{path}: no column {id_column!r}; columns are {df.columns}")
    names = df[id_column].cast(pl.String)
    if names.null_count():
        line = int(names.is_null().arg_true()[0]) + 2
        raise GenimlValueError(f"{path}: line {line}: empty {id_column!r}")
    dup = names.is_duplicated()
    if dup.any():
        line = int(dup.arg_true()[1]) + 2
        raise GenimlValueError(f"{path}: line {line}: {id_column!r} {names[line - 2]!r} repeats")
    return df, id_column


def metadata_sentences(
    table: pl.DataFrame, *, id_column: str, text_columns: Sequence[str] | None = None
) -> list[list[str]]:
    """Sentences describing each file, for training the text-to-embedding network.

    Each row gives its full description (the text fields joined by ``", "``) followed by each
    text field on its own, so a query naming one attribute ("CTCF") also has a training pair.

    Args:
        table: the metadata table.
        id_column: the file-name column (never used as text).
        text_columns: the columns to use (default: every string column except the file
            name and values equal to ``"None"``).

    Returns:
        One list of sentences per row (possibly empty).
    """
    import polars as pl

    if text_columns is None:
        cols = [c for c in table.columns if c != id_column and table[c].dtype == pl.String]
    else:
        missing = [c for c in text_columns if c not in table.columns]
        if missing:
            raise GenimlValueError(f"text columns {missing} are not in the metadata table")
        cols = list(text_columns)
    out = []
    for row in table.select(cols).iter_rows():
        vals: list[str] = []
        for v in row:
            s = "" if v is None else str(v).strip()
            if s and s.lower() not in ("none", "nan", "na") and s not in vals:
                vals.append(s)
        out.append([", ".join(vals), *vals] if len(vals) > 1 else vals)
    return out


def _align_rows(names: list[str] | None, table: pl.DataFrame, id_column: str, n: int, src: Path):
    ids = [str(v) for v in table[id_column].to_list()]
    if names is None:
        if len(ids) != n:
            raise GenimlValueError(
                f"{src}: {n} embedding rows but the metadata has {len(ids)} rows; rows are "
                "matched by order unless the embeddings name their rows"
            )
        return np.arange(n)
    exact = {v: k for k, v in enumerate(ids)}
    stems = {_stem(v): k for k, v in enumerate(ids)}
    rows = []
    for name in names:
        k = exact.get(str(name), stems.get(_stem(str(name))))
        if k is None:
            raise GenimlValueError(f"{src}: embedding row {name!r} has no metadata row")
        rows.append(k)
    return np.asarray(rows, dtype=np.int64)


def build_search_index(
    embeddings_file: str | os.PathLike,
    metadata_file: str | os.PathLike,
    output_dir: str | os.PathLike,
    *,
    model: str | os.PathLike | None = None,
    text_model: str | os.PathLike | None = "all-MiniLM-L6-v2",
    text_columns: Sequence[str] | None = None,
    id_column: str | None = None,
    backend: Literal["hnsw", "qdrant"] = "hnsw",
    center: bool = True,
    epochs: int = 1000,
    force: bool = False,
    rng: int | None = 0,
) -> Path:
    """Build a search index folder from region-set embeddings and a metadata table.

    Args:
        embeddings_file: ``.npy`` (rows in metadata order) or a ``.csv``/``.tsv`` table whose
            first column names the files (as ``geniml region2vec encode`` writes).
        metadata_file: one row per file; its columns become the result payloads.
        output_dir: the index folder to write (aside, then renamed into place).
        model: the Region2Vec model folder that made the embeddings, to embed query BED
            files (its absolute path is recorded).
        text_model: sentence encoder for text queries (``None`` disables text search); a
            Vec2Vec network is trained on (metadata sentence, embedding) pairs.
        text_columns: metadata columns describing each file (default: the string columns).
        id_column: the metadata's file-name column (default: detected).
        backend: ``"hnsw"`` (embedded faiss index) or ``"qdrant"`` (exported points,
            re-loaded into an in-process Qdrant collection).
        center: subtract the mean embedding from stored and query vectors. Mean-pooled
            word2vec vectors share one dominant direction (their cosine similarities are all
            near 1); centring leaves the differences between files for cosine to rank.
        epochs: maximum Vec2Vec epochs (early stopping on a 10% validation split).
        force: replace an existing ``output_dir``.
        rng: seed of the Vec2Vec training.

    Returns:
        The folder.

    Raises:
        GenimlValueError: the inputs disagree (row counts, names, dimensions).
        ModelError: ``text_model`` is not installed.
        FileExistsError: ``output_dir`` exists and ``force`` is false.
    """
    import yaml

    from geniml.evaluation import load_embeddings

    out = Path(output_dir)
    if out.exists() and not force:
        raise FileExistsError(f"{out} exists (pass force=True / --force to replace it)")
    if backend not in ("hnsw", "qdrant"):
        raise GenimlValueError(f"backend must be 'hnsw' or 'qdrant', got {backend!r}")
    emb_path = Path(embeddings_file)
    x, names = load_embeddings(emb_path)
    if x.shape[0] == 0:
        raise GenimlValueError(f"{emb_path}: no embeddings")
    table, id_col = read_metadata(metadata_file, id_column=id_column)
    rows = _align_rows(names, table, id_col, x.shape[0], emb_path)
    table = table[rows.tolist()]
    bad = ~np.isfinite(x).all(axis=1) | (np.abs(x).sum(axis=1) == 0)
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        name = names[i] if names is not None else f"row {i + 1}"
        raise GenimlValueError(
            f"{emb_path}: the embedding of {name} is zero or not finite (a region set with "
            "no region in the model's universe?); cosine search cannot rank it"
        )
    payloads = [{k: v for k, v in r.items() if v is not None} for r in table.to_dicts()]
    x = np.asarray(x, dtype=np.float32)
    shift = x.mean(axis=0) if center and x.shape[0] > 1 else np.zeros(x.shape[1], np.float32)
    x = x - shift
    store = HNSWBackend(x.shape[1]) if backend == "hnsw" else QdrantBackend(dim=x.shape[1])
    store.load(x, np.arange(x.shape[0]), payloads)
    if model is not None:
        from geniml.region2vec import Region2VecExModel

        r2v = Region2VecExModel.from_pretrained(model)
        if r2v.embedding_dim != x.shape[1]:
            raise GenimlValueError(
                f"{model}: the Region2Vec model has dimension {r2v.embedding_dim}, "
                f"the embeddings {x.shape[1]}"
            )
    v2v = None
    history = None
    if text_model is not None:
        from geniml.search.encoder import TextEncoder
        from geniml.text2bednn import Vec2Vec

        sentences = metadata_sentences(table, id_column=id_col, text_columns=text_columns)
        pairs = [(s, i) for i, ss in enumerate(sentences) for s in ss]
        if not pairs:
            raise GenimlValueError(
                f"{metadata_file}: no text columns to train text search on "
                "(pass text_columns= or text_model=None)"
            )
        enc = TextEncoder(text_model)
        tx = enc.encode([s for s, _ in pairs])
        ty = x[[i for _, i in pairs]].astype(np.float32)
        v2v = Vec2Vec(enc.dim, x.shape[1], num_units=256)
        history = v2v.train(
            tx, ty, validation=0.1 if len(pairs) >= 10 else 0, epochs=epochs, rng=rng
        )
    cfg: dict[str, Any] = {
        "model_type": "search_index",
        "backend": backend,
        "dim": int(x.shape[1]),
        "n_vectors": int(x.shape[0]),
        "id_column": id_col,
        "region2vec": str(Path(model).resolve()) if model is not None else None,
        "text_model": str(text_model) if text_model is not None else None,
        "text2bednn": TEXT2BEDNN_DIR if v2v is not None else None,
        "center": CENTER_FILE,
    }
    if history is not None:
        cfg["text2bednn_epochs"] = len(history.loss)

    def write(tmp: Path) -> None:
        store.save(tmp / INDEX_DIR)
        np.save(tmp / CENTER_FILE, shift.astype(np.float32))
        if v2v is not None:
            v2v.save(tmp / TEXT2BEDNN_DIR)
        (tmp / CONFIG_FILE).write_text(yaml.safe_dump(cfg, sort_keys=False))

    return _atomic_folder(out, write, force=force)


class SearchBackend:
    """Query a search index folder by text, BED file, vector or metadata.

    Use :meth:`load` on a folder written by :func:`build_search_index`. Models load on first
    use: a BED query loads the Region2Vec model, a text query the text encoder.

    Args:
        backend: the vector store.
        payloads: the payload table (``id`` plus metadata columns).
        region2vec: model (or folder) embedding query BED files.
        text_model: text encoder (or its name / folder).
        vec2vec: the network (or folder) mapping sentence embeddings to region-set space.
        center: vector subtracted from BED / vector queries (the stored vectors are centred
            by it; the Vec2Vec network maps into the centred space).

    Examples:
        >>> sb = SearchBackend.load("index_dir/")  # doctest: +SKIP
        >>> sb.query(text="CTCF ChIP-seq in GM12878", top_k=5)  # doctest: +SKIP
    """

    def __init__(
        self,
        backend: VectorBackend,
        *,
        payloads: pl.DataFrame | None = None,
        region2vec: Region2VecExModel | str | os.PathLike | None = None,
        text_model: TextEncoder | str | os.PathLike | None = None,
        vec2vec: Vec2Vec | str | os.PathLike | None = None,
        center: np.ndarray | None = None,
    ) -> None:
        self.backend = backend
        self.center = None if center is None else np.asarray(center, dtype=np.float32)
        if payloads is None:
            payloads = _payload_frame(backend.ids, backend.payloads)
        self.payloads = payloads
        # results are assembled in Python from these columns: a polars join or gather wakes
        # its thread pool, which cost 2-4 ms a query on a loaded machine
        self._row_of = {int(i): k for k, i in enumerate(payloads["id"].to_list())}
        self._columns = {c: payloads[c].to_list() for c in payloads.columns if c != "id"}
        self.folder: Path | None = None
        self._region2vec = region2vec
        self._text_model = text_model
        self._vec2vec = vec2vec

    @classmethod
    def load(cls, output_dir: str | os.PathLike) -> SearchBackend:
        """Open an index folder written by :func:`build_search_index`.

        Raises:
            SearchIndexError: the folder is not a search index.
        """
        import polars as pl
        import yaml

        folder = Path(output_dir)
        cfg_path = folder / CONFIG_FILE
        if not cfg_path.is_file():
            raise SearchIndexError(f"{folder}: not a search index folder (no {CONFIG_FILE})")
        cfg = yaml.safe_load(cfg_path.read_text()) or {}
        if cfg.get("model_type") != "search_index":
            raise SearchIndexError(
                f"{cfg_path}: model_type is {cfg.get('model_type')!r}, expected 'search_index'"
            )
        kind = cfg.get("backend", "hnsw")
        if kind == "hnsw":
            backend: VectorBackend = HNSWBackend.from_folder(folder / INDEX_DIR)
        elif kind == "qdrant":
            backend = QdrantBackend.from_folder(folder / INDEX_DIR)
        else:
            raise SearchIndexError(f"{cfg_path}: unknown backend {kind!r}")
        payloads = pl.read_parquet(folder / INDEX_DIR / "payloads.parquet")
        t2b = cfg.get("text2bednn")
        center = None
        if cfg.get("center"):
            cpath = folder / str(cfg["center"])
            if not cpath.is_file():
                raise SearchIndexError(f"{folder}: missing {cfg['center']}")
            center = np.load(cpath, allow_pickle=False)
            if center.shape != (backend.dim,):
                raise SearchIndexError(f"{cpath}: shape {center.shape}, expected ({backend.dim},)")
        sb = cls(
            backend,
            center=center,
            payloads=payloads,
            region2vec=cfg.get("region2vec"),
            text_model=cfg.get("text_model"),
            vec2vec=folder / t2b if t2b else None,
        )
        sb.folder = folder
        return sb

    def __len__(self) -> int:
        return len(self.backend)

    def __repr__(self) -> str:
        return f"SearchBackend(n={len(self)}, backend={type(self.backend).__name__})"

    # -- query embedders (loaded on first use) ------------------------------------------
    def embed_bed(self, bed: str | os.PathLike | RegionSet) -> np.ndarray:
        """The region-set embedding of a BED file or RegionSet (Region2Vec, mean pooling)."""
        from geniml.region2vec import Region2VecExModel

        if self._region2vec is None:
            raise SearchIndexError(
                "this index has no Region2Vec model for BED queries (build it with model=)"
            )
        if not isinstance(self._region2vec, Region2VecExModel):
            if not Path(self._region2vec).is_dir():
                raise ModelError(f"{self._region2vec}: the index's Region2Vec model is missing")
            self._region2vec = Region2VecExModel.from_pretrained(self._region2vec)
        if isinstance(bed, (str, os.PathLike)) and not Path(bed).is_file():
            raise FileNotFoundError(f"query BED file not found: {bed}")
        return self._region2vec.encode([bed])[0]

    def embed_text(self, text: str) -> np.ndarray:
        """A sentence mapped into the region-set space (text encoder, then Vec2Vec)."""
        from geniml.search.encoder import TextEncoder, torch_threads
        from geniml.text2bednn import Vec2Vec

        if self._vec2vec is None or self._text_model is None:
            raise SearchIndexError(
                "this index has no text model (it was built with text_model=None)"
            )
        if not isinstance(self._text_model, TextEncoder):
            self._text_model = TextEncoder(self._text_model)
        if not isinstance(self._vec2vec, Vec2Vec):
            self._vec2vec = Vec2Vec.load(self._vec2vec)
        with torch_threads(self._text_model.threads):  # one sentence: see TextEncoder
            return self._vec2vec.encode(self._text_model.encode(text))

    # -- queries ------------------------------------------------------------------------
    def _centred(self, vec: np.ndarray) -> np.ndarray:
        if vec.ndim != 1 or (self.backend.dim is not None and vec.shape[0] != self.backend.dim):
            raise GenimlValueError(
                f"query vector: expected shape ({self.backend.dim},), got {vec.shape}"
            )
        return vec if self.center is None else vec - self.center

    def _filter_ids(self, metadata: Mapping[str, Any]) -> list[int]:
        import polars as pl

        if not isinstance(metadata, Mapping) or not metadata:
            raise GenimlValueError("metadata: expected a non-empty mapping of column -> value")
        cond = pl.lit(True)  # noqa: FBT003 - a polars literal
        for key, want in metadata.items():
            if key not in self.payloads.columns:
                raise GenimlValueError(
                    f"metadata: no field {key!r}; fields are {self.payloads.columns}"
                )
            values = list(want) if isinstance(want, (list, tuple, set)) else [want]
            col = pl.col(key).cast(pl.String)
            cond = cond & col.is_in([str(v) for v in values])
        return self.payloads.filter(cond)["id"].to_list()

    def query(
        self,
        *,
        text: str | None = None,
        bed: str | os.PathLike | RegionSet | None = None,
        vector: np.ndarray | None = None,
        metadata: Mapping[str, Any] | None = None,
        top_k: int = 10,
    ) -> pl.DataFrame:
        """Search by one of ``text``, ``bed`` or ``vector``, and/or an exact metadata filter.

        With a filter and a query, the matching items are ranked exactly by cosine
        similarity; with a filter only, they are listed in id order (``score`` null).

        Args:
            text: a natural-language query.
            bed: a query BED file (or RegionSet).
            vector: a region-set embedding.
            metadata: ``{field: value}`` (or a list of accepted values); all must match.
            top_k: how many results.

        Returns:
            polars DataFrame: ``rank`` (1-based), ``id``, ``score`` (cosine similarity), then
            the payload columns.

        Raises:
            GenimlValueError: no query or several, ``top_k`` < 1, an unknown metadata field,
                a vector of the wrong dimension.
            SearchIndexError: the index cannot answer this kind of query.
        """
        import polars as pl

        given = [k for k, v in (("text", text), ("bed", bed), ("vector", vector)) if v is not None]
        if len(given) > 1:
            raise GenimlValueError(f"give one of text=, bed=, vector= (got {', '.join(given)})")
        if not given and metadata is None:
            raise GenimlValueError("give a query: text=, bed=, vector= or metadata=")
        if not isinstance(top_k, (int, np.integer)) or isinstance(top_k, bool) or top_k < 1:
            raise GenimlValueError(f"top_k must be a positive integer, got {top_k!r}")
        if text is not None:
            if not isinstance(text, str) or not text.strip():
                raise GenimlValueError("text: expected a non-empty string")
            vec = self.embed_text(text)
        elif bed is not None:
            vec = self._centred(self.embed_bed(bed))
        elif vector is not None:
            vec = self._centred(np.asarray(vector, dtype=np.float32))
        else:
            vec = None
        allowed = self._filter_ids(metadata) if metadata is not None else None
        if vec is None:
            ids = sorted(allowed or [])[:top_k]
            scores: list[float | None] = [None] * len(ids)
        elif allowed is None:
            res = self.backend.search(vec, top_k, with_payload=False)
            ids = [r["id"] for r in res]
            scores = [r["score"] for r in res]
        elif not allowed:
            ids, scores = [], []
        else:
            info = self.backend.retrieve_info(allowed, with_vectors=True)
            mat = np.stack([np.asarray(r["vector"], dtype=np.float32) for r in info])
            q = self.backend._check_query(vec, top_k, 0)
            sims = mat @ q / np.linalg.norm(mat, axis=1)
            ids_arr = np.asarray(allowed, dtype=np.int64)
            order = np.lexsort((ids_arr, -sims))[:top_k]
            ids = ids_arr[order].tolist()
            scores = sims[order].astype(float).tolist()
        head = pl.DataFrame(
            {
                "rank": pl.Series(range(1, len(ids) + 1), dtype=pl.Int64),
                "id": pl.Series(ids, dtype=pl.Int64),
                "score": pl.Series(scores, dtype=pl.Float64),
            }
        )
        rows = [self._row_of[int(i)] for i in ids]
        schema = self.payloads.schema
        return head.hstack(
            [pl.Series(c, [v[r] for r in rows], dtype=schema[c]) for c, v in self._columns.items()]
        )
