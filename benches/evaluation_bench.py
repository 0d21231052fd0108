"""CTT / GDST / NPT / RCT on the real Region2Vec export: geniml.evaluation vs upstream geniml.eval.

Run: .venv/bin/python benches/evaluation_bench.py [--rct] [--repeats 3]

The upstream side runs in the peer venv (upstream geniml 0.8.4) in one process; its import time
is excluded, its per-call model loading (upstream reloads the model in every call) is included,
as is ours (we read checkpoint.pt + universe.bed on each call too). Each timing is the best of
``--repeats`` runs. Both sides run single-threaded: upstream with num_workers=1 inside
``threadpool_limits(1)``, ours with ``n_threads=1`` / ``n_jobs=1`` (the machine has 2 shared
cores, and BLAS threads on these small matrices only add contention).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("GENIML_SHARED_DATA", ROOT.parent / "shared" / "data"))
MODEL = DATA / "models" / "geniml_region2vec_export"
PEER = Path(os.environ.get("GENIML_PEER_PYTHON", ROOT.parent / "peer-venv" / "bin" / "python"))

WORKLOADS = {
    "ctt": "CTT (all 2,378 vectors, seed 42)",
    "gdst": "GDST (10,000 pairs, seed 42)",
    "npt100": "NPT K=50, 100 queries (upstream default)",
    "npt_all": "NPT K=50, all 2,378 regions",
    "rct": "RCT 5-fold MLP (13 tokenized sample BEDs)",
    "big_ctt": "atlas 13,730 peaks: CTT (10,000 vectors)",
    "big_gdst": "atlas 13,730 peaks: GDST (10,000 pairs)",
    "big_npt": "atlas 13,730 peaks: NPT K=50, 1,000 queries (qNPR@50)",
}
ATLAS = DATA / "bedsets" / "immune_atlas_peaks_hg38.bed"

PEER_SCRIPT = r"""
import json, sys, time, warnings
warnings.filterwarnings("ignore")
from geniml.eval.ctt import get_ctt_score
from geniml.eval.gdst import get_gdst_score
from geniml.eval.npt import get_npt_score
from geniml.eval.rct import get_rct_score
model, repeats, binary, big = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
jobs = {
    "ctt": lambda: get_ctt_score(model, "exmodel", seed=42, num_workers=1),
    "gdst": lambda: get_gdst_score(model, "exmodel", 10000, 42),
    "npt100": lambda: float(get_npt_score(model, "exmodel", 50, 100, 0, num_workers=1)["SNPR"][0]),
    "npt_all": lambda: float(get_npt_score(model, "exmodel", 50, 0, 0, num_workers=1)["SNPR"][0]),
}
jobs["big_ctt"] = lambda: get_ctt_score(big, "base", seed=42, num_workers=1)
jobs["big_gdst"] = lambda: get_gdst_score(big, "base", 10000, 42)
jobs["big_npt"] = lambda: float(get_npt_score(big, "base", 50, 1000, 0, num_workers=1)["Avg_qNPR"][-1])
if binary != "-":
    jobs["rct"] = lambda: get_rct_score(model, "exmodel", binary, cv_num=5, seed=42, num_workers=1)
out = {}
from threadpoolctl import threadpool_limits
with threadpool_limits(limits=1):
    for name, fn in jobs.items():
        best, val = float("inf"), None
        for _ in range(1 if name == "rct" else repeats):
            t = time.perf_counter(); val = fn(); best = min(best, time.perf_counter() - t)
        out[name] = [best, float(val)]
