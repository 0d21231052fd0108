"""Small real data sets shipped inside the package, loaded offline (like ``scanpy.datasets``).

Each function returns the loaded object (an ``AnnData``, a ``polars.DataFrame``) or the path of
a file or folder inside the installed package. Every set's source and licence sit beside it
(:func:`source`). Coordinates are 0-based half-open BED everywhere.

| function | what | assembly | licence |
|---|---|---|---|
| :func:`schep2017` | 600 scATAC-seq cells x 5,036 peaks, 12 cell types x 50 | hg19 | Artistic-2.0 |
| :func:`hg38_sample` | 13 BED files (+ :func:`hg38_sample_metadata`, :func:`hg38_universe`) | hg38 | BSD-2 |
| :func:`diffbind_er_chr18` | 11 ER ChIP-seq peak sets, chr18 (+ metadata, :func:`hg19_chrom_sizes`) | hg19 | Artistic-2.0 |
| :func:`region2vec_hg38` | a Region2Vec model folder exported by upstream geniml 0.8.4 | hg38 | BSD-2 |
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from geniml._optional import require

if TYPE_CHECKING:
    import anndata
    import polars as pl

__all__ = [
    "DATASETS",
    "diffbind_er_chr18",
    "diffbind_er_chr18_metadata",
    "hg19_chrom_sizes",
    "hg38_sample",
    "hg38_sample_metadata",
    "hg38_universe",
    "region2vec_hg38",
    "schep2017",
    "source",
]

DatasetName = Literal["schep2017", "hg38_sample", "diffbind_er_chr18", "region2vec_hg38"]

#: bundled set -> its folder inside ``geniml/datasets/_data``
DATASETS: dict[str, str] = {
    "schep2017": "schep2017",
    "hg38_sample": "hg38_sample",
    "diffbind_er_chr18": "diffbind_er_chr18",
    "region2vec_hg38": "region2vec_hg38",
}


def _folder(name: str) -> Path:
    if name not in DATASETS:
        raise ValueError(f"`name` must be one of {sorted(DATASETS)}, got {name!r}")
    path = Path(str(files("geniml.datasets").joinpath("_data").joinpath(DATASETS[name])))
    if not path.is_dir():
        raise FileNotFoundError(f"bundled data set {name!r} is missing from the install: {path}")
    return path


def source(name: DatasetName) -> str:
    """Where a bundled set comes from, what was changed, and its licence (``SOURCE.md``).

    The full licence text is the ``LICENSE`` file in the same folder.

    Args:
        name: ``"schep2017"``, ``"hg38_sample"``, ``"diffbind_er_chr18"`` or ``"region2vec_hg38"``.

    Returns:
        The text of the set's ``SOURCE.md``.

    Raises:
        ValueError: an unknown name.

    Examples:
        >>> from geniml import datasets
        >>> "Artistic-2.0" in datasets.source("schep2017")
        True
        >>> (datasets.hg38_sample().parent / "LICENSE").read_text().startswith("Copyright")
        True
    """
    return (_folder(name) / "SOURCE.md").read_text()


def schep2017() -> anndata.AnnData:
    """The Schep et al. 2017 subset: 600 scATAC-seq cells x 5,036 peaks (hg19), counts.

    Needs the ``ml`` extra (anndata).

    Returns:
        AnnData with ``X`` (CSR counts, cells x peaks), ``obs["cell_type"]`` (12 types x 50
        cells, categorical), ``var`` with ``chr``/``start``/``end`` (0-based half-open) and
        ``var_names`` ``chr:start-end``.

    Examples:
        >>> from geniml import datasets
        >>> adata = datasets.schep2017()
        >>> adata.shape, adata.obs["cell_type"].nunique()
        ((600, 5036), 12)
        >>> list(adata.var.columns)
        ['chr', 'start', 'end']
    """
    ad = require("anndata")
    return ad.read_h5ad(_folder("schep2017") / "schep2017_600cells_hg19.h5ad")


def hg38_sample() -> Path:
    """Folder of 13 small real hg38 BED files (gzip-compressed) from upstream geniml's tests.

    Returns:
        The folder; read it with ``geniml.io.BedSet(folder)``.

    Examples:
        >>> from geniml import datasets
        >>> from geniml.io import BedSet
        >>> bs = BedSet(datasets.hg38_sample())
        >>> len(bs), sorted(p.name for p in bs.paths)[0]
        (13, 'DRX127657.05.bed.gz')
    """
    return _folder("hg38_sample") / "beds"


def hg38_sample_metadata() -> pl.DataFrame:
    """BEDbase-style metadata of the hg38 sample (``file``, ``tissue``, ``cell_line``, ...).

    Rows name files by stem (``Example1`` is ``Example1.bed.gz``). The second, wider table of
    upstream's tests is ``hg38_sample().parent / "hg38_metadata_sample.tab"``.

    Returns:
        A polars DataFrame, one row per file of upstream's ATAC sample table.

    Examples:
        >>> from geniml import datasets
        >>> meta = datasets.hg38_sample_metadata()
        >>> meta["file"].to_list()[:2], "tissue" in meta.columns
        (['Example1', 'Example2'], True)
    """
    import polars as pl

    meta = pl.read_csv(_folder("hg38_sample") / "ATAC_hg38_sample_for_geniml.csv")
    return meta.drop(meta.columns[0]) if meta.columns[0] in ("", " ") else meta


def hg38_universe() -> Path:
    """The universe of upstream geniml's tests (hg38, 2,378 regions, duplicates removed).

    Returns:
        Path of ``universe_hg38.bed.gz``; e.g. ``Tokenizer.from_bed(path)``.

    Examples:
        >>> from geniml import datasets
        >>> from geniml.tokenization import Tokenizer
        >>> Tokenizer.from_bed(datasets.hg38_universe()).vocab_size
        2385
    """
    return _folder("hg38_sample") / "universe_hg38.bed.gz"


def diffbind_er_chr18() -> Path:
    """Folder of 11 oestrogen-receptor ChIP-seq peak sets on chr18 (hg19, DiffBind).

    Returns:
        The folder of ``*.bed.gz`` files (metadata: :func:`diffbind_er_chr18_metadata`).

    Examples:
        >>> from geniml import datasets
        >>> from geniml.io import BedSet
        >>> bs = BedSet(datasets.diffbind_er_chr18())
        >>> len(bs), sum(len(r) for r in bs)
        (11, 14102)
    """
    return _folder("diffbind_er_chr18") / "beds"


def diffbind_er_chr18_metadata() -> pl.DataFrame:
    """Sample sheet of the DiffBind set: SampleID, Tissue, Factor, Condition, Treatment, ...

    Returns:
        A polars DataFrame; column ``file`` names the BED file (without ``.gz``).

    Examples:
        >>> from geniml import datasets
        >>> meta = datasets.diffbind_er_chr18_metadata()
        >>> meta.height, sorted(set(meta["Condition"]))
        (11, ['Resistant', 'Responsive'])
    """
    import polars as pl

    return pl.read_csv(_folder("diffbind_er_chr18") / "metadata.tsv", separator="\t")


def hg19_chrom_sizes() -> Path:
    """UCSC hg19 chromosome sizes (``name<TAB>length``), e.g. for coverage tracks.

    Returns:
        Path of ``hg19.chrom.sizes``.

    Examples:
        >>> from geniml import datasets
        >>> datasets.hg19_chrom_sizes().read_text().split("\\n", 1)[0]
        'chr1\\t249250621'
    """
    return _folder("diffbind_er_chr18") / "hg19.chrom.sizes"


def region2vec_hg38() -> Path:
    """A Region2Vec model folder written by upstream geniml 0.8.4 (2,385 tokens x 100 dims).

    Returns:
        The folder (``checkpoint.pt``, ``config.yaml``, ``universe.bed``); load it with
        ``Region2VecExModel.from_pretrained(path)`` (needs the ``ml`` extra).

    Examples:
        >>> from geniml import datasets
        >>> from geniml.region2vec import Region2VecExModel
        >>> model = Region2VecExModel.from_pretrained(datasets.region2vec_hg38())
        >>> model.encode(datasets.hg38_sample() / "Example1.bed.gz").shape
        (50, 100)
    """
    return _folder("region2vec_hg38")
