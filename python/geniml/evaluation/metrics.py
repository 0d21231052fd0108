"""Metrics for labelled embeddings and annotations.

Embeddings and labels are arrays or files:

- embeddings: ``.npy`` (2-D array), or ``.csv`` / ``.tsv`` / ``.txt`` (tab) numeric tables with an
  optional header row and an optional first column of row names (any non-numeric first column).
- labels: ``.csv`` / ``.tsv`` tables with a header, or ``.txt`` with one label per line.

**Which column holds the labels** (``label_column=None``): a column named ``label`` or ``labels``
(any case) if there is one, otherwise the last column that is neither an identifier column nor
numeric. Identifier columns are named ``file``, ``file_name``, ``filename``, ``file_path``, ``path``,
``name``, ``id``, ``sample``, ``sample_name``, ``cell``, ``cell_id``, ``barcode`` or ``barcodes``.

**How label rows meet embedding rows**: when the embedding rows have names (``names=``, a list or a
text file with one name per line, or the first column of a CSV embedding) and the label table has
an identifier column (``id_column=``, default: the first identifier column), rows are matched by
name (exactly, or after dropping BED suffixes such as ``.bed.gz``, so ``a.bed`` matches ``a``).
Otherwise row ``i`` of the labels belongs to row ``i`` of the embeddings, and the counts must agree.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np

from geniml.exceptions import GenimlValueError

__all__ = [
    "cluster_agreement",
    "evaluate_annotation",
    "evaluate_embeddings",
    "load_embeddings",
    "load_labels",
]

ID_COLUMNS = (
    "file",
    "file_name",
    "filename",
    "file_path",
    "path",
    "name",
    "id",
    "sample",
    "sample_name",
    "cell",
    "cell_id",
    "barcode",
    "barcodes",
)
LABEL_COLUMNS = ("label", "labels")
EMBEDDING_METRICS = ("silhouette", "davies_bouldin", "calinski_harabasz", "ari", "nmi")
ANNOTATION_METRICS = (
    "accuracy",
    "balanced_accuracy",
    "f1",
    "precision",
    "recall",
    "confusion_matrix",
)
_BED_SUFFIXES = (".bed.gz", ".bed", ".narrowpeak.gz", ".narrowpeak", ".broadpeak.gz", ".broadpeak")

PathLike = str | os.PathLike


def _separator(path: Path) -> str:
    return "," if path.suffix.lower() == ".csv" else "\t"


def load_embeddings(path: PathLike) -> tuple[np.ndarray, list[str] | None]:
    """Read an embedding matrix from ``.npy`` or a numeric ``.csv``/``.tsv``/``.txt`` table.

    Args:
        path: the file.

    Returns:
        ``(embeddings, row_names)``; ``row_names`` is ``None`` unless a table has a non-numeric
        first column.

    Raises:
        GenimlValueError: the file does not hold a 2-D numeric matrix (the message names the
            column or line at fault).
        FileNotFoundError: the file is missing.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "e.csv"
        >>> _ = p.write_text("name,d0,d1\\na.bed,1,2\\nb.bed,3,4\\n")
        >>> x, names = load_embeddings(p)
        >>> x.tolist(), names
        ([[1.0, 2.0], [3.0, 4.0]], ['a.bed', 'b.bed'])
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"embeddings file not found: {path}")
    if path.suffix.lower() == ".npy":
        x = np.load(path, allow_pickle=False)
        if x.ndim != 2:
            raise GenimlValueError(f"{path}: expected a 2-D array, got shape {x.shape}")
        return x, None
    import polars as pl

    df = pl.read_csv(
        path, separator=_separator(path), has_header=False, infer_schema=False, comment_prefix="#"
    )
    if df.height == 0:
        raise GenimlValueError(f"{path}: no rows")
    numeric = {c: df[c].cast(pl.Float64, strict=False) for c in df.columns}
    body_ok = {c: numeric[c][1:].null_count() == 0 for c in df.columns}
    first_ok = {c: numeric[c][0] is not None for c in df.columns}
    first_col = df.columns[0]
    names_col = first_col if len(df.columns) > 1 and not body_ok[first_col] else None
    value_cols = [c for c in df.columns if c != names_col]
    for j, c in enumerate(value_cols):
        if not body_ok[c]:
            bad = int(numeric[c][1:].is_null().arg_true()[0]) + 2
            raise GenimlValueError(
                f"{path}: line {bad}, column {j + 1 + (names_col is not None)}: "
                f"not a number ({df[c][bad - 1]!r})"
            )
    header = not all(first_ok[c] for c in value_cols)
    start = 1 if header else 0
    x = np.column_stack([numeric[c][start:].to_numpy() for c in value_cols])
    names = df[names_col][start:].to_list() if names_col is not None else None
    return x, names


