"""Progress bars for long Python loops (batches, chunks, files, training epochs), on stderr.

``enabled=None`` shows the bar when stderr is a terminal or the code runs in a Jupyter kernel,
unless ``GENIML_NO_PROGRESS`` is set; ``True``/``False`` force it on or off per call. In a
terminal the bar is ``rich.progress``. In a Jupyter kernel rich's live display needs
ipywidgets, so there the bar is one plain text line rewritten in place with a carriage return
(:class:`TextBar`), which notebooks render without any widget library.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

__all__ = ["TextBar", "in_notebook", "make_progress", "progress_bar", "progress_enabled"]


def progress_enabled(enabled: bool | None = None) -> bool:  # noqa: FBT001 - the one setting
    """Whether a progress bar should be shown (see the module docstring).

    Args:
        enabled: ``True``/``False`` from the caller, or ``None`` for the default.

    Returns:
        ``True`` when a bar should be shown.

    Examples:
        >>> from geniml._progress import progress_enabled
        >>> progress_enabled(False), progress_enabled(True)
        (False, True)
    """
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
    if in_notebook():
        with TextBar(label + " {completed:,.0f} " + unit) as text:
            task = text.add_task(label, total=total or 0)
            yield lambda n: text.update(task, advance=n)
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


def in_notebook() -> bool:
    """``True`` inside a Jupyter (ipykernel) kernel.

    Returns:
        Whether the running IPython shell is the kernel's ``ZMQInteractiveShell``.

    Examples:
        >>> from geniml._progress import in_notebook
        >>> in_notebook()
        False
    """
    ipython = sys.modules.get("IPython")
    if ipython is None or "ipykernel" not in sys.modules:
        return False
    shell = ipython.get_ipython() if hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"


class TextBar:
    """A one-line text progress bar with rich's ``add_task``/``update`` interface.

    Args:
        template: a ``str.format`` template over the task's fields (``{epoch}``, ``{loss}``...).
        stream: where to write (default: ``sys.stderr``).
        min_interval: seconds between redraws.

    Examples:
        >>> import io
        >>> from geniml._progress import TextBar
        >>> buf = io.StringIO()
        >>> with TextBar("epoch {epoch}", stream=buf, min_interval=0) as bar:
        ...     task = bar.add_task("train", total=4, epoch=1)
        ...     bar.update(task, advance=4, epoch=2)
        >>> buf.getvalue().rstrip().rsplit("\\r", 1)[-1]
        '[##############################] 100% epoch 2'
    """

    def __init__(self, template: str, *, stream=None, min_interval: float = 0.5) -> None:
        self.template = template
        self.stream = stream if stream is not None else sys.stderr
        self.min_interval = min_interval
        self._tasks: dict[int, dict[str, Any]] = {}
        self._last = 0.0

    def __enter__(self) -> TextBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self._draw(force=True)
        self.stream.write("\n")
        self.stream.flush()

    def add_task(self, description: str, *, total: float, **fields: Any) -> int:
        """Start a task; returns its id."""
        tid = len(self._tasks)
        self._tasks[tid] = {"completed": 0.0, "total": float(total), **fields}
        self._draw(force=True)
        return tid

    def update(self, task: int, *, advance: float = 0.0, **fields: Any) -> None:
        """Advance a task and update its fields; redraws at most every ``min_interval`` s."""
        t = self._tasks[task]
        t["completed"] += advance
        t.update(fields)
        self._draw()

    def _draw(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if not self._tasks or (not force and now - self._last < self.min_interval):
            return
        self._last = now
        t = self._tasks[max(self._tasks)]
        frac = min(t["completed"] / t["total"], 1.0) if t["total"] else 1.0
        bar = "#" * round(30 * frac) + "." * (30 - round(30 * frac))
        self.stream.write(f"\r[{bar}] {frac:4.0%} {self.template.format(**t)}")
        self.stream.flush()


def make_progress(rich_columns: tuple, text_template: str, *, enabled: bool):
    """The bar for a training loop: rich in a terminal, :class:`TextBar` in a notebook.

    Args:
        rich_columns: the ``rich.progress`` columns for a terminal.
        text_template: the :class:`TextBar` template for a notebook.
        enabled: ``False`` gives a disabled (silent) rich bar.

    Returns:
        A context manager with ``add_task`` and ``update``.

    Examples:
        >>> from geniml._progress import make_progress
        >>> with make_progress((), "{epoch}", enabled=False) as bar:
        ...     bar.update(bar.add_task("t", total=1, epoch=1), advance=1)
    """
    from rich.console import Console
    from rich.progress import Progress

    if enabled and in_notebook():
        return TextBar(text_template)
    return Progress(*rich_columns, console=Console(stderr=True), disable=not enabled)
