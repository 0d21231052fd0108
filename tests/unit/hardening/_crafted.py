"""Hand-assembled torch zip checkpoints whose fields can be made invalid (test helper)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path


def _str(s: str) -> bytes:
    b = s.encode()
    return b"X" + struct.pack("<I", len(b)) + b


def _int(v: object) -> bytes:
    if isinstance(v, str):
        return _str(v)
    return b"I" + str(int(v)).encode() + b"\n"  # protocol-0 INT: any size, any sign


def _tuple(vals) -> bytes:
    return b"(" + b"".join(_int(v) for v in vals) + b"t"


def tensor_pickle(tensors: list[dict], *, extra_global: str | None = None) -> bytes:
    """A data.pkl holding ``{name: _rebuild_tensor_v2(storage, offset, size, stride, ...)}``.

    Each tensor dict has name, key, numel, offset, size, stride and optionally dtype.
    """
    out = b"\x80\x02}("
    for t in tensors:
        out += _str(t["name"])
        out += b"ctorch._utils\n_rebuild_tensor_v2\n("
        out += b"(" + _str("storage") + f"ctorch\n{t.get('dtype', 'FloatStorage')}\n".encode()
        out += _str(t["key"]) + _str("cpu") + _int(t["numel"]) + b"tQ"
        out += _int(t["offset"]) + _tuple(t["size"]) + _tuple(t["stride"])
        out += b"\x89ccollections\nOrderedDict\n)Rt" + b"R"
    if extra_global:
        mod, name = extra_global.split(":")
        out += _str("evil") + f"c{mod}\n{name}\n".encode() + _str("echo pwned") + b"\x85R"
    return out + b"u."


def write_checkpoint(
    path: Path,
    tensors: list[dict],
    storages: dict[str, bytes],
    *,
    extra_global: str | None = None,
    byteorder: str = "little",
) -> Path:
    """Write a torch-style zip archive (``archive/data.pkl`` + ``archive/data/<key>``)."""
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        zf.writestr("archive/data.pkl", tensor_pickle(tensors, extra_global=extra_global))
        zf.writestr("archive/byteorder", byteorder)
        for key, raw in storages.items():
            zf.writestr(f"archive/data/{key}", raw)
        zf.writestr("archive/version", "3\n")
    return path
