"""Tokenization: geniml vs gtars 0.10, ncls, bedtools intersect, upstream geniml, scipy.

Workloads (synthetic regions drawn with real peak widths over hg38's chromosomes):
1. 1M query regions x 1M-region universe, from BED files to id arrays.
2. 100k-region files against a prebuilt 1M-region tokenizer (per-file latency).
3. 5,000 cells x 100,000 peaks AnnData to token lists (upstream's per-cell loop is run on a
   subset and reported per cell; scipy: binary X @ peak-token incidence).
4. The real fragment files in ../shared/data against the immune-atlas peak universe.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import time

import numpy as np

from _common import DATA, OUT, best_of, peer_python, run_peer, synthetic_regions, table

PEER_FILES = """
from gtars.tokenizers import Tokenizer
from gtars.models import RegionSet
u, q, small = sys.argv[1], sys.argv[2], sys.argv[3]
res = {}
def gtars_run():
    t = Tokenizer.from_bed(u)
    return len(t.tokenize(RegionSet(q)))
res["gtars"] = best_of(gtars_run, 1)[0]
t = Tokenizer.from_bed(u)
res["gtars_small"] = best_of(lambda: len(t.tokenize(RegionSet(small))), 3)[0]
try:
    import numpy as np, pandas as pd
    from ncls import NCLS
    def ncls_run():
        a = pd.read_csv(u, sep="\\t", header=None, usecols=[0, 1, 2])
        b = pd.read_csv(q, sep="\\t", header=None, usecols=[0, 1, 2])
        n = 0
        for chrom, ga in a.groupby(0):
            gb = b[b[0] == chrom]
            idx = NCLS(ga[1].to_numpy(np.int64), ga[2].to_numpy(np.int64), ga.index.to_numpy(np.int64))
            l, r = idx.all_overlaps_both(gb[1].to_numpy(np.int64), gb[2].to_numpy(np.int64), gb.index.to_numpy(np.int64))
            n += len(l)
        return n
    res["ncls"] = best_of(ncls_run, 1)[0]
except ImportError:
    pass
try:
    import pyranges1 as pr
    def pr_run():
        a = pr.read_bed(u); b = pr.read_bed(q)
        return len(b.join_overlaps(a))
    res["pyranges1"] = best_of(pr_run, 1)[0]
except ImportError:
    pass
print(json.dumps(res))
"""

PEER_CELLS = """
import anndata as ad, numpy as np
from gtars.tokenizers import Tokenizer
from gtars.models import RegionSet
from geniml.tokenization.utils import tokenize_anndata
adata = ad.read_h5ad(sys.argv[1]); t = Tokenizer.from_bed(sys.argv[2]); n = int(sys.argv[3])
sub = adata[:n].copy()
res = {}
try:
    res["upstream_per_cell"] = best_of(lambda: tokenize_anndata(sub, t), 1)[0] / n
except Exception as e:  # upstream 0.8.4 + gtars 0.10: Region() signature changed
    res["upstream_error"] = f"{type(e).__name__}: {e}"[:120]
    chrs = np.asarray(sub.var["chr"]).astype(str); st = np.asarray(sub.var["start"]); en = np.asarray(sub.var["end"])
    x = sub.X.tocsr()
    def loop():  # upstream's per-cell loop, with gtars' current RegionSet
        out = []
        for i in range(x.shape[0]):
            nz = x[i].nonzero()[1]
            rs = RegionSet.from_vectors(chrs[nz].tolist(), st[nz].tolist(), en[nz].tolist())
            out.append(t.tokenize(rs))
        return out
    res["upstream_per_cell"] = best_of(loop, 1)[0] / n
print(json.dumps(res))
"""


PEER_FRAG = """
from gtars.tokenizers import Tokenizer, tokenize_fragment_file
t = Tokenizer.from_bed(sys.argv[1])
import os, tempfile
res = {}
for f in sys.argv[2:]:
    try:
        res[f] = best_of(lambda: tokenize_fragment_file(f, t), 1)[0]
    except Exception as e:
        res[f] = str(e)[:200]
