from __future__ import annotations

import importlib.util
import pickle

import numpy as np
import pytest

import geniml.evaluation as ev
from geniml.evaluation import plot_embeddings
from geniml.evaluation.plot import project_2d
from geniml.exceptions import GenimlValueError

PNG = b"\x89PNG\r\n\x1a\n"


def test_pca_plot_written_atomically(schep_lsi, tmp_path):
    z, _, y = schep_lsi
    out = plot_embeddings(z, y, method="pca", path=tmp_path / "pca.png")
    assert out == tmp_path / "pca.png"
    assert out.read_bytes()[:8] == PNG and out.stat().st_size > 10_000
    assert [p.name for p in tmp_path.iterdir()] == ["pca.png"]  # no temporary left behind
    with pytest.raises(FileExistsError, match="force=True"):
        plot_embeddings(z, y, method="pca", path=out)
    before = out.stat().st_mtime_ns
    plot_embeddings(z[:100], y[:100], method="pca", path=out, force=True)
    assert out.stat().st_mtime_ns >= before
    with pytest.raises(GenimlValueError, match="3 labels for 600"):
        plot_embeddings(z, ["a", "b", "c"], method="pca", path=tmp_path / "x.png")
    with pytest.raises(GenimlValueError, match="`method` must be one of"):
        plot_embeddings(z, y, method="mds", path=tmp_path / "y.png")


def test_pca_projection_is_the_sklearn_pca(schep_lsi):
    from sklearn.decomposition import PCA

    z = schep_lsi[0]
    np.testing.assert_allclose(
        project_2d(z, method="pca"), PCA(2, random_state=0).fit_transform(z), atol=1e-9
    )


def test_umap_missing_gives_a_clear_error(monkeypatch, tmp_path):
    import builtins

    real_import = builtins.__import__

    def fake(name, *args, **kwargs):
        if name == "umap":
            raise ImportError("no umap")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake)
    with pytest.raises(ImportError, match="method='pca'"):
        plot_embeddings(np.zeros((5, 3)), method="umap", path=tmp_path / "u.png")


@pytest.mark.slow
def test_umap_plot(schep_lsi, tmp_path):
    pytest.importorskip("umap")
    z, _, y = schep_lsi
    out = plot_embeddings(z, y, method="umap", path=tmp_path / "umap.png")
    assert out.read_bytes()[:8] == PNG


def test_assess_universe_is_lazy():
    if importlib.util.find_spec("geniml.universe") is None:
        with pytest.raises(AttributeError, match="needs geniml.universe"):
            ev.assess_universe  # noqa: B018
    else:
        assert callable(ev.assess_universe)
    with pytest.raises(AttributeError):
        ev.no_such_function  # noqa: B018


def test_eval_alias_keeps_upstream_names(export_dir, tmp_path):
    from geniml.eval import (  # noqa: F401
        ctt,
        gdst,
        get_ctt_score,
        get_npt_score,
        load_genomic_embeddings,
        npt,
        rct,
        utils,
    )

    assert get_ctt_score(str(export_dir), "exmodel", seed=0) == ev.ctt_score(export_dir, seed=0)
    res = get_npt_score(str(export_dir), "exmodel", 20, num_samples=50)
    assert set(res) == {"K", "Avg_qNPR", "Avg_rNPR", "SNPR", "Resolution", "Path"}
    np.testing.assert_array_equal(res["SNPR"], ev.npt_score(export_dir, k=20, n_samples=50).snpr)
    vec, vocab = load_genomic_embeddings(export_dir, "exmodel")
    assert vec.shape == (2378, 100) and vocab[0] == "chr1:107930437-107931214"
    # a BaseEmbeddings pickle written here names upstream's class path
    utils.save_base_embeddings(utils.BaseEmbeddings(vec, vocab), tmp_path / "b.pkl")
    assert b"geniml.eval.utils" in (tmp_path / "b.pkl").read_bytes()
    assert gdst.get_gdst_score(str(tmp_path / "b.pkl"), "base", 500, 1) == pytest.approx(
        gdst.get_gdst_score(str(export_dir), "exmodel", 500, 1)
    )
    with pytest.raises(GenimlValueError, match="embed_type"):
        get_ctt_score(str(export_dir), "word2vec")


def test_pickle_loader_refuses_code(tmp_path):
    class Evil:
        def __reduce__(self):
            return (print, ("pwned",))

    p = tmp_path / "evil.pkl"
    p.write_bytes(pickle.dumps(Evil()))
    from geniml.exceptions import ModelError

    with pytest.raises(ModelError, match="unsupported object builtins.print"):
        ev.load_region_embeddings(p)
