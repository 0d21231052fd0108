"""Coverage-track benchmark: geniml vs ``sort`` + ``bedtools genomecov`` (issue 17, part 2).

Two real collections, each run through both tools in the same run:

* ``small``: the universe benchmark's chr19-chr22 collection (the 10 ENCODE TF-binding sets of
  ../shared/data/bedsets/encode_tfbs_hg19 plus the hg19 files of Debian ``chromhmm-example`` when
  installed), genome = chr19-chr22;
* ``big``: the same sources genome-wide (hg19) plus the other real BED files of ../shared/data
  (immune atlas peaks, DiffBind ER peaks, the hg38 sample sets lifted nowhere: only chromosomes
  present in hg19 with ends inside hg19 are kept), concatenated and repeated until >= 2M regions
  (the repetition count is printed).

geniml: one fresh process, BED files -> three bigWig tracks (start, core, end; smooth 25), the
same as ``geniml coverage``. It prints its own breakdown (import, read + sort + sweep, write).
Peer: ``sort -k1,1 -k2,2n`` of the collection, awk +-25 bp windows for the start / end tracks
(sorted again), then ``bedtools genomecov -bg`` for each track (bedGraph; the peer writes no
bigWig, so the ratio is against "sort + genomecov"). Wall and CPU (user + system) seconds come
from ``/usr/bin/time`` of each process; the machine is shared, so both ratios are printed with
``uptime``. A finer Rust breakdown (read / sort / sweep / write per track) is
``cargo run --release --example coverage_timing -p geniml-core -- SIZES BED...``.

Usage: ``.venv/bin/python benches/coverage_bench.py [--only small|big] [--repeat N]``.
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("GENIML_SHARED_DATA", ROOT.parent / "shared" / "data"))
CHROMHMM = Path("/usr/share/doc/chromhmm/examples/COORDS/hg19")
OURS = Path(sys.executable)

OURS_CODE = r"""
import time
t0 = time.perf_counter()
from geniml.universe.coverage import compute_coverage
t1 = time.perf_counter()
cov = compute_coverage({beds!r}, {sizes!r})
t2 = time.perf_counter()
cov.write({out!r}, prefix="all", format="bigwig")
t3 = time.perf_counter()
print(f"{{t1 - t0}} {{t2 - t1}} {{t3 - t2}}")
"""

PEER = r"""
set -e
cd {work}
cat {beds} | sort -k1,1 -k2,2n > p_core.bed
awk -v OFS='\t' '{{s=$2-25; if (s<0) s=0; print $1, s, $2+26}}' p_core.bed | sort -k1,1 -k2,2n > p_s.bed
awk -v OFS='\t' '{{s=$3-25; if (s<0) s=0; print $1, s, $3+26}}' p_core.bed | sort -k1,1 -k2,2n > p_e.bed
bedtools genomecov -bg -i p_s.bed -g {sizes} > p_start.bg
bedtools genomecov -bg -i p_core.bed -g {sizes} > p_core.bg
bedtools genomecov -bg -i p_e.bed -g {sizes} > p_end.bg
"""


def timed(cmd: list[str] | str, *, shell: bool = False) -> tuple[float, float, str]:
    """Run under /usr/bin/time: (wall s, user + system CPU s of the process tree, stdout)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %U %S", "-o", tf.name]
        full += ["bash", "-c", cmd] if shell else list(cmd)
        out = subprocess.run(full, capture_output=True, text=True)
        if out.returncode != 0:
            raise RuntimeError(f"failed: {cmd}\n{out.stderr[-2000:]}")
        wall, user, sys_ = tf.read().strip().splitlines()[-1].split()
        return float(wall), float(user) + float(sys_), out.stdout


def read_rows(src: Path, sizes: dict[str, int]) -> list[str]:
    """The first three columns of the rows of `src` that lie inside `sizes`."""
    raw = src.read_bytes()
    text = gzip.decompress(raw).decode() if src.suffix == ".gz" else raw.decode()
    rows = []
    for line in text.splitlines():
        f = line.split("\t")
        if len(f) >= 3 and f[0] in sizes and f[1].isdigit() and f[2].isdigit():
            if int(f[1]) <= int(f[2]) <= sizes[f[0]]:
                rows.append(f"{f[0]}\t{f[1]}\t{f[2]}\n")
    return rows


