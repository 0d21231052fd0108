"""Helpers shared by CLI command groups (argument handling only)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from typer.core import TyperGroup

T = TypeVar("T")


def expand_inputs(inputs: list[Path]) -> list[Path]:
    """Files as given, folders replaced by their BED files (a folder without any is an error)."""
    from geniml.io import bed_files_in

    out: list[Path] = []
    for p in inputs:
        if p.is_dir():
            found = bed_files_in(p)
            if not found:
                raise FileNotFoundError(f"{p}: the folder holds no BED file (*.bed, *.bed.gz, ...)")
            out.extend(found)
        else:
            out.append(p)
    return out


def progress(items: Iterable[T], total: int, label: str) -> Iterator[T]:
    """A progress bar on stderr unless GENIML_NO_PROGRESS or NO_COLOR-free quiet mode."""
    if os.environ.get("GENIML_NO_PROGRESS"):
        yield from items
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task(label, total=total)
        for x in items:
            yield x
            bar.advance(task)


class DefaultCommandGroup(TyperGroup):
    """A group whose bare form (`geniml tokenize --universe U a.bed`) runs a default command."""

    default_command = "files"

    def parse_args(self, ctx, args):
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)
