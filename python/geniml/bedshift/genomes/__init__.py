"""Chromosome sizes bundled with geniml (hg19, hg38, mm9, mm10), resolved offline."""

from __future__ import annotations

import gzip
import os
from functools import lru_cache
from pathlib import Path

from geniml.exceptions import GenimlValueError

__all__ = ["BUNDLED_GENOMES", "genome_sizes"]

_HERE = Path(__file__).parent
BUNDLED_GENOMES: tuple[str, ...] = ("hg19", "hg38", "mm9", "mm10")


@lru_cache(maxsize=8)
def _bundled(name: str) -> tuple[tuple[str, int], ...]:
    rows = []
    with gzip.open(_HERE / f"{name}.chrom.sizes.gz", "rt") as fh:
        for line in fh:
            if line.strip():
                chrom, size = line.split("\t")[:2]
                rows.append((chrom, int(size)))
    return tuple(rows)


def genome_sizes(genome: str | os.PathLike | dict[str, int]) -> dict[str, int]:
    """Chromosome sizes of a bundled genome name, a chrom sizes file, or a dict (returned as is).

    Args:
        genome: ``"hg19"``, ``"hg38"``, ``"mm9"``, ``"mm10"``, a path to a ``name<TAB>length``
            file, or a ``{name: length}`` dict.

    Returns:
        ``{chromosome: length}`` in file order.

    Raises:
        GenimlValueError: an unknown genome name (the message lists the bundled ones).

    Examples:
        >>> genome_sizes("hg38")["chr1"]
        248956422
    """
    if isinstance(genome, dict):
        return dict(genome)
    if isinstance(genome, str) and genome in BUNDLED_GENOMES:
        return dict(_bundled(genome))
    path = Path(genome)
    if path.is_file():
        from geniml.io import read_chrom_sizes

        return read_chrom_sizes(path)
    raise GenimlValueError(
        f"unknown genome {str(genome)!r}: not a bundled genome ({', '.join(BUNDLED_GENOMES)}) "
        "and not a chrom sizes file"
    )
