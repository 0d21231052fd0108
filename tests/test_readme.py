"""The README's Python quickstart blocks run as written (they read ../shared/data)."""

from __future__ import annotations

import re

import pytest

from tests.conftest import ROOT


def _quickstart_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quickstart (Python)", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_quickstart_has_blocks():
    assert len(_quickstart_blocks()) >= 3


@pytest.mark.parametrize("k", range(3))
def test_quickstart_block_runs(k, shared_data, monkeypatch):
    monkeypatch.chdir(ROOT)
    block = _quickstart_blocks()[k]
    namespace: dict = {}
    exec(compile(block, f"README quickstart block {k}", "exec"), namespace)
    assert namespace  # the block defined its names (an exception above fails the test)
