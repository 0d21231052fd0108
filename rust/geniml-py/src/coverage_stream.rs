//! Bindings of `geniml_core::coverage_stream`: batch coverage, sums and byte round trips.

use std::path::PathBuf;

use geniml_core::coverage_stream as core_cs;
use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::coverage::PyCoverage;
use crate::gil::{NThreads, run_detached, run_pool};

/// Tracks of one batch of BED files (all-zero tracks when the batch holds no region).
#[pyfunction]
#[pyo3(signature = (paths, chrom_sizes, *, smooth, n_threads=None))]
pub(crate) fn coverage_of_batch(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    chrom_sizes: Vec<(String, u64)>,
    smooth: u32,
    n_threads: Option<NThreads>,
) -> PyResult<PyCoverage> {
    let cov = run_pool(py, n_threads, || {
        core_cs::coverage_of_batch(&paths, &chrom_sizes, smooth)
    })?;
    Ok(cov.into())
}

/// Run-wise sum of two coverages of the same genome.
#[pyfunction]
pub(crate) fn coverage_add(
    py: Python<'_>,
    a: PyRef<'_, PyCoverage>,
    b: PyRef<'_, PyCoverage>,
) -> PyResult<PyCoverage> {
    let (a, b) = (a.inner.clone(), b.inner.clone());
    let cov = run_detached(py, || core_cs::add_coverage(&a, &b))?;
    Ok(cov.into())
}

/// True when every track is zero everywhere.
#[pyfunction]
pub(crate) fn coverage_is_empty(cov: PyRef<'_, PyCoverage>) -> bool {
    core_cs::is_empty(&cov.inner)
}

/// The tracks as bytes (for pickling).
#[pyfunction]
pub(crate) fn coverage_to_bytes<'py>(
    py: Python<'py>,
    cov: PyRef<'_, PyCoverage>,
) -> Bound<'py, PyBytes> {
    PyBytes::new(py, &core_cs::coverage_to_bytes(&cov.inner))
}

/// Tracks from [`coverage_to_bytes`] (every count checked).
#[pyfunction]
pub(crate) fn coverage_from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyCoverage> {
    let cov = run_detached(py, || core_cs::coverage_from_bytes(data))?;
    Ok(cov.into())
}
