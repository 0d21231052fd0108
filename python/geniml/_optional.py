"""Lazy imports of optional dependencies, with one clear message when an extra is missing.

Every place that imports torch, anndata, scanpy, scikit-learn, ... lazily goes through
:func:`require`, so a core install (``pip install geniml``) that reaches an ML feature gets
``this needs `pip install 'geniml[ml]'` (torch is not installed)`` instead of a raw
``ModuleNotFoundError``.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

from geniml.exceptions import MissingExtraError

# top-level module name -> the extra that installs it
EXTRA_OF: dict[str, str] = {
    "torch": "ml",
    "anndata": "ml",
    "scanpy": "ml",
    "scipy": "ml",
    "sklearn": "ml",
    "hmmlearn": "ml",
    "matplotlib": "ml",
    "safetensors": "ml",
    "pandas": "ml",
    "igraph": "ml",
    "leidenalg": "ml",
    "umap": "ml",
    "huggingface_hub": "hf",
}


def missing_extra_message(module: str) -> str:
    """The one-line message for a missing optional module.

    Args:
        module: a module name such as ``"torch"`` or ``"torch.nn.functional"``.

    Returns:
        ``this needs `pip install 'geniml[<extra>]'` (<module> is not installed)``.

    Examples:
        >>> from geniml._optional import missing_extra_message
        >>> missing_extra_message("torch.nn")
        "this needs `pip install 'geniml[ml]'` (torch is not installed)"
    """
    top = module.split(".", 1)[0]
    extra = EXTRA_OF.get(top, "ml")
    return f"this needs `pip install 'geniml[{extra}]'` ({top} is not installed)"


def require(module: str) -> ModuleType:
    """Import an optional module, or raise :class:`MissingExtraError` naming the extra.

    Args:
        module: the module to import (``"torch"``, ``"safetensors.torch"``, ...). A geniml
            submodule that needs an optional dependency (``"geniml.region2vec._nn"``) works too.

    Returns:
        The imported module.

    Raises:
        MissingExtraError: the module, or an optional dependency it imports, is not installed.

    Examples:
        >>> from geniml._optional import require
        >>> require("numpy").__name__
        'numpy'
    """
    try:
        return importlib.import_module(module)
    except ImportError as err:
        missing = (err.name or module).split(".", 1)[0]
        if missing not in EXTRA_OF:
            raise
        raise MissingExtraError(
            missing_extra_message(missing), module=missing, extra=EXTRA_OF[missing]
        ) from None


def require_from(module: str, name: str) -> Any:
    """``from module import name`` for an optional module (a submodule name works too).

    Args:
        module: the package or module (``"sklearn.neighbors"``).
        name: an attribute or submodule of it (``"NearestNeighbors"``).

    Returns:
        The attribute.

    Raises:
        MissingExtraError: the module is not installed.

    Examples:
        >>> from geniml._optional import require_from
        >>> require_from("numpy", "linalg").__name__
        'numpy.linalg'
    """
    mod = require(module)
    try:
        return getattr(mod, name)
    except AttributeError:
        return require(f"{module}.{name}")
