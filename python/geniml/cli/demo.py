"""``geniml demo``: the main job on the bundled data (or a ../shared/data-style folder)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer


def demo(
    data: Annotated[
        Path | None,
        typer.Option(
            "--data",
            exists=True,
            file_okay=False,
            help="A folder laid out like ../shared/data (default: the data bundled in geniml).",
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder.")] = Path("demo_out"),
    force: Annotated[
        bool, typer.Option("--force", help="Replace an earlier run's outputs.")
    ] = False,
) -> None:
    """Run the main job end to end: collections, universe, tokens, Region2Vec, scEmbed, plots."""
    from geniml.demo import run

    run(data, out, force=force)
