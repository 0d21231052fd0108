//! Bindings of `geniml_core::likelihood`: likelihood model, ML universe, universe likelihood.

use geniml_core::likelihood::{self as core_lh, ChromModel};
use geniml_core::universe::FlexPost;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::coverage::{PyCoverage, TrackArg};
use crate::gil::{NThreads, run_pool};
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
    let (model, clipped) = run_pool(py, None, || core_lh::build_model(cov, n_files))?;
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
        core_lh::universe_likelihood_detail(cov, &model, &u)
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
    let out = run_pool(py, None, || Ok(core_lh::region_max(cov, track.0, &view)))?;
    Ok(out.into_pyarray(py))
}

/// Maximum-likelihood flexible universe from a likelihood model.
#[pyfunction]
#[pyo3(signature = (coverage, model, *, merge=0, min_size=0, n_threads=None))]
pub(crate) fn ml_universe<'py>(
    py: Python<'py>,
    coverage: &PyCoverage,
    model: Vec<ModelIn<'py>>,
    merge: u32,
    min_size: u32,
    n_threads: Option<NThreads>,
) -> PyResult<RegionsOut<'py>> {
    let model = to_model(model)?;
    let cov = &coverage.inner;
    let post = FlexPost { merge, min_size };
    let u = run_pool(py, n_threads, || core_lh::ml_universe(cov, &model, &post))?;
    Ok(regions_to_py(py, u))
}
