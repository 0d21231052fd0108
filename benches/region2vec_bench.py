"""Region2Vec: training throughput vs gensim 4.4 Word2Vec, encode throughput vs upstream geniml.

Corpus (built from real region frequencies): the universe is every distinct region of the 10
ENCODE TF sets and the 11 DiffBind ER sets (hg19, de-duplicated, not merged: > 100k tokens);
each real set is tokenized against it, and synthetic documents are drawn by picking a real set
(probability proportional to its size) and keeping a random half of its tokens, until the corpus
holds `--tokens` tokens. Token frequencies and co-occurrences are therefore those of the real
sets. Documents are cut into sentences of at most 10,000 tokens for both tools (gensim ignores
tokens past 10,000 in a sentence).

Training: identical settings for both (vector 100, window 5, negative 5, sample 1e-3,
min_count 10, alpha 0.025 -> 1e-4, `--epochs`, `--threads` workers), CBOW and skip-gram, once
per seed (`--seeds`, gensim and geniml alternate). Time is the `train` call only, wall clock
and CPU time of the process (gensim's vocabulary building and our corpus preparation are
excluded); the table shows medians over the seeds and the load average at each run.
Quality, the same code for both tools' tables: the negative-sampling loss of 20,000 fixed
(context, centre, 5 negatives) examples drawn from the corpus, scored with each model's input
and output vectors in the mode it was trained in ("final loss"; after one epoch over a
261k vocabulary it stays within 1e-3 of the untrained 6 ln 2 for both tools); the mean training
loss per prediction (geniml's report; gensim's `compute_loss` sum divided by its trained words,
times 6 in skip-gram, the expected context count of a reduced window of 5); leave-one-out 1-NN accuracy
of 2,000 documents' mean vectors against the real set each was drawn from; and the adjusted
Rand index of k-means (13 clusters) on those vectors. Equal within the seeds' spread = equal
quality. The memory floor (`--floor`) is the CPU time the rows each token touches would take
at this machine's copy bandwidth (measured in the same run with a numpy copy).

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
sg, epochs, workers, seed = (int(a) for a in sys.argv[2:6])
m = Word2Vec(vector_size=100, window=5, min_count=10, workers=workers, sg=sg, negative=5,
             sample=1e-3, alpha=0.025, min_alpha=1e-4, seed=seed)
t0 = time.perf_counter(); m.build_vocab(sents); t_vocab = time.perf_counter() - t0
t0, c0 = time.perf_counter(), time.process_time()
words, _ = m.train(sents, total_examples=len(sents), epochs=epochs, compute_loss=True)
t, cpu = time.perf_counter() - t0, time.process_time() - c0
emb = np.zeros((len(vocab), 100), dtype=np.float32)
out = np.zeros((len(vocab), 100), dtype=np.float32)
for k, i in m.wv.key_to_index.items():
    emb[int(k)] = m.wv.vectors[i]
    out[int(k)] = m.syn1neg[i]
np.savez(sys.argv[6], emb=emb, out=out)
per = words * (6 if sg else 1)
tl = m.get_latest_training_loss() / max(per, 1)
print(json.dumps({"seconds": t, "cpu": cpu, "vocab_seconds": t_vocab, "words": words, "tloss": tl}))
"""