def collect(work: Path, big: bool, min_regions: int) -> tuple[list[Path], Path, int, int, int]:
    """Write the collection; return (files, chrom sizes, regions, source files, repeats)."""
    keep = None if big else {f"chr{i}" for i in range(19, 23)}
    sizes = {}
    for line in (DATA / "chromsizes" / "hg19.chrom.sizes").read_text().splitlines():
        f = line.split("\t")
        if line.strip() and (keep is None or f[0] in keep):
            sizes[f[0]] = int(f[1])
    sources = sorted((DATA / "bedsets" / "encode_tfbs_hg19").glob("*.bed"))
    if CHROMHMM.is_dir():
        sources += sorted(CHROMHMM.glob("*.bed.gz"))
    if big:
        extra = [DATA / "bedsets" / "immune_atlas_peaks_hg38.bed"]
        extra += sorted((DATA / "bedsets" / "diffbind_er_chr18_hg19").glob("*.bed*"))
        sources += [p for p in extra if p.is_file()]
    name = "big" if big else "small"
    out = work / name
    out.mkdir()
    texts = []
    for src in sources:
        rows = read_rows(src, sizes)
        if rows:
            texts.append("".join(rows))
    n = sum(t.count("\n") for t in texts)
    reps = max(1, -(-min_regions // max(n, 1))) if big else 1
    files = []
    for r in range(reps):
        for i, t in enumerate(texts):
            p = out / f"r{r}_{i:02d}.bed"
            p.write_text(t)
            files.append(p)
    gs = work / f"{name}.chrom.sizes"
    gs.write_text("".join(f"{c}\t{s}\n" for c, s in sizes.items()))
    return files, gs, n * reps, len(texts), reps


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", choices=["small", "big"])
    ap.add_argument("--min-regions", type=int, default=2_000_000)
    ap.add_argument("--repeat", type=int, default=3, help="runs per tool (best is kept)")
    args = ap.parse_args()
    if shutil.which("bedtools") is None:
        sys.exit("needs bedtools on PATH")
    which = [args.only] if args.only else ["small", "big"]
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for name in which:
            files, sizes, n, n_src, reps = collect(work, name == "big", args.min_regions)
            print(
                f"{name}: {n_src} source files x{reps} = {len(files)} files, {n:,} regions; "
                f"{uptime()}",
                flush=True,
            )
            folder = work / name
            best_o, best_p, parts = None, None, None
            for k in range(args.repeat):
                out = work / f"ours_{name}_{k}"
                o = timed(
                    [
                        str(OURS),
                        "-c",
                        OURS_CODE.format(beds=str(folder), sizes=str(sizes), out=str(out)),
                    ]
                )
                p = timed(
                    PEER.format(work=work, beds=" ".join(map(str, files)), sizes=sizes),
                    shell=True,
                )
                print(f"  run {k}: geniml {o[:2]}, peer {p[:2]}; {uptime()}", flush=True)
                if best_o is None or o[0] < best_o[0]:
                    best_o, parts = o, [float(x) for x in o[2].split()]
                if best_p is None or p[0] < best_p[0]:
                    best_p = p
            assert best_o is not None and best_p is not None and parts is not None
            rows.append((name, n, best_o, best_p, parts))
    print(f"\n{uptime()}")
    print(
        "| collection | regions | geniml wall s | geniml CPU s | peer wall s | peer CPU s "
        "| wall ratio | CPU ratio | geniml import / read+sort+sweep / write s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for name, n, (ow, oc, _), (pw, pc, _), (ti, tc, tw) in rows:
        print(
            f"| {name} | {n:,} | {ow:.3f} | {oc:.3f} | {pw:.2f} | {pc:.2f} | "
            f"{pw / max(ow, 1e-9):.0f}x | {pc / max(oc, 1e-9):.0f}x | "
            f"{ti:.3f} / {tc:.3f} / {tw:.3f} |"
        )


if __name__ == "__main__":
    main()
