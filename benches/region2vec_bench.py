"""Region2Vec: training throughput vs gensim 4.4 Word2Vec, encode throughput vs upstream geniml.

Corpus (built from real region frequencies): the universe is every distinct region of the 10
ENCODE TF sets and the 11 DiffBind ER sets (hg19, de-duplicated, not merged: > 100k tokens);
each real set is tokenized against it, and synthetic documents are drawn by picking a real set
(probability proportional to its size) and keeping a random half of its tokens, until the corpus
holds `--tokens` tokens. Token frequencies and co-occurrences are therefore those of the real
sets. Documents are cut into sentences of at most 10,000 tokens for both tools (gensim ignores
tokens past 10,000 in a sentence).

Training: identical settings for both (vector 100, window 5, negative 5, sample 1e-3,
min_count 10, alpha 0.025 -> 1e-4, `--epochs`, `--threads` workers), CBOW and skip-gram. Time is
the `train` call only (gensim's vocabulary building and our corpus preparation are excluded and
printed separately). Quality check: leave-one-out 1-NN accuracy of 2,000 documents' mean
vectors against the real set each was drawn from (same for both tools = equal quality).

Encode: region sets/s over the 13 hg38 sample BED files with the upstream export model:
upstream `encode(path)` (one vector per region, then mean) vs geniml `encode(list_of_paths)`
(one pooled vector per set) and geniml `encode(path)` (per region, as upstream).
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np

from _common import DATA, OUT, peer_python, run_peer, table

PEER_TRAIN = """
import numpy as np
from gensim.models import Word2Vec
d = np.load(sys.argv[1])
ids, offs = d["ids"], d["offsets"]
vocab = [str(i) for i in range(int(ids.max()) + 1)]
sents = [[vocab[t] for t in ids[offs[k]:offs[k + 1]]] for k in range(len(offs) - 1)]
sg, epochs, workers = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
m = Word2Vec(vector_size=100, window=5, min_count=10, workers=workers, sg=sg, negative=5,
             sample=1e-3, alpha=0.025, min_alpha=1e-4, seed=42)
t0 = time.perf_counter(); m.build_vocab(sents); t_vocab = time.perf_counter() - t0
t0 = time.perf_counter()
words, _ = m.train(sents, total_examples=len(sents), epochs=epochs)
t = time.perf_counter() - t0
emb = np.zeros((len(vocab), 100), dtype=np.float32)
for k, i in m.wv.key_to_index.items():
    emb[int(k)] = m.wv.vectors[i]
np.save(sys.argv[5], emb)
print(json.dumps({"seconds": t, "vocab_seconds": t_vocab, "words": words}))
"""

PEER_ENCODE = """
from geniml.region2vec.main import Region2VecExModel
m = Region2VecExModel.from_pretrained(sys.argv[1])
files = sys.argv[2:]
def run():
    return [m.encode(f).mean(axis=0) for f in files]
