"""Exceptions raised by geniml. Every error of the Rust core maps to one of these."""

from __future__ import annotations


class GenimlError(Exception):
    """Base class of every geniml error."""


GenimlBaseError = GenimlError
"""Alias of :class:`GenimlError` for code written against upstream geniml (``except
GenimlBaseError`` catches every geniml error)."""


class GenimlValueError(GenimlError, ValueError):
    """An argument has the right type but an unusable value (mismatched lengths, bad ids)."""


class BedParseError(GenimlError, ValueError):
    """A BED-like file holds a malformed line.

    Attributes:
        path: the file.
        line: 1-based line number (0 when the file as a whole is unusable, e.g. empty).
        reason: what is wrong with the line and what was expected.
    """

    def __init__(
        self,
        message: str,
        path: str | None = None,
        line: int | None = None,
        reason: str | None = None,
    ) -> None:
        super().__init__(message)
        self.path = path
        self.line = line
        self.reason = reason if reason is not None else message


class ChromosomeNotFoundError(GenimlError, KeyError):
    """A chromosome is not known to a chrom sizes table, a universe or a model."""

    def __str__(self) -> str:  # KeyError quotes its message; keep it readable
        return str(self.args[0]) if self.args else ""


class UniverseError(GenimlError, ValueError):
    """A universe cannot be used (empty, duplicated regions, missing file or track)."""


class UniverseNotFoundError(UniverseError, FileNotFoundError):
    """A universe file does not exist.

    The one error for a missing universe everywhere; it is both a :class:`UniverseError` and a
    :class:`FileNotFoundError`, so either ``except`` catches it.
    """


class HmmError(GenimlError, RuntimeError):
    """The HMM or likelihood decoder failed."""


class AnnDataLayoutError(GenimlError, ValueError):
    """An AnnData object does not hold peak coordinates in a layout geniml understands."""


class ModelError(GenimlError, ValueError):
    """A model folder is missing files or holds inconsistent shapes."""


class HubError(GenimlError, RuntimeError):
    """A Hugging Face Hub upload failed: no token, offline mode, refused or unreachable."""


class MissingExtraError(GenimlError, ImportError):
    """An optional dependency (an extra such as ``geniml[ml]``) is not installed.

    Attributes:
        module: the module that could not be imported (e.g. ``"torch"``).
        extra: the extra that installs it (e.g. ``"ml"``).
    """

    def __init__(self, message: str, module: str, extra: str) -> None:
        super().__init__(message, name=module)
        self.module = module
        self.extra = extra
