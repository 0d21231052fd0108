"""Training: the native StarSpace-objective trainer (Rust) or the StarSpace binary."""

from __future__ import annotations

import os
import subprocess
import tempfile
import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import polars as pl

from geniml import _core
from geniml._progress import progress_enabled
from geniml.bedspace._common import LABEL_PREFIX
from geniml.bedspace.model import TSV_FILE, BEDSpaceModel, read_starspace_tsv
from geniml.bedspace.preprocess import files_table_path
from geniml.exceptions import GenimlValueError, ModelError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

UPSTREAM_THREADS = 20


def starspace_binary(path: str | os.PathLike) -> Path:
    """The ``starspace`` executable: ``path`` itself or ``path/starspace``."""
    p = Path(path)
    exe = p / "starspace" if p.is_dir() else p
    if not exe.is_file() or not os.access(exe, os.X_OK):
        raise FileNotFoundError(f"no executable StarSpace binary at {exe}")
    return exe


def _documents(input: Path, lines: np.ndarray) -> pl.DataFrame | None:
    side = files_table_path(input)
    if not side.is_file():
        return None
    df = pl.read_csv(side, separator="\t", infer_schema=False)
    if len(df) < (int(lines.max()) + 1 if len(lines) else 0):
        warnings.warn(f"{side} lists fewer files than {input} has lines; ignored", stacklevel=3)
        return None
    return df[lines.tolist()]


def train(
    input: str | os.PathLike,
    output: str | os.PathLike,
    *,
    dim: int = 100,
    epochs: int = 50,
    lr: float = 0.05,
    neg_search_limit: int = 5,
    margin: float = 0.05,
    n_threads: int | None = None,
    seed: int | None = None,
    path_to_starspace: str | os.PathLike | None = None,
    force: bool = False,
    batch_size: int = 5,
    max_neg_samples: int = 10,
    progress: bool = True,
) -> BEDSpaceModel:
    """Train a BEDspace model on a :func:`~geniml.bedspace.preprocess` file.

    The native trainer (default) optimises StarSpace's ``trainMode 0`` objective: the left side
    is the bag of a file's region tokens, the right side one of its labels (drawn at random each
    time); both are L2-normalised sums so their dot product is the cosine; the loss is the
    margin ranking loss ``max(0, margin - cos(l, r+) + cos(l, r-))`` against up to
    ``neg_search_limit`` negative labels drawn per mini-batch of ``batch_size`` files (at most
    ``max_neg_samples`` violators used), with per-row AdaGrad and a learning rate that falls
    linearly to 0, as StarSpace does. Rows start from N(0, 0.001). It runs in Rust with threads
    (lock-free, as StarSpace's) and is bitwise reproducible for a ``seed`` with ``n_threads=1``.

    With ``path_to_starspace`` (a folder holding ``starspace``, or the binary) StarSpace runs
    instead with upstream geniml's flags (``-trainMode 0 -negSearchLimit N -thread 20`` unless
    ``n_threads`` is given) and its ``.tsv`` is read back.

    Args:
        input: the preprocessed file.
        output: the model folder to write (``starspace_trained_model.tsv``,
            ``model.safetensors``, ``config.yaml``, ``universe.bed``, ``documents.tsv``).
        dim: embedding dimension.
        epochs: passes over the files.
        lr: initial learning rate.
        neg_search_limit: negatives drawn per batch.
        margin: hinge margin.
        n_threads: threads (default: geniml's pool; upstream's 20 for StarSpace).
        seed: random seed (default: a fresh one, recorded in ``config.yaml``).
        path_to_starspace: run the StarSpace binary instead of the native trainer.
        force: replace an existing ``output``.
        batch_size: files per mini-batch (StarSpace's ``-batchSize``).
        max_neg_samples: violating negatives used per file (``-maxNegSamples``).
        progress: show a progress bar with the loss (stderr).

    Returns:
        The trained model (also saved in ``output``).

    Raises:
        GenimlValueError: no usable line (each needs tokens and a label) or bad parameters.
        FileExistsError: ``output`` exists and ``force`` is false.
    """
    input, output = Path(input), Path(output)
    if not input.is_file():
        raise FileNotFoundError(f"preprocessed file not found: {input}")
    for name, v in (("dim", dim), ("epochs", epochs), ("neg_search_limit", neg_search_limit)):
        if int(v) < 1:
            raise GenimlValueError(f"`{name}` must be at least 1, got {v}")
    if lr <= 0:
        raise GenimlValueError(f"`lr` must be positive, got {lr}")
    if output.exists() and not force:
        raise FileExistsError(f"{output} exists; pass force=True (--force) to replace it")
    symbols, n_words, lo, lhs, ro, rhs, lines, skipped = _core.read_starspace_input(
        input, LABEL_PREFIX
    )
    if skipped:
        warnings.warn(
            f"{input}: {len(skipped)} line(s) without tokens or labels are skipped "
            f"(first: line {skipped[0]})",
            stacklevel=2,
        )
    if len(lines) == 0:
        raise GenimlValueError(f"{input}: no line has both region tokens and a label")
    if seed is None:
        seed = int(np.random.default_rng().integers(0, 2**63 - 1))
    config: dict[str, object] = {
        "trainer": "starspace" if path_to_starspace else "native",
        "dim": int(dim),
        "epochs": int(epochs),
        "lr": float(lr),
        "neg_search_limit": int(neg_search_limit),
        "margin": float(margin),
        "batch_size": int(batch_size),
        "max_neg_samples": int(max_neg_samples),
        "seed": int(seed),
        "input": str(input.resolve()),
    }
    docs = _documents(input, lines)
    if docs is not None:
        config["label_columns"] = [c for c in docs.columns if c not in ("file_name", "path")]
    if path_to_starspace is not None:
        with tempfile.TemporaryDirectory() as tmp:
            exe = starspace_binary(path_to_starspace)
            prefix = Path(tmp) / "starspace_trained_model"
            cmd = [
                str(exe), "train", "-trainFile", str(input), "-model", str(prefix),
                "-trainMode", "0", "-dim", str(dim), "-epoch", str(epochs),
                "-negSearchLimit", str(neg_search_limit), "-thread",
                str(_starspace_threads(n_threads)), "-lr", str(lr), "-margin", str(margin),
                "-batchSize", str(batch_size), "-maxNegSamples", str(max_neg_samples),
            ]  # fmt: skip
            run = subprocess.run(cmd, capture_output=True, text=True, check=False)
            if run.returncode != 0 or not Path(f"{prefix}.tsv").is_file():
                tail = (run.stderr or run.stdout).strip().splitlines()[-3:]
                raise ModelError(f"StarSpace failed (exit {run.returncode}): {' | '.join(tail)}")
            sym, w = read_starspace_tsv(f"{prefix}.tsv")
        model = BEDSpaceModel.from_symbols(sym, w, config=config, documents=docs)
    else:
        model = _train_native(
            symbols, n_words, (lo, lhs, ro, rhs), config, n_threads, progress, docs
        )
    if docs is not None:
        parsed = (lo, lhs)
        model._doc_vectors = _doc_vectors(model, symbols, parsed)
    model.save(output, force=force)
    return model


