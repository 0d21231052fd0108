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
pub(crate) fn run_pool<T: Send, F>(py: Python<'_>, n_threads: Option<usize>, f: F) -> PyResult<T>
where
    F: Send + FnOnce() -> Result<T, GenimlError>,
{
    let out = to_py(py.detach(|| geniml_core::threads::install(n_threads, f)));
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
