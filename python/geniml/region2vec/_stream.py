"""Training from token stores of any size, and data-parallel training with torch.distributed.

:func:`fit_stream` reads a :class:`~geniml.tokenization.store.TokenStore` one group of row
groups at a time (about ``chunk_tokens`` tokens), so memory is bounded by a group, not by the
store. Vocabulary counts come from one counting pass over the store, so ``min_count`` means
what it means in memory; subsampling and negative sampling use each group's own token
frequencies (a group of millions of tokens is a fair sample of the whole).

With ``torch.distributed`` initialised (``torchrun``; gloo on the CPU, NCCL on GPUs), each
process trains on its share of the rows of every group (row ``r`` goes to rank
``r % world_size``) with the same kernel, and after every group the two weight tables are
all-reduced and averaged (local SGD / model averaging), so all ranks hold the same model.
Every rank walks the same groups, so the collectives always match.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import TYPE_CHECKING

import numpy as np

from geniml import _core
from geniml.exceptions import GenimlValueError
from geniml.region2vec._train import TrainConfig, TrainReport, _chunks, _progress

if TYPE_CHECKING:
    import torch

    from geniml.region2vec._nn import Region2Vec
    from geniml.tokenization.store import TokenStore

_KERNEL_CHUNK = 1_000_000


def _world() -> tuple[int, int]:
    """``(rank, world_size)`` of an initialised torch.distributed group, else ``(0, 1)``."""
    try:
        import torch.distributed as dist
    except ImportError:  # pragma: no cover
        return 0, 1
    if dist.is_available() and dist.is_initialized():
        return dist.get_rank(), dist.get_world_size()
    return 0, 1


def groups(store: TokenStore, chunk_tokens: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(offsets, ids)`` of consecutive row groups merged to about ``chunk_tokens`` tokens."""
    pend_len: list[np.ndarray] = []
    pend_ids: list[np.ndarray] = []
    size = 0
    for chunk in store.iter_chunks():
        pend_len.append(chunk.lengths)
        pend_ids.append(chunk.ids)
        size += len(chunk.ids)
        if size >= chunk_tokens:
            yield _csr(pend_len, pend_ids)
            pend_len, pend_ids, size = [], [], 0
    if pend_len:
        yield _csr(pend_len, pend_ids)


def _csr(lengths: list[np.ndarray], ids: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    lens = np.concatenate(lengths)
    offsets = np.zeros(len(lens) + 1, dtype=np.int64)
    np.cumsum(lens, out=offsets[1:])
    return offsets, np.concatenate(ids).astype(np.int64, copy=False)


def _shard(offsets: np.ndarray, ids: np.ndarray, rank: int, world: int):
    """Rows ``r`` with ``r % world == rank``."""
    if world == 1:
        return offsets, ids
    rows = np.arange(rank, len(offsets) - 1, world)
    lens = offsets[rows + 1] - offsets[rows]
    new = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lens, out=new[1:])
    idx = np.repeat(offsets[rows] - new[:-1], lens) + np.arange(new[-1])
    return new, ids[idx]


def _average(model: Region2Vec, world: int) -> None:
    import torch
    import torch.distributed as dist

    if world == 1:
        return
    with torch.no_grad():
        for w in (model.projection.weight, model.output.weight):
            dist.all_reduce(w.data, op=dist.ReduceOp.SUM)
            w.data /= world


