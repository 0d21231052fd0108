from __future__ import annotations

import subprocess

import anndata as ad
import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp

from geniml.exceptions import AnnDataLayoutError, GenimlValueError
from geniml.io import RegionSet, read_bed, tokenize_cells
from geniml.tokenization import (
    Region2VecDataset,
    Tokenizer,
    check_coverage,
    hard_tokenization,
    read_gtok,
    read_tokens_parquet,
    soft_tokenization,
    tokenize_anndata,
    tokenize_fragments,
    universe_tokenization,
    write_gtok,
)


@pytest.fixture(scope="module")
def universe_path(shared_data):
    return shared_data / "universes" / "geniml_universe_hg38.uniq.bed"


def test_hard_tokenization_matches_bedtools(shared_data, universe_path, tmp_path):
    src = shared_data / "bedsets" / "geniml_hg38_sample"
    out = hard_tokenization(src, tmp_path / "tokens", universe_path, p_value_threshold=1e-9)
    assert len(out) == 13
    try:
        import shutil

        bedtools = shutil.which("bedtools")
    except ImportError:  # pragma: no cover
        bedtools = None
    for f in out[:5]:
        got = [tuple(r) for r in read_bed(f, allow_empty=True)]
        if bedtools:
            res = subprocess.run(
                [
                    bedtools,
                    "intersect",
                    "-a",
                    str(universe_path),
                    "-b",
                    str(src / f.name),
                    "-u",
                    "-f",
                    "1e-9",
                ],
                capture_output=True,
                text=True,
                check=True,
            )
            want = [
                (ln.split("\t")[0], int(ln.split("\t")[1]), int(ln.split("\t")[2]))
                for ln in res.stdout.splitlines()
            ]
            assert got == want, f
        tok = Tokenizer.from_bed(universe_path)
        ids = tok.tokenize(src / f.name, unique=True).ids
        assert got == [tuple(r) for r in tok.universe[ids]]
    with pytest.raises(FileExistsError):
        hard_tokenization(src, tmp_path / "tokens", universe_path)
    # the folder of tokenized BED files feeds the dataset
    ds = Region2VecDataset(tmp_path / "tokens", tokenizer=Tokenizer.from_bed(universe_path))
    assert len(ds) == 13
    assert [len(read_bed(f, allow_empty=True)) for f in out] == ds.lengths.tolist()


def test_soft_and_universe_tokenization(shared_data, universe_path, tmp_path):
    src = shared_data / "bedsets" / "geniml_hg38_sample"
    out = soft_tokenization(src, tmp_path / "soft", universe_path, overlap_threshold=0.5)
    rows = [line.split("\t") for line in out[1].read_text().splitlines()]
    assert rows and all(0.5 <= float(r[3]) <= 1.0 for r in rows)
    txt = universe_tokenization(src / "Example2.bed", universe_path, tmp_path / "tokens.txt")
    lines = txt.read_text().splitlines()
    assert len(lines) == len(read_bed(src / "Example2.bed"))
    with pytest.raises(GenimlValueError, match="method"):
        universe_tokenization(src / "Example2.bed", universe_path, tmp_path / "t2", method="x")


def test_check_coverage(shared_data, universe_path):
    f = shared_data / "bedsets" / "geniml_hg38_sample" / "DRX127657.05.bed"
    with pytest.warns(UserWarning, match="under 80%"):
        rep = check_coverage(f, universe_path)
    tok = Tokenizer.from_bed(universe_path)
    full = tok.tokenize(f).ids
    rs = read_bed(f)
    off, _ = tok.overlaps(rs)
    assert rep.n_regions == len(rs)
    assert rep.n_regions_with_token == int((np.diff(off) > 0).sum())
    assert rep.n_universe_used == len(set(full.tolist()) - {tok.unk_token_id})
    assert 0 < rep.frac_bp_covered <= rep.frac_regions_covered <= 1
    # a universe made of the file itself covers everything
    self_rep = check_coverage(rs, Tokenizer(rs.dedup()), warn=False)
    assert self_rep.frac_regions_covered == 1.0 and self_rep.frac_bp_covered == 1.0


def _schep_adata(shared_data):
    d = shared_data / "scatac" / "schep2017_600cells_hg19"
    m = scipy.io.mmread(d / "matrix_peaks_x_cells.mtx").tocsr().T.tocsr()
    peaks = read_bed(d / "peaks.bed")
    import pandas as pd

    cells = pd.read_csv(d / "cells.tsv", sep="\t")
    var = pd.DataFrame(
        {"chr": peaks.chrom_array().astype(str), "start": peaks.starts, "end": peaks.ends},
        index=[f"p{i}" for i in range(len(peaks))],
    )
    return ad.AnnData(X=m.astype(np.float32), obs=cells.set_index("cell"), var=var)


