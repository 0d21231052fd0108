//! Bindings of `geniml_core::universe`: coverage in, universe columns out.

use geniml_core::RegionSet;
use geniml_core::universe::{self as core_uni, CcOptions, CcfOptions};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

use crate::coverage::PyCoverage;
use crate::coverage::run_pool;

/// A universe as Python sees it: names, three u32 columns, optional BED9 extra text.
pub(crate) type UniverseCols<'py> = (
    Vec<String>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Option<(Bound<'py, PyArray1<u8>>, Bound<'py, PyArray1<u64>>)>,
);

/// Move a core region set into numpy columns.
pub(crate) fn universe_to_py(py: Python<'_>, r: RegionSet) -> UniverseCols<'_> {
    let extra = r
        .extra
        .map(|x| (x.buf.into_pyarray(py), x.offsets.into_pyarray(py)));
    (
        r.names,
        r.chroms.into_pyarray(py),
        r.starts.into_pyarray(py),
        r.ends.into_pyarray(py),
        extra,
    )
}

/// Coverage cut-off universe (BED3).
#[pyfunction]
#[pyo3(signature = (coverage, cutoff=None, merge=0, min_size=0, n_threads=None))]
pub(crate) fn cc_universe<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    cutoff: Option<f64>,
    merge: u32,
    min_size: u32,
    n_threads: Option<usize>,
) -> PyResult<UniverseCols<'py>> {
    let cov = &coverage.inner;
    let opts = CcOptions {
        cutoff,
        merge,
        min_size,
    };
    let u = run_pool(py, n_threads, || core_uni::cc_universe(cov, &opts))?;
    Ok(universe_to_py(py, u))
}

/// Coverage cut-off flexible universe (BED9).
#[pyfunction]
#[pyo3(signature = (coverage, cutoff=None, confidence=0.8, merge=0, min_size=0, n_threads=None))]
pub(crate) fn ccf_universe<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    cutoff: Option<f64>,
    confidence: f64,
    merge: u32,
    min_size: u32,
    n_threads: Option<usize>,
) -> PyResult<UniverseCols<'py>> {
    let cov = &coverage.inner;
    let opts = CcfOptions {
        cutoff,
        confidence,
        merge,
        min_size,
    };
    let u = run_pool(py, n_threads, || core_uni::ccf_universe(cov, &opts))?;
    Ok(universe_to_py(py, u))
}
