"""``geniml bbclient``: manage the local BEDbase cache (upstream-compatible layout)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(no_args_is_help=True, help="Cache BED files and BED sets from BEDbase.")

CacheFolder = Annotated[
    Path | None,
    typer.Option("--cache-folder", help="Cache folder (default $BBCLIENT_CACHE or ~/.bbcache/)."),
]
Api = Annotated[
    str | None, typer.Option("--bedbase-api", help="BEDbase API (default $BEDBASE_API).")
]


def _client(cache_folder: Path | None, api: str | None = None):
    from geniml.bbclient import BBClient

    return BBClient(cache_folder=cache_folder, bedbase_api=api)


@app.command("cache-bed")
def cache_bed(
    identifier: Annotated[str, typer.Argument(help="A BEDbase id or a local BED file.")],
    cache_folder: CacheFolder = None,
    bedbase_api: Api = None,
) -> None:
    """Cache a BED file (download by id, or copy a local file); prints its id."""
    c = _client(cache_folder, bedbase_api)
    if Path(identifier).is_file():
        typer.echo(c.add_bed_to_cache(Path(identifier)))
    else:
        typer.echo(c.load_bed(identifier).identifier)


@app.command("cache-bedset")
def cache_bedset(
    identifier: Annotated[
        str, typer.Argument(help="A BEDbase BED set id or a folder of BED files.")
    ],
    cache_folder: CacheFolder = None,
    bedbase_api: Api = None,
) -> None:
    """Cache a BED set and its BED files; prints its id."""
    c = _client(cache_folder, bedbase_api)
    if Path(identifier).is_dir():
        typer.echo(c.add_bedset_to_cache(Path(identifier)))
    else:
        c.load_bedset(identifier)
        typer.echo(identifier)


@app.command("seek")
def seek(
    identifier: Annotated[str, typer.Argument(help="A BED file or BED set id.")],
    cache_folder: CacheFolder = None,
) -> None:
    """Print the local path of a cached BED file or BED set (exit 1 when not cached)."""
    typer.echo(_client(cache_folder).seek(identifier))


def _table(title: str, rows: dict[str, str]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{title} ({len(rows)})")
    table.add_column("identifier")
    table.add_column("path")
    for k, v in rows.items():
        table.add_row(k, v)
    Console().print(table)


@app.command("inspect-bedfiles")
def inspect_bedfiles(cache_folder: CacheFolder = None) -> None:
    """List the cached BED files."""
    _table("BED files", _client(cache_folder).list_beds())


@app.command("inspect-bedsets")
def inspect_bedsets(cache_folder: CacheFolder = None) -> None:
    """List the cached BED sets."""
    _table("BED sets", _client(cache_folder).list_bedsets())


@app.command("rm")
def rm(
    identifier: Annotated[str, typer.Argument(help="A BED file or BED set id.")],
    cache_folder: CacheFolder = None,
    with_bed_files: Annotated[
        bool, typer.Option("--with-bed-files", help="Also remove a BED set's files.")
    ] = False,
) -> None:
    """Remove a BED file or BED set from the cache."""
    _client(cache_folder).remove(identifier, remove_bed_files=with_bed_files)
    typer.echo(f"removed {identifier}", err=True)
