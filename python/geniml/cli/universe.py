"""Universe commands: coverage tracks, universe builders, likelihood model, assessment.

``geniml coverage``, ``geniml universe build|evaluate``, ``geniml build-universe``, ``geniml lh``
and ``geniml assess-universe``.

Commands only parse arguments and call :mod:`geniml.universe`.
"""

from __future__ import annotations

import enum
import inspect
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, get_type_hints

import typer

if TYPE_CHECKING:
    from geniml.io import RegionSet

app = typer.Typer(no_args_is_help=True, help="Build and evaluate universes (consensus regions).")


_MODEL_TYPES = ("gaussian", "poisson", "binomial")


def _check_model_type(value: str | None) -> str | None:
    if value is None:
        return None
    if value.lower() not in _MODEL_TYPES:
        raise typer.BadParameter(f"must be one of {', '.join(_MODEL_TYPES)}; got {value!r}")
    if value.lower() != "binomial":
        typer.echo(
            f"note: --model-type {value}: the likelihood model is upstream's binomial model "
            "(the only one it implements)",
            err=True,
        )
    return value.lower()


def _status(msg: str):
    """A spinner on stderr while a long call runs (off with --quiet, GENIML_NO_PROGRESS, no TTY)."""
    import contextlib
    import os
    import sys

    if os.environ.get("GENIML_NO_PROGRESS") or not sys.stderr.isatty():
        return contextlib.nullcontext()
    from rich.console import Console

    return Console(stderr=True).status(msg)


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
    with _status(f"coverage of {len(beds)} file(s)"):
        paths = coverage_tracks(
            beds, chrom_sizes, out, smooth=smooth, prefix=prefix, format=fmt.value, force=force
        )
    for p in paths:
        typer.echo(str(p))


build_app = typer.Typer(
    no_args_is_help=True,
    help="Build a universe from coverage tracks or BED files (cc, ccf, ml, hmm).",
)

CoverageFolder = Annotated[
    Path | None,
    typer.Option("--coverage-folder", help="Folder with {prefix}_start/core/end.bw tracks."),
]
BedFolder = Annotated[
    Path | None,
    typer.Option(
        "--bed-folder", help="Folder of BED files (coverage computed in memory; needs -g)."
    ),
]
ChromSizes = Annotated[
    Path | None, typer.Option("--chrom-sizes", "-g", help="Chrom sizes (with --bed-folder).")
]
OutputFile = Annotated[
    Path, typer.Option("--output-file", "--output", "-o", help="Universe BED file to write.")
]
Prefix = Annotated[
    str, typer.Option("--coverage-prefix", help="Prefix of the coverage track files.")
]
Merge = Annotated[int, typer.Option("--merge", help="Join regions closer than this many bp.")]
FilterSize = Annotated[
    int, typer.Option("--filter-size", help="Drop regions shorter than this many bp.")
]
Cutoff = Annotated[
    float | None,
    typer.Option(
        "--cutoff", min=0.0, help="Coverage cut-off (default: mean coverage per chromosome)."
    ),
]
Force = Annotated[bool, typer.Option("--force", help="Replace an existing output file.")]
Smooth = Annotated[
    int, typer.Option("--smooth", "-m", help="Start/end smoothing with --bed-folder.")
]


def _source(coverage_folder: Path | None, bed_folder: Path | None) -> Path:
    if coverage_folder is not None and bed_folder is None:
        return coverage_folder
    if bed_folder is not None and coverage_folder is None:
        return bed_folder
    raise typer.BadParameter("give exactly one of --coverage-folder and --bed-folder")


def _report(universe: RegionSet, output_file: Path) -> None:
    typer.echo(
        f"wrote {len(universe)} regions (mean size {universe.mean_region_width:.1f} bp) "
        f"to {output_file}",
        err=True,
    )


# The option block of every `universe build` command: (name, annotation, default). The
# method-specific options of a command go between the source options and these.
_SOURCE_OPTIONS: list[tuple[str, Any, Any]] = [
    ("output_file", OutputFile, inspect.Parameter.empty),
    ("coverage_folder", CoverageFolder, None),
    ("bed_folder", BedFolder, None),
    ("chrom_sizes", ChromSizes, None),
    ("coverage_prefix", Prefix, "all"),
]
_COMMON_OPTIONS: list[tuple[str, Any, Any]] = [
    ("merge", Merge, 0),
    ("filter_size", FilterSize, 0),
    ("smooth", Smooth, 25),
    ("force", Force, False),
]


