//! Bindings of `geniml_core::io`.

use std::collections::HashMap;
use std::path::PathBuf;

use geniml_core::RegionSet;
use geniml_core::io::{self as core_io, OnError, ReadOptions, ReadReport};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::gil::{NThreads, run_detached, run_pool};
use crate::regions::{ExtraArg, RegionsArg, RegionsOut, regions_to_py};

/// `on_error` as the core knows it.
pub(crate) struct OnErrorArg(OnError);

impl<'py> FromPyObject<'_, 'py> for OnErrorArg {
    type Error = PyErr;
    fn extract(ob: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let s: String = ob.extract()?;
        match s.as_str() {
            "raise" => Ok(Self(OnError::Raise)),
            "skip" | "warn" => Ok(Self(OnError::Skip)),
            _ => Err(PyValueError::new_err(format!(
                "`on_error` must be one of {{'raise','skip','warn'}}, got '{s}'"
            ))),
        }
    }
}

/// A parsed file as Python sees it: the regions and `(n_lines, n_skipped, issues)`.
type Parsed<'py> = (RegionsOut<'py>, (u64, u64, Vec<(u64, String)>));

fn parsed_to_py(py: Python<'_>, r: RegionSet, rep: ReadReport) -> Parsed<'_> {
    let issues = rep.issues.into_iter().map(|i| (i.line, i.msg)).collect();
    (regions_to_py(py, r), (rep.n_lines, rep.n_skipped, issues))
}

fn options(
    on_error: OnErrorArg,
    chrom_sizes: Option<HashMap<String, u64>>,
    keep_extra: bool,
    allow_empty: bool,
) -> ReadOptions {
    ReadOptions {
        on_error: on_error.0,
        chrom_sizes,
        keep_extra,
        allow_empty,
    }
}

/// Read one BED-like file.
#[pyfunction]
#[pyo3(signature = (path, *, on_error, chrom_sizes=None, keep_extra=true, allow_empty=false))]
pub(crate) fn read_bed(
    py: Python<'_>,
    path: PathBuf,
    on_error: OnErrorArg,
    chrom_sizes: Option<HashMap<String, u64>>,
    keep_extra: bool,
    allow_empty: bool,
) -> PyResult<Parsed<'_>> {
    let opts = options(on_error, chrom_sizes, keep_extra, allow_empty);
    let (r, rep) = run_detached(py, || core_io::read_bed(&path, &opts))?;
    Ok(parsed_to_py(py, r, rep))
}

/// Read many files in parallel, in the order given.
#[pyfunction]
#[pyo3(signature = (paths, *, on_error, chrom_sizes=None, keep_extra=true, allow_empty=false, n_threads=None))]
pub(crate) fn read_many(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    on_error: OnErrorArg,
    chrom_sizes: Option<HashMap<String, u64>>,
    keep_extra: bool,
    allow_empty: bool,
    n_threads: Option<NThreads>,
) -> PyResult<Vec<Parsed<'_>>> {
    let opts = options(on_error, chrom_sizes, keep_extra, allow_empty);
    let results = run_pool(py, n_threads, || {
        core_io::read_many(&paths, &opts)
            .into_iter()
            .collect::<Result<Vec<_>, _>>()
    })?;
    Ok(results
        .into_iter()
        .map(|(r, rep)| parsed_to_py(py, r, rep))
        .collect())
}

/// Read a chrom sizes table.
#[pyfunction]
pub(crate) fn read_chrom_sizes(py: Python<'_>, path: PathBuf) -> PyResult<Vec<(String, u64)>> {
    run_detached(py, || core_io::read_chrom_sizes(&path))
}

/// Write regions (and extra text) as BED, atomically.
#[pyfunction]
#[pyo3(signature = (regions, extra, path, *, gzip, force))]
pub(crate) fn write_bed<'py>(
    py: Python<'py>,
    regions: RegionsArg<'py>,
    extra: Option<ExtraArg<'py>>,
    path: PathBuf,
    gzip: bool,
    force: bool,
) -> PyResult<()> {
    let v = regions.view()?;
    let x = extra.map(|x| x.get()).transpose()?;
    run_detached(py, || {
        core_io::write_bed(&v, x.as_ref(), &path, gzip, force)
    })
}
