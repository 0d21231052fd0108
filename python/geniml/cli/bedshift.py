"""``geniml bedshift``: randomly perturb a BED file (seed and upstream BEDshift flags)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def bedshift(
    bedfile: Annotated[
        Path,
        typer.Option(
            "--input", "-b", "--bedfile", exists=True, dir_okay=False, help="BED file to perturb."
        ),
    ],
    genome: Annotated[
        str,
        typer.Option(
            "--genome", "-g", help="Bundled genome (hg19, hg38, mm9, mm10) or a chrom sizes file."
        ),
    ] = "hg38",
    chrom_lengths: Annotated[
        Path | None,
        typer.Option(
            "--chrom-lengths",
            "-l",
            exists=True,
            dir_okay=False,
            help="Chrom sizes file (overrides --genome).",
        ),
    ] = None,
    preserve_chrom: Annotated[
        bool, typer.Option("--preserve-chrom", help="Add regions on the input's chromosomes.")
    ] = False,
    preserve_size: Annotated[
        bool, typer.Option("--preserve-size", help="Added regions copy input widths.")
    ] = False,
    preserve_distance: Annotated[
        bool, typer.Option("--preserve-distance", help="One shift offset per chromosome.")
    ] = False,
    droprate: Annotated[float | None, typer.Option("--droprate", "-d", help="Drop rate.")] = None,
    dropfile: Annotated[
        Path | None,
        typer.Option("--dropfile", exists=True, help="Drop only regions overlapping this file."),
    ] = None,
    addrate: Annotated[float | None, typer.Option("--addrate", "-a", help="Add rate.")] = None,
    addmean: Annotated[float, typer.Option("--addmean", help="Mean added width.")] = 320.0,
    addstdev: Annotated[float, typer.Option("--addstdev", help="Sd of added widths.")] = 30.0,
    addfile: Annotated[
        Path | None,
        typer.Option("--addfile", exists=True, help="Add regions drawn from this file."),
    ] = None,
    valid_regions: Annotated[
        Path | None,
        typer.Option("--valid-regions", exists=True, help="Add only inside these regions."),
    ] = None,
    shiftrate: Annotated[
        float | None, typer.Option("--shiftrate", "-s", help="Shift rate.")
    ] = None,
    shiftmean: Annotated[float, typer.Option("--shiftmean", help="Mean shift (bp).")] = 0.0,
    shiftstdev: Annotated[
        float, typer.Option("--shiftstdev", help="Sd of the shift (bp).")
    ] = 150.0,
    shiftfile: Annotated[
        Path | None,
        typer.Option("--shiftfile", exists=True, help="Shift only regions overlapping this file."),
    ] = None,
    cutrate: Annotated[float | None, typer.Option("--cutrate", "-c", help="Cut rate.")] = None,
    mergerate: Annotated[
        float | None, typer.Option("--mergerate", "-m", help="Merge rate.")
    ] = None,
    outputfile: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", "--outputfile", help="Output BED (default bedshifted_<input>)."
        ),
    ] = None,
    repeat: Annotated[
        int, typer.Option("--iterations", "-r", "--repeat", min=1, help="Number of replicates.")
    ] = 1,
    yaml_config: Annotated[
        Path | None,
        typer.Option(
            "--yaml-config", "-y", exists=True, help="YAML pipeline (bedshift_operations)."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option("--seed", help="Seed for reproducible output.")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace existing outputs.")] = False,
) -> None:
    """Perturb a BED file: shift -> add -> cut -> merge -> drop, writing one file per replicate.

    With no rate given every region is shifted by normal(--shiftmean, --shiftstdev); once any
    rate is given the others are 0. Rates are fractions of the input's region count. With
    --iterations N > 1 files are named <stem>_repNN<ext>.
    """  # fmt: skip
    from geniml.bedshift import Bedshift
    from geniml.bedshift import bedshift as run
    from geniml.bedshift.core import _rep_paths

    sizes = chrom_lengths if chrom_lengths is not None else genome
    out = outputfile or Path(f"bedshifted_{bedfile.name}")
    if yaml_config is not None:
        paths = _rep_paths(out, repeat)
        existing = [p for p in paths if p.exists()]
        if existing and not force:
            raise FileExistsError(f"{existing[0]} exists (use --force to replace it)")
        bs = Bedshift(bedfile, sizes)
        if seed is not None:
            bs.set_seed(seed)
        for path in paths:
            n = bs.all_perturbations(yaml=yaml_config)
            bs.to_bed(path, force=force)
            typer.echo(f"{path}\t{len(bs.bed)} regions\t{n} changed", err=True)
            bs.reset_bed()
        return
    reps = run(
        bedfile,
        genome=sizes,
        preserve_chrom=preserve_chrom,
        preserve_size=preserve_size,
        preserve_distance=preserve_distance,
        n_iterations=repeat,
        shift_rate=shiftrate,
        shift_mean=shiftmean,
        shift_sd=shiftstdev,
        shift_file=shiftfile,
        add_rate=addrate,
        add_mean=addmean,
        add_sd=addstdev,
        add_file=addfile,
        valid_regions=valid_regions,
        cut_rate=cutrate,
        merge_rate=mergerate,
        drop_rate=droprate,
        drop_file=dropfile,
        seed=seed,
        output=out,
        force=force,
    )
    for path, rep in zip(_rep_paths(out, repeat), reps, strict=True):
        typer.echo(f"{path}\t{len(rep)} regions", err=True)
