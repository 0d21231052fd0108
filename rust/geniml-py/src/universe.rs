//! Bindings of `geniml_core::universe`: coverage in, universe columns out.

use geniml_core::universe::{self as core_uni, CcOptions, CcfOptions};
use pyo3::prelude::*;

use crate::coverage::PyCoverage;
use crate::gil::{NThreads, run_pool};
use crate::regions::{RegionsOut, regions_to_py};

/// Coverage cut-off universe (BED3).
#[pyfunction]
#[pyo3(signature = (coverage, *, cutoff=None, merge=0, min_size=0, n_threads=None))]
pub(crate) fn cc_universe<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    cutoff: Option<f64>,
    merge: u32,
    min_size: u32,
    n_threads: Option<NThreads>,
) -> PyResult<RegionsOut<'py>> {
    let cov = &coverage.inner;
    let opts = CcOptions {
        cutoff,
        merge,
        min_size,
    };
    let u = run_pool(py, n_threads, || core_uni::cc_universe(cov, &opts))?;
    Ok(regions_to_py(py, u))
}

/// Coverage cut-off flexible universe (BED9).
#[pyfunction]
#[pyo3(signature = (coverage, *, cutoff=None, confidence=0.8, merge=0, min_size=0, n_threads=None))]
pub(crate) fn ccf_universe<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    cutoff: Option<f64>,
    confidence: f64,
    merge: u32,
    min_size: u32,
    n_threads: Option<NThreads>,
) -> PyResult<RegionsOut<'py>> {
    let cov = &coverage.inner;
    let opts = CcfOptions {
        cutoff,
        confidence,
        merge,
        min_size,
    };
    let u = run_pool(py, n_threads, || core_uni::ccf_universe(cov, &opts))?;
    Ok(regions_to_py(py, u))
}
