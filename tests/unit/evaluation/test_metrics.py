from __future__ import annotations

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.cluster import KMeans

from geniml.evaluation import (
    cluster_agreement,
    evaluate_annotation,
    evaluate_embeddings,
    load_embeddings,
    load_labels,
)
from geniml.exceptions import GenimlValueError


def _sk(z, y):
    return {
        "silhouette": skm.silhouette_score(z, y),
        "davies_bouldin": skm.davies_bouldin_score(z, y),
        "calinski_harabasz": skm.calinski_harabasz_score(z, y),
    }


def test_metrics_match_sklearn_on_real_cells(schep_lsi):
    z, _, y = schep_lsi
    res = evaluate_embeddings(z, y)
    assert list(res) == ["silhouette", "davies_bouldin", "calinski_harabasz"]
    for k, v in _sk(z, y).items():
        assert res[k] == pytest.approx(v, rel=1e-12)
    # the cell types are real structure: shuffled labels score far worse
    shuffled = np.random.default_rng(0).permutation(y)
    bad = evaluate_embeddings(z, shuffled)
    assert res["silhouette"] > bad["silhouette"] + 0.1
    assert res["calinski_harabasz"] > 5 * bad["calinski_harabasz"]


def test_usage_example_files(schep_lsi, tmp_path, monkeypatch):
    """USAGE_EXAMPLES: evaluate_embeddings(embeddings_file='model/embeddings.npy', labels_file='metadata.csv')."""
    z, cells, y = schep_lsi
    (tmp_path / "model").mkdir()
    np.save(tmp_path / "model" / "embeddings.npy", z)
    lines = ["cell,n_fragments,cell_type"] + [
        f"{c},{100 + i},{t}" for i, (c, t) in enumerate(zip(cells, y, strict=True))
    ]
    (tmp_path / "metadata.csv").write_text("\n".join(lines) + "\n")
    monkeypatch.chdir(tmp_path)
    metrics = evaluate_embeddings(
        embeddings_file="model/embeddings.npy", labels_file="metadata.csv"
    )
    for k, v in _sk(z, y).items():
        assert metrics[k] == pytest.approx(v, rel=1e-12)
    # utilities.md writes the files positionally, with the metrics as a list
    again = evaluate_embeddings(
        "model/embeddings.npy",
        "metadata.csv",
        metrics=["silhouette", "davies_bouldin", "calinski_harabasz"],
    )
    assert again == metrics


def test_rows_matched_by_name(schep_lsi, tmp_path):
    z, cells, y = schep_lsi
    order = np.random.default_rng(1).permutation(len(cells))
    emb = tmp_path / "emb.csv"
    header = "cell," + ",".join(f"d{j}" for j in range(z.shape[1]))
    rows = [f"{cells[i]}.bed.gz," + ",".join(repr(float(v)) for v in z[i]) for i in order]
    emb.write_text(header + "\n" + "\n".join(rows) + "\n")
    labels = tmp_path / "labels.tsv"
    labels.write_text(
        "cell_type\tcell\n" + "".join(f"{t}\t{c}\n" for c, t in zip(cells, y, strict=True))
    )
    x, names = load_embeddings(emb)
    assert names[0] == f"{cells[order[0]]}.bed.gz"
    np.testing.assert_array_equal(x, z[order])
    res = evaluate_embeddings(embeddings_file=emb, labels_file=labels)
    assert res["silhouette"] == pytest.approx(skm.silhouette_score(z, y), rel=1e-9)
    # by order instead, the labels no longer belong to their rows
    by_order = evaluate_embeddings(z[order], load_labels(labels)[0])
    assert by_order["silhouette"] < res["silhouette"] - 0.1


def test_label_column_rules(tmp_path):
    p = tmp_path / "meta.csv"
    p.write_text("file_name,cell_type,n_regions\na.bed,B,3\nb.bed,T,4\n")
    assert load_labels(p)[0].tolist() == ["B", "T"]
    assert load_labels(p, label_column="file_name")[0].tolist() == ["a.bed", "b.bed"]
    q = tmp_path / "meta2.csv"
    q.write_text("sample,label,tissue\ns1,x,liver\ns2,y,lung\n")
    labels, ids = load_labels(q)
    assert labels.tolist() == ["x", "y"] and ids == ["s1", "s2"]
    with pytest.raises(GenimlValueError, match="no column 'nope'"):
        load_labels(p, label_column="nope")
    r = tmp_path / "numbers.csv"
    r.write_text("file,n\na,1\nb,2\n")
    with pytest.raises(GenimlValueError, match="no label column"):
        load_labels(r)


