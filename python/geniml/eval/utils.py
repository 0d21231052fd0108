"""Upstream ``geniml.eval.utils`` names over :mod:`geniml.evaluation`.

``embed_type`` selects how ``path`` is read: ``"exmodel"`` (a Region2Vec model folder:
``checkpoint.pt`` + ``universe.bed``), ``"base"`` (a ``BaseEmbeddings`` pickle) or
``"region2vec"`` (a gensim ``Word2Vec`` file; needs gensim). Models are not downloaded: a path
that does not exist is an error.
"""

from __future__ import annotations

import os
import pickle
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from geniml._atomic import atomic_file
from geniml.evaluation.models import (
    BaseEmbeddings,
    RegionEmbeddings,
    _regions_from_vocab,
    load_region_embeddings,
)
from geniml.evaluation.region_scores import binary_embeddings, cosine_distances, genome_distances
from geniml.exceptions import GenimlValueError, ModelError
from geniml.io import RegionSet

__all__ = [
    "BaseEmbeddings",
    "cosine_distance",
    "genome_distance",
    "get_bin_embeddings",
    "load_base_embeddings",
    "load_genomic_embeddings",
    "region_embeddings",
    "save_base_embeddings",
]

EMBED_TYPES = ("exmodel", "base", "region2vec")


def genome_distance(u: tuple[int, int], v: tuple[int, int]) -> float:
    """Genome distance of two same-chromosome regions given as ``(start, end)``.

    Coordinates are 0-based half-open.

    Args:
        u: the first region, ``(start, end)``.
        v: the second region, ``(start, end)``.

    Returns:
        The distance (bp) as upstream geniml measures it.

    Examples:
        >>> genome_distance((0, 10), (15, 20))
        6.0
    """
    return float(
        genome_distances(np.array([u[0]]), np.array([u[1]]), np.array([v[0]]), np.array([v[1]]))[0]
    )


def cosine_distance(x: np.ndarray, y: np.ndarray) -> float:
    """``(1 - cos(x, y)) / 2``: 0 for the same direction, 1 for opposite ones.

    Args:
        x: a vector.
        y: a vector of the same length.

    Returns:
        The distance, in ``[0, 1]``.

    Examples:
        >>> import numpy as np
        >>> cosine_distance(np.array([1.0, 0.0]), np.array([-1.0, 0.0]))
        1.0
    """
    return float(cosine_distances(np.asarray(x)[None, :], np.asarray(y)[None, :])[0])


def _vocab(regions: RegionSet) -> list[str]:
    names = np.asarray(regions.chrom_names, dtype=object)[regions.chroms]
    return [f"{c}:{s}-{e}" for c, s, e in zip(names, regions.starts, regions.ends, strict=True)]


def region_embeddings(path: str | os.PathLike, embed_type: str = "exmodel") -> RegionEmbeddings:
    """Load ``path`` as vectors + regions according to upstream's ``embed_type``.

    Raises:
        GenimlValueError: unknown ``embed_type``.
        ModelError: the file does not hold that kind of model.
    """
    if embed_type not in EMBED_TYPES:
        raise GenimlValueError(f"`embed_type` must be one of {EMBED_TYPES}, got {embed_type!r}")
    path = Path(path)
    if not path.exists():
        raise FileNotFoundError(f"model not found: {path} (models are not downloaded)")
    if embed_type == "exmodel":
        if not path.is_dir():
            raise ModelError(f"embed_type='exmodel' expects a model folder, got the file {path}")
        return load_region_embeddings(path)
    if embed_type == "base":
        if path.is_dir():
            raise ModelError(f"embed_type='base' expects a BaseEmbeddings pickle, got {path}/")
        from geniml.evaluation.models import _load_base_pickle

        return _load_base_pickle(path)
    try:
        from gensim.models import Word2Vec
    except ImportError as err:
        raise ModelError("embed_type='region2vec' reads gensim models; install gensim") from err
    wv = Word2Vec.load(str(path)).wv
    return RegionEmbeddings(
        np.asarray(wv.vectors), _regions_from_vocab(list(wv.index_to_key), path)
    )


