"""``geniml tokenize``: BED files, cells and fragment files to universe token ids."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from geniml.cli._common import DefaultCommandGroup, expand_inputs, progress

app = typer.Typer(
    cls=DefaultCommandGroup,
    no_args_is_help=True,
    help="Tokenize regions against a universe (bare form: `geniml tokenize "
    "--universe U INPUT... --output OUT`).",
)

Universe = Annotated[Path, typer.Option("--universe", "-u", help="Universe BED file.")]


class Format(str, Enum):
    """Output formats of `geniml tokenize`."""

    bed = "bed"
    gtok = "gtok"
    parquet = "parquet"


@app.command("files")
def files(
    inputs: Annotated[list[Path], typer.Argument(help="BED files or folders.")],
    universe: Universe,
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Output folder (bed, gtok) or file (parquet).")
    ],
    fmt: Annotated[Format, typer.Option("--format", "-f")] = Format.bed,
    fraction: Annotated[
        float, typer.Option("--fraction", min=0.0, max=1.0, help="Minimum overlap fraction.")
    ] = 1e-9,
    soft: Annotated[bool, typer.Option("--soft", help="Soft tokenization (bed format).")] = False,
    threads: Annotated[int | None, typer.Option("--threads", "-t", min=1)] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing outputs.")] = False,
) -> None:
    """Tokenize BED files: bed = universe regions per file, gtok = ids per file, parquet = one table."""
    from geniml.tokenization import (
        TokenizedCells,
        Tokenizer,
        hard_tokenization,
        soft_tokenization,
        write_gtok,
    )

    paths = expand_inputs(inputs)
    if not paths:
        raise FileNotFoundError("no input BED files")
    tok = Tokenizer.from_bed(universe)
    if fmt is Format.bed:
        # One call for all inputs (absolute paths), so the output folder is written as a whole.
        names = [str(p.absolute()) for p in paths]
        if soft:
            soft_tokenization(
                ".", output, tok, overlap_threshold=fraction, file_list=names, force=force
            )
        else:
            hard_tokenization(
                ".", output, tok, fraction, file_list=names, n_threads=threads, force=force
            )
        typer.echo(f"wrote {len(paths)} tokenized BED file(s) to {output}", err=True)
        return
    if soft:
        raise typer.BadParameter("--soft works with --format bed only")
    chunks = [paths[i : i + 32] for i in range(0, len(paths), 32)]
    results = []
    for chunk in progress(chunks, len(chunks), "tokenizing"):
        results.extend(tok.tokenize_batch(chunk, n_threads=threads, fraction=fraction))
    if fmt is Format.gtok:
        from geniml._atomic import atomic_folder, refuse_existing

        outs = [p.name.split(".")[0] + ".gtok" for p in paths]
        for name in outs:
            refuse_existing(output / name, force=force)
        with atomic_folder(output, force=True, keep_others=True) as tmp:
            for name, t in zip(outs, results, strict=True):
                write_gtok(tmp / name, t.ids, force=force)
        typer.echo(f"wrote {len(paths)} .gtok file(s) to {output}", err=True)
    else:
        import numpy as np

        lengths = np.array([len(t) for t in results], dtype=np.int64)
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        ids = np.concatenate([t.ids for t in results])
        TokenizedCells([p.name for p in paths], offsets, ids).to_parquet(output, force=force)
        typer.echo(f"wrote {len(paths)} documents to {output}", err=True)


@app.command("coverage")
def coverage(
    inputs: Annotated[list[Path], typer.Argument(help="BED files or folders.")],
    universe: Universe,
    fraction: Annotated[float, typer.Option("--fraction", min=0.0, max=1.0)] = 1e-9,
) -> None:
    """TSV coverage report per file: regions with a token, base pairs covered, universe used."""
    from geniml.tokenization import Tokenizer, check_coverage

    tok = Tokenizer.from_bed(universe)
    typer.echo(
        "file\tn_regions\tfrac_regions_covered\tfrac_bp_covered\tn_universe_used\t"
        "frac_universe_used"
    )
    for p in expand_inputs(inputs):
        r = check_coverage(p, tok, fraction, warn=False)
        typer.echo(
            f"{p}\t{r.n_regions}\t{r.frac_regions_covered:.4f}\t{r.frac_bp_covered:.4f}\t"
            f"{r.n_universe_used}\t{r.frac_universe_used:.4f}"
        )


@app.command("cells")
def cells(
    adata: Annotated[Path, typer.Argument(help="AnnData .h5ad with peaks in var.")],
    universe: Universe,
    output: Annotated[Path, typer.Option("--output", "-o")],
    min_tokens: Annotated[int, typer.Option("--min-tokens")] = 0,
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """Tokenize the cells of an AnnData file into a parquet tokens file."""
    from geniml.tokenization import tokenize_cells

    out = tokenize_cells(adata, universe, output, min_tokens=min_tokens, force=force)
    typer.echo(f"{len(out)} cells -> {output}", err=True)


@app.command("fragments")
def fragments(
    fragments_file: Annotated[Path, typer.Argument(help="Fragment file (gz or plain).")],
    universe: Universe,
    output: Annotated[Path, typer.Option("--output", "-o")],
    force: Annotated[bool, typer.Option("--force")] = False,
) -> None:
    """Tokenize a fragment file into a parquet tokens file (one row per barcode)."""
    from geniml.tokenization import Tokenizer, tokenize_fragments

    out = tokenize_fragments(fragments_file, Tokenizer.from_bed(universe))
    out.to_parquet(output, force=force)
    typer.echo(f"{len(out)} cells -> {output}", err=True)
