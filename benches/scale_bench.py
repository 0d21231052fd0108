"""Scale: atlas-sized cells and BEDbase-sized collections, streamed, with peak memory.

Data are real inputs enlarged (said as such in benches/README.md):
- cells: a backed ``.h5ad`` of N cells x 100k peaks, written block by block with h5py. The
  peaks are real (ENCODE TFBS hg19 peaks, deduplicated, first 100k in genome order); each
  cell draws ~3,000 accessible peaks from one of 12 peak-popularity profiles (a synthetic
  accessibility model, since no real atlas of that size is on this machine).
- collections: N BED files of 1,000 regions each, every region drawn from the real peaks of
  the ENCODE TFBS hg19 collection.

Every step runs in its own child process, so its peak RSS (ru_maxrss) is its own.

    .venv/bin/python benches/scale_bench.py cells --sizes 50000,100000,250000
    .venv/bin/python benches/scale_bench.py collections --sizes 10000,30000,100000 [--dask]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import DATA, OUT  # noqa: E402

N_PEAKS = 100_000
PER_CELL = 3_000


def real_peaks() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Real ENCODE hg19 TF peaks: unique (chrom, start, end), sorted, as arrays."""
    from geniml.io import BedSet

    rs = BedSet(DATA / "bedsets" / "encode_tfbs_hg19").to_regionset().sort().dedup()
    return rs.chrom_array().astype(str), rs.starts.copy(), rs.ends.copy()


def make_h5ad(path: Path, n_cells: int, seed: int = 0) -> None:
    """Write a cells x peaks CSR .h5ad block by block (anndata's on-disk layout)."""
    import anndata as ad
    import h5py
    import pandas as pd

    chroms, starts, ends = real_peaks()
    keep = np.linspace(0, len(starts) - 1, N_PEAKS).astype(np.int64)
    chroms, starts, ends = chroms[keep], starts[keep], ends[keep]
    rng = np.random.default_rng(seed)
    profiles = rng.dirichlet(np.full(N_PEAKS, 0.05), size=12)
    cdfs = np.cumsum(profiles, axis=1)
    var = pd.DataFrame(
        {"chr": chroms, "start": starts, "end": ends},
        index=[f"{c}:{s}-{e}" for c, s, e in zip(chroms, starts, ends, strict=True)],
    )
    obs = pd.DataFrame(
        {"cell_type": pd.Categorical([f"type{i % 12}" for i in range(n_cells)])},
        index=[f"cell{i}" for i in range(n_cells)],
    )
    # write the skeleton (empty X) with anndata, then X with h5py in blocks
    skel = ad.AnnData(obs=obs, var=var)
    skel.write_h5ad(path)
    block = 20_000
    with h5py.File(path, "a") as f:
        if "X" in f:
            del f["X"]
        g = f.create_group("X")
        g.attrs["encoding-type"] = "csr_matrix"
        g.attrs["encoding-version"] = "0.1.0"
        g.attrs["shape"] = (n_cells, N_PEAKS)
        data = g.create_dataset("data", (0,), maxshape=(None,), dtype="float32", chunks=(1 << 18,))
        ind = g.create_dataset("indices", (0,), maxshape=(None,), dtype="int32", chunks=(1 << 18,))
        indptr = np.zeros(n_cells + 1, dtype=np.int64)
        nnz = 0
        for b0 in range(0, n_cells, block):
            b1 = min(b0 + block, n_cells)
            rows = []
            for i in range(b0, b1):
                k = rng.poisson(PER_CELL)
                idx = np.unique(np.searchsorted(cdfs[i % 12], rng.random(k)))
                rows.append(np.minimum(idx, N_PEAKS - 1).astype(np.int32))
            lens = np.fromiter((len(r) for r in rows), np.int64, count=len(rows))
            indptr[b0 + 1 : b1 + 1] = nnz + np.cumsum(lens)
            cat = np.concatenate(rows)
            data.resize((nnz + len(cat),))
            ind.resize((nnz + len(cat),))
            ind[nnz:] = cat
            data[nnz:] = rng.integers(1, 4, len(cat)).astype(np.float32)
            nnz += len(cat)
        g.create_dataset("indptr", data=indptr)


def peaks_bed(path: Path) -> Path:
    import h5py

    with h5py.File(path, "r") as f:
        var = f["var"]
        chrom = var["chr"]
        codes = chrom["codes"][:] if isinstance(chrom, h5py.Group) else None
        cats = [c.decode() if isinstance(c, bytes) else c for c in chrom["categories"][:]] if codes is not None else None  # fmt: skip
        names = [cats[c] for c in codes] if codes is not None else [c.decode() for c in chrom[:]]
        starts, ends = var["start"][:], var["end"][:]
    out = path.with_suffix(".peaks.bed")
    out.write_text("".join(f"{c}\t{s}\t{e}\n" for c, s, e in zip(names, starts, ends, strict=True)))
    return out


