"""``geniml region2vec``: train Region2Vec on tokenized BED files; encode BED files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    invoke_without_command=True,
    no_args_is_help=False,
    help="Train Region2Vec on a folder of tokenized BED files (bare form), or encode BED files.",
)


@app.callback()
def train(
    ctx: typer.Context,
    token_folder: Annotated[
        Path | None,
        typer.Option("--token-folder", help="Folder of tokenized BED files (hard_tokenization)."),
    ] = None,
    save_dir: Annotated[
        Path | None, typer.Option("--save-dir", help="Output model folder.")
    ] = None,
    num_shuffle: Annotated[
        int, typer.Option("--num-shuffle", help="Shuffled passes over the corpus (= epochs).")
    ] = 1000,
    embed_dim: Annotated[int, typer.Option("--embed-dim", help="Embedding dimension.")] = 100,
    context_len: Annotated[
        int, typer.Option("--context-len", help="Sentence length the window moves within.")
    ] = 50,
    window_size: Annotated[int, typer.Option("--window-size", help="Context half-width.")] = 5,
    init_lr: Annotated[float, typer.Option("--init-lr", help="Initial learning rate.")] = 0.025,
    epochs: Annotated[int | None, typer.Option("--epochs", help="Overrides --num-shuffle.")] = None,
    sg: Annotated[bool, typer.Option("--sg", help="Skip-gram instead of CBOW.")] = False,
    min_count: Annotated[int, typer.Option("--min-count", help="Minimum token count.")] = 5,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    threads: Annotated[int | None, typer.Option("--threads", "-t", min=1)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing outputs.")] = False,
) -> None:
    """Train Region2Vec: writes the model folder, embeddings.npy and regions.bed to --save-dir."""
    if ctx.invoked_subcommand is not None:
        return
    if token_folder is None or save_dir is None:
        raise typer.BadParameter("--token-folder and --save-dir are required to train")
    from geniml.region2vec import region2vec

    out = region2vec(
        token_folder,
        save_dir,
        num_shufflings=num_shuffle,
        embedding_dim=embed_dim,
        context_len=context_len,
        window_size=window_size,
        init_lr=init_lr,
        epochs=epochs,
        sg=sg,
        min_count=min_count,
        seed=seed,
        n_threads=threads,
        force=force,
    )
    typer.echo(f"model written to {out}", err=True)


@app.command("encode")
def encode(
    beds: Annotated[list[Path], typer.Argument(help="BED files (one pooled vector each).")],
    model: Annotated[Path, typer.Option("--model", "-m", help="Model folder.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Output .npy file.")],
    pooling: Annotated[str, typer.Option("--pooling", help="mean or max.")] = "mean",
    force: Annotated[bool, typer.Option("--force", help="Replace the output.")] = False,
) -> None:
    """Encode BED files with a Region2Vec model: one row per file in a float32 .npy."""
    import numpy as np

    from geniml._atomic import atomic_file, refuse_existing
    from geniml.region2vec import Region2VecExModel

    refuse_existing(output, force=force)
    m = Region2VecExModel.from_pretrained(model, device="cpu")
    vecs = m.encode([str(b) for b in beds], pooling=pooling)  # type: ignore[arg-type]
    with atomic_file(output, force=force) as tmp, open(tmp, "wb") as fh:
        np.save(fh, vecs)
    typer.echo(f"{vecs.shape[0]} x {vecs.shape[1]} vectors written to {output}", err=True)