def _build_command(method: str) -> Callable[[Callable[..., RegionSet]], Callable[..., None]]:
    """Register ``universe build METHOD``: the shared option block plus the builder's own.

    The decorated function takes the source (a path) and the builder's own options as
    keywords, plus ``common`` (the keywords every builder shares), and returns the universe.
    """

    def register(build: Callable[..., RegionSet]) -> Callable[..., None]:
        # RegionSet (the return type) is imported for type checking only: the CLI loads
        # geniml.io lazily, so it resolves to Any here.
        hints = get_type_hints(build, localns={"RegionSet": Any}, include_extras=True)
        own = [
            inspect.Parameter(p.name, inspect.Parameter.KEYWORD_ONLY, default=p.default,
                              annotation=hints[p.name])
            for p in inspect.signature(build).parameters.values()
            if p.name not in ("source", "common")
        ]  # fmt: skip

        def command(**kw: Any) -> None:
            source = _source(kw.pop("coverage_folder"), kw.pop("bed_folder"))
            output_file = kw["output_file"]
            common: dict[str, Any] = {
                "merge_distance": kw.pop("merge"),
                "min_size": kw.pop("filter_size"),
                "output_file": kw.pop("output_file"),
                "chrom_sizes": kw.pop("chrom_sizes"),
                "smooth": kw.pop("smooth"),
                "coverage_prefix": kw.pop("coverage_prefix"),
                "force": kw.pop("force"),
            }
            with _status(f"building the {method} universe"):
                u = build(source=source, common=common, **kw)
            _report(u, output_file)

        params = [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a)
            for n, a, d in _SOURCE_OPTIONS
        ]
        params += own
        params += [
            inspect.Parameter(n, inspect.Parameter.KEYWORD_ONLY, default=d, annotation=a)
            for n, a, d in _COMMON_OPTIONS
        ]
        command.__dict__["__signature__"] = inspect.Signature(params)  # read by inspect/Typer
        command.__annotations__ = {p.name: p.annotation for p in params}
        command.__doc__ = build.__doc__
        command.__name__ = f"build_{method}"
        build_app.command(method)(command)
        return command

    return register


@_build_command("cc")
def build_cc(*, source: Path, common: dict[str, Any], cutoff: Cutoff = None) -> RegionSet:
    """Coverage cut-off universe (BED3): bases covered by >= cutoff regions."""
    from geniml.universe import cc_universe

    return cc_universe(source, cutoff=cutoff, **common)


@_build_command("ccf")
def build_ccf(
    *,
    source: Path,
    common: dict[str, Any],
    cutoff: Cutoff = None,
    confidence: Annotated[
        float | None,
        typer.Option(
            "--confidence",
            help="Cut-offs at quantiles q -/+ (1 - confidence) of the coverage around the "
            "cut-off's quantile q (default 0.8 = upstream's +-0.2 band).",
        ),
    ] = None,
) -> RegionSet:
    """Coverage cut-off flexible universe (BED9: boundaries + core)."""
    from geniml.universe import ccf_universe

    return ccf_universe(source, cutoff=cutoff, confidence=confidence, **common)


@_build_command("ml")
def build_ml(
    *,
    source: Path,
    common: dict[str, Any],
    model_file: Annotated[
        Path | None,
        typer.Option("--model-file", help="Likelihood model (geniml lh); built when omitted."),
    ] = None,
    file_no: Annotated[
        int | None, typer.Option("--file-no", help="Files behind the coverage (no model).")
    ] = None,
    model_type: Annotated[
        str | None,
        typer.Option(
            "--model-type",
            help="gaussian|poisson|binomial, as the usage guide spells it; every value builds "
            "upstream's binomial likelihood model (the only one upstream implements), and a "
            "note on stderr says so. Other values are refused.",
            callback=_check_model_type,
        ),
    ] = None,
) -> RegionSet:
    """Maximum-likelihood flexible universe (BED9) from a likelihood model."""
    from geniml.universe import ml_universe

    del model_type  # checked (and noted) by its callback; the model is always binomial
    return ml_universe(source, model_file=model_file, file_no=file_no, **common)


