"""Universe quality checks for :mod:`geniml.evaluation` (``assess_universe``).

The computation lives in :mod:`geniml.universe.assess`; this module re-exports it so that
``from geniml.evaluation import assess_universe`` works once the package wires it in.
"""

from __future__ import annotations

from geniml.universe.assess import assess, assess_universe, filter_universe

__all__ = ["assess", "assess_universe", "filter_universe"]
