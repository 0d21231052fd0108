"""`import geniml`, `geniml.io`, the tokenizer and the CLI's --help work without torch/anndata."""

from __future__ import annotations

import subprocess
import sys

CODE = """
import sys
for name in ("torch", "anndata", "scanpy"):
    sys.modules[name] = None  # any import of them now raises ImportError
import geniml, geniml.io, geniml.tokenization, geniml.evaluation, geniml.region2vec, geniml.scembed
from geniml.cli import app
from typer.testing import CliRunner
from geniml.io import RegionSet
from geniml.tokenization import Tokenizer
tok = Tokenizer(RegionSet([("chr1", 0, 10)]))
assert tok.tokenize(RegionSet([("chr1", 5, 6)])).ids.tolist() == [0]
for args in (["--help"], ["tokenize", "--help"], ["region2vec", "--help"], ["scembed", "--help"]):
    r = CliRunner().invoke(app, args)
    assert r.exit_code == 0, (args, r.output)
print("ok")
"""


def test_core_without_torch():
    out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "ok"
