"""``geniml bedspace``: preprocess, train, distances and search (seed and upstream spellings)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    no_args_is_help=True,
    help="Co-embed region sets (BED files) and their labels (StarSpace trainMode 0).",
)


# r2l neighbour vote default; equals geniml.bedspace.model.DEFAULT_NEIGHBOURS (tested), kept
# literal here so `geniml --help` does not import numpy/polars.
DEFAULT_NEIGHBOURS = 1


class SearchKind(str, enum.Enum):
    """Search directions (the API's ``search_type``)."""

    l2r = "l2r"
    r2l = "r2l"
    r2r = "r2r"


@app.command()
def preprocess(
    input: Annotated[Path, typer.Option("--input", "-i", help="Folder of BED files.")],
    metadata: Annotated[
        Path, typer.Option("--metadata", "-m", help="CSV/TSV with file_name and label columns.")
    ],
    universe: Annotated[Path, typer.Option("--universe", "-u", help="Universe BED file.")],
    labels: Annotated[
        str, typer.Option("--labels", "-l", help="Label columns, comma-separated.")
    ] = "cell_type,tissue",
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output file (a folder gets train_input.txt).")
    ] = Path("preprocessed.txt"),
    force: Annotated[bool, typer.Option("--force", help="Replace an existing output.")] = False,
) -> None:
    """Write StarSpace input: one line of universe tokens and __label__ labels per BED file."""
    from geniml.bedspace import preprocess as run

    out = run(input, metadata, universe, labels=labels, output=output, force=force)
    typer.echo(str(out))


@app.command()
def train(
    input: Annotated[Path, typer.Option("--input", "-i", help="Preprocessed file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Model folder to write.")],
    dim: Annotated[int, typer.Option("--dim", "-d", help="Embedding dimension.")] = 100,
    epochs: Annotated[int, typer.Option("--epochs", "-n", help="Epochs.")] = 50,
    lr: Annotated[float, typer.Option("--lr", "-l", help="Learning rate.")] = 0.05,
    neg_search_limit: Annotated[
        int, typer.Option("--neg-search-limit", help="Negatives drawn per batch.")
    ] = 5,
    margin: Annotated[float, typer.Option("--margin", help="Hinge margin.")] = 0.05,
    threads: Annotated[int | None, typer.Option("--threads", "-t", help="Threads.")] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
    path_to_starspace: Annotated[
        Path | None,
        typer.Option(
            "--path-to-starspace",
            "--path-to-starsapce",
            "-s",
            help="Run the StarSpace binary in this folder instead of the native trainer.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing model.")] = False,
) -> None:
    """Train a BEDspace model (native trainer, or StarSpace with --path-to-starspace)."""
    from geniml.bedspace import train as run

    run(
        input,
        output,
        dim=dim,
        epochs=epochs,
        lr=lr,
        neg_search_limit=neg_search_limit,
        margin=margin,
        n_threads=threads,
        seed=seed,
        path_to_starspace=path_to_starspace,
        force=force,
    )
    typer.echo(str(output))


@app.command()
def distances(
    input: Annotated[Path, typer.Option("--input", "-i", help="Model folder.")],
    metadata: Annotated[
        Path | None,
        typer.Option(
            "--metadata", "-m", "--metadata-train", help="Collection metadata (file_name, labels)."
        ),
    ] = None,
    metadata_test: Annotated[
        Path | None, typer.Option("--metadata-test", help="Query files' metadata.")
    ] = None,
    universe: Annotated[
        Path | None, typer.Option("--universe", "-u", help="Universe BED file.")
    ] = None,
    files: Annotated[
        Path | None, typer.Option("--files", "-f", help="Folder holding the BED files.")
    ] = None,
    labels: Annotated[
        str | None, typer.Option("--labels", "-l", help="Label columns, comma-separated.")
    ] = None,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Distances file (a folder gets distances.pkl).")
    ] = Path("distances.pkl"),
    threshold: Annotated[
        float, typer.Option("--threshold", help="Upstream's similarity_score_rl.csv filter.")
    ] = 0.5,
    project_name: Annotated[
        str | None, typer.Option("--project-name", "-p", help="Accepted for upstream; unused.")
    ] = None,
    path_to_starspace: Annotated[
        Path | None,
        typer.Option(
            "--path-to-starsapce",
            "--path-to-starspace",
            "-s",
            help="Accepted for upstream; embedding is native.",
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing outputs.")] = False,
) -> None:
    """Cosine tables (r2l, l2r, r2r) of a collection for `search`, plus upstream's CSVs."""
    if metadata is None:
        raise typer.BadParameter("--metadata (or --metadata-train) is required")
    from geniml.bedspace import distances as run

    out = run(
        input,
        metadata,
        universe,
        files,
        output=output,
        labels=labels,
        metadata_test=metadata_test,
        threshold=threshold,
        force=force,
    )
    typer.echo(str(out))


@app.command()
def search(
    query_arg: Annotated[
        str | None, typer.Argument(metavar="QUERY", help="A label (l2r) or a BED path.")
    ] = None,
    type: Annotated[SearchKind, typer.Option("--type", "-t", help="l2r, r2l or r2r.")] = (
        SearchKind.l2r
    ),
    distances: Annotated[
        Path, typer.Option("--distances", "-d", help="File written by `distances`.")
    ] = Path("distances.pkl"),
    query: Annotated[str | None, typer.Option("--query", "-q", help="The query.")] = None,
    num_results: Annotated[
        int, typer.Option("--num-results", "-n", help="Number of results.")
    ] = 10,
    neighbours: Annotated[
        int,
        typer.Option(
            "--neighbours",
            "-k",
            min=0,
            help="r2l: the k most similar collection files vote for their labels (0: cosine only).",
        ),
    ] = DEFAULT_NEIGHBOURS,
    tsv: Annotated[bool, typer.Option("--tsv", help="Print TSV instead of a table.")] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write a bar chart of the hits (PNG).")
    ] = None,
) -> None:
    """Rank labels for a file (r2l), files for a label (l2r) or files for a file (r2r)."""
    q = query if query is not None else query_arg
    if q is None:
        raise typer.BadParameter("give a QUERY (positional or --query/-q)")
    from geniml.bedspace import search as run

    hits = run(distances, q, search_type=type.value, top_k=num_results, neighbours=neighbours)
    if tsv:
        typer.echo(hits.write_csv(separator="\t"), nl=False)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"{type.value}: {Path(q).name}")
        for c in ("rank", "hit", "score"):
            table.add_column(c)
        for r in hits.iter_rows(named=True):
            table.add_row(str(r["rank"]), r["hit"], f"{r['score']:.4f}")
        Console().print(table)
    if plot is not None:
        _bar_chart(hits, plot, f"{type.value}: {Path(q).name}")


def _bar_chart(hits, path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 0.35 * max(len(hits), 3) + 1))
    ax.barh(hits["hit"].to_list()[::-1], hits["score"].to_list()[::-1], color="seagreen")
    ax.set_xlabel("cosine similarity")
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, format="png")
    plt.close(fig)
