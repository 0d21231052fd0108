"""One progress bar for long Python loops (batches, chunks, files), on stderr.

``enabled=None`` shows the bar when stderr is a terminal or the code runs in a Jupyter kernel,
unless ``GENIML_NO_PROGRESS`` is set; ``True``/``False`` force it on or off per call.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["progress_bar", "progress_enabled"]


def progress_enabled(enabled: bool | None = None) -> bool:
    """Whether a progress bar should be shown (see the module docstring)."""
    if enabled is not None:
        return bool(enabled)
    if os.environ.get("GENIML_NO_PROGRESS"):
        return False
    return sys.stderr.isatty() or "ipykernel" in sys.modules


@contextmanager
def progress_bar(
    total: int | None, label: str, *, unit: str = "items", enabled: bool | None = None
) -> Iterator[Callable[[int], None]]:
    """A bar with counts and a rate; yields ``advance(n)``.

    Examples:
        >>> with progress_bar(3, "files", enabled=False) as advance:
        ...     for _ in range(3):
        ...         advance(1)
    """
    if not progress_enabled(enabled):
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class _Rate(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{unit} {speed:,.1f}/s" if speed else unit)

    columns = [
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _Rate(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ]
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n: bar.advance(task, n)
