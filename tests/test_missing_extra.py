"""A core install (no [ml]) reaching an ML feature gets one line naming the extra."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from geniml._optional import missing_extra_message, require, require_from
from geniml.exceptions import GenimlError, MissingExtraError

LINE = "this needs `pip install 'geniml[ml]'`"


def _hide(tmp_path: Path, *names: str) -> dict[str, str]:
    """An environment whose PYTHONPATH shadows ``names`` with modules that fail to import."""
    shadow = tmp_path / "shadow"
    shadow.mkdir(exist_ok=True)
    for name in names:
        (shadow / f"{name}.py").write_text(
            f"raise ModuleNotFoundError(\"No module named '{name}'\", name={name!r})\n"
        )
    env = dict(os.environ)
    env["PYTHONPATH"] = str(shadow) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_message_names_the_extra():
    assert missing_extra_message("torch.nn.functional") == f"{LINE} (torch is not installed)"
    assert "geniml[hf]" in missing_extra_message("huggingface_hub")


def test_require_passes_through_installed_and_unrelated_modules():
    assert require("numpy").__name__ == "numpy"
    assert require_from("numpy", "linalg").__name__ == "numpy.linalg"
    with pytest.raises(ModuleNotFoundError) as info:
        require("not_a_module_geniml_knows")
    assert not isinstance(info.value, MissingExtraError)


API_CODE = """
import sys
from geniml.exceptions import MissingExtraError
from geniml.io import RegionSet, read_scatac
from geniml.tokenization import Tokenizer
from geniml.region2vec import Region2VecExModel

tok = Tokenizer(RegionSet([("chr1", 0, 10)]))
for what, call in [
    ("Region2VecExModel", lambda: Region2VecExModel(tokenizer=tok)),
    ("read_scatac", lambda: read_scatac(sys.argv[1])),
    ("from_pretrained", lambda: Region2VecExModel.from_pretrained(sys.argv[2])),
]:
    try:
        call()
    except MissingExtraError as err:
        print(what, err.module, err.extra, str(err), sep="|")
    else:
        raise SystemExit(f"{what} ran without its extra")
"""


def test_api_raises_missing_extra_without_torch_and_anndata(tmp_path, shared_data):
    env = _hide(tmp_path, "torch", "anndata", "scanpy")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            API_CODE,
            str(shared_data / "scatac" / "schep2017_600cells_hg19"),
            str(shared_data / "models" / "geniml_region2vec_export"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rows = [line.split("|") for line in out.stdout.strip().splitlines()]
    assert [r[0] for r in rows] == ["Region2VecExModel", "read_scatac", "from_pretrained"]
    assert [r[1] for r in rows] == ["torch", "anndata", "torch"]
    assert all(r[2] == "ml" and r[3].startswith(LINE) for r in rows)
    assert issubclass(MissingExtraError, GenimlError) and issubclass(MissingExtraError, ImportError)


def test_cli_prints_one_line_without_torch(tmp_path, shared_data):
    exe = shutil.which("geniml", path=str(Path(sys.executable).parent))
    assert exe is not None, "the geniml entry point is not installed next to this python"
    env = _hide(tmp_path, "torch")
    out = subprocess.run(
        [
            exe,
            "region2vec",
            "encode",
            "--model",
            str(shared_data / "models" / "geniml_region2vec_export"),
            str(shared_data / "bedsets" / "geniml_hg38_sample" / "Example1.bed"),
            "--output",
            str(tmp_path / "v.npy"),
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    assert out.returncode == 1, (out.stdout, out.stderr)
    assert out.stderr.strip() == f"error: {LINE} (torch is not installed)"
    assert not (tmp_path / "v.npy").exists()