@_build_command("hmm")
def build_hmm(
    *,
    source: Path,
    common: dict[str, Any],
    states: Annotated[int, typer.Option("--states", help="HMM states: 3 or 4.")] = 4,
    not_normalize: Annotated[
        bool, typer.Option("--not-normalize", help="Skip the quantile normalisation.")
    ] = False,
) -> RegionSet:
    """Poisson-HMM flexible universe (BED9), Viterbi decoded in Rust."""
    from geniml.universe import hmm_universe

    return hmm_universe(source, states=states, normalize=not not_normalize, **common)


def lh(
    model_file: Annotated[Path, typer.Option("--model-file", help="Model .tar to write.")],
    coverage_folder: Annotated[
        Path, typer.Option("--coverage-folder", help="Folder with the coverage tracks.")
    ],
    file_no: Annotated[
        int, typer.Option("--file-no", help="Number of BED files behind the coverage.")
    ],
    coverage_prefix: Prefix = "all",
    force: Force = False,
) -> None:
    """Build upstream's binomial likelihood model (model.tar of {chrom}_{track}.npz)."""
    from geniml.universe import build_likelihood_model

    p = build_likelihood_model(
        coverage_folder,
        model_file,
        file_no=file_no,
        coverage_prefix=coverage_prefix,
        force=force,
    )
    typer.echo(str(p))


def evaluate(
    universe: Annotated[Path, typer.Option("--universe", help="Universe BED file.")],
    bed_folder: Annotated[
        Path | None,
        typer.Option("--bed-folder", "--raw-data-folder", help="Folder of the collection."),
    ] = None,
    file_list: Annotated[
        Path | None, typer.Option("--file-list", help="File names to use (one per line).")
    ] = None,
    coverage_folder: Annotated[
        Path | None,
        typer.Option(
            "--coverage-folder", help="Coverage tracks: also report the universe likelihood."
        ),
    ] = None,
    model_file: Annotated[
        Path | None,
        typer.Option("--model-file", help="Likelihood model (default: built from the tracks)."),
    ] = None,
    coverage_prefix: Prefix = "all",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="Write upstream's CSV layout here.")
    ] = None,
    folder_out: Annotated[
        Path | None,
        typer.Option("--folder-out", help="Upstream: CSV goes to FOLDER/PREF_data.csv."),
    ] = None,
    pref: Annotated[str, typer.Option("--pref", help="Upstream CSV prefix.")] = "assessment",
    force: Force = False,
) -> None:
    """Assess a universe against a BED collection.

    Per-file table on stdout (TSV); summary (regions, mean size, coverage, F10, RBS) on stderr.
    """
    from geniml.io import bed_files_in
    from geniml.universe import assess

    if bed_folder is None:
        raise typer.BadParameter("--bed-folder (or --raw-data-folder) is required")
    if file_list is not None:
        beds = [bed_folder / n for n in file_list.read_text().split() if n]
    else:
        beds = bed_files_in(bed_folder)
    if output is None and folder_out is not None:
        folder_out.mkdir(parents=True, exist_ok=True)
        output = folder_out / f"{pref}_data.csv"
    df = assess(universe, beds, output_csv=output, force=force)
    typer.echo(df.write_csv(separator="\t"), nl=False)
    import numpy as np

    from geniml.io import read_bed

    u = read_bed(universe)
    cov = float((df["coverage"] * df["n_regions"]).sum()) / max(int(df["n_regions"].sum()), 1)
    f10, rbs = float(np.mean(df["F_10"].to_numpy())), float(np.mean(df["RBS"].to_numpy()))
    typer.echo(
        f"universe: {len(u)} regions, mean size {u.mean_region_width:.1f} bp; coverage of input "
        f"regions {cov:.1%}; mean F10 {f10:.4f}; mean RBS {rbs:.4f}",
        err=True,
    )
    if coverage_folder is not None:
        from geniml.universe import universe_likelihood

        lh = universe_likelihood(
            u,
            coverage_folder,
            model_file=model_file,
            file_no=len(beds),
            coverage_prefix=coverage_prefix,
        )
        typer.echo(f"log10 likelihood of the universe: {lh:.6g}", err=True)
    if cov < 0.8:
        typer.echo("warning: the universe overlaps under 80% of the input regions", err=True)


app.add_typer(build_app, name="build")
app.command("lh")(lh)
app.command("evaluate")(evaluate)


def register(root: typer.Typer) -> None:
    """Add the top-level universe commands (upstream spellings) to the root app."""
    root.command("coverage")(coverage)
    root.add_typer(build_app, name="build-universe")
    root.command("lh")(lh)
    root.command("assess-universe")(evaluate)
