//! Bindings of `geniml_core::hmm`: likelihood model, ML and HMM universes.

use geniml_core::hmm::{self as core_hmm, ChromModel, HmmParams};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::coverage::{PyCoverage, TrackArg};
use crate::gil::run_pool;
use crate::regions::{RegionsArg, RegionsOut, ThickArg, regions_to_py, universe_ref};

type ModelOut<'py> = (
    String,
    u32,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray1<f64>>,
);
type ModelIn<'py> = (
    String,
    u32,
    PyReadonlyArray1<'py, f64>,
    PyReadonlyArray1<'py, f64>,
    PyReadonlyArray1<'py, f64>,
);

/// Binomial likelihood tables per chromosome (flattened `(n, 2)`), and the clipped count.
#[pyfunction]
pub(crate) fn build_lh_model<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    n_files: u32,
) -> PyResult<(Vec<ModelOut<'py>>, u64)> {
    let cov = &coverage.inner;
    let (model, clipped) = run_pool(py, None, || core_hmm::build_model(cov, n_files))?;
    let out = model
        .into_iter()
        .map(|m| {
            let [s, c, e] = m.tables;
            (
                m.name,
                m.size,
                s.into_pyarray(py),
                c.into_pyarray(py),
                e.into_pyarray(py),
            )
        })
        .collect();
    Ok((out, clipped))
}

fn to_model(model: Vec<ModelIn<'_>>) -> PyResult<Vec<ChromModel>> {
    model
        .into_iter()
        .map(|(name, size, s, c, e)| {
            Ok(ChromModel {
                name,
                size,
                tables: [
                    s.as_slice()?.to_vec(),
                    c.as_slice()?.to_vec(),
                    e.as_slice()?.to_vec(),
                ],
            })
        })
        .collect()
}

/// Log10 likelihood of a universe (hard, or flexible when `thick` is given) and per-region
/// contributions.
#[pyfunction]
pub(crate) fn universe_likelihood<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    model: Vec<ModelIn<'py>>,
    universe: RegionsArg<'py>,
    thick: Option<ThickArg<'py>>,
) -> PyResult<(f64, Bound<'py, PyArray1<f64>>)> {
    let model = to_model(model)?;
    let u = universe_ref(&universe, thick.as_ref())?;
    let cov = &coverage.inner;
    let (total, per) = run_pool(py, None, || {
        core_hmm::universe_likelihood_detail(cov, &model, &u)
    })?;
    Ok((total, per.into_pyarray(py)))
}

/// Largest coverage of a track inside each region.
#[pyfunction]
pub(crate) fn region_max_coverage<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    regions: RegionsArg<'py>,
    track: TrackArg,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let view = regions.view()?;
    let cov = &coverage.inner;
    let out = run_pool(py, None, || Ok(core_hmm::region_max(cov, track.0, &view)))?;
    Ok(out.into_pyarray(py))
}

/// Maximum-likelihood flexible universe from a likelihood model.
#[pyfunction]
#[pyo3(signature = (coverage, model, n_threads=None))]
pub(crate) fn ml_universe<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    model: Vec<ModelIn<'py>>,
    n_threads: Option<usize>,
) -> PyResult<RegionsOut<'py>> {
    let model = to_model(model)?;
    let cov = &coverage.inner;
    let u = run_pool(py, n_threads, || core_hmm::ml_universe(cov, &model))?;
    Ok(regions_to_py(py, u))
}

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
#[pyo3(signature = (coverage, transmat, lambdas, startprob, *, normalize, states, n_threads=None))]
pub(crate) fn hmm_universe<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    transmat: [[f64; 4]; 4],
    lambdas: [[f64; 3]; 4],
    startprob: [f64; 4],
    normalize: bool,
    states: u8,
    n_threads: Option<usize>,
) -> PyResult<RegionsOut<'py>> {
    let params = HmmParams {
        transmat,
        lambdas,
        startprob,
        normalize,
    };
    let cov = &coverage.inner;
    let u = run_pool(py, n_threads, || {
        core_hmm::hmm_universe(cov, &params, states)
    })?;
    Ok(regions_to_py(py, u))
}
