"""Run every benchmark script in benches/ (each prints a markdown table)."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python", required=True)
    args = ap.parse_args()
    failed = 0
    for script in sorted(HERE.glob("*_bench.py")):
        print(f"\n## {script.stem}", flush=True)
        rc = subprocess.run(
            [sys.executable, str(script), "--peer-python", args.peer_python], cwd=HERE
        ).returncode
        failed += rc != 0
    sys.exit(1 if failed else 0)
