"""CTT/RCT/GDST/NPT: oracles on synthetic regions and parity with upstream geniml 0.8.4.

Parity tolerances: CTT and NPT make the same random draws as upstream for a seed. CTT differs
only in how the squared distances are summed (upstream: Python ``sum`` over float32; here:
float64), a relative error below 237 x 6e-8 ~ 1.4e-5 for the 237 test points, so rel=2e-5. NPT
counts set overlaps, exact up to float rounding of the running mean (1e-12). GDST scores
upstream's own sampled pairs to rel 1e-6: the cosines are float32 (eps 6e-8) and are summed in
another order, which moves the slope by ~6e-9 relative here; its own pairs
come from another random stream, so across seeds only the mean slope is compared (4 standard
errors).
"""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from geniml.evaluation import (
    binary_embeddings,
    ctt_score,
    gdst_score,
    load_region_embeddings,
    npt_score,
    rct_score,
    read_state_dict,
)
from geniml.evaluation.region_scores import (
    _gdst_slope,
    _overlap_counts,
    genome_distances,
)
from geniml.exceptions import GenimlValueError, ModelError
from geniml.io import RegionSet
from tests._oracles import naive_genome_distance, naive_neighbour_overlap

NPT_CASES = [(50, 100, 0, "cosine"), (20, 0, 1, "cosine"), (30, 300, 3, "euclidean")]

PEER_SCRIPT = r"""
import json, sys, warnings
warnings.filterwarnings("ignore")
import numpy as np, torch
from geniml.eval.ctt import get_ctt_score
from geniml.eval.gdst import get_gdst_score, sample_from_vocab
from geniml.eval.npt import get_npt_score
from geniml.eval.utils import load_genomic_embeddings
model, out = sys.argv[1], sys.argv[2]
res = {}
w = torch.load(model + "/checkpoint.pt", map_location="cpu")["projection.weight"].numpy()
np.save(out + "/weight.npy", w)
res["ctt"] = [get_ctt_score(model, "exmodel", seed=s, num_workers=1) for s in range(3)]
res["npt"] = []
for k, n, seed, dist in json.loads(sys.argv[3]):
    r = get_npt_score(model, "exmodel", k, num_samples=n, seed=seed, dist=dist, num_workers=1)
    res["npt"].append([r["Avg_qNPR"].tolist(), r["Avg_rNPR"].tolist(), r["SNPR"].tolist()])
_, vocab = load_genomic_embeddings(model, "exmodel")
idx = {v: i for i, v in enumerate(vocab)}
pairs = sample_from_vocab(vocab, 10000, 42)
np.save(out + "/pairs.npy", np.array([[idx[a], idx[b]] for a, b, _ in pairs]))
res["gdst42"] = get_gdst_score(model, "exmodel", 10000, 42)
res["gdst_seeds"] = [get_gdst_score(model, "exmodel", 2000, s) for s in range(10)]
print(json.dumps(res))
"""


