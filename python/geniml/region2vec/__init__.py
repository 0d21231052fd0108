"""Region2Vec: word2vec embeddings of universe regions, trained on tokenized region sets.

``Region2VecExModel`` trains (Rust-built examples, Rust in-place update on the CPU, fused torch
update on a GPU), encodes regions and region sets, and reads / writes model folders in upstream
geniml's layout. ``region2vec`` is the seed's folder-to-folder function. The torch modules
``Region2Vec`` and ``RegionSet2Vec`` are loaded on first access, so importing this package does
not import torch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from geniml.region2vec.legacy import region2vec
from geniml.region2vec.model import Region2VecExModel, embed_region_sets

if TYPE_CHECKING:
    from geniml.region2vec._nn import Region2Vec, RegionSet2Vec

__all__ = [
    "Region2Vec",
    "Region2VecExModel",
    "RegionSet2Vec",
    "embed_region_sets",
    "region2vec",
]


def __getattr__(name: str):
    if name in ("Region2Vec", "RegionSet2Vec"):
        from geniml.region2vec import _nn

        return getattr(_nn, name)
    raise AttributeError(f"module 'geniml.region2vec' has no attribute {name!r}")
