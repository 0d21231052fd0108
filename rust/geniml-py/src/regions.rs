//! Bindings of `geniml_core::regions`: columns in, columns out.

use geniml_core::RegionSet;
use geniml_core::regions::{Extra, RegionsRef, bedset_identifier as core_bedset_identifier};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::error::to_py;
use crate::gil::run_detached;

pub(crate) type Columns<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
);

/// Hand an owned region set's columns to numpy without copying.
pub(crate) fn columns_to_py(py: Python<'_>, r: RegionSet) -> Columns<'_> {
    (
        r.chroms.into_pyarray(py),
        r.starts.into_pyarray(py),
        r.ends.into_pyarray(py),
    )
}

/// Borrowed columns from numpy arrays.
pub(crate) struct Cols<'py> {
    c: PyReadonlyArray1<'py, u32>,
    s: PyReadonlyArray1<'py, u32>,
    e: PyReadonlyArray1<'py, u32>,
}

impl<'py> Cols<'py> {
    pub(crate) fn new(
        c: PyReadonlyArray1<'py, u32>,
        s: PyReadonlyArray1<'py, u32>,
        e: PyReadonlyArray1<'py, u32>,
    ) -> Self {
        Self { c, s, e }
    }

    /// A checked view over the columns.
    pub(crate) fn view<'a>(&'a self, names: &'a [String]) -> PyResult<RegionsRef<'a>> {
        to_py(RegionsRef::new(
            names,
            self.c.as_slice()?,
            self.s.as_slice()?,
            self.e.as_slice()?,
        ))
    }
}

/// Permutation sorting regions by (natural chromosome order, start, end).
#[pyfunction]
pub(crate) fn sort_order<'py>(
    py: Python<'py>,
    names: Vec<String>,
    chroms: PyReadonlyArray1<'py, u32>,
    starts: PyReadonlyArray1<'py, u32>,
    ends: PyReadonlyArray1<'py, u32>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let cols = Cols::new(chroms, starts, ends);
    let v = cols.view(&names)?;
    let order = run_detached(py, || Ok(v.sort_order()))?;
    Ok(order.into_pyarray(py))
}

/// True when regions are sorted in natural order.
#[pyfunction]
pub(crate) fn is_sorted<'py>(
    names: Vec<String>,
    chroms: PyReadonlyArray1<'py, u32>,
    starts: PyReadonlyArray1<'py, u32>,
    ends: PyReadonlyArray1<'py, u32>,
) -> PyResult<bool> {
    let cols = Cols::new(chroms, starts, ends);
    Ok(cols.view(&names)?.is_sorted())
}

/// Merge regions closer than `distance` (bedtools-merge semantics); sorted output.
#[pyfunction]
pub(crate) fn merge<'py>(
    py: Python<'py>,
    names: Vec<String>,
    chroms: PyReadonlyArray1<'py, u32>,
    starts: PyReadonlyArray1<'py, u32>,
    ends: PyReadonlyArray1<'py, u32>,
    distance: u32,
) -> PyResult<Columns<'py>> {
    let cols = Cols::new(chroms, starts, ends);
    let v = cols.view(&names)?;
    let m = run_detached(py, || Ok(v.merge(distance)))?;
    Ok(columns_to_py(py, m))
}

/// Sorted regions without exact duplicates; returns the kept row indices.
#[pyfunction]
pub(crate) fn dedup_order<'py>(
    py: Python<'py>,
    names: Vec<String>,
    chroms: PyReadonlyArray1<'py, u32>,
    starts: PyReadonlyArray1<'py, u32>,
    ends: PyReadonlyArray1<'py, u32>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let cols = Cols::new(chroms, starts, ends);
    let v = cols.view(&names)?;
    let keep = run_detached(py, || Ok(v.dedup_order()))?;
    Ok(keep.into_pyarray(py))
}

/// BEDbase identifier of a region set.
#[pyfunction]
pub(crate) fn identifier<'py>(
    py: Python<'py>,
    names: Vec<String>,
    chroms: PyReadonlyArray1<'py, u32>,
    starts: PyReadonlyArray1<'py, u32>,
    ends: PyReadonlyArray1<'py, u32>,
) -> PyResult<String> {
    let cols = Cols::new(chroms, starts, ends);
    let v = cols.view(&names)?;
    run_detached(py, || Ok(v.identifier()))
}

/// Identifier of a collection from its members' identifiers.
#[pyfunction]
pub(crate) fn bedset_identifier(ids: Vec<String>) -> String {
    core_bedset_identifier(&ids)
}

/// Mean region width and number of chromosomes used.
#[pyfunction]
pub(crate) fn summary<'py>(
    names: Vec<String>,
    chroms: PyReadonlyArray1<'py, u32>,
    starts: PyReadonlyArray1<'py, u32>,
    ends: PyReadonlyArray1<'py, u32>,
) -> PyResult<(f64, usize)> {
    let cols = Cols::new(chroms, starts, ends);
    let v = cols.view(&names)?;
    Ok((v.mean_width(), v.n_chroms_used()))
}

/// Reorder extra-column text by `order`.
#[pyfunction]
pub(crate) fn take_extra<'py>(
    py: Python<'py>,
    buf: PyReadonlyArray1<'py, u8>,
    offsets: PyReadonlyArray1<'py, u64>,
    order: PyReadonlyArray1<'py, u32>,
) -> PyResult<(Bound<'py, PyArray1<u8>>, Bound<'py, PyArray1<u64>>)> {
    let x = to_py(Extra::from_parts(buf.as_slice()?, offsets.as_slice()?))?;
    let t = x.take(order.as_slice()?);
    Ok((t.buf.into_pyarray(py), t.offsets.into_pyarray(py)))
}

/// Column `k` of the extra text (0 = the fourth BED column), and the number of extra columns.
#[pyfunction]
pub(crate) fn extra_column<'py>(
    buf: PyReadonlyArray1<'py, u8>,
    offsets: PyReadonlyArray1<'py, u64>,
    k: usize,
) -> PyResult<Vec<String>> {
    let x = to_py(Extra::from_parts(buf.as_slice()?, offsets.as_slice()?))?;
    Ok(x.column(k))
}

/// Number of extra columns (the widest row).
#[pyfunction]
pub(crate) fn extra_n_columns<'py>(
    buf: PyReadonlyArray1<'py, u8>,
    offsets: PyReadonlyArray1<'py, u64>,
) -> PyResult<usize> {
    let x = to_py(Extra::from_parts(buf.as_slice()?, offsets.as_slice()?))?;
    Ok(x.n_columns())
}
