//! The one place where core errors become Python exceptions.

use geniml_core::GenimlError;
use pyo3::exceptions::{PyFileExistsError, PyFileNotFoundError, PyOSError, PyPermissionError};
use pyo3::prelude::*;

pyo3::import_exception!(geniml.exceptions, BedParseError);
pyo3::import_exception!(geniml.exceptions, ChromosomeNotFoundError);
pyo3::import_exception!(geniml.exceptions, UniverseError);
pyo3::import_exception!(geniml.exceptions, UniverseNotFoundError);
pyo3::import_exception!(geniml.exceptions, HmmError);
pyo3::import_exception!(geniml.exceptions, GenimlValueError);

/// A core error or a Python error, on its way to Python.
pub(crate) enum PyGenimlErr {
    Core(GenimlError),
    Python(PyErr),
}

impl From<GenimlError> for PyGenimlErr {
    fn from(e: GenimlError) -> Self {
        Self::Core(e)
    }
}

impl From<PyErr> for PyGenimlErr {
    fn from(e: PyErr) -> Self {
        Self::Python(e)
    }
}

impl From<PyGenimlErr> for PyErr {
    fn from(e: PyGenimlErr) -> Self {
        let core = match e {
            PyGenimlErr::Python(err) => return err,
            PyGenimlErr::Core(core) => core,
        };
        let msg = core.to_string();
        match core {
            GenimlError::Io { path, source } => {
                let text = format!("{}: {source}", path.display());
                match source.kind() {
                    std::io::ErrorKind::NotFound => PyFileNotFoundError::new_err(text),
                    std::io::ErrorKind::PermissionDenied => PyPermissionError::new_err(text),
                    std::io::ErrorKind::AlreadyExists => PyFileExistsError::new_err(text),
                    _ => PyOSError::new_err(text),
                }
            }
            GenimlError::BedParse {
                path,
                line,
                msg: reason,
            } => BedParseError::new_err((msg, path.display().to_string(), line, reason)),
            GenimlError::UnknownChrom(_) => ChromosomeNotFoundError::new_err(msg),
            GenimlError::Universe(_) => UniverseError::new_err(msg),
            GenimlError::UniverseNotFound(_) => UniverseNotFoundError::new_err(msg),
            GenimlError::Hmm(_) => HmmError::new_err(msg),
            GenimlError::InvalidInput(_) => GenimlValueError::new_err(msg),
        }
    }
}

/// Convert a core result for Python.
pub(crate) fn to_py<T>(r: Result<T, GenimlError>) -> PyResult<T> {
    r.map_err(|e| PyGenimlErr::from(e).into())
}
