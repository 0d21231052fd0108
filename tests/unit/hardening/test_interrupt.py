"""Class 4: Ctrl-C during a core call is a KeyboardInterrupt (exit 130 on the CLI), never a panic."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

LONG_CALL = """
import sys
from pathlib import Path
from geniml import _core
from geniml.tokenization import Tokenizer
beds = sorted(Path(sys.argv[1]).glob("*.bed")) * 40
tok = Tokenizer.from_bed(sys.argv[2])
print("ready", flush=True)
try:
    for _ in range(20):  # long core calls returning numpy arrays
        tok._inner.tokenize_paths(
            beds, fraction=1e-9, fraction_of="query", drop_unknown=False, unique=False
        )
except KeyboardInterrupt:
    print("KeyboardInterrupt", flush=True)
    sys.exit(0)
print("finished before the interrupt", flush=True)
"""


def _interrupt(argv: list[str], delay: float, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)
    assert proc.stdout is not None
    if "-c" in argv:
        assert proc.stdout.readline().strip() == "ready"
    time.sleep(delay)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    return subprocess.CompletedProcess(argv, proc.returncode, out, err)


def test_ctrl_c_in_core_call_is_keyboard_interrupt(shared_data):
    folder = shared_data / "bedsets" / "encode_tfbs_hg19"
    universe = shared_data / "universes" / "geniml_universe_hg38.uniq.bed"
    for delay in (0.2, 1.0):
        res = _interrupt([sys.executable, "-c", LONG_CALL, str(folder), str(universe)], delay)
        assert res.returncode == 0, res.stderr[-3000:]
        assert "KeyboardInterrupt" in res.stdout, (res.stdout, res.stderr[-2000:])
        assert "panic" not in res.stderr.lower() and "PanicException" not in res.stderr


def test_ctrl_c_on_cli_exits_130_without_partial_output(tmp_path, shared_data):
    folder = shared_data / "bedsets" / "encode_tfbs_hg19"
    sizes = shared_data / "chromsizes" / "hg19.chrom.sizes"
    geniml = Path(sys.executable).with_name("geniml")
    out = tmp_path / "cov"
    env = {**os.environ, "GENIML_NO_PROGRESS": "1"}
    res = _interrupt(
        [str(geniml), "coverage", str(folder), "-g", str(sizes), "-o", str(out)], 2.5, env=env
    )
    if res.returncode == 0:  # the machine was fast: the run completed before the signal
        assert sorted(p.name for p in out.iterdir())[:3] == [
            "all_core.bw",
            "all_end.bw",
            "all_start.bw",
        ]
        return
    assert res.returncode == 130, res.stderr[-3000:]
    assert "Traceback" not in res.stderr and "panic" not in res.stderr.lower()
    tracks = sorted(p.name for p in out.glob("*.bw")) if out.exists() else []
    assert tracks in ([], ["all_core.bw", "all_end.bw", "all_start.bw"]), tracks
