"""CC / CCF universes against upstream geniml 0.8.4 on the same coverage folder."""

from __future__ import annotations

import pytest

from geniml.universe import cc_universe, ccf_universe, coverage_tracks

pytestmark = pytest.mark.parity

UPSTREAM = """
import sys
from geniml.universe.cc_universe import cc_universe
from geniml.universe.ccf_universe import ccf_universe
cov, out = sys.argv[1], sys.argv[2]
cc_universe(cov, out + "/up_cc.bed")
cc_universe(cov, out + "/up_cc_m.bed", merge=100, filter_size=50, cutoff=2)
ccf_universe(cov, out + "/up_ccf.bed")
"""


def test_cc_ccf_equal_upstream(shared_data, peer, tmp_path):
    sizes = tmp_path / "chr18.sizes"
    sizes.write_text(
        "".join(
            line + "\n"
            for line in (shared_data / "chromsizes" / "hg19.chrom.sizes").read_text().splitlines()
            if line.split("\t")[0] == "chr18"
        )
    )
    cov = tmp_path / "cov"
    coverage_tracks(shared_data / "bedsets" / "diffbind_er_chr18_hg19", sizes, cov)
    peer(UPSTREAM, str(cov), str(tmp_path))
    cc_universe(cov, output_file=tmp_path / "cc.bed")
    cc_universe(cov, output_file=tmp_path / "cc_m.bed", merge_distance=100, min_size=50, cutoff=2)
    ccf_universe(cov, output_file=tmp_path / "ccf.bed")
    for name in ("cc", "cc_m", "ccf"):
        ours = (tmp_path / f"{name}.bed").read_text()
        theirs = (tmp_path / f"up_{name}.bed").read_text()
        assert ours.count("\n") > 1000
        assert ours == theirs, name
