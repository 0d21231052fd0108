"""File-level tokenization functions (the seed API): folders of BED files to token files."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, NamedTuple

import numpy as np

from geniml import _core
from geniml._atomic import atomic_folder
from geniml.exceptions import GenimlValueError
from geniml.io import RegionSet, bed_files_in
from geniml.tokenization.tokenizer import RegionsLike, Tokenizer, as_regionset

__all__ = [
    "CoverageReport",
    "check_coverage",
    "hard_tokenization",
    "soft_tokenization",
    "universe_tokenization",
]

COVERAGE_WARNING = 0.8


def _tokenizer(universe: str | os.PathLike | Tokenizer) -> Tokenizer:
    return universe if isinstance(universe, Tokenizer) else Tokenizer.from_bed(universe)


def _inputs(
    src_folder: str | os.PathLike, file_list: str | os.PathLike | Sequence[str] | None
) -> list[Path]:
    src = Path(src_folder)
    if file_list is None:
        files = bed_files_in(src)
    else:
        names = (
            Path(file_list).read_text().split()
            if isinstance(file_list, (str, os.PathLike))
            else list(file_list)
        )
        files = [src / n for n in names]
        missing = [str(f) for f in files if not f.exists()]
        if missing:
            raise FileNotFoundError(f"files named in file_list are missing: {missing[:5]}")
    if not files:
        raise FileNotFoundError(f"{src}: no BED files to tokenize")
    return files


def _check_outputs(outputs: list[Path], *, force: bool) -> None:
    seen: dict[str, int] = {}
    for i, p in enumerate(outputs):
        if p.name in seen:
            raise GenimlValueError(
                f"two inputs would write the same output {p.name!r} (inputs {seen[p.name] + 1} "
                f"and {i + 1}); rename one of them"
            )
        seen[p.name] = i
    existing = [str(p) for p in outputs if p.exists()]
    if existing and not force:
        raise FileExistsError(
            f"{len(existing)} output file(s) exist, e.g. {existing[0]}; pass force=True to "
            "replace them"
        )


def hard_tokenization(
    src_folder: str | os.PathLike,
    dst_folder: str | os.PathLike,
    universe_file: str | os.PathLike | Tokenizer,
    fraction: float = 1e-9,
    file_list: str | os.PathLike | Sequence[str] | None = None,
    *,
    p_value_threshold: float | None = None,
    n_threads: int | None = None,
    force: bool = False,
) -> list[Path]:
    """Tokenize every BED file of a folder into a BED of the universe regions it overlaps.

    The upstream format: one output per input (same file name) holding the universe regions
    the file overlaps, each once, in universe order. As upstream (``bedtools intersect -a
    universe -b file -u -f fraction``), ``fraction`` is measured against the universe region.

    Args:
        src_folder: folder of BED files.
        dst_folder: output folder (created).
        universe_file: universe BED (or a Tokenizer).
        fraction: minimum overlap as a fraction of the universe region (default: any 1 bp).
        file_list: a text file naming the inputs (one per line) or a list of names.
        p_value_threshold: upstream's name for ``fraction``; wins when given. Despite the
            name it is not a p-value: it is the same overlap fraction (``bedtools intersect
            -f``) of the universe region, in ``[0, 1]``. The name is kept for upstream code.
        n_threads: threads (default: all cores, or ``GENIML_NUM_THREADS``).
        force: replace existing outputs.

    Returns:
        The paths written.

    Raises:
        FileExistsError: an output exists and ``force`` is false.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "u.bed").write_text("chr1\\t0\\t100\\nchr1\\t200\\t300\\nchr2\\t0\\t50\\n")
        >>> (d / "beds").mkdir()
        >>> _ = (d / "beds" / "a.bed").write_text("chr1\\t50\\t250\\n")
        >>> out = hard_tokenization(d / "beds", d / "tokens", d / "u.bed")
        >>> out[0].read_text()
        'chr1\\t0\\t100\\nchr1\\t200\\t300\\n'
    """
    if p_value_threshold is not None:
        fraction = p_value_threshold
    tok = _tokenizer(universe_file)
    files = _inputs(src_folder, file_list)
    dst = Path(dst_folder)
    outputs = [dst / f.name for f in files]
    _check_outputs(outputs, force=force)
    u = tok.universe
    # All outputs of the run are one folder swapped in at the end (other files of an existing
    # folder are kept): a bad input or a kill leaves the previous folder, never a mix.
    with atomic_folder(dst, force=True, keep_others=True) as tmp:
        for start in range(0, len(files), 64):
            chunk = files[start : start + 64]
            arrays = tok._inner.tokenize_paths(
                chunk,
                fraction=float(fraction),
                fraction_of="universe",
                drop_unknown=True,
                unique=True,
                n_threads=n_threads,
            )
            for f, ids in zip(chunk, arrays, strict=True):
                u[ids].to_bed(tmp / f.name)
    return outputs


def soft_tokenization(
    src_folder: str | os.PathLike,
    dst_folder: str | os.PathLike,
    universe_file: str | os.PathLike | Tokenizer,
    overlap_threshold: float = 0.5,
    file_list: str | os.PathLike | Sequence[str] | None = None,
    *,
    force: bool = False,
) -> list[Path]:
    """Soft-tokenize every BED file of a folder.

    Each output (same file name) is a BED4 of the universe regions the file overlaps, in
    universe order, with the weight of each: the largest ``overlap / query length`` over the
    file's regions. Overlaps below ``overlap_threshold`` are dropped.

    Args:
        src_folder: folder of BED files.
        dst_folder: output folder (created).
        universe_file: universe BED (or a Tokenizer).
        overlap_threshold: minimum ``overlap / query length`` kept.
        file_list: a text file naming the inputs (one per line) or a list of names.
        force: replace existing outputs.

    Returns:
        The paths written.

    Raises:
        FileExistsError: an output exists and ``force`` is false.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "u.bed").write_text("chr1\\t0\\t100\\nchr1\\t200\\t300\\nchr2\\t0\\t50\\n")
        >>> (d / "beds").mkdir()
        >>> _ = (d / "beds" / "a.bed").write_text("chr1\\t50\\t250\\n")
        >>> out = soft_tokenization(d / "beds", d / "soft", d / "u.bed", overlap_threshold=0.1)
        >>> out[0].read_text()
        'chr1\\t0\\t100\\t0.25\\nchr1\\t200\\t300\\t0.25\\n'
    """
    tok = _tokenizer(universe_file)
    files = _inputs(src_folder, file_list)
    dst = Path(dst_folder)
    outputs = [dst / f.name for f in files]
    _check_outputs(outputs, force=force)
    universe = tok.universe._cols()
    with atomic_folder(dst, force=True, keep_others=True) as tmp:  # one output, as above
        for f in files:
            soft = tok.soft_tokenize(f, overlap_threshold=overlap_threshold)
            best = np.zeros(tok.n_regions, dtype=np.float32)
            np.maximum.at(best, soft.ids.astype(np.int64), soft.weights)
            ids = np.flatnonzero(best > 0).astype(np.uint32)
            _core.write_weighted_regions(universe, ids, best[ids], tmp / f.name, force=True)
    return outputs


def universe_tokenization(
    bed_file: str | os.PathLike,
    universe_file: str | os.PathLike,
    output_file: str | os.PathLike = "tokens.txt",
    method: Literal["hard", "soft"] = "hard",
    threshold: float = 1e-9,
    *,
    force: bool = False,
) -> Path:
    """Tokenize one BED file into a text file: one line per query region.

    Each line is ``chrom<TAB>start<TAB>end<TAB>tokens`` where tokens are comma-separated ids
    (``method="hard"``; ``<unk>``'s id when nothing overlaps) or ``id:weight`` pairs
    (``method="soft"``, weight = overlap / region length, pairs below ``threshold`` dropped).

    Args:
        bed_file: the BED file (or a RegionSet).
        universe_file: universe BED (or a Tokenizer).
        output_file: the text file to write.
        method: ``"hard"`` (ids) or ``"soft"`` (``id:weight``).
        threshold: minimum overlap fraction.
        force: replace an existing output.

    Returns:
        The path written.

    Examples:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> _ = (d / "u.bed").write_text("chr1\\t0\\t100\\nchr1\\t200\\t300\\nchr2\\t0\\t50\\n")
        >>> (d / "beds").mkdir()
        >>> _ = (d / "beds" / "a.bed").write_text("chr1\\t50\\t250\\n")
        >>> out = universe_tokenization(d / "beds" / "a.bed", d / "u.bed", d / "t.txt")
        >>> out.read_text()
        'chr1\\t50\\t250\\t0,1\\n'
    """
    if method not in ("hard", "soft"):
        raise GenimlValueError(f"`method` must be one of {{'hard','soft'}}, got {method!r}")
    tok = _tokenizer(universe_file)
    rs = as_regionset(bed_file)
    weights: np.ndarray | None = None
    if method == "hard":
        off, ids = tok.overlaps(rs, fraction=threshold)
    else:
        off, ids, weights = tok.soft_tokenize(rs, overlap_threshold=threshold)
    out = Path(output_file)
    _core.write_token_lines(
        rs._cols(),
        np.ascontiguousarray(off, dtype=np.uint64),
        np.ascontiguousarray(ids, dtype=np.uint32),
        None if weights is None else np.ascontiguousarray(weights, dtype=np.float32),
        out,
        unk=int(tok.unk_token_id),
        force=force,
    )
    return out


class CoverageReport(NamedTuple):
    """How well a universe covers a region set.

    Attributes:
        n_regions: query regions.
        n_regions_with_token: query regions overlapping at least one universe region.
        frac_regions_covered: ``n_regions_with_token / n_regions``.
        frac_bp_covered: fraction of query base pairs inside a universe region.
        n_universe_used: distinct universe regions hit.
        frac_universe_used: ``n_universe_used / universe size``.

    Examples:
        >>> from geniml.io import RegionSet
        >>> from geniml.tokenization import Tokenizer, check_coverage
        >>> u = Tokenizer(RegionSet([("chr1", 0, 100), ("chr1", 200, 300)]))
        >>> r = check_coverage(RegionSet([("chr1", 50, 60), ("chr2", 0, 10)]), u, warn=False)
        >>> r.n_regions, r.n_regions_with_token, r.n_universe_used
        (2, 1, 1)
    """

    n_regions: int
    n_regions_with_token: int
    frac_regions_covered: float
    frac_bp_covered: float
    n_universe_used: int
    frac_universe_used: float


def check_coverage(
    bed_file_or_regions: RegionsLike | Sequence[str | os.PathLike],
    universe_file: str | os.PathLike | Tokenizer,
    threshold: float = 1e-9,
    *,
    warn: bool = True,
) -> CoverageReport:
    """Coverage of a region set (or several BED files together) by a universe.

    Warns when fewer than 80% of the query regions get a token (the seed's rule of thumb).

    Args:
        bed_file_or_regions: a BED path, a RegionSet, or a list of BED paths (read together).
        universe_file: universe BED (or a Tokenizer).
        threshold: minimum overlap as a fraction of the query region.
        warn: warn when coverage is below 80%.

    Returns:
        A :class:`CoverageReport`.

    Examples:
        >>> from geniml.io import RegionSet
        >>> u = RegionSet([("chr1", 0, 100), ("chr1", 200, 300)])
        >>> r = check_coverage(RegionSet([("chr1", 50, 150), ("chr1", 250, 260)]), Tokenizer(u))
        >>> r.frac_regions_covered, r.frac_bp_covered, r.frac_universe_used
        (1.0, 0.5454545454545454, 1.0)
    """
    tok = _tokenizer(universe_file)
    x = bed_file_or_regions
    items: list[object] = list(x) if isinstance(x, (list, tuple)) else []
    paths = [p for p in items if isinstance(p, (str, os.PathLike))]
    if paths and len(paths) == len(items):
        from geniml.io import BedSet

        rs = BedSet(paths).to_regionset()
    elif isinstance(x, (RegionSet, str, os.PathLike, tuple)):
        rs = as_regionset(x)
    else:
        rs = RegionSet(x)
    n, n_tok, bp_tot, bp_cov, used = tok._inner.coverage(rs._cols(), fraction=float(threshold))
    report = CoverageReport(
        n,
        n_tok,
        n_tok / n if n else 0.0,
        bp_cov / bp_tot if bp_tot else 0.0,
        used,
        used / tok.n_regions,
    )
    if warn and report.frac_regions_covered < COVERAGE_WARNING:
        warnings.warn(
            f"only {report.frac_regions_covered:.1%} of the regions overlap the "
            f"universe (under {COVERAGE_WARNING:.0%}): consider a better-matched "
            "universe",
            stacklevel=2,
        )
    return report