def load_genomic_embeddings(
    model_path: str | os.PathLike, embed_type: str = "exmodel"
) -> tuple[np.ndarray, list[str]]:
    """Vectors and their regions as ``chr:start-end`` strings (upstream's return shape).

    Args:
        model_path: the model (a folder for ``"exmodel"``, a pickle for ``"base"``, a gensim
            file for ``"region2vec"``).
        embed_type: how ``model_path`` is read.

    Returns:
        ``(vectors (n, dim), vocab)``.

    Examples:
        >>> import numpy as np, pickle, tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.pkl"
        >>> save_base_embeddings(BaseEmbeddings(np.eye(2), ["chr1:0-10", "chr1:20-30"]), p)
        >>> vec, vocab = load_genomic_embeddings(p, "base")
        >>> vec.shape, vocab
        ((2, 2), ['chr1:0-10', 'chr1:20-30'])
    """
    emb = region_embeddings(model_path, embed_type)
    return emb.vectors, _vocab(emb.regions)


def save_base_embeddings(base_embed_obj: BaseEmbeddings, file_name: str | os.PathLike) -> None:
    """Pickle a :class:`BaseEmbeddings` (readable by upstream geniml too); replaces the file.

    Args:
        base_embed_obj: the embeddings.
        file_name: the pickle to write (written aside, then renamed).

    Examples:
        >>> import numpy as np, tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.pkl"
        >>> save_base_embeddings(BaseEmbeddings(np.eye(2), ["chr1:0-10", "chr1:20-30"]), p)
        >>> p.stat().st_size > 0
        True
    """
    with atomic_file(file_name, force=True) as tmp, tmp.open("wb") as fh:
        pickle.dump(base_embed_obj, fh)


def load_base_embeddings(path: str | os.PathLike) -> tuple[np.ndarray, list[str]]:
    """Vectors and vocab of a :class:`BaseEmbeddings` pickle.

    Args:
        path: the pickle (:func:`save_base_embeddings`; upstream's pickles load too).

    Returns:
        ``(vectors (n, dim), vocab)``.

    Examples:
        >>> import numpy as np, tempfile, pathlib
        >>> p = pathlib.Path(tempfile.mkdtemp()) / "b.pkl"
        >>> save_base_embeddings(BaseEmbeddings(np.eye(2), ["chr1:0-10", "chr1:20-30"]), p)
        >>> load_base_embeddings(p)[1]
        ['chr1:0-10', 'chr1:20-30']
    """
    return load_genomic_embeddings(path, "base")


def get_bin_embeddings(
    universe_file: str | os.PathLike, tokenized_files: Sequence[str | os.PathLike]
) -> BaseEmbeddings:
    """Binary embeddings (region x tokenized file) of a universe, as upstream's ``bin-gen``.

    Args:
        universe_file: the universe BED file.
        tokenized_files: BED files (tokenized or not); entry ``[i, j]`` is 1 when universe
            region ``i`` overlaps a region of file ``j``.

    Returns:
        A :class:`BaseEmbeddings` with one row per universe region.

    Examples:
        >>> from geniml import datasets
        >>> from geniml.io import BedSet
        >>> beds = BedSet(datasets.hg38_sample()).paths
        >>> b = get_bin_embeddings(datasets.hg38_universe(), beds)
        >>> b.embeddings.shape
        (2378, 13)
    """
    universe = RegionSet(universe_file)
    return BaseEmbeddings(binary_embeddings(universe, tokenized_files), _vocab(universe))


def num_workers_threads(num_workers: int) -> int:
    """Upstream's ``num_workers`` as the thread count of a score (must be >= 1)."""
    if num_workers < 1:
        raise GenimlValueError(f"`num_workers` must be >= 1, got {num_workers}")
    return int(num_workers)
