"""BEDspace: retrieval quality and speed, native trainer vs the StarSpace binary, one run.

Quality (leave-one-file-out label retrieval): for each labelled collection and label column
(ENCODE TF sets: cellType, antibody; DiffBind ER sets: Tissue, Condition), every file whose
label also occurs in the other files is held out; a model is trained on the others (upstream's
defaults: dim 100, 50 epochs, lr 0.05, negSearchLimit 5), the held-out file is embedded and the
labels are ranked by `BEDSpaceModel.search(..., 'r2l')` with `neighbours=0` (StarSpace's
label cosine) and with the default neighbour vote (`+vote`: the labels of the most similar
training files in the joint space are added to the cosine). Reported: accuracy@1 and mean
reciprocal rank (MRR) for
- geniml's native trainer (mean over `--seeds` seeds),
- StarSpace with upstream's flags (`-trainMode 0 -dim 100 -epoch 50 -negSearchLimit 5
  -thread 20 -lr 0.05`), embedded the same way (its .tsv read back),
- the label of the most similar training file by Jaccard overlap of universe tokens (labels
  ranked by their best file),
- the most frequent training label (labels ranked by frequency).
Also l2r R-precision with train = test (each label queries the collection; R = its file count).
Universe: the merged union of the collection's files (label-free, so leaving a file out of
training does not leak its label).

Speed: the same preprocessed file (all ENCODE sets, both label columns), same dim / epochs /
negatives / threads: native vs StarSpace wall time (CPU time beside it), ratio. Embedding: 1,000
region sets (random 20% subsets of the ENCODE files) embedded by a trained model (files/s),
`distances` over them, and the r2r query latency of `search` on the distances file.

Run: `python benches/bedspace_bench.py [--seeds 3] [--no-starspace]`.
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

from _common import DATA, OUT, table
from geniml.bedspace import BEDSpaceModel, distances, preprocess, search, train
from geniml.bedspace.model import DEFAULT_NEIGHBOURS
from geniml.bedspace.preprocess import files_table_path
from geniml.io import BedSet, RegionSet
from geniml.tokenization import Tokenizer

STARSPACE = Path(os.environ.get("GENIML_STARSPACE", DATA.parent / "tools" / "starspace"))
COLLECTIONS = {
    "encode_tfbs_hg19": ("bedsets/encode_tfbs_hg19", ["cellType", "antibody"]),
    "diffbind_er_chr18_hg19": ("bedsets/diffbind_er_chr18_hg19", ["Tissue", "Condition"]),
}
UPSTREAM = {"dim": 100, "epochs": 50, "lr": 0.05, "neg_search_limit": 5}


def load(uptime_note: list[str]) -> str:
    la = os.getloadavg()
    s = f"load {la[0]:.1f}/{la[1]:.1f}/{la[2]:.1f}"
    uptime_note.append(s)
    return s


def prepare(name: str, work: Path, cols: list[str]):
    rel, _ = COLLECTIONS[name]
    src = DATA / rel
    meta = pl.read_csv(src / "metadata.tsv", separator="\t").rename({"file": "file_name"})
    meta = meta.select("file_name", *cols)
    meta.write_csv(work / f"{name}.csv")
    uni = work / f"{name}.universe.bed"
    BedSet(src).to_regionset().sort().merge(0).to_bed(uni, force=True)
    return src, meta, uni


def ranks_of(scores: dict[str, float], truth: str) -> int:
    order = sorted(scores, key=lambda k: -scores[k])
    return order.index(truth) + 1


KEYS = ("native", "native+vote", "starspace", "starspace+vote", "jaccard", "freq")


def r2l_rank(m: BEDSpaceModel, bed: Path, truth: str, neighbours: int) -> int:
    """Rank of the true label in ``m.search(bed, 'r2l', neighbours=...)`` over all labels."""
    hits = m.search(bed, search_type="r2l", top_k=len(m.labels), neighbours=neighbours)
    return hits["hit"].to_list().index(truth) + 1


def loo(name: str, col: str, work: Path, seeds: int, use_ss: bool, note: list[str]) -> list:
    src, meta, uni = prepare(name, work, [col])
    pre = preprocess(
        src, work / f"{name}.csv", uni, labels=col, output=work / f"{name}.{col}.txt", force=True
    )
    lines = pre.read_text().split("\n")
    files = meta["file_name"].to_list()
    labels = meta[col].to_list()
    tok = Tokenizer(uni)
    sets = [set(tok.tokenize(src / f, unique=True).ids.tolist()) for f in files]
    side = pl.read_csv(files_table_path(pre), separator="\t", infer_schema=False)
    res: dict[str, list] = {k: [] for k in KEYS}
    times = {"native": 0.0, "starspace": 0.0}
    held = [i for i in range(len(files)) if labels.count(labels[i]) > 1]
    for i in held:
        train_idx = [j for j in range(len(files)) if j != i]
        tr = work / "loo.txt"
        tr.write_text("\n".join(lines[j] for j in train_idx))
        side[train_idx].write_csv(files_table_path(tr), separator="\t")  # labels for the vote
        truth = labels[i].replace(" ", "_")
        # baselines
        jac = {}
        for j in train_idx:
            inter = len(sets[i] & sets[j])
            jv = inter / max(len(sets[i] | sets[j]), 1)
            jac[labels[j]] = max(jac.get(labels[j], -1.0), jv)
        res["jaccard"].append(ranks_of(jac, labels[i]))
        freq = {}
        for j in train_idx:
            freq[labels[j]] = freq.get(labels[j], 0) + 1 - 1e-6 * j  # ties: first seen wins
        res["freq"].append(ranks_of(freq, labels[i]))
        rk, rv = [], []
        for s in range(seeds):
            t0 = time.perf_counter()
            m = train(tr, work / "m", **UPSTREAM, seed=s, force=True, progress=False)
            times["native"] += time.perf_counter() - t0
            rk.append(r2l_rank(m, src / files[i], truth, 0))
            rv.append(r2l_rank(m, src / files[i], truth, DEFAULT_NEIGHBOURS))
        res["native"].append(rk)
        res["native+vote"].append(rv)
        if use_ss:
            t0 = time.perf_counter()
            m = train(
                tr, work / "ss", **UPSTREAM, path_to_starspace=STARSPACE, force=True, progress=False
            )
            times["starspace"] += time.perf_counter() - t0
            res["starspace"].append(r2l_rank(m, src / files[i], truth, 0))
            res["starspace+vote"].append(r2l_rank(m, src / files[i], truth, DEFAULT_NEIGHBOURS))
    # l2r R-precision, train = test (native, seed 0)
    m = train(pre, work / "full", **UPSTREAM, seed=0, force=True, progress=False)
    rp = []
    for lab in set(labels):
        r = labels.count(lab)
        hits = m.search(lab.replace(" ", "_"), search_type="l2r", top_k=r)["hit"].to_list()
        rp.append(sum(labels[files.index(h)] == lab for h in hits) / r)
    out = []

    def acc_mrr(ranks):
        a = np.asarray(ranks, dtype=float)
        if a.ndim == 2:  # seeds: mean over seeds of the per-seed metric
            return float((a == 1).mean(axis=0).mean()), float((1 / a).mean(axis=0).mean())
        return float((a == 1).mean()), float((1 / a).mean())

    for k in KEYS:
        if res[k]:
            a, r = acc_mrr(res[k] if not k.startswith("native") else np.asarray(res[k]).T.tolist())
            out.append((name, col, len(held), k, f"{a:.2f}", f"{r:.2f}"))
    print(
        f"{name}/{col}: native {times['native']:.1f}s, starspace {times['starspace']:.1f}s, {load(note)}"
    )
    return out, float(np.mean(rp))


def cpu_children() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def cpu_self() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def speed(work: Path, threads: int, note: list[str]) -> list:
    src, meta, uni = prepare("encode_tfbs_hg19", work, ["cellType", "antibody"])
    pre = preprocess(
        src, work / "encode_tfbs_hg19.csv", uni, labels="cellType,antibody",
        output=work / "speed.txt", force=True,
    )  # fmt: skip
    rows = []
    for dim, epochs in ((100, 50),):
        kw = {"dim": dim, "epochs": epochs, "lr": 0.05, "neg_search_limit": 5, "n_threads": threads}
        c0, t0 = cpu_self(), time.perf_counter()
        train(pre, work / "sp_native", **kw, seed=0, force=True, progress=False)
        tn, cn = time.perf_counter() - t0, cpu_self() - c0
        c0, t0 = cpu_children(), time.perf_counter()
        train(pre, work / "sp_ss", **kw, path_to_starspace=STARSPACE, force=True, progress=False)
        ts, cs = time.perf_counter() - t0, cpu_children() - c0
        rows.append(
            (f"dim {dim}, {epochs} epochs, {threads} threads", f"{tn:.2f} s ({cn:.1f} CPU-s)",
             f"{ts:.2f} s ({cs:.1f} CPU-s)", f"{ts / tn:.1f}x", load(note))
        )  # fmt: skip
        print(rows[-1])
    return rows


def embedding(work: Path, note: list[str]) -> list:
    src = DATA / "bedsets/encode_tfbs_hg19"
    m = BEDSpaceModel.load(work / "sp_native")
    rng = np.random.default_rng(0)
    coll = work / "coll"
    coll.mkdir(exist_ok=True)
    base = [RegionSet(p) for p in sorted(src.glob("*.bed"))]
    names = []
    for k in range(1000):
        rs = base[k % len(base)]
        keep = np.sort(rng.choice(len(rs), size=max(len(rs) // 5, 1), replace=False))
        p = coll / f"set{k:04d}.bed"
        if not p.exists():
            rs[keep].to_bed(p)
        names.append(p.name)
    pl.DataFrame({"file_name": names, "cellType": ["x"] * 1000}).write_csv(work / "coll.csv")
    t0 = time.perf_counter()
    v = m.embed_region_sets(coll)
    te = time.perf_counter() - t0
    t0 = time.perf_counter()
    d = distances(
        m, work / "coll.csv", None, coll, output=work / "coll.pkl", labels="cellType", force=True
    )
    td = time.perf_counter() - t0
    lat = []
    for k in range(20):
        t0 = time.perf_counter()
        search(d, names[k], search_type="r2r", top_k=10)
        lat.append(time.perf_counter() - t0)
    lat_new = []
    for k in range(5):
        t0 = time.perf_counter()
        search(d, sorted(src.glob("*.bed"))[k], search_type="r2r", top_k=10)
        lat_new.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    for _ in range(100):
        s = v @ v[0]
        np.argsort(-s)[:10]
    tm = (time.perf_counter() - t0) / 100
    n_regions = sum(len(RegionSet(coll / n)) for n in names[:10]) * 100
    rows = [
        (f"embed 1,000 region sets (~{n_regions // 1000}k regions)", f"{te:.2f} s", f"{1000 / te:.0f} files/s", load(note)),
        ("distances over the 1,000 files", f"{td:.2f} s", "", load(note)),
        ("r2r search, query in the collection (loads the .pkl)", f"{np.median(lat) * 1e3:.1f} ms", "median of 20", load(note)),
        ("r2r search, new BED file (embeds it; loads model)", f"{np.median(lat_new) * 1e3:.0f} ms", "median of 5", load(note)),
        ("r2r in memory (1,000 x 100 cosine + top 10)", f"{tm * 1e6:.0f} us", "", load(note)),
    ]  # fmt: skip
    # StarSpace's embed_doc on the same documents' tokens (the peer for the embedding step)
    embed_doc = STARSPACE / "embed_doc"
    if embed_doc.is_file() and (work / "sp_ss").exists():
        tok = m.tokenizer
        u = m.universe
        chrom = np.asarray(u._names, dtype=object)[u._chroms]
        words = np.array(
            [
                f"{c}_{s}_{e}"
                for c, s, e in zip(chrom, u._starts.tolist(), u._ends.tolist(), strict=True)
            ],
            dtype=object,
        )
        docs = work / "docs.txt"
        docs.write_text(
            "\n".join(
                " ".join(words[t.ids].tolist())
                for t in tok.tokenize_batch(sorted(coll.glob("*.bed")), unique=True)
            )
        )
        bin_model = work / "ss_bin_model"
        subprocess.run(
            [str(STARSPACE / "starspace"), "train", "-trainFile", str(work / "speed.txt"), "-model",
             str(bin_model), "-trainMode", "0", "-dim", "100", "-epoch", "1", "-thread", "2"],
            capture_output=True, check=True,
        )  # fmt: skip
        t0 = time.perf_counter()
        subprocess.run([str(embed_doc), str(bin_model), str(docs)], capture_output=True, check=True)
        tsd = time.perf_counter() - t0
        rows.append(("StarSpace embed_doc, same 1,000 token lines (tokens given)", f"{tsd:.2f} s", f"{1000 / tsd:.0f} files/s; geniml incl. reading+tokenizing {tsd / te:.1f}x", load(note)))  # fmt: skip
    for r in rows:
        print(r)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-starspace", action="store_true")
    ap.add_argument("--only", choices=["quality", "speed"], default=None)
    ap.add_argument(
        "--starspace-on",
        default=",".join(COLLECTIONS),
        help="collections where StarSpace also runs the leave-one-out (comma-separated)",
    )
    args = ap.parse_args()
    use_ss = not args.no_starspace and (STARSPACE / "starspace").is_file()
    os.environ.setdefault("GENIML_NO_PROGRESS", "1")
    note: list[str] = []
    OUT.mkdir(exist_ok=True)
    report = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if args.only != "quality":
            s = speed(work, args.threads, note)
            report.append("Training, same preprocessed file (ENCODE, 10 sets, 2 label columns):\n")
            report.append(table(s, ("settings", "geniml native", "StarSpace", "ratio", "load")))
            e = embedding(work, note)
            report.append("\nEmbedding and search:\n")
            report.append(table(e, ("workload", "time", "rate", "load")))
        if args.only != "speed":
            rows, rps = [], []
            for name, (_, cols) in COLLECTIONS.items():
                for col in cols:
                    on = use_ss and name in args.starspace_on.split(",")
                    r, rp = loo(name, col, work, args.seeds, on, note)
                    rows += r
                    rps.append((name, col, f"{rp:.2f}"))
            report.append("\nLeave-one-file-out label retrieval:\n")
            report.append(
                table(rows, ("collection", "label", "held out", "method", "acc@1", "MRR"))
            )
            report.append("\nl2r R-precision, train = test (native, seed 0):\n")
            report.append(table(rps, ("collection", "label", "R-precision")))
    text = "\n".join(report)
    print(text)
    (OUT / "bedspace_bench.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
