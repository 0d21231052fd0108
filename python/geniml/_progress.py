"""Progress bars for long Python loops (training epochs): a terminal, a notebook, or nothing.

``progress=True/False`` per call wins; ``None`` means "on unless ``GENIML_NO_PROGRESS`` is set".
In a terminal the bar is ``rich.progress`` on stderr. In a Jupyter kernel rich's live display
needs ipywidgets; there the bar is one plain text line on stderr, rewritten in place with a
carriage return (which notebooks render), so no widget library is needed.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any

__all__ = ["TextBar", "in_notebook", "make_progress", "progress_enabled"]


def progress_enabled(progress: bool | None) -> bool:
    """Whether to show progress: the per-call flag, else the ``GENIML_NO_PROGRESS`` default.

    Args:
        progress: ``True``/``False`` from the caller, or ``None`` for the environment default.

    Returns:
        ``True`` when a bar should be shown.

    Examples:
        >>> from geniml._progress import progress_enabled
        >>> progress_enabled(False), progress_enabled(True)
        (False, True)
    """
    if progress is not None:
        return bool(progress)
    return not os.environ.get("GENIML_NO_PROGRESS")


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

    def _draw(self, force: bool = False) -> None:
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
