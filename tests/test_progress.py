"""Progress bars: off per call with progress=False, a plain text line in notebooks (no ipywidgets)."""

from __future__ import annotations

import doctest
import os
import subprocess
import sys

import pytest

import geniml._progress

CODE = """
import sys
from geniml import datasets
from geniml.io import BedSet
from geniml.region2vec import Region2VecExModel
from geniml.tokenization import Tokenizer
tok = Tokenizer.from_bed(datasets.hg38_universe())
docs = [t.ids for t in tok.tokenize_batch(BedSet(datasets.hg38_sample()).paths)]
m = Region2VecExModel(tokenizer=tok, embedding_dim=8, device="cpu")
flag = {"on": True, "off": False, "env": None}[sys.argv[1]]
m.train(docs, epochs=2, min_count=1, seed=1, num_cpus=1, progress=flag)
"""


def _run(arg: str, **env: str) -> subprocess.CompletedProcess:
    e = {k: v for k, v in os.environ.items() if k != "GENIML_NO_PROGRESS"} | env
    return subprocess.run([sys.executable, "-c", CODE, arg], capture_output=True, text=True, env=e)


def test_doctests():
    res = doctest.testmod(geniml._progress)
    assert res.attempted > 0 and res.failed == 0


def test_progress_false_is_silent_and_true_beats_the_environment():
    off = _run("off")
    assert off.returncode == 0, off.stderr[-2000:]
    assert "epoch" not in off.stderr
    on = _run("on", GENIML_NO_PROGRESS="1")
    assert on.returncode == 0 and "epoch 2" in on.stderr
    env = _run("env", GENIML_NO_PROGRESS="1")
    assert env.returncode == 0 and "epoch" not in env.stderr


def test_notebook_bar_without_ipywidgets(tmp_path):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    hide = "import sys; sys.modules['ipywidgets'] = None\n"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(hide + CODE.replace("sys.argv[1]", "'on'"))]
    nbclient.NotebookClient(nb, timeout=300, kernel_name="python3").execute()
    outs = nb.cells[0].outputs
    assert not [o for o in outs if o.output_type == "error"]
    err = "".join(o.text for o in outs if o.output_type == "stream" and o.name == "stderr")
    assert "\r[" in err and "100% epoch 2 loss" in err
    assert "ipywidgets" not in err
