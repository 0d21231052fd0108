//! Bindings of `geniml_core::w2v`: the Region2Vec training corpus, kernel and batch builder.

use std::sync::Arc;

use geniml_core::w2v::{Corpus, Mode, W2vParams};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1, PyReadwriteArray2};
use pyo3::prelude::*;

use crate::gil::{NThreads, run_detached};

/// Flat example arrays: centers, inputs, counts, negatives, width, words, raw words.
type PyBatches<'py> = (
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<i64>>,
    Bound<'py, PyArray1<f32>>,
    Bound<'py, PyArray1<i64>>,
    usize,
    u64,
    u64,
);

/// Documents of token ids prepared for word2vec training (immutable).
#[pyclass(name = "W2vCorpus", module = "geniml._core", frozen)]
pub(crate) struct PyW2vCorpus {
    inner: Arc<Corpus>,
}

#[pymethods]
impl PyW2vCorpus {
    /// Build from CSR documents (`tokens`, `offsets`) over ids `0..vocab_size`.
    #[new]
    /// (`shared_negatives=1` is `geniml_core::w2v::DEFAULT_SHARED_NEGATIVES`, spelled as a literal so
    /// that the signature, and so the stub, shows it.)
    #[pyo3(signature = (tokens, offsets, vocab_size, exclude, *, dim, window, negative, sample, min_count, sg, seed, max_sentence_len, max_doc_tokens=0, ns_exponent=0.75, shared_negatives=1))]
    fn new(
        py: Python<'_>,
        tokens: PyReadonlyArray1<'_, i64>,
        offsets: PyReadonlyArray1<'_, i64>,
        vocab_size: usize,
        exclude: Vec<i64>,
        dim: usize,
        window: usize,
        negative: usize,
        sample: f64,
        min_count: u64,
        sg: bool,
        seed: u64,
        max_sentence_len: usize,
        max_doc_tokens: usize,
        ns_exponent: f64,
        shared_negatives: usize,
    ) -> PyResult<Self> {
        let mode = if sg { Mode::SkipGram } else { Mode::Cbow };
        let params = W2vParams {
            dim,
            window,
            negative,
            sample,
            min_count,
            mode,
            seed,
            max_sentence_len,
            max_doc_tokens,
            ns_exponent,
            shared_negatives,
        };
        let (t, o) = (tokens.as_slice()?, offsets.as_slice()?);
        let c = run_detached(py, || Corpus::new(t, o, vocab_size, &exclude, params))?;
        Ok(Self { inner: Arc::new(c) })
    }

    /// Number of documents.
    #[getter]
    fn n_docs(&self) -> usize {
        self.inner.n_docs()
    }

    /// Tokens trained per epoch before subsampling.
    #[getter]
    fn total_words(&self) -> u64 {
        self.inner.total_words()
    }

    /// Occurrences of each token id.
    fn counts<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        self.inner.counts().to_vec().into_pyarray(py)
    }

    /// True for the trained ids (count >= min_count).
    fn trained_mask<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<bool>> {
        self.inner.trained_mask().into_pyarray(py)
    }

    /// Trained tokens of each document.
    fn doc_lengths<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<u64>> {
        self.inner.doc_lengths().into_pyarray(py)
    }

    /// Train documents `start..end` of `epoch` in place; returns (loss, examples, words, raw_words).
    #[pyo3(signature = (w_in, w_out, epoch, start, end, lr_start, lr_end, n_threads=None))]
    fn train(
        &self,
        py: Python<'_>,
        mut w_in: PyReadwriteArray2<'_, f32>,
        mut w_out: PyReadwriteArray2<'_, f32>,
        epoch: u64,
        start: usize,
        end: usize,
        lr_start: f64,
        lr_end: f64,
        n_threads: Option<NThreads>,
    ) -> PyResult<(f64, u64, u64, u64)> {
        let (a, b) = (w_in.as_slice_mut()?, w_out.as_slice_mut()?);
        let c = &self.inner;
        let s = run_detached(py, || {
            c.train(
                a,
                b,
                epoch,
                start..end,
                lr_start,
                lr_end,
                NThreads::resolve(n_threads),
            )
        })?;
        Ok((s.loss, s.examples, s.words, s.raw_words))
    }

    /// Examples of documents `start..end` of `epoch` as flat arrays (see `Batches`).
    #[pyo3(signature = (epoch, start, end, pad_id, n_threads=None))]
    fn batches<'py>(
        &self,
        py: Python<'py>,
        epoch: u64,
        start: usize,
        end: usize,
        pad_id: i64,
        n_threads: Option<NThreads>,
    ) -> PyResult<PyBatches<'py>> {
        let c = &self.inner;
        let b = run_detached(py, || {
            c.batches(epoch, start..end, pad_id, NThreads::resolve(n_threads))
        })?;
        Ok((
            b.centers.into_pyarray(py),
            b.inputs.into_pyarray(py),
            b.counts.into_pyarray(py),
            b.negatives.into_pyarray(py),
            b.width,
            b.words,
            b.raw_words,
        ))
    }
}
