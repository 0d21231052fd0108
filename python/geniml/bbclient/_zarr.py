"""The token store: zarr v2 groups/arrays as upstream's ``tokens.zarr`` holds them (1-D only).

Arrays are written uncompressed (``compressor: null``), which every zarr v2 reader accepts.
Reading understands uncompressed, zlib and gzip chunks with the standard library and any other
codec (upstream's default Blosc) through ``numcodecs`` when it is installed.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import tempfile
import zlib
from collections.abc import Callable
from pathlib import Path

import numpy as np

from geniml.exceptions import GenimlValueError

_GROUP = json.dumps({"zarr_format": 2}, indent=4)


def ensure_group(folder: Path) -> None:
    """Create a zarr v2 group folder (``.zgroup``) if missing."""
    folder.mkdir(parents=True, exist_ok=True)
    marker = folder / ".zgroup"
    if not marker.exists():
        marker.write_text(_GROUP)


def write_array(folder: Path, values: np.ndarray) -> None:
    """Write a 1-D array as one uncompressed chunk, replacing any array at ``folder``."""
    arr = np.ascontiguousarray(values)
    if arr.ndim != 1:
        raise GenimlValueError(f"tokens must be one-dimensional, got shape {arr.shape}")
    meta = {
        "chunks": [max(len(arr), 1)],
        "compressor": None,
        "dtype": arr.dtype.newbyteorder("<").str if arr.dtype.byteorder != "|" else arr.dtype.str,
        "fill_value": 0,
        "filters": None,
        "order": "C",
        "shape": [len(arr)],
        "zarr_format": 2,
    }
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        (tmp / ".zarray").write_text(json.dumps(meta, indent=4, sort_keys=True))
        if len(arr):
            (tmp / "0").write_bytes(arr.astype(meta["dtype"], copy=False).tobytes())
        if folder.exists():
            shutil.rmtree(folder)
        os.replace(tmp, folder)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)


def _decode(chunk: bytes, compressor: dict | None, where: str) -> bytes:
    if compressor is None:
        return chunk
    cid = compressor.get("id")
    if cid == "zlib":
        return zlib.decompress(chunk)
    if cid == "gzip":
        return gzip.decompress(chunk)
    try:
        import numcodecs
    except ImportError:
        raise GenimlValueError(
            f"{where}: chunks use the {cid!r} codec; install numcodecs to read them"
        ) from None
    return bytes(numcodecs.get_codec(compressor).decode(chunk))


def read_array(get: Callable[[str], bytes | None], where: str) -> np.ndarray:
    """Read a 1-D zarr v2 array through ``get(key) -> bytes | None`` (a folder or a URL)."""
    raw = get(".zarray")
    if raw is None:
        raise FileNotFoundError(f"{where}: no zarr array (.zarray missing)")
    try:
        meta = json.loads(raw)
        shape, chunks = list(meta["shape"]), list(meta["chunks"])
        dtype = np.dtype(meta["dtype"])
    except (ValueError, KeyError, TypeError) as err:
        raise GenimlValueError(f"{where}/.zarray: not zarr v2 array metadata ({err})") from err
    if len(shape) != 1:
        raise GenimlValueError(f"{where}: expected a 1-D token array, got shape {shape}")
    if meta.get("filters"):
        raise GenimlValueError(f"{where}: zarr filters are not supported")
    n, c = shape[0], chunks[0]
    fill = meta.get("fill_value") or 0
    parts = []
    for k in range(-(-n // c) if n else 0):
        chunk = get(str(k))
        if chunk is None:
            parts.append(np.full(c, fill, dtype=dtype))
        else:
            parts.append(np.frombuffer(_decode(chunk, meta.get("compressor"), where), dtype=dtype))
    out = np.concatenate(parts)[:n] if parts else np.zeros(0, dtype=dtype)
    return out.astype(dtype.newbyteorder("="), copy=False)


def folder_getter(folder: Path) -> Callable[[str], bytes | None]:
    """``get`` for :func:`read_array` over a local folder."""

    def get(key: str) -> bytes | None:
        p = folder / key
        return p.read_bytes() if p.is_file() else None

    return get
