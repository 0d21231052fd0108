//! Thread-pool control.

use pyo3::prelude::*;

/// Forget the parent's thread pool in a forked child.
#[pyfunction]
pub(crate) fn _after_fork() {
    geniml_core::threads::after_fork();
}

/// Number of threads the core uses.
#[pyfunction]
pub(crate) fn num_threads() -> usize {
    geniml_core::threads::current_num_threads()
}
