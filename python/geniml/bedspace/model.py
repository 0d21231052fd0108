"""The BEDspace model: one embedding table for universe regions and labels, and search."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import polars as pl
import yaml

from geniml import _core
from geniml.bedspace._common import LABEL_PREFIX, atomic_path, label_token
from geniml.exceptions import ModelError
from geniml.hub import PretrainedMixin
from geniml.io import RegionSet, bed_files_in

TSV_FILE = "starspace_trained_model.tsv"
SAFETENSORS_FILE = "model.safetensors"
CONFIG_FILE = "config.yaml"
UNIVERSE_FILE = "universe.bed"
DOCUMENTS_FILE = "documents.tsv"

SearchType = Literal["l2r", "r2l", "r2r"]
#: Default ``neighbours`` of r2l search: how many of the most similar training files vote.
DEFAULT_NEIGHBOURS = 1
RegionSetsLike = str | os.PathLike | RegionSet | Sequence[str | os.PathLike | RegionSet]


def _normalize(m: np.ndarray) -> np.ndarray:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    return (m / np.where(n > 0, n, 1.0)).astype(np.float32)


def read_starspace_tsv(path: str | os.PathLike) -> tuple[list[str], np.ndarray]:
    """Symbols and vectors of a StarSpace ``.tsv`` model (``symbol<TAB>v1<TAB>...`` per row)."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"StarSpace model not found: {path}")
    try:
        df = pl.read_csv(
            path, separator="\t", has_header=False, infer_schema=False, quote_char=None
        )
    except pl.exceptions.PolarsError as e:
        raise ModelError(f"{path}: not a StarSpace .tsv model: {e}") from None
    if df.width < 2:
        raise ModelError(f"{path}: expected a symbol and at least one value per row")
    symbols = df.to_series(0).to_list()
    try:
        vecs = df.select(pl.all().exclude(df.columns[0]).cast(pl.Float32)).to_numpy()
    except pl.exceptions.PolarsError as e:
        raise ModelError(f"{path}: non-numeric value in the vectors: {e}") from None
    if np.isnan(vecs).any():
        row = int(np.flatnonzero(np.isnan(vecs).any(axis=1))[0])
        raise ModelError(f"{path}:{row + 1}: missing or non-numeric value")
    return symbols, np.ascontiguousarray(vecs, dtype=np.float32)


