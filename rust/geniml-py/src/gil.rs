//! Run core work with the GIL released, inside one of geniml's thread pools.

use geniml_core::GenimlError;
use pyo3::prelude::*;

use crate::error::to_py;

/// Release the GIL and run `f` (which must not touch Python) inside a pool of `n_threads`
/// threads, or the core's shared pool when `None`; map its error. Rayon's global pool is never
/// used (it would not survive a `fork()`), and the pool is installed exactly once.
///
/// A Ctrl-C that arrived during the call is raised here as `KeyboardInterrupt`, before the
/// result is converted (so it can never surface inside a conversion, e.g. as a numpy panic).
pub(crate) fn run_pool<T: Send, F>(py: Python<'_>, n_threads: Option<NThreads>, f: F) -> PyResult<T>
where
    F: Send + FnOnce() -> Result<T, GenimlError>,
{
    let n = NThreads::resolve(n_threads);
    let out = to_py(py.detach(|| geniml_core::threads::install(n, f)));
    py.check_signals()?;
    out
}

/// [`run_pool`] in the shared pool (sized by `GENIML_NUM_THREADS`).
pub(crate) fn run_detached<T: Send, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: Send + FnOnce() -> Result<T, GenimlError>,
{
    run_pool(py, None, f)
}

/// An `n_threads` argument: a positive count, or `-1` for all cores (the shared pool, sized by
/// `GENIML_NUM_THREADS`), the same as `None`. Anything else is a `GenimlValueError`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct NThreads(Option<usize>);

impl NThreads {
    /// The pool size to ask the core for (`None`: the shared pool).
    pub(crate) fn resolve(n: Option<Self>) -> Option<usize> {
        n.and_then(|t| t.0)
    }
}

impl<'a, 'py> FromPyObject<'a, 'py> for NThreads {
    type Error = PyErr;
    fn extract(ob: Borrowed<'a, 'py, PyAny>) -> PyResult<Self> {
        let n: i64 = ob.extract()?;
        match n {
            -1 => Ok(Self(None)),
            n if n >= 1 => Ok(Self(usize::try_from(n).ok())),
            n => to_py(Err(GenimlError::InvalidInput(format!(
                "`n_threads` must be >= 1, or -1 / None for all cores, got {n}"
            )))),
        }
    }
}
