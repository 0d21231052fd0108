"""``geniml search``: build a search index from embeddings + metadata; query it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer


def _usage(ctx: typer.Context, message: str) -> None:
    """A usage error as click prints it (exit status 2), raised from a command body."""
    typer.echo(ctx.get_usage(), err=True)
    typer.echo(f"Try '{ctx.command_path} --help' for help.\n\nError: {message}", err=True)
    raise typer.Exit(2)


app = typer.Typer(no_args_is_help=True, help="Search BED files by BED file, text or metadata.")


@app.command("build")
def build(
    ctx: typer.Context,
    embeddings: Annotated[
        Path,
        typer.Option(
            "--embeddings",
            "-e",
            dir_okay=False,
            help="Region-set embeddings: .npy (metadata order) or .csv/.tsv named rows.",
        ),
    ],
    metadata: Annotated[
        Path,
        typer.Option(
            "--metadata",
            "-m",
            dir_okay=False,
            help="Metadata table, one row per file (.csv, else tab-separated).",
        ),
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="Index folder to write.")],
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            file_okay=False,
            help="Region2Vec model folder that made the embeddings (enables BED queries).",
        ),
    ] = None,
    text_model: Annotated[
        str,
        typer.Option("--text-model", help="Sentence encoder: all-MiniLM-L6-v2 or a folder."),
    ] = "all-MiniLM-L6-v2",
    no_text: Annotated[bool, typer.Option("--no-text", help="Do not train text search.")] = False,
    id_column: Annotated[
        str | None, typer.Option("--id-column", help="Metadata column naming the files.")
    ] = None,
    text_column: Annotated[
        list[str] | None,
        typer.Option("--text-column", help="Metadata column describing files (repeatable)."),
    ] = None,
    backend: Annotated[
        str, typer.Option("--backend", help="hnsw (embedded faiss index) or qdrant.")
    ] = "hnsw",
    epochs: Annotated[int, typer.Option("--epochs", help="Maximum Vec2Vec epochs.")] = 1000,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing index.")] = False,
) -> None:
    """Build a search index folder (vectors, payloads, the text-to-embedding network)."""
    if backend not in ("hnsw", "qdrant"):
        _usage(ctx, "--backend must be 'hnsw' or 'qdrant'")
    from geniml.search import build_search_index

    out = build_search_index(
        embeddings,
        metadata,
        output,
        model=model,
        text_model=None if no_text else text_model,
        text_columns=text_column or None,
        id_column=id_column,
        backend=backend,  # type: ignore[arg-type]
        epochs=epochs,
        force=force,
    )
    typer.echo(f"wrote {out}", err=True)


@app.command("query")
def query(
    ctx: typer.Context,
    index: Annotated[Path, typer.Argument(help="Index folder (search build).")],
    text: Annotated[str | None, typer.Option("--text", help="Natural-language query.")] = None,
    bed: Annotated[
        Path | None,
        typer.Option("--bed", help="Query BED file."),
    ] = None,
    filters: Annotated[
        list[str] | None,
        typer.Option("--filter", help="Exact metadata filter FIELD=VALUE (repeatable)."),
    ] = None,
    top_k: Annotated[int, typer.Option("-n", "--top-k", help="Results (>= 1).")] = 10,
    tsv: Annotated[bool, typer.Option("--tsv", help="Tab-separated output.")] = False,
) -> None:
    """Query an index by --text, --bed and/or --filter; prints rank, id, score, metadata."""
    if text is not None and bed is not None:
        _usage(ctx, "give --text or --bed, not both")
    if top_k < 1:
        _usage(ctx, f"-n must be >= 1, got {top_k}")
    meta = None
    if filters:
        meta = {}
        for f in filters:
            key, sep, value = f.partition("=")
            if not sep or not key:
                _usage(ctx, f"--filter: expected FIELD=VALUE, got {f!r}")
            meta[key] = value
    if text is None and bed is None and meta is None:
        _usage(ctx, "give --text, --bed or --filter")
    from geniml.search import SearchBackend

    res = SearchBackend.load(index).query(text=text, bed=bed, metadata=meta, top_k=top_k)
    if tsv:
        sys.stdout.write(res.write_csv(separator="\t"))
    else:
        import polars as pl

        with pl.Config(tbl_rows=-1, tbl_cols=-1, fmt_str_lengths=60, tbl_hide_dataframe_shape=True):
            typer.echo(str(res))
