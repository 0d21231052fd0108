"""Region sets and their metadata to StarSpace's input (upstream geniml's format)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from geniml.bedspace._common import (
    FILE_COLUMN,
    atomic_path,
    label_token,
    read_metadata,
    split_labels,
)
from geniml.exceptions import GenimlValueError
from geniml.io import bed_files_in

DEFAULT_NAME = "train_input.txt"


def files_table_path(output: str | os.PathLike) -> Path:
    """The side table ``<output>.files.tsv`` listing the file behind each line of ``output``."""
    return Path(f"{output}.files.tsv")


def _token_names(tokenizer) -> np.ndarray:
    u = tokenizer.universe
    names = np.asarray(u._names, dtype=object)[u._chroms]
    return np.array(
        [
            f"{c}_{s}_{e}"
            for c, s, e in zip(names, u._starts.tolist(), u._ends.tolist(), strict=False)
        ],
        dtype=object,
    )


def preprocess(
    input: str | os.PathLike | Sequence[str | os.PathLike],
    metadata: str | os.PathLike,
    universe: str | os.PathLike,
    *,
    labels: str | Sequence[str] = "cell_type,tissue",
    output: str | os.PathLike = "preprocessed.txt",
    force: bool = False,
) -> Path:
    """Write one StarSpace input line per BED file: its universe tokens, then its labels.

    A line is the file's universe regions written ``chr_start_end`` (each once, in the order the
    file first reaches them), space-separated, then ``__label__<value>`` for each label column
    (empty values are left out, whitespace inside a value becomes ``_``), as upstream geniml
    writes it. Lines are joined by newlines with no final newline. Beside the output,
    ``<output>.files.tsv`` lists the file and labels behind each line (``train`` keeps it in the
    model so that ``search`` can return file names).

    Args:
        input: a folder of BED files or a list of BED paths.
        metadata: a CSV or TSV with a ``file_name`` column and the label columns.
        universe: the universe BED file (0-based half-open coordinates).
        labels: the label columns, ``"a,b"`` or a list.
        output: the file to write; an existing folder gets ``train_input.txt`` inside it.
        force: replace an existing output.

    Returns:
        The path written.

    Raises:
        GenimlValueError: a label column is absent, or no file is left to write.
        FileNotFoundError: a metadata row names a file that does not exist.
        BedParseError: a malformed BED line (the file and line are named).

    Warns:
        UserWarning: BED files without a metadata row, or without any token in the universe, are
            skipped and counted.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "u.bed").write_text("chr1\\t0\\t100\\nchr1\\t200\\t300\\n")
        >>> (d / "beds").mkdir()
        >>> _ = (d / "beds" / "a.bed").write_text("chr1\\t250\\t260\\nchr1\\t10\\t20\\n")
        >>> _ = (d / "m.csv").write_text("file_name,cell_type\\na.bed,T cell\\n")
        >>> out = preprocess(d / "beds", d / "m.csv", d / "u.bed", labels="cell_type",
        ...                  output=d / "p.txt")
        >>> out.read_text()
        'chr1_200_300 chr1_0_100 __label__T_cell'
    """
    from geniml.tokenization import Tokenizer

    cols = split_labels(labels)
    meta = read_metadata(metadata, cols)
    output = Path(output)
    if output.is_dir():
        output = output / DEFAULT_NAME
    if isinstance(input, (str, os.PathLike)) and Path(input).is_dir():
        folder = Path(input)
        present = {p.name: p for p in bed_files_in(folder)}
        resolve = {name: folder / name for name in meta[FILE_COLUMN].to_list()}
    else:
        paths = [Path(input)] if isinstance(input, (str, os.PathLike)) else [Path(p) for p in input]
        present = {p.name: p for p in paths}
        resolve = {name: present.get(name, Path(name)) for name in meta[FILE_COLUMN].to_list()}
    for row, name in enumerate(meta[FILE_COLUMN].to_list()):
        if not resolve[name].is_file():
            raise FileNotFoundError(
                f"{metadata}: row {row + 2} ({FILE_COLUMN}={name!r}): no such file {resolve[name]}"
            )
    unlisted = sorted(set(present) - set(resolve))
    if unlisted:
        warnings.warn(
            f"{len(unlisted)} BED file(s) have no row in {metadata} and are skipped "
            f"(e.g. {unlisted[0]})",
            stacklevel=2,
        )
    tok = Tokenizer(universe)
    names = _token_names(tok)
    order = meta[FILE_COLUMN].to_list()
    arrays = tok.tokenize_batch([resolve[n] for n in order], drop_unknown=True)
    lines: list[str] = []
    kept: list[dict[str, str]] = []
    empty: list[str] = []
    for k, (name, tokenized) in enumerate(zip(order, arrays, strict=False)):
        ids = tokenized.ids
        if ids.size == 0:
            empty.append(name)
            continue
        _, first = np.unique(ids, return_index=True)
        tokens = names[ids[np.sort(first)]]
        values = [meta[c][k] for c in cols]
        label_str = " ".join(label_token(v) for v in values if v is not None and v.strip())
        lines.append(" ".join(tokens.tolist()) + " " + label_str)
        kept.append(
            {FILE_COLUMN: name, "path": str(resolve[name].resolve())}
            | {c: (v or "") for c, v in zip(cols, values, strict=False)}
        )
    if empty:
        warnings.warn(
            f"{len(empty)} file(s) have no region in the universe and are skipped "
            f"(e.g. {empty[0]})",
            stacklevel=2,
        )
    if not lines:
        raise GenimlValueError(f"{metadata}: no file with both a metadata row and universe tokens")
    with atomic_path(output, force=force) as tmp:
        tmp.write_text("\n".join(lines))
    side = files_table_path(output)
    with atomic_path(side, force=True) as tmp:
        pl.DataFrame(kept).write_csv(tmp, separator="\t")
    return output
