//! Bindings of `geniml_core::bedspace`: the StarSpace-objective trainer, bag embedding, input parser.

use std::path::PathBuf;
use std::sync::Arc;

use geniml_core::bedspace::{Examples, StarSpaceParams, embed_bags, read_input};
use numpy::{
    IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2,
    PyReadwriteArray1, PyReadwriteArray2, PyUntypedArrayMethods,
};
use pyo3::prelude::*;

use crate::gil::{NThreads, run_detached};

/// Symbols, word count, word CSR, label CSR, kept line indices, skipped line numbers.
type PyParsed<'py> = (
    Vec<String>,
    usize,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u64>>,
    Vec<u64>,
);

fn usizes(v: &[u64]) -> Vec<usize> {
    v.iter().map(|&x| x as usize).collect()
}

fn u64s(v: Vec<usize>) -> Vec<u64> {
    v.into_iter().map(|x| x as u64).collect()
}

/// Training examples of StarSpace's trainMode 0 (immutable).
#[pyclass(name = "StarSpaceExamples", module = "geniml._core", frozen)]
pub(crate) struct PyStarSpaceExamples {
    inner: Arc<Examples>,
}

#[pymethods]
impl PyStarSpaceExamples {
    /// Build from word and label CSR tables of row ids `< n_rows`.
    #[new]
    fn new(
        lhs_offsets: PyReadonlyArray1<'_, u64>,
        lhs: PyReadonlyArray1<'_, u32>,
        rhs_offsets: PyReadonlyArray1<'_, u64>,
        rhs: PyReadonlyArray1<'_, u32>,
        n_rows: usize,
    ) -> PyResult<Self> {
        let ex = Examples::new(
            usizes(lhs_offsets.as_slice()?),
            lhs.as_slice()?.to_vec(),
            usizes(rhs_offsets.as_slice()?),
            rhs.as_slice()?.to_vec(),
            n_rows,
        );
        Ok(Self {
            inner: Arc::new(crate::error::to_py(ex)?),
        })
    }

    /// Number of examples.
    fn __len__(&self) -> usize {
        self.inner.len()
    }

    /// One epoch in place on `weights` and `acc`; returns (loss, batches, examples).
    #[pyo3(signature = (weights, acc, epoch, lr_start, lr_end, *, dim, neg_search_limit, max_neg_samples, margin, batch_size, max_norm, adagrad, seed, n_threads=None))]
    #[allow(clippy::too_many_arguments)]
    fn train_epoch(
        &self,
        py: Python<'_>,
        mut weights: PyReadwriteArray2<'_, f32>,
        mut acc: PyReadwriteArray1<'_, f32>,
        epoch: u64,
        lr_start: f32,
        lr_end: f32,
        dim: usize,
        neg_search_limit: usize,
        max_neg_samples: usize,
        margin: f32,
        batch_size: usize,
        max_norm: f32,
        adagrad: bool,
        seed: u64,
        n_threads: Option<NThreads>,
    ) -> PyResult<(f64, u64, u64)> {
        let p = StarSpaceParams {
            dim,
            neg_search_limit,
            max_neg_samples,
            margin,
            batch_size,
            max_norm,
            adagrad,
            seed,
        };
        let (w, a) = (weights.as_slice_mut()?, acc.as_slice_mut()?);
        let ex = &self.inner;
        let s = run_detached(py, || {
            ex.train_epoch(
                w,
                a,
                &p,
                epoch,
                lr_start,
                lr_end,
                NThreads::resolve(n_threads),
            )
        })?;
        Ok((s.loss, s.batches, s.examples))
    }
}

/// Normalised sums of bags of rows (`ids[offsets[i]:offsets[i+1]]`): `n_bags x dim`.
#[pyfunction]
#[pyo3(signature = (weights, offsets, ids, n_threads=None))]
pub(crate) fn bedspace_embed<'py>(
    py: Python<'py>,
    weights: PyReadonlyArray2<'py, f32>,
    offsets: PyReadonlyArray1<'py, u64>,
    ids: PyReadonlyArray1<'py, u32>,
    n_threads: Option<NThreads>,
) -> PyResult<Bound<'py, PyArray2<f32>>> {
    let dim = weights.shape()[1];
    let (w, o, i) = (
        weights.as_slice()?,
        usizes(offsets.as_slice()?),
        ids.as_slice()?,
    );
    let n = o.len().saturating_sub(1);
    let v = run_detached(py, || {
        embed_bags(w, dim, &o, i, NThreads::resolve(n_threads))
    })?;
    v.into_pyarray(py).reshape([n, dim])
}

/// Parse a StarSpace fastText-format input file (words, then `label_prefix` labels).
#[pyfunction]
pub(crate) fn read_starspace_input(
    py: Python<'_>,
    path: PathBuf,
    label_prefix: String,
) -> PyResult<PyParsed<'_>> {
    let p = run_detached(py, || read_input(&path, &label_prefix))?;
    Ok((
        p.symbols,
        p.n_words,
        u64s(p.lhs_offsets).into_pyarray(py),
        p.lhs.into_pyarray(py),
        u64s(p.rhs_offsets).into_pyarray(py),
        p.rhs.into_pyarray(py),
        p.lines.into_pyarray(py),
        p.skipped,
    ))
}
