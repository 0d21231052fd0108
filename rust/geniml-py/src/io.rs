//! Bindings of `geniml_core::io`.

use std::collections::HashMap;
use std::path::PathBuf;

use geniml_core::RegionSet;
use geniml_core::io::{self as core_io, OnError, ReadOptions, ReadReport};
use geniml_core::regions::Extra;
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::error::to_py;
use crate::gil::run_detached;
use crate::regions::Cols;

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

/// A parsed file as Python sees it: names, three u32 columns, extra text, report.
type Parsed<'py> = (
    Vec<String>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Option<(Bound<'py, PyArray1<u8>>, Bound<'py, PyArray1<u64>>)>,
    (u64, u64, Vec<(u64, String)>),
);

fn parsed_to_py(py: Python<'_>, r: RegionSet, rep: ReadReport) -> Parsed<'_> {
    let extra = r
        .extra
        .map(|x| (x.buf.into_pyarray(py), x.offsets.into_pyarray(py)));
    (
        r.names,
        r.chroms.into_pyarray(py),
        r.starts.into_pyarray(py),
        r.ends.into_pyarray(py),
        extra,
        (
            rep.n_lines,
            rep.n_skipped,
            rep.issues.into_iter().map(|i| (i.line, i.msg)).collect(),
        ),
    )
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
#[pyo3(signature = (path, on_error, chrom_sizes=None, keep_extra=true, allow_empty=false))]
pub(crate) fn read_bed(
    py: Python<'_>,
    path: PathBuf,
    on_error: OnErrorArg,
    chrom_sizes: Option<HashMap<String, u64>>,
    keep_extra: bool,
    allow_empty: bool,
) -> PyResult<Parsed<'_>> {
    let opts = options(on_error, chrom_sizes, keep_extra, allow_empty);
    let (r, rep) = run_detached(py, || {
        geniml_core::threads::pool().install(|| core_io::read_bed(&path, &opts))
    })?;
    Ok(parsed_to_py(py, r, rep))
}

/// Read many files in parallel, in the order given.
#[pyfunction]
#[pyo3(signature = (paths, on_error, chrom_sizes=None, keep_extra=true, allow_empty=false, n_threads=None))]
pub(crate) fn read_many(
    py: Python<'_>,
    paths: Vec<PathBuf>,
    on_error: OnErrorArg,
    chrom_sizes: Option<HashMap<String, u64>>,
    keep_extra: bool,
    allow_empty: bool,
    n_threads: Option<usize>,
) -> PyResult<Vec<Parsed<'_>>> {
    let opts = options(on_error, chrom_sizes, keep_extra, allow_empty);
    let results = run_detached(py, || {
        geniml_core::threads::install(n_threads, || {
            core_io::read_many(&paths, &opts)
                .into_iter()
                .collect::<Result<Vec<_>, _>>()
        })
    })?;
    Ok(results
        .into_iter()
        .map(|(r, rep)| parsed_to_py(py, r, rep))
        .collect())
}

/// The file line of each data row (blank and header lines skipped, as `read_bed` does).
#[pyfunction]
pub(crate) fn data_line_numbers(
    py: Python<'_>,
    path: PathBuf,
    rows: Vec<u64>,
) -> PyResult<Vec<u64>> {
    run_detached(py, || core_io::data_line_numbers(&path, &rows))
}

/// Read a chrom sizes table.
#[pyfunction]
pub(crate) fn read_chrom_sizes(py: Python<'_>, path: PathBuf) -> PyResult<Vec<(String, u64)>> {
    run_detached(py, || core_io::read_chrom_sizes(&path))
}

/// Write regions (and extra text) as BED, atomically.
#[pyfunction]
#[pyo3(signature = (names, chroms, starts, ends, extra, path, gzip, force))]
pub(crate) fn write_bed<'py>(
    py: Python<'py>,
    names: Vec<String>,
    chroms: PyReadonlyArray1<'py, u32>,
    starts: PyReadonlyArray1<'py, u32>,
    ends: PyReadonlyArray1<'py, u32>,
    extra: Option<(PyReadonlyArray1<'py, u8>, PyReadonlyArray1<'py, u64>)>,
    path: PathBuf,
    gzip: bool,
    force: bool,
) -> PyResult<()> {
    let cols = Cols::new(chroms, starts, ends);
    let v = cols.view(&names)?;
    let x = match &extra {
        Some((b, o)) => Some(to_py(Extra::from_parts(b.as_slice()?, o.as_slice()?))?),
        None => None,
    };
    run_detached(py, || {
        core_io::write_bed(&v, x.as_ref(), &path, gzip, force)
    })
}
