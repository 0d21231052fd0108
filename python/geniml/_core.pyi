# Hand-written stubs of the compiled extension `geniml._core` (rust/geniml-py).
# Checked against the built module by `python -m mypy.stubtest geniml._core` (`make lint`).
# Private: the public API is what `geniml` and its submodules export.
import os
from collections.abc import Sequence
from typing import Literal, TypeAlias, final, overload

import numpy as np
import numpy.typing as npt

_U8: TypeAlias = npt.NDArray[np.uint8]
_U32: TypeAlias = npt.NDArray[np.uint32]
_U64: TypeAlias = npt.NDArray[np.uint64]
_I64: TypeAlias = npt.NDArray[np.int64]
_F32: TypeAlias = npt.NDArray[np.float32]
_F64: TypeAlias = npt.NDArray[np.float64]
_Path: TypeAlias = str | os.PathLike[str]
# Every `n_threads`: a count >= 1, or -1 / None for the shared pool (GENIML_NUM_THREADS or all
# cores); 0 and other negative values raise GenimlValueError.

# Regions in: (chromosome names, chrom ids, starts, ends), uint32 columns.
_RegionArg: TypeAlias = tuple[list[str], _U32, _U32, _U32]
# Extra BED text: (concatenated bytes, offsets with len n + 1).
_Extra: TypeAlias = tuple[_U8, _U64]
# Regions out: names, chroms, starts, ends, optional extra text.
_RegionsOut: TypeAlias = tuple[list[str], _U32, _U32, _U32, _Extra | None]
# (n_lines, n_skipped, [(line, reason), ...])
_Report: TypeAlias = tuple[int, int, list[tuple[int, str]], bool]
_OnError: TypeAlias = Literal["raise", "skip", "warn"]
_FractionOf: TypeAlias = Literal["query", "universe", "both"]
_Track: TypeAlias = Literal["start", "core", "end"]
# Per-chromosome likelihood tables: (name, size, start, core, end), each flattened (n, 2).
_ModelTable: TypeAlias = tuple[str, int, _F64, _F64, _F64]
# (offsets, ids, weights or None)
_Csr: TypeAlias = tuple[_U64, _U32, _F32 | None]
# only_universe, only_file, both, 4 medians (None when undefined), n_regions, n_overlapping
_AssessRow: TypeAlias = tuple[
    int, int, int, float | None, float | None, float | None, float | None, int, int
]

__version__: str

# -- io ------------------------------------------------------------------------------------
def read_bed(
    path: _Path,
    *,
    on_error: _OnError,
    chrom_sizes: dict[str, int] | None = None,
    keep_extra: bool = True,
    allow_empty: bool = False,
) -> tuple[_RegionsOut, _Report]: ...
def read_many(
    paths: Sequence[_Path],
    *,
    on_error: _OnError,
    chrom_sizes: dict[str, int] | None = None,
    keep_extra: bool = True,
    allow_empty: bool = False,
    n_threads: int | None = None,
) -> list[tuple[_RegionsOut, _Report]]: ...
def read_chrom_sizes(path: _Path) -> list[tuple[str, int]]: ...
def write_bed(
    regions: _RegionArg, extra: _Extra | None, path: _Path, *, gzip: bool, force: bool
) -> None: ...

# -- regions -------------------------------------------------------------------------------
def sort_order(regions: _RegionArg) -> _U32: ...
def is_sorted(regions: _RegionArg) -> bool: ...
def merge(regions: _RegionArg, distance: int) -> _RegionsOut: ...
def dedup_order(regions: _RegionArg) -> _U32: ...
def identifier(regions: _RegionArg) -> str: ...
def bedset_identifier(ids: list[str]) -> str: ...
def summary(regions: _RegionArg) -> tuple[float, int]: ...
def take_extra(extra: _Extra, order: _U32) -> _Extra: ...
def extra_column(extra: _Extra, k: int) -> list[str]: ...
def extra_n_columns(extra: _Extra) -> int: ...

# -- threads -------------------------------------------------------------------------------
def _after_fork() -> None: ...
def num_threads() -> int: ...