PEER_CURVE = """
import numpy as np
from gensim.models import Word2Vec
from gensim.models.callbacks import CallbackAny2Vec
d = np.load(sys.argv[1])
ids, offs = d["ids"], d["offsets"]
vocab = [str(i) for i in range(int(ids.max()) + 1)]
sents = [[vocab[t] for t in ids[offs[k]:offs[k + 1]]] for k in range(len(offs) - 1)]
sg, epochs, workers, seed = (int(a) for a in sys.argv[2:6])
snaps = []
class Snap(CallbackAny2Vec):
    def on_epoch_end(self, model):
        emb = np.zeros((len(vocab), 100), dtype=np.float32)
        out = np.zeros((len(vocab), 100), dtype=np.float32)
        for k, i in model.wv.key_to_index.items():
            emb[int(k)] = model.wv.vectors[i]
            out[int(k)] = model.syn1neg[i]
        snaps.append((emb, out))
m = Word2Vec(sents, vector_size=100, window=5, min_count=10, workers=workers, sg=sg,
             negative=5, sample=1e-3, alpha=0.025, min_alpha=1e-4, seed=seed, epochs=epochs,
             callbacks=[Snap()])
np.savez(sys.argv[6], **{f"emb{e}": a for e, (a, _) in enumerate(snaps)},
         **{f"out{e}": b for e, (_, b) in enumerate(snaps)})
print(json.dumps({"epochs": len(snaps)}))
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


def eval_examples(ids, offsets, vocab_size: int, n: int = 20_000, seed: int = 7) -> dict:
    """Fixed evaluation examples: centre, its window (+-5, same document), 5 noise draws."""
    rng = np.random.default_rng(seed)
    counts = np.bincount(ids, minlength=vocab_size).astype(np.float64)
    counts[counts < 10] = 0
    p = counts**0.75
    p /= p.sum()
    doc = rng.integers(0, len(offsets) - 1, size=4 * n)
    lo, hi = offsets[doc], offsets[doc + 1]
    ok = hi - lo > 11
    doc, lo, hi = doc[ok][:n], lo[ok][:n], hi[ok][:n]
    pos = lo + 5 + (rng.random(len(doc)) * (hi - lo - 10)).astype(np.int64)
    ctx = np.stack([ids[pos + d] for d in (-5, -4, -3, -2, -1, 1, 2, 3, 4, 5)], axis=1)
    pos = pos[:n]
    return {
        "centre": ids[pos],
        "ctx": ctx,
        "neg": rng.choice(vocab_size, size=(len(pos), 5), p=p),
        "trained": counts > 0,
    }


def ns_loss(emb: np.ndarray, out: np.ndarray, ex: dict, sg: bool) -> float:
    """Mean negative-sampling loss of the fixed examples (untrained tokens masked out)."""

    def logsig(x):
        return -np.logaddexp(0.0, -x)

    keep = ex["trained"][ex["centre"]]
    c, ctx, neg = ex["centre"][keep], ex["ctx"][keep], ex["neg"][keep]
    valid = ex["trained"][ctx].astype(np.float32)
    u_pos, u_neg = out[c].astype(np.float64), out[neg].astype(np.float64)
    if sg:  # every context token predicts the centre
        h = emb[ctx].astype(np.float64)
        lp = logsig(np.einsum("bkd,bd->bk", h, u_pos))
        ln = logsig(-np.einsum("bkd,bnd->bkn", h, u_neg)).sum(-1)
        per = -((lp + ln) * valid).sum(1) / valid.sum(1).clip(1)
    else:  # the mean of the context predicts the centre
        h = (emb[ctx] * valid[..., None]).sum(1) / valid.sum(1, keepdims=True).clip(1)
        h = h.astype(np.float64)
        per = -(logsig((h * u_pos).sum(1)) + logsig(-np.einsum("bnd,bd->bn", u_neg, h)).sum(1))
    return float(per.mean())


def doc_ari(emb: np.ndarray, ids, offsets, labels, n: int = 2000, seed: int = 1) -> float:
    """Adjusted Rand index of k-means on mean document vectors vs the source set."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    rng = np.random.default_rng(seed)
    pick = rng.choice(len(labels), size=min(n, len(labels)), replace=False)
    vecs = np.stack([emb[ids[offsets[k] : offsets[k + 1]]].mean(axis=0) for k in pick])
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True).clip(1e-12)
    k = len(np.unique(labels))
    pred = KMeans(n_clusters=k, n_init=4, random_state=0).fit_predict(vecs)
    return float(adjusted_rand_score(labels[pick], pred))


def copy_bandwidth() -> float:
    """Single-core copy bandwidth (bytes read + written per CPU second), numpy, 512 MB."""
    a = np.ones(2**27, dtype=np.float32)
    b = np.empty_like(a)
    best = float("inf")
    for _ in range(5):
        c0 = time.process_time()
        np.copyto(b, a)
        best = min(best, time.process_time() - c0)
    return 2 * a.nbytes / best


