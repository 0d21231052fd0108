"""Universes: coverage tracks, consensus-region builders and their assessment.

Everything heavy (coverage, builders, Viterbi, assessment) runs in the Rust core; this
package holds the typed facades. Coordinates are 0-based half-open ``[start, end)``.
"""

from __future__ import annotations

from geniml.universe.assess import assess, assess_universe, filter_universe
from geniml.universe.builders import build_universe, cc_universe, ccf_universe
from geniml.universe.coverage import Coverage, compute_coverage, coverage_tracks, load_coverage
from geniml.universe.likelihood import (
    build_likelihood_model,
    hmm_universe,
    ml_universe,
    read_likelihood_model,
    universe_likelihood,
)

__all__ = [
    "Coverage",
    "assess",
    "assess_universe",
    "build_likelihood_model",
    "build_universe",
    "cc_universe",
    "ccf_universe",
    "compute_coverage",
    "coverage_tracks",
    "filter_universe",
    "hmm_universe",
    "load_coverage",
    "ml_universe",
    "read_likelihood_model",
    "universe_likelihood",
]
