//! Bindings of `geniml_core::coverage`: a frozen handle on run-length encoded tracks.

use std::path::PathBuf;
use std::sync::Arc;

use geniml_core::GenimlError;
use geniml_core::coverage::{self as core_cov, Coverage, TrackFormat, TrackKind};
use numpy::{IntoPyArray, PyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::error::PyGenimlErr;

use crate::gil::{NThreads, run_pool};
use crate::regions::RegionsArg;

/// `"start" | "core" | "end"` as the core knows it.
pub(crate) struct TrackArg(pub(crate) TrackKind);

impl<'py> FromPyObject<'_, 'py> for TrackArg {
    type Error = PyErr;
    fn extract(ob: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let s: String = ob.extract()?;
        match s.as_str() {
            "start" => Ok(Self(TrackKind::Start)),
            "core" => Ok(Self(TrackKind::Core)),
            "end" => Ok(Self(TrackKind::End)),
            _ => Err(PyValueError::new_err(format!(
                "`track` must be one of {{'start','core','end'}}, got '{s}'"
            ))),
        }
    }
}

/// `"bigwig" | "bedgraph"`.
pub(crate) struct FormatArg(TrackFormat);

impl<'py> FromPyObject<'_, 'py> for FormatArg {
    type Error = PyErr;
    fn extract(ob: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let s: String = ob.extract()?;
        match s.as_str() {
            "bigwig" => Ok(Self(TrackFormat::BigWig)),
            "bedgraph" => Ok(Self(TrackFormat::BedGraph)),
            _ => Err(PyValueError::new_err(format!(
                "`format` must be one of {{'bigwig','bedgraph'}}, got '{s}'"
            ))),
        }
    }
}

/// Coverage tracks (start, core, end) of a BED collection, run-length encoded.
#[pyclass(name = "Coverage", module = "geniml._core", frozen)]
pub(crate) struct PyCoverage {
    pub(crate) inner: Arc<Coverage>,
}

impl From<Coverage> for PyCoverage {
    fn from(c: Coverage) -> Self {
        Self { inner: Arc::new(c) }
    }
}

#[pymethods]
impl PyCoverage {
    /// Tracks of BED files (read in parallel, validated against the chrom sizes).
    #[staticmethod]
    #[pyo3(signature = (paths, chrom_sizes, *, smooth, n_threads=None))]
    fn from_files(
        py: Python<'_>,
        paths: Vec<PathBuf>,
        chrom_sizes: Vec<(String, u64)>,
        smooth: u32,
        n_threads: Option<NThreads>,
    ) -> PyResult<Self> {
        let cov = run_pool(py, n_threads, || {
            core_cov::coverage_from_files(&paths, &chrom_sizes, smooth)
        })?;
        Ok(cov.into())
    }

    /// Tracks of in-memory region sets `(names, chroms, starts, ends)`.
    #[staticmethod]
    #[pyo3(signature = (sets, labels, chrom_sizes, *, smooth, n_threads=None))]
    fn from_regions(
        py: Python<'_>,
        sets: Vec<RegionsArg<'_>>,
        labels: Vec<String>,
        chrom_sizes: Vec<(String, u64)>,
        smooth: u32,
        n_threads: Option<NThreads>,
    ) -> PyResult<Self> {
        let views = sets
            .iter()
            .map(RegionsArg::view)
            .collect::<PyResult<Vec<_>>>()?;
        let cov = run_pool(py, n_threads, || {
            core_cov::coverage_from_regions(&views, &labels, &chrom_sizes, smooth)
        })?;
        Ok(cov.into())
    }

    /// Read `{prefix}_{track}.bw` of the given tracks from a coverage folder.
    #[staticmethod]
    fn from_folder(
        py: Python<'_>,
        folder: PathBuf,
        prefix: String,
        tracks: Vec<TrackArg>,
    ) -> PyResult<Self> {
        let kinds: Vec<TrackKind> = tracks.into_iter().map(|t| t.0).collect();
        let cov = run_pool(py, None, || core_cov::read_tracks(&folder, &prefix, &kinds))?;
        Ok(cov.into())
    }

    /// Number of region sets the tracks came from (0 when read from files).
    #[getter]
    fn n_files(&self) -> usize {
        self.inner.n_files
    }

    /// Write the three tracks; returns the paths written.
    #[pyo3(signature = (folder, prefix, format, *, force))]
    fn write(
        &self,
        py: Python<'_>,
        folder: PathBuf,
        prefix: String,
        format: FormatArg,
        force: bool,
    ) -> PyResult<Vec<PathBuf>> {
        let cov = &self.inner;
        run_pool(py, None, || {
            core_cov::write_tracks(cov, &folder, &prefix, format.0, force)
        })
    }

    /// `(name, size)` of every chromosome, natural order.
    fn chroms(&self) -> Vec<(String, u32)> {
        self.inner
            .chroms
            .iter()
            .map(|c| (c.name.clone(), c.size))
            .collect()
    }

    /// Non-zero runs of one track of one chromosome: `(starts, ends, values)`.
    fn runs<'py>(
        &self,
        py: Python<'py>,
        chrom: &str,
        track: TrackArg,
    ) -> PyResult<(
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<u32>>,
        Bound<'py, PyArray1<u32>>,
    )> {
        let c = self
            .inner
            .chroms
            .iter()
            .find(|c| c.name == chrom)
            .ok_or_else(|| {
                PyErr::from(PyGenimlErr::from(GenimlError::UnknownChrom(format!(
                    "chromosome '{chrom}' is not in the coverage"
                ))))
            })?;
        let (s, e, v) = c.track(track.0).columns();
        Ok((s.into_pyarray(py), e.into_pyarray(py), v.into_pyarray(py)))
    }
}
