"""Class 8: model folders with bad parts are ModelError naming the file and the reason."""

from __future__ import annotations

import shutil

import pytest

from geniml.exceptions import ModelError

pytest.importorskip("torch")


@pytest.fixture
def model_dir(tmp_path, shared_data):
    src = shared_data / "models" / "geniml_region2vec_export"
    dst = tmp_path / "model"
    dst.mkdir()
    for name in ("checkpoint.pt", "config.yaml", "universe.bed"):
        shutil.copy(src / name, dst / name)
    return dst


def _load(folder):
    from geniml.region2vec import Region2VecExModel

    return Region2VecExModel.from_pretrained(folder, device="cpu")


def test_real_model_loads(model_dir):
    assert _load(model_dir).embeddings.shape == (2385, 100)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("vocab_size: [1, 2\n", "not valid YAML"),  # ParserError
        ("a: !!python/object:os.system {}\n", "not valid YAML"),  # ConstructorError
        ("\tvocab_size: 3\n", "not valid YAML"),  # ScannerError
        ("- 1\n- 2\n", "expected a mapping of settings, got a YAML list"),
        ("vocab_size: 2385\nembedding_dim: -3\n", "positive integer"),
        ("vocab_size: true\nembedding_dim: 100\n", "positive integer"),
    ],
)
def test_bad_config(model_dir, text, reason):
    (model_dir / "config.yaml").write_text(text)
    with pytest.raises(ModelError, match=reason) as ex:
        _load(model_dir)
    assert str(model_dir / "config.yaml") in str(ex.value)


def test_config_not_utf8(model_dir):
    (model_dir / "config.yaml").write_bytes(b"vocab_size: \xff\xfe\n")
    with pytest.raises(ModelError, match="config.yaml: unreadable"):
        _load(model_dir)


def test_bad_safetensors(model_dir):
    (model_dir / "model.safetensors").write_bytes(b"\x08\x00\x00\x00\x00\x00\x00\x00{garbage")
    with pytest.raises(ModelError, match="model.safetensors: unreadable safetensors"):
        _load(model_dir)


def test_bad_torch_checkpoint(model_dir):
    raw = (model_dir / "checkpoint.pt").read_bytes()
    (model_dir / "checkpoint.pt").write_bytes(raw[: len(raw) // 2])  # truncated zip
    with pytest.raises(ModelError, match="checkpoint.pt: unreadable torch checkpoint"):
        _load(model_dir)


def test_checkpoint_is_a_folder(model_dir):
    (model_dir / "checkpoint.pt").unlink()
    (model_dir / "checkpoint.pt").mkdir()
    with pytest.raises(ModelError, match="checkpoint.pt"):
        _load(model_dir)


def test_universe_with_fewer_regions_than_weight_rows(model_dir):
    lines = (model_dir / "universe.bed").read_text().splitlines(keepends=True)
    (model_dir / "universe.bed").write_text("".join(lines[:-10]))
    with pytest.raises(ModelError, match="do not belong together"):
        _load(model_dir)
    from geniml.evaluation import load_region_embeddings

    with pytest.raises(ModelError, match="do not belong together"):
        load_region_embeddings(model_dir)


def test_bad_training_checkpoint(tmp_path, model_dir):
    from geniml.region2vec._train import load_checkpoint

    bad = tmp_path / "epoch_0001.pt"
    bad.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(ModelError, match="epoch_0001.pt: unreadable"):
        load_checkpoint(bad, _load(model_dir).model)


def test_cli_reports_bad_model_without_traceback(model_dir, tmp_path, shared_data):
    import subprocess
    import sys
    from pathlib import Path

    (model_dir / "config.yaml").write_text("- a list\n")
    geniml = Path(sys.executable).with_name("geniml")
    bed = shared_data / "bedsets" / "geniml_hg38_sample" / "Example1.bed"
    out = subprocess.run(
        [
            str(geniml),
            "region2vec",
            "encode",
            str(bed),
            "-m",
            str(model_dir),
            "-o",
            str(tmp_path / "v.npy"),
        ],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 1, out.stderr
    assert "Traceback" not in out.stderr
    assert "config.yaml: expected a mapping" in out.stderr
