//! Bindings of `geniml_core::hmm`: the Poisson-HMM universe and its fitting sample.

use geniml_core::hmm::{self as core_hmm, HmmParams};
use geniml_core::universe::FlexPost;
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;

use crate::coverage::PyCoverage;
use crate::gil::{NThreads, run_pool};
use crate::regions::{RegionsOut, regions_to_py};

/// Dense observations of a sample of HMM windows (for hmmlearn fitting): `(n*3 values, lengths)`.
#[pyfunction]
#[pyo3(signature = (coverage, *, normalize, states, max_bases))]
pub(crate) fn hmm_sample<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    normalize: bool,
    states: u8,
    max_bases: u64,
) -> PyResult<(Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<u64>>)> {
    let cov = &coverage.inner;
    let (v, l) = run_pool(py, None, || {
        core_hmm::hmm_sample(cov, normalize, states, max_bases)
    })?;
    Ok((v.into_pyarray(py), l.into_pyarray(py)))
}

/// Poisson-HMM flexible universe (Viterbi in Rust).
#[pyfunction]
#[pyo3(signature = (
    coverage, transmat, lambdas, startprob, *, normalize, states, merge=0, min_size=0, n_threads=None
))]
pub(crate) fn hmm_universe<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    transmat: [[f64; 4]; 4],
    lambdas: [[f64; 3]; 4],
    startprob: [f64; 4],
    normalize: bool,
    states: u8,
    merge: u32,
    min_size: u32,
    n_threads: Option<NThreads>,
) -> PyResult<RegionsOut<'py>> {
    let params = HmmParams {
        transmat,
        lambdas,
        startprob,
        normalize,
    };
    let cov = &coverage.inner;
    let u = run_pool(py, n_threads, || {
        core_hmm::hmm_universe(cov, &params, states, &FlexPost { merge, min_size })
    })?;
    Ok(regions_to_py(py, u))
}
