"""Rebuild python/geniml/datasets/_data from ../shared/data (run from the repository root).

The bundle is small (about 3 MB): BED files gzip-compressed, the Schep cells as a gzip-compressed
.h5ad, the upstream Region2Vec export as is. Each set's SOURCE.md and LICENSE are kept by hand.
"""

from __future__ import annotations

import gzip
import shutil
import sys
from pathlib import Path

import numpy as np

from geniml.io import read_scatac

SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
OUT = Path("python/geniml/datasets/_data")


def gz(src: Path, dst: Path) -> None:
    """Gzip ``src`` to ``dst`` with no timestamp (reproducible bytes)."""
    dst.parent.mkdir(parents=True, exist_ok=True)
    with open(src, "rb") as fi, open(dst, "wb") as raw:
        with gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as fo:
            shutil.copyfileobj(fi, fo)


def main() -> None:
    """Write every bundled set."""
    hg38 = SHARED / "bedsets" / "geniml_hg38_sample"
    for bed in sorted(hg38.glob("*.bed")):
        gz(bed, OUT / "hg38_sample" / "beds" / (bed.name + ".gz"))
    for name in ("ATAC_hg38_sample_for_geniml.csv", "hg38_metadata_sample.tab"):
        shutil.copyfile(hg38 / name, OUT / "hg38_sample" / name)
    gz(
        SHARED / "universes" / "geniml_universe_hg38.uniq.bed",
        OUT / "hg38_sample" / "universe_hg38.bed.gz",
    )

    er = SHARED / "bedsets" / "diffbind_er_chr18_hg19"
    for bed in sorted(er.glob("*.bed")):
        gz(bed, OUT / "diffbind_er_chr18" / "beds" / (bed.name + ".gz"))
    shutil.copyfile(er / "metadata.tsv", OUT / "diffbind_er_chr18" / "metadata.tsv")
    shutil.copyfile(
        SHARED / "chromsizes" / "hg19.chrom.sizes", OUT / "diffbind_er_chr18" / "hg19.chrom.sizes"
    )

    model = SHARED / "models" / "geniml_region2vec_export"
    (OUT / "region2vec_hg38").mkdir(parents=True, exist_ok=True)
    for name in ("checkpoint.pt", "config.yaml", "universe.bed"):
        shutil.copyfile(model / name, OUT / "region2vec_hg38" / name)

    adata = read_scatac(SHARED / "scatac" / "schep2017_600cells_hg19")
    adata.obs["cell_type"] = adata.obs["cell_type"].astype("category")
    for col in ("start", "end"):
        adata.var[col] = adata.var[col].astype(np.int64)
    adata.uns["source"] = (
        "Schep et al. 2017 (Nat Methods 14:975), 600-cell subset via FertigLab/ATACCoGAPS "
        "data/subsetSchepData.rda (Artistic-2.0); hg19"
    )
    (OUT / "schep2017").mkdir(parents=True, exist_ok=True)
    adata.write_h5ad(
        OUT / "schep2017" / "schep2017_600cells_hg19.h5ad", compression="gzip", compression_opts=9
    )


if __name__ == "__main__":
    main()
