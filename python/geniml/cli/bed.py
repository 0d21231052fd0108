"""``geniml bed``: statistics and validation of BED files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, help="Inspect and validate BED files.")


def _expand(inputs: list[Path]) -> list[Path]:
    from geniml.cli._common import expand_inputs

    return expand_inputs(inputs)


@app.command("stats")
def stats(
    inputs: Annotated[list[Path], typer.Argument(help="BED files or folders of BED files.")],
) -> None:
    """One TSV row per file: file, regions, chromosomes, mean width, identifier."""
    from geniml.io import BedSet

    bs = BedSet(_expand(inputs))
    typer.echo("file\tregions\tchromosomes\tmean_width\tidentifier")
    for rs in bs:
        typer.echo(
            f"{rs.path}\t{len(rs)}\t{rs.n_chromosomes}\t{rs.mean_region_width:.2f}\t{rs.identifier}"
        )


@app.command("validate")
def validate(
    inputs: Annotated[list[Path], typer.Argument(help="BED files or folders of BED files.")],
    all_lines: Annotated[
        bool, typer.Option("--all", help="Report every bad line, not only the first.")
    ] = False,
    chrom_sizes: Annotated[
        Path | None, typer.Option("--chrom-sizes", "-g", help="Check chromosomes and ends.")
    ] = None,
) -> None:
    """Exit 1 at the first malformed line (or, with --all, after listing all of them)."""
    from geniml.io import read_bed, read_chrom_sizes

    sizes = read_chrom_sizes(chrom_sizes) if chrom_sizes else None
    bad = 0
    for path in _expand(inputs):
        rs = read_bed(path, on_error="skip" if all_lines else "raise", chrom_sizes=sizes)
        rep = rs.report
        if rep is not None and rep.n_skipped:
            bad += rep.n_skipped
            for line, msg in rep.issues:
                typer.echo(f"{path}:{line}: {msg}", err=True)
            if rep.n_skipped > len(rep.issues):
                typer.echo(
                    f"{path}: ... {rep.n_skipped - len(rep.issues)} more bad line(s)", err=True
                )
        else:
            typer.echo(f"{path}: ok ({len(rs)} regions)")
    if bad:
        typer.echo(f"error: {bad} malformed line(s)", err=True)
        raise typer.Exit(1)
