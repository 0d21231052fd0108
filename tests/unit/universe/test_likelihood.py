from __future__ import annotations

import tarfile

import numpy as np
import pytest

from geniml.exceptions import ChromosomeNotFoundError, GenimlValueError, ModelError
from geniml.io import RegionSet, read_bed
from geniml.universe import (
    build_likelihood_model,
    build_universe,
    coverage_tracks,
    hmm_universe,
    ml_universe,
    read_likelihood_model,
)


def _beds():
    return [
        RegionSet([("chr1", 1000 + 7 * i, 1400 - 5 * i), ("chrUn_gl000220", 50, 90)])
        for i in range(6)
    ]


SIZES = {"chr1": 5000, "chrUn_gl000220": 500, "chr2": 300}


def test_model_layout_and_underscore_contigs(tmp_path):
    p = build_likelihood_model(_beds(), tmp_path / "model.tar", chrom_sizes=SIZES)
    with tarfile.open(p) as tar:
        names = sorted(tar.getnames())
    assert names == [
        f"{c}_{t}.npz" for c in ("chr1", "chrUn_gl000220") for t in ("core", "end", "start")
    ]
    tables = {t[0]: t for t in read_likelihood_model(p)}
    assert set(tables) == {"chr1", "chrUn_gl000220"}  # chr2 has no coverage: left out
    name, size, start, core, end = tables["chr1"]
    assert size == 5000
    core = core.reshape(-1, 2)
    assert core.shape == (7, 2) and not np.isnan(core).any()
    # upstream: row v = [log10((n - v) / (n * L - sum) + 1e-10), log10(v / sum + 1e-10)]
    total = sum(min(1400 - 5 * i, 5000) - (1000 + 7 * i) for i in range(6))
    assert core[6, 1] == pytest.approx(np.log10(6 / total + 1e-10), abs=1e-12)
    assert core[0, 0] == pytest.approx(np.log10(6 / (6 * 5000 - total) + 1e-10), abs=1e-12)
    with pytest.raises(FileExistsError):
        build_likelihood_model(_beds(), p, chrom_sizes=SIZES)


def test_values_above_file_count_are_clipped_with_warning(tmp_path):
    beds = [RegionSet([("chr1", 100, 110), ("chr1", 101, 111), ("chr1", 102, 112)])]
    with pytest.warns(UserWarning, match="exceed the number of files"):
        p = build_likelihood_model(beds, tmp_path / "m.tar", chrom_sizes={"chr1": 1000})
    for _, _, *arrays in read_likelihood_model(p):
        for a in arrays:
            assert not np.isnan(a).any()


def test_ml_and_hmm_build_flexible_universes(tmp_path):
    for method in ("ml", "hmm"):
        build_universe(_beds(), method, chrom_sizes=SIZES, output_file=tmp_path / f"{method}.bed")
        back = read_bed(tmp_path / f"{method}.bed")
        assert len(back) >= 1 and back.n_extra_columns == 6
        for (c, s, e), a, b in zip(back, back.extra_column(3), back.extra_column(4), strict=True):
            assert c == "chr1" or c == "chrUn_gl000220"
            assert s <= int(a) <= int(b) <= e
    u3 = hmm_universe(_beds(), states=3, chrom_sizes=SIZES)
    assert len(u3) >= 1
    with pytest.raises(GenimlValueError, match="states"):
        hmm_universe(_beds(), states=5, chrom_sizes=SIZES)


def test_model_for_other_chromosomes(tmp_path):
    other = [RegionSet([("chr2", 10, 200)]) for _ in range(3)]
    m = build_likelihood_model(other, tmp_path / "m.tar", chrom_sizes=SIZES)
    with pytest.raises(ChromosomeNotFoundError, match="no chromosome 'chr1'"):
        ml_universe(_beds(), model_file=m, chrom_sizes=SIZES)
    bad = tmp_path / "bad.tar"
    bad.write_text("not a tar")
    with pytest.raises(ModelError, match="not a likelihood model"):
        ml_universe(_beds(), model_file=bad, chrom_sizes=SIZES)


def test_model_from_folder_needs_file_no(tmp_path):
    coverage_tracks(_beds(), SIZES, tmp_path / "cov")
    with pytest.raises(GenimlValueError, match="file_no"):
        build_likelihood_model(tmp_path / "cov", tmp_path / "m.tar")
    build_likelihood_model(tmp_path / "cov", tmp_path / "m.tar", file_no=6)
    a = ml_universe(tmp_path / "cov", model_file=tmp_path / "m.tar")
    b = ml_universe(_beds(), chrom_sizes=SIZES)
    assert a == b


def test_hmm_fit_with_hmmlearn():
    pytest.importorskip("hmmlearn")
    beds = [
        RegionSet([("chr1", 1000 + 3 * i, 1400 - 2 * i), ("chr1", 3000, 3300)]) for i in range(8)
    ]
    fitted = hmm_universe(beds, chrom_sizes={"chr1": 6000}, fit=True)
    assert len(fitted) >= 1 and fitted.n_extra_columns == 6
    with pytest.raises(GenimlValueError, match="states"):
        hmm_universe(beds, chrom_sizes={"chr1": 6000}, fit=True, states=7)


def test_universe_likelihood_prefers_the_fitting_universe():
    from geniml.universe import cc_universe, universe_likelihood

    beds = _beds()
    good = cc_universe(beds, cutoff=3, chrom_sizes=SIZES)
    shifted = RegionSet([(c, s + 2000, e + 2000) for c, s, e in good if c == "chr1"])
    lg = universe_likelihood(good, beds, chrom_sizes=SIZES)
    ls = universe_likelihood(shifted, beds, chrom_sizes=SIZES)
    assert np.isfinite(lg) and lg > ls
    with pytest.raises(GenimlValueError, match="BED9"):
        universe_likelihood(good, beds, chrom_sizes=SIZES, flexible=True)