def _stat(xs: list[float], fmt: str = ".3f") -> str:
    return f"{np.mean(xs):{fmt}} ± {np.std(xs):{fmt}}"


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
    ex = eval_examples(ids, offsets, vocab_size)
    bw = copy_bandwidth()
    print(
        f"copy bandwidth {bw / 1e9:.1f} GB/s per core (load {os.getloadavg()[0]:.1f}); "
        f"{len(ex['centre'])} loss examples, untrained loss {6 * np.log(2):.5f}",
        flush=True,
    )
    rows = []
    for sg in (0, 1):
        mode = "skip-gram" if sg else "CBOW"
        runs: dict[str, list[dict]] = {"gensim": [], "geniml": []}
        for seed in range(42, 42 + args.seeds):
            emb_path = OUT / f"r2v_gensim_sg{sg}.npz"
            load = os.getloadavg()[0]
            g = run_peer(
                peer, PEER_TRAIN, corpus_path, sg, args.epochs, args.threads, seed, emb_path
            )
            if g:
                d = np.load(emb_path)
                g.update(
                    load=load,
                    loss=ns_loss(d["emb"], d["out"], ex, bool(sg)),
                    knn=doc_knn(d["emb"], ids, offsets, labels),
                    ari=doc_ari(d["emb"], ids, offsets, labels),
                )
                runs["gensim"].append(g)
            cfg = TrainConfig(
                window_size=5,
                epochs=args.epochs,
                min_count=10,
                negative=5,
                sample=1e-3,
                init_lr=0.025,
                min_lr=1e-4,
                sg=bool(sg),
                seed=seed,
                n_threads=args.threads,
                shared_negatives=args.shared_negatives,
            )
            m = Region2Vec(vocab_size, 100, padding_idx=vocab_size - 6)
            load = os.getloadavg()[0]
            c0 = time.process_time()
            rep = fit(
                m,
                ids,
                offsets,
                cfg,
                exclude=[vocab_size - 6],
                device=torch.device("cpu"),
                backend="rust",
            )
            cpu = time.process_time() - c0
            emb = m.projection.weight.detach().numpy()
            out = m.output.weight.detach().numpy()
            ours = {
                "seconds": rep.seconds,
                "cpu": cpu,
                "words": rep.words,
                "load": load,
                "tloss": float(np.mean(rep.losses)),
                "loss": ns_loss(emb, out, ex, bool(sg)),
                "knn": doc_knn(emb, ids, offsets, labels),
                "ari": doc_ari(emb, ids, offsets, labels),
            }
            runs["geniml"].append(ours)
            for tool, r in (("gensim", runs["gensim"][-1:] if g else []), ("geniml", [ours])):
                for x in r:
                    print(
                        f"{mode} seed {seed} {tool}: wall {x['seconds']:.1f}s cpu {x['cpu']:.1f}s "
                        f"load {x['load']:.1f} train loss {x['tloss']:.4f} loss {x['loss']:.5f} 1-NN {x['knn']:.3f} "
                        f"ARI {x['ari']:.3f}",
                        flush=True,
                    )
        us, them = runs["geniml"], runs["gensim"]
        med = lambda rs, k: float(np.median([r[k] for r in rs])) if rs else float("nan")  # noqa: E731
        # rows touched per trained token (each read and written back): the input row entering
        # the window, the centre's output row, and the negatives' rows once per shared group
        rows_per_tok = 2 + 5 / args.shared_negatives
        floor = med(us, "words") * args.epochs * rows_per_tok * 400 * 2 / bw
        rows.append(
            (
                mode,
                f"{med(them, 'seconds'):.1f}",
                f"{med(us, 'seconds'):.1f}",
                f"{med(them, 'seconds') / med(us, 'seconds'):.2f}x",
                f"{med(them, 'cpu'):.1f}",
                f"{med(us, 'cpu'):.1f}",
                f"{med(them, 'cpu') / med(us, 'cpu'):.2f}x",
                f"{floor:.1f} ({med(us, 'cpu') / floor:.1f}x)",
                _stat([r["tloss"] for r in them], ".4f") if them else "-",
                _stat([r["tloss"] for r in us], ".4f"),
                _stat([r["loss"] for r in them], ".5f") if them else "-",
                _stat([r["loss"] for r in us], ".5f"),
                _stat([r["knn"] for r in them]) if them else "-",
                _stat([r["knn"] for r in us]),
                _stat([r["ari"] for r in them]) if them else "-",
                _stat([r["ari"] for r in us]),
                f"{min(r['load'] for r in us + them):.1f}-{max(r['load'] for r in us + them):.1f}",
            )
        )
    return rows


