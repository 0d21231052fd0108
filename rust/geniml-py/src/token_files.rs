//! Bindings of `geniml_core::token_files`: the text outputs of file-level tokenization.

use std::path::PathBuf;

use geniml_core::token_files as core_tf;
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::gil::run_detached;
use crate::regions::RegionsArg;

/// Write `chrom start end weight` lines of `universe[ids[k]]` (weights as `%.6g`).
#[pyfunction]
#[pyo3(signature = (universe, ids, weights, path, *, force))]
pub(crate) fn write_weighted_regions(
    py: Python<'_>,
    universe: RegionsArg<'_>,
    ids: PyReadonlyArray1<'_, u32>,
    weights: PyReadonlyArray1<'_, f32>,
    path: PathBuf,
    force: bool,
) -> PyResult<()> {
    let view = universe.view()?;
    let (ids, weights) = (ids.as_slice()?, weights.as_slice()?);
    run_detached(py, || {
        core_tf::write_weighted_regions(&path, &view, ids, weights, force)
    })
}

/// Write one `chrom start end tokens` line per query region (tokens from CSR arrays).
#[pyfunction]
#[pyo3(signature = (queries, offsets, ids, weights, path, *, unk, force))]
pub(crate) fn write_token_lines(
    py: Python<'_>,
    queries: RegionsArg<'_>,
    offsets: PyReadonlyArray1<'_, u64>,
    ids: PyReadonlyArray1<'_, u32>,
    weights: Option<PyReadonlyArray1<'_, f32>>,
    path: PathBuf,
    unk: u32,
    force: bool,
) -> PyResult<()> {
    let view = queries.view()?;
    let (offsets, ids) = (offsets.as_slice()?, ids.as_slice()?);
    let weights = weights
        .as_ref()
        .map(PyReadonlyArray1::as_slice)
        .transpose()?;
    run_detached(py, || {
        core_tf::write_token_lines(&path, &view, offsets, ids, weights, unk, force)
    })
}
