"""The API reference: every public module has a page; public functions document their parameters
(``Args:``) and carry a runnable ``Examples:`` block (run by tests/test_docs.py and
tests/test_datasets.py).

``KNOWN_GAPS`` (now empty) listed the public names that predated this check; it may only shrink:
a new undocumented name fails, and so does a listed name once documented.
"""

from __future__ import annotations

import doctest
import importlib
import inspect

import pytest

from tests.conftest import ROOT

MODULES = [
    "geniml.io",
    "geniml.tokenization",
    "geniml.universe",
    "geniml.region2vec",
    "geniml.scembed",
    "geniml.evaluation",
    "geniml.eval",
    "geniml.datasets",
    "geniml.pl",
    "geniml.hub",
]

KNOWN_GAPS: set[str] = set()


def _gaps() -> set[str]:
    out = set()
    for name in MODULES:
        mod = importlib.import_module(name)
        for attr in mod.__all__:
            obj = getattr(mod, attr)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            doc = inspect.getdoc(obj) or ""
            params = inspect.isfunction(obj) and bool(inspect.signature(obj).parameters)
            if "Examples:" not in doc or (params and "Args:" not in doc):
                out.add(f"{name}.{attr}")
    return out


def test_no_new_undocumented_public_names():
    gaps = _gaps()
    assert not gaps - KNOWN_GAPS, (
        f"document these (Args: and Examples:): {sorted(gaps - KNOWN_GAPS)}"
    )
    assert not KNOWN_GAPS - gaps, (
        f"now documented, drop from KNOWN_GAPS: {sorted(KNOWN_GAPS - gaps)}"
    )


def test_every_public_module_has_a_reference_page():
    nav = (ROOT / "mkdocs.yml").read_text()
    for name in [*MODULES, "geniml.demo", "geniml.exceptions"]:
        page = ROOT / "docs" / "api" / f"{name.split('.', 1)[1]}.md"
        assert page.read_text().strip().endswith(f"::: {name}"), page
        assert f"api/{page.name}" in nav


# Modules whose public names' examples no other test runs (tests/test_docs.py and
# tests/test_datasets.py run the rest).
EXAMPLE_MODULES = [
    "geniml.eval.ctt",
    "geniml.eval.gdst",
    "geniml.eval.npt",
    "geniml.eval.rct",
    "geniml.tokenization.cells",
    "geniml.scembed.model",
]


@pytest.mark.parametrize("name", EXAMPLE_MODULES)
def test_examples_run(name):
    res = doctest.testmod(
        importlib.import_module(name), optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    )
    assert res.attempted > 0 and res.failed == 0, res
