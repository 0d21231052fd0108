"""geniml.pl: side-by-side label / cluster plots, PCA on request, a palette for 12+ groups."""

from __future__ import annotations

import doctest
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import geniml.pl
from geniml import datasets
from geniml.exceptions import AnnDataLayoutError, GenimlValueError
from geniml.pl import cells, embedding, palette


def _png_size(path: Path) -> tuple[int, int]:
    head = path.read_bytes()[:24]
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


@pytest.fixture(scope="module")
def schep():
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer

    adata = datasets.schep2017()
    lsi = TruncatedSVD(21, random_state=0).fit_transform(TfidfTransformer().fit_transform(adata.X))
    adata.obsm["X_lsi"] = lsi[:, 1:]
    return adata


def test_doctests():
    res = doctest.testmod(geniml.pl, optionflags=doctest.ELLIPSIS)
    assert res.attempted > 0 and res.failed == 0


@pytest.mark.parametrize("n", [1, 12, 20, 25, 60, 130])
def test_palette_keeps_groups_apart(n):
    colours = palette(n)
    assert len(colours) == n == len(set(colours))
    assert all(c.startswith("#") and len(c) == 7 for c in colours)


def test_cells_side_by_side_umap_and_pca(schep, tmp_path):
    two = cells(schep, basis="X_lsi", path=tmp_path / "umap.png")
    w2, h2 = _png_size(two)
    one = embedding(
        schep.obsm["X_lsi"],
        schep.obs["cell_type"],
        clusters=None,
        method="pca",
        path=tmp_path / "pca.png",
    )
    w1, h1 = _png_size(one)
    assert h1 == h2 and 1.8 < w2 / w1 < 2.2  # two panels against one
    with pytest.raises(FileExistsError):
        cells(schep, basis="X_lsi", path=two)
    assert cells(schep, basis="X_lsi", path=two, method="pca", force=True) == two


def test_clear_errors(schep, tmp_path):
    with pytest.raises(GenimlValueError, match="DataFrame"):
        embedding(
            pd.DataFrame(schep.obsm["X_lsi"]), schep.obs["cell_type"], path=tmp_path / "x.png"
        )
    with pytest.raises(AnnDataLayoutError, match="X_scembed"):
        cells(schep, path=tmp_path / "x.png")
    with pytest.raises(AnnDataLayoutError, match="leiden"):
        cells(schep, basis="X_lsi", cluster_key="leiden", path=tmp_path / "x.png")


def test_cli_eval_plot_by_cluster(schep, tmp_path):
    exe = shutil.which("geniml", path=str(Path(sys.executable).parent))
    assert exe is not None
    np.save(tmp_path / "emb.npy", schep.obsm["X_lsi"])
    (tmp_path / "labels.tsv").write_text(
        "cell\tcell_type\n"
        + "".join(
            f"{c}\t{t}\n" for c, t in zip(schep.obs_names, schep.obs["cell_type"], strict=True)
        )
    )
    base = [exe, "eval", "plot", str(tmp_path / "emb.npy"), "--method", "pca"]
    r = subprocess.run(
        [
            *base,
            "--labels",
            str(tmp_path / "labels.tsv"),
            "--by-cluster",
            "-o",
            str(tmp_path / "p.png"),
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    assert Path(r.stdout.strip()) == tmp_path / "p.png"
    assert _png_size(tmp_path / "p.png")[0] > 1400
    bad = subprocess.run(
        [*base, "--by-cluster", "-o", str(tmp_path / "q.png")], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "--by-cluster needs --labels" in bad.stderr
