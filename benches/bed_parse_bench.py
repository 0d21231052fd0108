"""BED parsing: geniml vs polars.read_csv vs pandas vs gtars RegionSet, real files, one run.

Every flavour is a real file (or the concatenation of a real collection), repeated to about
2M lines so that timings are not dominated by fixed costs:

- BED3: the 10 ENCODE TF-binding sets (../shared/data/bedsets/encode_tfbs_hg19)
- BED4 with names: the immune-atlas peaks (col4 = originating sample)
- BED5: the DiffBind ER sets (col4 name, col5 score)
- BED6: Debian bedtools-test refseq.chr1.exons + aluY.chr1 (name, score, strand)
- narrowPeak (BED6+4): the geniml hg38 sample sets
- fragments .bed.gz: the two ChrAccRex fragment files (gzip)
- RefSeq exons .bed.gz: Debian chromhmm-example RefSeqExon.hg38 (gzip)

geniml's column is `read_bed` as users call it: the first three columns, extra columns read on
first use; "geniml+extra CPU" adds that first use (`n_extra_columns`, which re-reads the file
keeping the extra text). CPU columns are process CPU time (all threads), median of 5.

Debian files need `apt-get install bedtools-test chromhmm-example` (the flavour is skipped when
they are missing). The gzip flavours are recompressed with gzip -6 after repetition.
Also prints the Rust-side profile (read, memchr line count = memory-bandwidth floor, parse) from
`cargo run --release --example parse_timing` when cargo is available (`--no-profile` skips it).
"""

from __future__ import annotations

import argparse
import glob
import gzip
import shutil
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from _common import DATA, OUT, ROOT, best_of, peer_python, run_peer, table

PEER = """
import polars as pl, pandas as pd
from gtars.models import RegionSet
path = sys.argv[1]
res = {}
def cpu_of(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t0 = time.process_time(); fn(); times.append(time.process_time() - t0)
    return sorted(times)[len(times) // 2]
res["polars_cpu"] = [cpu_of(lambda: pl.read_csv(path, separator="\\t", has_header=False,
    columns=[0, 1, 2], truncate_ragged_lines=True, comment_prefix="#", quote_char=None,
    schema_overrides={"column_1": pl.Utf8, "column_2": pl.UInt32, "column_3": pl.UInt32})), 0]
res["polars"] = best_of(lambda: len(pl.read_csv(path, separator="\\t", has_header=False,
    columns=[0, 1, 2], truncate_ragged_lines=True, comment_prefix="#", quote_char=None,
    schema_overrides={"column_1": pl.Utf8, "column_2": pl.UInt32, "column_3": pl.UInt32})), 5)
res["pandas"] = best_of(lambda: len(pd.read_csv(path, sep="\\t", header=None, usecols=[0, 1, 2],
    dtype={0: str, 1: "uint32", 2: "uint32"}, comment="#")), 1)
res["gtars"] = best_of(lambda: len(RegionSet(path)), 1)
print(json.dumps({k: [v[0], v[1]] for k, v in res.items()}))
"""

BEDTOOLS = Path("/usr/share/bedtools/data")
CHROMHMM = Path("/usr/share/doc/chromhmm/examples/COORDS/hg38")
TARGET_LINES = 2_000_000

FLAVOURS: dict[str, list[str]] = {
    "bed3_encode.bed": sorted(glob.glob(str(DATA / "bedsets/encode_tfbs_hg19/*.bed"))),
    "bed4_immune_names.bed": [str(DATA / "bedsets/immune_atlas_peaks_hg38.bed")],
    "bed5_diffbind.bed": sorted(glob.glob(str(DATA / "bedsets/diffbind_er_chr18_hg19/*.bed"))),
    "bed6_refseq_alu.bed": [
        str(BEDTOOLS / "refseq.chr1.exons.bed.gz"),
        str(BEDTOOLS / "aluY.chr1.bed.gz"),
    ],
    "narrowpeak_geniml.bed": sorted(glob.glob(str(DATA / "bedsets/geniml_hg38_sample/*.bed"))),
    "fragments.bed.gz": sorted(glob.glob(str(DATA / "fragments/*.fragments.bed.gz"))),
    "refseq_exon_hg38.bed.gz": [str(CHROMHMM / "RefSeqExon.hg38.bed.gz")],
}


