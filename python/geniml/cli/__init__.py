"""The ``geniml`` command line (Typer). Commands parse arguments and call the Python API."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from geniml.cli import bbclient as bbclient_cli
from geniml.cli import bed, evaluation, region2vec, scembed, tokenize
from geniml.cli import universe as universe_cli
from geniml.cli.bedshift import bedshift as bedshift_cmd

app = typer.Typer(
    name="geniml",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
    add_completion=False,
    help="Machine learning on genomic intervals: universes, tokenization, embeddings.",
)
app.add_typer(bed.app, name="bed")
app.add_typer(tokenize.app, name="tokenize")
app.add_typer(region2vec.app, name="region2vec")
app.add_typer(scembed.app, name="scembed")
app.add_typer(evaluation.app, name="eval")
app.add_typer(universe_cli.app, name="universe")
universe_cli.register(app)
app.command("bedshift")(bedshift_cmd)
app.add_typer(bbclient_cli.app, name="bbclient")

_VERBOSE = {"on": False}


def _version(value: bool) -> None:
    if value:
        from geniml import __version__

        typer.echo(f"geniml {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="Show tracebacks on errors.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress output.")] = False,
) -> None:
    """Machine learning on genomic intervals."""
    _VERBOSE["on"] = verbose
    if quiet:
        os.environ["GENIML_NO_PROGRESS"] = "1"


def main() -> None:
    """Entry point: run the app, turning geniml errors into ``error: ...`` and exit status 1."""
    from geniml.exceptions import GenimlError

    try:
        rc = app(standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except (
        GenimlError,
        FileNotFoundError,
        FileExistsError,
        PermissionError,
        OSError,
        ValueError,
    ) as err:
        if _VERBOSE["on"] or "--verbose" in sys.argv or "-v" in sys.argv:
            raise
        typer.echo(f"error: {err}", err=True)
        sys.exit(1)
    except typer.Exit as ex:
        sys.exit(ex.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(1)
    except Exception as ex:  # click usage errors
        try:
            from click.exceptions import ClickException
        except ImportError:  # typer >= 0.29 vendors click
            from typer._click.exceptions import ClickException

        if isinstance(ex, ClickException):
            ex.show()
            sys.exit(ex.exit_code)
        raise