# -- tokenize ------------------------------------------------------------------------------
@final
class Tokenizer:
    def __new__(cls, universe: _RegionArg, *, dedup: bool = False) -> Tokenizer: ...
    @staticmethod
    def from_bed(path: _Path, *, dedup: bool = False) -> Tokenizer: ...
    @property
    def n_dropped(self) -> int: ...
    @property
    def n_regions(self) -> int: ...
    @property
    def vocab_size(self) -> int: ...
    @staticmethod
    def special_tokens() -> list[str]: ...
    def duplicates(self) -> list[tuple[int, int]]: ...
    def universe_columns(self) -> _RegionsOut: ...
    def tokenize(
        self,
        regions: _RegionArg,
        *,
        fraction: float,
        fraction_of: _FractionOf,
        drop_unknown: bool,
        unique: bool,
    ) -> _I64: ...
    def tokenize_paths(
        self,
        paths: Sequence[_Path],
        *,
        fraction: float,
        fraction_of: _FractionOf,
        drop_unknown: bool,
        unique: bool,
        n_threads: int | None = None,
        allow_empty: bool = False,
    ) -> list[_I64]: ...
    @overload
    def overlaps(
        self,
        regions: _RegionArg,
        *,
        fraction: float,
        fraction_of: _FractionOf,
        weights: Literal[True],
    ) -> tuple[_U64, _U32, _F32]: ...
    @overload
    def overlaps(
        self,
        regions: _RegionArg,
        *,
        fraction: float,
        fraction_of: _FractionOf,
        weights: Literal[False],
    ) -> tuple[_U64, _U32, None]: ...
    def coverage(
        self, regions: _RegionArg, *, fraction: float
    ) -> tuple[int, int, int, int, int]: ...
    def tokenize_fragments(
        self, path: _Path, barcodes: set[str] | None, *, fraction: float
    ) -> tuple[list[str], _Csr, int]: ...

def read_universe(path: _Path, *, dedup: bool = False) -> tuple[_RegionsOut, int]: ...
def cells_to_tokens(
    indptr: _I64,
    indices: _I64 | npt.NDArray[np.int32],
    peak_offsets: _U64,
    peak_ids: _U32,
    n_tokens: int,
) -> _Csr: ...
def write_gtok(
    path: _Path, ids: _I64, *, width: Literal[16, 32] | None = None, force: bool = False
) -> None: ...
def read_gtok(path: _Path) -> _I64: ...
def parse_region_names(labels: list[str]) -> _RegionsOut: ...

# -- token_files ---------------------------------------------------------------------------
def write_weighted_regions(
    universe: _RegionArg, ids: _U32, weights: _F32, path: _Path, *, force: bool
) -> None: ...
def write_token_lines(
    queries: _RegionArg,
    offsets: _U64,
    ids: _U32,
    weights: _F32 | None,
    path: _Path,
    *,
    unk: int,
    force: bool,
) -> None: ...

# -- coverage ------------------------------------------------------------------------------
@final
class Coverage:
    @staticmethod
    def from_files(
        paths: Sequence[_Path],
        chrom_sizes: list[tuple[str, int]],
        *,
        smooth: int,
        n_threads: int | None = None,
    ) -> Coverage: ...
    @staticmethod
    def from_regions(
        sets: list[_RegionArg],
        labels: list[str],
        chrom_sizes: list[tuple[str, int]],
        *,
        smooth: int,
        n_threads: int | None = None,
    ) -> Coverage: ...
    @staticmethod
    def from_folder(folder: _Path, prefix: str, tracks: list[_Track]) -> Coverage: ...
    @property
    def n_files(self) -> int: ...
    def write(
        self,
        folder: _Path,
        prefix: str,
        format: Literal["bigwig", "bedgraph"],
        *,
        force: bool,
    ) -> list[str]: ...
    def chroms(self) -> list[tuple[str, int]]: ...
    def runs(self, chrom: str, track: _Track) -> tuple[_U32, _U32, _U32]: ...

# -- coverage_stream -----------------------------------------------------------------------
def coverage_of_batch(
    paths: Sequence[_Path],
    chrom_sizes: list[tuple[str, int]],
    *,
    smooth: int,
    n_threads: int | None = None,
) -> Coverage: ...
def coverage_add(a: Coverage, b: Coverage) -> Coverage: ...
def coverage_is_empty(cov: Coverage) -> bool: ...
def coverage_to_bytes(cov: Coverage) -> bytes: ...
def coverage_from_bytes(data: bytes) -> Coverage: ...

# -- universe ------------------------------------------------------------------------------
def cc_universe(
    coverage: Coverage,
    *,
    cutoff: float | None = None,
    merge: int = 0,
    min_size: int = 0,
    n_threads: int | None = None,
) -> _RegionsOut: ...
def ccf_universe(
    coverage: Coverage,
    *,
    cutoff: float | None = None,
    confidence: float = 0.8,
    merge: int = 0,
    min_size: int = 0,
    n_threads: int | None = None,
) -> _RegionsOut: ...