def fit_stream(
    model: Region2Vec,
    store: TokenStore,
    cfg: TrainConfig,
    *,
    exclude: list[int],
    device: torch.device,
    chunk_tokens: int = 8_000_000,
) -> TrainReport:
    """Train ``model`` in place from a token store (see the module docstring)."""
    import torch

    cfg.check()
    if device.type != "cpu":
        raise GenimlValueError("streamed training runs the Rust CPU kernel; use device='cpu'")
    if cfg.max_doc_tokens:
        raise GenimlValueError("max_doc_tokens is not supported when streaming a token store")
    rank, world = _world()
    vocab = model.vocab_size
    counts = np.zeros(vocab, dtype=np.int64)
    for offsets, ids in groups(store, chunk_tokens):
        _, mine = _shard(offsets, ids, rank, world)
        if mine.size and (mine.max() >= vocab or mine.min() < 0):
            raise GenimlValueError(
                f"{store.path}: token id {int(mine.max())} is outside the vocabulary ({vocab})"
            )
        counts += np.bincount(mine, minlength=vocab)
    if world > 1:
        import torch.distributed as dist

        t = torch.from_numpy(counts)
        dist.all_reduce(t, op=dist.ReduceOp.SUM)
        counts = t.numpy()
    rare = np.flatnonzero((counts > 0) & (counts < cfg.min_count)).tolist()
    if not np.any(counts >= cfg.min_count):
        raise GenimlValueError(
            f"no token occurs at least min_count={cfg.min_count} times; lower `min_count` or "
            "use more documents"
        )
    excl = sorted(set(exclude) | set(rare))
    per_epoch = max(int(counts.sum()) // world, 1)
    total = per_epoch * cfg.epochs
    model.to("cpu")
    model.reset_parameters(cfg.seed)
    _average(model, world)  # identical start on every rank
    trained = np.zeros(vocab, dtype=bool)
    losses, words, seconds = [], 0, 0.0
    from geniml._progress import progress_enabled

    enabled = rank == 0 and progress_enabled(None)
    w_in = model.projection.weight.detach().numpy()
    w_out = model.output.weight.detach().numpy()
    with _progress(total, enabled=enabled) as bar:
        task = bar.add_task("train", total=total, epoch=1, loss=0.0, speed=0.0)
        done = 0
        for epoch in range(cfg.epochs):
            loss_sum, n_examples, t0 = 0.0, 0, time.perf_counter()
            for g, (offsets, ids) in enumerate(groups(store, chunk_tokens)):
                offsets, ids = _shard(offsets, ids, rank, world)
                corpus = _core.W2vCorpus(
                    ids,
                    offsets,
                    vocab,
                    excl,
                    dim=model.embedding_dim,
                    window=cfg.window_size,
                    negative=cfg.negative,
                    sample=cfg.sample,
                    min_count=1,
                    sg=cfg.sg,
                    seed=cfg.seed + 7919 * g + 104729 * rank,
                    max_sentence_len=cfg.max_sentence_len,
                )
                trained |= corpus.trained_mask()
                lengths = corpus.doc_lengths().astype(np.int64)
                for start, stop in _chunks(lengths, _KERNEL_CHUNK):
                    raw = int(lengths[start:stop].sum())
                    lr0 = cfg.init_lr - (cfg.init_lr - cfg.min_lr) * min(done / total, 1.0)
                    lr1 = cfg.init_lr - (cfg.init_lr - cfg.min_lr) * min((done + raw) / total, 1.0)
                    loss, n, w, _ = corpus.train(
                        w_in, w_out, epoch, start, stop, lr0, lr1, cfg.n_threads
                    )
                    loss_sum, n_examples, words, done = (
                        loss_sum + loss, n_examples + n, words + w, done + raw,
                    )  # fmt: skip
                    elapsed = time.perf_counter() - t0
                    bar.update(
                        task, advance=raw, epoch=epoch + 1, loss=loss_sum / max(n_examples, 1),
                        speed=words / max(seconds + elapsed, 1e-9),
                    )  # fmt: skip
                _average(model, world)
            seconds += time.perf_counter() - t0
            losses.append(loss_sum / max(n_examples, 1))
    if world > 1:
        import torch.distributed as dist

        t = torch.from_numpy(trained.astype(np.uint8))
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        trained = t.numpy().astype(bool)
    with torch.no_grad():
        untrained = torch.from_numpy(~trained)
        model.projection.weight[untrained] = 0.0
        model.output.weight[untrained] = 0.0
    return TrainReport(losses, words, seconds, "rust-stream", int(trained.sum()))
