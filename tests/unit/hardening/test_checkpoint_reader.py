"""Class 1: the torch-free checkpoint reader validates every field of a crafted checkpoint."""

from __future__ import annotations

import numpy as np
import pytest

from tests.unit.hardening._crafted import write_checkpoint
from tests.unit.hardening._subproc import run_py

READ = """
import sys
from geniml.evaluation.models import read_state_dict
from geniml.exceptions import ModelError
try:
    sd = read_state_dict(sys.argv[1])
except ModelError as err:
    print("MODELERROR", err)
    sys.exit(3)
import numpy as np
np.save(sys.argv[2], sd["w"])
"""

GOOD = {"name": "w", "key": "0", "numel": 12, "offset": 0, "size": [3, 4], "stride": [4, 1]}
DATA = {"0": np.arange(12, dtype="<f4").tobytes()}


def _read(tmp_path, tensors, storages, *, no_torch=True, **kw):
    ck = write_checkpoint(tmp_path / "checkpoint.pt", tensors, storages, **kw)
    return run_py(READ, str(ck), str(tmp_path / "w.npy"), no_torch=no_torch)


def test_valid_checkpoint_reads_without_torch(tmp_path):
    t = dict(GOOD, size=[4, 3], stride=[1, 4])  # a transposed (non-contiguous) view
    out = _read(tmp_path, [t], DATA)
    assert out.returncode == 0, out.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "w.npy"), np.arange(12).reshape(3, 4).T)


def test_valid_checkpoint_matches_torch(tmp_path):
    torch = pytest.importorskip("torch")
    w = torch.randn(5, 7)
    torch.save({"w": w, "b": torch.zeros(3).long()}, tmp_path / "checkpoint.pt")
    out = run_py(READ, str(tmp_path / "checkpoint.pt"), str(tmp_path / "w.npy"), no_torch=True)
    assert out.returncode == 0, out.stderr
    np.testing.assert_array_equal(np.load(tmp_path / "w.npy"), w.numpy())


BAD = [
    ({"size": [1000, 1000], "stride": [1000, 1]}, DATA, "the storage holds 12 items"),
    ({"size": [3, 4], "stride": [2**62, 1]}, DATA, "reach item"),
    ({"offset": 9}, DATA, "storage_offset"),
    ({"offset": -4}, DATA, "`storage_offset` must be >= 0"),
    ({"stride": [-4, 1]}, DATA, "`stride[0]` must be >= 0"),
    ({"size": [3, -4]}, DATA, "`size[1]` must be >= 0"),
    ({"size": [3, 4, 1]}, DATA, "`size` has 3 dims but `stride` has 2"),
    ({"size": [3, "4"]}, DATA, "`size[1]` must be an integer"),
    ({"size": [3, 4], "stride": [0, 0], "numel": 1}, {"0": b"\0" * 4}, "elements but the storage"),
    ({"numel": 1000}, DATA, "`numel` 1000"),
    ({"numel": 2**60}, DATA, "`numel`"),
    ({"key": "../../etc/passwd"}, DATA, "no such entry"),
    ({"key": "1"}, DATA, "no such entry"),
    ({"dtype": "BFloat16Storage"}, DATA, "no numpy equivalent"),
]


@pytest.mark.parametrize(("change", "storages", "field"), BAD, ids=[b[2] for b in BAD])
def test_crafted_checkpoint_is_a_model_error(tmp_path, change, storages, field):
    out = _read(tmp_path, [dict(GOOD, **change)], storages)
    assert out.returncode == 3, out.stderr[-2000:]
    assert "MODELERROR" in out.stdout and str(tmp_path / "checkpoint.pt") in out.stdout
    assert field in out.stdout, out.stdout


def test_code_globals_are_refused(tmp_path):
    out = _read(tmp_path, [GOOD], DATA, extra_global="os:system")
    assert out.returncode == 3 and "unsupported object os.system" in out.stdout
    assert "pwned" not in out.stdout + out.stderr


def test_bad_byteorder_and_not_a_zip(tmp_path):
    out = _read(tmp_path, [GOOD], DATA, byteorder="middle")
    assert out.returncode == 3 and "`byteorder`" in out.stdout
    (tmp_path / "junk.pt").write_bytes(b"PK\x03\x04" + b"\xff" * 100)
    out = run_py(READ, str(tmp_path / "junk.pt"), str(tmp_path / "w.npy"), no_torch=True)
    assert out.returncode == 3 and "cannot read the torch checkpoint" in out.stdout


def test_crafted_checkpoint_with_torch_is_a_model_error(tmp_path):
    pytest.importorskip("torch")
    bad = dict(GOOD, size=[1000, 1000], stride=[1000, 1])
    out = _read(tmp_path, [bad], DATA, no_torch=False)
    assert out.returncode == 3, out.stderr[-2000:]
    assert str(tmp_path / "checkpoint.pt") in out.stdout


def test_eval_gdst_on_crafted_checkpoint_without_torch(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    (model / "universe.bed").write_text("chr1\t0\t10\nchr1\t20\t30\nchr1\t40\t50\n")
    write_checkpoint(
        model / "checkpoint.pt",
        [dict(GOOD, name="projection.weight", size=[100000, 4], stride=[4, 1])],
        DATA,
    )
    code = f"""
import sys
sys.argv = ["geniml", "eval", "gdst", {str(model)!r}]
from geniml.cli import main
main()
"""
    out = run_py(code, no_torch=True)
    assert out.returncode == 1, out.stderr[-2000:]
    assert "Traceback" not in out.stderr
    assert "error:" in out.stderr and "checkpoint.pt" in out.stderr and "reach item" in out.stderr
