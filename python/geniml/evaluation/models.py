"""Region embeddings for the metadata-free scores: vectors plus the universe regions they embed.

A model is given as one of:

- a model folder in upstream geniml's Region2Vec layout: ``checkpoint.pt`` (a torch state dict
  holding ``projection.weight``, one row per token: the universe regions in file order, then the
  special tokens) and ``universe.bed``;
- an upstream ``BaseEmbeddings`` pickle (binary / PCA / UMAP baselines, ``vocab`` given as
  ``chr:start-end`` strings);
- an ``(n_regions, dim)`` array together with the regions it embeds (a :class:`~geniml.io.RegionSet`
  or a BED path, row ``i`` of the array embeds region ``i``).

Coordinates are 0-based half-open ``[start, end)``.
"""

from __future__ import annotations

import io
import os
import pickle
import types
import zipfile
from collections import OrderedDict
from pathlib import Path
from typing import NamedTuple

import numpy as np

from geniml import _core
from geniml.exceptions import GenimlValueError, ModelError
from geniml.io import RegionSet, load_universe

__all__ = [
    "BaseEmbeddings",
    "RegionEmbeddings",
    "load_region_embeddings",
    "read_state_dict",
]

MODEL_FILE_NAME = "checkpoint.pt"
UNIVERSE_FILE_NAME = "universe.bed"
PROJECTION_KEY = "projection.weight"
N_SPECIAL_TOKENS = len(_core.Tokenizer.special_tokens())  # ids after the universe regions


class RegionEmbeddings(NamedTuple):
    """Embedding vectors and the regions they embed (row ``i`` embeds ``regions[i]``).

    Attributes:
        vectors: ``(n_regions, dim)`` array.
        regions: the regions, a :class:`~geniml.io.RegionSet` (0-based half-open).

    Examples:
        >>> from geniml import datasets
        >>> from geniml.evaluation import load_region_embeddings
        >>> emb = load_region_embeddings(datasets.region2vec_hg38())
        >>> emb.vectors.shape[0] == len(emb.regions)
        True
    """

    vectors: np.ndarray
    regions: RegionSet


class BaseEmbeddings:
    """Upstream's pickled baseline embeddings (``geniml.eval.utils.BaseEmbeddings``).

    Attributes:
        embeddings: ``(n_regions, dim)`` vectors.
        vocab: the regions as ``chr:start-end`` strings, one per row.

    Examples:
        >>> import numpy as np
        >>> from geniml.evaluation import BaseEmbeddings
        >>> b = BaseEmbeddings(np.eye(2), ["chr1:0-10", "chr1:20-30"])
        >>> b.embeddings.shape, b.vocab[1]
        ((2, 2), 'chr1:20-30')
    """

    # Pickles name upstream's module path, so upstream geniml reads ours and we read theirs.
    __module__ = "geniml.eval.utils"

    def __init__(self, embeddings: np.ndarray, vocab: list[str]) -> None:
        self.embeddings = embeddings
        self.vocab = vocab


# -- torch checkpoints without torch ------------------------------------------------------------
#
# The zip format: ``<prefix>/data.pkl`` is a pickle whose tensors are
# ``torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)`` calls, and each storage is
# a persistent id ``("storage", <dtype>Storage, key, location, numel)`` naming the raw little- (or
# big-) endian bytes in ``<prefix>/data/<key>``. Nothing in the file is trusted: every storage must
# hold exactly ``numel`` items, and every tensor's offset, sizes and strides must stay inside its
# storage before a strided view is taken, so a crafted file can only raise ``ModelError``.

_STORAGE_DTYPES = {
    "FloatStorage": np.float32,
    "DoubleStorage": np.float64,
    "HalfStorage": np.float16,
    "BFloat16Storage": None,  # no numpy dtype: refused with a clear message
    "LongStorage": np.int64,
    "IntStorage": np.int32,
    "ShortStorage": np.int16,
    "CharStorage": np.int8,
    "ByteStorage": np.uint8,
    "BoolStorage": np.bool_,
}
_MAX_DIMS = 32


class _Malformed(Exception):
    """A field of the checkpoint is invalid; the message names the field."""


class _StorageType:
    """The ``torch.<Dtype>Storage`` global named in the pickle."""

    def __init__(self, name: str) -> None:
        self.name = name


class _StorageData:
    """One storage's items, read and size-checked from the archive."""

    def __init__(self, key: str, data: np.ndarray) -> None:
        self.key, self.data = key, data


