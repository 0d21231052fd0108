"""Text outputs of file-level tokenization: Rust writer vs the per-row Python formatting it replaced.

`universe_tokenization` (one `chrom start end tokens` line per query region, hard and soft) on a
real fragment file against the immune-atlas peak universe, and `soft_tokenization`'s BED4 of
weighted universe regions. The Python rows are built exactly as geniml 0.9's files.py did
before the writer moved to Rust (the outputs are compared byte for byte). Same run, same input.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from _common import DATA, best_of, table
from geniml.io import read_bed
from geniml.tokenization import Tokenizer, universe_tokenization


def python_lines(tok: Tokenizer, rs, method: str, threshold: float) -> bytes:
    if method == "hard":
        off, ids = tok.overlaps(rs, fraction=threshold)
        weights = None
    else:
        off, ids, weights = tok.soft_tokenize(rs, overlap_threshold=threshold)
    unk = str(tok.unk_token_id)
    lines = []
    for r, reg in enumerate(rs):
        a, b = int(off[r]), int(off[r + 1])
        if weights is None:
            toks = ",".join(map(str, ids[a:b].tolist())) or unk
        else:
            toks = ",".join(
                f"{i}:{w:.6g}"
                for i, w in zip(ids[a:b].tolist(), weights[a:b].tolist(), strict=True)
            )
        lines.append(f"{reg.chrom}\t{reg.start}\t{reg.end}\t{toks}")
    return "".join(line + "\n" for line in lines).encode()


def main() -> None:
    universe = DATA / "bedsets" / "immune_atlas_peaks_hg38.bed"
    frag = sorted((DATA / "fragments").glob("*.fragments.bed.gz"))[0]
    tok = Tokenizer.from_bed(universe)
    rs = read_bed(frag)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for method, thr in (("hard", 1e-9), ("soft", 1e-9)):
            out = Path(tmp) / f"{method}.txt"

            def rust(method=method, thr=thr, out=out):
                return universe_tokenization(frag, tok, out, method, thr, force=True)

            t_rust, _ = best_of(rust, 3)
            t_py, text = best_of(
                lambda method=method, thr=thr: python_lines(tok, rs, method, thr), 1
            )
            assert out.read_bytes() == text, method
            label = f"{method}: {len(rs):,} fragments x {tok.n_regions:,} peaks"
            rows.append((label, "geniml (Rust writer)", f"{t_rust:.3f}", "1.0x"))
            rows.append(("", "former per-row Python", f"{t_py:.3f}", f"{t_py / t_rust:.1f}x"))
    print(f"load: {os.getloadavg()[0]:.2f}  ({time.strftime('%Y-%m-%d %H:%M')})")
    print(table(rows, ("workload", "tool", "time (s)", "geniml speed-up")))


if __name__ == "__main__":
    main()
