"""The two tutorial notebooks run top to bottom on the bundled data (nbclient)."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOKS = sorted((ROOT / "docs" / "tutorials").glob("*.ipynb"))


def test_two_tutorials_exist():
    assert [p.name for p in NOTEBOOKS] == ["region_sets.ipynb", "single_cells.ipynb"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_tutorial_runs(path, tmp_path):
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(
        nb, timeout=900, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    )
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
    text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
    if path.stem == "region_sets":
        assert "mean similarity, same cell line" in text
    else:
        acc = float(text.split("label transfer accuracy ")[1].split()[0])
        assert acc > 0.3  # 12 balanced classes: chance is 0.08
