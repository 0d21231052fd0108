//! Bindings of `geniml_core::tokenize`, `gtok` and `fragments`.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use geniml_core::fragments::tokenize_fragments as core_fragments;
use geniml_core::gtok::{Width, read_gtok as core_read_gtok, write_gtok as core_write_gtok};
use geniml_core::io::{ReadOptions, read_many};
use geniml_core::regions::parse_region_names as core_parse_names;
use geniml_core::tokenize::{self as core_tok, Csr, FractionOf, OverlapOptions, SPECIAL_TOKENS};
use geniml_core::{GenimlError, RegionSet};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;

use crate::error::to_py;
use crate::gil::{NThreads, run_detached, run_pool};
use crate::regions::{RegionsArg, RegionsOut, regions_to_py};

/// `fraction_of` as the core knows it.
pub(crate) struct FractionOfArg(FractionOf);

impl<'py> FromPyObject<'_, 'py> for FractionOfArg {
    type Error = PyErr;
    fn extract(ob: Borrowed<'_, 'py, PyAny>) -> PyResult<Self> {
        let s: String = ob.extract()?;
        match s.as_str() {
            "query" => Ok(Self(FractionOf::Query)),
            "universe" => Ok(Self(FractionOf::Universe)),
            "both" => Ok(Self(FractionOf::Both)),
            _ => Err(PyValueError::new_err(format!(
                "`fraction_of` must be one of {{'query','universe','both'}}, got '{s}'"
            ))),
        }
    }
}

fn opts(fraction: f64, of: FractionOf) -> PyResult<OverlapOptions> {
    to_py(OverlapOptions::new(fraction, of))
}

type CsrPy<'py> = (
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u32>>,
    Option<Bound<'py, PyArray1<f32>>>,
);

