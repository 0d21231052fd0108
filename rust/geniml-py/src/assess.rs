//! Bindings of `geniml_core::assess`.

use geniml_core::assess::{self as core_assess, FileAssessment, UniverseRef};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;

use crate::coverage::run_pool;
use crate::error::to_py;
use crate::regions::Cols;

type RegionCols<'py> = (
    Vec<String>,
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, u32>,
);

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
    universe: RegionCols<'py>,
    thick: Option<(PyReadonlyArray1<'py, u32>, PyReadonlyArray1<'py, u32>)>,
    files: Vec<RegionCols<'py>>,
    n_threads: Option<usize>,
) -> PyResult<Vec<Row>> {
    let (un, uc, us, ue) = universe;
    let ucols = Cols::new(uc, us, ue);
    let uview = ucols.view(&un)?;
    let thick = match &thick {
        Some((a, b)) => {
            let (a, b) = (a.as_slice()?, b.as_slice()?);
            if a.len() != uview.len() || b.len() != uview.len() {
                return to_py(Err(geniml_core::GenimlError::InvalidInput(
                    "thickStart/thickEnd columns differ in length from the universe".into(),
                )));
            }
            Some((a, b))
        }
        None => None,
    };
    let fcols: Vec<(Vec<String>, Cols<'_>)> = files
        .into_iter()
        .map(|(n, c, s, e)| (n, Cols::new(c, s, e)))
        .collect();
    let views = fcols
        .iter()
        .map(|(n, c)| c.view(n))
        .collect::<PyResult<Vec<_>>>()?;
    let u = UniverseRef {
        regions: uview,
        thick,
    };
    let rows = run_pool(py, n_threads, || Ok(core_assess::assess(&u, &views)))?;
    Ok(rows.into_iter().map(row).collect())
}
