"""The main job end to end: ``geniml demo`` or ``python -m geniml.demo [--data DIR] [--out DIR]``.

BED collections -> summary -> coverage tracks and a CC universe (assessed) -> tokens ->
Region2Vec region-set embeddings (scored against the sets' labels) ; scATAC-seq cells ->
scEmbed -> clusters (scored against the cell types, next to an LSI baseline) ; BEDspace joint
embeddings of the ER peak sets and their cell lines (r2l / l2r search, scored) ; BEDshift null
replicates of one peak set ; a search index over the Region2Vec embeddings, queried by a BED
file and by text (when ``geniml[search]`` is installed). It prints a summary line per step and
writes tables, models and PNG plots under ``--out``.

Without ``--data`` it runs on the data shipped in the package (:mod:`geniml.datasets`: the
DiffBind ER chr18 and hg38 sample collections, the 600 Schep cells); with ``--data
../shared/data`` on the larger collections there (adds the ENCODE TF-binding sets).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["DemoData", "main", "run"]


def _say(msg: str) -> None:
    print(msg, flush=True)


@dataclass
class DemoData:
    """Where the demo's inputs are.

    Attributes:
        collections: collection name -> folder of BED files.
        hg19: the hg19 collections, which build the universe and train Region2Vec.
        chrom_sizes: hg19 chromosome sizes.
        labels: collection -> (metadata table, file column, label column) for the embedding score.
        cells: a folder for ``read_scatac`` or ``None`` for the bundled Schep AnnData.
        bedspace: (collection, metadata table, file column, label column) for BEDspace.
    """

    collections: dict[str, Path]
    hg19: list[str]
    chrom_sizes: Path
    labels: dict[str, tuple[Path, str, str]] = field(default_factory=dict)
    cells: Path | None = None
    bedspace: tuple[str, Path, str, str] | None = None

    @classmethod
    def bundled(cls) -> DemoData:
        """The data sets shipped in the package."""
        from geniml import datasets

        er = datasets.diffbind_er_chr18()
        return cls(
            collections={
                "diffbind_er_chr18_hg19": er,
                "geniml_hg38_sample": datasets.hg38_sample(),
            },
            hg19=["diffbind_er_chr18_hg19"],
            chrom_sizes=datasets.hg19_chrom_sizes(),
            labels={"diffbind_er_chr18_hg19": (er.parent / "metadata.tsv", "file", "Tissue")},
            bedspace=("diffbind_er_chr18_hg19", er.parent / "metadata.tsv", "file", "Tissue"),
        )

    @classmethod
    def from_folder(cls, data: Path) -> DemoData:
        """The layout of ``../shared/data`` (bedsets/, chromsizes/, scatac/)."""
        bedsets = data / "bedsets"
        names = ["encode_tfbs_hg19", "diffbind_er_chr18_hg19", "geniml_hg38_sample"]
        missing = [n for n in names if not (bedsets / n).is_dir()]
        if missing:
            raise FileNotFoundError(f"{data}: missing collections {missing} under bedsets/")
        return cls(
            collections={n: bedsets / n for n in names},
            hg19=["encode_tfbs_hg19", "diffbind_er_chr18_hg19"],
            chrom_sizes=data / "chromsizes" / "hg19.chrom.sizes",
            labels={
                "encode_tfbs_hg19": (
                    bedsets / "encode_tfbs_hg19" / "metadata.tsv",
                    "file",
                    "antibody",
                )
            },
            cells=data / "scatac" / "schep2017_600cells_hg19",
            bedspace=(
                "diffbind_er_chr18_hg19",
                bedsets / "diffbind_er_chr18_hg19" / "metadata.tsv",
                "file",
                "Tissue",
            ),
        )


def step_collections(data: DemoData, out: Path) -> dict:
    """Read, validate and summarise the BED collections."""
    from geniml.io import BedSet

    rows = []
    result = {}
    for name, folder in data.collections.items():
        t0 = time.perf_counter()
        bs = BedSet(folder)
        dt = time.perf_counter() - t0
        n = sum(len(r) for r in bs)
        result[name] = bs
        _say(
            f"  {name:<24} {len(bs):>3} files {n:>9,} regions  read in {dt * 1000:6.1f} ms  "
            f"id {bs.identifier[:12]}"
        )
        for rs, path in zip(bs, bs.paths, strict=True):
            rows.append(
                f"{name}\t{path.name}\t{len(rs)}\t{rs.n_chromosomes}\t"
                f"{rs.mean_region_width:.1f}\t{rs.identifier}"
            )
    table = out / "collections.tsv"
    table.write_text(
        "collection\tfile\tregions\tchromosomes\tmean_width\tidentifier\n" + "\n".join(rows) + "\n"
    )
    _say(f"  per-file table -> {table}")
    return result


def step_universe(collections: dict, data: DemoData, out: Path):
    """Coverage tracks of all hg19 files, a CC universe, and its assessment."""
    from geniml.universe import assess_universe, build_universe, coverage_tracks

    paths = [p for bs in collections.values() for p in bs.paths]
    t0 = time.perf_counter()
    coverage_tracks(paths, data.chrom_sizes, out / "coverage", force=True)
    t_cov = time.perf_counter() - t0
    t0 = time.perf_counter()
    universe = build_universe(
        paths,
        "cc",
        chrom_sizes=data.chrom_sizes,
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


def _labels(table: Path, file_col: str, label_col: str, files: list[str]) -> list[str]:
    import polars as pl

    meta = pl.read_csv(table, separator="\t")
    by_file = dict(zip(meta[file_col].to_list(), meta[label_col].to_list(), strict=True))
    return [str(by_file[f.removesuffix(".gz")]) for f in files]


def step_region2vec(docs: dict, collections: dict, universe, data: DemoData, out: Path) -> dict:
    """Train Region2Vec on the tokenized collections; evaluate region-set embeddings."""
    from geniml.evaluation import evaluate_embeddings, plot_embeddings
    from geniml.region2vec import Region2VecExModel
    from geniml.tokenization import Tokenizer

    ids = [cells.ids_for(i) for cells in docs.values() for i in range(len(cells.cells))]
    n_tokens = sum(len(x) for x in ids)
    model = Region2VecExModel(tokenizer=Tokenizer(universe), embedding_dim=32, device="cpu")
    t0 = time.perf_counter()
    model.train(list(ids), epochs=20, min_count=1, window_size=10, seed=1)
    dt = time.perf_counter() - t0
    model.export(out / "region2vec_model", force=True)

    name, (table, file_col, label_col) = next(iter(data.labels.items()))
    paths = collections[name].paths
    x = model.encode(list(paths))
    labels = _labels(table, file_col, label_col, [p.name for p in paths])
    if label_col == "antibody":  # ENCODE: CTCF against the other factors
        labels = ["CTCF" if lab == "CTCF" else "other" for lab in labels]
    scores = evaluate_embeddings(x, labels, metrics=("silhouette",))
    png = plot_embeddings(
        x,
        labels,
        method="pca",
        path=out / "region2vec_encode_pca.png",
        force=True,
        title=f"{name} (Region2Vec)",
    )
    _say(
        f"  trained on {len(ids)} region sets, {n_tokens:,} tokens in {dt:.1f} s; "
        f"{name} silhouette by {label_col} {scores['silhouette']:.3f}; plot -> {png}"
    )
    return {
        "silhouette": scores["silhouette"],
        "model": model,
        "model_dir": out / "region2vec_model",
        "x": x,
        "paths": list(paths),
        "table": table,
        "file_col": file_col,
        "label_col": label_col,
    }


def step_scembed(data: DemoData, out: Path) -> dict:
    """ScATAC cells -> scEmbed -> clusters, scored against the true cell types."""
    from geniml._optional import require_from
    from geniml.evaluation import cluster_agreement, plot_embeddings
    from geniml.io import RegionSet, read_scatac
    from geniml.scembed import ScEmbed
    from geniml.tokenization import tokenize_cells

    if data.cells is None:
        from geniml import datasets

        adata = datasets.schep2017()
    else:
        adata = read_scatac(data.cells)
    universe = out / "schep_universe.bed"
    RegionSet((adata.var["chr"].values, adata.var["start"].values, adata.var["end"].values)).to_bed(
        universe, force=True
    )
    tokenize_cells(adata, universe, out / "schep_tokens.parquet", force=True)
    model = ScEmbed(embedding_dim=64, window_size=10)
    t0 = time.perf_counter()
    model.train(out / "schep_tokens.parquet", seed=1)  # the default (spectral) solver
    dt = time.perf_counter() - t0
    x = model.encode(adata)
    labels = adata.obs["cell_type"].astype(str).to_numpy()
    agree = cluster_agreement(x, labels, method="kmeans")
    svd = require_from("sklearn.decomposition", "TruncatedSVD")
    tfidf = require_from("sklearn.feature_extraction.text", "TfidfTransformer")

    lsi = svd(31, random_state=0).fit_transform(tfidf().fit_transform(adata.X))
    base = cluster_agreement(lsi[:, 1:], labels, method="kmeans")
    png = plot_embeddings(
        x,
        labels,
        method="pca",
        path=out / "scembed_cells_pca.png",
        force=True,
        title="Schep 2017 cells (scEmbed)",
    )
    from geniml.pl import cells as plot_cells

    adata.obsm["X_scembed"] = x
    umap_png = plot_cells(adata, path=out / "scembed_cells_umap.png", force=True, seed=1)
    _say(f"  UMAP by cell type and by k-means cluster, side by side -> {umap_png}")
    _say(
        f"  {adata.n_obs} cells x {adata.n_vars} peaks; scEmbed trained in {dt:.1f} s; "
        f"k-means ({len(set(labels))}) vs cell type: ARI {agree['ari']:.3f}, NMI "
        f"{agree['nmi']:.3f} (LSI baseline ARI {base['ari']:.3f}, NMI {base['nmi']:.3f}); "
        f"plot -> {png}"
    )
    return {"ari": agree["ari"], "lsi_ari": base["ari"], "adata": adata, "x": x}


def _file_labels(table: Path, file_col: str, label_col: str, paths: list[Path]) -> list[str]:
    """The label of each file (metadata names files without ``.gz``)."""
    return _labels(table, file_col, label_col, [p.name for p in paths])


def step_bedspace(collections: dict, data: DemoData, out: Path) -> dict:
    """BEDspace on one labelled collection: preprocess, native training, r2l and l2r search."""
    import numpy as np
    import polars as pl

    from geniml.bedspace import preprocess, train
    from geniml.evaluation import plot_embeddings

    assert data.bedspace is not None
    name, table, file_col, label_col = data.bedspace
    paths = list(collections[name].paths)
    labels = _file_labels(table, file_col, label_col, paths)
    sheet = out / "bedspace_labels.csv"
    pl.DataFrame({"file_name": [p.name for p in paths], label_col: labels}).write_csv(sheet)
    t0 = time.perf_counter()
    pre = preprocess(
        data.collections[name],
        sheet,
        out / "universe_cc.bed",
        labels=label_col,
        output=out / "bedspace_train.txt",
        force=True,
    )
    model = train(
        pre, out / "bedspace_model", dim=32, epochs=20, seed=1, progress=False, force=True
    )
    dt = time.perf_counter() - t0
    # r2l: each file's best label; the file itself does not vote (leave-one-out neighbour vote)
    hits = [model.search(p, search_type="r2l", top_k=1)["hit"][0] for p in paths]
    acc = float(np.mean([h == lab for h, lab in zip(hits, labels, strict=True)]))
    query = max(set(labels), key=labels.count)
    l2r = model.search(query, search_type="l2r", top_k=labels.count(query))
    by_name = {p.name: lab for p, lab in zip(paths, labels, strict=True)}
    found = [by_name.get(Path(h).name) == query for h in l2r["hit"].to_list()]
    png = plot_embeddings(
        model.embed_region_sets(paths),
        labels,
        method="pca",
        path=out / "bedspace_pca.png",
        force=True,
        title=f"{name} (BEDspace)",
    )
    _say(
        f"  {len(paths)} files, {len(model.labels)} labels ({label_col}), {len(model.universe):,} "
        f"regions; trained in {dt:.1f} s; r2l top-1 accuracy {acc:.2f} (each file's own "
        f"vote left out); l2r {query!r}: "
        f"{sum(found)}/{len(found)} of the top {len(found)} files carry it; plot -> {png}"
    )
    return {"r2l_accuracy": acc, "l2r_precision": sum(found) / len(found)}


def step_bedshift(collections: dict, data: DemoData, out: Path) -> dict:
    """BEDshift null replicates (shift, add, drop) of one peak set, with a summary."""
    import numpy as np

    from geniml.bedshift import bedshift
    from geniml.io import read_bed
    from geniml.tokenization import Tokenizer, check_coverage

    name = data.bedspace[0] if data.bedspace is not None else next(iter(collections))
    peaks = collections[name].paths[0]
    original = read_bed(peaks)
    (out / "bedshift").mkdir(exist_ok=True)
    t0 = time.perf_counter()
    reps = bedshift(
        peaks,
        genome=str(data.chrom_sizes),
        n_iterations=20,
        shift_rate=0.3,
        add_rate=0.1,
        drop_rate=0.1,
        preserve_chrom=True,
        seed=1,
        output=out / "bedshift" / peaks.name.removesuffix(".gz"),
        force=True,
    )
    dt = time.perf_counter() - t0
    sizes = np.array([len(r) for r in reps])
    flags = [r.extra_column(0) for r in reps]
    shifted = np.mean([f.count("S") for f in flags])
    added = np.mean([f.count("A") for f in flags])
    # overlap with the original, by the Rust tokenizer (the original as the universe)
    tok = Tokenizer(original.sort().merge(0))
    kept = np.mean([check_coverage(r, tok, warn=False).frac_regions_covered for r in reps])
    _say(
        f"  {len(reps)} replicates of {peaks.name} ({len(original):,} regions) in "
        f"{dt * 1000:.0f} ms -> {out / 'bedshift'}/: {sizes.mean():,.0f} regions each "
        f"({shifted:.0f} shifted, {added:.0f} added, "
        f"{len(original) + added - sizes.mean():.0f} dropped); {kept:.1%} of replicate "
        "regions overlap an original one"
    )
    return {"n_replicates": len(reps), "frac_overlapping": float(kept)}


def _search_installed() -> str | None:
    """``None`` when the search extra is importable, else what is missing."""
    import importlib.util

    for module in ("faiss", "transformers", "all_minilm_l6_v2"):
        if importlib.util.find_spec(module) is None:
            return module
    return None


def step_search(r2v: dict, out: Path) -> dict:
    """A search index over the Region2Vec embeddings, one BED query and one text query."""
    import numpy as np
    import polars as pl

    missing = _search_installed()
    if missing is not None:
        _say(f"  skipped: {missing} is not installed (`pip install 'geniml[search]'`)")
        return {}
    from geniml.search import SearchBackend, build_search_index

    paths, x = r2v["paths"], r2v["x"]
    meta = pl.read_csv(r2v["table"], separator="\t")
    by_file = {str(f): i for i, f in enumerate(meta[r2v["file_col"]].to_list())}
    rows = [by_file[p.name.removesuffix(".gz")] for p in paths]
    table = meta[rows].with_columns(pl.Series(r2v["file_col"], [p.name for p in paths]))
    table.write_csv(out / "search_metadata.tsv", separator="\t")
    np.save(out / "region2vec_embeddings.npy", x)
    t0 = time.perf_counter()
    index = build_search_index(
        out / "region2vec_embeddings.npy",
        out / "search_metadata.tsv",
        out / "search_index",
        model=r2v["model_dir"],
        id_column=r2v["file_col"],
        epochs=100,
        force=True,
    )
    sb = SearchBackend.load(index)
    dt = time.perf_counter() - t0
    query = paths[0]
    by_bed = sb.query(bed=query, top_k=3)
    label, file_col = r2v["label_col"], r2v["file_col"]
    text = f"{table[label][0]} ChIP-seq peaks"
    by_text = sb.query(text=text, top_k=3)
    hits = [f"{f} ({lab})" for f, lab in zip(by_text[file_col], by_text[label], strict=True)]
    _say(
        f"  index of {len(sb)} region sets built in {dt:.1f} s -> {index}; BED query "
        f"{query.name}: top hit {by_bed[file_col][0]} (cosine {by_bed['score'][0]:.2f}); text "
        f"{text!r}: top hits {', '.join(hits)}"
    )
    return {"bed_top_hit": str(by_bed[file_col][0]), "text_hits": by_text[file_col].to_list()}


def run(
    data: str | Path | None = None, out: str | Path = "demo_out", *, force: bool = False
) -> dict:
    """Run every step of the main job and print its summary.

    Args:
        data: a folder laid out like ``../shared/data``, or ``None`` for the bundled data sets.
        out: output folder (tables, universe, tokens, model, PNG plots).
        force: replace the outputs of an earlier run in ``out``.

    Returns:
        The headline numbers: ``universe_regions``, ``silhouette`` (Region2Vec), ``ari`` and
        ``lsi_ari`` (scEmbed, LSI), ``bedspace_r2l_accuracy``, ``bedshift_frac_overlapping`` and
        ``search`` (the top hits; empty when ``geniml[search]`` is not installed).

    Raises:
        FileExistsError: ``out`` already holds files and ``force`` is false.
        FileNotFoundError: ``data`` lacks a collection.
    """
    out = Path(out)
    spec = DemoData.bundled() if data is None else DemoData.from_folder(Path(data))
    if out.is_dir() and any(out.iterdir()) and not force:
        raise FileExistsError(f"{out} already holds files; pass force=True (--force) to replace")
    out.mkdir(parents=True, exist_ok=True)
    _say(f"data: {'bundled geniml.datasets' if data is None else data}; outputs -> {out}/")
    _say("[1] BED collections")
    collections = step_collections(spec, out)
    hg19 = {k: v for k, v in collections.items() if k in spec.hg19}
    _say("[2] universe from the hg19 collections (coverage tracks -> CC builder), assessed")
    universe = step_universe(hg19, spec, out)
    _say(f"[3] tokens against the universe ({len(universe):,} regions)")
    docs = step_tokens(hg19, out, universe)
    _say("[4] Region2Vec on the tokenized collections, region-set embeddings, evaluation")
    r2v = step_region2vec(docs, hg19, universe, spec, out)
    _say("[5] scATAC-seq cells -> scEmbed -> clusters")
    sc = step_scembed(spec, out)
    _say("[6] BEDspace: region sets and their labels in one space, searched both ways")
    bsp = step_bedspace(hg19, spec, out)
    _say("[7] BEDshift: randomised replicates of a peak set (a null model)")
    shift = step_bedshift(hg19, spec, out)
    _say("[8] search: the Region2Vec embeddings as an index, queried by a BED file and by text")
    found = step_search(r2v, out)
    _say(f"done; outputs in {out}/")
    return {
        "universe_regions": len(universe),
        "silhouette": r2v["silhouette"],
        "ari": sc["ari"],
        "lsi_ari": sc["lsi_ari"],
        "bedspace_r2l_accuracy": bsp["r2l_accuracy"],
        "bedshift_frac_overlapping": shift["frac_overlapping"],
        "search": found,
    }


def main(argv: list[str] | None = None) -> int:
    """``python -m geniml.demo``: parse arguments and :func:`run`."""
    ap = argparse.ArgumentParser(prog="python -m geniml.demo", description=__doc__)
    ap.add_argument("--data", type=Path, default=None, help="../shared/data-style folder")
    ap.add_argument("--out", type=Path, default=Path("demo_out"))
    ap.add_argument("--force", action="store_true", help="replace an earlier run's outputs")
    args = ap.parse_args(argv)
    try:
        run(args.data, args.out, force=args.force)
    except (FileNotFoundError, FileExistsError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
