"""The Region2Vec training loop: Rust builds the examples (and, on the CPU, runs the update)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from geniml import _core
from geniml._atomic import atomic_file
from geniml._optional import require
from geniml.exceptions import GenimlValueError, ModelError

if TYPE_CHECKING:
    import torch

    from geniml.region2vec._nn import Region2Vec

Backend = Literal["auto", "rust", "torch"]

# Tokens per call into Rust: the progress bar and Ctrl-C are served between calls.
_KERNEL_CHUNK = 1_000_000
_BATCH_CHUNK = 100_000


@dataclass(frozen=True)
class TrainConfig:
    """Hyper-parameters of one training run (gensim's meaning where gensim has the name)."""

    window_size: int = 5
    epochs: int = 10
    min_count: int = 10
    negative: int = 5
    sample: float = 1e-3
    init_lr: float = 0.025
    min_lr: float = 1e-4
    sg: bool = False
    seed: int = 42
    max_sentence_len: int = 10_000
    max_doc_tokens: int = 0
    # positions (CBOW) / centres (skip-gram) sharing one draw of negatives; > 1 is faster and a
    # little worse per epoch (benches/README.md, "Word2vec kernel")
    shared_negatives: int = 1
    n_threads: int | None = 1
    batch_size: int = 1024

    def check(self) -> None:
        """Reject values that cannot train."""
        for name in (
            "window_size",
            "epochs",
            "min_count",
            "max_sentence_len",
            "batch_size",
            "shared_negatives",
        ):
            if getattr(self, name) < 1:
                raise GenimlValueError(f"`{name}` must be >= 1, got {getattr(self, name)}")
        if self.negative < 1:
            raise GenimlValueError(f"`negative` must be >= 1, got {self.negative}")
        if not (self.init_lr > 0 and 0 <= self.min_lr <= self.init_lr):
            raise GenimlValueError(
                f"need 0 <= min_lr <= init_lr and init_lr > 0, got {self.min_lr}, {self.init_lr}"
            )


@dataclass
class TrainReport:
    """What a training run did: per-epoch mean loss, tokens trained and throughput."""

    losses: list[float]
    words: int
    seconds: float
    backend: str
    n_trained_tokens: int

    @property
    def words_per_second(self) -> float:
        """Tokens (after subsampling) trained per second."""
        return self.words / self.seconds if self.seconds > 0 else 0.0


def as_csr(dataset: object, tokenizer: object | None) -> tuple[np.ndarray, np.ndarray]:
    """Token ids and document offsets (both int64) of any supported dataset form.

    Accepts an object with ``as_csr()`` (``Region2VecDataset``), a parquet file or a folder of
    tokenized files (read through ``Region2VecDataset``), or a sequence of id arrays.
    """
    if isinstance(dataset, (str, os.PathLike)):
        from geniml.tokenization import Region2VecDataset

        path = Path(dataset)
        dataset = (
            Region2VecDataset(path, tokenizer=tokenizer)
            if path.is_dir()
            else Region2VecDataset(path)
        )
    if hasattr(dataset, "as_csr"):
        offsets, ids = dataset.as_csr()
        return np.ascontiguousarray(ids, dtype=np.int64), np.ascontiguousarray(
            offsets, dtype=np.int64
        )
    if not isinstance(dataset, Iterable):
        raise GenimlValueError(
            f"a training dataset must be a path, a Region2VecDataset or a sequence of id arrays, "
            f"got {type(dataset).__name__}"
        )
    docs = [np.asarray(d, dtype=np.int64).ravel() for d in dataset]
    if not docs:
        raise GenimlValueError("the training dataset holds no documents")
    lengths = np.fromiter((len(d) for d in docs), dtype=np.int64, count=len(docs))
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return np.concatenate(docs), offsets


def _chunks(lengths: np.ndarray, budget: int) -> list[tuple[int, int]]:
    """Split documents into consecutive ranges of about ``budget`` tokens."""
    ends = np.cumsum(lengths)
    out, start, n = [], 0, len(lengths)
    while start < n:
        base = ends[start - 1] if start else 0
        stop = int(np.searchsorted(ends, base + budget, side="right"))
        stop = min(max(stop, start + 1), n)
        out.append((start, stop))
        start = stop
    return out


def _progress(total: int, *, enabled: bool):
    from rich.progress import BarColumn, TextColumn, TimeRemainingColumn

    from geniml._progress import make_progress

    columns = (
        TextColumn("epoch {task.fields[epoch]}"),
        BarColumn(),
        TextColumn("loss {task.fields[loss]:.4f}"),
        TextColumn("{task.fields[speed]:,.0f} tok/s"),
        TimeRemainingColumn(),
    )
    return make_progress(
        columns, "epoch {epoch} loss {loss:.4f} {speed:,.0f} tok/s", enabled=enabled
    )


def _save_checkpoint(path: Path, model: Region2Vec, epoch: int, cfg: TrainConfig) -> Path:
    torch = require("torch")

    dst = path / f"epoch_{epoch:04d}.pt"
    state = {
        "projection.weight": model.projection.weight.detach().cpu(),
        "output.weight": model.output.weight.detach().cpu(),
        "epoch": epoch,
        "config": asdict(cfg),
    }
    with atomic_file(dst, force=True) as tmp:
        torch.save(state, tmp)
    return dst


def load_checkpoint(path: str | os.PathLike, model: Region2Vec) -> int:
    """Restore both weight tables from a training checkpoint; returns the epochs it completed."""
    torch = require("torch")

    try:
        state = torch.load(Path(path), map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - torch raises many types for bad pickles
        raise ModelError(f"{path}: unreadable torch checkpoint ({err})") from None
    try:
        proj, out, epoch = state["projection.weight"], state["output.weight"], state["epoch"]
    except (KeyError, TypeError) as err:
        raise ModelError(f"{path}: not a Region2Vec training checkpoint (missing {err})") from err
    if tuple(proj.shape) != tuple(model.projection.weight.shape):
        raise ModelError(
            f"{path}: checkpoint weights are {tuple(proj.shape)}, the model is "
            f"{tuple(model.projection.weight.shape)}"
        )
    with torch.no_grad():
        model.projection.weight.copy_(proj)
        model.output.weight.copy_(out)
    return int(epoch)


def fit(
    model: Region2Vec,
    tokens: np.ndarray,
    offsets: np.ndarray,
    cfg: TrainConfig,
    *,
    exclude: list[int],
    device: torch.device,
    backend: Backend = "auto",
    save_checkpoint_path: str | os.PathLike | None = None,
    load_from_checkpoint: str | os.PathLike | None = None,
    progress: bool | None = None,
) -> TrainReport:
    """Train ``model`` in place on documents in CSR form; see ``Region2VecExModel.train``."""
    torch = require("torch")

    cfg.check()
    corpus = _core.W2vCorpus(
        tokens,
        offsets,
        model.vocab_size,
        exclude,
        dim=model.embedding_dim,
        window=cfg.window_size,
        negative=cfg.negative,
        sample=cfg.sample,
        min_count=cfg.min_count,
        sg=cfg.sg,
        seed=cfg.seed,
        max_sentence_len=cfg.max_sentence_len,
        max_doc_tokens=cfg.max_doc_tokens,
        shared_negatives=cfg.shared_negatives,
    )
    if backend == "auto":
        backend = "torch" if device.type != "cpu" else "rust"
    if backend not in ("rust", "torch"):
        raise GenimlValueError(
            f"`backend` must be one of {{'auto','rust','torch'}}, got {backend!r}"
        )
    if backend == "rust" and device.type != "cpu":
        raise GenimlValueError("the Rust kernel trains on the CPU; use backend='torch' on a GPU")
    model.to("cpu")
    first = 0
    if load_from_checkpoint is not None:
        first = load_checkpoint(load_from_checkpoint, model)
    else:
        model.reset_parameters(cfg.seed)
    model.to(device)
    trained = torch.from_numpy(corpus.trained_mask())
    lengths = corpus.doc_lengths().astype(np.int64)
    budget = _KERNEL_CHUNK if backend == "rust" else _BATCH_CHUNK
    ranges = _chunks(lengths, budget)
    per_epoch = max(int(corpus.total_words), 1)
    total = per_epoch * cfg.epochs
    lr_at = lambda done: cfg.init_lr - (cfg.init_lr - cfg.min_lr) * min(done / total, 1.0)  # noqa: E731
    losses, words, seconds = [], 0, 0.0
    from geniml._progress import progress_enabled

    with _progress(total, enabled=progress_enabled(progress)) as bar:
        task = bar.add_task(
            "train", total=per_epoch * (cfg.epochs - first), epoch=first + 1, loss=0.0, speed=0.0
        )
        for epoch in range(first, cfg.epochs):
            done = epoch * per_epoch
            loss_sum, n_examples, t0 = 0.0, 0, time.perf_counter()
            for start, stop in ranges:
                raw = int(lengths[start:stop].sum())
                lr0, lr1 = lr_at(done), lr_at(done + raw)
                if backend == "rust":
                    loss, n, w, _ = corpus.train(
                        model.projection.weight.detach().numpy(),
                        model.output.weight.detach().numpy(),
                        epoch,
                        start,
                        stop,
                        lr0,
                        lr1,
                        cfg.n_threads,
                    )
                else:
                    loss, n, w = _torch_chunk(model, corpus, epoch, start, stop, lr0, lr1, cfg)
                loss_sum, n_examples, words, done = (
                    loss_sum + loss,
                    n_examples + n,
                    words + w,
                    done + raw,
                )
                elapsed = time.perf_counter() - t0
                bar.update(
                    task,
                    advance=raw,
                    epoch=epoch + 1,
                    loss=loss_sum / max(n_examples, 1),
                    speed=words / max(seconds + elapsed, 1e-9),
                )
            seconds += time.perf_counter() - t0
            losses.append(loss_sum / max(n_examples, 1))
            if save_checkpoint_path is not None:
                _save_checkpoint(Path(save_checkpoint_path), model, epoch + 1, cfg)
    with torch.no_grad():
        untrained = ~trained.to(model.projection.weight.device)
        model.projection.weight[untrained] = 0.0
        model.output.weight[untrained] = 0.0
    return TrainReport(losses, words, seconds, backend, int(trained.sum()))


def _torch_chunk(
    model: Region2Vec,
    corpus,
    epoch: int,
    start: int,
    stop: int,
    lr0: float,
    lr1: float,
    cfg: TrainConfig,
) -> tuple[float, int, int]:
    """Minibatch negative-sampling SGD on torch tensors (any device), examples from Rust."""
    torch = require("torch")
    F = require("torch.nn.functional")

    pad = model.padding_idx if model.padding_idx is not None else 0
    centers, inputs, counts, negs, width, words, _ = corpus.batches(
        epoch, start, stop, pad, cfg.n_threads
    )
    n = len(centers)
    if n == 0:
        return 0.0, 0, int(words)
    dev = model.projection.weight.device
    centers = torch.from_numpy(centers).to(dev)
    inputs = torch.from_numpy(inputs.reshape(n, width)).to(dev)
    counts = torch.from_numpy(counts).to(dev)
    negs = torch.from_numpy(negs.reshape(n, cfg.negative)).to(dev)
    w_in, w_out = model.projection.weight.data, model.output.weight.data
    dim = w_in.shape[1]
    labels = torch.zeros(1 + cfg.negative, device=dev)
    labels[0] = 1.0
    loss_sum = 0.0
    bs = cfg.batch_size
    for b in range(0, n, bs):
        sl = slice(b, min(b + bs, n))
        lr = lr0 + (lr1 - lr0) * (b / n)
        ctx, cnt = inputs[sl], counts[sl]
        valid = ctx.ne(pad).unsqueeze(-1).to(w_in.dtype)
        h = (w_in[ctx] * valid).sum(1) / cnt.unsqueeze(1)
        targets = torch.cat([centers[sl].unsqueeze(1), negs[sl]], dim=1)
        u = w_out[targets]
        f = torch.bmm(u, h.unsqueeze(2)).squeeze(2)
        g = (labels - torch.sigmoid(f)) * lr
        loss_sum += float(-(F.logsigmoid(f[:, 0]).sum() + F.logsigmoid(-f[:, 1:]).sum()))
        grad_h = (g.unsqueeze(2) * u).sum(1)
        w_out.index_add_(0, targets.reshape(-1), (g.unsqueeze(2) * h.unsqueeze(1)).reshape(-1, dim))
        w_in.index_add_(0, ctx.reshape(-1), (grad_h.unsqueeze(1) * valid).reshape(-1, dim))
    if model.padding_idx is not None:
        w_in[model.padding_idx].zero_()
    return loss_sum, n, int(words)
