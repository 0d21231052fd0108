"""Universe benchmark: geniml vs upstream geniml 0.8.4 (bedtools genomecov + pyBigWig + numpy).

One run, same BED collection, each step in a fresh process timed by ``/usr/bin/time`` (wall
seconds, peak RSS of the process and its children):

* geniml: BED files -> three bigWig coverage tracks; BED files -> universe for each method
  (coverage computed in memory; ML builds its likelihood model on the fly).
* upstream: coverage with ``bedtools genomecov`` (start/end windows of +-25 bp made with awk,
  ``-bg`` per track, bedGraph -> bigWig with pyBigWig, as upstream geniml reads bigWig) and then
  upstream's builders (``cc_universe``, ``ccf_universe``, ``geniml lh`` + ``ml_universe``,
  ``hmm_universe``) in the peer venv. End to end = coverage + builder; peak memory = the larger.

Data: ../shared/data/bedsets/encode_tfbs_hg19 (10 files) plus the hg19 RefSeq/CpG files of the
Debian package chromhmm-example when installed (``apt-get install chromhmm-example``; the script
tries when run as root). Usage: ``.venv/bin/python benches/universe_bench.py [--quick]``
(``--quick``: chr19-chr22 only).
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
PEER = Path(os.environ.get("GENIML_PEER_PYTHON", ROOT.parent / "peer-venv" / "bin" / "python"))
CHROMHMM = Path("/usr/share/doc/chromhmm/examples/COORDS/hg19")
OURS = Path(sys.executable)


def timed(
    cmd: list[str] | str, *, shell: bool = False, env: dict | None = None
) -> tuple[float, float]:
    """Run under /usr/bin/time; return (wall seconds, peak RSS in MB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        full = ["/usr/bin/time", "-f", "%e %M", "-o", tf.name]
        full += ["bash", "-c", cmd] if shell else list(cmd)
        out = subprocess.run(full, capture_output=True, text=True, env=env)
        if out.returncode != 0:
            raise RuntimeError(f"failed: {cmd}\n{out.stderr[-2000:]}")
        wall, rss = tf.read().strip().splitlines()[-1].split()
        return float(wall), float(rss) / 1024


def collect(work: Path, *, quick: bool) -> tuple[Path, Path, int, int]:
    """Write the collection (one file per source, uncompressed, filtered) and chrom sizes."""
    if not CHROMHMM.is_dir() and os.geteuid() == 0:
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "chromhmm-example"],
            capture_output=True,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    keep = {f"chr{i}" for i in range(19, 23)} if quick else None
    sizes_src = DATA / "chromsizes" / "hg19.chrom.sizes"
    sizes = {
        line.split("\t")[0]: int(line.split("\t")[1])
        for line in sizes_src.read_text().splitlines()
        if line.strip() and (keep is None or line.split("\t")[0] in keep)
    }
    beds = work / "beds"
    beds.mkdir()
    sources = sorted((DATA / "bedsets" / "encode_tfbs_hg19").glob("*.bed"))
    if CHROMHMM.is_dir():
        sources += sorted(CHROMHMM.glob("*.bed.gz"))
    n = 0
    for src in sources:
        raw = src.read_bytes()
        text = gzip.decompress(raw).decode() if src.suffix == ".gz" else raw.decode()
        rows = []
        for line in text.splitlines():
            f = line.split("\t")
            if len(f) >= 3 and f[0] in sizes and int(f[2]) <= sizes[f[0]]:
                rows.append(f"{f[0]}\t{f[1]}\t{f[2]}\n")
        n += len(rows)
        (beds / (src.name.removesuffix(".gz").removesuffix(".bed") + ".bed")).write_text(
            "".join(rows)
        )
    gs = work / "chrom.sizes"
    gs.write_text("".join(f"{c}\t{s}\n" for c, s in sizes.items()))
    return beds, gs, n, len(sources)


UPSTREAM_COVERAGE = r"""
set -e
cd {work}
cat {beds}/*.bed | sort -k1,1 -k2,2n > up_combined.bed
awk -v OFS='\t' '{{s=$2-25; if (s<0) s=0; print $1, s, $2+26}}' up_combined.bed | sort -k1,1 -k2,2n > up_s.bed
awk -v OFS='\t' '{{s=$3-25; if (s<0) s=0; print $1, s, $3+26}}' up_combined.bed | sort -k1,1 -k2,2n > up_e.bed
mkdir -p up_cov
bedtools genomecov -bg -i up_s.bed -g {sizes} > up_cov/start.bg
bedtools genomecov -bg -i up_combined.bed -g {sizes} > up_cov/core.bg
bedtools genomecov -bg -i up_e.bed -g {sizes} > up_cov/end.bg
{peer} - <<'EOF'
import pyBigWig
sizes = [(l.split()[0], int(l.split()[1])) for l in open("{sizes}") if l.strip()]
lens = dict(sizes)
for t in ("start", "core", "end"):
    bw = pyBigWig.open(f"up_cov/all_{{t}}.bw", "w")
    bw.addHeader(sorted(sizes))
    c, s, e, v = [], [], [], []
    for line in open(f"up_cov/{{t}}.bg"):
        a, b, d, x = line.split()
        if int(d) > lens[a]:
            d = str(lens[a])
        c.append(a); s.append(int(b)); e.append(int(d)); v.append(float(x))
    order = sorted(range(len(c)), key=lambda i: (c[i], s[i]))
    bw.addEntries([c[i] for i in order], [s[i] for i in order], ends=[e[i] for i in order],
                  values=[v[i] for i in order])
    bw.close()
EOF
"""

