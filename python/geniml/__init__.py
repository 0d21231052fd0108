"""geniml: machine learning on genomic intervals.

The Rust core (``geniml._core``) parses BED files, tokenizes regions and builds coverage tracks
and universes; the Python layer adds Region2Vec / scEmbed training (PyTorch, optional extra
``geniml[ml]``) and the ``geniml`` command line. Coordinates are 0-based half-open everywhere.
"""

from __future__ import annotations

import os as _os

from geniml import _core
from geniml.exceptions import BedParseError, GenimlError

__version__: str = _core.__version__

if hasattr(_os, "register_at_fork"):
    _os.register_at_fork(after_in_child=_core._after_fork)

__all__ = ["BedParseError", "GenimlError", "__version__"]
