"""Shared helpers of the side-by-side benchmarks (not part of the package)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("GENIML_SHARED_DATA", ROOT.parent / "shared" / "data"))
OUT = ROOT / "bench_out"


def peer_python(arg: str | None = None) -> str:
    """The peer venv's python (argument, $GENIML_PEER_PYTHON, .peer-venv, ../peer-venv)."""
    for c in (
        arg,
        os.environ.get("GENIML_PEER_PYTHON"),
        ROOT / ".peer-venv/bin/python",
        ROOT.parent / "peer-venv/bin/python",
    ):
        if c and Path(c).exists():
            return str(c)
    sys.exit("no peer venv: run `make peer` first")


def best_of(fn: Callable[[], object], repeat: int = 3) -> tuple[float, object]:
    """Minimum wall time over `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


# Timing code that runs inside the peer venv: defines best_of and prints JSON.
PEER_PRELUDE = """
import json, sys, time
def best_of(fn, repeat=3):
    best, r = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter(); r = fn(); best = min(best, time.perf_counter() - t0)
    return best, r
"""


def run_peer(py: str, code: str, *args: str, timeout: int = 3600) -> dict:
    """Run `code` (which prints one JSON object last) in the peer venv."""
    out = subprocess.run(
        [py, "-c", PEER_PRELUDE + code, *map(str, args)],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if out.returncode != 0:
        print(out.stderr[-2000:], file=sys.stderr)
        return {}
    return json.loads(out.stdout.strip().splitlines()[-1])


def real_widths() -> np.ndarray:
    """Peak widths of the real ENCODE TF sets."""
    from geniml.io import BedSet

    bs = BedSet(DATA / "bedsets" / "encode_tfbs_hg19")
    return np.concatenate([r.widths for r in bs])


def synthetic_regions(n: int, seed: int, path: Path) -> Path:
    """n regions on hg38's main chromosomes (uniform by length), real peak widths; BED3."""
    from geniml.io import RegionSet, read_chrom_sizes

    if path.exists():
        return path
    rng = np.random.default_rng(seed)
    sizes = {
        k: v
        for k, v in read_chrom_sizes(DATA / "chromsizes" / "hg38.chrom.sizes").items()
        if "_" not in k and k != "chrM"
    }
    names = list(sizes)
    lens = np.array([sizes[k] for k in names], dtype=np.float64)
    chrom = rng.choice(len(names), size=n, p=lens / lens.sum())
    widths = rng.choice(real_widths(), size=n)
    starts = (rng.random(n) * (lens[chrom] - widths - 1)).astype(np.int64)
    key = np.stack([chrom, starts, widths], axis=1)
    _, first = np.unique(key, axis=0, return_index=True)
    keep = np.sort(first)  # no duplicate regions (a universe must not have any)
    chrom, starts, widths = chrom[keep], starts[keep], widths[keep]
    rs = RegionSet((np.array(names)[chrom], starts, starts + widths))
    path.parent.mkdir(parents=True, exist_ok=True)
    rs.to_bed(path)
    return path


def table(rows: list[tuple], header: tuple) -> str:
    """A markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in r) + " |" for r in rows]
    return "\n".join(lines)
