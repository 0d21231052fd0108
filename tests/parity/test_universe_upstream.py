"""CC / CCF universes against upstream geniml 0.8.4 on the same coverage folder."""

from __future__ import annotations

import shutil

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


UPSTREAM_ML = """
import sys
from geniml.likelihood.build_model import main
from geniml.universe.ml_universe import ml_universe
from geniml.universe.hmm_universe import hmm_universe
cov, out = sys.argv[1], sys.argv[2]
main(out + "/up_model.tar", cov, "all", file_no=11)
ml_universe(out + "/up_model.tar", cov, "all", out + "/up_ml.bed")
hmm_universe(cov, out + "/up_hmm.bed")
"""


def test_lh_ml_hmm_against_upstream(shared_data, peer, tmp_path):
    import numpy as np

    from geniml.universe import (
        build_likelihood_model,
        hmm_universe,
        ml_universe,
        read_likelihood_model,
    )

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
    peer(UPSTREAM_ML, str(cov), str(tmp_path))
    build_likelihood_model(cov, tmp_path / "model.tar", file_no=11)
    ours = read_likelihood_model(tmp_path / "model.tar")
    theirs = read_likelihood_model(tmp_path / "up_model.tar")
    for a, b in zip(ours, theirs, strict=True):
        assert a[:2] == b[:2]
        for x, y in zip(a[2:], b[2:], strict=True):
            np.testing.assert_allclose(x, y, rtol=0, atol=1e-12)
    # ML with upstream's own model: identical file
    ml_universe(cov, model_file=tmp_path / "up_model.tar", output_file=tmp_path / "ml.bed")
    assert (tmp_path / "ml.bed").read_text() == (tmp_path / "up_ml.bed").read_text()
    # HMM: same regions except boundary shifts at ~1% of lines (normalisation rounding)
    hmm_universe(cov, output_file=tmp_path / "hmm.bed")
    mine = (tmp_path / "hmm.bed").read_text().splitlines()
    up = (tmp_path / "up_hmm.bed").read_text().splitlines()
    assert abs(len(mine) - len(up)) <= len(up) // 100
    assert len(set(mine) & set(up)) >= 0.97 * len(up)


UPSTREAM_ASSESS = """
import sys
from geniml.assess.assess import get_f_10_score, get_mean_rbs
folder, flist, hard, flex = sys.argv[1:5]
print(repr(float(get_f_10_score(folder, flist, hard, 1))))
print(repr(float(get_mean_rbs(folder, flist, hard, 1))))
print(repr(float(get_mean_rbs(folder, flist, flex, 1, flexible=True))))
"""


@pytest.mark.skipif(shutil.which("bedtools") is None, reason="upstream assess needs bedtools")
def test_f10_rbs_equal_upstream(shared_data, peer, tmp_path):
    from geniml.universe import assess

    folder = shared_data / "bedsets" / "diffbind_er_chr18_hg19"
    sizes = tmp_path / "chr18.sizes"
    sizes.write_text(
        "".join(
            line + "\n"
            for line in (shared_data / "chromsizes" / "hg19.chrom.sizes").read_text().splitlines()
            if line.split("\t")[0] == "chr18"
        )
    )
    files = sorted(folder.glob("*.bed"))
    flist = tmp_path / "files.txt"
    flist.write_text("".join(f"{p.name}\n" for p in files))
    cc_universe(
        folder,
        chrom_sizes=sizes,
        cutoff=2,
        merge_distance=100,
        min_size=50,
        output_file=tmp_path / "hard.bed",
    )
    ccf_universe(folder, chrom_sizes=sizes, output_file=tmp_path / "flex.bed")
    out = peer(
        UPSTREAM_ASSESS,
        str(folder),
        str(flist),
        str(tmp_path / "hard.bed"),
        str(tmp_path / "flex.bed"),
    )
    f10, rbs, rbs_flex = (float(x) for x in out.split())
    hard = assess(tmp_path / "hard.bed", files)
    flex = assess(tmp_path / "flex.bed", files)
    assert abs(hard["F_10"].mean() - f10) < 1e-9
    assert abs(hard["RBS"].mean() - rbs) < 1e-9
    assert abs(flex["RBS_flex"].mean() - rbs_flex) < 1e-9


UPSTREAM_LH = """
import sys
from geniml.likelihood.build_model import main
from geniml.assess.likelihood import hard_universe_likelihood, likelihood_flexible_universe
cov, out, hard, flex = sys.argv[1:5]
main(out + "/up_model.tar", cov, "all", file_no=11)
print(repr(float(hard_universe_likelihood(out + "/up_model.tar", hard, cov, "all"))))
print(repr(float(likelihood_flexible_universe(out + "/up_model.tar", flex, cov, "all"))))
"""


def test_universe_likelihood_equals_upstream(shared_data, peer, tmp_path):
    from geniml.universe import universe_likelihood

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
    cc_universe(cov, cutoff=2, merge_distance=100, min_size=50, output_file=tmp_path / "h.bed")
    ccf_universe(cov, output_file=tmp_path / "f.bed")
    out = peer(
        UPSTREAM_LH, str(cov), str(tmp_path), str(tmp_path / "h.bed"), str(tmp_path / "f.bed")
    )
    hard, flex = (float(x) for x in out.strip().splitlines()[-2:])
    model = tmp_path / "up_model.tar"
    assert universe_likelihood(tmp_path / "h.bed", cov, model_file=model) == pytest.approx(
        hard, rel=1e-9
    )
    assert universe_likelihood(tmp_path / "f.bed", cov, model_file=model) == pytest.approx(
        flex, rel=1e-9
    )
    # the model built by geniml gives the same value
    assert universe_likelihood(tmp_path / "h.bed", cov, file_no=11) == pytest.approx(hard, rel=1e-9)