fn csr_to_py(py: Python<'_>, c: Csr, weights: bool) -> CsrPy<'_> {
    (
        c.offsets.into_pyarray(py),
        c.ids.into_pyarray(py),
        weights.then(|| c.weights.into_pyarray(py)),
    )
}

/// A universe and its interval index (immutable).
#[pyclass(name = "Tokenizer", module = "geniml._core", frozen)]
pub(crate) struct PyTokenizer {
    inner: Arc<core_tok::Tokenizer>,
    n_dropped: usize,
}

impl PyTokenizer {
    fn build(checked: (RegionSet, usize)) -> Result<Self, GenimlError> {
        let (universe, n_dropped) = checked;
        Ok(Self {
            inner: Arc::new(core_tok::Tokenizer::new(universe)?),
            n_dropped,
        })
    }
}

#[pymethods]
impl PyTokenizer {
    /// Index a universe given as columns (token id i = row i); duplicates as in `read_universe`.
    #[new]
    #[pyo3(signature = (universe, *, dedup=false))]
    fn new<'py>(py: Python<'py>, universe: RegionsArg<'py>, dedup: bool) -> PyResult<Self> {
        let v = universe.view()?;
        let universe = v.take(&(0..v.len() as u32).collect::<Vec<_>>());
        run_detached(py, || {
            Self::build(core_tok::check_universe(universe, dedup, None)?)
        })
    }

    /// Read and index a universe BED file; duplicates as in `read_universe`.
    #[staticmethod]
    #[pyo3(signature = (path, *, dedup=false))]
    fn from_bed(py: Python<'_>, path: PathBuf, dedup: bool) -> PyResult<Self> {
        run_detached(py, || {
            Self::build(core_tok::read_universe(&path, dedup, false)?)
        })
    }

    /// Duplicate universe regions dropped on construction (`dedup=True`).
    #[getter]
    fn n_dropped(&self) -> usize {
        self.n_dropped
    }

    /// Number of universe regions.
    #[getter]
    fn n_regions(&self) -> usize {
        self.inner.n_regions()
    }

    /// Universe regions plus special tokens.
    #[getter]
    fn vocab_size(&self) -> usize {
        self.inner.vocab_size()
    }

    /// The special tokens, in id order.
    #[staticmethod]
    fn special_tokens() -> Vec<&'static str> {
        SPECIAL_TOKENS.to_vec()
    }

    /// `(duplicate row, first row)` pairs of the universe.
    fn duplicates(&self) -> Vec<(u32, u32)> {
        self.inner.duplicates().to_vec()
    }

    /// Universe columns (names, chroms, starts, ends, no extra).
    fn universe_columns<'py>(&self, py: Python<'py>) -> RegionsOut<'py> {
        regions_to_py(py, self.inner.universe().clone())
    }

    /// Flat hard tokenization of regions given as columns.
    #[pyo3(signature = (regions, *, fraction, fraction_of, drop_unknown, unique))]
    fn tokenize<'py>(
        &self,
        py: Python<'py>,
        regions: RegionsArg<'py>,
        fraction: f64,
        fraction_of: FractionOfArg,
        drop_unknown: bool,
        unique: bool,
    ) -> PyResult<Bound<'py, PyArray1<i64>>> {
        let v = regions.view()?;
        let tok = &self.inner;
        let o = opts(fraction, fraction_of.0)?;
        let ids = run_detached(py, || Ok(tok.tokenize(&v, o, drop_unknown, unique)))?;
        Ok(ids.into_pyarray(py))
    }

    /// Read BED files and tokenize each (parallel over files and within them).
    #[pyo3(signature = (paths, *, fraction, fraction_of, drop_unknown, unique, n_threads=None, allow_empty=false))]
    fn tokenize_paths<'py>(
        &self,
        py: Python<'py>,
        paths: Vec<PathBuf>,
        fraction: f64,
        fraction_of: FractionOfArg,
        drop_unknown: bool,
        unique: bool,
        n_threads: Option<NThreads>,
        allow_empty: bool,
    ) -> PyResult<Vec<Bound<'py, PyArray1<i64>>>> {
        let tok = &self.inner;
        let o = opts(fraction, fraction_of.0)?;
        let ropts = ReadOptions {
            keep_extra: false,
            allow_empty,
            ..ReadOptions::default()
        };
        let out = run_pool(py, n_threads, || {
            read_many(&paths, &ropts)
                .into_iter()
                .map(|r| r.map(|(rs, _)| tok.tokenize(&rs.view(), o, drop_unknown, unique)))
                .collect::<Result<Vec<_>, _>>()
        })?;
        Ok(out.into_iter().map(|v| v.into_pyarray(py)).collect())
    }

    /// Per-region overlaps as CSR (offsets, ids[, weights]).
    #[pyo3(signature = (regions, *, fraction, fraction_of, weights))]
    fn overlaps<'py>(
        &self,
        py: Python<'py>,
        regions: RegionsArg<'py>,
        fraction: f64,
        fraction_of: FractionOfArg,
        weights: bool,
    ) -> PyResult<CsrPy<'py>> {
        let v = regions.view()?;
        let tok = &self.inner;
        let o = opts(fraction, fraction_of.0)?;
        let c = run_detached(py, || Ok(tok.overlaps(&v, o, weights)))?;
        Ok(csr_to_py(py, c, weights))
    }

    /// Coverage of regions by the universe: (n_regions, n_with_token, bp_total, bp_covered,
    /// n_universe_used).
    #[pyo3(signature = (regions, *, fraction))]
    fn coverage<'py>(
        &self,
        py: Python<'py>,
        regions: RegionsArg<'py>,
        fraction: f64,
    ) -> PyResult<(u64, u64, u64, u64, u64)> {
        let v = regions.view()?;
        let tok = &self.inner;
        let o = opts(fraction, FractionOf::Query)?;
        let c = run_detached(py, || Ok(tok.coverage(&v, o)))?;
        Ok((
            c.n_regions,
            c.n_regions_with_token,
            c.bp_total,
            c.bp_covered,
            c.n_universe_used,
        ))
    }

    /// Tokenize a fragment file into per-barcode token sets.
    #[pyo3(signature = (path, barcodes, *, fraction))]
    fn tokenize_fragments<'py>(
        &self,
        py: Python<'py>,
        path: PathBuf,
        barcodes: Option<HashSet<String>>,
        fraction: f64,
    ) -> PyResult<(Vec<String>, CsrPy<'py>, u64)> {
        let tok = &self.inner;
        let o = opts(fraction, FractionOf::Query)?;
        let r = run_detached(py, || core_fragments(&path, tok, barcodes.as_ref(), o))?;
        Ok((r.barcodes, csr_to_py(py, r.tokens, false), r.n_fragments))
    }
}

