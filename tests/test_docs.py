"""Run the Examples: blocks of the public modules as doctests."""

from __future__ import annotations

import doctest
import importlib

import pytest

MODULES = [
    "geniml.io",
    "geniml.tokenization.tokenizer",
    "geniml.tokenization.files",
    "geniml.tokenization.dataset",
    "geniml.region2vec._nn",
    "geniml.region2vec.model",
    "geniml.evaluation.metrics",
    "geniml.evaluation.models",
    "geniml.evaluation.plot",
    "geniml.evaluation.region_scores",
    "geniml.eval.utils",
    "geniml.universe.coverage",
    "geniml.universe.builders",
    "geniml.universe.likelihood",
    "geniml.universe.assess",
    "geniml._progress",
]


@pytest.mark.parametrize("name", MODULES)
def test_doctests(name):
    mod = importlib.import_module(name)
    res = doctest.testmod(mod, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert res.attempted > 0
    assert res.failed == 0
