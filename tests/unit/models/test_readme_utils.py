"""The README's BEDshift, BBClient and models blocks run as written."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT

SECTIONS = [
    "## BEDshift (null models)",
    "## BBClient (BEDbase cache)",
    "## Saving and loading models",
]


@pytest.mark.parametrize("title", SECTIONS)
def test_readme_block_runs(title, shared_data, monkeypatch, capsys):
    text = (ROOT / "README.md").read_text()
    section = text.split(title, 1)[1].split("\n## ", 1)[0]
    (block,) = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    monkeypatch.chdir(ROOT)
    exec(compile(block, title, "exec"), {})
    assert capsys.readouterr().out.strip()