def test_tokenize_anndata_matches_per_cell_loop(shared_data, tmp_path):
    adata = _schep_adata(shared_data)
    peaks = read_bed(shared_data / "scatac" / "schep2017_600cells_hg19" / "peaks.bed")
    universe = peaks.merge(distance=2000)  # coarser universe: several peaks per token
    tok = Tokenizer(universe)
    cells = tokenize_anndata(adata, tok)
    assert len(cells) == 600
    x = adata.X.tocsr()
    for i in (0, 17, 599):
        nz = x[i].nonzero()[1]
        want = sorted(set(tok.tokenize(peaks[nz], drop_unknown=True).ids.tolist()))
        assert cells.ids_for(i).tolist() == want
    out = tmp_path / "tokens.parquet"
    tokenize_cells(adata, tok, out)
    back = read_tokens_parquet(out)
    assert back.cells == cells.cells
    assert back.universe_path is None  # an in-memory universe has no file
    assert np.array_equal(back.ids, cells.ids) and np.array_equal(back.offsets, cells.offsets)
    ds = Region2VecDataset(out)
    assert len(ds) == 600 and ds[5].tolist() == cells.ids_for(5).tolist()
    with pytest.raises(FileExistsError):
        tokenize_cells(adata, tok, out)
    k = int(np.median(cells.lengths)) + 1  # a threshold that keeps some cells and drops some
    kept = cells.filter(min_tokens=k)
    rows = [i for i in range(len(cells)) if len(cells.ids_for(i)) >= k]  # naive
    assert 0 < len(rows) < len(cells) and kept.cells == [cells.cells[i] for i in rows]
    assert [kept.ids_for(j).tolist() for j in range(len(kept))] == [
        cells.ids_for(i).tolist() for i in rows
    ]


def test_anndata_var_names_and_bad_layout(shared_data, tmp_path):
    a = ad.read_h5ad(shared_data / "anndata" / "pbmc_hg38.h5ad")
    u = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    path = tmp_path / "pbmc.h5ad"
    a.write_h5ad(path)
    by_cols = tokenize_cells(path, u, tmp_path / "pbmc.parquet")
    assert read_tokens_parquet(tmp_path / "pbmc.parquet").universe_path == str(u.resolve())
    b = a.copy()
    b.var_names = [
        f"{c}:{s}-{e}" for c, s, e in zip(a.var["chr"], a.var["start"], a.var["end"], strict=True)
    ]
    b.var = b.var.drop(columns=["chr", "start", "end"])
    by_names = tokenize_anndata(b, Tokenizer.from_bed(u))
    assert np.array_equal(by_cols.ids, by_names.ids)
    b.var_names = [f"peak{i}" for i in range(b.n_vars)]
    with pytest.raises(AnnDataLayoutError, match="chr/start/end"):
        tokenize_anndata(b, Tokenizer.from_bed(u))


def test_fragments(shared_data, tmp_path):
    frag = shared_data / "fragments" / "TCD8EM_S_1001.fragments.bed.gz"
    u = read_bed(shared_data / "bedsets" / "immune_atlas_peaks_hg38.bed")
    tok = Tokenizer(u.dedup())
    cells = tokenize_fragments(frag, tok)
    assert cells.cells == ["TCD8EM_S_1001.fragments"]
    want = sorted(set(tok.tokenize(frag, drop_unknown=True).ids.tolist()))
    assert cells.ids_for(0).tolist() == want
    # barcoded fragments: split rows into two pseudo-cells
    rs = read_bed(frag)[:5000]
    lines = [
        f"{r.chrom}\t{r.start}\t{r.end}\t{'AAA' if i % 2 else 'CCC'}\t1" for i, r in enumerate(rs)
    ]
    p = tmp_path / "frags.tsv"
    p.write_text("\n".join(lines) + "\n")
    bc = tokenize_fragments(p, tok)
    assert sorted(bc.cells) == ["AAA", "CCC"]
    k = bc.cells.index("AAA")
    want = sorted(set(tok.tokenize(rs[1::2], drop_unknown=True).ids.tolist()))
    assert bc.ids_for(k).tolist() == want
    only = tokenize_fragments(p, tok, barcodes=["CCC"])
    assert only.cells == ["CCC"]


def test_gtok_roundtrip_and_u16_refusal(tmp_path):
    p = write_gtok(tmp_path / "a.gtok", np.array([1, 2, 65535]))
    assert p.read_bytes()[:5] == b"GTOK\x01"
    assert read_gtok(p).tolist() == [1, 2, 65535]
    with pytest.raises(GenimlValueError, match="does not fit in a u16"):
        write_gtok(tmp_path / "b.gtok", [70000], width=16)
    write_gtok(tmp_path / "b.gtok", [70000, 3])
    assert (tmp_path / "b.gtok").read_bytes()[4] == 2
    ds = Region2VecDataset(tmp_path)
    assert [d.tolist() for d in ds] == [[1, 2, 65535], [70000, 3]]
    with pytest.raises(FileExistsError):
        write_gtok(p, [1])


def test_anndata_from_sparse_csc_and_dense(shared_data):
    adata = _schep_adata(shared_data)[:20].copy()
    tok = Tokenizer(read_bed(shared_data / "scatac" / "schep2017_600cells_hg19" / "peaks.bed"))
    a = tokenize_anndata(adata, tok)
    adata.X = sp.csc_matrix(adata.X)
    b = tokenize_anndata(adata, tok)
    adata.X = adata.X.toarray()
    c = tokenize_anndata(adata, tok)
    assert np.array_equal(a.ids, b.ids) and np.array_equal(a.ids, c.ids)


def test_regionset_triple_input():
    tok = Tokenizer(RegionSet([("chr1", 0, 10)]))
    assert tok.tokenize((["chr1"], [5], [6])).ids.tolist() == [0]


def test_filter_keeps_whole_cells():
    from geniml.tokenization import TokenizedCells

    cells = TokenizedCells(
        ["a", "b", "c", "d"], np.array([0, 3, 3, 4, 6]), np.array([1, 2, 3, 9, 4, 5])
    )
    kept = cells.filter(min_tokens=2)
    assert kept.cells == ["a", "d"]
    assert kept.ids_for(0).tolist() == [1, 2, 3] and kept.ids_for(1).tolist() == [4, 5]
    assert len(cells.filter(min_tokens=10)) == 0 and cells.filter(min_tokens=10).ids.size == 0
