//! Run core work with the GIL released.

use geniml_core::GenimlError;
use pyo3::prelude::*;

use crate::error::to_py;

/// Release the GIL, run `f` (which must not touch Python), and map its error.
pub(crate) fn run_detached<T: Send, F>(py: Python<'_>, f: F) -> PyResult<T>
where
    F: Send + FnOnce() -> Result<T, GenimlError>,
{
    to_py(py.detach(f))
}
