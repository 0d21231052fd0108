"""The ``geniml`` command line (Typer). Commands parse arguments and call the Python API."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from geniml.cli import bbclient as bbclient_cli
from geniml.cli import bed, bedspace, evaluation, region2vec, scembed, tokenize
from geniml.cli import demo as demo_cli
from geniml.cli import search as search_cli
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
app.add_typer(bedspace.app, name="bedspace")
universe_cli.register(app)
app.command("bedshift")(bedshift_cmd)
app.add_typer(bbclient_cli.app, name="bbclient")
app.add_typer(search_cli.app, name="search")
app.command("demo")(demo_cli.demo)

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


def _click_exception_class() -> type[BaseException]:
    """Click's ``ClickException``, wherever this typer keeps click (``click`` or ``typer._click``)."""
    for cls in typer.BadParameter.__mro__:
        if cls.__name__ == "ClickException":
            return cls
    return typer.BadParameter  # pragma: no cover - every typer's BadParameter is a ClickException


def _show_usage_error(err: BaseException) -> None:
    """Print a usage error the way Typer does (rich panel when available, else plain click)."""
    try:
        from typer import rich_utils

        rich_utils.rich_format_error(err)  # type: ignore[arg-type]
    except Exception:  # noqa: BLE001 - rich missing or typer internals moved: plain message
        err.show()  # type: ignore[attr-defined]


def main() -> None:
    """Entry point: run the app, turning geniml errors into ``error: ...`` and exit status 1.

    Usage errors print Typer's usage message and exit 2; Ctrl-C exits 130 without a traceback.
    """
    from geniml.exceptions import GenimlError

    click_exception = _click_exception_class()
    verbose = _VERBOSE["on"] or "--verbose" in sys.argv or "-v" in sys.argv
    try:
        rc = app(standalone_mode=False)
        if isinstance(rc, int) and rc:
            sys.exit(rc)
    except typer.Exit as ex:
        sys.exit(ex.exit_code)
    except typer.Abort as ex:
        if isinstance(ex.__cause__, KeyboardInterrupt):  # typer < 0.16 turns Ctrl-C into Abort
            typer.echo("interrupted", err=True)
            sys.exit(130)
        typer.echo("aborted", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        sys.exit(130)
    except click_exception as err:  # usage errors: unknown option, missing argument, bad type
        _show_usage_error(err)
        sys.exit(getattr(err, "exit_code", 2))
    except (GenimlError, OSError, ValueError, OverflowError, MemoryError) as err:
        if verbose:
            raise
        typer.echo(f"error: {err}", err=True)
        sys.exit(1)