def _doc_vectors(model: BEDSpaceModel, symbols: list[str], parsed) -> np.ndarray:
    lo, lhs = parsed
    index = {}
    u = model.universe
    chrom = np.asarray(u._names, dtype=object)[u._chroms]
    for k, (c, s, e) in enumerate(zip(chrom, u._starts.tolist(), u._ends.tolist(), strict=False)):
        index[f"{c}_{s}_{e}"] = int(model._word_rows[k])
    remap = np.array([index.get(x, 0) for x in symbols], dtype=np.uint32)
    return _core.bedspace_embed(model.weights, lo, remap[lhs], None)


def _train_native(symbols, n_words, csr, config, n_threads, progress, docs) -> BEDSpaceModel:
    lo, lhs, ro, rhs = csr
    n_rows, dim = len(symbols), config["dim"]
    ex = _core.StarSpaceExamples(lo, lhs, ro, rhs, n_rows)
    rng = np.random.default_rng(config["seed"])
    w = rng.normal(0.0, 0.001, size=(n_rows, dim)).astype(np.float32)
    acc = np.zeros(n_rows, dtype=np.float32)
    epochs, lr = config["epochs"], config["lr"]
    decr = (lr - 1e-9) / epochs
    losses = []
    bar = _Bar(epochs, enabled=progress_enabled(progress))
    with bar:
        for e in range(epochs):
            loss, batches, _ = ex.train_epoch(
                w, acc, e, lr - e * decr, lr - (e + 1) * decr,
                dim=dim, neg_search_limit=config["neg_search_limit"],
                max_neg_samples=config["max_neg_samples"], margin=config["margin"],
                batch_size=config["batch_size"], max_norm=10.0, adagrad=True,
                seed=config["seed"], n_threads=n_threads,
            )  # fmt: skip
            losses.append(loss / max(batches, 1))
            bar.advance(losses[-1])
    config["final_loss"] = float(losses[-1])
    return BEDSpaceModel.from_symbols(symbols, w, config=config, documents=docs)


def _starspace_threads(n_threads: int | None) -> int:
    """StarSpace's ``-thread``: upstream's 20 by default, all cores for -1."""
    if n_threads is None:
        return UPSTREAM_THREADS
    if n_threads == -1:
        return int(_core.num_threads())
    if n_threads < 1:
        raise GenimlValueError(f"`n_threads` must be >= 1, or -1 / None, got {n_threads}")
    return int(n_threads)


class _Bar:
    """A rich progress bar over epochs showing the mean batch loss (no-op when disabled)."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total, self.enabled = total, enabled
        self._p: Progress | None = None
        self._t: TaskID | None = None

    def __enter__(self) -> _Bar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._p = Progress(
                TextColumn("bedspace"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                TextColumn("loss {task.fields[loss]:.4f}"), TimeRemainingColumn(),
                console=Console(stderr=True), transient=True,
            )  # fmt: skip
            self._p.__enter__()
            self._t = self._p.add_task("train", total=self.total, loss=float("nan"))
        return self

    def advance(self, loss: float) -> None:
        if self._p is not None and self._t is not None:
            self._p.update(self._t, advance=1, loss=loss)

    def __exit__(self, *exc) -> None:
        if self._p is not None:
            self._p.__exit__(*exc)


__all__ = ["TSV_FILE", "train"]