UPSTREAM_BUILD = {
    "cc": "from geniml.universe.cc_universe import cc_universe; cc_universe('{cov}', '{out}')",
    "ccf": "from geniml.universe.ccf_universe import ccf_universe; ccf_universe('{cov}', '{out}')",
    "ml": "from geniml.likelihood.build_model import main; "
    "from geniml.universe.ml_universe import ml_universe; "
    "main('{out}.tar', '{cov}', 'all', file_no={n_files}); "
    "ml_universe('{out}.tar', '{cov}', 'all', '{out}')",
    "hmm": "from geniml.universe.hmm_universe import hmm_universe; hmm_universe('{cov}', '{out}')",
}

OURS_BUILD = (
    "from geniml.universe import build_universe; "
    "build_universe('{beds}', '{method}', chrom_sizes='{sizes}', output_file='{out}')"
)
OURS_COVERAGE = (
    "from geniml.universe import coverage_tracks; coverage_tracks('{beds}', '{sizes}', '{out}')"
)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="chr19-chr22 only")
    ap.add_argument("--methods", default="cc,ccf,ml,hmm")
    args = ap.parse_args()
    if not PEER.exists() or shutil.which("bedtools") is None:
        sys.exit("needs the peer venv (upstream geniml 0.8.4) and bedtools")
    methods = args.methods.split(",")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        beds, sizes, n_regions, n_files = collect(work, quick=args.quick)
        print(f"collection: {n_files} files, {n_regions:,} regions; genome {sizes}", flush=True)
        rows = []
        ours_cov = timed(
            [str(OURS), "-c", OURS_COVERAGE.format(beds=beds, sizes=sizes, out=work / "our_cov")]
        )
        up_cov = timed(
            UPSTREAM_COVERAGE.format(work=work, beds=beds, sizes=sizes, peer=PEER), shell=True
        )
        rows.append(("coverage (3 bigWig tracks)", ours_cov, up_cov))
        print(f"coverage: geniml {ours_cov}, upstream {up_cov}", flush=True)
        for m in methods:
            ours = timed(
                [
                    str(OURS),
                    "-c",
                    OURS_BUILD.format(beds=beds, method=m, sizes=sizes, out=work / f"our_{m}.bed"),
                ]
            )
            up_b = timed(
                [
                    str(PEER),
                    "-c",
                    UPSTREAM_BUILD[m].format(
                        cov=work / "up_cov", out=work / f"up_{m}.bed", n_files=n_files
                    ),
                ]
            )
            up = (up_cov[0] + up_b[0], max(up_cov[1], up_b[1]))
            rows.append((f"{m}: BED files -> universe", ours, up))
            print(f"{m}: geniml {ours}, upstream builder {up_b}, end to end {up}", flush=True)
        # 5M regions -> coverage: the collection repeated until >= 5M regions.
        reps = max(1, -(-5_000_000 // max(n_regions, 1)))
        big = work / "big.bed"
        with big.open("w") as fh:
            text = "".join(p.read_text() for p in sorted(beds.glob("*.bed")))
            for _ in range(reps):
                fh.write(text)
        code = (
            "import time; from geniml.universe import compute_coverage; "
            f"t=time.perf_counter(); compute_coverage('{big}', '{sizes}'); "
            "print(time.perf_counter()-t)"
        )
        out = subprocess.run([str(OURS), "-c", code], capture_output=True, text=True, check=True)
        print(
            f"\n{n_regions * reps:,} regions (collection x{reps}) -> 3 tracks in memory "
            f"(parse + compute): {float(out.stdout):.2f} s"
        )
        print("\n| step | geniml s | upstream s | speed-up | geniml MB | upstream MB | memory |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for name, (ot, om), (ut, um) in rows:
            print(
                f"| {name} | {ot:.2f} | {ut:.2f} | {ut / max(ot, 1e-9):.0f}x | {om:.0f} | "
                f"{um:.0f} | {om / um:.2f} |"
            )


if __name__ == "__main__":
    main()
