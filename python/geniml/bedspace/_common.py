"""Helpers shared by the BEDspace modules: metadata tables, atomic writes, progress."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import polars as pl

from geniml._atomic import atomic_file, atomic_folder
from geniml.exceptions import GenimlValueError

LABEL_PREFIX = "__label__"
FILE_COLUMN = "file_name"


def read_metadata(path: str | os.PathLike, labels: list[str]) -> pl.DataFrame:
    """The metadata table (CSV, or TSV by suffix or content) as strings, checked for columns."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"metadata file not found: {path}")
    head = path.read_text(errors="replace").split("\n", 1)[0]
    sep = "\t" if path.suffix.lower() in (".tsv", ".tab") or "\t" in head else ","
    try:
        df = pl.read_csv(path, separator=sep, infer_schema=False)
    except pl.exceptions.PolarsError as e:
        raise GenimlValueError(f"{path}: cannot be read as a table: {e}") from None
    missing = [c for c in [FILE_COLUMN, *labels] if c not in df.columns]
    if missing:
        raise GenimlValueError(
            f"{path}: column(s) {', '.join(repr(c) for c in missing)} not found "
            f"(the table has {', '.join(df.columns)})"
        )
    return df


def split_labels(labels: str | Sequence[str]) -> list[str]:
    """``"a,b"`` or ``["a", "b"]`` to a list of column names."""
    cols = labels.split(",") if isinstance(labels, str) else list(labels)
    cols = [c.strip() for c in cols if c.strip()]
    if not cols:
        raise GenimlValueError("no label column given")
    return cols


def label_token(value: str) -> str:
    """``__label__<value>`` with whitespace inside the value replaced by ``_``."""
    return LABEL_PREFIX + re.sub(r"\s+", "_", value.strip())


@contextmanager
def atomic_path(dst: Path, *, force: bool, is_dir: bool = False) -> Iterator[Path]:
    """A temporary sibling of ``dst`` put in its place when the block succeeds (geniml._atomic)."""
    writer = atomic_folder(dst, force=force) if is_dir else atomic_file(dst, force=force)
    with writer as tmp:
        yield tmp
