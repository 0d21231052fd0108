"""The :class:`Tokenizer`: a universe with an interval index."""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal, NamedTuple, overload

import numpy as np

from geniml import _core
from geniml.exceptions import UniverseError
from geniml.io import Region, RegionSet, read_bed

__all__ = ["SoftTokens", "TokenizedRegionSet", "Tokenizer"]

SPECIAL_TOKENS: list[str] = list(_core.Tokenizer.special_tokens())
RegionsLike = RegionSet | str | os.PathLike | tuple


def as_regionset(regions: RegionsLike) -> RegionSet:
    """A RegionSet from a RegionSet, a BED path or a ``(chroms, starts, ends)`` triple."""
    if isinstance(regions, RegionSet):
        return regions
    if isinstance(regions, (str, os.PathLike)):
        return read_bed(regions)
    return RegionSet(regions)


class TokenizedRegionSet:
    """Token ids of a tokenized region set.

    Attributes:
        ids: token ids (``int64``), ready for ``torch.from_numpy``.

    Examples:
        >>> from geniml.io import RegionSet
        >>> from geniml.tokenization import Tokenizer
        >>> tok = Tokenizer(RegionSet([("chr1", 0, 100), ("chr1", 200, 300)]))
        >>> t = tok.tokenize(RegionSet([("chr1", 250, 260)]))
        >>> t.ids, len(t), t.to_regions()[0]
        (array([1]), 1, Region(chrom='chr1', start=200, end=300))
    """

    __slots__ = ("ids", "tokenizer")

    def __init__(self, ids: np.ndarray, tokenizer: Tokenizer) -> None:
        self.ids = ids
        self.tokenizer = tokenizer

    def __len__(self) -> int:
        return len(self.ids)

    def __iter__(self) -> Iterator[int]:
        return iter(self.ids.tolist())

    def to_regions(self) -> RegionSet:
        """The universe regions of the tokens (special tokens are left out)."""
        ids = self.ids[self.ids < self.tokenizer.n_regions]
        return self.tokenizer.universe[ids]

    def __repr__(self) -> str:
        return f"TokenizedRegionSet({len(self)} tokens)"


class SoftTokens(NamedTuple):
    """Soft tokenization: per query region, its universe tokens and their overlap fraction.

    Region ``r`` has tokens ``ids[offsets[r]:offsets[r+1]]`` with ``weights`` alongside.

    Attributes:
        offsets: ``n_regions + 1`` offsets into ``ids``.
        ids: universe token ids.
        weights: ``overlap / query length`` of each token.

    Examples:
        >>> from geniml.io import RegionSet
        >>> from geniml.tokenization import Tokenizer
        >>> tok = Tokenizer(RegionSet([("chr1", 0, 100), ("chr1", 200, 300)]))
        >>> s = tok.soft_tokenize(RegionSet([("chr1", 50, 250)]), overlap_threshold=0.1)
        >>> s.offsets.tolist(), s.ids.tolist(), s.weights.tolist()
        ([0, 2], [0, 1], [0.25, 0.25])
    """

    offsets: np.ndarray
    ids: np.ndarray
    weights: np.ndarray


