"""The README's Python quickstart blocks run as written, in order, in a fresh folder.

The fresh folder sits next to a ``shared/data`` link to the real data, so the blocks' relative
``../shared/data/...`` paths resolve as they do from a clone.
"""

from __future__ import annotations

import re

from tests.conftest import ROOT


def _quickstart_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quickstart (Python)", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_quickstart_has_blocks():
    assert len(_quickstart_blocks()) >= 3


def test_quickstart_blocks_run_in_order_in_a_fresh_folder(shared_data, tmp_path, monkeypatch):
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(shared_data, target_is_directory=True)
    work = tmp_path / "fresh"
    work.mkdir()
    monkeypatch.chdir(work)
    namespace: dict = {}
    for k, block in enumerate(_quickstart_blocks()):
        exec(compile(block, f"README quickstart block {k}", "exec"), namespace)
    assert {"rs", "tok", "ids", "m", "vecs"} <= namespace.keys()
    assert not any(work.iterdir())  # the quickstart writes nothing into the user's folder