print(json.dumps(res))
"""


def bench_files(py: str) -> list[tuple]:
    from geniml.tokenization import Tokenizer

    u = synthetic_regions(1_000_000, 1, OUT / "universe_1M.bed")
    q = synthetic_regions(1_000_000, 2, OUT / "query_1M.bed")
    small = synthetic_regions(100_000, 3, OUT / "query_100k.bed")
    t_geniml, n = best_of(lambda: len(Tokenizer.from_bed(u).tokenize(q).ids))
    tok = Tokenizer.from_bed(u)
    t_small, _ = best_of(lambda: tok.tokenize(small), 5)
    peers = run_peer(py, PEER_FILES, u, q, small)
    if shutil.which("bedtools"):

        def bt():
            return subprocess.run(
                ["bedtools", "intersect", "-a", str(q), "-b", str(u), "-wa", "-wb"],
                capture_output=True,
                check=True,
            ).stdout.count(b"\n")

        peers["bedtools"] = best_of(bt, 1)[0]
    rows = [("1M x 1M files -> ids", "geniml", f"{t_geniml:.3f}", "1.0x")]
    for k in ("gtars", "ncls", "pyranges1", "bedtools"):
        if k in peers:
            rows.append(
                ("1M x 1M files -> ids", k, f"{peers[k]:.3f}", f"{peers[k] / t_geniml:.1f}x")
            )
    rows.append(("100k file, prebuilt 1M tokenizer", "geniml", f"{t_small * 1000:.1f} ms", "1.0x"))
    if "gtars_small" in peers:
        rows.append(
            (
                "100k file, prebuilt 1M tokenizer",
                "gtars",
                f"{peers['gtars_small'] * 1000:.1f} ms",
                f"{peers['gtars_small'] / t_small:.1f}x",
            )
        )
    print(f"(geniml produced {n:,} tokens for the 1M queries)")
    return rows


def bench_cells(py: str) -> list[tuple]:
    import anndata as ad
    import scipy.sparse as sp

    from geniml.io import read_bed
    from geniml.tokenization import Tokenizer, tokenize_anndata

    peaks_path = synthetic_regions(100_000, 4, OUT / "peaks_100k.bed")
    u = synthetic_regions(1_000_000, 1, OUT / "universe_1M.bed")
    h5 = OUT / "cells_5000x100k.h5ad"
    if not h5.exists():
        rng = np.random.default_rng(5)
        x = sp.random(
            5000,
            100_000,
            density=0.02,
            format="csr",
            random_state=rng,
            data_rvs=lambda k: np.ones(k, dtype=np.float32),
        )
        peaks = read_bed(peaks_path)
        import pandas as pd

        var = pd.DataFrame(
            {"chr": peaks.chrom_array().astype(str), "start": peaks.starts, "end": peaks.ends},
            index=[f"p{i}" for i in range(len(peaks))],
        )
        ad.AnnData(X=x, var=var).write_h5ad(h5)
    adata = ad.read_h5ad(h5)
    tok = Tokenizer.from_bed(u)
    t_geniml, cells = best_of(lambda: tokenize_anndata(adata, tok))

    def scipy_run():
        off, ids = tok.overlaps(read_bed(peaks_path))
        rows = np.repeat(np.arange(len(off) - 1), np.diff(off))
        m = sp.csr_matrix(
            (np.ones(len(ids), dtype=np.float32), (rows, ids)), shape=(len(off) - 1, tok.n_regions)
        )
        y = (adata.X @ m).tocsr()
        y.sort_indices()
        return y

    t_scipy, y = best_of(scipy_run)
    assert np.array_equal(y.indices, cells.ids), "scipy and geniml disagree"
    n_sub = 100
    peer = run_peer(py, PEER_CELLS, h5, u, str(n_sub))
    rows = [
        ("5000 cells x 100k peaks", "geniml", f"{t_geniml:.3f}", "1.0x"),
        ("5000 cells x 100k peaks", "scipy X @ M", f"{t_scipy:.3f}", f"{t_scipy / t_geniml:.1f}x"),
    ]
    if peer:
        up = peer["upstream_per_cell"] * 5000
        how = (
            "upstream tokenize_anndata"
            if "upstream_error" not in peer
            else "upstream's per-cell loop with gtars (tokenize_anndata itself fails: "
            + peer["upstream_error"]
            + ")"
        )
        rows.append(
            (
                "5000 cells x 100k peaks",
                f"{how}; {n_sub} cells timed, x50",
                f"{up:.1f}",
                f"{up / t_geniml:.0f}x",
            )
        )
    return rows


def bench_fragments(py: str) -> list[tuple]:
    from geniml.io import read_bed
    from geniml.tokenization import Tokenizer, tokenize_fragments

    uni = OUT / "immune_universe.bed"
    if not uni.exists():
        rs = read_bed(DATA / "bedsets" / "immune_atlas_peaks_hg38.bed").dedup()
        from geniml.io import RegionSet

        RegionSet((rs.chrom_array(), rs.starts, rs.ends)).to_bed(uni)
    # the real files have no barcode column (bulk ATAC); gtars needs one, so both tools get
    # the same fragments with 10x-style barcode and count columns (200 pseudo-cells)
    frags = []
    for src in sorted((DATA / "fragments").glob("*.gz")):
        dst = OUT / src.name.replace(".bed.gz", ".barcoded.tsv.gz")
        if not dst.exists():
            import gzip

            rows_in = gzip.open(src, "rt").read().splitlines()
            text = "".join(f"{r}\tCELL{i % 200:03d}\t1\n" for i, r in enumerate(rows_in))
            dst.write_bytes(gzip.compress(text.encode(), 1))
        frags.append(dst)

    tok = Tokenizer.from_bed(uni)
    t0 = time.perf_counter()
    for f in frags:
        tokenize_fragments(f, tok)
    t_geniml = time.perf_counter() - t0
    peer = run_peer(py, PEER_FRAG, uni, *frags)
    rows = [("2 real fragment files (660k fragments)", "geniml", f"{t_geniml:.3f}", "1.0x")]
    times = [v for v in peer.values() if isinstance(v, float)]
    if len(times) == len(frags):
        rows.append(
            (
                "2 real fragment files (660k fragments)",
                "gtars tokenize_fragment_file",
                f"{sum(times):.3f}",
                f"{sum(times) / t_geniml:.1f}x",
            )
        )
    elif peer:
        rows.append(
            ("2 real fragment files", "gtars", "failed: " + str(list(peer.values())[0]), "-")
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python")
    args = ap.parse_args()
    py = peer_python(args.peer_python)
    OUT.mkdir(exist_ok=True)
    for section in (bench_files, bench_cells, bench_fragments):
        print(table(section(py), ("workload", "tool", "time (s)", "geniml speed-up")), flush=True)


if __name__ == "__main__":
    main()