class BEDSpaceModel(PretrainedMixin):
    """A trained BEDspace model: universe regions and labels in one cosine space.

    Rows of :attr:`weights` are the model's words (universe regions it saw, in
    :attr:`universe` order) and its labels (:attr:`labels`). A region set is embedded as
    StarSpace embeds a document: the sum of its regions' rows divided by its L2 norm.

    Load with :meth:`load` (or :meth:`from_pretrained`, which also takes a Hugging Face
    repository id); train with :func:`geniml.bedspace.train`; :meth:`save_pretrained` and
    :meth:`push_to_hub` write the folder with a model card and upload it.

    Examples:
        >>> import tempfile, pathlib
        >>> from geniml.bedspace import preprocess, train
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "u.bed").write_text("chr1\\t0\\t100\\nchr1\\t200\\t300\\nchr2\\t0\\t50\\n")
        >>> (d / "beds").mkdir()
        >>> _ = (d / "beds" / "a.bed").write_text("chr1\\t10\\t20\\n")
        >>> _ = (d / "beds" / "b.bed").write_text("chr2\\t10\\t20\\n")
        >>> _ = (d / "m.csv").write_text("file_name,cell\\na.bed,x\\nb.bed,y\\n")
        >>> p = preprocess(d / "beds", d / "m.csv", d / "u.bed", labels="cell", output=d / "p.txt")
        >>> m = train(p, d / "model", dim=8, epochs=20, seed=1, n_threads=1, progress=False)
        >>> m = BEDSpaceModel.load(d / "model")
        >>> m.labels
        ['x', 'y']
        >>> m.search(d / "beds" / "a.bed", search_type="r2l")["hit"][0]
        'x'
    """

    def __init__(
        self,
        weights: np.ndarray,
        words: RegionSet,
        word_rows: np.ndarray,
        labels: list[str],
        label_rows: np.ndarray,
        *,
        config: dict | None = None,
        documents: pl.DataFrame | None = None,
        document_vectors: np.ndarray | None = None,
        folder: Path | None = None,
    ) -> None:
        self.weights = np.ascontiguousarray(weights, dtype=np.float32)
        self.universe = words
        self._word_rows = np.asarray(word_rows, dtype=np.uint32)
        self.labels = list(labels)
        self._label_rows = np.asarray(label_rows, dtype=np.int64)
        self.config = dict(config or {})
        self.documents = documents
        self._doc_vectors = document_vectors
        self.folder = folder
        self._tokenizer = None

    # -- loading / saving ---------------------------------------------------------------
    @classmethod
    def from_symbols(cls, symbols: list[str], weights: np.ndarray, **kw) -> BEDSpaceModel:
        """Build from StarSpace's symbol rows: ``chr_start_end`` words and ``__label__`` labels."""
        is_label = np.array([s.startswith(LABEL_PREFIX) for s in symbols], dtype=bool)
        word_rows = np.flatnonzero(~is_label)
        label_rows = np.flatnonzero(is_label)
        words = [symbols[i] for i in word_rows]
        if not words:
            raise ModelError("the model has no word (region) row")
        try:
            universe = RegionSet._from_core(_core.parse_region_names(words))
        except ValueError as err:
            raise ModelError(f"model words must be regions named chr_start_end: {err}") from None
        labels = [symbols[i][len(LABEL_PREFIX) :] for i in label_rows]
        return cls(weights, universe, word_rows, labels, label_rows, **kw)

    @classmethod
    def load(cls, folder: str | os.PathLike) -> BEDSpaceModel:
        """Load a model folder written by :func:`~geniml.bedspace.train` or by StarSpace.

        A geniml folder is read from ``model.safetensors``, ``config.yaml`` and
        ``universe.bed``; a folder holding only StarSpace's ``starspace_trained_model.tsv``
        (upstream geniml's output) loads from the ``.tsv``. ``folder`` may also be the ``.tsv``.

        Raises:
            ModelError: the folder holds neither layout, or a file is malformed.
        """
        path = Path(folder)
        if path.is_file():
            symbols, w = read_starspace_tsv(path)
            return cls.from_symbols(symbols, w, folder=path.parent)
        if not path.is_dir():
            raise FileNotFoundError(f"model folder not found: {path}")
        config: dict[str, Any] = {}
        if (path / CONFIG_FILE).is_file():
            config = yaml.safe_load((path / CONFIG_FILE).read_text()) or {}
            if config.get("model_type", "bedspace") != "bedspace":
                raise ModelError(
                    f"{path}: model_type is {config.get('model_type')!r}, not bedspace"
                )
        documents = None
        if (path / DOCUMENTS_FILE).is_file():
            documents = pl.read_csv(path / DOCUMENTS_FILE, separator="\t", infer_schema=False)
        fast = all((path / f).is_file() for f in (SAFETENSORS_FILE, CONFIG_FILE, UNIVERSE_FILE))
        if fast:
            from safetensors.numpy import load_file

            from geniml.io import read_bed

            t = load_file(str(path / SAFETENSORS_FILE))
            w = t["embeddings"]
            n_words = int(config["n_words"])
            labels = [str(x) for x in config["labels"]]
            universe = read_bed(path / UNIVERSE_FILE)
            if len(universe) != n_words or w.shape[0] != n_words + len(labels):
                raise ModelError(
                    f"{path}: universe.bed ({len(universe)} regions), labels ({len(labels)}) "
                    f"and model.safetensors ({w.shape[0]} rows) disagree"
                )
            return cls(
                w,
                universe,
                np.arange(n_words),
                labels,
                np.arange(n_words, n_words + len(labels)),
                config=config,
                documents=documents,
                document_vectors=t.get("documents"),
                folder=path,
            )
        tsv = path / TSV_FILE
        if not tsv.is_file():
            raise ModelError(f"{path}: neither {SAFETENSORS_FILE} + {CONFIG_FILE} nor {TSV_FILE}")
        symbols, w = read_starspace_tsv(tsv)
        m = cls.from_symbols(symbols, w, config=config, documents=documents, folder=path)
        if documents is not None and len(documents):
            m._doc_vectors = m._embed_paths(documents["path"].to_list())
        return m

    def save(self, folder: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the model folder (tsv, safetensors, config.yaml, universe.bed, documents.tsv).

        The folder is written aside and renamed into place; an existing one is replaced only
        with ``force=True``. Words are written first in :attr:`universe` order, then labels.
        """
        from safetensors.numpy import save_file

        from geniml.io import write_bed

        folder = Path(folder)
        rows = np.concatenate([self._word_rows.astype(np.int64), self._label_rows])
        w = np.ascontiguousarray(self.weights[rows])
        u = self.universe
        chrom = np.asarray(u._names, dtype=object)[u._chroms]
        words = [
            f"{c}_{s}_{e}"
            for c, s, e in zip(chrom, u._starts.tolist(), u._ends.tolist(), strict=False)
        ]
        symbols = words + [LABEL_PREFIX + x for x in self.labels]
        config = dict(self.config) | {
            "model_type": "bedspace",
            "dim": int(w.shape[1]),
            "n_words": len(words),
            "labels": list(self.labels),
        }
        tensors = {"embeddings": w}
        if self._doc_vectors is not None:
            tensors["documents"] = np.ascontiguousarray(self._doc_vectors, dtype=np.float32)
        with atomic_path(folder, force=force, is_dir=True) as tmp:
            df = pl.DataFrame({"symbol": symbols}).hstack(
                pl.DataFrame(w, schema=[f"v{i}" for i in range(w.shape[1])])
            )
            df.write_csv(tmp / TSV_FILE, separator="\t", include_header=False)
            save_file(tensors, str(tmp / SAFETENSORS_FILE))
            (tmp / CONFIG_FILE).write_text(yaml.safe_dump(config, sort_keys=True))
            write_bed(u, tmp / UNIVERSE_FILE)
            if self.documents is not None:
                self.documents.write_csv(tmp / DOCUMENTS_FILE, separator="\t")
        self.folder = folder
        return folder

    # -- Hugging Face folders: from_pretrained / save_pretrained / push_to_hub (PretrainedMixin)
    card_type = "BEDspace"

    @classmethod
    def _from_folder(cls, folder: Path, *, device: str | None) -> BEDSpaceModel:
        return cls.load(folder)  # numpy: no device

    def _save_folder(self, folder: Path, *, force: bool) -> Path:
        return self.save(folder, force=force)

    # -- embedding ------------------------------------------------------------------------
    @property
    def dim(self) -> int:
        """Embedding dimension."""
        return int(self.weights.shape[1])

    @property
    def tokenizer(self):
        """A :class:`~geniml.tokenization.Tokenizer` over the model's words (token i = word i)."""
        if self._tokenizer is None:
            from geniml.tokenization import Tokenizer

            self._tokenizer = Tokenizer(self.universe)
        return self._tokenizer

    def _embed_ids(self, id_arrays: list[np.ndarray], n_threads: int | None) -> np.ndarray:
        lengths = np.fromiter((len(a) for a in id_arrays), dtype=np.uint64, count=len(id_arrays))
        offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.uint64)
        ids = (
            self._word_rows[np.concatenate(id_arrays).astype(np.int64)]
            if len(id_arrays) and offsets[-1]
            else np.zeros(0, dtype=np.uint32)
        )
        return _core.bedspace_embed(self.weights, offsets, ids.astype(np.uint32), n_threads)

    def _embed_paths(self, items: list, n_threads: int | None = None) -> np.ndarray:
        toks = self.tokenizer.tokenize_batch(items, unique=True, n_threads=n_threads)
        return self._embed_ids([t.ids for t in toks], n_threads)

    def embed_region_sets(
        self, beds: RegionSetsLike, *, n_threads: int | None = None
    ) -> np.ndarray:
        """One vector per region set, as StarSpace embeds a document.

        Each set is tokenized against the model's universe (each region once, coordinates
        0-based half-open); the vector is the sum of its regions' rows divided by its L2 norm
        (zeros for a set with no region in the universe).

        Args:
            beds: a BED path, a RegionSet, a list of them, or a folder of BED files.
            n_threads: threads for reading and tokenizing (default: geniml's pool).

        Returns:
            ``float32`` array ``(n_sets, dim)``.
        """
        if isinstance(beds, (str, os.PathLike)) and Path(beds).is_dir():
            items: list = list(bed_files_in(beds))
        elif isinstance(beds, (str, os.PathLike, RegionSet)):
            items = [beds]
        else:
            items = list(beds)
        return self._embed_paths(items, n_threads)

    def embed_labels(self, labels: Sequence[str] | None = None) -> np.ndarray:
        """Unit vectors of labels (all of :attr:`labels` by default), ``(n, dim)``.

        Raises:
            KeyError: an unknown label.
        """
        names = self.labels if labels is None else [self._label_name(x) for x in labels]
        index = {x: i for i, x in enumerate(self.labels)}
        missing = [x for x in names if x not in index]
        if missing:
            raise KeyError(f"unknown label {missing[0]!r}; the model has {self.labels}")
        rows = self._label_rows[[index[x] for x in names]]
        return _normalize(self.weights[rows].reshape(len(rows), self.dim))

    @staticmethod
    def _label_name(x: str) -> str:
        return x[len(LABEL_PREFIX) :] if x.startswith(LABEL_PREFIX) else x

    # -- search ---------------------------------------------------------------------------
    @property
    def document_vectors(self) -> np.ndarray | None:
        """Vectors of the training files (rows of :attr:`documents`), if known."""
        return self._doc_vectors

    def _collection(self, collection: RegionSetsLike | None) -> tuple[list[str], np.ndarray]:
        if collection is None:
            if self._doc_vectors is None or self.documents is None:
                raise ModelError("this model does not know its training files; pass collection=...")
            return self.documents["file_name"].to_list(), self._doc_vectors
        if isinstance(collection, (str, os.PathLike)) and Path(collection).is_dir():
            items: list = list(bed_files_in(collection))
        elif isinstance(collection, (str, os.PathLike, RegionSet)):
            items = [collection]
        else:
            items = list(collection)
        names = [
            Path(x).name if isinstance(x, (str, os.PathLike)) else (str(x.path or f"set{k}"))
            for k, x in enumerate(items)
        ]
        return names, self._embed_paths(items)

    def _training_index(self, query) -> int | None:
        """Row of the training file ``query`` is (same resolved path), if any."""
        if self.documents is None or "path" not in self.documents.columns:
            return None
        if isinstance(query, RegionSet):
            query = query.path
        if query is None:
            return None
        try:
            target = str(Path(query).resolve())
        except OSError:
            return None
        paths = self.documents["path"].to_list()
        return paths.index(target) if target in paths else None

    def search(
        self,
        query: str | os.PathLike | RegionSet,
        search_type: SearchType = "l2r",
        top_k: int = 10,
        collection: RegionSetsLike | None = None,
        neighbours: int = DEFAULT_NEIGHBOURS,
    ) -> pl.DataFrame:
        """Rank labels for a region set (``r2l``), files for a label (``l2r``) or files for a file.

        Args:
            query: a label (``l2r``; with or without ``__label__``) or a BED path / RegionSet
                (``r2l``, ``r2r``).
            search_type: ``"l2r"``, ``"r2l"`` or ``"r2r"``.
            top_k: number of hits.
            collection: the files searched by ``l2r`` / ``r2r`` (paths, RegionSets or a
                folder); by default the training files.
            neighbours: ``r2l`` only: the ``k`` training files most similar to the query
                also vote for their labels (:func:`neighbour_vote`), and a label's score is
                its cosine plus its vote (a query that is itself a training file does not vote
                for itself). ``0`` gives StarSpace's pure label cosine. Needs a
                model that knows its training files and their labels (trained on a
                :func:`~geniml.bedspace.preprocess` file); otherwise the cosine alone is used.

        Returns:
            A polars DataFrame with columns ``query``, ``hit``, ``score`` (cosine similarity;
            for r2l plus the neighbour vote)
            and ``rank`` (1 = best).
        """
        if search_type not in ("l2r", "r2l", "r2r"):
            raise ValueError(
                f"`search_type` must be one of {{'l2r','r2l','r2r'}}, got {search_type!r}"
            )
        if search_type == "l2r":
            qname = self._label_name(str(query))
            q = self.embed_labels([qname])[0]
            names, m = self._collection(collection)
        else:
            qname = str(query.path or "query") if isinstance(query, RegionSet) else str(query)
            q = self.embed_region_sets(query)[0]
            if search_type == "r2l":
                if neighbours < 0:
                    raise ValueError(f"`neighbours` must be >= 0, got {neighbours}")
                scores = self.embed_labels() @ q
                if neighbours and self._doc_vectors is not None and self.documents is not None:
                    cols = [c for c in self.documents.columns if c not in ("file_name", "path")]
                    doc_labels = [self.documents[c].to_list() for c in cols]
                    scores = scores + neighbour_vote(
                        q, self._doc_vectors, doc_labels, self.labels, neighbours,
                        exclude=self._training_index(query),
                    )  # fmt: skip
                return rank_hits(qname, self.labels, scores, top_k)
            else:
                names, m = self._collection(collection)
        return rank_hits(qname, names, m @ q, top_k)


