//! Bindings of `geniml_core::assess`.

use geniml_core::assess::{self as core_assess, FileAssessment};
use pyo3::prelude::*;

use crate::gil::{NThreads, run_pool};
use crate::regions::{RegionsArg, ThickArg, universe_ref};

type Row = (
    u64,
    u64,
    u64,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    Option<f64>,
    u64,
    u64,
);

fn row(a: FileAssessment) -> Row {
    (
        a.only_universe,
        a.only_file,
        a.both,
        a.median_file_to_universe,
        a.median_universe_to_file,
        a.median_file_to_universe_flex,
        a.median_universe_to_file_flex,
        a.n_regions,
        a.n_overlapping,
    )
}

/// Assess a universe against region sets; one row per set.
#[pyfunction]
#[pyo3(signature = (universe, thick, files, n_threads=None))]
pub(crate) fn assess_universe<'py>(
    py: Python<'py>,
    universe: RegionsArg<'py>,
    thick: Option<ThickArg<'py>>,
    files: Vec<RegionsArg<'py>>,
    n_threads: Option<NThreads>,
) -> PyResult<Vec<Row>> {
    let u = universe_ref(&universe, thick.as_ref())?;
    let views = files
        .iter()
        .map(RegionsArg::view)
        .collect::<PyResult<Vec<_>>>()?;
    let rows = run_pool(py, n_threads, || Ok(core_assess::assess(&u, &views)))?;
    Ok(rows.into_iter().map(row).collect())
}