/// Read a universe BED file in file order: a duplicate region is an error naming both line
/// numbers, unless `dedup` (the first copy is kept). Returns the regions and the number dropped.
#[pyfunction]
#[pyo3(signature = (path, *, dedup=false))]
pub(crate) fn read_universe(
    py: Python<'_>,
    path: PathBuf,
    dedup: bool,
) -> PyResult<(RegionsOut<'_>, usize)> {
    let (rs, n) = run_detached(py, || core_tok::read_universe(&path, dedup, true))?;
    Ok((regions_to_py(py, rs), n))
}

/// Union of peak tokens per cell: cells x peaks CSR (`indptr`, `indices`: int32 or int64) and
/// peak->token CSR.
#[pyfunction]
pub(crate) fn cells_to_tokens<'py>(
    py: Python<'py>,
    indptr: PyReadonlyArray1<'py, i64>,
    indices: &Bound<'py, PyAny>,
    peak_offsets: PyReadonlyArray1<'py, u64>,
    peak_ids: PyReadonlyArray1<'py, u32>,
    n_tokens: usize,
) -> PyResult<CsrPy<'py>> {
    let peaks = Csr {
        offsets: peak_offsets.as_slice()?.to_vec(),
        ids: peak_ids.as_slice()?.to_vec(),
        weights: Vec::new(),
    };
    let p = indptr.as_slice()?;
    let c = if let Ok(narrow) = indices.extract::<PyReadonlyArray1<'py, i32>>() {
        let i = narrow.as_slice()?;
        run_detached(py, || core_tok::cells_to_tokens(p, i, &peaks, n_tokens))?
    } else {
        let wide = indices.extract::<PyReadonlyArray1<'py, i64>>()?;
        let i = wide.as_slice()?;
        run_detached(py, || core_tok::cells_to_tokens(p, i, &peaks, n_tokens))?
    };
    Ok(csr_to_py(py, c, false))
}

/// Write ids to a `.gtok` file (`width`: 16, 32 or None for the narrowest).
#[pyfunction]
#[pyo3(signature = (path, ids, *, width=None, force=false))]
pub(crate) fn write_gtok<'py>(
    py: Python<'py>,
    path: PathBuf,
    ids: PyReadonlyArray1<'py, i64>,
    width: Option<u8>,
    force: bool,
) -> PyResult<()> {
    let w = match width {
        None => None,
        Some(16) => Some(Width::U16),
        Some(32) => Some(Width::U32),
        Some(x) => {
            return Err(PyValueError::new_err(format!(
                "`width` must be 16 or 32, got {x}"
            )));
        }
    };
    let ids = ids.as_slice()?;
    run_detached(py, || core_write_gtok(&path, ids, w, force))
}

/// Read the ids of a `.gtok` file.
#[pyfunction]
pub(crate) fn read_gtok(py: Python<'_>, path: PathBuf) -> PyResult<Bound<'_, PyArray1<i64>>> {
    let ids = run_detached(py, || core_read_gtok(&path))?;
    Ok(ids.into_pyarray(py))
}

/// Parse `chr:start-end` / `chr-start-end` / `chr_start_end` names into columns.
#[pyfunction]
pub(crate) fn parse_region_names(py: Python<'_>, labels: Vec<String>) -> PyResult<RegionsOut<'_>> {
    let rs = to_py(core_parse_names(&labels))?;
    Ok(regions_to_py(py, rs))
}
