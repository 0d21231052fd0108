"""Tokenization: genomic regions to universe token ids.

A universe is a BED file; token id ``i`` is its ``i``-th region (file order), followed by seven
special tokens in gtars 0.10's order: ``<unk>``, ``<pad>``, ``<mask>``, ``<cls>``, ``<eos>``,
``<bos>``, ``<sep>``. A query region maps to every universe region it overlaps by at least one
base (0-based half-open coordinates). Overlap search runs in the Rust core (an augmented
interval list per chromosome), in parallel, with the GIL released.
"""

from geniml.tokenization.cells import (
    TokenizedCells,
    read_tokens_parquet,
    tokenize_anndata,
    tokenize_cells,
    tokenize_fragments,
)
from geniml.tokenization.dataset import Region2VecDataset, read_gtok, write_gtok
from geniml.tokenization.files import (
    CoverageReport,
    check_coverage,
    hard_tokenization,
    soft_tokenization,
    universe_tokenization,
)
from geniml.tokenization.tokenizer import SoftTokens, TokenizedRegionSet, Tokenizer

__all__ = [
    "CoverageReport",
    "Region2VecDataset",
    "SoftTokens",
    "TokenizedCells",
    "TokenizedRegionSet",
    "Tokenizer",
    "check_coverage",
    "hard_tokenization",
    "read_gtok",
    "read_tokens_parquet",
    "soft_tokenization",
    "tokenize_anndata",
    "tokenize_cells",
    "tokenize_fragments",
    "universe_tokenization",
    "write_gtok",
]
