"""scEmbed quality on labelled cells, every method of issue 16 in one run.

Data sets:
- ``schep``: Schep et al. 2017, 600 real cells x 5,036 peaks, 12 cell types (hg19); universe =
  the peaks.
- ``encode``: pseudo-cells sampled from the 10 labelled ENCODE TF-binding peak sets of
  ``bedsets/encode_tfbs_hg19`` (label = the set: 4 CTCF sets of 4 cell types, EZH2 of 3, ...).
  Universe = all sets' peaks merged. Each pseudo-cell holds 400 peaks drawn without replacement
  from its set plus 200 drawn uniformly from the universe (background), 40 cells per set.

Methods: geniml scEmbed with the user's defaults (``ScEmbed(embedding_dim=100)``,
``train(tokens, epochs=100)``, ``encode``), geniml's word2vec solver (CBOW with the same
defaults, and skip-gram with the demo's settings), upstream-style gensim CBOW (peer venv, 100
epochs, mean pooling), gensim Doc2Vec PV-DBOW (64 dims, 50 epochs), LSI (sklearn TF-IDF +
TruncatedSVD(31), first component dropped) and SnapATAC2 ``tl.spectral`` (default feature
selection; peer venv). Each is run with 3 seeds (training seed, k-means and Leiden seeds;
``--slow-seeds`` lowers it for the word2vec / Doc2Vec trainers); scores are on L2-normalised
embeddings, mean +- sd: k-means (k = number of labels) ARI / NMI, and Leiden ARI on one
15-neighbour graph per embedding, at the resolution that gives k clusters (found by bisection,
the same rule for every method) and at resolution 1.
Seconds are training + encoding wall time per seed, imports excluded. Transfer: train on a stratified half,
encode the other half, k-NN label transfer (``annotate_celltypes``, k = 10) against LSI fitted on
the same half and projected the same way. Writes UMAP PNGs coloured by type to ``bench_out/``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

import numpy as np

from _common import DATA, OUT, peer_python, table

PEER = r"""
import json, sys, time
import numpy as np
kind, npz, out, seed = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
z = np.load(npz)
offsets, ids = z["offsets"], z["ids"]
docs = [[str(t) for t in ids[offsets[i]:offsets[i + 1]]] for i in range(len(offsets) - 1)]
rng = np.random.default_rng(seed)
if kind == "snapatac2":  # imports are not timed (for any method)
    import anndata, scipy.sparse, snapatac2
else:
    import gensim.models, gensim.models.doc2vec
t0 = time.perf_counter()
if kind == "gensim_cbow":
    from gensim.models import Word2Vec
    docs = [list(rng.permutation(d)) for d in docs]
    m = Word2Vec(docs, vector_size=100, window=5, min_count=1, negative=5, epochs=100,
                 workers=2, seed=seed + 1, sg=0)
    x = np.stack([np.mean([m.wv[t] for t in d], axis=0) for d in docs])
elif kind == "doc2vec":
    from gensim.models.doc2vec import Doc2Vec, TaggedDocument
    tagged = [TaggedDocument(d, [i]) for i, d in enumerate(docs)]
    m = Doc2Vec(tagged, dm=0, vector_size=64, min_count=1, negative=5, epochs=50, workers=2,
                seed=seed + 1)
    x = np.stack([m.dv[i] for i in range(len(docs))])
elif kind == "snapatac2":
    import anndata as ad, scipy.sparse as sp, snapatac2 as snap
    n, m_ = len(offsets) - 1, int(z["n_vars"])
    rows = np.repeat(np.arange(n), np.diff(offsets))
    X = sp.csr_matrix((np.ones(len(ids), dtype=np.float32), (rows, ids)), shape=(n, m_))
    a = ad.AnnData(X)
    a.var_names = [str(v) for v in z["var_names"]]
    snap.pp.select_features(a, verbose=False)
    snap.tl.spectral(a, random_state=seed)
    x = np.asarray(a.obsm["X_spectral"])