@pytest.fixture(scope="module")
def upstream(peer, export_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("upstream_eval")
    res = json.loads(
        peer(PEER_SCRIPT, str(export_dir), str(out), json.dumps(NPT_CASES)).strip().splitlines()[-1]
    )
    res["weight"] = np.load(out / "weight.npy")
    res["pairs"] = np.load(out / "pairs.npy")
    return res


@pytest.fixture(scope="module")
def export(export_dir):
    return load_region_embeddings(export_dir)


# -- loading ---------------------------------------------------------------------------------


def test_export_loads_without_torch(export, export_dir):
    assert export.vectors.shape == (2378, 100) and export.vectors.dtype == np.float32
    assert str(export.regions[0]) == "chr1:107930437-107931214"
    full = read_state_dict(export_dir / "checkpoint.pt")["projection.weight"]
    assert full.shape == (2385, 100)  # 2378 regions + 7 special tokens
    np.testing.assert_array_equal(full[:2378], export.vectors)


def test_export_weights_equal_torch(export, upstream):
    np.testing.assert_array_equal(upstream["weight"][:2378], export.vectors)


def test_model_folder_errors(tmp_path, export_dir):
    (tmp_path / "m").mkdir()
    shutil.copy(export_dir / "checkpoint.pt", tmp_path / "m" / "checkpoint.pt")
    with pytest.raises(ModelError, match="has no universe.bed"):
        load_region_embeddings(tmp_path / "m")
    # A universe with fewer regions than the weight rows is another model's universe.
    (tmp_path / "m" / "universe.bed").write_text("chr1\t0\t10\n" * 1 + "chr1\t20\t30\n")
    with pytest.raises(ModelError, match="has 2 regions .* do not belong together"):
        load_region_embeddings(tmp_path / "m")
    shutil.copy(export_dir / "universe.bed", tmp_path / "m" / "universe.bed")
    assert load_region_embeddings(tmp_path / "m").vectors.shape == (2378, 100)
    bad = tmp_path / "bad" / "checkpoint.pt"
    bad.parent.mkdir()
    bad.write_bytes(b"not a zip")
    (bad.parent / "universe.bed").write_text("chr1\t0\t10\n")
    with pytest.raises(ModelError, match="cannot read the torch checkpoint"):
        load_region_embeddings(bad.parent)
    with pytest.raises(GenimlValueError, match="3 embedding rows but 2 regions"):
        load_region_embeddings(np.zeros((3, 2)), RegionSet([("chr1", 0, 1), ("chr1", 2, 3)]))
    with pytest.raises(GenimlValueError, match="need their regions"):
        load_region_embeddings(np.zeros((3, 2)))


# -- oracles ---------------------------------------------------------------------------------


def test_genome_distance_matches_oracle():
    rng = np.random.default_rng(0)
    s = rng.integers(0, 1000, size=(2, 500))
    e = s + rng.integers(0, 200, size=(2, 500))
    got = genome_distances(s[0], e[0], s[1], e[1])
    want = [
        naive_genome_distance((a, b), (c, d))
        for a, b, c, d in zip(s[0], e[0], s[1], e[1], strict=True)
    ]
    np.testing.assert_array_equal(got, want)


def test_overlap_counts_match_oracle():
    rng = np.random.default_rng(1)
    sizes = np.array([2, 4, 6])
    g = np.stack([rng.permutation(12)[:6] for _ in range(40)])
    e = np.stack([rng.permutation(12)[:6] for _ in range(40)])
    g[0, 4:] = -1  # a short genome list (chromosome smaller than K)
    got = _overlap_counts(g, e, sizes)
    for row in range(40):
        gl = [x for x in g[row] if x >= 0]
        ratios = naive_neighbour_overlap(gl, list(e[row]), list(sizes))
        denom = np.minimum(sizes, len(gl))
        np.testing.assert_allclose(got[row] / denom, ratios)


def test_binary_embeddings_exact_match(tmp_path, bed):
    u = RegionSet([("chr1", 0, 10), ("chr1", 20, 30), ("chr2", 0, 10)])
    f1 = bed("chr1\t20\t30\nchr2\t0\t10\nchr3\t0\t10\n")
    f2 = bed("chr1\t0\t11\n")  # not a universe region: no token
    np.testing.assert_array_equal(binary_embeddings(u, [f1, f2]), [[0, 0], [1, 0], [1, 0]])


def test_npt_detects_preserved_neighbourhoods():
    starts = np.arange(0, 400_000, 1000)
    rs = RegionSet((["chr1"] * 200 + ["chr2"] * 200, starts, starts + 500))
    t = starts / 4e4
    smooth = np.column_stack([np.cos(t), np.sin(t), np.cos(2 * t)])
    good = npt_score(smooth, rs, k=20, n_samples=0)
    noise = npt_score(np.random.default_rng(0).normal(size=(400, 3)), rs, k=20, n_samples=0)
    assert good.snpr[0] > 0.5 and noise.snpr[0] < 0.2
    assert good.query_npr.shape == (2,) and np.all(good.query_npr <= 1)


def test_ctt_and_gdst_on_synthetic():
    rng = np.random.default_rng(0)
    blobs = np.concatenate([rng.normal(c, 0.05, size=(100, 5)) for c in range(5)])
    assert ctt_score(blobs) > 0.9 > ctt_score(rng.uniform(size=(500, 5))) > 0.3
    starts = np.arange(0, 10_000_000, 20_000)
    rs = RegionSet((["chr1"] * len(starts), starts, starts + 500))
    vec = np.column_stack([np.cos(starts / 2e7), np.sin(starts / 2e7)])
    assert gdst_score(vec, rs) > 0
    assert gdst_score(vec[::-1].copy(), rs) == pytest.approx(gdst_score(vec[::-1].copy(), rs))
    with pytest.raises(GenimlValueError, match="at least 100"):
        ctt_score(rng.normal(size=(50, 3)))
    with pytest.raises(GenimlValueError, match="n_samples"):
        gdst_score(vec, rs, n_samples=1)
    with pytest.raises(GenimlValueError, match="n_samples"):
        npt_score(vec, rs, k=10, n_samples=-1)
    with pytest.raises(GenimlValueError, match="resolution"):
        npt_score(vec, rs, k=5, resolution=10)
    with pytest.raises(GenimlValueError, match="`distance` must be one of"):
        npt_score(vec, rs, k=10, distance="manhattan")


def test_npt_jaccard_on_binary_vectors():
    """Jaccard NPT recovers the shared-file neighbourhoods of a small binary model."""
    rng = np.random.default_rng(5)
    starts = np.arange(0, 60_000, 1000)
    rs = RegionSet((["chr1"] * 60, starts, starts + 400))
    # neighbouring regions share files: a sliding window of ones
    binary = np.zeros((60, 30))
    for i in range(60):
        binary[i, i // 2 : i // 2 + 3] = 1
    binary[rng.random(binary.shape) < 0.05] = 1
    res = npt_score(binary, rs, k=6, n_samples=0, resolution=3, distance="jaccard")
    assert res.query_npr[0] > res.random_npr[0] + 0.2


# -- parity with upstream geniml.eval -----------------------------------------------------------


def test_ctt_parity(export, upstream):
    ours = [ctt_score(export, seed=s) for s in range(3)]
    np.testing.assert_allclose(ours, upstream["ctt"], rtol=2e-5)


@pytest.mark.parametrize("case", range(len(NPT_CASES)))
def test_npt_parity(export, upstream, case):
    k, n, seed, dist = NPT_CASES[case]
    res = npt_score(export, k=k, n_samples=n, seed=seed, distance=dist)
    q, r, s = upstream["npt"][case]
    np.testing.assert_allclose(res.query_npr, q, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.random_npr, r, rtol=0, atol=1e-12)
    np.testing.assert_allclose(res.snpr, s, rtol=0, atol=1e-9)


def test_gdst_scores_upstream_pairs(export, upstream):
    pairs = upstream["pairs"]
    assert _gdst_slope(export, pairs[:, 0], pairs[:, 1]) == pytest.approx(
        upstream["gdst42"], rel=1e-6
    )


def test_gdst_same_distribution_as_upstream(export, upstream):
    theirs = np.array(upstream["gdst_seeds"])
    ours = np.array([gdst_score(export, n_samples=2000, seed=100 + s) for s in range(10)])
    se = np.sqrt(theirs.var(ddof=1) / len(theirs) + ours.var(ddof=1) / len(ours))
    assert abs(ours.mean() - theirs.mean()) < 4 * se


RCT_SCRIPT = r"""
import glob, sys, warnings
warnings.filterwarnings("ignore")
from geniml.eval.rct import get_rct_score
from geniml.eval.utils import get_bin_embeddings, save_base_embeddings
model, tokens, out = sys.argv[1:4]
b = get_bin_embeddings(model + "/universe.bed", sorted(glob.glob(tokens + "/*.bed")))
save_base_embeddings(b, out)
print(get_rct_score(model, "exmodel", out, cv_num=3, seed=7, num_workers=1))
"""


@pytest.mark.slow
def test_rct_parity(export, export_dir, shared_data, peer, tmp_path):
    """Tokens = universe regions hit by each hg38 sample BED (bedtools), then the same MLP."""
    if shutil.which("bedtools") is None:
        pytest.skip("bedtools is not installed")
    tokens = tmp_path / "tokens"
    tokens.mkdir()
    for f in sorted((shared_data / "bedsets" / "geniml_hg38_sample").glob("*.bed")):
        hits = subprocess.run(
            ["bedtools", "intersect", "-u", "-a", str(export_dir / "universe.bed"), "-b", str(f)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (tokens / f.name).write_text(hits)
    out = peer(RCT_SCRIPT, str(export_dir), str(tokens), str(tmp_path / "bin.pkl"))
    theirs = float(out.strip().splitlines()[-1])
    files = sorted(tokens.glob("*.bed"))
    # their pickle read back, and our own binary matrix, give the same score
    assert rct_score(export, binary=tmp_path / "bin.pkl", cv=3, seed=7) == pytest.approx(
        theirs, abs=1e-9
    )
    ours_bin = binary_embeddings(export.regions, files)
    assert rct_score(export, binary=ours_bin, cv=3, seed=7) == pytest.approx(theirs, abs=1e-9)
