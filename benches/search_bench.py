"""Search: retrieval quality on the labelled collections, and index speed vs hnswlib.

Quality (``--part quality``). For each collection (ENCODE TFBS hg19, DiffBind ER chr18 hg19,
the geniml hg38 sample) a Region2Vec model on the collection's universe (the merged union of
its files) gets its token vectors from scEmbed's spectral solver with every run of 10
consecutive tokens of a file as one document (``--methods``: ``window10``, the default; also
``spectral``, whole files as documents, and ``skipgram``, word2vec; see ``collection``). Each
file's region-set embedding is ``model.encode`` (mean pooling), centred by the collection mean
(as ``build_search_index`` stores them).

- BED-to-BED: every file queries the others (itself left out); relevant = the files with the
  same label. MAP and R-precision (upstream's definitions, ``geniml.search.rank_metrics``),
  beside ranking by base-pair Jaccard overlap (|A and B| / |A or B| of the merged sets, from
  ``RegionSet.merge``) and the expectation of a random ranking.
- Text-to-BED (``--tasks text``): leave one file out, train Vec2Vec (all-MiniLM-L6-v2
  sentence embeddings -> centred region-set embeddings, early stopping on a 10% split) on the
  others' metadata sentences, query with the held-out file's full metadata sentence and rank
  all files; relevant = the files sharing the held-out file's label (itself included).

Speed (``--part speed``). Vectors: Dirichlet(1, 1, 1) mixes of three real region-set
embeddings of one collection (skip-gram models of the three collections) plus one real
subsampling residual (a random half of a file embedded minus the file's embedding) scaled by
U(0.5, 2) (``mixtures``); 1,000 queries drawn the same way; ground truth by exact cosine.
geniml ``HNSWBackend`` (faiss HNSW) and hnswlib in the peer venv, both efConstruction 200 and
2 build threads, for each M of ``--m-ours`` / ``--m-peer`` (upstream: M 64) over an ef ladder;
one query a call on one thread, and the whole query matrix in one call on 2 threads.
Text query end to end (``--part text``): ``SearchBackend.query(text=...)`` on the ENCODE index
(encode + Vec2Vec + search + DataFrame), median of 100 calls (wall and process CPU time).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
import warnings

import numpy as np

from _common import DATA, OUT, peer_python, run_peer, table

COLLECTIONS = {
    "encode_tfbs_hg19": {
        "labels": ["antibody", "cellType"],
        "text": ["cellType", "antibody"],
    },
    "diffbind_er_chr18_hg19": {
        "labels": ["Tissue", "Condition"],
        "text": ["Tissue", "Factor", "Condition", "Treatment"],
    },
    "geniml_hg38_sample": {
        "labels": ["cell_line", "target"],
        "text": ["assay", "target", "tissue", "cell_line"],
    },
}


def _hg38_metadata(folder, names):
    import polars as pl

    lines = [
        ln.split("\t")
        for ln in (folder / "hg38_metadata_sample.tab").read_text().splitlines()
        if ln
    ]
    rows = {
        ln[0]: {"assay": ln[2], "target": ln[3], "tissue": ln[4], "cell_line": ln[5]}
        for ln in lines
    }
    for r in pl.read_csv(folder / "ATAC_hg38_sample_for_geniml.csv").iter_rows(named=True):
        rows[r["file"]] = {
            "assay": "ChIP-Seq" if r["antibody"] else "ATAC-Seq",
            "target": r["antibody"] or "ATAC-Seq",
            "tissue": r["tissue"],
            "cell_line": r["cell_line"],
        }
    return pl.DataFrame([{"file": n, **rows[n.split(".")[0]]} for n in names])


def collection(name, method="window10"):
    """(files, metadata table, model, raw region-set embeddings).

    ``method``: how the Region2Vec token vectors are obtained on the collection's universe.
    ``"window10"`` (the bench's method): the truncated SVD of the degree-normalised
    documents x tokens matrix (``geniml.scembed.spectral_token_vectors``, scEmbed's default
    solver), with every run of 10 consecutive tokens of a file as one document: the local
    context skip-gram sees, factorised in one step. ``"spectral"``: the same solver with each
    whole BED file as one document. ``"skipgram"``: the word2vec skip-gram trainer (dim 100,
    30 epochs, window 5; the earlier method). The region-set embeddings are
    ``model.encode(files)`` (mean pooling), as the index's BED queries.
    """
    import polars as pl
    import torch

    from geniml.io import RegionSet, read_bed
    from geniml.region2vec import Region2VecExModel
    from geniml.scembed import spectral_token_vectors
    from geniml.tokenization import Tokenizer

    folder = DATA / "bedsets" / name
    files = sorted(folder.glob("*.bed"))
    names = [f.name for f in files]
    if (folder / "metadata.tsv").is_file():
        meta = pl.read_csv(folder / "metadata.tsv", separator="\t")
        meta = meta.with_columns(pl.col("file").cast(pl.String))
        meta = pl.DataFrame({"file": names}).join(meta, on="file", how="left")
    else:
        meta = _hg38_metadata(folder, names)
    uni = RegionSet.from_polars(pl.concat([read_bed(f).to_polars() for f in files])).sort().merge()
    model = Region2VecExModel(tokenizer=Tokenizer(uni), embedding_dim=100, device="cpu")
    docs = [t.ids for t in model.tokenizer.tokenize_batch(files, drop_unknown=True)]
    os.environ["GENIML_NO_PROGRESS"] = "1"
    if method == "skipgram":
        model.train(docs, epochs=30, min_count=1, seed=0, sg=True)
        return files, meta, model, model.encode(files)
    tok = model.tokenizer
    if method == "spectral":
        units = [np.unique(d) for d in docs]
    elif method == "window10":  # tokens come sorted by position
        units = [np.unique(d[lo : lo + 10]) for d in docs for lo in range(0, len(d), 10)]
        units = [u for u in units if len(u) > 1]
    else:
        raise ValueError(f"unknown method {method!r}")
    offsets = np.zeros(len(units) + 1, dtype=np.int64)
    np.cumsum([len(u) for u in units], out=offsets[1:])
    vecs = spectral_token_vectors(
        offsets,
        np.concatenate(units),
        vocab_size=tok.vocab_size,
        dim=100,
        exclude=np.arange(tok.n_regions, tok.vocab_size),
    )
    with torch.no_grad():
        model.model.projection.weight.copy_(torch.from_numpy(vecs))
    return files, meta, model, model.encode(files)


def bp(rs) -> int:
    return int(rs.sort().merge().widths.sum())


def jaccard_matrix(files) -> np.ndarray:
    import polars as pl

    from geniml.io import RegionSet, read_bed

    sets = [read_bed(f) for f in files]
    size = [bp(s) for s in sets]
    n = len(sets)
    jac = np.eye(n)
    for i in range(n):
        for j in range(i + 1, n):
            union = bp(RegionSet.from_polars(pl.concat([sets[i].to_polars(), sets[j].to_polars()])))
            jac[i, j] = jac[j, i] = (size[i] + size[j] - union) / union
    return jac


def expected_random(
    n_items: int, relevant: list[list[int]], reps: int = 2000
) -> tuple[float, float]:
    from geniml.search import rank_metrics

    rng = np.random.default_rng(0)
    ap, rp = [], []
    for rel in relevant:
        for _ in range(reps // len(relevant) + 1):
            a, _, r = rank_metrics(rng.permutation(n_items), rel)
            ap.append(a)
            rp.append(r)
    return float(np.mean(ap)), float(np.mean(rp))


def quality(methods: list[str], text: bool) -> list[tuple]:
    import polars as pl

    from geniml.search import TextEncoder, metadata_sentences, rank_metrics
    from geniml.text2bednn import Vec2Vec

    enc = TextEncoder()
    rows = []
    for name, spec in COLLECTIONS.items():
        files, meta, _model, x = collection(name, methods[0])
        sims = {}
        for method in methods:
            xm = x if method == methods[0] else collection(name, method)[3]
            xmc = xm - xm.mean(axis=0)
            xmn = xmc / np.linalg.norm(xmc, axis=1, keepdims=True)
            sims[method] = xmn @ xmn.T
        xc = x - x.mean(axis=0)
        xn = xc / np.linalg.norm(xc, axis=1, keepdims=True)
        jac = jaccard_matrix(files)
        n = len(files)
        sentences = metadata_sentences(meta, id_column="file", text_columns=spec["text"])
        flat = [s for ss in sentences for s in ss]
        emb = dict(zip(flat, enc.encode(flat), strict=True)) if text else {}
        for label in spec["labels"]:
            lab = meta[label].cast(pl.String).to_list()
            # BED-to-BED, self left out
            res: dict[str, list] = {k: [] for k in [*methods, "jac"]}
            rel_sets = []
            for i in range(n):
                rel = [j for j in range(n) if j != i and lab[j] == lab[i]]
                if not rel:
                    continue
                others = [j for j in range(n) if j != i]
                rel_sets.append([others.index(j) for j in rel])
                for key, m in [*sims.items(), ("jac", jac)]:
                    order = sorted(others, key=lambda j, m=m: (-m[i, j], j))
                    a, _, r = rank_metrics(order, rel)
                    res[key].append((a, r))
            rnd = expected_random(n - 1, rel_sets)
            jc = np.mean(res["jac"], axis=0)
            for method in methods:
                r2v = np.mean(res[method], axis=0)
                rows.append(
                    (
                        name,
                        label,
                        f"BED-to-BED ({method})",
                        len(rel_sets),
                        f"{r2v[0]:.3f} / {r2v[1]:.3f}",
                        f"{jc[0]:.3f} / {jc[1]:.3f}",
                        f"{rnd[0]:.3f} / {rnd[1]:.3f}",
                    )
                )
                print(rows[-1], flush=True)
            if not text:
                continue
            # Text-to-BED, leave one out
            t_res, t_rel = [], []
            for i in range(n):
                tx = [emb[s] for j in range(n) if j != i for s in sentences[j]]
                ty = [xc[j] for j in range(n) if j != i for _ in sentences[j]]
                if not sentences[i]:
                    continue
                v = Vec2Vec(enc.dim, 100, num_units=256, device="cpu")
                v.train(np.array(tx), np.array(ty), validation=0.1, epochs=1000, patience=20, rng=i)
                q = v.encode(emb[sentences[i][0]])
                s = xn @ (q / np.linalg.norm(q))
                order = sorted(range(n), key=lambda j, s=s: (-s[j], j))
                rel = [j for j in range(n) if lab[j] == lab[i]]
                t_rel.append(rel)
                a, _, r = rank_metrics(order, rel)
                t_res.append((a, r))
            trnd = expected_random(n, t_rel)
            t = np.mean(t_res, axis=0)
            rows.append(
                (
                    name,
                    label,
                    f"text-to-BED, LOO ({methods[0]})",
                    len(t_res),
                    f"{t[0]:.3f} / {t[1]:.3f}",
                    "-",
                    f"{trnd[0]:.3f} / {trnd[1]:.3f}",
                )
            )
            print(rows[-1], flush=True)
    return rows


def base_parts(n_halves: int = 40) -> dict[str, np.ndarray]:
    """Real file embeddings (centred per collection) and real subsampling residuals.

    ``files``: every file's region-set embedding; ``coll``: its collection number;
    ``resid``: a random half of a file embedded, minus the whole file's embedding.
    Cached in ``bench_out/search_base.npz``.
    """
    from geniml.io import RegionSet, read_bed

    cache = OUT / "search_base.npz"
    if cache.is_file():
        with np.load(cache) as z:
            return {k: z[k] for k in z.files}
    rng = np.random.default_rng(0)
    files_, coll, resid = [], [], []
    for c, name in enumerate(COLLECTIONS):
        files, _meta, model, x = collection(name, "skipgram")
        mu = x.mean(axis=0)
        for f, xf in zip(files, x, strict=True):
            df = read_bed(f).to_polars()
            subs = [
                RegionSet.from_polars(df.sample(fraction=0.5, seed=int(rng.integers(1 << 30))))
                for _ in range(n_halves)
            ]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                v = model.encode(subs)
            files_.append(xf - mu)
            coll.append(c)
            resid.append(v - xf)
    parts = {
        "files": np.array(files_, dtype=np.float32),
        "coll": np.array(coll),
        "resid": np.concatenate(resid).astype(np.float32),
    }
    OUT.mkdir(exist_ok=True)
    np.savez(cache, **parts)
    return parts


def mixtures(parts: dict[str, np.ndarray], n: int, seed: int) -> np.ndarray:
    """n vectors: Dirichlet(1, 1, 1) mixes of 3 real file embeddings of one collection, plus
    one real subsampling residual scaled by U(0.5, 2).

    Mean pooling is linear, so a mix is (up to sampling noise) the embedding of a BED file
    pooled from parts of those three files; the residual is the real sampling noise of
    embedding a random half of a file.
    """
    rng = np.random.default_rng(seed)
    files, coll, resid = parts["files"], parts["coll"], parts["resid"]
    out = np.empty((n, files.shape[1]), dtype=np.float32)
    which = rng.choice(coll, size=n)  # collections in proportion to their file counts
    for c in np.unique(coll):
        rows = np.flatnonzero(which == c)
        members = np.flatnonzero(coll == c)
        pick = members[np.argsort(rng.random((len(rows), len(members))), axis=1)[:, :3]]
        w = rng.dirichlet(np.ones(3), size=len(rows)).astype(np.float32)
        out[rows] = np.einsum("ij,ijk->ik", w, files[pick])
    scale = rng.uniform(0.5, 2.0, size=(n, 1)).astype(np.float32)
    out += resid[rng.integers(0, len(resid), n)] * scale
    return out


def truth(x: np.ndarray, q: np.ndarray, k: int = 10) -> np.ndarray:
    """Exact cosine top-k (faiss IndexFlatIP on unit vectors)."""
    import faiss

    xn = np.ascontiguousarray(x / np.linalg.norm(x, axis=1, keepdims=True), dtype=np.float32)
    qn = np.ascontiguousarray(q / np.linalg.norm(q, axis=1, keepdims=True), dtype=np.float32)
    flat = faiss.IndexFlatIP(x.shape[1])
    flat.add(xn)
    return flat.search(qn, k)[1].astype(np.int64)


def recall(found: np.ndarray, gt: np.ndarray) -> float:
    return float(
        np.mean([len(set(a) & set(b)) / gt.shape[1] for a, b in zip(found, gt, strict=True)])
    )


EFS = [25, 50, 100, 200, 400, 800]

PEER = """
import numpy as np, hnswlib
x = np.load(sys.argv[1]); q = np.load(sys.argv[2]); gt = np.load(sys.argv[3])
efs = json.loads(sys.argv[4]); ms = json.loads(sys.argv[5])
def rec(found):
    return float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(found, gt)]))
