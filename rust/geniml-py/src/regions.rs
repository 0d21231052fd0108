//! Bindings of `geniml_core::regions`: the region arguments and results every binding shares.

use geniml_core::regions::{Extra, RegionsRef, bedset_identifier as core_bedset_identifier};
use geniml_core::{GenimlError, RegionSet, assess::UniverseRef};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::error::to_py;
use crate::gil::run_detached;

/// Regions passed from Python as one `(names, chroms, starts, ends)` tuple: the chromosome name
/// table and three `uint32` columns, borrowed from numpy without copying.
pub(crate) struct RegionsArg<'py> {
    names: Vec<String>,
    chroms: PyReadonlyArray1<'py, u32>,
    starts: PyReadonlyArray1<'py, u32>,
    ends: PyReadonlyArray1<'py, u32>,
}

impl<'a, 'py> FromPyObject<'a, 'py> for RegionsArg<'py> {
    type Error = PyErr;
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let (names, chroms, starts, ends) = ob.extract()?;
        Ok(Self {
            names,
            chroms,
            starts,
            ends,
        })
    }
}

impl RegionsArg<'_> {
    /// A checked view: columns agree in length, ids are in range, start <= end.
    pub(crate) fn view(&self) -> PyResult<RegionsRef<'_>> {
        to_py(RegionsRef::new(
            &self.names,
            self.chroms.as_slice()?,
            self.starts.as_slice()?,
            self.ends.as_slice()?,
        ))
    }
}

/// Extra BED text passed from Python as one `(buf, offsets)` tuple.
pub(crate) struct ExtraArg<'py> {
    buf: PyReadonlyArray1<'py, u8>,
    offsets: PyReadonlyArray1<'py, u64>,
}

impl<'a, 'py> FromPyObject<'a, 'py> for ExtraArg<'py> {
    type Error = PyErr;
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let (buf, offsets) = ob.extract()?;
        Ok(Self { buf, offsets })
    }
}

impl ExtraArg<'_> {
    /// The checked extra text.
    pub(crate) fn get(&self) -> PyResult<Extra> {
        to_py(Extra::from_parts(
            self.buf.as_slice()?,
            self.offsets.as_slice()?,
        ))
    }
}

/// `(thickStarts, thickEnds)` of a flexible universe.
pub(crate) type ThickArg<'py> = (PyReadonlyArray1<'py, u32>, PyReadonlyArray1<'py, u32>);

/// A universe view: its regions and, when flexible, its thick columns (checked in length).
pub(crate) fn universe_ref<'a>(
    regions: &'a RegionsArg<'_>,
    thick: Option<&'a ThickArg<'_>>,
) -> PyResult<UniverseRef<'a>> {
    let regions = regions.view()?;
    let thick = match thick {
        Some((a, b)) => {
            let (a, b) = (a.as_slice()?, b.as_slice()?);
            if a.len() != regions.len() || b.len() != regions.len() {
                return to_py(Err(GenimlError::InvalidInput(
                    "thickStart/thickEnd columns differ in length from the universe".into(),
                )));
            }
            Some((a, b))
        }
        None => None,
    };
    Ok(UniverseRef { regions, thick })
}

/// Extra BED text as Python sees it.
pub(crate) type ExtraOut<'py> = (Bound<'py, PyArray1<u8>>, Bound<'py, PyArray1<u64>>);

/// A region set as Python sees it: names, three `uint32` columns, optional extra text.
pub(crate) type RegionsOut<'py> = (
    Vec<String>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Option<ExtraOut<'py>>,
);

fn extra_to_py(py: Python<'_>, x: Extra) -> ExtraOut<'_> {
    (x.buf.into_pyarray(py), x.offsets.into_pyarray(py))
}

/// Hand an owned region set to numpy without copying: the one result converter.
pub(crate) fn regions_to_py(py: Python<'_>, r: RegionSet) -> RegionsOut<'_> {
    (
        r.names,
        r.chroms.into_pyarray(py),
        r.starts.into_pyarray(py),
        r.ends.into_pyarray(py),
        r.extra.map(|x| extra_to_py(py, x)),
    )
}

/// Permutation sorting regions by (natural chromosome order, start, end).
#[pyfunction]
pub(crate) fn sort_order<'py>(
    py: Python<'py>,
    regions: RegionsArg<'py>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let v = regions.view()?;
    let order = run_detached(py, || Ok(v.sort_order()))?;
    Ok(order.into_pyarray(py))
}

/// True when regions are sorted in natural order.
#[pyfunction]
pub(crate) fn is_sorted(regions: RegionsArg<'_>) -> PyResult<bool> {
    Ok(regions.view()?.is_sorted())
}

/// Merge regions closer than `distance` (bedtools-merge semantics); sorted output.
#[pyfunction]
pub(crate) fn merge<'py>(
    py: Python<'py>,
    regions: RegionsArg<'py>,
    distance: u32,
) -> PyResult<RegionsOut<'py>> {
    let v = regions.view()?;
    let m = run_detached(py, || Ok(v.merge(distance)))?;
    Ok(regions_to_py(py, m))
}

/// Sorted regions without exact duplicates; returns the kept row indices.
#[pyfunction]
pub(crate) fn dedup_order<'py>(
    py: Python<'py>,
    regions: RegionsArg<'py>,
) -> PyResult<Bound<'py, PyArray1<u32>>> {
    let v = regions.view()?;
    let keep = run_detached(py, || Ok(v.dedup_order()))?;
    Ok(keep.into_pyarray(py))
}

/// BEDbase identifier of a region set.
#[pyfunction]
pub(crate) fn identifier<'py>(py: Python<'py>, regions: RegionsArg<'py>) -> PyResult<String> {
    let v = regions.view()?;
    run_detached(py, || Ok(v.identifier()))
}

/// Identifier of a collection from its members' identifiers.
#[pyfunction]
pub(crate) fn bedset_identifier(ids: Vec<String>) -> String {
    core_bedset_identifier(&ids)
}

/// Mean region width and number of chromosomes used.
#[pyfunction]
pub(crate) fn summary(regions: RegionsArg<'_>) -> PyResult<(f64, usize)> {
    let v = regions.view()?;
    Ok((v.mean_width(), v.n_chroms_used()))
}

/// Reorder extra-column text by `order`.
#[pyfunction]
pub(crate) fn take_extra<'py>(
    py: Python<'py>,
    extra: ExtraArg<'py>,
    order: PyReadonlyArray1<'py, u32>,
) -> PyResult<ExtraOut<'py>> {
    let t = extra.get()?.take(order.as_slice()?);
    Ok(extra_to_py(py, t))
}

/// Column `k` of the extra text (0 = the fourth BED column).
#[pyfunction]
pub(crate) fn extra_column(extra: ExtraArg<'_>, k: usize) -> PyResult<Vec<String>> {
    Ok(extra.get()?.column(k))
}

/// Number of extra columns (the widest row).
#[pyfunction]
pub(crate) fn extra_n_columns(extra: ExtraArg<'_>) -> PyResult<usize> {
    Ok(extra.get()?.n_columns())
}
