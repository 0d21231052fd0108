"""The torch modules of Region2Vec (imported lazily: they need torch)."""

from __future__ import annotations

from typing import Literal

import torch
from torch import nn

Pooling = Literal["mean", "max"]


class Region2Vec(nn.Module):
    """Word2vec over universe regions: one input vector per token id, plus output vectors.

    ``projection.weight[i]`` is the embedding of token id ``i`` (special-token rows included,
    ``<pad>`` kept at zero); ``output.weight`` holds the negative-sampling output vectors and is
    only used in training. Rows of tokens that were never trained are zero.

    Args:
        vocab_size: number of token ids (universe regions + special tokens).
        embedding_dim: vector size.
        padding_idx: the ``<pad>`` id (its row stays zero).

    Examples:
        >>> import torch
        >>> from geniml.region2vec import Region2Vec
        >>> m = Region2Vec(10, embedding_dim=4, padding_idx=8)
        >>> m(torch.tensor([[1, 8]])).shape
        torch.Size([1, 2, 4])
    """

    def __init__(
        self, vocab_size: int, embedding_dim: int = 100, *, padding_idx: int | None = None
    ) -> None:
        super().__init__()
        self.vocab_size = int(vocab_size)
        self.embedding_dim = int(embedding_dim)
        self.padding_idx = padding_idx
        self.projection = nn.Embedding(self.vocab_size, self.embedding_dim, padding_idx=padding_idx)
        self.output = nn.Embedding(self.vocab_size, self.embedding_dim)
        with torch.no_grad():
            self.projection.weight.zero_()
            self.output.weight.zero_()

    def reset_parameters(self, seed: int) -> None:
        """word2vec initialisation: inputs uniform in ±0.5/dim, outputs zero, ``<pad>`` zero."""
        g = torch.Generator().manual_seed(int(seed))
        w = torch.rand(self.vocab_size, self.embedding_dim, generator=g, dtype=torch.float32)
        with torch.no_grad():
            self.projection.weight.copy_((w - 0.5) / self.embedding_dim)
            self.output.weight.zero_()
            if self.padding_idx is not None:
                self.projection.weight[self.padding_idx].zero_()

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """Embeddings of token ids (any shape) -> shape + (embedding_dim,)."""
        return self.projection(ids)


def pool(emb: torch.Tensor, keep: torch.Tensor, pooling: Pooling) -> torch.Tensor:
    """Pool ``emb`` (B, T, D) over T, using only positions where ``keep`` (B, T) is true.

    Rows with nothing to pool give zeros.
    """
    mask = keep.unsqueeze(-1)
    if pooling == "mean":
        counts = keep.sum(dim=1, keepdim=True).clamp(min=1).to(emb.dtype)
        return (emb * mask).sum(dim=1) / counts
    out = emb.masked_fill(~mask, float("-inf")).max(dim=1).values
    return torch.where(keep.any(dim=1, keepdim=True), out, torch.zeros_like(out))


class RegionSet2Vec(nn.Module):
    """Pool Region2Vec embeddings of a padded batch of token-id sequences into one vector each.

    Tokens equal to ``<pad>`` and tokens whose embedding row is zero (untrained) are skipped.

    Args:
        region2vec: the Region2Vec module.
        pooling: ``"mean"`` or ``"max"``.

    Examples:
        >>> import torch
        >>> from geniml.region2vec import Region2Vec, RegionSet2Vec
        >>> m = Region2Vec(10, embedding_dim=4, padding_idx=8)
        >>> m.reset_parameters(0)
        >>> RegionSet2Vec(m)(torch.tensor([[1, 2, 8], [3, 8, 8]])).shape
        torch.Size([2, 4])
    """

    def __init__(self, region2vec: Region2Vec, pooling: Pooling = "mean") -> None:
        super().__init__()
        if pooling not in ("mean", "max"):
            raise ValueError(f"`pooling` must be one of {{'mean','max'}}, got {pooling!r}")
        self.region2vec = region2vec
        self.pooling: Pooling = pooling

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        """(B, T) token ids -> (B, D) pooled vectors."""
        emb = self.region2vec(ids)
        keep = emb.ne(0).any(dim=-1)
        if self.region2vec.padding_idx is not None:
            keep &= ids.ne(self.region2vec.padding_idx)
        return pool(emb, keep, self.pooling)
