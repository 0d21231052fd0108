"""Precomputed r2l / l2r / r2r cosine tables of a collection, and search over them."""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from geniml.bedspace._common import FILE_COLUMN, atomic_path, read_metadata, split_labels
from geniml.bedspace.model import (
    DEFAULT_NEIGHBOURS,
    BEDSpaceModel,
    SearchType,
    neighbour_vote,
    rank_hits,
)
from geniml.exceptions import GenimlValueError

FORMAT = "geniml-bedspace-distances-1"


def _resolve(meta: pl.DataFrame, metadata: Path, files, model: BEDSpaceModel) -> list[Path]:
    known = {}
    if model.documents is not None and "path" in model.documents.columns:
        known = dict(
            zip(
                model.documents[FILE_COLUMN].to_list(),
                model.documents["path"].to_list(),
                strict=False,
            )
        )
    out = []
    for row, name in enumerate(meta[FILE_COLUMN].to_list()):
        if files is not None:
            p = Path(files) / name
        elif Path(name).is_absolute():
            p = Path(name)
        elif (metadata.parent / name).is_file():
            p = metadata.parent / name
        else:
            p = Path(known.get(name, metadata.parent / name))
        if not p.is_file():
            raise FileNotFoundError(
                f"{metadata}: row {row + 2} ({FILE_COLUMN}={name!r}): no such file {p}"
            )
        out.append(p)
    return out


def _minmax(x: np.ndarray) -> np.ndarray:
    lo, hi = float(x.min()), float(x.max())
    return (x - lo) / (hi - lo) if hi > lo else np.zeros_like(x)


def distances(
    model: BEDSpaceModel | str | os.PathLike,
    metadata: str | os.PathLike,
    universe: str | os.PathLike | None = None,
    files: str | os.PathLike | None = None,
    *,
    output: str | os.PathLike = "distances.pkl",
    labels: str | Sequence[str] | None = None,
    metadata_test: str | os.PathLike | None = None,
    threshold: float = 0.5,
    force: bool = False,
) -> Path:
    """Cosine tables of a collection: file-to-label, label-to-file and file-to-file.

    The collection is the files of ``metadata`` (``file_name`` column, found in ``files``, next
    to the metadata, or among the model's training files); queries are the files of
    ``metadata_test`` (default: the same). Writes ``output`` (a pickle that
    :func:`search` reads; load only files you trust) and, beside it, upstream geniml's CSVs:
    ``raw_cosdist_rl.csv`` (``filename, file_label, search_term, score`` = cosine distance),
    ``similarity_score_rl.csv`` (distances min-max scaled, rows above ``threshold`` kept,
    score = 1 - scaled, as upstream) and ``similarity_score_rr.csv`` (``db_file, test_file,
    score`` = 1 - min-max scaled distance).

    Args:
        model: a :class:`BEDSpaceModel` or its folder.
        metadata: the collection's metadata table.
        universe: tokenization universe. The model tokenizes against its own words (the
            universe regions it saw), which gives the same tokens; when given, the file must
            exist and is recorded.
        files: the folder holding the BED files.
        output: the pickle to write; an existing folder gets ``distances.pkl`` inside it.
        labels: label columns for ``file_label`` (default: the model's label columns, or every
            column but ``file_name``).
        metadata_test: the query files' metadata (upstream's ``--metadata-test``).
        threshold: upstream's filter for ``similarity_score_rl.csv``.
        force: replace existing outputs.

    Returns:
        The pickle's path.
    """
    m = model if isinstance(model, BEDSpaceModel) else BEDSpaceModel.load(model)
    if universe is not None and not Path(universe).is_file():
        raise FileNotFoundError(f"universe file not found: {universe}")
    metadata = Path(metadata)
    if labels is not None:
        cols = split_labels(labels)
    else:
        cols = list(m.config.get("label_columns") or [])
    meta = read_metadata(metadata, cols)
    if not cols:
        cols = [c for c in meta.columns if c != FILE_COLUMN]
    qmeta_path = Path(metadata_test) if metadata_test is not None else metadata
    qmeta = read_metadata(qmeta_path, []) if metadata_test is not None else meta
    db_paths = _resolve(meta, metadata, files, m)
    q_paths = _resolve(qmeta, qmeta_path, files, m) if metadata_test is not None else db_paths
    if not db_paths:
        raise GenimlValueError(f"{metadata}: no file")
    db = m.embed_region_sets(db_paths)
    q = db if metadata_test is None else m.embed_region_sets(q_paths)
    lab = m.embed_labels()
    r2l = q @ lab.T
    r2r = q @ db.T
    output = Path(output)
    if output.is_dir():
        output = output / "distances.pkl"
    out_dir = output.parent
    qnames = qmeta[FILE_COLUMN].to_list()
    first = cols[0] if cols and cols[0] in qmeta.columns else None
    qlab = [(v or "") for v in qmeta[first].to_list()] if first else [""] * len(qnames)
    n_q, n_l = r2l.shape
    raw = pl.DataFrame(
        {
            "filename": [str(p) for p in q_paths] * n_l,
            "file_label": qlab * n_l,
            "search_term": np.repeat(np.asarray(m.labels, dtype=object), n_q).tolist(),
            "score": (1.0 - r2l).T.reshape(-1).astype(np.float64),
        }
    )
    sim = raw.with_columns(pl.Series("score", _minmax(raw["score"].to_numpy())))
    sim = sim.filter(pl.col("score") > threshold).with_columns(
        (1.0 - pl.col("score")).alias("score")
    )
    rr = pl.DataFrame(
        {
            "db_file": [str(p) for p in db_paths] * n_q,
            "test_file": np.repeat(
                np.asarray([str(p) for p in q_paths], dtype=object), len(db_paths)
            ).tolist(),
            "score": 1.0 - _minmax((1.0 - r2r).reshape(-1).astype(np.float64)),
        }
    )
    payload = {
        "format": FORMAT,
        "model": str(m.folder.resolve()) if m.folder else None,
        "universe": str(Path(universe).resolve()) if universe else None,
        "labels": list(m.labels),
        "label_columns": cols,
        "files": meta[FILE_COLUMN].to_list(),
        "paths": [str(p) for p in db_paths],
        "file_labels": {c: meta[c].to_list() for c in cols if c in meta.columns},
        "queries": qnames,
        "query_paths": [str(p) for p in q_paths],
        "file_vectors": db,
        "query_vectors": q,
        "label_vectors": lab,
        "r2l": r2l,
        "r2r": r2r,
    }
    with atomic_path(output, force=force) as tmp:
        with open(tmp, "wb") as f:
            pickle.dump(payload, f, protocol=pickle.HIGHEST_PROTOCOL)
    for name, df in (
        ("raw_cosdist_rl.csv", raw),
        ("similarity_score_rl.csv", sim),
        ("similarity_score_rr.csv", rr),
    ):
        with atomic_path(out_dir / name, force=True) as tmp:
            df.write_csv(tmp)
    return output