def loss_curve(args, peer: str) -> list[tuple]:
    """Fixed-example loss after each epoch, both tools, on a corpus where the loss moves.

    The throughput corpus trains each token ~25 times per epoch over 261k tokens, too little
    for the fixed-example loss to leave 6 ln 2; here the same documents keep only their tokens
    seen >= 35 times (the most frequent few per cent), and 5 epochs run.
    """
    import torch

    from geniml.region2vec._nn import Region2Vec
    from geniml.region2vec._train import TrainConfig, fit

    ids, offsets, _, vocab_size = build_corpus(args.tokens)
    keep = np.bincount(ids, minlength=vocab_size)[ids] >= 35
    lengths = np.add.reduceat(keep, offsets[:-1]) if len(ids) else np.zeros(0)
    ids = ids[keep]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    path = OUT / "r2v_curve_corpus.npz"
    OUT.mkdir(exist_ok=True)
    np.savez(path, ids=ids, offsets=offsets)
    ex = eval_examples(ids, offsets, vocab_size)
    print(
        f"loss curve corpus: {len(ids):,} tokens, {len(np.unique(ids)):,} distinct",
        flush=True,
    )
    epochs = 5
    rows = []
    for sg in (0, 1):
        curves: dict[str, list[list[float]]] = {"gensim": [], "geniml": []}
        for seed in range(42, 42 + args.seeds):
            snap = OUT / "r2v_curve_gensim.npz"
            if run_peer(peer, PEER_CURVE, path, sg, epochs, args.threads, seed, snap):
                d = np.load(snap)
                curves["gensim"].append(
                    [ns_loss(d[f"emb{e}"], d[f"out{e}"], ex, bool(sg)) for e in range(epochs)]
                )
            ours = []
            m = Region2Vec(vocab_size, 100, padding_idx=vocab_size - 6)
            ckpt = OUT / "r2v_curve_ckpt"
            ckpt.mkdir(exist_ok=True)
            cfg = TrainConfig(
                window_size=5,
                epochs=epochs,
                min_count=10,
                negative=5,
                sample=1e-3,
                init_lr=0.025,
                min_lr=1e-4,
                sg=bool(sg),
                seed=seed,
                n_threads=args.threads,
                shared_negatives=args.shared_negatives,
            )
            fit(
                m,
                ids,
                offsets,
                cfg,
                exclude=[vocab_size - 6],
                device=torch.device("cpu"),
                backend="rust",
                save_checkpoint_path=ckpt,
            )
            for e in range(1, epochs + 1):
                st = torch.load(ckpt / f"epoch_{e:04d}.pt", weights_only=True)
                ours.append(
                    ns_loss(
                        st["projection.weight"].numpy(), st["output.weight"].numpy(), ex, bool(sg)
                    )
                )
            curves["geniml"].append(ours)
            print(f"sg={sg} seed {seed}: {curves}", flush=True)
        for tool in ("gensim", "geniml"):
            c = np.array(curves[tool])
            if len(c):
                rows.append(
                    ("skip-gram" if sg else "CBOW", tool)
                    + tuple(f"{m:.4f} ± {s:.4f}" for m, s in zip(c.mean(0), c.std(0), strict=True))
                )
    return rows


TRAIN_HEADER = (
    "mode",
    "gensim s",
    "geniml s",
    "wall ratio",
    "gensim CPU s",
    "geniml CPU s",
    "CPU ratio",
    "memory floor CPU s (geniml / floor)",
    "gensim train loss",
    "geniml train loss",
    "gensim final loss",
    "geniml final loss",
    "gensim 1-NN",
    "geniml 1-NN",
    "gensim ARI",
    "geniml ARI",
    "load",
)


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
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument(
        "--shared-negatives", type=int, default=1, help="geniml's TrainConfig.shared_negatives"
    )
    ap.add_argument("--skip-train", action="store_true")
    ap.add_argument("--skip-encode", action="store_true")
    ap.add_argument(
        "--loss-curve", action="store_true", help="only the per-epoch loss curves (5 epochs)"
    )
    args = ap.parse_args()
    os.environ.setdefault("GENIML_NO_PROGRESS", "1")
    peer = peer_python(args.peer_python)
    if args.loss_curve:
        rows = loss_curve(args, peer)
        print(table(rows, ("mode", "tool") + tuple(f"epoch {e}" for e in range(1, 6))))
        raise SystemExit(0)
    if not args.skip_train:
        rows = bench_train(args, peer)
        print(table(rows, TRAIN_HEADER))
    if not args.skip_encode:
        print(table(bench_encode(peer), ("encode", "region sets/s", "vs upstream")))