def _stem(name: str) -> str:
    base = os.path.basename(str(name))
    low = base.lower()
    for suf in _BED_SUFFIXES:
        if low.endswith(suf):
            return base[: -len(suf)]
    return base


def load_labels(
    path: PathLike,
    *,
    label_column: str | None = None,
    id_column: str | None = None,
) -> tuple[np.ndarray, list[str] | None]:
    """Read labels (and row identifiers) from a table or a one-label-per-line text file.

    See the module docstring for how the label and identifier columns are chosen.

    Args:
        path: ``.csv``/``.tsv`` with a header, or ``.txt`` (one label per line).
        label_column: the column holding the labels.
        id_column: the column naming each row (file or cell names).

    Returns:
        ``(labels, ids)``; ``ids`` is ``None`` when the table has no identifier column.

    Raises:
        GenimlValueError: a named column is missing or no label column can be chosen.

    Examples:
        >>> import tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "meta.csv"
        >>> _ = p.write_text("file_name,n_regions,cell_type\\na.bed,10,B\\nb.bed,12,T\\n")
        >>> labels, ids = load_labels(p)
        >>> labels.tolist(), ids
        (['B', 'T'], ['a.bed', 'b.bed'])
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"labels file not found: {path}")
    if path.suffix.lower() == ".txt" and label_column is None and id_column is None:
        lines = [ln.strip() for ln in path.read_text().splitlines()]
        return np.array([ln for ln in lines if ln]), None
    import polars as pl

    df = pl.read_csv(path, separator=_separator(path), infer_schema_length=10000)
    cols = df.columns
    lower = {c.lower(): c for c in cols}
    for given, what in ((label_column, "label_column"), (id_column, "id_column")):
        if given is not None and given not in cols:
            raise GenimlValueError(f"{path}: no column {given!r} ({what}); columns are {cols}")
    if id_column is None:
        id_column = next((lower[n] for n in ID_COLUMNS if n in lower), None)
    if label_column is None:
        label_column = next((lower[n] for n in LABEL_COLUMNS if n in lower), None)
    if label_column is None:
        candidates = [
            c
            for c in cols
            if c != id_column and c.lower() not in ID_COLUMNS and not df[c].dtype.is_numeric()
        ]
        if not candidates:
            raise GenimlValueError(
                f"{path}: no label column found among {cols}; pass label_column="
            )
        label_column = candidates[-1]
    labels = df[label_column].cast(pl.String).to_numpy()
    if df[label_column].null_count():
        row = int(df[label_column].is_null().arg_true()[0]) + 2
        raise GenimlValueError(f"{path}: line {row}: empty label in column {label_column!r}")
    ids = df[id_column].cast(pl.String).to_list() if id_column is not None else None
    return labels.astype(str), ids


def _align(
    labels: np.ndarray, ids: list[str] | None, names: Sequence[str] | None, n_rows: int
) -> np.ndarray:
    """Labels in embedding row order."""
    if ids is not None and names is not None:
        exact = {i: k for k, i in enumerate(ids)}
        stems = {_stem(i): k for k, i in enumerate(ids)}
        rows = []
        for name in names:
            k = exact.get(str(name), stems.get(_stem(str(name))))
            if k is None:
                raise GenimlValueError(f"embedding row {name!r} has no label")
            rows.append(k)
        return labels[np.asarray(rows, dtype=np.int64)]
    if len(labels) != n_rows:
        raise GenimlValueError(
            f"{len(labels)} labels for {n_rows} embedding rows; rows are matched by order "
            "unless the embeddings have names and the labels an identifier column"
        )
    return labels


def _resolve_inputs(
    embeddings: np.ndarray | PathLike | None,
    labels: Sequence | np.ndarray | PathLike | None,
    embeddings_file: PathLike | None,
    labels_file: PathLike | None,
    names: Sequence[str] | PathLike | None,
    label_column: str | None,
    id_column: str | None,
) -> tuple[np.ndarray, np.ndarray]:
    if (embeddings is None) == (embeddings_file is None):
        raise GenimlValueError("pass exactly one of embeddings= and embeddings_file=")
    if (labels is None) == (labels_file is None):
        raise GenimlValueError("pass exactly one of labels= and labels_file=")
    src = embeddings_file if embeddings_file is not None else embeddings
    row_names: list[str] | None = None
    if isinstance(src, (str, os.PathLike)):
        x, row_names = load_embeddings(src)
    else:
        x = np.asarray(src)
        if x.ndim != 2:
            raise GenimlValueError(f"embeddings must be 2-D, got shape {x.shape}")
    if isinstance(names, (str, os.PathLike)):
        names = [ln.strip() for ln in Path(names).read_text().splitlines() if ln.strip()]
    if names is not None:
        if len(names) != len(x):
            raise GenimlValueError(f"{len(names)} names for {len(x)} embedding rows")
        row_names = [str(n) for n in names]
    lsrc = labels_file if labels_file is not None else labels
    if isinstance(lsrc, (str, os.PathLike)):
        y, ids = load_labels(lsrc, label_column=label_column, id_column=id_column)
    else:
        y, ids = np.asarray(lsrc), None
    if y.ndim != 1:
        raise GenimlValueError(f"labels must be 1-D, got shape {y.shape}")
    return x, _align(y, ids, row_names, len(x))


def evaluate_embeddings(
    embeddings: np.ndarray | PathLike | None = None,
    labels: Sequence | np.ndarray | PathLike | None = None,
    *,
    embeddings_file: PathLike | None = None,
    labels_file: PathLike | None = None,
    metrics: Sequence[str] = ("silhouette", "davies_bouldin", "calinski_harabasz"),
    names: Sequence[str] | PathLike | None = None,
    label_column: str | None = None,
    id_column: str | None = None,
    seed: int = 0,
) -> dict[str, float]:
    """Score how well embeddings separate known labels.

    Args:
        embeddings: ``(n, dim)`` array or a file (see :func:`load_embeddings`).
        labels: ``n`` labels or a file (see :func:`load_labels`).
        embeddings_file: the embeddings as a file (alternative to ``embeddings``).
        labels_file: the labels as a file (alternative to ``labels``).
        metrics: any of ``"silhouette"`` (higher is better, in [-1, 1]), ``"davies_bouldin"``
            (lower is better), ``"calinski_harabasz"`` (higher is better), ``"ari"`` and
            ``"nmi"`` (k-means with one cluster per label vs the labels, see
            :func:`cluster_agreement`). Euclidean distance throughout.
        names: names of the embedding rows (list or text file), to match an identifier column.
        label_column: the label column of a labels table.
        id_column: the identifier column of a labels table.
        seed: k-means seed for ``"ari"``/``"nmi"``.

    Returns:
        ``{metric: value}`` in the order asked.

    Raises:
        GenimlValueError: unknown metric, fewer than 2 or more than ``n - 1`` distinct labels,
            or labels that do not line up with the embeddings.

    Examples:
        >>> import numpy as np
        >>> x = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
        >>> res = evaluate_embeddings(x, ["a", "a", "b", "b"])
        >>> round(res["silhouette"], 3), round(res["davies_bouldin"], 3)
        (0.986, 0.014)
    """
    from sklearn import metrics as skm

    unknown = [m for m in metrics if m not in EMBEDDING_METRICS]
    if unknown:
        raise GenimlValueError(f"unknown metric(s) {unknown}; choose from {EMBEDDING_METRICS}")
    x, y = _resolve_inputs(
        embeddings, labels, embeddings_file, labels_file, names, label_column, id_column
    )
    n_labels = len(np.unique(y))
    if not 2 <= n_labels <= len(x) - 1:
        raise GenimlValueError(
            f"need between 2 and n_samples - 1 ({len(x) - 1}) distinct labels, got {n_labels}"
        )
    out: dict[str, float] = {}
    agreement: dict[str, Any] | None = None
    for m in metrics:
        if m == "silhouette":
            out[m] = float(skm.silhouette_score(x, y))
        elif m == "davies_bouldin":
            out[m] = float(skm.davies_bouldin_score(x, y))
        elif m == "calinski_harabasz":
            out[m] = float(skm.calinski_harabasz_score(x, y))
        else:
            if agreement is None:
                agreement = cluster_agreement(x, y, method="kmeans", seed=seed)
            out[m] = float(agreement[m])
    return out


def _annotation_inputs(
    predicted: Sequence | np.ndarray | PathLike,
    true: Sequence | np.ndarray | PathLike,
    label_column: str | None,
) -> tuple[np.ndarray, np.ndarray]:
    p_ids = t_ids = None
    if isinstance(predicted, (str, os.PathLike)):
        predicted, p_ids = load_labels(predicted, label_column=label_column)
    if isinstance(true, (str, os.PathLike)):
        true, t_ids = load_labels(true, label_column=label_column)
    p = np.asarray(predicted).astype(str)
    t = np.asarray(true).astype(str)
    if p_ids is not None and t_ids is not None:
        t = _align(t, t_ids, p_ids, len(p))
    return p, t


def evaluate_annotation(
    predicted: Sequence | np.ndarray | PathLike,
    true: Sequence | np.ndarray | PathLike,
    *,
    metrics: Sequence[str] = ("accuracy", "f1", "confusion_matrix"),
    average: Literal["macro", "micro", "weighted"] = "macro",
    label_column: str | None = None,
) -> dict[str, Any]:
    """Compare predicted labels (e.g. transferred cell types) with the true ones.

    Args:
        predicted: predicted label per item, or a labels file (see :func:`load_labels`).
        true: true label per item, or a labels file. When both files have an identifier
            column, rows are matched by identifier, otherwise by order.
        metrics: any of ``"accuracy"``, ``"balanced_accuracy"``, ``"f1"``, ``"precision"``,
            ``"recall"`` (averaged over classes by ``average``; a class never predicted counts
            as 0) and ``"confusion_matrix"``.
        average: class averaging of f1/precision/recall.
        label_column: the label column of label files (default rule: module docstring).

    Returns:
        ``{metric: value}``; ``"confusion_matrix"`` is an ``int64`` array (rows: true labels,
        columns: predicted labels), and then ``"labels"`` gives their order (sorted union).

    Raises:
        GenimlValueError: unknown metric, or the two sequences differ in length.

    Examples:
        >>> res = evaluate_annotation(["B", "T", "T"], ["B", "T", "B"])
        >>> res["accuracy"], res["confusion_matrix"].tolist(), res["labels"]
        (0.6666666666666666, [[1, 1], [0, 1]], ['B', 'T'])
    """
    from sklearn import metrics as skm

    unknown = [m for m in metrics if m not in ANNOTATION_METRICS]
    if unknown:
        raise GenimlValueError(f"unknown metric(s) {unknown}; choose from {ANNOTATION_METRICS}")
    p, t = _annotation_inputs(predicted, true, label_column)
    if p.shape != t.shape or p.ndim != 1:
        raise GenimlValueError(
            f"predicted and true must be 1-D of equal length, got {p.shape} and {t.shape}"
        )
    out: dict[str, Any] = {}
    for m in metrics:
        if m == "accuracy":
            out[m] = float(skm.accuracy_score(t, p))
        elif m == "balanced_accuracy":
            out[m] = float(skm.balanced_accuracy_score(t, p))
        elif m in ("f1", "precision", "recall"):
            fn = {"f1": skm.f1_score, "precision": skm.precision_score}.get(m, skm.recall_score)
            out[m] = float(fn(t, p, average=average, zero_division=0))
        else:
            labels = np.union1d(t, p)
            out[m] = skm.confusion_matrix(t, p, labels=labels).astype(np.int64)
            out["labels"] = labels.tolist()
    return out


def _leiden(x: np.ndarray, resolution: float, n_neighbors: int, seed: int) -> np.ndarray:
    import igraph as ig
    import leidenalg
    from sklearn.neighbors import kneighbors_graph

    adj = kneighbors_graph(x, n_neighbors=min(n_neighbors, len(x) - 1), include_self=False)
    adj = (adj + adj.T).tocoo()
    mask = adj.row < adj.col
    graph = ig.Graph(n=len(x), edges=np.column_stack([adj.row[mask], adj.col[mask]]).tolist())
    part = leidenalg.find_partition(
        graph, leidenalg.RBConfigurationVertexPartition, resolution_parameter=resolution, seed=seed
    )
    return np.asarray(part.membership, dtype=np.int64)


def cluster_agreement(
    embeddings: np.ndarray,
    labels: Sequence | np.ndarray,
    *,
    method: Literal["kmeans", "leiden"] = "kmeans",
    n_clusters: int | None = None,
    resolution: float = 1.0,
    n_neighbors: int = 15,
    seed: int = 0,
) -> dict[str, Any]:
    """Cluster the embeddings and compare the clusters with the labels (ARI and NMI).

    ``"kmeans"``: scikit-learn k-means (10 starts) with ``n_clusters`` clusters (default: the
    number of distinct labels). ``"leiden"``: Leiden (RB configuration, ``leidenalg``) on the
    symmetrised unweighted ``n_neighbors``-nearest-neighbour graph; with ``n_clusters`` the
    resolution is searched by bisection (on a log scale between 0.001 and 100) for that many
    clusters, and the closest count reached is reported if it cannot be hit exactly.

    Args:
        embeddings: ``(n, dim)`` array.
        labels: ``n`` true labels.
        method: ``"kmeans"`` or ``"leiden"``.
        n_clusters: number of clusters (k-means default: number of labels).
        resolution: Leiden resolution when ``n_clusters`` is not given.
        n_neighbors: neighbours of the Leiden graph.
        seed: random seed.

    Returns:
        ``{"ari": float, "nmi": float, "n_clusters": int, "clusters": int64 array}``.

    Raises:
        GenimlValueError: unknown method or mismatched lengths.

    Examples:
        >>> import numpy as np
        >>> x = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
        >>> res = cluster_agreement(x, ["a", "a", "b", "b"])
        >>> res["ari"], res["nmi"], res["n_clusters"]
        (1.0, 1.0, 2)
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    if method not in ("kmeans", "leiden"):
        raise GenimlValueError(f"`method` must be one of {{'kmeans','leiden'}}, got {method!r}")
    x = np.asarray(embeddings, dtype=np.float64)
    y = np.asarray(labels).astype(str)
    if x.ndim != 2 or len(x) != len(y):
        raise GenimlValueError(
            f"need (n, dim) embeddings and n labels, got {x.shape} and {len(y)} labels"
        )
    if method == "kmeans":
        from sklearn.cluster import KMeans

        k = n_clusters if n_clusters is not None else len(np.unique(y))
        clusters = KMeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
    elif n_clusters is None:
        clusters = _leiden(x, resolution, n_neighbors, seed)
    else:
        lo, hi = np.log(1e-3), np.log(1e2)
        best = None
        for _ in range(30):
            mid = (lo + hi) / 2
            c = _leiden(x, float(np.exp(mid)), n_neighbors, seed)
            k = len(np.unique(c))
            if best is None or abs(k - n_clusters) < abs(len(np.unique(best)) - n_clusters):
                best = c
            if k == n_clusters:
                break
            lo, hi = (mid, hi) if k < n_clusters else (lo, mid)
        clusters = best
    clusters = np.asarray(clusters, dtype=np.int64)
    return {
        "ari": float(adjusted_rand_score(y, clusters)),
        "nmi": float(normalized_mutual_info_score(y, clusters)),
        "n_clusters": len(np.unique(clusters)),
        "clusters": clusters,
    }