def child(code: str) -> dict:
    """Run ``code`` in a fresh interpreter; it sets ``result`` (a dict); add peak RSS (MB)."""
    prog = textwrap.dedent(code) + textwrap.dedent(
        """
        import json, resource
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        """
    )
    out = subprocess.run([sys.executable, "-c", prog], capture_output=True, text=True)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_cells(sizes: list[int]) -> list[dict]:
    work = OUT / "scale_cells"
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for n in sizes:
        h5 = work / f"cells_{n}.h5ad"
        if not h5.exists():
            make_h5ad(h5, n)
        bed = peaks_bed(h5)
        tok = child(
            f"""
            import time, shutil, os
            os.environ["GENIML_NO_PROGRESS"] = "1"
            from geniml.tokenization.store import tokenize_cells_to_store
            out = "{work}/tok_{n}"
            shutil.rmtree(out, ignore_errors=True)
            t0 = time.perf_counter()
            s = tokenize_cells_to_store("{h5}", "{bed}", out, chunk_size=10000)
            dt = time.perf_counter() - t0
            result = dict(cells=len(s), tokens=s.n_tokens, seconds=dt)
            """
        )
        enc = child(
            f"""
            import time, os, numpy as np
            os.environ["GENIML_NO_PROGRESS"] = "1"
            import anndata as ad
            from geniml.scembed import ScEmbed
            from geniml.tokenization.store import TokenStore
            from geniml.tokenization import Tokenizer
            m = ScEmbed(tokenizer="{bed}", embedding_dim=100)
            m.train(dataset=next(TokenStore("{work}/tok_{n}").iter_chunks()), epochs=1)
            out = "{work}/emb_{n}.npy"
            if os.path.exists(out): os.unlink(out)
            t0 = time.perf_counter()
            e = m.encode("{h5}", output=out, chunk_size=20000)
            dt = time.perf_counter() - t0
            result = dict(seconds=dt, shape=list(e.shape))
            """
        )
        rows.append(
            {
                "cells": n,
                "tokens": tok["tokens"],
                "tokenize_s": tok["seconds"],
                "tokenize_cells_per_s": n / tok["seconds"],
                "tokenize_rss_mb": tok["peak_rss_mb"],
                "encode_s": enc["seconds"],
                "encode_cells_per_s": n / enc["seconds"],
                "encode_rss_mb": enc["peak_rss_mb"],
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def make_collection(folder: Path, n_files: int, per_file: int = 1000, seed: int = 0) -> None:
    chroms, starts, ends = real_peaks()
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    have = len(list(folder.glob("*.bed")))
    for i in range(have, n_files):
        pick = np.sort(rng.choice(len(starts), per_file, replace=False))
        lines = [f"{chroms[k]}\t{starts[k]}\t{ends[k]}\n" for k in pick]
        (folder / f"f{i:06d}.bed").write_text("".join(lines))


def bench_collections(sizes: list[int], use_dask: bool) -> list[dict]:
    work = OUT / "scale_collections"
    rows = []
    sizes_file = DATA / "chromsizes" / "hg19.chrom.sizes"
    for n in sizes:
        folder = work / f"beds_{n}"
        make_collection(folder, n)
        r = child(
            f"""
            import time, os
            os.environ["GENIML_NO_PROGRESS"] = "1"
            from geniml.io import bed_files_in
            from geniml.universe.coverage import compute_coverage
            from geniml.universe import build_universe
            paths = bed_files_in("{folder}")[:{n}]
            t0 = time.perf_counter()
            cov = compute_coverage(paths, "{sizes_file}")
            t1 = time.perf_counter()
            u = build_universe(cov, "cc", cutoff=max(2, {n} // 200))
            t2 = time.perf_counter()
            result = dict(files=len(paths), coverage_s=t1 - t0, cc_s=t2 - t1, universe=len(u))
            """
        )
        row = {
            "files": n,
            "coverage_s": r["coverage_s"],
            "cc_s": r["cc_s"],
            "rss_mb": r["peak_rss_mb"],
            "universe_regions": r["universe"],
        }
        if use_dask:
            d = child(
                f"""
                import time, os
                os.environ["GENIML_NO_PROGRESS"] = "1"
                from dask.distributed import Client, LocalCluster
                from geniml.io import bed_files_in
                from geniml import distributed as gd
                paths = bed_files_in("{folder}")[:{n}]
                with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as c, Client(c) as client:
                    t0 = time.perf_counter()
                    cov = gd.compute_coverage(paths, "{sizes_file}", client=client)
                    dt = time.perf_counter() - t0
                result = dict(seconds=dt)
                """
            )
            row["dask_coverage_s"] = d["seconds"]
            row["dask_overhead"] = d["seconds"] / r["coverage_s"]
        rows.append(row)
        print(json.dumps(row), flush=True)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["cells", "collections"])
    ap.add_argument("--sizes", default="")
    ap.add_argument("--dask", action="store_true")
    a = ap.parse_args()
    if a.what == "cells":
        sizes = [int(x) for x in (a.sizes or "50000,100000,250000").split(",")]
        bench_cells(sizes)
    else:
        sizes = [int(x) for x in (a.sizes or "10000,30000,100000").split(",")]
        bench_collections(sizes, a.dask)


if __name__ == "__main__":
    main()
