"""The API reference: every public module has a page; public functions document their parameters
(``Args:``) and carry a runnable ``Examples:`` block (run by tests/test_docs.py and
tests/test_datasets.py).

``KNOWN_GAPS`` lists the public names that predate this check and still lack one of the two; it
may only shrink: a new undocumented name fails, and so does a listed name once documented.
"""

from __future__ import annotations

import importlib
import inspect

from tests.conftest import ROOT

MODULES = [
    "geniml.io",
    "geniml.tokenization",
    "geniml.universe",
    "geniml.region2vec",
    "geniml.scembed",
    "geniml.evaluation",
    "geniml.eval",
    "geniml.datasets",
    "geniml.pl",
    "geniml.hub",
]

KNOWN_GAPS = {
    "geniml.io.ReadReport",
    "geniml.io.Region",
    "geniml.io.bed_files_in",
    "geniml.io.load_universe",
    "geniml.io.read_chrom_sizes",
    "geniml.io.read_scatac",
    "geniml.io.tokenize_cells",
    "geniml.io.write_bed",
    "geniml.tokenization.CoverageReport",
    "geniml.tokenization.Region2VecDataset",
    "geniml.tokenization.SoftTokens",
    "geniml.tokenization.TokenizedCells",
    "geniml.tokenization.TokenizedRegionSet",
    "geniml.tokenization.check_coverage",
    "geniml.tokenization.hard_tokenization",
    "geniml.tokenization.read_gtok",
    "geniml.tokenization.read_tokens_parquet",
    "geniml.tokenization.soft_tokenization",
    "geniml.tokenization.tokenize_anndata",
    "geniml.tokenization.tokenize_cells",
    "geniml.tokenization.tokenize_fragments",
    "geniml.tokenization.universe_tokenization",
    "geniml.universe.compute_coverage",
    "geniml.universe.load_coverage",
    "geniml.universe.read_likelihood_model",
    "geniml.region2vec.embed_region_sets",
    "geniml.scembed.embed",
    "geniml.scembed.pool_cells",
    "geniml.evaluation.BaseEmbeddings",
    "geniml.evaluation.NptResult",
    "geniml.evaluation.RegionEmbeddings",
    "geniml.evaluation.read_state_dict",
    "geniml.eval.BaseEmbeddings",
    "geniml.eval.cal_snpr",
    "geniml.eval.cosine_distance",
    "geniml.eval.ctt_eval",
    "geniml.eval.gdst_eval",
    "geniml.eval.genome_distance",
    "geniml.eval.get_bin_embeddings",
    "geniml.eval.get_ctt_batch",
    "geniml.eval.get_ctt_score",
    "geniml.eval.get_gdst_score",
    "geniml.eval.get_gdst_score_batch",
    "geniml.eval.get_npt_score",
    "geniml.eval.get_npt_score_batch",
    "geniml.eval.get_rct_score",
    "geniml.eval.load_base_embeddings",
    "geniml.eval.load_genomic_embeddings",
    "geniml.eval.npt_eval",
    "geniml.eval.rct_eval",
    "geniml.eval.reconstruction_batch",
    "geniml.eval.save_base_embeddings",
}


def _gaps() -> set[str]:
    out = set()
    for name in MODULES:
        mod = importlib.import_module(name)
        for attr in mod.__all__:
            obj = getattr(mod, attr)
            if not (inspect.isfunction(obj) or inspect.isclass(obj)):
                continue
            doc = inspect.getdoc(obj) or ""
            params = inspect.isfunction(obj) and bool(inspect.signature(obj).parameters)
            if "Examples:" not in doc or (params and "Args:" not in doc):
                out.add(f"{name}.{attr}")
    return out


def test_no_new_undocumented_public_names():
    gaps = _gaps()
    assert not gaps - KNOWN_GAPS, (
        f"document these (Args: and Examples:): {sorted(gaps - KNOWN_GAPS)}"
    )
    assert not KNOWN_GAPS - gaps, (
        f"now documented, drop from KNOWN_GAPS: {sorted(KNOWN_GAPS - gaps)}"
    )


def test_every_public_module_has_a_reference_page():
    nav = (ROOT / "mkdocs.yml").read_text()
    for name in [*MODULES, "geniml.demo", "geniml.exceptions"]:
        page = ROOT / "docs" / "api" / f"{name.split('.', 1)[1]}.md"
        assert page.read_text().strip().endswith(f"::: {name}"), page
        assert f"api/{page.name}" in nav
