"""Universe commands: coverage tracks, universe builders, likelihood model, assessment.

``geniml coverage``, ``geniml universe build|evaluate``, ``geniml build-universe``, ``geniml lh``
and ``geniml assess-universe``.

Commands only parse arguments and call :mod:`geniml.universe`.
"""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, help="Build and evaluate universes (consensus regions).")


class TrackFormatOpt(str, enum.Enum):
    """Coverage track file format."""

    bigwig = "bigwig"
    bedgraph = "bedgraph"


def coverage(
    args: Annotated[
        list[Path],
        typer.Argument(
            help="BED files or folders; uniwig style `BED... CHROM_SIZES OUT_DIR` when "
            "--chrom-sizes/--out are not given."
        ),
    ],
    chrom_sizes: Annotated[
        Path | None, typer.Option("--chrom-sizes", "-g", help="Chrom sizes file.")
    ] = None,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder.")] = None,
    smooth: Annotated[
        int, typer.Option("--smooth", "-m", help="Start/end smoothing half-width (bp).")
    ] = 25,
    fmt: Annotated[
        TrackFormatOpt, typer.Option("--format", "-f", help="Track file format.")
    ] = TrackFormatOpt.bigwig,
    prefix: Annotated[str, typer.Option("--prefix", help="File-name prefix.")] = "all",
    force: Annotated[bool, typer.Option("--force", help="Replace existing tracks.")] = False,
) -> None:
    """Write start/core/end coverage tracks ({prefix}_start.bw, _core.bw, _end.bw).

    Accepts `geniml coverage BED... --chrom-sizes F --out DIR` and the uniwig form
    `geniml coverage -m 25 combined.bed chrom.sizes coverage/`.
    """
    from geniml.io import bed_files_in
    from geniml.universe import coverage_tracks

    args = list(args)
    if chrom_sizes is None or out is None:
        need = 1 + (chrom_sizes is None) + (out is None)
        if len(args) < need:
            raise typer.BadParameter(
                "give BED files plus --chrom-sizes and --out, or `BED... CHROM_SIZES OUT_DIR`"
            )
        if out is None:
            out = args.pop()
        if chrom_sizes is None:
            chrom_sizes = args.pop()
    beds: list[Path] = []
    for p in args:
        beds.extend(bed_files_in(p) if p.is_dir() else [p])
    paths = coverage_tracks(
        beds, chrom_sizes, out, smooth=smooth, prefix=prefix, format=fmt.value, force=force
    )
    for p in paths:
        typer.echo(str(p))


def register(root: typer.Typer) -> None:
    """Add the top-level universe commands (upstream spellings) to the root app."""
    root.command("coverage")(coverage)