def _load(path: str | os.PathLike) -> dict:
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"distances file not found: {path}")
    try:
        with open(path, "rb") as f:
            d = pickle.load(f)
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError) as e:
        raise GenimlValueError(f"{path}: not a BEDspace distances file ({e})") from None
    if not isinstance(d, dict) or d.get("format") != FORMAT:
        raise GenimlValueError(f"{path}: not a BEDspace distances file (written by `distances`)")
    return d


def _find(name: str, names: list[str], paths: list[str]) -> int | None:
    for i, (n, p) in enumerate(zip(names, paths, strict=False)):
        if name in (n, p) or Path(name).name == n or os.path.abspath(name) == os.path.abspath(p):
            return i
    return None


def search(
    distances: str | os.PathLike,
    query: str | os.PathLike,
    *,
    search_type: SearchType = "l2r",
    top_k: int = 10,
    neighbours: int = DEFAULT_NEIGHBOURS,
) -> pl.DataFrame:
    """Search a :func:`distances` file in one of three directions.

    ``r2l`` ranks labels for a file, ``l2r`` files for a label, ``r2r`` files for a file.

    A file query that is in the collection uses its stored vector; any other BED path is
    embedded with the model the distances were computed with.

    ``neighbours`` (``r2l`` only): the ``k`` collection files most similar to the query vote
    for their labels and a label's score is its cosine plus its vote, as in
    :meth:`BEDSpaceModel.search`; the query itself is left out of the vote when it is in the
    collection. ``0`` gives the pure label cosine.

    Returns:
        A polars DataFrame ``query, hit, score, rank`` (cosine similarity, plus the vote for r2l;
        best first).
    """
    if search_type not in ("l2r", "r2l", "r2r"):
        raise ValueError(f"`search_type` must be one of {{'l2r','r2l','r2r'}}, got {search_type!r}")
    d = _load(distances)
    query = str(query)
    if search_type == "l2r":
        name = query.removeprefix("__label__")
        if name not in d["labels"]:
            raise KeyError(f"unknown label {name!r}; the model has {d['labels']}")
        scores = d["file_vectors"] @ d["label_vectors"][d["labels"].index(name)]
        return rank_hits(name, d["files"], scores, top_k)
    i = _find(query, d["queries"], d["query_paths"])
    if i is not None:
        v = d["query_vectors"][i]
    else:
        j = _find(query, d["files"], d["paths"])
        if j is not None:
            v = d["file_vectors"][j]
        else:
            if not Path(query).is_file():
                raise FileNotFoundError(
                    f"query {query!r} is neither a collection file nor a BED path"
                )
            if not d["model"]:
                raise GenimlValueError(f"{distances}: no model recorded to embed {query}")
            v = BEDSpaceModel.load(d["model"]).embed_region_sets(query)[0]
    if search_type == "r2l":
        if neighbours < 0:
            raise ValueError(f"`neighbours` must be >= 0, got {neighbours}")
        scores = d["label_vectors"] @ v
        if neighbours:
            doc_labels = list(d.get("file_labels", {}).values())
            self_j = _find(query, d["files"], d["paths"])
            scores = scores + neighbour_vote(
                v, d["file_vectors"], doc_labels, d["labels"], neighbours, exclude=self_j
            )
        return rank_hits(query, d["labels"], scores, top_k)
    return rank_hits(query, d["files"], d["file_vectors"] @ v, top_k)
