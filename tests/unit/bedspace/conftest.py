"""Fixtures for the BEDspace tests: a small labelled real collection and the StarSpace binary."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from geniml.io import BedSet

DIFFBIND = "bedsets/diffbind_er_chr18_hg19"


@pytest.fixture
def diffbind(shared_data, tmp_path):
    """(folder, metadata.csv with file_name/Tissue/Condition, universe.bed) on the DiffBind set."""
    import polars as pl

    src = shared_data / DIFFBIND
    meta = pl.read_csv(src / "metadata.tsv", separator="\t").rename({"file": "file_name"})
    meta.select("file_name", "Tissue", "Condition").write_csv(tmp_path / "meta.csv")
    BedSet(src).to_regionset().sort().merge(0).to_bed(tmp_path / "universe.bed")
    return src, tmp_path / "meta.csv", tmp_path / "universe.bed"


@pytest.fixture(scope="session")
def starspace() -> Path:
    """The folder of the StarSpace binary (``GENIML_STARSPACE``); CI must have it."""
    where = os.environ.get("GENIML_STARSPACE")
    exe = Path(where) / "starspace" if where else None
    if exe is None or not exe.is_file():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true but no StarSpace binary (GENIML_STARSPACE={where!r})")
        pytest.skip("StarSpace not available (set GENIML_STARSPACE to its folder)")
    return exe.parent
