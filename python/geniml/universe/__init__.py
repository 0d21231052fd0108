"""Universes: coverage tracks, consensus-region builders and their assessment.

Everything heavy (coverage, builders, Viterbi, assessment) runs in the Rust core; this
package holds the typed facades. Coordinates are 0-based half-open ``[start, end)``.
"""

from __future__ import annotations

from geniml.universe.builders import build_universe, cc_universe, ccf_universe
from geniml.universe.coverage import Coverage, compute_coverage, coverage_tracks, load_coverage

__all__ = [
    "Coverage",
    "build_universe",
    "cc_universe",
    "ccf_universe",
    "compute_coverage",
    "coverage_tracks",
    "load_coverage",
]