out = {}
for m in ms:
    t0 = time.perf_counter()
    idx = hnswlib.Index(space="cosine", dim=x.shape[1])
    idx.init_index(max_elements=len(x), ef_construction=200, M=m)
    idx.set_num_threads(2)
    idx.add_items(x, np.arange(len(x)))
    res = {"build_s": time.perf_counter() - t0, "ef": {}}
    for ef in efs:
        idx.set_ef(ef)
        t0 = time.perf_counter()
        found = np.array([idx.knn_query(v, k=10, num_threads=1)[0][0] for v in q])
        one = len(q) / (time.perf_counter() - t0)
        t0 = time.perf_counter()
        found2 = idx.knn_query(q, k=10, num_threads=2)[0]
        batch = len(q) / (time.perf_counter() - t0)
        res["ef"][ef] = {"recall": rec(found), "qps": one, "batch_recall": rec(found2), "batch_qps": batch}
    out[m] = res
    del idx
print(json.dumps(out))
"""


def ours_ladder(x: np.ndarray, q: np.ndarray, gt: np.ndarray, m: int, efs: list[int]) -> dict:
    import faiss

    from geniml.search import HNSWBackend

    faiss.omp_set_num_threads(2)  # both libraries build with 2 threads
    t0 = time.perf_counter()
    b = HNSWBackend(x.shape[1], m=m, ef_construction=200)
    b.load(x)
    res: dict = {"build_s": time.perf_counter() - t0, "ef": {}}
    for ef in efs:
        b.ef_search = ef
        faiss.omp_set_num_threads(1)
        t0 = time.perf_counter()
        found = np.array([[r["id"] for r in b.search(v, 10, with_payload=False)] for v in q])
        one = len(q) / (time.perf_counter() - t0)
        faiss.omp_set_num_threads(2)
        t0 = time.perf_counter()
        rows = b.batch_search(q, 10, with_payload=False)
        batch = len(q) / (time.perf_counter() - t0)
        found2 = np.array([[r["id"] for r in row] for row in rows])
        res["ef"][ef] = {
            "recall": recall(found, gt),
            "qps": one,
            "batch_recall": recall(found2, gt),
            "batch_qps": batch,
        }
    return res


def first_at(ladder: dict, key: str = "recall", target: float = 0.95):
    """(ef, entry) at the smallest ef whose recall reaches the target, else (None, None)."""
    for ef in sorted(ladder, key=int):
        if ladder[ef][key] >= target:
            return int(ef), ladder[ef]
    return None, None


def speed(sizes: list[int], peer: str, ms_ours: list[int], ms_peer: list[int]) -> list[tuple]:
    parts = base_parts()
    print(
        f"base: {len(parts['files'])} real file embeddings, {len(parts['resid'])} residuals",
        flush=True,
    )
    rows = []
    OUT.mkdir(exist_ok=True)
    for n in sizes:
        x = mixtures(parts, n, 1)
        q = mixtures(parts, 1000, 2)
        gt = truth(x, q)
        paths = [OUT / f"search_{n}_{k}.npy" for k in ("x", "q", "gt")]
        for p, a in zip(paths, (x, q, gt), strict=True):
            np.save(p, a)
        res = {}
        for lib, ms in (("geniml", ms_ours), ("hnswlib", ms_peer)):
            for m in ms:
                up0 = os.getloadavg()[0]
                if lib == "geniml":
                    r = ours_ladder(x, q, gt, m, EFS)
                else:
                    args = (*map(str, paths), json.dumps(EFS), json.dumps([m]))
                    r = run_peer(peer, PEER, *args, timeout=20000).get(str(m), {})
                r["load"] = f"{up0:.1f}-{os.getloadavg()[0]:.1f}"
                res[f"{lib} M{m}"] = r
                print(json.dumps({"n": n, "index": f"{lib} M{m}", **r}), flush=True)
                (OUT / f"search_speed_{n}.json").write_text(json.dumps(res))
        for name, r in res.items():
            load = r["load"]
            for ef, e in sorted(r["ef"].items(), key=lambda t: int(t[0])):
                rows.append(
                    (
                        f"{n:,}",
                        name,
                        f"{r['build_s']:.0f}",
                        ef,
                        f"{e['recall']:.3f}",
                        f"{e['qps']:,.0f}",
                        f"{e['batch_qps']:,.0f}",
                        load,
                    )
                )
    return rows


def text_latency() -> list[tuple]:
    import tempfile
    from pathlib import Path

    import polars as pl
    import torch

    from geniml.search import SearchBackend, build_search_index

    files, meta, model, x = collection("encode_tfbs_hg19")
    tmp = Path(tempfile.mkdtemp())
    pl.DataFrame(
        {"file": [f.name for f in files], **{f"d{i}": x[:, i] for i in range(100)}}
    ).write_csv(tmp / "e.csv")
    meta.write_csv(tmp / "m.tsv", separator="\t")
    model.export(tmp / "r2v")
    build_search_index(
        tmp / "e.csv",
        tmp / "m.tsv",
        tmp / "idx",
        model=tmp / "r2v",
        text_columns=["cellType", "antibody"],
    )
    sb = SearchBackend.load(tmp / "idx")
    queries = [
        "CTCF ChIP-seq in GM12878",
        "EZH2 in H1-hESC",
        "HeLa-S3 CTCF binding sites",
        "RBBP5 embryonic stem cells",
        "Dnd41 T-ALL EZH2",
    ]
    sb.query(text=queries[0])  # loads the text encoder and Vec2Vec once (cached)
    rows = []
    threads = torch.get_num_threads()
    for setting in (1, None):
        sb._text_model.threads = setting  # 1: the default; None: torch's own (2 here)
        ts, cpu = [], []
        for k in range(100):
            t0, c0 = time.perf_counter(), time.process_time()
            sb.query(text=queries[k % len(queries)], top_k=10)
            ts.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        rows.append(
            (
                f"TextEncoder(threads={setting})"
                + (" (default)" if setting == 1 else f" = torch's {threads}"),
                f"{np.median(ts) * 1000:.1f} ms",
                f"{np.percentile(ts, 90) * 1000:.1f} ms",
                f"{np.median(cpu) * 1000:.1f} ms",
                f"{os.getloadavg()[0]:.1f}",
            )
        )
        print(rows[-1], flush=True)
    return rows


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", default=None)
    ap.add_argument("--part", choices=["all", "quality", "speed", "text"], default="all")
    ap.add_argument("--sizes", default="100000,1000000")
    ap.add_argument("--m-ours", default="16,32,64")
    ap.add_argument("--methods", default="window10,spectral,skipgram")
    ap.add_argument("--tasks", default="b2b,text")
    ap.add_argument("--m-peer", default="16,32,64")
    args = ap.parse_args()
    print("uptime:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    if args.part in ("all", "quality"):
        print(
            table(
                quality(args.methods.split(","), "text" in args.tasks.split(",")),
                (
                    "collection",
                    "label",
                    "task",
                    "queries",
                    "geniml MAP / R-prec",
                    "Jaccard MAP / R-prec",
                    "random MAP / R-prec",
                ),
            )
        )
    if args.part in ("all", "text"):
        print(table(text_latency(), ("setting", "median wall", "p90 wall", "median CPU", "load")))
    if args.part in ("all", "speed"):
        sizes = [int(s) for s in args.sizes.split(",")]
        ms_ours = [int(m) for m in args.m_ours.split(",")]
        ms_peer = [int(m) for m in args.m_peer.split(",")]
        print(
            table(
                speed(sizes, peer_python(args.peer_python), ms_ours, ms_peer),
                (
                    "vectors",
                    "index",
                    "build s",
                    "ef",
                    "recall@10",
                    "q/s (1 query a call, 1 thread)",
                    "q/s (batch, 2 threads)",
                    "load",
                ),
            )
        )
