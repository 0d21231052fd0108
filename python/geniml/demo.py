"""The main job on real data: ``python -m geniml.demo --data ../shared/data --out demo_out``.

Each capability joins the job as it lands: BED collection -> summary (and, in later steps,
universe -> tokens -> Region2Vec -> evaluation; scATAC cells -> scEmbed -> clusters). It prints a
short summary and writes its outputs (tables, PNG plots) under ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

COLLECTIONS = ["encode_tfbs_hg19", "diffbind_er_chr18_hg19", "geniml_hg38_sample"]


def _say(msg: str) -> None:
    print(msg, flush=True)


def step_collections(data: Path, out: Path) -> dict:
    """Read, validate and summarise the bundled BED collections."""
    from geniml.io import BedSet

    rows = []
    result = {}
    for name in COLLECTIONS:
        t0 = time.perf_counter()
        bs = BedSet(data / "bedsets" / name)
        dt = time.perf_counter() - t0
        n = sum(len(r) for r in bs)
        result[name] = bs
        _say(
            f"  {name:<24} {len(bs):>3} files {n:>9,} regions  read in {dt * 1000:6.1f} ms  "
            f"id {bs.identifier[:12]}"
        )
        for rs in bs:
            rows.append(
                f"{name}\t{rs.path.name}\t{len(rs)}\t{rs.n_chromosomes}\t"
                f"{rs.mean_region_width:.1f}\t{rs.identifier}"
            )
    table = out / "collections.tsv"
    table.write_text(
        "collection\tfile\tregions\tchromosomes\tmean_width\tidentifier\n" + "\n".join(rows) + "\n"
    )
    _say(f"  per-file table -> {table}")
    return result


def step_universe(collections: dict, data: Path, out: Path):
    """Coverage tracks of all hg19 files, a CC universe, and its assessment."""
    from geniml.universe import assess_universe, build_universe, coverage_tracks

    paths = [p for bs in collections.values() for p in bs.paths]
    sizes = data / "chromsizes" / "hg19.chrom.sizes"
    t0 = time.perf_counter()
    coverage_tracks(paths, sizes, out / "coverage", force=True)
    t_cov = time.perf_counter() - t0
    t0 = time.perf_counter()
    universe = build_universe(
        paths,
        "cc",
        chrom_sizes=sizes,
        cutoff=1,
        merge_distance=100,
        min_size=50,
        output_file=out / "universe_cc.bed",
        force=True,
    )
    t_cc = time.perf_counter() - t0
    summary = assess_universe(universe, paths)
    _say(
        f"  coverage tracks (bigWig) in {t_cov:.2f} s -> {out / 'coverage'}; CC universe "
        f"({len(universe):,} regions, mean {summary['mean_size']:.0f} bp) in {t_cc:.2f} s"
    )
    _say(
        f"  assessment: coverage {summary['coverage']:.1%} of input regions, mean F10 "
        f"{summary['F_10']:.3f}, mean RBS {summary['RBS']:.3f}"
    )
    return universe


def step_tokens(collections: dict, out: Path, universe) -> dict:
    """Tokenize every file of each collection against a universe; report coverage."""
    import numpy as np

    from geniml.tokenization import TokenizedCells, Tokenizer, check_coverage

    tok = Tokenizer(universe)
    docs = {}
    for name, bs in collections.items():
        t0 = time.perf_counter()
        toks = tok.tokenize_batch(bs.paths, unique=True)
        dt = time.perf_counter() - t0
        cov = check_coverage(bs.to_regionset(), tok, warn=False)
        lengths = np.array([len(t) for t in toks])
        offsets = np.concatenate([[0], np.cumsum(lengths)])
        cells = TokenizedCells(
            [p.name for p in bs.paths], offsets, np.concatenate([t.ids for t in toks])
        )
        cells.to_parquet(out / f"tokens_{name}.parquet", force=True)
        docs[name] = cells
        _say(
            f"  {name:<24} {lengths.sum():>9,} tokens ({lengths.mean():8.1f} per file) in "
            f"{dt * 1000:6.1f} ms; {cov.frac_regions_covered:.1%} of regions covered"
        )
    return docs


def step_region2vec(docs: dict, universe, data: Path, out: Path) -> None:
    """Train Region2Vec on the tokenized collections; evaluate region-set embeddings."""
    import polars as pl

    from geniml.evaluation import evaluate_embeddings, plot_embeddings
    from geniml.region2vec import Region2VecExModel
    from geniml.tokenization import Tokenizer

    offsets, ids, names = [0], [], []
    for cells in docs.values():
        for i, name in enumerate(cells.cells):
            ids.append(cells.ids_for(i))
            offsets.append(offsets[-1] + len(ids[-1]))
            names.append(name)
    model = Region2VecExModel(tokenizer=Tokenizer(universe), embedding_dim=32, device="cpu")
    t0 = time.perf_counter()
    model.train(list(ids), epochs=20, min_count=1, window_size=10, seed=1)

    dt = time.perf_counter() - t0
    model.export(out / "region2vec_model", force=True)

    meta = pl.read_csv(data / "bedsets" / "encode_tfbs_hg19" / "metadata.tsv", separator="\t")
    antibody = dict(zip(meta["file"].to_list(), meta["antibody"].to_list(), strict=True))
    files = docs["encode_tfbs_hg19"].cells
    x = model.encode([data / "bedsets" / "encode_tfbs_hg19" / name for name in files])
    labels = ["CTCF" if antibody[name] == "CTCF" else "other" for name in files]

    scores = evaluate_embeddings(x, labels, metrics=("silhouette",))
    png = plot_embeddings(
        x,
        labels,
        method="pca",
        path=out / "region2vec_encode_pca.png",
        force=True,
        title="ENCODE TF sets (Region2Vec)",
    )
    _say(
        f"  trained on {len(names)} region sets, {int(offsets[-1]):,} tokens in {dt:.1f} s; "
        f"silhouette (CTCF vs other) {scores['silhouette']:.3f}; plot -> {png}"
    )


def step_scembed(data: Path, out: Path) -> None:
    """ScATAC cells -> scEmbed -> clusters, scored against the true cell types."""
    from geniml.evaluation import cluster_agreement, plot_embeddings
    from geniml.io import RegionSet, read_scatac
    from geniml.scembed import ScEmbed
    from geniml.tokenization import tokenize_cells

    adata = read_scatac(data / "scatac" / "schep2017_600cells_hg19")
    universe = out / "schep_universe.bed"
    RegionSet((adata.var["chr"].values, adata.var["start"].values, adata.var["end"].values)).to_bed(
        universe, force=True
    )
    tokenize_cells(adata, universe, out / "schep_tokens.parquet", force=True)
    model = ScEmbed(embedding_dim=64, window_size=10)
    t0 = time.perf_counter()
    model.train(out / "schep_tokens.parquet", epochs=20, seed=1, sg=True)  # skip-gram: 2x ARI
    dt = time.perf_counter() - t0
    x = model.encode(adata)
    labels = adata.obs["cell_type"].to_numpy()
    agree = cluster_agreement(x, labels, method="kmeans")
    from sklearn.decomposition import TruncatedSVD
    from sklearn.feature_extraction.text import TfidfTransformer

    lsi = TruncatedSVD(31, random_state=0).fit_transform(TfidfTransformer().fit_transform(adata.X))
    base = cluster_agreement(lsi[:, 1:], labels, method="kmeans")
    png = plot_embeddings(
        x,
        labels,
        method="pca",
        path=out / "scembed_cells_pca.png",
        force=True,
        title="Schep 2017 cells (scEmbed)",
    )
    _say(
        f"  {adata.n_obs} cells x {adata.n_vars} peaks; scEmbed trained in {dt:.1f} s; "
        f"k-means (12) vs cell type: ARI {agree['ari']:.3f}, NMI {agree['nmi']:.3f} (LSI "
        f"baseline ARI {base['ari']:.3f}, NMI {base['nmi']:.3f}); plot -> {png}"
    )


def main(argv: list[str] | None = None) -> int:
    """Run every step of the main job."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("demo_out"))
    args = ap.parse_args(argv)
    if not (args.data / "bedsets").is_dir():
        print(f"error: {args.data} does not hold the real data (bedsets/ missing)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    _say("[1] BED collections")
    collections = step_collections(args.data, args.out)
    hg19 = {k: v for k, v in collections.items() if k != "geniml_hg38_sample"}
    _say("[2] universe from the hg19 collections (coverage tracks -> CC builder), assessed")
    universe = step_universe(hg19, args.data, args.out)
    _say(f"[3] tokens against the universe ({len(universe):,} regions)")
    docs = step_tokens(hg19, args.out, universe)
    _say("[4] Region2Vec on the tokenized collections, region-set embeddings, evaluation")
    step_region2vec(docs, universe, args.data, args.out)
    _say("[5] scATAC-seq cells -> scEmbed -> clusters")
    step_scembed(args.data, args.out)

    _say(f"done; outputs in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