class Tokenizer:
    """Maps genomic regions to universe token ids.

    Args:
        universe: a universe BED path or a RegionSet (token id i = region i).
        dedup: duplicate universe regions are an error naming both lines unless ``dedup=True``,
            which keeps the first copy and warns.

    Examples:
        >>> from geniml.io import RegionSet
        >>> tok = Tokenizer(RegionSet([("chr1", 100, 200), ("chr1", 150, 300), ("chr2", 0, 50)]))
        >>> tok.vocab_size, tok.unk_token_id, tok.pad_token_id
        (10, 3, 4)
        >>> tok.tokenize(RegionSet([("chr1", 190, 210), ("chr3", 1, 5)])).ids
        array([0, 1, 3])
        >>> tok.convert_ids_to_tokens([1, 3])
        ['chr1:150-300', '<unk>']
    """

    def __init__(self, universe: RegionSet | str | os.PathLike, *, dedup: bool = False) -> None:
        # One universe loader, in Rust: empty universes and duplicates (both line numbers, or
        # rows for an in-memory set) are reported there; a missing file is
        # UniverseNotFoundError.
        path: Path | None = None
        rs: RegionSet | None = None
        if isinstance(universe, (str, os.PathLike)):
            path = Path(universe)
            inner = _core.Tokenizer.from_bed(path, dedup=dedup)
        else:
            rs = universe
            inner = _core.Tokenizer(rs._cols(), dedup=dedup)
        if inner.n_dropped:
            warnings.warn(
                f"{path or 'universe'}: dropped {inner.n_dropped} duplicate universe region(s)",
                stacklevel=2,
            )
            rs = None
        self._inner = inner
        self._universe = (
            None
            if rs is None
            else RegionSet._from_columns(rs._names, rs._chroms, rs._starts, rs._ends, None, path)
        )
        self.path = path

    # -- constructors -----------------------------------------------------------------
    @classmethod
    def from_bed(cls, path: str | os.PathLike, *, dedup: bool = False) -> Tokenizer:
        """Tokenizer for the universe in a BED file (plain or gzip)."""
        return cls(path, dedup=dedup)

    @classmethod
    def from_pretrained(cls, folder: str | os.PathLike) -> Tokenizer:
        """Tokenizer of a model folder (its ``universe.bed``)."""
        folder = Path(folder)
        for name in ("universe.bed", "universe.bed.gz"):
            if (folder / name).exists():
                return cls(folder / name)
        if folder.is_file():
            return cls(folder)
        raise UniverseError(f"{folder}: no universe.bed in this model folder")

    # -- vocabulary -------------------------------------------------------------------
    @property
    def universe(self) -> RegionSet:
        """The universe regions, in token-id order."""
        if self._universe is None:
            self._universe = _universe_of(self._inner, self.path)
        return self._universe

    @property
    def n_regions(self) -> int:
        """Number of universe regions (= id of ``<unk>``)."""
        return self._inner.n_regions

    @property
    def vocab_size(self) -> int:
        """Universe regions plus the 7 special tokens."""
        return self._inner.vocab_size

    def __len__(self) -> int:
        return self.vocab_size

    @property
    def special_tokens(self) -> list[str]:
        """The special tokens, in id order."""
        return list(SPECIAL_TOKENS)

    @property
    def special_tokens_map(self) -> dict[str, int]:
        """Special token -> id."""
        return {t: self.n_regions + k for k, t in enumerate(SPECIAL_TOKENS)}

    def _special(self, token: str) -> int:
        return self.n_regions + SPECIAL_TOKENS.index(token)

    unk_token_id = property(lambda self: self._special("<unk>"), doc="Id of ``<unk>``.")
    pad_token_id = property(lambda self: self._special("<pad>"), doc="Id of ``<pad>``.")
    mask_token_id = property(lambda self: self._special("<mask>"), doc="Id of ``<mask>``.")
    cls_token_id = property(lambda self: self._special("<cls>"), doc="Id of ``<cls>``.")
    eos_token_id = property(lambda self: self._special("<eos>"), doc="Id of ``<eos>``.")
    bos_token_id = property(lambda self: self._special("<bos>"), doc="Id of ``<bos>``.")
    sep_token_id = property(lambda self: self._special("<sep>"), doc="Id of ``<sep>``.")

    # -- tokenization -----------------------------------------------------------------
    def tokenize(
        self,
        regions: RegionsLike,
        *,
        fraction: float = 1e-9,
        drop_unknown: bool = False,
        unique: bool = False,
    ) -> TokenizedRegionSet:
        """Hard tokenization: every universe region each query region overlaps.

        Args:
            regions: a RegionSet, a BED path, or ``(chroms, starts, ends)``.
            fraction: keep an overlap only when ``overlap_bp / query_length >= fraction``
                (as ``bedtools intersect -f``); the default keeps any 1-bp overlap.
            drop_unknown: leave out query regions without overlap instead of ``<unk>``.
            unique: set semantics: each universe token once, sorted, no ``<unk>``.

        Returns:
            Ids in query order, then universe order within a query region.
        """
        if isinstance(regions, (str, os.PathLike)):
            ids = self._inner.tokenize_paths(
                [Path(regions)],
                fraction=float(fraction),
                fraction_of="query",
                drop_unknown=drop_unknown,
                unique=unique,
            )[0]
            return TokenizedRegionSet(ids, self)
        rs = as_regionset(regions)
        ids = self._inner.tokenize(
            rs._cols(),
            fraction=float(fraction),
            fraction_of="query",
            drop_unknown=drop_unknown,
            unique=unique,
        )
        return TokenizedRegionSet(ids, self)

    def tokenize_batch(
        self,
        items: Sequence[RegionsLike],
        *,
        n_threads: int | None = None,
        fraction: float = 1e-9,
        drop_unknown: bool = False,
        unique: bool = False,
    ) -> list[TokenizedRegionSet]:
        """Tokenize many region sets; BED paths are read and tokenized in parallel."""
        paths = [Path(x) for x in items if isinstance(x, (str, os.PathLike))]
        if len(paths) == len(items):
            arrays = self._inner.tokenize_paths(
                paths,
                fraction=float(fraction),
                fraction_of="query",
                drop_unknown=drop_unknown,
                unique=unique,
                n_threads=n_threads,
            )
            return [TokenizedRegionSet(a, self) for a in arrays]
        return [
            self.tokenize(x, fraction=fraction, drop_unknown=drop_unknown, unique=unique)
            for x in items
        ]

    def overlaps(
        self,
        regions: RegionsLike,
        *,
        fraction: float = 1e-9,
        fraction_of: Literal["query", "universe", "both"] = "query",
    ) -> tuple[np.ndarray, np.ndarray]:
        """Per-region overlaps as CSR: ``(offsets, ids)``; region r has ``ids[offsets[r]:offsets[r+1]]``.

        ``fraction_of="universe"`` measures the overlap against the universe region's length
        (upstream's ``bedtools intersect -a universe -b query -f``).
        """
        rs = as_regionset(regions)
        off, ids, _ = self._inner.overlaps(
            rs._cols(), fraction=float(fraction), fraction_of=fraction_of, weights=False
        )
        return off.astype(np.int64), ids

    def soft_tokenize(self, regions: RegionsLike, *, overlap_threshold: float = 0.5) -> SoftTokens:
        """Soft tokenization: each region's universe tokens weighted by overlap / region length.

        Overlaps below ``overlap_threshold`` are dropped.
        """
        rs = as_regionset(regions)
        off, ids, w = self._inner.overlaps(
            rs._cols(), fraction=float(overlap_threshold), fraction_of="query", weights=True
        )
        return SoftTokens(off.astype(np.int64), ids, w)

    def __call__(
        self,
        batch: RegionsLike | Sequence[RegionsLike],
        *,
        padding: bool = True,
        max_length: int | None = None,
    ) -> dict[str, np.ndarray]:
        """Hugging Face style: ``{"input_ids", "attention_mask"}`` padded with ``<pad>``.

        A single region set gives arrays of shape ``(1, n)``; a list gives ``(len, longest)``.
        """
        items: list[RegionsLike] = (
            [batch] if isinstance(batch, (RegionSet, str, os.PathLike, tuple)) else list(batch)
        )
        seqs = [t.ids for t in self.tokenize_batch(items)]
        if max_length is not None:
            seqs = [s[:max_length] for s in seqs]
        width = max((len(s) for s in seqs), default=0) if padding else None
        if width is None:
            if len({len(s) for s in seqs}) > 1:
                raise ValueError("sequences differ in length; pass padding=True")
            width = len(seqs[0]) if seqs else 0
        ids = np.full((len(seqs), width), self.pad_token_id, dtype=np.int64)
        mask = np.zeros((len(seqs), width), dtype=np.int64)
        for k, s in enumerate(seqs):
            ids[k, : len(s)] = s
            mask[k, : len(s)] = 1
        return {"input_ids": ids, "attention_mask": mask}

    def encode(self, regions: RegionsLike) -> list[int]:
        """Token ids of regions (as :meth:`tokenize`), as a list."""
        return self.tokenize(regions).ids.tolist()

    @overload
    def convert_ids_to_tokens(self, ids: int | np.integer) -> str: ...
    @overload
    def convert_ids_to_tokens(self, ids: Sequence[int] | np.ndarray) -> list[str]: ...
    def convert_ids_to_tokens(
        self, ids: int | np.integer | Sequence[int] | np.ndarray
    ) -> str | list[str]:
        """``"chr:start-end"`` for region ids, the special token's text otherwise."""
        if isinstance(ids, (int, np.integer)):
            return self.convert_ids_to_tokens([int(ids)])[0]
        u, n = self.universe, self.n_regions
        out = []
        for i in np.asarray(ids, dtype=np.int64).tolist():
            if 0 <= i < n:
                out.append(f"{u._names[u._chroms[i]]}:{u._starts[i]}-{u._ends[i]}")
            elif n <= i < n + len(SPECIAL_TOKENS):
                out.append(SPECIAL_TOKENS[i - n])
            else:
                raise IndexError(f"token id {i} is outside the vocabulary (size {self.vocab_size})")
        return out

    def decode(self, ids: Sequence[int] | np.ndarray) -> list[str]:
        """Token strings of ids (``"chr:start-end"`` or a special token)."""
        return self.convert_ids_to_tokens(list(np.asarray(ids).tolist()))

    @overload
    def convert_tokens_to_ids(self, tokens: str) -> int: ...
    @overload
    def convert_tokens_to_ids(self, tokens: list[str] | tuple[str, ...]) -> list[int]: ...
    def convert_tokens_to_ids(self, tokens: str | Sequence[str]) -> int | list[int]:
        """Ids of ``"chr:start-end"`` tokens (exact universe regions) or special tokens."""
        if isinstance(tokens, str):
            return self.convert_tokens_to_ids([tokens])[0]
        specials = self.special_tokens_map
        plain = [t for t in tokens if t not in specials]
        if plain:
            q = RegionSet._from_core(_core.parse_region_names(plain))
            off, ids = self.overlaps(q)
            exact = {}
            u = self.universe
            for r, reg in enumerate(q):
                hits = ids[off[r] : off[r + 1]]
                match = [int(h) for h in hits if u[int(h)] == Region(*reg)]
                exact[plain[r]] = match[0] if match else self.unk_token_id
        return [specials[t] if t in specials else exact[t] for t in tokens]

    def __repr__(self) -> str:
        return f"Tokenizer(vocab_size={self.vocab_size}, universe={self.universe!r})"


def _universe_of(inner, path: Path | None) -> RegionSet:
    return RegionSet._from_core(inner.universe_columns(), path)
