"""Plots in the scanpy ``pl`` style: embeddings of cells or region sets, by label and by cluster.

:func:`embedding` draws a 2-D projection (UMAP by default, PCA on request) as side-by-side
panels, one coloured by the known labels and one by clusters (k-means with as many clusters as
labels, or clusters you pass). :func:`cells` does the same from an AnnData's ``obsm`` / ``obs``.
Colours come from :func:`palette`, which keeps 12+ groups apart. Images are written to a
temporary name and renamed; an existing file is replaced only with ``force=True``.
"""

from __future__ import annotations

import colorsys
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np

from geniml._atomic import atomic_file
from geniml._optional import require, require_from
from geniml.exceptions import AnnDataLayoutError, GenimlValueError

if TYPE_CHECKING:
    import anndata

__all__ = ["cells", "embedding", "palette"]

Method = Literal["umap", "pca"]


def palette(n: int) -> list[str]:
    """``n`` distinguishable colours (hex): tab10 up to 10, tab20 up to 20, then tab20/b/c.

    Beyond 60 groups the colours are spread around the hue circle by the golden ratio, with
    alternating lightness, so neighbours in the list stay far apart.

    Args:
        n: number of groups.

    Returns:
        A list of ``n`` ``"#rrggbb"`` strings, all different.

    Examples:
        >>> from geniml.pl import palette
        >>> len(set(palette(12))), palette(2)
        (12, ['#1f77b4', '#ff7f0e'])
        >>> len(set(palette(80)))
        80
    """
    colors = require_from("matplotlib", "colors")
    cmaps = require_from("matplotlib", "colormaps")
    if n <= 10:
        base = [cmaps["tab10"](i) for i in range(10)]
    elif n <= 20:
        base = [cmaps["tab20"](i) for i in range(20)]
    else:
        base = [cmaps[m](i) for m in ("tab20", "tab20b", "tab20c") for i in range(20)]
    out = [colors.to_hex(c) for c in base][:n]
    k = 0
    while len(out) < n:
        h = (k * 0.618033988749895) % 1.0
        rgb = colorsys.hls_to_rgb(h, 0.35 + 0.3 * (k % 2), 0.75)
        c = colors.to_hex(rgb)
        if c not in out:
            out.append(c)
        k += 1
    return out


def _panel(ax, xy: np.ndarray, groups: np.ndarray, title: str, axis: str) -> None:
    names = list(dict.fromkeys(sorted(groups, key=_natural)))
    colours = palette(len(names))
    size = max(4.0, min(40.0, 4000.0 / len(xy)))
    for name, colour in zip(names, colours, strict=True):
        sel = groups == name
        ax.scatter(
            xy[sel, 0], xy[sel, 1], s=size, linewidths=0, alpha=0.85, color=colour, label=name
        )
    ax.legend(
        loc="center left",
        bbox_to_anchor=(1.0, 0.5),
        fontsize="small",
        markerscale=max(1.0, 30.0 / size) ** 0.5,
        frameon=False,
        ncols=1 if len(names) <= 16 else 2,
    )
    ax.set_title(title)
    ax.set_xlabel(f"{axis} 1")
    ax.set_ylabel(f"{axis} 2")
    ax.set_xticks([])
    ax.set_yticks([])


def _natural(s: str):
    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", s)]