def test_embedding_table_errors(tmp_path):
    p = tmp_path / "e.tsv"
    p.write_text("1\t2\n3\tx\n")
    with pytest.raises(GenimlValueError, match=r"line 2, column 2: not a number \('x'\)"):
        load_embeddings(p)
    with pytest.raises(GenimlValueError, match="3 labels for 2 embedding rows"):
        evaluate_embeddings(np.zeros((2, 2)), ["a", "b", "c"])
    with pytest.raises(GenimlValueError, match="distinct labels"):
        evaluate_embeddings(np.random.default_rng(0).normal(size=(5, 2)), ["a"] * 5)
    with pytest.raises(GenimlValueError, match="unknown metric"):
        evaluate_embeddings(np.zeros((3, 2)), ["a", "b", "a"], metrics=("accuracy",))
    with pytest.raises(GenimlValueError, match="exactly one of embeddings"):
        evaluate_embeddings(labels=["a"])


def test_ari_nmi_kmeans_match_sklearn(schep_lsi):
    z, _, y = schep_lsi
    res = cluster_agreement(z, y, method="kmeans", seed=3)
    km = KMeans(n_clusters=12, n_init=10, random_state=3).fit_predict(z)
    assert res["n_clusters"] == 12
    assert res["ari"] == pytest.approx(skm.adjusted_rand_score(y, km), abs=1e-12)
    assert res["nmi"] == pytest.approx(skm.normalized_mutual_info_score(y, km), abs=1e-12)
    assert res["ari"] > 0.4  # LSI separates the Schep cell types
    both = evaluate_embeddings(z, y, metrics=("ari", "nmi"), seed=3)
    assert both == {"ari": res["ari"], "nmi": res["nmi"]}


def test_leiden_hits_requested_cluster_count(schep_lsi):
    pytest.importorskip("leidenalg")
    z, _, y = schep_lsi
    res = cluster_agreement(z, y, method="leiden", n_clusters=12)
    assert res["n_clusters"] == 12
    assert res["ari"] == pytest.approx(skm.adjusted_rand_score(y, res["clusters"]))
    shuffled = np.random.default_rng(0).permutation(y)
    assert res["ari"] > 0.4 > cluster_agreement(z, shuffled, method="leiden", n_clusters=12)["ari"]


def test_annotation_metrics_match_sklearn(schep_lsi, tmp_path):
    from sklearn.model_selection import cross_val_predict
    from sklearn.neighbors import KNeighborsClassifier

    z, cells, y = schep_lsi
    pred = cross_val_predict(KNeighborsClassifier(10), z, y, cv=5)
    res = evaluate_annotation(pred, y, metrics=("accuracy", "f1", "confusion_matrix", "recall"))
    assert res["accuracy"] == pytest.approx(skm.accuracy_score(y, pred))
    assert res["f1"] == pytest.approx(skm.f1_score(y, pred, average="macro"))
    assert res["recall"] == pytest.approx(skm.recall_score(y, pred, average="macro"))
    labels = sorted(set(y))
    assert res["labels"] == labels
    np.testing.assert_array_equal(
        res["confusion_matrix"], skm.confusion_matrix(y, pred, labels=labels)
    )
    assert res["confusion_matrix"].sum() == 600
    # files with identifier columns are matched by identifier, not order
    order = np.random.default_rng(2).permutation(600)
    (tmp_path / "pred.csv").write_text(
        "cell,pred_celltype\n" + "".join(f"{cells[i]},{pred[i]}\n" for i in order)
    )
    (tmp_path / "true.tsv").write_text(
        "cell\tcell_type\n" + "".join(f"{c}\t{t}\n" for c, t in zip(cells, y, strict=True))
    )
    from_files = evaluate_annotation(tmp_path / "pred.csv", tmp_path / "true.tsv")
    assert from_files["accuracy"] == pytest.approx(res["accuracy"])
    with pytest.raises(GenimlValueError, match="equal length"):
        evaluate_annotation(["a"], ["a", "b"])
