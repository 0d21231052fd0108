"""``geniml scembed``: train scEmbed on cells and embed AnnData files."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

from geniml._optional import require

app = typer.Typer(no_args_is_help=True, help="scEmbed: cell embeddings for scATAC-seq.")


class PoolingOpt(str, enum.Enum):
    """Pooling of a cell's token vectors (``ScEmbed(pooling_method=...)``)."""

    mean = "mean"
    max = "max"


class SolverOpt(str, enum.Enum):
    """How token vectors are learned (``ScEmbed.train(solver=...)``)."""

    spectral = "spectral"
    word2vec = "word2vec"


@app.command("train")
def train(
    save_dir: Annotated[Path, typer.Option("--save-dir", help="Model folder to write.")],
    adata: Annotated[
        Path | None, typer.Option("--adata", help="AnnData .h5ad (cells x peaks).")
    ] = None,
    tokens: Annotated[Path | None, typer.Option("--tokens", help="Parquet tokens file.")] = None,
    universe: Annotated[Path | None, typer.Option("--universe", "-u", help="Universe BED.")] = None,
    epochs: Annotated[int, typer.Option("--epochs")] = 10,
    embed_dim: Annotated[int, typer.Option("--embed-dim")] = 100,
    window_size: Annotated[int, typer.Option("--window-size")] = 5,
    negative: Annotated[int, typer.Option("--negative")] = 5,
    min_count: Annotated[int, typer.Option("--min-count")] = 1,
    learning_rate: Annotated[float, typer.Option("--learning-rate", "--init-lr")] = 0.025,
    seed: Annotated[int, typer.Option("--seed")] = 42,
    solver: Annotated[
        SolverOpt,
        typer.Option("--solver", help="spectral (default) or word2vec (--sg, --epochs apply)."),
    ] = SolverOpt.spectral,
    sg: Annotated[bool, typer.Option("--sg", help="Skip-gram instead of CBOW (word2vec).")] = False,
    min_lr: Annotated[float, typer.Option("--min-lr", help="Final learning rate.")] = 1e-4,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Examples per torch step (GPU).")
    ] = 256,
    num_cpus: Annotated[
        int | None, typer.Option("--num-cpus", "--threads", help="Threads (default: all cores).")
    ] = None,
    pooling: Annotated[
        PoolingOpt, typer.Option("--pooling", help="How a cell's token vectors are pooled.")
    ] = PoolingOpt.mean,
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """Train scEmbed on an AnnData file (with --universe) or a parquet tokens file."""
    from geniml.scembed import ScEmbed

    if (adata is None) == (tokens is None):
        raise typer.BadParameter("give exactly one of --adata and --tokens")
    if adata is not None and universe is None:
        raise typer.BadParameter("--adata needs --universe")
    model = ScEmbed(
        tokenizer=universe,
        embedding_dim=embed_dim,
        window_size=window_size,
        negative_samples=negative,
        pooling_method=pooling.value,
    )
    model.train(
        adata if adata is not None else tokens,
        epochs=epochs,
        min_count=min_count,
        learning_rate=learning_rate,
        min_lr=min_lr,
        batch_size=batch_size,
        num_cpus=num_cpus,
        seed=seed,
        sg=sg,
        solver=solver.value,
    )
    model.save(save_dir, force=force)
    typer.echo(f"model -> {save_dir}", err=True)


@app.command("encode")
def encode(
    adata: Annotated[Path, typer.Argument(help="AnnData .h5ad to embed.")],
    model: Annotated[Path, typer.Option("--model", "-m", help="Model folder.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="AnnData .h5ad to write.")],
    key_added: Annotated[str, typer.Option("--key-added")] = "X_scembed",
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """Embed the cells of an AnnData file into obsm[key_added] and write it."""
    ad = require("anndata")

    from geniml._atomic import atomic_file, refuse_existing
    from geniml.scembed import ScEmbed, embed

    refuse_existing(output, force=force)
    a = ad.read_h5ad(adata)
    embed(a, ScEmbed.from_pretrained(model), key_added=key_added)
    with atomic_file(output, force=force) as tmp:
        a.write_h5ad(tmp)
    typer.echo(f"{a.n_obs} cells embedded -> {output}", err=True)