def embedding(
    x: np.ndarray,
    labels: Sequence | np.ndarray,
    *,
    clusters: Sequence | np.ndarray | Literal["kmeans"] | None = "kmeans",
    method: Method = "umap",
    path: str | os.PathLike = "embedding.png",
    title: str | None = None,
    seed: int = 0,
    force: bool = False,
) -> Path:
    """Side-by-side 2-D projections of embeddings, coloured by label and by cluster.

    Args:
        x: ``(n, dim)`` embeddings (cells or region sets), a numpy array (a DataFrame is refused).
        labels: one known label per row (left panel).
        clusters: one cluster id per row, ``"kmeans"`` (k-means with as many clusters as
            labels, on ``x``), or ``None`` for the label panel only.
        method: ``"umap"`` (umap-learn, installed with scanpy) or ``"pca"``.
        path: output image (png, pdf, svg...).
        title: figure title.
        seed: seed of the projection and of k-means.
        force: replace an existing file.

    Returns:
        The path written.

    Raises:
        GenimlValueError: shapes disagree, a DataFrame was given, or an unknown method.
        FileExistsError: ``path`` exists and ``force`` is false.

    Examples:
        >>> import numpy as np, tempfile, pathlib
        >>> from geniml.pl import embedding
        >>> rng = np.random.default_rng(0)
        >>> x = np.vstack([rng.normal(m, 1, (20, 5)) for m in (0, 6)])
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "cells.png"
        >>> embedding(x, ["a"] * 20 + ["b"] * 20, method="pca", path=out).read_bytes()[:4]
        b'\\x89PNG'
    """
    from geniml.evaluation.plot import project_2d

    if type(x).__name__ == "DataFrame":
        raise GenimlValueError(
            "`x` got a DataFrame; pass the embedding array (e.g. df.to_numpy() or adata.obsm[key])"
        )
    if method not in ("umap", "pca"):
        raise GenimlValueError(f"`method` must be one of {{'umap','pca'}}, got {method!r}")
    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; pass force=True (--force) to overwrite")
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(labels).astype(str)
    if x.ndim != 2 or len(y) != len(x):
        raise GenimlValueError(f"need (n, dim) embeddings and n labels, got {x.shape}, {len(y)}")
    panels = [("by label", y)]
    if isinstance(clusters, str) and clusters == "kmeans":
        kmeans = require_from("sklearn.cluster", "KMeans")
        k = min(len(np.unique(y)), len(x))
        ids = kmeans(n_clusters=k, n_init=10, random_state=seed).fit_predict(x)
        panels.append((f"by k-means cluster (k={k})", ids.astype(str)))
    elif clusters is not None:
        c = np.asarray(clusters).astype(str)
        if len(c) != len(x):
            raise GenimlValueError(f"{len(c)} cluster ids for {len(x)} rows")
        panels.append(("by cluster", c))
    if method == "umap":
        import warnings

        with (
            warnings.catch_warnings()
        ):  # umap-learn warns that TensorFlow (ParametricUMAP) is absent
            warnings.simplefilter("ignore", ImportWarning)
            require("umap")
    xy = project_2d(x, method=method, seed=seed)

    agg = require_from("matplotlib.backends.backend_agg", "FigureCanvasAgg")
    figure = require_from("matplotlib.figure", "Figure")
    fig = figure(figsize=(6.5 * len(panels), 5.2), dpi=120, layout="constrained")
    agg(fig)
    axis = {"umap": "UMAP", "pca": "PC"}[method]
    for i, (name, groups) in enumerate(panels):
        _panel(fig.add_subplot(1, len(panels), i + 1), xy, groups, name, axis)
    fig.suptitle(title or f"{axis} of {len(xy)} embeddings")
    with atomic_file(path, force=True) as tmp:
        fig.savefig(tmp)
    return path


def cells(
    adata: anndata.AnnData,
    *,
    label_key: str = "cell_type",
    cluster_key: str | None = None,
    basis: str = "X_scembed",
    method: Method = "umap",
    path: str | os.PathLike = "cells.png",
    title: str | None = None,
    seed: int = 0,
    force: bool = False,
) -> Path:
    """:func:`embedding` for an AnnData: ``obsm[basis]``, coloured by ``obs`` columns.

    Args:
        adata: the cells.
        label_key: ``obs`` column of known labels.
        cluster_key: ``obs`` column of clusters (e.g. ``"leiden"``); ``None``: k-means.
        basis: ``obsm`` key of the embedding (``"X_scembed"``, what ``embed()`` writes).
        method: ``"umap"`` or ``"pca"``.
        path: output image.
        title: figure title.
        seed: seed of the projection and of k-means.
        force: replace an existing file.

    Returns:
        The path written.

    Raises:
        AnnDataLayoutError: ``basis`` or a column is missing.

    Examples:
        >>> import numpy as np, anndata as ad, pandas as pd, tempfile, pathlib
        >>> from geniml.pl import cells
        >>> rng = np.random.default_rng(0)
        >>> obs = pd.DataFrame({"cell_type": list("ab" * 20)}, index=[f"c{i}" for i in range(40)])
        >>> a = ad.AnnData(np.zeros((40, 1)), obs=obs)
        >>> a.obsm["X_scembed"] = rng.normal(size=(40, 4))
        >>> cells(a, method="pca", path=pathlib.Path(tempfile.mkdtemp()) / "c.png").suffix
        '.png'
    """
    require("anndata")
    if basis not in adata.obsm:
        raise AnnDataLayoutError(f"AnnData has no obsm[{basis!r}] (has {list(adata.obsm.keys())})")
    for key in (label_key, cluster_key):
        if key is not None and key not in adata.obs:
            raise AnnDataLayoutError(f"AnnData has no obs[{key!r}] (has {list(adata.obs.columns)})")
    clusters = adata.obs[cluster_key].to_numpy() if cluster_key is not None else "kmeans"
    return embedding(
        np.asarray(adata.obsm[basis]),
        adata.obs[label_key].to_numpy(),
        clusters=clusters,
        method=method,
        path=path,
        title=title,
        seed=seed,
        force=force,
    )
