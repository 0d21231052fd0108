"""Real labelled embeddings: LSI (TF-IDF + truncated SVD) of the 600 Schep 2017 scATAC cells."""

from __future__ import annotations

import numpy as np
import pytest

EXPORT = "models/geniml_region2vec_export"


@pytest.fixture(scope="session")
def schep_lsi(shared_data):
    """(embeddings (600, 30), cell ids, cell types) from the real Schep 2017 counts."""
    import polars as pl
    import scipy.io
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer

    folder = shared_data / "scatac" / "schep2017_600cells_hg19"
    counts = scipy.io.mmread(folder / "matrix_peaks_x_cells.mtx").T.tocsr()
    cells = pl.read_csv(folder / "cells.tsv", separator="\t")
    tfidf = TfidfTransformer().fit_transform((counts > 0).astype(np.float64))
    # LSI: the first component tracks sequencing depth and is dropped (ArchR/Signac practice).
    z = TruncatedSVD(n_components=31, random_state=0).fit_transform(tfidf)[:, 1:]
    return z, cells["cell"].to_list(), cells["cell_type"].to_numpy()


@pytest.fixture(scope="session")
def export_dir(shared_data):
    return shared_data / EXPORT
