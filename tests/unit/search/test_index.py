from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from geniml.exceptions import GenimlValueError
from geniml.search import (
    BED2BEDSearchInterface,
    HNSWBackend,
    SearchBackend,
    SearchIndexError,
    build_search_index,
    rand_eval,
    rank_metrics,
)
from tests.unit.search.conftest import need_text_model


@pytest.fixture(scope="module")
def bed_index(hg38_collection, tmp_path_factory):
    out = tmp_path_factory.mktemp("idx") / "bed_only"
    c = hg38_collection
    build_search_index(c["emb"], c["meta"], out, model=c["model"], text_model=None)
    return out


def test_bed_query_finds_itself_and_ranks_by_centred_cosine(bed_index, hg38_collection):
    sb = SearchBackend.load(bed_index)
    assert len(sb) == len(hg38_collection["files"])
    xc = hg38_collection["xc"]
    xn = xc / np.linalg.norm(xc, axis=1, keepdims=True)
    for i, f in enumerate(hg38_collection["files"]):
        res = sb.query(bed=f, top_k=4)
        assert res.columns[:4] == ["rank", "id", "score", "file"]
        assert res["rank"].to_list() == [1, 2, 3, 4]
        assert res["file"][0] == f.name and res["id"][0] == i
        expected = np.sort(xn @ xn[i])[::-1][:4]
        np.testing.assert_allclose(res["score"].to_numpy(), expected, atol=1e-4)
    vec = sb.query(vector=hg38_collection["x"][3], top_k=2)
    assert vec["id"][0] == 3


def test_metadata_filter(bed_index, hg38_collection):
    sb = SearchBackend.load(bed_index)
    meta = pl.read_csv(hg38_collection["meta"], separator="\t")
    k562 = meta.with_row_index("id").filter(pl.col("cell_line") == "K-562")["id"].to_list()
    only = sb.query(metadata={"cell_line": "K-562"}, top_k=50)
    assert only["id"].to_list() == k562 and only["score"].null_count() == len(k562)
    assert set(only["cell_line"]) == {"K-562"}
    both = sb.query(bed=hg38_collection["files"][0], metadata={"cell_line": "K-562"}, top_k=2)
    assert len(both) == 2 and set(both["id"]) <= set(k562)
    ranked = sb.query(bed=hg38_collection["files"][0], top_k=50)
    ranked_k562 = [i for i in ranked["id"] if i in k562][:2]
    assert both["id"].to_list() == ranked_k562
    multi = sb.query(metadata={"cell_line": ["K-562", "A549"], "tissue": "Blood"}, top_k=50)
    assert multi["id"].to_list() == k562
    assert sb.query(metadata={"cell_line": "nope"}).height == 0
    with pytest.raises(GenimlValueError, match="no field 'cell'"):
        sb.query(metadata={"cell": "K-562"})


def test_query_errors(bed_index, hg38_collection, tmp_path):
    sb = SearchBackend.load(bed_index)
    with pytest.raises(GenimlValueError, match="give a query"):
        sb.query()
    with pytest.raises(GenimlValueError, match="one of"):
        sb.query(text="x", bed=hg38_collection["files"][0])
    with pytest.raises(GenimlValueError, match="top_k"):
        sb.query(bed=hg38_collection["files"][0], top_k=0)
    with pytest.raises(GenimlValueError, match=r"expected shape \(100,\)"):
        sb.query(vector=np.ones(5))
    with pytest.raises(SearchIndexError, match="no text model"):
        sb.query(text="CTCF")
    with pytest.raises(FileNotFoundError, match="missing.bed"):
        sb.query(bed=tmp_path / "missing.bed")
    with pytest.raises(SearchIndexError, match="not a search index"):
        SearchBackend.load(tmp_path)