def _int_field(value: object, field: str, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _Malformed(f"{where}: `{field}` must be an integer, got {type(value).__name__}")
    if value < 0:
        raise _Malformed(f"{where}: `{field}` must be >= 0, got {value}")
    return value


def _int_tuple(value: object, field: str, where: str) -> tuple[int, ...]:
    if not isinstance(value, (tuple, list)) or len(value) > _MAX_DIMS:
        raise _Malformed(f"{where}: `{field}` must be a tuple of at most {_MAX_DIMS} integers")
    return tuple(_int_field(v, f"{field}[{i}]", where) for i, v in enumerate(value))


def _rebuild_tensor(storage, offset, size, stride, *_rest):
    """``torch._utils._rebuild_tensor_v2`` with every field checked against the storage."""
    if not isinstance(storage, _StorageData):
        raise _Malformed("a tensor's `storage` is not a storage record")
    where = f"tensor on storage data/{storage.key}"
    offset = _int_field(offset, "storage_offset", where)
    size = _int_tuple(size, "size", where)
    stride = _int_tuple(stride, "stride", where)
    if len(size) != len(stride):
        raise _Malformed(f"{where}: `size` has {len(size)} dims but `stride` has {len(stride)}")
    n_items = len(storage.data)
    numel = 1
    for n in size:
        numel *= n
    if numel == 0:
        return np.empty(size, dtype=storage.data.dtype)
    last = offset + sum((n - 1) * s for n, s in zip(size, stride, strict=True))
    if last >= n_items:
        raise _Malformed(
            f"{where}: `size` {list(size)}, `stride` {list(stride)} and `storage_offset` "
            f"{offset} reach item {last}, but the storage holds {n_items} items"
        )
    if numel > n_items:
        raise _Malformed(f"{where}: {numel} elements but the storage holds only {n_items} items")
    item = storage.data.dtype.itemsize
    view = np.lib.stride_tricks.as_strided(
        storage.data[offset:], shape=size, strides=tuple(s * item for s in stride), writeable=False
    )
    return np.array(view)


class _TorchZipUnpickler(pickle.Unpickler):
    """Reads plain tensors of a torch zip checkpoint; refuses any other global (no code runs)."""

    def __init__(self, data: bytes, archive: zipfile.ZipFile, prefix: str, order: str) -> None:
        super().__init__(io.BytesIO(data))
        self._zip, self._prefix, self._order = archive, prefix, order
        self._names = set(archive.namelist())
        self._storages: dict[str, _StorageData] = {}

    def find_class(self, module: str, name: str):
        if (module, name) == ("collections", "OrderedDict"):
            return OrderedDict
        if (module, name) == ("torch._utils", "_rebuild_tensor_v2"):
            return _rebuild_tensor
        if module == "torch" and name in _STORAGE_DTYPES:
            return _StorageType(name)
        raise pickle.UnpicklingError(f"unsupported object {module}.{name} in a torch checkpoint")

    def persistent_load(self, pid):
        if not isinstance(pid, tuple) or len(pid) != 5 or pid[0] != "storage":
            raise _Malformed(f"persistent id {pid!r:.80} is not a ('storage', ...) record")
        _tag, stype, key, _location, numel = pid
        if not isinstance(stype, _StorageType):
            raise _Malformed(f"storage {key!r:.40}: `dtype` is not a torch storage type")
        if not isinstance(key, str):
            raise _Malformed(f"storage `key` must be a string, got {type(key).__name__}")
        numel = _int_field(numel, "numel", f"storage data/{key}")
        if key in self._storages:
            cached = self._storages[key]
            if len(cached.data) != numel:
                raise _Malformed(f"storage data/{key}: `numel` differs between its records")
            return cached
        dtype = _STORAGE_DTYPES[stype.name]
        if dtype is None:
            raise _Malformed(f"storage data/{key}: dtype {stype.name} has no numpy equivalent")
        entry = f"{self._prefix}/data/{key}"
        if entry not in self._names:
            raise _Malformed(f"storage data/{key}: no such entry in the archive")
        dtype = np.dtype(dtype)
        expected = numel * dtype.itemsize
        actual = self._zip.getinfo(entry).file_size
        if actual != expected:
            raise _Malformed(
                f"storage data/{key}: `numel` {numel} x {dtype.itemsize} bytes = {expected} "
                f"bytes, but the archive entry holds {actual}"
            )
        raw = self._zip.read(entry)
        if len(raw) != expected:
            raise _Malformed(f"storage data/{key}: read {len(raw)} bytes, expected {expected}")
        wire = dtype.newbyteorder("<" if self._order == "little" else ">")
        data = np.frombuffer(raw, dtype=wire).astype(dtype)
        self._storages[key] = _StorageData(key, data)
        return self._storages[key]


def _read_zip_state_dict(path: Path) -> object:
    with zipfile.ZipFile(path) as zf:
        pkls = [n for n in zf.namelist() if n.endswith("/data.pkl") and n.count("/") == 1]
        if len(pkls) != 1:
            raise _Malformed(f"expected one <name>/data.pkl entry, found {len(pkls)}")
        prefix = pkls[0][: -len("/data.pkl")]
        order_name = f"{prefix}/byteorder"
        order = "little"
        if order_name in zf.namelist():
            order = zf.read(order_name).decode("ascii", "replace").strip()
            if order not in ("little", "big"):
                raise _Malformed(f"`byteorder` must be 'little' or 'big', got {order[:20]!r}")
        return _TorchZipUnpickler(zf.read(pkls[0]), zf, prefix, order).load()


def read_state_dict(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Read a torch state dict (``checkpoint.pt``) into numpy arrays.

    Uses ``torch.load(weights_only=True)`` when torch is installed; otherwise reads the torch zip
    format directly (plain tensors only, no code is unpickled, every size, stride, offset and dtype
    checked against the archive), so evaluation works without torch.

    Args:
        path: the checkpoint file.

    Returns:
        ``{parameter name: array}``.

    Raises:
        ModelError: the file is not a readable torch checkpoint (the message names the file and
            the field at fault).
        FileNotFoundError: the file is missing.

    Examples:
        >>> from geniml import datasets
        >>> from geniml.evaluation import read_state_dict
        >>> state = read_state_dict(datasets.region2vec_hg38() / "checkpoint.pt")
        >>> state["projection.weight"].shape
        (2385, 100)
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"model checkpoint not found: {path}")
    torch: types.ModuleType | None
    try:
        import torch
    except ImportError:
        torch = None
    try:
        if torch is not None:
            sd = torch.load(path, map_location="cpu", weights_only=True)
            if isinstance(sd, dict):
                sd = {k: v.detach().cpu().numpy() for k, v in sd.items() if hasattr(v, "numpy")}
        else:
            sd = _read_zip_state_dict(path)
    except _Malformed as err:
        raise ModelError(f"{path}: malformed torch checkpoint: {err}") from None
    except (MemoryError, RecursionError) as err:
        raise ModelError(f"{path}: torch checkpoint too large or too deep ({err!r})") from None
    except Exception as err:
        raise ModelError(f"{path}: cannot read the torch checkpoint ({err})") from err
    if not isinstance(sd, dict):
        raise ModelError(f"{path}: expected a state dict, got {type(sd).__name__}")
    return {k: v for k, v in sd.items() if isinstance(k, str) and isinstance(v, np.ndarray)}


# -- BaseEmbeddings pickles --------------------------------------------------------------------

_NUMPY_GLOBALS = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}


