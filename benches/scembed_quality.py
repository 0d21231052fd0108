"""scEmbed quality on real labelled cells: Schep et al. 2017, 600 cells x 12 cell types (hg19).

In one run: scEmbed cell embeddings and the standard LSI baseline (TF-IDF + truncated SVD, as
in ArchR/Signac, first component dropped), each clustered with k-means (k = 12) and with
Leiden, scored by ARI and NMI against the true labels; also the timing of one scEmbed training
epoch vs upstream geniml (gensim Word2Vec on the same cells, in the peer venv). Writes a UMAP
PNG coloured by cell type.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from _common import DATA, OUT, run_peer, table

PEER_EPOCH = """
import pyarrow.parquet as pq
from gensim.models import Word2Vec
docs = [[str(t) for t in row] for row in pq.read_table(sys.argv[1])["tokens"].to_pylist()]
dim, win, neg = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
m = Word2Vec(vector_size=dim, window=win, min_count=1, negative=neg, workers=2, seed=1)
m.build_vocab(docs)
secs = best_of(lambda: m.train(docs, total_examples=len(docs), epochs=1), 3)[0]
print(json.dumps({"gensim_epoch": secs}))
"""


def scores(x: np.ndarray, labels: np.ndarray, seed: int = 0) -> dict:
    import anndata as ad
    import scanpy as sc
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    km = KMeans(12, n_init=10, random_state=seed).fit_predict(x)
    a = ad.AnnData(np.zeros((len(x), 1), dtype=np.float32))
    a.obsm["rep"] = x
    sc.pp.neighbors(a, use_rep="rep", n_neighbors=15, random_state=seed)
    sc.tl.leiden(
        a, resolution=1.0, random_state=seed, flavor="igraph", n_iterations=2, directed=False
    )
    le = a.obs["leiden"].to_numpy()
    return {
        "ari_kmeans": adjusted_rand_score(labels, km),
        "nmi_kmeans": normalized_mutual_info_score(labels, km),
        "ari_leiden": adjusted_rand_score(labels, le),
        "nmi_leiden": normalized_mutual_info_score(labels, le),
        "n_leiden": len(set(le)),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--dim", type=int, default=64)
    ap.add_argument("--window", type=int, default=10)
    args = ap.parse_args()
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer

    from geniml.io import RegionSet, read_scatac
    from geniml.scembed import ScEmbed
    from geniml.tokenization import tokenize_cells

    OUT.mkdir(exist_ok=True)
    adata = read_scatac(DATA / "scatac" / "schep2017_600cells_hg19")
    labels = adata.obs["cell_type"].to_numpy()
    universe = OUT / "schep_universe.bed"
    if not universe.exists():
        RegionSet(
            (adata.var["chr"].values, adata.var["start"].values, adata.var["end"].values)
        ).to_bed(universe)
    tokens = OUT / "schep_tokens.parquet"
    tokenize_cells(adata, universe, tokens, force=True)

    lsi = TruncatedSVD(31, random_state=0).fit_transform(TfidfTransformer().fit_transform(adata.X))
    lsi = lsi[:, 1:]
    res = {"LSI (TF-IDF + SVD, 30 dims)": scores(lsi, labels)}

    t_train = {}
    for sg in (False, True):
        model = ScEmbed(embedding_dim=args.dim, window_size=args.window, negative_samples=5)
        t0 = time.perf_counter()
        model.train(tokens, epochs=args.epochs, seed=1, sg=sg)
        t_train[sg] = time.perf_counter() - t0
        x = model.encode(adata)  # the skip-gram embedding (the better one) is plotted
        name = "skip-gram" if sg else "CBOW"
        key = f"scEmbed {name} ({args.dim} dims, window {args.window}, {args.epochs} epochs)"
        res[key] = scores(x, labels)
    rows = [
        (
            k,
            f"{v['ari_kmeans']:.3f}",
            f"{v['nmi_kmeans']:.3f}",
            f"{v['ari_leiden']:.3f}",
            f"{v['nmi_leiden']:.3f}",
            v["n_leiden"],
        )
        for k, v in res.items()
    ]
    print(
        table(
            rows,
            (
                "embedding",
                "ARI k-means",
                "NMI k-means",
                "ARI Leiden",
                "NMI Leiden",
                "Leiden clusters",
            ),
        )
    )
    print(
        f"\nscEmbed training, CBOW: {t_train[False]:.2f} s for {args.epochs} epochs "
        f"({t_train[False] / args.epochs * 1000:.0f} ms per epoch); skip-gram "
        f"{t_train[True]:.2f} s"
    )
    if args.peer_python:
        peer = run_peer(args.peer_python, PEER_EPOCH, tokens, str(args.dim), str(args.window), "5")
        if peer:
            print(
                f"upstream (gensim Word2Vec, same cells and settings): "
                f"{peer['gensim_epoch'] * 1000:.0f} ms per epoch -> "
                f"{peer['gensim_epoch'] / (t_train[False] / args.epochs):.1f}x (CBOW)"
            )
    from geniml.evaluation import plot_embeddings

    png = plot_embeddings(
        x,
        labels,
        method="umap" if _has_umap() else "pca",
        path=OUT / "scembed_schep_umap.png",
        force=True,
    )
    print(f"plot -> {png}")


def _has_umap() -> bool:
    try:
        import umap  # noqa: F401
    except ImportError:
        return False
    return True


if __name__ == "__main__":
    main()