# -- likelihood model, ML and HMM universes ------------------------------------------------
def build_lh_model(coverage: Coverage, n_files: int) -> tuple[list[_ModelTable], int]: ...
def universe_likelihood(
    coverage: Coverage,
    model: list[_ModelTable],
    universe: _RegionArg,
    thick: tuple[_U32, _U32] | None,
) -> tuple[float, _F64]: ...
def region_max_coverage(coverage: Coverage, regions: _RegionArg, track: _Track) -> _U32: ...
def ml_universe(
    coverage: Coverage,
    model: list[_ModelTable],
    *,
    merge: int = 0,
    min_size: int = 0,
    n_threads: int | None = None,
) -> _RegionsOut: ...
def hmm_sample(
    coverage: Coverage, *, normalize: bool, states: int, max_bases: int
) -> tuple[_U32, _U64]: ...
def hmm_universe(
    coverage: Coverage,
    transmat: list[list[float]],
    lambdas: list[list[float]],
    startprob: list[float],
    *,
    normalize: bool,
    states: int,
    merge: int = 0,
    min_size: int = 0,
    n_threads: int | None = None,
) -> _RegionsOut: ...

# -- assess --------------------------------------------------------------------------------
def assess_universe(
    universe: _RegionArg,
    thick: tuple[_U32, _U32] | None,
    files: list[_RegionArg],
    n_threads: int | None = None,
) -> list[_AssessRow]: ...

# -- word2vec ------------------------------------------------------------------------------
@final
class W2vCorpus:
    def __new__(
        cls,
        tokens: _I64,
        offsets: _I64,
        vocab_size: int,
        exclude: list[int],
        *,
        dim: int,
        window: int,
        negative: int,
        sample: float,
        min_count: int,
        sg: bool,
        seed: int,
        max_sentence_len: int,
        max_doc_tokens: int = 0,
        ns_exponent: float = 0.75,
        shared_negatives: int = 1,
    ) -> W2vCorpus: ...
    @property
    def n_docs(self) -> int: ...
    @property
    def total_words(self) -> int: ...
    def counts(self) -> _U64: ...
    def trained_mask(self) -> npt.NDArray[np.bool_]: ...
    def doc_lengths(self) -> _U64: ...
    def train(
        self,
        w_in: npt.NDArray[np.float32],
        w_out: npt.NDArray[np.float32],
        epoch: int,
        start: int,
        end: int,
        lr_start: float,
        lr_end: float,
        n_threads: int | None = None,
    ) -> tuple[float, int, int, int]: ...
    def batches(
        self, epoch: int, start: int, end: int, pad_id: int, n_threads: int | None = None
    ) -> tuple[_I64, _I64, _F32, _I64, int, int, int]: ...

# -- bedspace (StarSpace trainMode 0) --------------------------------------------------------
@final
class StarSpaceExamples:
    def __new__(
        cls, lhs_offsets: _U64, lhs: _U32, rhs_offsets: _U64, rhs: _U32, n_rows: int
    ) -> StarSpaceExamples: ...
    def __len__(self) -> int: ...
    def train_epoch(
        self,
        weights: npt.NDArray[np.float32],
        acc: npt.NDArray[np.float32],
        epoch: int,
        lr_start: float,
        lr_end: float,
        *,
        dim: int,
        neg_search_limit: int,
        max_neg_samples: int,
        margin: float,
        batch_size: int,
        max_norm: float,
        adagrad: bool,
        seed: int,
        n_threads: int | None = None,
    ) -> tuple[float, int, int]: ...

def bedspace_embed(
    weights: npt.NDArray[np.float32], offsets: _U64, ids: _U32, n_threads: int | None = None
) -> npt.NDArray[np.float32]: ...
def read_starspace_input(
    path: _Path, label_prefix: str
) -> tuple[list[str], int, _U64, _U32, _U64, _U32, _U64, list[int]]: ...

# -- bedshift --------------------------------------------------------------------------------
# (chroms, starts, ends) uint32 columns; ops are (kind, rate, mean, sd, regions or None)
_ShiftCols: TypeAlias = tuple[_U32, _U32, _U32]

def bedshift_run(
    names: list[str],
    sizes: list[int | None],
    original: _ShiftCols,
    ops: list[tuple[str, float, float, float, _ShiftCols | None]],
    *,
    preserve_chrom: bool,
    preserve_size: bool,
    preserve_distance: bool,
    current_base: bool,
    seed: int,
    n_iterations: int,
    state: tuple[_ShiftCols, _U8] | None = None,
) -> tuple[_U32, _U32, _U32, _U8, _U64, _U64]: ...
