"""The README's Python quickstart blocks run as written, in order, in a fresh folder.

The fresh folder sits next to a ``shared/data`` link to the real data, so the blocks' relative
``../shared/data/...`` paths resolve as they do from a clone.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from tests.conftest import ROOT


def _quickstart_blocks() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quickstart (Python)", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```python\n(.*?)```", section, flags=re.S)


def test_quickstart_has_blocks():
    assert len(_quickstart_blocks()) >= 3


@pytest.fixture
def fresh(shared_data, tmp_path, monkeypatch):
    """An empty working folder next to a ``shared/data`` link: ``../shared/data`` resolves."""
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "data").symlink_to(shared_data, target_is_directory=True)
    work = tmp_path / "fresh"
    work.mkdir()
    monkeypatch.chdir(work)
    return work


def test_quickstart_blocks_run_in_order_in_a_fresh_folder(fresh, shared_data):
    work = fresh
    namespace: dict = {}
    for k, block in enumerate(_quickstart_blocks()):
        exec(compile(block, f"README quickstart block {k}", "exec"), namespace)
        if k < len(_CHECKS):
            _CHECKS[k](namespace, shared_data)
    assert {"rs", "tok", "ids", "m", "vecs"} <= namespace.keys()
    assert not any(work.iterdir())  # the quickstart writes nothing into the user's folder


def _check_io(ns: dict, data) -> None:
    from geniml.io import bed_files_in, read_bed

    rs, merged = ns["rs"], ns["merged"]
    assert len(rs) == len(read_bed(data / "bedsets/geniml_hg38_sample/Example1.bed"))
    assert merged.is_sorted() and 0 < len(merged) <= len(rs)
    assert len(ns["bs"]) == len(bed_files_in(data / "bedsets/encode_tfbs_hg19"))


def _check_tokenize(ns: dict, data) -> None:
    from geniml.io import read_bed

    ids, tok = ns["ids"], ns["tok"]
    assert ids.dtype == np.int64
    n = len(read_bed(data / "bedsets/geniml_hg38_sample/DRX127657.05.bed"))
    assert len(ids) >= n  # every region yields >= 1 id (<unk> when nothing overlaps)
    assert ((0 <= ids) & (ids < tok.vocab_size)).all()
    assert ns["report"].n_regions == len(read_bed(data / "bedsets/geniml_hg38_sample/Example3.bed"))


def _check_region2vec(ns: dict, data) -> None:
    from geniml.io import read_bed

    m = ns["m"]
    n = len(read_bed(data / "bedsets/geniml_hg38_sample/Example1.bed"))
    assert ns["vecs"].shape == (n, m.embedding_dim)
    assert ns["sets"].shape == (1, m.embedding_dim)


_CHECKS = [_check_io, _check_tokenize, _check_region2vec]


# --- every python and shell block of the README, in order, in one fresh folder ---------------

# Blocks the sequence does not run, each with the reason; matched on their first line.
NOT_RUN = {
    "make demo": "the main job and the test suite: CI runs both (`make demo`, `make test`)",
    "pip install geniml": "installs from PyPI; the wheel and its install are CI's `make wheel-check`",
}


def readme_blocks() -> list[tuple[str, str]]:
    """Every ```python / ```bash block of the README, in order: (language, code)."""
    text = (ROOT / "README.md").read_text()
    return re.findall(r"^```(python|bash)\n(.*?)^```", text, flags=re.S | re.M)


def test_the_blocks_not_run_are_the_top_commands_and_the_install_lines():
    blocks = readme_blocks()
    first = blocks[0][1].splitlines()
    assert [line.split("#")[0].strip() for line in first] == ["make demo", "make test"]
    skipped = [code for _, code in blocks if _not_run(code)]
    assert len(skipped) == len(NOT_RUN)


def _not_run(code: str) -> bool:
    words = code.splitlines()[0].split()
    return any(words[: len(key.split())] == key.split() for key in NOT_RUN)


@pytest.mark.slow
def test_every_readme_block_runs_in_order_in_a_fresh_folder(fresh):
    import os
    import subprocess
    import sys
    from pathlib import Path

    work = fresh
    env = os.environ | {"PATH": f"{Path(sys.executable).parent}:{os.environ['PATH']}"}
    namespace: dict = {"__name__": "__readme__"}
    ran = 0
    for k, (lang, code) in enumerate(readme_blocks()):
        if _not_run(code):
            continue
        where = f"README block {k} ({lang}, first line {code.splitlines()[0]!r})"
        if lang == "python":
            exec(compile(code, where, "exec"), namespace)
        else:
            r = subprocess.run(
                ["bash", "-euo", "pipefail", "-c", code],
                cwd=work,
                env=env,
                capture_output=True,
                text=True,
            )
            assert r.returncode == 0, f"{where} failed:\n{r.stdout[-2000:]}\n{r.stderr[-3000:]}"
        ran += 1
    assert ran == len(readme_blocks()) - len(NOT_RUN)