print(json.dumps(out))
"""


def ours(repeats: int, binary: str | None, big: str) -> dict[str, list[float]]:
    from geniml.evaluation import ctt_score, gdst_score, npt_score, rct_score

    jobs = {
        "ctt": lambda: ctt_score(MODEL, seed=42, n_threads=1),
        "gdst": lambda: gdst_score(MODEL, n_samples=10000, seed=42, n_threads=1),
        "npt100": lambda: float(npt_score(MODEL, k=50, n_samples=100, seed=0, n_threads=1).snpr[0]),
        "npt_all": lambda: float(npt_score(MODEL, k=50, n_samples=0, seed=0, n_threads=1).snpr[0]),
    }
    jobs["big_ctt"] = lambda: ctt_score(big, seed=42, n_threads=1)
    jobs["big_gdst"] = lambda: gdst_score(big, n_samples=10000, seed=42, n_threads=1)
    jobs["big_npt"] = lambda: float(npt_score(big, k=50, n_samples=1000, n_threads=1).query_npr[-1])
    if binary:
        jobs["rct"] = lambda: rct_score(MODEL, binary=binary, cv=5, seed=42, n_jobs=1, n_threads=1)
    out = {}
    for name, fn in jobs.items():
        best, val = float("inf"), None
        for _ in range(1 if name == "rct" else repeats):
            t = time.perf_counter()
            val = fn()
            best = min(best, time.perf_counter() - t)
        out[name] = [best, float(val)]
    return out


def make_binary(tmp: Path) -> str:
    """Tokenize the hg38 sample BEDs into the universe (bedtools) and pickle binary embeddings."""
    from geniml.eval.utils import get_bin_embeddings, save_base_embeddings

    tokens = []
    for f in sorted((DATA / "bedsets" / "geniml_hg38_sample").glob("*.bed")):
        hits = subprocess.run(
            ["bedtools", "intersect", "-u", "-a", str(MODEL / "universe.bed"), "-b", str(f)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        (tmp / f.name).write_text(hits)
        tokens.append(tmp / f.name)
    save_base_embeddings(get_bin_embeddings(MODEL / "universe.bed", tokens), tmp / "bin.pkl")
    return str(tmp / "bin.pkl")


def make_big(tmp: Path) -> str:
    """A larger model in upstream's "base" pickle format: real immune-atlas peaks, random vectors."""
    import numpy as np

    from geniml.eval.utils import BaseEmbeddings, _vocab, save_base_embeddings
    from geniml.io import load_universe

    regions = load_universe(ATLAS, dedup=True)
    vectors = np.random.default_rng(0).normal(size=(len(regions), 100)).astype(np.float32)
    save_base_embeddings(BaseEmbeddings(vectors, _vocab(regions)), tmp / "atlas.pkl")
    return str(tmp / "atlas.pkl")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--rct", action="store_true", help="also time RCT (minutes per side)")
    ap.add_argument("--peer-python", type=Path, default=None, help="python of the peer venv")
    args = ap.parse_args()
    global PEER
    if args.peer_python is not None:
        PEER = args.peer_python
    if not MODEL.is_dir() or not PEER.exists():
        sys.exit(f"need {MODEL} and the peer venv python {PEER}")
    with tempfile.TemporaryDirectory() as tmp:
        binary = None
        if args.rct:
            if shutil.which("bedtools") is None:
                sys.exit("--rct needs bedtools")
            binary = make_binary(Path(tmp))
        big = make_big(Path(tmp))
        mine = ours(args.repeats, binary, big)
        peer = subprocess.run(
            [str(PEER), "-c", PEER_SCRIPT, str(MODEL), str(args.repeats), binary or "-", big],
            capture_output=True,
            text=True,
            check=True,
        )
        theirs = json.loads(peer.stdout.strip().splitlines()[-1])
    head = f"{'workload':45s} {'geniml s':>10s} {'upstream s':>11s} {'speed-up':>9s}"
    print(head + "  value (ours / upstream)")
    for name, label in WORKLOADS.items():
        if name not in mine:
            continue
        (t1, v1), (t2, v2) = mine[name], theirs[name]
        print(f"{label:45s} {t1:10.4f} {t2:11.4f} {t2 / t1:8.1f}x  {v1:.6g} / {v2:.6g}")


if __name__ == "__main__":
    main()
