from __future__ import annotations

import shutil

import numpy as np
import pytest
import scipy.io

from geniml.exceptions import AnnDataLayoutError
from geniml.io import read_bed, read_scatac


def test_schep_folder(shared_data):
    d = shared_data / "scatac" / "schep2017_600cells_hg19"
    a = read_scatac(d)
    assert a.shape == (600, 5036)
    assert a.obs_names.is_unique
    assert a.obs["cell_type"].value_counts().tolist() == [50] * 12
    m = scipy.io.mmread(d / "matrix_peaks_x_cells.mtx").tocsr()
    assert a.X.nnz == m.nnz
    assert np.array_equal(a.X[:, 40].toarray().ravel(), m[40].toarray().ravel())
    peaks = read_bed(d / "peaks.bed")
    assert a.var["start"].tolist()[:5] == peaks.starts[:5].tolist()


def test_barcodes_orientation_and_errors(shared_data, tmp_path):
    d = shared_data / "scatac" / "schep2017_600cells_hg19"
    shutil.copy(d / "peaks.bed", tmp_path / "peaks.bed")
    m = scipy.io.mmread(d / "matrix_peaks_x_cells.mtx").tocsr()
    scipy.io.mmwrite(tmp_path / "matrix.mtx", m.T)  # cells x peaks
    (tmp_path / "barcodes.tsv").write_text("".join(f"c{i}\n" for i in range(600)))
    a = read_scatac(tmp_path)
    assert a.shape == (600, 5036) and a.obs_names[0] == "c0"
    (tmp_path / "barcodes.tsv").write_text("".join(f"c{i}\n" for i in range(599)))
    with pytest.raises(AnnDataLayoutError, match="matches neither"):
        read_scatac(tmp_path)
    (tmp_path / "barcodes.tsv").unlink()
    with pytest.raises(FileNotFoundError, match="barcodes"):
        read_scatac(tmp_path)
