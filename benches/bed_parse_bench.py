"""BED parsing: geniml vs polars.read_csv vs pandas vs gtars RegionSet, same files, one run.

Files: (a) every real BED line in ../shared/data (bedsets, fragments) and, when installed, the
Debian chromhmm-example RefSeq exon files, concatenated and repeated to >= 2M lines (mixed BED3 to
narrowPeak widths); (b) a 5M-line BED3 file of synthetic regions with real peak widths.
"""

from __future__ import annotations

import argparse
import glob
import gzip

from _common import DATA, OUT, best_of, peer_python, run_peer, synthetic_regions, table

PEER = """
import polars as pl, pandas as pd
from gtars.models import RegionSet
path = sys.argv[1]
res = {}
res["polars"] = best_of(lambda: len(pl.read_csv(path, separator="\\t", has_header=False,
    columns=[0, 1, 2], truncate_ragged_lines=True, comment_prefix="#", quote_char=None,
    schema_overrides={"column_1": pl.Utf8, "column_2": pl.UInt32, "column_3": pl.UInt32})))
res["pandas"] = best_of(lambda: len(pd.read_csv(path, sep="\\t", header=None, usecols=[0, 1, 2],
    dtype={0: str, 1: "uint32", 2: "uint32"}, comment="#")), 1)
res["gtars"] = best_of(lambda: len(RegionSet(path)), 1)
print(json.dumps({k: [v[0], v[1]] for k, v in res.items()}))
"""


def real_lines() -> list[bytes]:
    lines: list[bytes] = []
    for f in sorted(glob.glob(str(DATA / "bedsets" / "*" / "*.bed"))) + [
        str(DATA / "bedsets" / "immune_atlas_peaks_hg38.bed")
    ]:
        lines += open(f, "rb").read().splitlines(keepends=True)
    for f in sorted(glob.glob(str(DATA / "fragments" / "*.gz"))) + sorted(
        glob.glob("/usr/share/doc/chromhmm/examples/COORDS/hg38/*.bed.gz")
    ):
        lines += gzip.open(f).read().splitlines(keepends=True)
    return lines


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python")
    args = ap.parse_args()
    py = peer_python(args.peer_python)
    OUT.mkdir(exist_ok=True)
    mixed = OUT / "real_2M.bed"
    if not mixed.exists():
        lines = real_lines()
        reps = -(-2_000_000 // len(lines))
        mixed.write_bytes(b"".join(lines * reps))
    bed3 = synthetic_regions(5_000_000, 7, OUT / "synthetic_5M.bed")
    from geniml.io import read_bed

    rows = []
    for path in (mixed, bed3):
        n_lines = sum(1 for _ in open(path, "rb"))
        t_geniml, rs = best_of(lambda p=path: read_bed(p))
        assert len(rs) == n_lines
        peers = run_peer(py, PEER, path)
        for name in ("polars", "pandas", "gtars"):
            if name in peers:
                assert peers[name][1] == n_lines, (name, peers[name][1], n_lines)
        row = [path.name, f"{n_lines:,}", f"{t_geniml:.3f}", f"{n_lines / t_geniml / 1e6:.1f}"]
        for name in ("polars", "pandas", "gtars"):
            t = peers.get(name, [float("nan")])[0]
            row += [f"{t:.3f}", f"{t / t_geniml:.1f}x"]
        rows.append(tuple(row))
    print(
        table(
            rows,
            (
                "file",
                "lines",
                "geniml s",
                "geniml M lines/s",
                "polars s",
                "vs polars",
                "pandas s",
                "vs pandas",
                "gtars s",
                "vs gtars",
            ),
        )
    )


if __name__ == "__main__":
    main()
