//! Run core work with the GIL released, inside geniml's own thread pool.

use geniml_core::GenimlError;
use pyo3::prelude::*;

use crate::error::to_py;

/// Release the GIL and run `f` (which must not touch Python) inside the core's thread pool, so
/// that rayon's global pool is never used (it would not survive a `fork()`); map its error.
///
/// A Ctrl-C that arrived during the call is raised here as `KeyboardInterrupt`, before the
/// result is converted (so it can never surface inside a conversion, e.g. as a numpy panic).
pub(crate) fn run_detached<T: Send, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: Send + FnOnce() -> Result<T, GenimlError>,
{
    let out = to_py(py.detach(|| geniml_core::threads::pool().install(f)));
    py.check_signals()?;
    out
}