def test_build_errors(hg38_collection, tmp_path, bed_index):
    c = hg38_collection
    with pytest.raises(FileExistsError):
        build_search_index(c["emb"], c["meta"], bed_index, text_model=None)
    short = tmp_path / "short.tsv"
    pl.read_csv(c["meta"], separator="\t").head(5).write_csv(short, separator="\t")
    with pytest.raises(GenimlValueError, match="has no metadata row"):
        build_search_index(c["emb"], short, tmp_path / "o", text_model=None)
    npy = tmp_path / "e.npy"
    np.save(npy, c["x"])
    with pytest.raises(GenimlValueError, match="13 embedding rows but the metadata has 5"):
        build_search_index(npy, short, tmp_path / "o", text_model=None)
    z = c["x"].copy()
    z[2] = 0
    np.save(npy, z)
    with pytest.raises(GenimlValueError, match="row 3 is zero"):
        build_search_index(npy, c["meta"], tmp_path / "o", text_model=None)
    np.save(npy, c["x"][:, :50])
    with pytest.raises(GenimlValueError, match="dimension 100, the embeddings 50"):
        build_search_index(npy, c["meta"], tmp_path / "o", model=c["model"], text_model=None)
    assert not (tmp_path / "o").exists()


def test_text_search_end_to_end(hg38_collection, tmp_path):
    need_text_model()
    c = hg38_collection
    out = build_search_index(c["emb"], c["meta"], tmp_path / "idx", model=c["model"], epochs=200)
    sb = SearchBackend.load(out)
    res = sb.query(text="K-562 H3K4me1", top_k=13)
    assert res.height == 13 and res["rank"].to_list() == list(range(1, 14))
    assert res["score"].is_sorted(descending=True)
    # the network was trained on these sentences: the described file ranks above the middle
    meta = pl.read_csv(c["meta"], separator="\t")
    ranks = []
    for i in range(len(meta)):
        r = meta.row(i, named=True)
        text = ", ".join(str(r[k]) for k in ("assay", "target", "tissue", "cell_line"))
        ranks.append(sb.query(text=text, top_k=13)["id"].to_list().index(i) + 1)
    print("ranks", ranks)
    assert np.mean(ranks) < 7.0  # a random ranking gives 7 on average


def test_rank_metrics_match_upstream(peer):
    rng = np.random.default_rng(3)
    cases = []
    for _ in range(20):
        n = int(rng.integers(5, 40))
        ranking = rng.permutation(n).tolist()
        rel = sorted(rng.choice(n, size=int(rng.integers(1, n - 1)), replace=False).tolist())
        cases.append((ranking, rel))
    code = """
import importlib.util, json, os, sys
import numpy as np
import geniml
np.trapz = getattr(np, "trapz", None) or np.trapezoid  # upstream uses np.trapz (numpy < 2)
p = os.path.join(os.path.dirname(geniml.__file__), "search", "utils.py")
spec = importlib.util.spec_from_file_location("up_utils", p)
m = importlib.util.module_from_spec(spec); spec.loader.exec_module(m)
cases = json.loads(sys.argv[1])
print(json.dumps([m.single_query_eval([{"id": i} for i in r], rel) for r, rel in cases]))
"""
    import json

    theirs = json.loads(peer(code, json.dumps(cases)))
    ours = [rank_metrics(r, rel) for r, rel in cases]
    np.testing.assert_allclose(ours, theirs, atol=1e-12)


def test_bed2bed_interface_eval(hg38_collection):
    c = hg38_collection
    meta = pl.read_csv(c["meta"], separator="\t")
    b = HNSWBackend()  # upstream style: the raw region-set embeddings
    b.load(c["x"], payloads=[{"file": n} for n in c["names"]])
    ui = BED2BEDSearchInterface(b, c["model"])
    assert ui.query_search(str(c["files"][4]), 3)[0]["id"] == 4
    assert ui.eval({}) == dict.fromkeys(
        ["Mean Average Precision", "Mean AUC-ROC", "Average R-Precision"], 0.0
    )
    qd = {}
    for ids in meta.with_row_index("id").group_by("cell_line").agg("id")["id"]:
        if len(ids) > 1:
            for i in ids:
                qd[i] = [j for j in ids if j != i]
    rows = [
        rank_metrics([r["id"] for r in b.exact_search(c["x"][i], 13)], v) for i, v in qd.items()
    ]
    got = ui.eval({str(c["files"][i]): v for i, v in qd.items()})
    np.testing.assert_allclose(list(got.values()), np.mean(rows, axis=0), atol=1e-6)
    rnd = rand_eval(13, qd)
    assert set(rnd) == set(got) and 0 < rnd["Mean Average Precision"] < 1
