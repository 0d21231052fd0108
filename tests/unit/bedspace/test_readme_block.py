"""The README's BEDspace Python block runs as written (from a scratch folder)."""

from __future__ import annotations

import re

from tests.conftest import ROOT


def test_readme_bedspace_block(shared_data, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("GENIML_NO_PROGRESS", "1")
    text = (ROOT / "README.md").read_text()
    section = text.split("## BEDspace", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```python\n(.*?)```", section, flags=re.S)[0]
    block = block.replace("../shared/data", str(shared_data))
    monkeypatch.chdir(tmp_path)
    exec(compile(block, "README BEDspace block", "exec"), {})
    out = capsys.readouterr().out
    assert "T47D1.bed" in out and "ZR751.bed" in out
    assert (tmp_path / "er_model" / "config.yaml").is_file()