class _BaseEmbeddingsUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if name == "BaseEmbeddings" and module.startswith("geniml."):
            return BaseEmbeddings
        if (module, name) in _NUMPY_GLOBALS:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"unsupported object {module}.{name} in an embedding pickle")


def _regions_from_vocab(vocab: list[str], source: Path) -> RegionSet:
    """Parse ``chr:start-end`` strings (upstream's vocab format) into regions."""
    import polars as pl

    parts = pl.Series("v", vocab, dtype=pl.String).str.extract_groups(
        r"^\s*([^:\s]+)\s*:\s*(\d+)\s*-\s*(\d+)\s*$"
    )
    df = parts.struct.unnest()
    bad = df.select(pl.col("1").is_null().arg_true()).to_series()
    if len(bad):
        i = int(bad[0])
        raise ModelError(f"{source}: vocab entry {i} ({vocab[i]!r}) is not chr:start-end")
    return RegionSet(
        (
            df["1"].to_numpy(),
            df["2"].cast(pl.UInt32).to_numpy(),
            df["3"].cast(pl.UInt32).to_numpy(),
        )
    )


def _load_base_pickle(path: Path) -> RegionEmbeddings:
    with path.open("rb") as fh:
        try:
            obj = _BaseEmbeddingsUnpickler(fh).load()
        except (pickle.UnpicklingError, EOFError, AttributeError) as err:
            raise ModelError(f"{path}: not a BaseEmbeddings pickle ({err})") from err
    if not isinstance(obj, BaseEmbeddings):
        raise ModelError(f"{path}: expected a BaseEmbeddings pickle, got {type(obj).__name__}")
    return _checked(np.asarray(obj.embeddings), _regions_from_vocab(list(obj.vocab), path), path)


