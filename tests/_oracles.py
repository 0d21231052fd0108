"""Deliberately naive pure-Python references. The only place Python re-implements the core."""

from __future__ import annotations

import gzip
from pathlib import Path


def naive_read_bed(path: Path) -> list[tuple[str, int, int]]:
    """Read a BED file line by line with str.split."""
    raw = Path(path).read_bytes()
    text = gzip.decompress(raw).decode() if raw[:2] == b"\x1f\x8b" else raw.decode()
    rows = []
    for line in text.splitlines():
        if not line.strip() or line.startswith(("#", "track", "browser")):
            continue
        f = line.split("\t")
        rows.append((f[0], int(f[1]), int(f[2])))
    return rows


def naive_merge(rows: list[tuple[str, int, int]], distance: int = 0) -> list[tuple[str, int, int]]:
    """bedtools-merge semantics on (chrom, start, end) tuples, sorted by chrom then start."""
    out: list[list] = []
    for c, s, e in sorted(rows, key=lambda r: (r[0], r[1], r[2])):
        if out and out[-1][0] == c and s <= out[-1][2] + distance:
            out[-1][2] = max(out[-1][2], e)
        else:
            out.append([c, s, e])
    return [tuple(r) for r in out]


def naive_overlaps(
    query: list[tuple[str, int, int]], universe: list[tuple[str, int, int]], fraction: float = 1e-9
) -> list[list[int]]:
    """For each query region, the universe row indices it overlaps (half-open, >= fraction)."""
    out = []
    for qc, qs, qe in query:
        hits = []
        for i, (uc, us, ue) in enumerate(universe):
            if uc != qc:
                continue
            ov = min(qe, ue) - max(qs, us)
            if ov > 0 and (qe - qs == 0 or ov / (qe - qs) >= fraction):
                hits.append(i)
        out.append(hits)
    return out


def naive_genome_distance(u: tuple[int, int], v: tuple[int, int]) -> float:
    """Zheng et al. genome distance of two same-chromosome (start, end) regions, one pair."""
    if u[1] < v[1]:
        return float(max(v[0] - u[1] + 1, 0))
    return float(max(u[0] - v[1] + 1, 0))


def naive_neighbour_overlap(genome: list[int], embed: list[int], sizes: list[int]) -> list[float]:
    """|genome[:i] & embed[:i]| / |genome[:i]| for each neighbourhood size i (0 if empty)."""
    out = []
    for i in sizes:
        g = set(genome[:i])
        out.append(len(g & set(embed[:i])) / len(g) if g else 0.0)
    return out


def naive_coverage(
    rows: list[tuple[str, int, int]], sizes: dict[str, int], smooth: int
) -> dict[str, dict[str, list[int]]]:
    """Per-base start/core/end tracks, one Python int per base (only for small chromosomes).

    A start ``s`` adds 1 on ``[s - smooth, s + smooth]`` and an end ``e`` on
    ``[e - smooth, e + smooth]``, both clipped to the chromosome.
    """
    out = {c: {k: [0] * n for k in ("start", "core", "end")} for c, n in sizes.items()}
    for c, s, e in rows:
        tr = out[c]
        for x in range(s, e):
            tr["core"][x] += 1
        for key, p in (("start", s), ("end", e)):
            for x in range(max(0, p - smooth), min(sizes[c], p + smooth + 1)):
                tr[key][x] += 1
    return out


def runs_to_dense(starts, ends, values, size: int) -> list[int]:
    """Expand run-length encoded values to one value per base."""
    dense = [0] * size
    for s, e, v in zip(starts, ends, values, strict=True):
        for x in range(int(s), int(e)):
            dense[x] = int(v)
    return dense


def naive_cc(dense: list[int], chrom: str, cutoff: float | None, merge: int, min_size: int):
    """Upstream CC on one dense per-base track (with its merge rule, run contiguity fixed)."""
    if cutoff is None:
        cutoff = sum(dense) / len(dense)
    pos = [i for i, v in enumerate(dense) if v > 0 and v >= cutoff]
    out: list[list[int]] = []
    for p in pos:
        if out and (p == out[-1][1] or p - (out[-1][1] - 1) < merge):
            out[-1][1] = p + 1
        else:
            out.append([p, p + 1])
    return [(chrom, s, e) for s, e in out if e - s >= min_size]
