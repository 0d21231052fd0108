"""BEDshift: seeded random perturbation of BED files (null models that keep genomic context).

Operations run in Rust with the GIL released; replicates run in parallel and replicate ``r`` of
a seed is the same at any thread count. Coordinates are 0-based half-open ``[start, end)``.

Examples:
    >>> from geniml.bedshift import bedshift
    >>> from geniml.io import RegionSet
    >>> rs = RegionSet((["chr1", "chr1", "chr2"], [1000, 5000, 800], [1200, 5300, 900]))
    >>> reps = bedshift(rs, genome="hg38", n_iterations=2, shift_rate=1.0, seed=1)
    >>> [len(r) for r in reps], reps[0].extra_column(0)
    ([3, 3], ['S', 'S', 'S'])
"""

from geniml.bedshift.core import Bedshift, bedshift
from geniml.bedshift.genomes import BUNDLED_GENOMES, genome_sizes
from geniml.bedshift.yaml_config import read_operations

__all__ = ["BUNDLED_GENOMES", "Bedshift", "bedshift", "genome_sizes", "read_operations"]
