"""scEmbed: Region2Vec on single-cell ATAC-seq; cell embeddings for scanpy.

Each cell is a document of the universe tokens of its accessible peaks. :class:`ScEmbed` trains
Region2Vec on the cells and pools token vectors into a cell vector (a sparse cells x tokens
matrix times the embedding table). :func:`embed` writes ``adata.obsm["X_scembed"]``;
:func:`annotate_celltypes` transfers labels from a reference by a kNN vote.
"""

from geniml.scembed.annotate import annotate_celltypes
from geniml.scembed.model import ScEmbed, embed, pool_cells, spectral_token_vectors

__all__ = ["ScEmbed", "annotate_celltypes", "embed", "pool_cells", "spectral_token_vectors"]