t, out = best_of(run, 1)
print(json.dumps({"seconds": t, "n": len(files)}))
"""


def build_corpus(n_tokens: int, seed: int = 0):
    """(ids, offsets, labels, vocab_size) of the synthetic corpus; see the module docstring."""
    from geniml.io import BedSet, bed_files_in
    from geniml.tokenization import Tokenizer

    files = bed_files_in(DATA / "bedsets/encode_tfbs_hg19") + bed_files_in(
        DATA / "bedsets/diffbind_er_chr18_hg19"
    )
    universe = BedSet(files).to_regionset().sort().dedup()
    tok = Tokenizer(universe)
    real = [t.ids for t in tok.tokenize_batch(files, drop_unknown=True)]
    rng = np.random.default_rng(seed)
    sizes = np.array([len(r) for r in real], dtype=np.float64)
    docs, labels, total = [], [], 0
    while total < n_tokens:
        k = int(rng.choice(len(real), p=sizes / sizes.sum()))
        doc = rng.permutation(real[k])[: max(len(real[k]) // 2, 1)]
        for s in range(0, len(doc), 10_000):  # gensim's sentence cap, for both tools
            docs.append(doc[s : s + 10_000])
            labels.append(k)
        total += len(doc)
    lengths = np.array([len(d) for d in docs], dtype=np.int64)
    offsets = np.zeros(len(docs) + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    return np.concatenate(docs).astype(np.int64), offsets, np.array(labels), tok.vocab_size


def doc_knn(emb: np.ndarray, ids, offsets, labels, n: int = 2000, seed: int = 1) -> float:
    """Leave-one-out 1-NN accuracy (cosine) of mean document vectors by source set."""
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(labels), size=min(n, len(labels)), replace=False)
    vecs = np.stack([emb[ids[offsets[k] : offsets[k + 1]]].mean(axis=0) for k in pick])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True).clip(1e-12)
    sims = vecs @ vecs.T
    np.fill_diagonal(sims, -np.inf)
    return float((labels[pick][sims.argmax(axis=1)] == labels[pick]).mean())


def bench_train(args, peer: str) -> list[tuple]:
    import torch

    from geniml.region2vec._nn import Region2Vec
    from geniml.region2vec._train import TrainConfig, fit

    t0 = time.perf_counter()
    ids, offsets, labels, vocab_size = build_corpus(args.tokens)
    print(
        f"corpus: {len(offsets) - 1} sentences, {len(ids):,} tokens, vocabulary "
        f"{vocab_size:,} ({time.perf_counter() - t0:.1f}s to build)",
        flush=True,
    )
    OUT.mkdir(exist_ok=True)
    corpus_path = OUT / "r2v_corpus.npz"
    np.savez(corpus_path, ids=ids, offsets=offsets)
    rows = []
    for sg in (0, 1):
        mode = "skip-gram" if sg else "CBOW"
        emb_path = OUT / f"r2v_gensim_sg{sg}.npy"
        g = run_peer(peer, PEER_TRAIN, corpus_path, sg, args.epochs, args.threads, emb_path)
        cfg = TrainConfig(
            window_size=5,
            epochs=args.epochs,
            min_count=10,
            negative=5,
            sample=1e-3,
            init_lr=0.025,
            min_lr=1e-4,
            sg=bool(sg),
            seed=42,
            n_threads=args.threads,
        )
        m = Region2Vec(vocab_size, 100, padding_idx=vocab_size - 6)
        t0 = time.perf_counter()
        rep = fit(
            m,
            ids,
            offsets,
            cfg,
            exclude=[vocab_size - 6],
            device=torch.device("cpu"),
            backend="rust",
        )
        total = time.perf_counter() - t0
        ours_tps = len(ids) * args.epochs / rep.seconds
        ours_q = doc_knn(m.projection.weight.detach().numpy(), ids, offsets, labels)
        if g:
            g_tps = len(ids) * args.epochs / g["seconds"]
            g_q = doc_knn(np.load(emb_path), ids, offsets, labels)
            rows.append(
                (
                    mode,
                    f"{g['seconds']:.1f}",
                    f"{rep.seconds:.1f}",
                    f"{g_tps / 1e6:.2f}M",
                    f"{ours_tps / 1e6:.2f}M",
                    f"{ours_tps / g_tps:.2f}x",
                    f"{g_q:.3f}",
                    f"{ours_q:.3f}",
                )
            )
        else:
            rows.append(
                (
                    mode,
                    "-",
                    f"{rep.seconds:.1f}",
                    "-",
                    f"{ours_tps / 1e6:.2f}M",
                    "-",
                    "-",
                    f"{ours_q:.3f}",
                )
            )
        print(
            f"{mode}: geniml prep+train {total:.1f}s; gensim vocab "
            f"{g.get('vocab_seconds', float('nan')):.1f}s",
            flush=True,
        )
    return rows


def bench_encode(peer: str) -> list[tuple]:
    from geniml.io import bed_files_in
    from geniml.region2vec import Region2VecExModel

    folder = DATA / "models/geniml_region2vec_export"
    files = [str(p) for p in bed_files_in(DATA / "bedsets/geniml_hg38_sample")] * 8
    m = Region2VecExModel.from_pretrained(folder, device="cpu")
    t0 = time.perf_counter()
    m.encode(files)
    t_sets = time.perf_counter() - t0
    t0 = time.perf_counter()
    for f in files:
        m.encode(f).mean(axis=0)
    t_regions = time.perf_counter() - t0
    g = run_peer(peer, PEER_ENCODE, folder, *files)
    n = len(files)
    up = n / g["seconds"] if g else float("nan")
    return [
        ("upstream encode(path) + mean", f"{up:,.0f}", "1.00x"),
        ("geniml encode(path) + mean", f"{n / t_regions:,.0f}", f"{n / t_regions / up:.1f}x"),
        ("geniml encode(list of paths)", f"{n / t_sets:,.0f}", f"{n / t_sets / up:.1f}x"),
    ]


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python")
    ap.add_argument("--tokens", type=int, default=20_000_000)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--skip-train", action="store_true")
    args = ap.parse_args()
    os.environ.setdefault("GENIML_NO_PROGRESS", "1")
    peer = peer_python(args.peer_python)
    if not args.skip_train:
        rows = bench_train(args, peer)
        print(
            table(
                rows,
                (
                    "mode",
                    "gensim s",
                    "geniml s",
                    "gensim tok/s",
                    "geniml tok/s",
                    "speed-up",
                    "gensim doc 1-NN",
                    "geniml doc 1-NN",
                ),
            )
        )
    print(table(bench_encode(peer), ("encode", "region sets/s", "vs upstream")))