def _lines(path: str) -> list[bytes]:
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return [x for x in raw.splitlines(keepends=True) if not x.startswith((b"#", b"track"))]


def make_flavour(name: str, sources: list[str]) -> Path | None:
    """Concatenate the sources and repeat them to about TARGET_LINES lines."""
    path = OUT / name
    if path.exists():
        return path
    if not sources or not all(Path(s).exists() for s in sources):
        return None
    lines = [x for s in sources for x in _lines(s)]
    body = b"".join(lines * -(-TARGET_LINES // len(lines)))
    tmp = path.with_suffix(".tmp")
    if name.endswith(".gz"):
        tmp.write_bytes(gzip.compress(body, 6))
    else:
        tmp.write_bytes(body)
    tmp.rename(path)
    return path


def cpu_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median process CPU time (all threads) over `repeat` runs: survives a loaded machine."""
    times = []
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        times.append(time.process_time() - t0)
    return sorted(times)[len(times) // 2]


def rust_profile(paths: list[Path]) -> None:
    cargo = shutil.which("cargo")
    if cargo is None:
        print("(cargo not found: no Rust profile)")
        return
    out = subprocess.run(
        [cargo, "run", "-q", "--release", "-p", "geniml-core", "--example", "parse_timing"]
        + [str(p) for p in paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    print(out.stdout if out.returncode == 0 else out.stderr[-2000:])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--peer-python")
    ap.add_argument("--no-profile", action="store_true")
    args = ap.parse_args()
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    py = peer_python(args.peer_python)
    OUT.mkdir(exist_ok=True)
    from geniml.io import read_bed

    rows, paths = [], []
    for name, sources in FLAVOURS.items():
        path = make_flavour(name, sources)
        if path is None:
            print(f"skip {name}: sources missing (apt-get install bedtools-test chromhmm-example)")
            continue
        paths.append(path)
        opener = gzip.open if name.endswith(".gz") else open
        with opener(path, "rb") as fh:
            n_lines = sum(1 for _ in fh)
        t_geniml, rs = best_of(lambda p=path: read_bed(p), 5)
        cpu_geniml = cpu_of(lambda p=path: read_bed(p))
        cpu_extra = cpu_of(lambda p=path: read_bed(p).n_extra_columns)
        assert len(rs) == n_lines
        peers = run_peer(py, PEER, path)
        for peer in ("polars", "pandas", "gtars"):
            if peer in peers:
                assert peers[peer][1] == n_lines, (peer, peers[peer][1], n_lines)
        mb = path.stat().st_size / 1e6
        row = [name, f"{n_lines:,}", f"{mb:.0f}", f"{t_geniml:.3f}"]
        for peer in ("polars", "pandas", "gtars"):
            t = peers.get(peer, [float("nan")])[0]
            row += [f"{t:.3f}", f"{t / t_geniml:.1f}x"]
        cpu_polars = peers.get("polars_cpu", [float("nan")])[0]
        row += [f"{cpu_geniml:.3f}", f"{cpu_polars:.3f}", f"{cpu_polars / cpu_geniml:.1f}x"]
        row += [f"{cpu_extra:.3f}", f"{cpu_polars / cpu_extra:.1f}x"]
        rows.append(tuple(row))
    print(
        table(
            rows,
            (
                "file",
                "lines",
                "MB",
                "geniml s",
                "polars s",
                "vs polars",
                "pandas s",
                "vs pandas",
                "gtars s",
                "vs gtars",
                "geniml CPU s",
                "polars CPU s",
                "CPU vs polars",
                "geniml+extra CPU s",
                "+extra CPU vs polars",
            ),
        )
    )
    print(f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}")
    if not args.no_profile:
        rust_profile(paths)
        print(
            f"uptime: {subprocess.run(['uptime'], capture_output=True, text=True).stdout.strip()}"
        )


if __name__ == "__main__":
    main()
