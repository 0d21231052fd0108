"""Region2Vec quality on real region sets: geniml vs upstream geniml 0.8.4 (gensim), same tokens.

Data: the 10 ENCODE TF sets (labels antibody, cell type) and the 11 DiffBind ER sets (labels
tissue, condition), hg19. Universe: the merged union of all 21 sets (until a universe builder
lands). Each set is one document (its tokens, unknowns dropped). Both tools train on exactly
these id arrays with the same settings (dim 100, window 5, negative 5, sample 1e-3, alpha
0.025 -> 1e-4, min_count 1, `--epochs`, CBOW and skip-gram); upstream through its own
`train_region2vec_model` (gensim, on upstream's `Region2VecDataset` with per-access shuffling).
A region set's embedding is the mean of its tokens' vectors (the same code for both tools).
Metrics per label: cosine silhouette and leave-one-out 1-NN accuracy (cosine), averaged over
`--seeds` seeds (mean ± sd).

gensim ignores every token past the 10,000th of a sentence, and upstream hands it whole region
sets, so per pass upstream trains on a random 10,000 tokens of each large set (the ENCODE CTCF
sets hold 45-67k). The column "upstream, split" feeds upstream the same sets cut into rows of at
most 10,000 tokens (all tokens trained, as geniml does by default); "geniml cap 10k" trains
geniml with `max_doc_tokens=10_000`, which reproduces upstream's per-pass truncation.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from _common import DATA, OUT, peer_python, run_peer, table

PEER = """
import numpy as np
from geniml.region2vec.utils import Region2VecDataset, train_region2vec_model
path, epochs, sg, seed, vocab, out = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
ds = Region2VecDataset(path, shuffle=True, convert_to_str=True)
import contextlib, io
with contextlib.redirect_stdout(io.StringIO()):
    m = train_region2vec_model(ds, embedding_dim=100, window_size=5, epochs=epochs, min_count=1,
                               num_cpus=2, seed=seed, gensim_params={"sg": sg, "negative": 5})
emb = np.zeros((vocab, 100), dtype=np.float32)
for k, i in m.wv.key_to_index.items():
    emb[int(k)] = m.wv.vectors[i]
np.save(out, emb)
print(json.dumps({"ok": 1}))
"""


def load_sets():
    import polars as pl

    groups = {}
    for name, labels in (
        ("encode_tfbs_hg19", ("antibody", "cellType")),
        ("diffbind_er_chr18_hg19", ("Tissue", "Condition")),
    ):
        folder = DATA / "bedsets" / name
        meta = pl.read_csv(folder / "metadata.tsv", separator="\t")
        files = [folder / f for f in meta["file"].to_list()]
        groups[name] = (files, {lab: meta[lab].cast(str).to_list() for lab in labels})
    return groups


def metrics(vecs: np.ndarray, labels: list[str]) -> tuple[float, float]:
    from sklearn.metrics import silhouette_score

    lab = np.array(labels)
    v = vecs / np.linalg.norm(vecs, axis=1, keepdims=True).clip(1e-12)
    sims = v @ v.T
    np.fill_diagonal(sims, -np.inf)
    knn = float((lab[sims.argmax(axis=1)] == lab).mean())
    sil = float(silhouette_score(v, lab, metric="cosine")) if len(set(labels)) > 1 else float("nan")
    return sil, knn


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python")
    ap.add_argument("--epochs", type=int, default=10)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    os.environ.setdefault("GENIML_NO_PROGRESS", "1")
    peer = peer_python(args.peer_python)

    import pyarrow as pa
    import pyarrow.parquet as pq

    from geniml.io import BedSet
    from geniml.region2vec import Region2VecExModel
    from geniml.tokenization import Tokenizer

    groups = load_sets()
    all_files = [f for files, _ in groups.values() for f in files]
    tok = Tokenizer(BedSet(all_files).to_regionset().sort().merge(0))
    docs = [t.ids for t in tok.tokenize_batch(all_files, drop_unknown=True)]
    OUT.mkdir(exist_ok=True)
    parquet = OUT / "r2v_quality_tokens.parquet"
    pq.write_table(pa.table({"tokens": [d.tolist() for d in docs]}), parquet)
    rng = np.random.default_rng(0)
    split = [
        c.tolist() for d in docs for c in np.array_split(rng.permutation(d), -(-len(d) // 10_000))
    ]
    parquet_split = OUT / "r2v_quality_tokens_split.parquet"
    pq.write_table(pa.table({"tokens": split}), parquet_split)
    tools = ("geniml", "geniml cap 10k", "upstream (gensim)", "upstream, split")
    print(f"{len(docs)} sets, {sum(map(len, docs)):,} tokens, vocabulary {tok.vocab_size:,}")

    results: dict[tuple[str, str, str, str], list[tuple[float, float]]] = {}
    for sg in (0, 1):
        mode = "skip-gram" if sg else "CBOW"
        for seed in range(args.seeds):
            embs = {}
            for tool, cap in ((tools[0], None), (tools[1], 10_000)):
                m = Region2VecExModel(tokenizer=tok, device="cpu")
                m.train(
                    docs,
                    epochs=args.epochs,
                    min_count=1,
                    num_cpus=2,
                    seed=seed,
                    sg=bool(sg),
                    max_doc_tokens=cap,
                )
                embs[tool] = m.embeddings
            for tool, path in ((tools[2], parquet), (tools[3], parquet_split)):
                emb_path = OUT / "r2v_quality_upstream.npy"
                ok = run_peer(peer, PEER, path, args.epochs, sg, seed, tok.vocab_size, emb_path)
                embs[tool] = np.load(emb_path) if ok else None
            start = 0
            for name, (files, labels) in groups.items():
                d = docs[start : start + len(files)]
                start += len(files)
                for tool, emb in embs.items():
                    if emb is None:
                        continue
                    vecs = np.stack([emb[x].mean(axis=0) for x in d])
                    for lab, values in labels.items():
                        key = (mode, name, lab, tool)
                        results.setdefault(key, []).append(metrics(vecs, values))
    rows = []
    for sg_mode in ("CBOW", "skip-gram"):
        for name, (_, labels) in groups.items():
            for lab in labels:
                cells = []
                for tool in tools:
                    r = np.array(results.get((sg_mode, name, lab, tool), [(np.nan, np.nan)]))
                    cells += [
                        f"{r[:, 0].mean():.3f} ± {r[:, 0].std():.3f}",
                        f"{r[:, 1].mean():.2f} ± {r[:, 1].std():.2f}",
                    ]
                rows.append((sg_mode, name, lab, *cells))
    print(
        table(
            rows,
            ("mode", "sets", "label")
            + tuple(f"{t} {m}" for t in tools for m in ("silhouette", "1-NN")),
        )
    )


if __name__ == "__main__":
    main()
