"""The collection and cell operations of geniml on a Dask cluster (``pip install 'geniml[dask]'``).

Each function takes a ``dask.distributed.Client`` as ``client=`` and maps the same parts that
the single-process call computes (batches of files, blocks of cells) over the workers, so the
results are identical to the single-process call: coverage tracks are summed per chromosome
(coverage is additive), token stores get the same parquet parts, assessment and embedding
rows come back in input order. Inputs are passed as paths, so the workers must see the same
file system as the client (a shared file system on a cluster).

Examples:
    On a laptop::

        from dask.distributed import Client, LocalCluster
        client = Client(LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=":0"))
        cov = compute_coverage("bed_files/", "hg38.chrom.sizes", client=client)

    On SLURM (dask-jobqueue), the same call with another client::

        from dask_jobqueue import SLURMCluster
        cluster = SLURMCluster(cores=8, memory="16GB"); cluster.scale(jobs=20)
        cov = compute_coverage("bed_files/", "hg38.chrom.sizes", client=Client(cluster))
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from geniml.exceptions import GenimlValueError, UniverseError

if TYPE_CHECKING:
    import polars as pl
    from distributed import Client

    from geniml.tokenization.store import StorePlan, TokenStore
    from geniml.universe.coverage import Coverage

__all__ = [
    "assess",
    "compute_coverage",
    "coverage_tracks",
    "embed_region_sets",
    "encode_cells",
    "tokenize_cells",
    "tokenize_collection",
]


def _check_client(client: Any) -> None:
    try:
        from distributed import Client
    except ImportError as err:  # pragma: no cover - exercised without the extra
        raise ImportError("geniml.distributed needs `pip install 'geniml[dask]'`") from err
    if not isinstance(client, Client):
        raise GenimlValueError(
            f"`client` must be a dask.distributed.Client, got {type(client).__name__}"
        )


def _wait(client: Client, futures: list, label: str, *, progress: bool | None) -> list:
    """Results of ``futures`` in their order, with a progress bar as they complete."""
    from distributed import as_completed

    from geniml._progress import progress_bar

    with progress_bar(len(futures), label, unit="tasks", enabled=progress) as advance:
        for f in as_completed(futures):
            f.result()  # re-raises a worker's exception here, with its own type
            advance(1)
    return client.gather(futures)


# -- coverage ---------------------------------------------------------------------------------


def _coverage_batch(paths: list[str], sizes: list[tuple[str, int]], smooth: int) -> Coverage:
    from geniml import _core
    from geniml.universe.coverage import Coverage

    return Coverage(_core.coverage_of_batch([Path(p) for p in paths], sizes, smooth=smooth))


def _add(a: Coverage, b: Coverage) -> Coverage:
    return a + b


def compute_coverage(
    beds: str | os.PathLike | Sequence[str | os.PathLike],
    chrom_sizes: dict[str, int] | str | os.PathLike,
    *,
    client: Client,
    smooth: int = 25,
    batch_bytes: int | None = None,
    progress: bool | None = None,
) -> Coverage:
    """Coverage tracks of a BED collection computed on a Dask cluster.

    Batches of files (``batch_bytes`` of input each, default
    :data:`geniml.universe.coverage.DEFAULT_BATCH_BYTES`) become one task each; their tracks
    are added pairwise on the workers, so only the final tracks travel to the client. Equal
    to :func:`geniml.universe.coverage.compute_coverage` of the same files.
    """
    from geniml.universe.coverage import (
        DEFAULT_BATCH_BYTES,
        _bed_paths,
        _sizes_list,
        _smooth,
        file_batches,
    )

    _check_client(client)
    paths = _bed_paths(beds)
    if paths is None:
        raise GenimlValueError("geniml.distributed takes BED paths or a folder, not RegionSets")
    sizes = _sizes_list(chrom_sizes)
    batches = file_batches(paths, batch_bytes or DEFAULT_BATCH_BYTES)
    smooth = _smooth(smooth)
    parts = client.map(
        _coverage_batch, [[str(p) for p in b] for b in batches], sizes=sizes, smooth=smooth
    )
    _wait(client, parts, "coverage", progress=progress)
    while len(parts) > 1:
        pairs = [client.submit(_add, parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
        parts = pairs + ([parts[-1]] if len(parts) % 2 else [])
    cov = parts[0].result()
    if cov.is_empty():
        raise UniverseError("the BED collection is empty: no region to compute coverage from")
    return cov


def coverage_tracks(
    beds: str | os.PathLike | Sequence[str | os.PathLike],
    chrom_sizes: dict[str, int] | str | os.PathLike,
    out_dir: str | os.PathLike,
    *,
    client: Client,
    smooth: int = 25,
    prefix: str = "all",
    format: str = "bigwig",
    force: bool = False,
    batch_bytes: int | None = None,
    progress: bool | None = None,
) -> list[Path]:
    """Write the start / core / end tracks of :func:`compute_coverage` (on the client)."""
    cov = compute_coverage(
        beds, chrom_sizes, client=client, smooth=smooth, batch_bytes=batch_bytes,
        progress=progress,
    )  # fmt: skip
    return cov.write(out_dir, prefix=prefix, format=format, force=force)  # type: ignore[arg-type]


# -- token stores -----------------------------------------------------------------------------


def _store_runner(client: Client, *, progress: bool | None):
    from geniml.tokenization.store import compute_part

    def run(plan: StorePlan, todo: list[int], part: Path) -> None:
        futures = client.map(compute_part, [plan] * len(todo), todo, [part] * len(todo))
        _wait(client, futures, f"tokenize {plan.kind}", progress=progress)

    return run


def tokenize_collection(
    beds: str | os.PathLike | Sequence[str | os.PathLike],
    universe: str | os.PathLike,
    output: str | os.PathLike,
    *,
    client: Client,
    files_per_part: int = 1000,
    fraction: float = 1e-9,
    force: bool = False,
    resume: bool = True,
    progress: bool | None = None,
) -> TokenStore:
    """:func:`geniml.tokenization.store.tokenize_collection` with one task per part."""
    from geniml.tokenization.store import _run_plan, plan_collection

    _check_client(client)
    plan = plan_collection(beds, universe, files_per_part=files_per_part, fraction=fraction)
    return _run_plan(
        plan, Path(output), force=force, resume=resume, progress=progress,
        runner=_store_runner(client, progress=progress),
    )  # fmt: skip


def tokenize_cells(
    adata: str | os.PathLike,
    universe: str | os.PathLike,
    output: str | os.PathLike,
    *,
    client: Client,
    chunk_size: int = 10_000,
    fraction: float = 1e-9,
    force: bool = False,
    resume: bool = True,
    progress: bool | None = None,
) -> TokenStore:
    """:func:`geniml.tokenization.store.tokenize_cells_to_store` with one task per chunk."""
    from geniml.tokenization.store import _run_plan, plan_cells

    _check_client(client)
    plan = plan_cells(adata, universe, chunk_size=chunk_size, fraction=fraction)
    return _run_plan(
        plan, Path(output), force=force, resume=resume, progress=progress,
        runner=_store_runner(client, progress=progress),
    )  # fmt: skip


# -- assessment and embeddings ----------------------------------------------------------------


def _assess_batch(universe: str, paths: list[str]) -> pl.DataFrame:
    from geniml.universe.assess import assess as assess_local

    return assess_local(universe, [Path(p) for p in paths], n_threads=None)


def _chunks(items: list, size: int) -> list[list]:
    if size < 1:
        raise GenimlValueError(f"the batch size must be >= 1, got {size}")
    return [items[i : i + size] for i in range(0, len(items), size)]


def _paths(beds: str | os.PathLike | Sequence[str | os.PathLike]) -> list[str]:
    from geniml.universe.coverage import _bed_paths

    paths = _bed_paths(beds)
    if paths is None:
        raise GenimlValueError("geniml.distributed takes BED paths or a folder, not RegionSets")
    return [str(Path(p).resolve()) for p in paths]


def assess(
    universe: str | os.PathLike,
    beds: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    client: Client,
    files_per_task: int = 500,
    progress: bool | None = None,
) -> pl.DataFrame:
    """:func:`geniml.universe.assess.assess` of a collection, one task per batch of files."""
    import polars as pl

    _check_client(client)
    upath = str(Path(universe).resolve())
    if not Path(upath).is_file():
        raise FileNotFoundError(f"universe file not found: {universe}")
    batches = _chunks(_paths(beds), files_per_task)
    futures = client.map(_assess_batch, [upath] * len(batches), batches)
    return pl.concat(_wait(client, futures, "assess", progress=progress))


_MODELS: dict[tuple[str, str], Any] = {}


def _cached_model(kind: str, path: str) -> Any:
    key = (kind, path)
    model = _MODELS.get(key)
    if model is None:
        if kind == "region2vec":
            from geniml.region2vec import Region2VecExModel

            model = Region2VecExModel.from_pretrained(path)
        else:
            from geniml.scembed import ScEmbed

            model = ScEmbed.from_pretrained(path)
        _MODELS.clear()
        _MODELS[key] = model
    return model


def _embed_batch(model_path: str, paths: list[str], pooling: str | None) -> np.ndarray:
    model = _cached_model("region2vec", model_path)
    return model.encode([Path(p) for p in paths], pooling=pooling)


def embed_region_sets(
    model: str | os.PathLike,
    beds: str | os.PathLike | Sequence[str | os.PathLike],
    *,
    client: Client,
    files_per_task: int = 256,
    pooling: str | None = None,
    progress: bool | None = None,
) -> np.ndarray:
    """One Region2Vec vector per BED file (rows in input order), batches of files per task.

    Args:
        model: a Region2Vec model folder (each worker loads it once).
        beds: a folder of BED files or a list of paths.
        client: the Dask client.
        files_per_task: files per task.
        pooling: ``"mean"`` or ``"max"`` (default: the model's).
        progress: progress bar over tasks.
    """
    _check_client(client)
    mpath = str(Path(model).resolve())
    if not Path(mpath).is_dir():
        raise FileNotFoundError(f"model folder not found: {model}")
    batches = _chunks(_paths(beds), files_per_task)
    futures = client.map(_embed_batch, [mpath] * len(batches), batches, [pooling] * len(batches))
    return np.concatenate(_wait(client, futures, "embed", progress=progress))


def _encode_block(model_path: str, h5ad: str, start: int, stop: int) -> np.ndarray:
    from geniml.tokenization.store import _cells_rows

    model = _cached_model("scembed", model_path)
    return model.encode_tokens(_cells_rows(h5ad, start, stop, model.tokenizer, 1e-9))


def encode_cells(
    adata: str | os.PathLike,
    model: str | os.PathLike,
    *,
    client: Client,
    chunk_size: int = 20_000,
    output: str | os.PathLike | None = None,
    force: bool = False,
    progress: bool | None = None,
) -> np.ndarray:
    """Embeddings (scEmbed) of the cells of an ``.h5ad``, one task per block of cells.

    Returns the cells x dim float32 matrix; with ``output`` (``.npy``) it is also written
    atomically (memory-mapped on the client, block by block).
    """
    from geniml._blocks import write_npy_blocks
    from geniml.tokenization.store import _n_obs

    _check_client(client)
    h5ad = str(Path(adata).resolve())
    mpath = str(Path(model).resolve())
    n = _n_obs(h5ad)
    blocks = [(i, min(i + chunk_size, n)) for i in range(0, n, max(chunk_size, 1))]
    if chunk_size < 1:
        raise GenimlValueError(f"`chunk_size` must be >= 1, got {chunk_size}")
    futures = [client.submit(_encode_block, mpath, h5ad, a, b) for a, b in blocks]
    parts = _wait(client, futures, "encode", progress=progress)
    if output is not None:
        return write_npy_blocks(output, iter(parts), n, force=force)
    return np.concatenate(parts) if parts else np.zeros((0, 0), np.float32)
