"""2-D pictures of embeddings coloured by label (matplotlib, Agg canvas, no pyplot state)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np

from geniml._atomic import atomic_file
from geniml.exceptions import GenimlValueError

__all__ = ["plot_embeddings", "project_2d"]


def project_2d(
    embeddings: np.ndarray, *, method: Literal["umap", "pca", "tsne"] = "umap", seed: int = 0
) -> np.ndarray:
    """Project embeddings to 2-D with UMAP (umap-learn), PCA or t-SNE (scikit-learn).

    Raises:
        ImportError: ``method="umap"`` without umap-learn installed.
        GenimlValueError: unknown method or fewer than 3 rows.

    Examples:
        >>> import numpy as np
        >>> project_2d(np.random.default_rng(0).normal(size=(20, 5)), method="pca").shape
        (20, 2)
    """
    x = np.asarray(embeddings, dtype=np.float64)
    if x.ndim != 2 or len(x) < 3:
        raise GenimlValueError(f"need a (n >= 3, dim) array, got shape {x.shape}")
    if method == "pca":
        from sklearn.decomposition import PCA

        return PCA(n_components=2, random_state=seed).fit_transform(x)
    if method == "tsne":
        from sklearn.manifold import TSNE

        return TSNE(
            n_components=2, random_state=seed, perplexity=min(30, len(x) - 1)
        ).fit_transform(x)
    if method == "umap":
        try:
            import umap
        except ImportError as err:
            raise ImportError(
                "method='umap' needs umap-learn (pip install umap-learn); "
                "use method='pca' or method='tsne' instead"
            ) from err
        n_neighbors = min(15, len(x) - 1)
        return umap.UMAP(
            n_components=2, n_neighbors=n_neighbors, random_state=seed, n_jobs=1
        ).fit_transform(x)
    raise GenimlValueError(f"`method` must be one of {{'umap','pca','tsne'}}, got {method!r}")


def plot_embeddings(
    embeddings: np.ndarray,
    labels: Sequence | np.ndarray | None = None,
    *,
    method: Literal["umap", "pca", "tsne"] = "umap",
    path: str | os.PathLike = "embedding.png",
    title: str | None = None,
    seed: int = 0,
    force: bool = False,
) -> Path:
    """Draw a 2-D projection of the embeddings, one colour per label, and save it.

    The image format follows the suffix of ``path`` (png, pdf, svg...). The file is written to a
    temporary name and renamed, and an existing file is replaced only with ``force=True``.

    Args:
        embeddings: ``(n, dim)`` array (a ``(n, 2)`` array with ``method="pca"`` is drawn as is
            up to rotation).
        labels: one label per row (``None``: a single colour).
        method: ``"umap"`` (needs umap-learn), ``"pca"`` or ``"tsne"``.
        path: output image.
        title: figure title (default: the method name).
        seed: random seed of the projection.
        force: overwrite an existing file.

    Returns:
        The path written.

    Raises:
        FileExistsError: ``path`` exists and ``force`` is false.
        ImportError: ``method="umap"`` without umap-learn (use ``"pca"``).

    Examples:
        >>> import numpy as np, tempfile, pathlib
        >>> x = np.random.default_rng(0).normal(size=(30, 4))
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "emb.png"
        >>> plot_embeddings(x, ["a"] * 15 + ["b"] * 15, method="pca", path=out).exists()
        True
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    path = Path(path)
    if path.exists() and not force:
        raise FileExistsError(f"{path} exists; pass force=True to overwrite")
    x = np.asarray(embeddings)
    if labels is not None and len(labels) != len(x):
        raise GenimlValueError(f"{len(labels)} labels for {len(x)} embedding rows")
    xy = project_2d(x, method=method, seed=seed)

    fig = Figure(figsize=(7.5, 6), dpi=120, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    size = max(2.0, min(30.0, 3000.0 / len(xy)))
    if labels is None:
        ax.scatter(xy[:, 0], xy[:, 1], s=size, linewidths=0)
    else:
        y = np.asarray(labels).astype(str)
        groups = np.unique(y)
        import matplotlib

        palette = matplotlib.colormaps["tab20" if len(groups) > 10 else "tab10"]
        for k, g in enumerate(groups):
            sel = y == g
            ax.scatter(
                xy[sel, 0], xy[sel, 1], s=size, linewidths=0, color=palette(k % palette.N), label=g
            )
        ax.legend(
            loc="center left",
            bbox_to_anchor=(1.0, 0.5),
            fontsize="small",
            markerscale=2,
            frameon=False,
        )
    axis = {"umap": "UMAP", "pca": "PC", "tsne": "t-SNE"}[method]
    ax.set_xlabel(f"{axis} 1")
    ax.set_ylabel(f"{axis} 2")
    ax.set_title(title or f"{axis} of {len(xy)} embeddings")

    with atomic_file(path, force=True) as tmp:
        fig.savefig(tmp)
    return path