np.save(out, x.astype(np.float32))
print(json.dumps({"seconds": time.perf_counter() - t0}))
"""


# -- data sets ------------------------------------------------------------------------------
def schep():
    from geniml.io import read_scatac

    a = read_scatac(DATA / "scatac" / "schep2017_600cells_hg19")
    a.obs["label"] = a.obs["cell_type"].astype(str)
    return a


def encode_pseudocells(n_per_set: int = 40, n_own: int = 400, n_background: int = 200):
    """Pseudo-cells from the labelled ENCODE peak sets (fixed seed: the data set is fixed)."""
    import anndata as ad
    import pandas as pd
    import scipy.sparse as sp

    from geniml.io import RegionSet, read_bed
    from geniml.tokenization import Tokenizer

    folder = DATA / "bedsets" / "encode_tfbs_hg19"
    meta = pd.read_csv(folder / "metadata.tsv", sep="\t")
    sets = [read_bed(folder / f) for f in meta["file"]]
    chrom = np.concatenate([s.chrom_array() for s in sets])
    starts = np.concatenate([s.starts for s in sets])
    ends = np.concatenate([s.ends for s in sets])
    universe = RegionSet((chrom, starts, ends)).sort().merge()
    tok = Tokenizer(universe)
    rng = np.random.default_rng(2017)
    rows, cols, labels = [], [], []
    for s, (_, r) in zip(sets, meta.iterrows(), strict=True):
        own = np.unique(tok.tokenize(s).ids)
        own = own[own < tok.n_regions]
        name = f"{r['cellType']} {r['antibody']}"
        for _ in range(n_per_set):
            c = len(labels)
            pick = rng.choice(own, size=min(n_own, len(own)), replace=False)
            bg = rng.choice(tok.n_regions, size=n_background, replace=False)
            t = np.unique(np.concatenate([pick, bg]))
            rows.append(np.full(len(t), c))
            cols.append(t)
            labels.append(name)
    x = sp.csr_matrix(
        (
            np.ones(sum(len(c) for c in cols), dtype=np.float32),
            (np.concatenate(rows), np.concatenate(cols)),
        ),
        shape=(len(labels), tok.n_regions),
    )
    a = ad.AnnData(x)
    a.obs_names = [f"cell{i}" for i in range(len(labels))]
    a.obs["label"] = labels
    a.var["chr"] = np.asarray(universe.chrom_array(), dtype=str)
    a.var["start"] = universe.starts
    a.var["end"] = universe.ends
    a.var_names = [
        f"{c}:{s}-{e}" for c, s, e in zip(a.var["chr"], a.var["start"], a.var["end"], strict=True)
    ]
    return a


# -- scoring --------------------------------------------------------------------------------
def scores(x: np.ndarray, labels: np.ndarray, seed: int) -> dict:
    import anndata as ad
    import scanpy as sc
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    x = x / np.maximum(np.linalg.norm(x, axis=1, keepdims=True), 1e-12)
    k = len(set(labels))
    km = KMeans(k, n_init=10, random_state=seed).fit_predict(x)
    a = ad.AnnData(np.zeros((len(x), 1), dtype=np.float32))
    a.obsm["rep"] = x
    sc.pp.neighbors(a, use_rep="rep", n_neighbors=15, random_state=seed)

    def leiden(res: float) -> np.ndarray:
        sc.tl.leiden(
            a, resolution=res, random_state=seed, flavor="igraph", n_iterations=2, directed=False
        )
        return a.obs["leiden"].to_numpy()

    le1 = leiden(1.0)
    # resolution found by bisection so that Leiden finds k clusters (the closest count if
    # none hits k exactly): the same rule for every method, on the same 15-neighbour graph
    lo, hi, best = 0.02, 5.0, (abs(len(set(le1)) - k), 1.0, le1)
    for _ in range(24):
        res = (lo * hi) ** 0.5
        le = leiden(res)
        n = len(set(le))
        best = min(best, (abs(n - k), res, le), key=lambda t: (t[0], abs(np.log(t[1]))))
        if n == k:
            break
        lo, hi = (lo, res) if n > k else (res, hi)
    return {
        "ari": adjusted_rand_score(labels, km),
        "nmi": normalized_mutual_info_score(labels, km),
        "leiden": adjusted_rand_score(labels, best[2]),
        "leiden_res": best[1],
        "leiden1": adjusted_rand_score(labels, le1),
    }


# -- methods --------------------------------------------------------------------------------
def lsi_fit(x, seed: int, dim: int = 31):
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer

    tf = TfidfTransformer().fit(x)
    svd = TruncatedSVD(dim, random_state=seed).fit(tf.transform(x))
    return lambda y: svd.transform(tf.transform(y))[:, 1:]


def geniml_method(**train):
    def run(ctx, seed):
        import torch  # noqa: F401  (imports are not timed, for any method)

        import geniml.region2vec  # noqa: F401
        from geniml.scembed import ScEmbed

        model = ScEmbed(embedding_dim=train.get("_dim", 100), window_size=train.get("_window", 5))
        kw = {k: v for k, v in train.items() if not k.startswith("_")}
        t0 = time.perf_counter()
        model.train(ctx["tokens"], seed=seed, **kw)
        x = model.encode(ctx["adata"])
        return x, time.perf_counter() - t0

    return run


def lsi_method(ctx, seed):
    t0 = time.perf_counter()
    x = lsi_fit(ctx["adata"].X, seed)(ctx["adata"].X)
    return x, time.perf_counter() - t0


def peer_method(kind):
    def run(ctx, seed):
        out = OUT / f"peer_{kind}_{ctx['name']}_{seed}.npy"
        p = subprocess.run(
            [ctx["peer"], "-c", PEER, kind, str(ctx["npz"]), str(out), str(seed)],
            capture_output=True,
            text=True,
            check=False,
        )
        if p.returncode != 0:
            print(p.stderr[-3000:], file=sys.stderr)
            return None, float("nan")
        import json

        secs = json.loads(p.stdout.strip().splitlines()[-1])["seconds"]
        return np.load(out), secs

    return run


METHODS = {
    "geniml scEmbed, defaults (spectral solver)": geniml_method(epochs=100),
    "geniml scEmbed, word2vec CBOW (the old default)": geniml_method(epochs=100, solver="word2vec"),
    "geniml scEmbed, word2vec skip-gram (64 dims, window 10, 30 epochs)": geniml_method(
        epochs=30, solver="word2vec", sg=True, _dim=64, _window=10
    ),
    "upstream-style gensim CBOW (100 dims, 100 epochs, mean pooling)": peer_method("gensim_cbow"),
    "gensim Doc2Vec PV-DBOW (64 dims, 50 epochs)": peer_method("doc2vec"),
    "LSI (TF-IDF + TruncatedSVD(31), 1st dropped)": lsi_method,
    "SnapATAC2 2.9 tl.spectral": peer_method("snapatac2"),
}


SLOW = ("word2vec", "gensim")  # word2vec / Doc2Vec trainers: minutes per seed under load


def context(name, adata, peer):
    from geniml.io import RegionSet
    from geniml.tokenization import tokenize_anndata, tokenize_cells

    universe = OUT / f"{name}_universe.bed"
    RegionSet((adata.var["chr"].values, adata.var["start"].values, adata.var["end"].values)).to_bed(
        universe, force=True
    )
    tokens = OUT / f"{name}_tokens.parquet"
    tokenize_cells(adata, universe, tokens, force=True)
    from geniml.tokenization import Tokenizer

    cells = tokenize_anndata(adata, Tokenizer.from_bed(universe))
    npz = OUT / f"{name}_cells.npz"
    np.savez(
        npz,
        offsets=np.asarray(cells.offsets, dtype=np.int64),
        ids=np.asarray(cells.ids, dtype=np.int64),
        n_vars=adata.n_vars,
        var_names=np.asarray(
            [
                f"{c}:{s}-{e}"
                for c, s, e in zip(
                    adata.var["chr"], adata.var["start"], adata.var["end"], strict=True
                )
            ]
        ),
    )
    return {
        "name": name,
        "adata": adata,
        "tokens": tokens,
        "universe": universe,
        "npz": npz,
        "peer": peer,
    }


def transfer(ctx, seed):
    """Train on a stratified half, encode the other half, kNN label transfer accuracy."""
    from sklearn.model_selection import train_test_split

    from geniml.scembed import ScEmbed, annotate_celltypes
    from geniml.tokenization import tokenize_cells

    a = ctx["adata"]
    idx = np.arange(a.n_obs)
    tr, te = train_test_split(idx, test_size=0.5, stratify=a.obs["label"], random_state=seed)
    ref, qry = a[tr].copy(), a[te].copy()
    tokens = OUT / f"{ctx['name']}_half_tokens.parquet"
    tokenize_cells(ref, ctx["universe"], tokens, force=True)
    model = ScEmbed(embedding_dim=100)
    model.train(tokens, epochs=100, seed=seed)
    ref.obsm["scembed_X"] = model.encode(ref)
    qry.obsm["scembed_X"] = model.encode(qry)
    out = {}
    pred = annotate_celltypes(qry, ref, embedding_key="scembed_X", label_key="label", k=10)
    out["scembed"] = float((pred["pred_celltype"].values == qry.obs["label"].values).mean())
    proj = lsi_fit(ref.X, seed)
    ref.obsm["lsi"], qry.obsm["lsi"] = proj(ref.X), proj(qry.X)
    pred = annotate_celltypes(qry, ref, embedding_key="lsi", label_key="label", k=10)
    out["lsi"] = float((pred["pred_celltype"].values == qry.obs["label"].values).mean())
    return out


def fmt(v):
    v = np.asarray([x for x in v if np.isfinite(x)])
    if not len(v):
        return "-"
    return f"{v[0]:.3f}" if len(v) == 1 else f"{v.mean():.3f} ± {v.std(ddof=1):.3f}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--data", nargs="*", default=["schep", "encode"])
    ap.add_argument("--methods", nargs="*", help="substrings of method names to run")
    ap.add_argument(
        "--slow-seeds",
        type=int,
        help="seeds for the slow word2vec / Doc2Vec methods (default: --seeds)",
    )
    args = ap.parse_args()
    OUT.mkdir(exist_ok=True)
    peer = peer_python(args.peer_python)
    load = os.getloadavg()
    print(f"load average at start: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}", flush=True)
    builders = {"schep": schep, "encode": encode_pseudocells}
    for name in args.data:
        adata = builders[name]()
        labels = adata.obs["label"].to_numpy()
        ctx = context(name, adata, peer)
        print(
            f"\n## {name}: {adata.n_obs} cells x {adata.n_vars} peaks, {len(set(labels))} labels",
            flush=True,
        )
        rows = []
        for mname, fn in METHODS.items():
            if args.methods and not any(s in mname for s in args.methods):
                continue
            res: dict[str, list[float]] = {
                "ari": [],
                "nmi": [],
                "leiden": [],
                "leiden_res": [],
                "leiden1": [],
                "secs": [],
            }
            first = None
            slow = any(w in mname for w in SLOW)
            n_seeds = args.slow_seeds if slow and args.slow_seeds else args.seeds
            for seed in range(n_seeds):
                x, secs = fn(ctx, seed)
                if x is None:
                    continue
                first = x if first is None else first
                for k, v in scores(x, labels, seed).items():
                    res[k].append(v)
                res["secs"].append(secs)
            rows.append(
                (
                    mname,
                    fmt(res["ari"]),
                    fmt(res["nmi"]),
                    fmt(res["leiden"]),
                    fmt(res["leiden1"]),
                    fmt(res["leiden_res"]),
                    fmt(res["secs"]),
                    str(len(res["secs"])),
                )
            )
            print("| " + " | ".join(rows[-1]) + " |", flush=True)
            if first is not None and "defaults (spectral" in mname:
                from geniml.evaluation import plot_embeddings

                png = plot_embeddings(
                    first,
                    labels,
                    method="umap",
                    path=OUT / f"scembed_{name}_umap.png",
                    force=True,
                    title=f"scEmbed defaults, {name}",
                )
                print(f"plot -> {png}", flush=True)
        print()
        print(
            table(
                rows,
                (
                    "method",
                    "ARI k-means",
                    "NMI k-means",
                    "ARI Leiden (k clusters)",
                    "ARI Leiden (res 1)",
                    "resolution",
                    "seconds",
                    "seeds",
                ),
            )
        )
        tr = [transfer(ctx, s) for s in range(args.seeds)]
        print(
            f"\ntransfer ({name}, half -> half, kNN k=10 accuracy): "
            f"scEmbed {fmt([t['scembed'] for t in tr])}, LSI {fmt([t['lsi'] for t in tr])}",
            flush=True,
        )
    load = os.getloadavg()
    print(f"\nload average at end: {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}")


if __name__ == "__main__":
    main()