# -- the single entry point ---------------------------------------------------------------------


def _checked(vectors: np.ndarray, regions: RegionSet, source: object) -> RegionEmbeddings:
    if vectors.ndim != 2:
        raise GenimlValueError(f"{source}: embeddings must be 2-D, got shape {vectors.shape}")
    if len(vectors) != len(regions):
        raise GenimlValueError(
            f"{source}: {len(vectors)} embedding rows but {len(regions)} regions "
            "(row i must embed region i)"
        )
    return RegionEmbeddings(vectors, regions)


def _load_model_folder(folder: Path) -> RegionEmbeddings:
    ckpt, uni = folder / MODEL_FILE_NAME, folder / UNIVERSE_FILE_NAME
    for f in (ckpt, uni):
        if not f.is_file():
            raise ModelError(f"model folder {folder} has no {f.name}")
    state = read_state_dict(ckpt)
    if PROJECTION_KEY not in state:
        raise ModelError(f"{ckpt}: no {PROJECTION_KEY!r} tensor (found {sorted(state)})")
    weight = state[PROJECTION_KEY]
    regions = load_universe(uni)
    n = len(regions)
    # Rows are the universe regions in file order, then (Region2Vec) the 7 special tokens.
    if weight.ndim != 2 or weight.shape[0] not in (n, n + N_SPECIAL_TOKENS):
        raise ModelError(
            f"{ckpt}: {PROJECTION_KEY} has shape {weight.shape}, but {uni} has {n} regions "
            f"(expected {n} or {n + N_SPECIAL_TOKENS} rows: the parts do not belong together)"
        )
    # Token ids follow the universe file order; the special tokens come after the regions.
    return RegionEmbeddings(weight[: len(regions)], regions)


def load_region_embeddings(
    model: str | os.PathLike | np.ndarray | RegionEmbeddings | tuple,
    regions: RegionSet | str | os.PathLike | None = None,
) -> RegionEmbeddings:
    """Resolve any supported model description into vectors plus regions.

    Args:
        model: a Region2Vec model folder, a ``BaseEmbeddings`` pickle (``.pkl``), an ``.npy``
            file or array of vectors, a ``(vectors, regions)`` pair, or a
            :class:`RegionEmbeddings`.
        regions: the regions embedded by an array/``.npy`` model (a RegionSet or BED path, row
            order = file order); ignored otherwise.

    Returns:
        The vectors (dtype as stored, e.g. float32 for torch models) and the regions.

    Raises:
        ModelError: a folder or file is missing parts or is unreadable.
        GenimlValueError: rows and regions disagree in number, or regions are missing.

    Examples:
        >>> import numpy as np
        >>> from geniml.io import RegionSet
        >>> rs = RegionSet([("chr1", 0, 10), ("chr1", 20, 30)])
        >>> emb = load_region_embeddings(np.eye(2), rs)
        >>> emb.vectors.shape, len(emb.regions)
        ((2, 2), 2)
    """
    if isinstance(model, RegionEmbeddings):
        return model
    if isinstance(model, tuple) and len(model) == 2:
        model, regions = model
    if isinstance(model, (str, os.PathLike)):
        path = Path(model)
        if path.is_dir():
            return _load_model_folder(path)
        if not path.exists():
            raise FileNotFoundError(f"model not found: {path}")
        if path.suffix.lower() in (".pkl", ".pickle") or path.suffix == "":
            return _load_base_pickle(path)
        if path.suffix.lower() != ".npy":
            raise ModelError(
                f"{path}: expected a model folder, a BaseEmbeddings .pkl or an .npy array"
            )
        model = np.load(path, allow_pickle=False)
    vectors = np.asarray(model)
    if regions is None:
        raise GenimlValueError(
            "embedding vectors need their regions: pass regions= (a RegionSet or a BED path)"
        )
    if not isinstance(regions, RegionSet):
        regions = load_universe(regions)
    return _checked(vectors, regions, "embeddings")
