"""Run the R page (docs/bbclient_r.md) when Rscript with reticulate is installed."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geniml.bbclient import BBClient

DOC = Path(__file__).resolve().parents[3] / "docs" / "bbclient_r.md"


def _r_code() -> str:
    blocks = re.findall(r"```r\n(.*?)```", DOC.read_text(), flags=re.S)
    assert blocks, "docs/bbclient_r.md has no R block"
    return "\n".join(blocks)


def test_doc_has_r_block():
    assert 'reticulate::import("geniml.bbclient")' in _r_code()


def test_r_page_runs(shared_data, tmp_path):
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("Rscript is not installed")
    probe = subprocess.run([rscript, "-e", "library(reticulate)"], capture_output=True, text=True)
    if probe.returncode != 0:
        pytest.skip("the R package reticulate is not installed")
    cache = tmp_path / "cache"
    bed = shared_data / "bedsets" / "geniml_hg38_sample" / "Example1.bed"
    bed_id = BBClient(cache_folder=cache, offline=True).add_bed_to_cache(bed)
    script = tmp_path / "page.R"
    script.write_text(_r_code())
    env = dict(os.environ, BBCLIENT_CACHE=str(cache), RETICULATE_PYTHON=sys.executable,
               GENIML_OFFLINE="1")  # fmt: skip
    out = subprocess.run([rscript, str(script)], capture_output=True, text=True, env=env)
    assert out.returncode == 0, out.stderr
    assert f"first file: {bed_id} regions: 50" in out.stdout
