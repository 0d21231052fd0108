"""The BEDshift API: the `bedshift` function and the upstream-compatible `Bedshift` class."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import numpy as np

from geniml import _core
from geniml.bedshift.genomes import genome_sizes
from geniml.exceptions import GenimlValueError
from geniml.io import RegionSet, read_bed

__all__ = ["Bedshift", "bedshift"]

_LOGGER = logging.getLogger("geniml.bedshift")

Genome = str | os.PathLike | dict[str, int] | None
BedInput = str | os.PathLike | RegionSet


class _Table:
    """One chromosome name table for every region set of a run (ids are append-only)."""

    def __init__(self, sizes: dict[str, int] | None) -> None:
        self.names: list[str] = []
        self.ids: dict[str, int] = {}
        self.genome = sizes or {}
        for name in self.genome:
            self._id(name)

    def _id(self, name: str) -> int:
        i = self.ids.get(name)
        if i is None:
            i = self.ids[name] = len(self.names)
            self.names.append(name)
        return i

    def cols(self, rs: RegionSet) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        remap = np.array([self._id(n) for n in rs._names], dtype=np.uint32)
        chroms = remap[rs._chroms] if len(rs) else np.zeros(0, dtype=np.uint32)
        return chroms, rs._starts, rs._ends

    def sizes(self) -> list[int | None]:
        return [self.genome.get(n) for n in self.names]


def _read(bed: BedInput, sizes: dict[str, int] | None, delimiter: str = "\t") -> RegionSet:
    if delimiter != "\t":
        raise GenimlValueError(f"only tab-delimited BED files are supported, got {delimiter!r}")
    if isinstance(bed, RegionSet):
        return bed
    return read_bed(bed, chrom_sizes=sizes)


def _seed(seed: int | None) -> int:
    if seed is None:
        return int(np.random.SeedSequence().generate_state(1, np.uint64)[0])
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise GenimlValueError(f"seed must be an integer, got {type(seed).__name__}")
    return int(seed) % (1 << 64)


def _flagged(names: list[str], c, s, e, f) -> RegionSet:
    extra = (np.ascontiguousarray(f, dtype=np.uint8), np.arange(len(f) + 1, dtype=np.uint64))
    return RegionSet._from_columns(names, c, s, e, extra)


def _rep_paths(output: str | os.PathLike, n: int) -> list[Path]:
    out = Path(output)
    if n == 1:
        return [out]
    name = out.name
    ext = next((x for x in (".bed.gz", ".bed") if name.endswith(x)), out.suffix)
    stem = name[: len(name) - len(ext)] if ext else name
    digits = len(str(n))
    return [out.with_name(f"{stem}_rep{str(i + 1).zfill(digits)}{ext}") for i in range(n)]


def bedshift(
    input_bed: BedInput,
    *,
    genome: Genome = "hg38",
    preserve_chrom: bool = False,
    preserve_size: bool = False,
    preserve_distance: bool = False,
    n_iterations: int = 1,
    shift_rate: float | None = None,
    shift_mean: float = 0.0,
    shift_sd: float = 150.0,
    shift_file: BedInput | None = None,
    add_rate: float | None = None,
    add_mean: float = 320.0,
    add_sd: float = 30.0,
    add_file: BedInput | None = None,
    valid_regions: BedInput | None = None,
    cut_rate: float | None = None,
    merge_rate: float | None = None,
    drop_rate: float | None = None,
    drop_file: BedInput | None = None,
    seed: int | None = None,
    output: str | os.PathLike | None = None,
    force: bool = False,
) -> list[RegionSet]:
    """Randomly perturb a BED file ``n_iterations`` times (a null distribution of region sets).

    Operations run in upstream BEDshift's fixed order shift → add → cut → merge → drop. Every
    rate is a fraction of the **original** number of regions (``add_rate=0.1`` on 1,000
    regions adds 100, whatever ran before). When no rate is given at all, every region is
    shifted (``shift_rate=1.0``) by normal(``shift_mean``, ``shift_sd``) bp; once any rate is
    given, the others default to 0.

    - shift: move regions by a normal offset (truncated toward zero), redrawn until the region
      stays inside its chromosome; ``shift_file`` restricts it to regions overlapping that file.
    - add: new regions with normal(``add_mean``, ``add_sd``) widths (at least 1 bp), placed
      uniformly on chromosomes weighted by length, or inside ``valid_regions`` (weighted by
      their width; a region wider than the drawn valid region is clipped to it); ``add_file``
      instead draws existing regions from that file without replacement.
    - cut: split a region in two at its midpoint. merge: join a region with its right
      neighbour on the same chromosome. drop: remove regions (only ones overlapping
      ``drop_file`` when given).

    The output keeps BEDshift's flag as a fourth column: ``-`` original, ``S`` shifted, ``A``
    added, ``C`` cut, ``M`` merged.

    Args:
        input_bed: a BED path or a :class:`~geniml.io.RegionSet`.
        genome: a bundled genome (``"hg19"``, ``"hg38"``, ``"mm9"``, ``"mm10"``), a chrom
            sizes file, a ``{name: length}`` dict, or ``None`` (only for operations that need no
            sizes: cut, merge, drop, add from a file or inside valid regions).
        preserve_chrom: added regions go on the chromosome of a randomly drawn input region
            (per-chromosome counts are kept in expectation; with ``add_file`` only regions on
            the input's chromosomes are drawn). Shifted regions always stay on their chromosome.
        preserve_size: added regions copy the width of a randomly drawn input region; cut and
            merge, which change widths, are refused.
        preserve_distance: all shifted regions of one chromosome move by one common offset, so
            the distances between them are kept (with ``shift_rate=1`` the whole chromosome's
            layout moves as a block).
        n_iterations: number of replicates (run in parallel).
        shift_rate: fraction of regions to shift.
        shift_mean: mean shift offset (bp).
        shift_sd: standard deviation of the shift offset (bp).
        shift_file: shift only regions overlapping this BED file.
        add_rate: number of regions to add, as a fraction of the input's (may exceed 1).
        add_mean: mean width of added regions (bp).
        add_sd: standard deviation of the added widths (bp).
        add_file: draw added regions from this BED file instead.
        valid_regions: place added regions only inside these regions.
        cut_rate: fraction of regions to cut in two.
        merge_rate: fraction of regions to merge with their right neighbour.
        drop_rate: fraction of regions to drop.
        drop_file: drop only regions overlapping this BED file.
        seed: replicate ``r`` depends only on ``seed`` and ``r`` (``None``: a fresh seed).
        output: when given, replicate files are written there: the path itself for one
            iteration, else ``{stem}_rep{NN}{ext}`` as upstream names them.
        force: replace existing output files.

    Returns:
        One sorted :class:`~geniml.io.RegionSet` per replicate, the flag in ``extra_column(0)``.

    Raises:
        GenimlValueError: an unknown genome name, a rate outside ``[0, 1]`` (``>= 0`` for add),
            or ``preserve_size`` with cut or merge.
        BedParseError: a malformed line or a region outside the chrom sizes (file and line).

    Examples:
        >>> from geniml.io import RegionSet
        >>> rs = RegionSet((["chr1"] * 4, [100, 400, 900, 1500], [200, 500, 1000, 1600]))
        >>> out = bedshift(rs, genome="hg19", add_rate=0.5, drop_rate=0.25, seed=3)[0]
        >>> len(out), set(out.extra_column(0)) <= {"-", "A"}
        (5, True)
    """
    if n_iterations < 1:
        raise GenimlValueError(f"n_iterations must be >= 1, got {n_iterations}")
    rates = (shift_rate, add_rate, cut_rate, merge_rate, drop_rate)
    if all(r is None for r in rates):
        shift_rate = 1.0
    sizes = genome_sizes(genome) if genome is not None else None
    rs = _read(input_bed, sizes)
    table = _Table(sizes)
    original = table.cols(rs)

    def aux(bed: BedInput | None):
        return None if bed is None else table.cols(_read(bed, None))

    ops = []
    if shift_rate:
        ops.append(("shift", float(shift_rate), shift_mean, shift_sd, aux(shift_file)))
    if add_rate:
        if add_file is not None:
            ops.append(("add_from_file", float(add_rate), 0.0, 0.0, aux(add_file)))
        else:
            ops.append(("add", float(add_rate), add_mean, add_sd, aux(valid_regions)))
    if cut_rate:
        ops.append(("cut", float(cut_rate), 0.0, 0.0, None))
    if merge_rate:
        ops.append(("merge", float(merge_rate), 0.0, 0.0, None))
    if drop_rate:
        ops.append(("drop", float(drop_rate), 0.0, 0.0, aux(drop_file)))
    c, s, e, f, offsets, _counts = _core.bedshift_run(
        table.names,
        table.sizes(),
        original,
        ops,
        preserve_chrom=preserve_chrom,
        preserve_size=preserve_size,
        preserve_distance=preserve_distance,
        current_base=False,
        seed=_seed(seed),
        n_iterations=int(n_iterations),
    )
    reps = [
        _flagged(table.names, c[a:b], s[a:b], e[a:b], f[a:b])
        for a, b in zip(offsets[:-1].tolist(), offsets[1:].tolist(), strict=True)
    ]
    if output is not None:
        paths = _rep_paths(output, n_iterations)
        if not force:
            existing = [p for p in paths if p.exists()]
            if existing:
                raise FileExistsError(f"{existing[0]} exists (use force=True to replace it)")
        for rep, path in zip(reps, paths, strict=True):
            rep.to_bed(path, force=force)
    return reps


class Bedshift:
    """Upstream BEDshift's stateful perturber (geniml 0.8.4 ``geniml.bedshift.Bedshift``).

    Each method perturbs the current state and returns how many regions it changed; rates are
    fractions of the **current** number of regions, as upstream's methods take them. ``bed``
    is the current state (a sorted :class:`~geniml.io.RegionSet` with the flag column).

    Args:
        bedfile_path: a BED path (or a :class:`~geniml.io.RegionSet`).
        chrom_sizes: a chrom sizes file, a bundled genome name or a dict; needed by shift and
            genome-wide add.
        delimiter: only ``"\\t"`` is supported.

    Examples:
        >>> from geniml.io import RegionSet
        >>> rs = RegionSet((["chr1"] * 10, list(range(0, 10000, 1000)), list(range(500, 10500, 1000))))
        >>> bs = Bedshift(rs, chrom_sizes="hg38")
        >>> bs.set_seed(4)
        >>> bs.add(0.5, 100, 10), bs.drop(0.2), len(bs.bed)
        (5, 3, 12)
        >>> bs.reset_bed(); len(bs.bed)
        10
    """

    def __init__(
        self,
        bedfile_path: BedInput,
        chrom_sizes: Genome = None,
        delimiter: str = "\t",
    ) -> None:
        self.bedfile_path = bedfile_path
        self.chrom_lens: dict[str, int] = genome_sizes(chrom_sizes) if chrom_sizes else {}
        self._table = _Table(self.chrom_lens or None)
        rs = _read(bedfile_path, self.chrom_lens or None, delimiter)
        self._original = self._table.cols(rs)
        self.original_num_regions = len(rs)
        self._rng = np.random.default_rng()
        self.reset_bed()

    # -- state ---------------------------------------------------------------------------
    def reset_bed(self) -> None:
        """Return to the original regions (all flagged ``-``), sorted."""
        c, s, e = self._original
        f = np.full(len(c), ord("-"), dtype=np.uint8)
        self._state = (c, s, e, f)
        self._run([("cut", 0.0, 0.0, 0.0, None)])  # a no-op pipeline: returns the state sorted

    @property
    def bed(self) -> RegionSet:
        """The current regions, sorted, with the flag in ``extra_column(0)``."""
        return _flagged(self._table.names, *self._state)

    def set_seed(self, seednum: int) -> None:
        """Make the following perturbations reproducible."""
        try:
            seednum = int(seednum)
        except (TypeError, ValueError):
            raise GenimlValueError(f"Seed should be an integer, not {type(seednum)}.") from None
        self._rng = np.random.default_rng(seednum)

    def _run(self, ops: list[tuple]) -> int:
        c, s, e, f, _offsets, counts = _core.bedshift_run(
            self._table.names,
            self._table.sizes(),
            self._original,
            ops,
            preserve_chrom=False,
            preserve_size=False,
            preserve_distance=False,
            current_base=True,
            seed=int(self._rng.integers(0, 2**63)),
            n_iterations=1,
            state=((self._state[0], self._state[1], self._state[2]), self._state[3]),
        )
        self._state = (c, s, e, f)
        return int(counts.sum())

    def _file(self, fp: BedInput, delimiter: str = "\t"):
        return self._table.cols(_read(fp, None, delimiter))

    # -- operations ----------------------------------------------------------------------
    def shift(self, shiftrate: float, shiftmean: float, shiftstdev: float) -> int:
        """Shift ``shiftrate`` of the regions by normal(mean, stdev) bp; returns the count."""
        return self._run([("shift", float(shiftrate), shiftmean, shiftstdev, None)])

    def shift_from_file(
        self, fp: BedInput, shiftrate: float, shiftmean: float, shiftstdev: float, delimiter="\t"
    ) -> int:
        """Shift regions overlapping ``fp`` (at most ``shiftrate`` of all regions)."""
        return self._run(
            [("shift", float(shiftrate), shiftmean, shiftstdev, self._file(fp, delimiter))]
        )

    def add(
        self,
        addrate: float,
        addmean: float,
        addstdev: float,
        valid_bed: BedInput | None = None,
        delimiter: str = "\t",
    ) -> int:
        """Add ``addrate`` × regions with normal(mean, stdev) widths; returns the count."""
        valid = None if valid_bed is None else self._file(valid_bed, delimiter)
        return self._run([("add", float(addrate), addmean, addstdev, valid)])

    def add_from_file(self, fp: BedInput, addrate: float, delimiter: str = "\t") -> int:
        """Add regions drawn without replacement from ``fp``; returns the count."""
        return self._run([("add_from_file", float(addrate), 0.0, 0.0, self._file(fp, delimiter))])

    def cut(self, cutrate: float) -> int:
        """Cut regions in two at their midpoint; returns the number of regions cut."""
        return self._run([("cut", float(cutrate), 0.0, 0.0, None)])

    def merge(self, mergerate: float) -> int:
        """Merge regions with their right neighbour; returns the number of regions consumed."""
        return self._run([("merge", float(mergerate), 0.0, 0.0, None)])

    def drop(self, droprate: float) -> int:
        """Drop ``droprate`` of the regions; returns the count."""
        return self._run([("drop", float(droprate), 0.0, 0.0, None)])

    def drop_from_file(self, fp: BedInput, droprate: float, delimiter: str = "\t") -> int:
        """Drop regions overlapping ``fp`` (at most ``droprate`` of all regions)."""
        return self._run([("drop", float(droprate), 0.0, 0.0, self._file(fp, delimiter))])

    def all_perturbations(
        self,
        addrate: float = 0.0,
        addmean: float = 320.0,
        addstdev: float = 30.0,
        addfile: BedInput | None = None,
        valid_regions: BedInput | None = None,
        shiftrate: float = 0.0,
        shiftmean: float = 0.0,
        shiftstdev: float = 150.0,
        shiftfile: BedInput | None = None,
        cutrate: float = 0.0,
        mergerate: float = 0.0,
        droprate: float = 0.0,
        dropfile: BedInput | None = None,
        yaml: str | os.PathLike | None = None,
        seed: int | None = None,
    ) -> int:
        """Shift → add → cut → merge → drop (or the YAML config's operations, in its order).

        Returns:
            The total number of regions changed.
        """
        if seed is not None:
            self.set_seed(seed)
        if yaml is not None:
            from geniml.bedshift.yaml_config import read_operations

            return sum(getattr(self, op)(**kw) for op, kw in read_operations(yaml))
        n = 0
        if shiftrate > 0:
            n += (
                self.shift_from_file(shiftfile, shiftrate, shiftmean, shiftstdev)
                if shiftfile
                else self.shift(shiftrate, shiftmean, shiftstdev)
            )
        if addrate > 0:
            n += (
                self.add_from_file(addfile, addrate)
                if addfile
                else self.add(addrate, addmean, addstdev, valid_regions)
            )
        if cutrate > 0:
            n += self.cut(cutrate)
        if mergerate > 0:
            n += self.merge(mergerate)
        if droprate > 0:
            n += self.drop_from_file(dropfile, droprate) if dropfile else self.drop(droprate)
        return n

    def to_bed(self, outfile_name: str | os.PathLike, *, force: bool = False) -> Path:
        """Write the current regions (sorted, flag column) atomically."""
        return self.bed.to_bed(outfile_name, force=force)

    def read_bed(self, bedfile_path: BedInput, delimiter: str = "\t") -> RegionSet:
        """Read a BED file (tab-delimited)."""
        return _read(bedfile_path, None, delimiter)
