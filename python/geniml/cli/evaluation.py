"""``geniml eval``: metrics for embeddings and annotations, and the region-embedding scores."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated, Literal

import typer

app = typer.Typer(
    no_args_is_help=True,
    help="Evaluate embeddings (labelled metrics, CTT/RCT/GDST/NPT) and annotations.",
)


class ClusterMethod(str, enum.Enum):
    """Clustering used for ARI/NMI."""

    kmeans = "kmeans"
    leiden = "leiden"


class PlotMethod(str, enum.Enum):
    """2-D projection of a plot."""

    umap = "umap"
    pca = "pca"
    tsne = "tsne"


class Distance(str, enum.Enum):
    """Embedding distance of the NPT."""

    cosine = "cosine"
    euclidean = "euclidean"
    jaccard = "jaccard"


ModelArg = Annotated[
    Path,
    typer.Argument(
        exists=True,
        help="Model folder (checkpoint.pt + universe.bed), BaseEmbeddings .pkl or .npy.",
    ),
]
UniverseOpt = Annotated[
    Path | None,
    typer.Option("--universe", "-u", exists=True, dir_okay=False, help="Regions of an .npy model."),
]
SeedOpt = Annotated[int, typer.Option("--seed", help="Random seed.")]
LabelsOpt = Annotated[
    Path, typer.Option("--labels", "-l", exists=True, dir_okay=False, help="Labels table or .txt.")
]
LabelColOpt = Annotated[
    str | None, typer.Option("--label-column", help="Label column (default: see docs).")
]


def _metrics(text: str) -> tuple[str, ...]:
    return tuple(m.strip() for m in text.split(",") if m.strip())


@app.command("embeddings")
def embeddings(
    embeddings: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Embeddings .npy/.csv/.tsv.")
    ],
    labels: LabelsOpt,
    metrics: Annotated[
        str, typer.Option("--metrics", "-m", help="Comma-separated metrics.")
    ] = "silhouette,davies_bouldin,calinski_harabasz",
    names: Annotated[
        Path | None,
        typer.Option("--names", exists=True, dir_okay=False, help="Row names, one per line."),
    ] = None,
    label_column: LabelColOpt = None,
    id_column: Annotated[str | None, typer.Option("--id-column", help="Row name column.")] = None,
) -> None:
    """Print metric<TAB>value for labelled embeddings."""
    from geniml.evaluation import evaluate_embeddings

    res = evaluate_embeddings(
        embeddings_file=embeddings,
        labels_file=labels,
        metrics=_metrics(metrics),
        names=names,
        label_column=label_column,
        id_column=id_column,
    )
    for k, v in res.items():
        typer.echo(f"{k}\t{v:.6g}")


@app.command("annotation")
def annotation(
    predicted: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Predictions.")],
    true: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="True labels.")],
    metrics: Annotated[
        str, typer.Option("--metrics", "-m", help="Comma-separated metrics.")
    ] = "accuracy,f1,confusion_matrix",
    label_column: LabelColOpt = None,
) -> None:
    """Print metric<TAB>value, then the confusion matrix (rows true, columns predicted)."""
    from geniml.evaluation import evaluate_annotation

    res = evaluate_annotation(predicted, true, metrics=_metrics(metrics), label_column=label_column)
    cm, labels = res.pop("confusion_matrix", None), res.pop("labels", None)
    for k, v in res.items():
        typer.echo(f"{k}\t{v:.6g}")
    if cm is not None:
        typer.echo("true\\predicted\t" + "\t".join(labels))
        for lab, row in zip(labels, cm, strict=True):
            typer.echo(lab + "\t" + "\t".join(str(int(c)) for c in row))


@app.command("cluster")
def cluster(
    embeddings: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Embeddings .npy/.csv/.tsv.")
    ],
    labels: LabelsOpt,
    method: Annotated[ClusterMethod, typer.Option("--method")] = ClusterMethod.kmeans,
    n_clusters: Annotated[int | None, typer.Option("--n-clusters", "-k")] = None,
    label_column: LabelColOpt = None,
    seed: SeedOpt = 0,
) -> None:
    """Cluster the embeddings and print ARI, NMI and the number of clusters."""
    from geniml.evaluation import cluster_agreement, load_embeddings, load_labels

    x, _ = load_embeddings(embeddings)
    y, _ = load_labels(labels, label_column=label_column)
    res = cluster_agreement(x, y, method=method.value, n_clusters=n_clusters, seed=seed)
    typer.echo(f"ari\t{res['ari']:.6g}\nnmi\t{res['nmi']:.6g}\nn_clusters\t{res['n_clusters']}")


@app.command("ctt")
def ctt(
    model: ModelArg,
    universe: UniverseOpt = None,
    num_samples: Annotated[int, typer.Option("--num-samples")] = 10000,
    seed: SeedOpt = 42,
) -> None:
    """Cluster tendency test score."""
    from geniml.evaluation import ctt_score

    typer.echo(f"{ctt_score(model, universe, n_samples=num_samples, seed=seed):.6g}")


@app.command("rct")
def rct(
    model: ModelArg,
    binary: Annotated[
        Path, typer.Option("--binary", "-b", exists=True, help="Binary embeddings .pkl or .npy.")
    ],
    universe: UniverseOpt = None,
    binary_universe: Annotated[
        Path | None,
        typer.Option("--binary-universe", exists=True, dir_okay=False, help="Regions of .npy."),
    ] = None,
    cv: Annotated[int, typer.Option("--cv-num")] = 5,
    out_dim: Annotated[int, typer.Option("--out-dim")] = -1,
    seed: SeedOpt = 42,
    n_jobs: Annotated[int | None, typer.Option("--num-workers")] = None,
    n_threads: Annotated[int | None, typer.Option("--threads", min=1, help="BLAS threads.")] = None,
) -> None:
    """Reconstruction test score (mean cross-validated R^2)."""
    from geniml.evaluation import rct_score

    bin_regions = binary_universe if binary_universe is not None else universe
    score = rct_score(
        model,
        universe,
        binary=binary,
        binary_regions=bin_regions,
        cv=cv,
        out_dim=out_dim,
        seed=seed,
        n_jobs=n_jobs,
        n_threads=n_threads,
    )
    typer.echo(f"{score:.6g}")


@app.command("gdst")
def gdst(
    model: ModelArg,
    universe: UniverseOpt = None,
    num_samples: Annotated[int, typer.Option("--num-samples")] = 10000,
    seed: SeedOpt = 42,
) -> None:
    """Genome distance scaling test slope."""
    from geniml.evaluation import gdst_score

    typer.echo(f"{gdst_score(model, universe, n_samples=num_samples, seed=seed):.6g}")


@app.command("npt")
def npt(
    model: ModelArg,
    k: Annotated[int, typer.Option("--K", "-k", help="Largest neighbourhood size.")],
    universe: UniverseOpt = None,
    num_samples: Annotated[int, typer.Option("--num-samples", help="0: all regions.")] = 100,
    resolution: Annotated[int, typer.Option("--resolution")] = 10,
    distance: Annotated[Distance, typer.Option("--distance")] = Distance.cosine,
    seed: SeedOpt = 0,
) -> None:
    """Neighbourhood preserving test: one row per neighbourhood size."""
    from geniml.evaluation import npt_score

    res = npt_score(
        model,
        universe,
        k=k,
        n_samples=num_samples,
        seed=seed,
        resolution=resolution,
        distance=distance.value,
    )
    typer.echo("size\tquery_npr\trandom_npr\tsnpr")
    sizes = range(res.resolution, res.k + 1, res.resolution)
    for i, q, r, s in zip(sizes, res.query_npr, res.random_npr, res.snpr, strict=True):
        typer.echo(f"{i}\t{q:.6g}\t{r:.6g}\t{s:.6g}")


@app.command("plot")
def plot(
    embeddings: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="Embeddings .npy/.csv/.tsv.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Image file (.png/.pdf/.svg).")],
    labels: Annotated[
        Path | None, typer.Option("--labels", "-l", exists=True, dir_okay=False)
    ] = None,
    method: Annotated[PlotMethod, typer.Option("--method")] = PlotMethod.umap,
    label_column: LabelColOpt = None,
    seed: SeedOpt = 0,
    by_cluster: Annotated[
        bool,
        typer.Option(
            "--by-cluster",
            help="Side by side: coloured by label and by k-means cluster (geniml.pl.embedding; "
            "needs --labels).",
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite the output.")] = False,
) -> None:
    """Draw a 2-D projection coloured by label; prints the image path."""
    from geniml.evaluation import load_embeddings, load_labels, plot_embeddings

    x, _ = load_embeddings(embeddings)
    y = load_labels(labels, label_column=label_column)[0] if labels is not None else None
    if by_cluster:
        if y is None:
            raise typer.BadParameter("--by-cluster needs --labels", param_hint="--by-cluster")
        drawn: Literal["umap", "pca"]
        if method is PlotMethod.umap:
            drawn = "umap"
        elif method is PlotMethod.pca:
            drawn = "pca"
        else:
            raise typer.BadParameter("--by-cluster draws umap or pca", param_hint="--method")
        from geniml.pl import embedding

        png = embedding(x, y, method=drawn, path=output, seed=seed, force=force)
        typer.echo(str(png))
        return
    typer.echo(str(plot_embeddings(x, y, method=method.value, path=output, seed=seed, force=force)))
