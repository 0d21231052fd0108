"""The main job on real data: ``python -m geniml.demo --data ../shared/data --out demo_out``.

Each capability joins the job as it lands: BED collection -> summary (and, in later steps,
universe -> tokens -> Region2Vec -> evaluation; scATAC cells -> scEmbed -> clusters). It prints a
short summary and writes its outputs (tables, PNG plots) under ``--out``.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

COLLECTIONS = ["encode_tfbs_hg19", "diffbind_er_chr18_hg19", "geniml_hg38_sample"]


def _say(msg: str) -> None:
    print(msg, flush=True)


def step_collections(data: Path, out: Path) -> dict:
    """Read, validate and summarise the bundled BED collections."""
    from geniml.io import BedSet

    rows = []
    result = {}
    for name in COLLECTIONS:
        t0 = time.perf_counter()
        bs = BedSet(data / "bedsets" / name)
        dt = time.perf_counter() - t0
        n = sum(len(r) for r in bs)
        result[name] = bs
        _say(
            f"  {name:<24} {len(bs):>3} files {n:>9,} regions  read in {dt * 1000:6.1f} ms  "
            f"id {bs.identifier[:12]}"
        )
        for rs in bs:
            rows.append(
                f"{name}\t{rs.path.name}\t{len(rs)}\t{rs.n_chromosomes}\t"
                f"{rs.mean_region_width:.1f}\t{rs.identifier}"
            )
    table = out / "collections.tsv"
    table.write_text(
        "collection\tfile\tregions\tchromosomes\tmean_width\tidentifier\n" + "\n".join(rows) + "\n"
    )
    _say(f"  per-file table -> {table}")
    return result


def main(argv: list[str] | None = None) -> int:
    """Run every step of the main job."""
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("demo_out"))
    args = ap.parse_args(argv)
    if not (args.data / "bedsets").is_dir():
        print(f"error: {args.data} does not hold the real data (bedsets/ missing)", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    _say("[1] BED collections")
    step_collections(args.data, args.out)
    _say(f"done; outputs in {args.out}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