def neighbour_vote(
    q: np.ndarray,
    doc_vectors: np.ndarray,
    doc_labels: Sequence[Sequence[str | None]],
    labels: Sequence[str],
    k: int,
    exclude: int | None = None,
) -> np.ndarray:
    """Similarity-weighted label vote of the ``k`` files most similar to ``q``.

    ``doc_labels`` holds one list per label column (a value per file, as written in the
    metadata). Each of the ``k`` nearest files (cosine in the joint space, negative
    similarities count 0) gives its similarity to each of its labels; every column's votes are
    divided by the total weight, so the vote is in ``[0, 1]`` per label. ``exclude`` is a file
    index left out (the query itself when it is in the collection).

    Returns:
        ``float32`` array, one vote per entry of ``labels``.
    """
    vote = np.zeros(len(labels), dtype=np.float32)
    if k < 1 or doc_vectors is None or len(doc_vectors) == 0:
        return vote
    sims = (doc_vectors @ q).astype(np.float64)
    if exclude is not None:
        sims[exclude] = -np.inf
    order = np.argsort(-sims, kind="stable")[: min(k, len(sims) - (exclude is not None))]
    weights = np.maximum(sims[order], 0.0)
    total = float(weights.sum())
    if total <= 0:
        return vote
    index = {x: i for i, x in enumerate(labels)}
    for column in doc_labels:
        for j, w in zip(order.tolist(), weights.tolist(), strict=True):
            v = column[j]
            i = index.get(label_token(v)[len(LABEL_PREFIX) :]) if v else None
            if i is not None:
                vote[i] += w / total
    return vote


def rank_hits(query: str, names: Sequence[str], scores: np.ndarray, top_k: int) -> pl.DataFrame:
    """The ``top_k`` best (highest score) hits as a DataFrame (ties keep collection order)."""
    order = np.argsort(-scores, kind="stable")[: max(int(top_k), 0)]
    return pl.DataFrame(
        {
            "query": [query] * len(order),
            "hit": [names[i] for i in order],
            "score": scores[order].astype(np.float64),
            "rank": np.arange(1, len(order) + 1, dtype=np.int64),
        }
    )
