//! The error type shared by every module of the core.

use std::path::PathBuf;

/// Every failure the core can report. Messages say what went wrong, where, and what was expected.
#[derive(Debug, thiserror::Error)]
pub enum GenimlError {
    /// An operating-system error while touching `path`.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A malformed line in a BED-like file (1-based line number).
    #[error("{path}:{line}: {msg}")]
    BedParse {
        path: PathBuf,
        line: u64,
        msg: String,
    },
    /// A chromosome that a chrom-sizes table or a universe does not know.
    #[error("{0}")]
    UnknownChrom(String),
    /// A universe that cannot be used (empty, duplicated lines, ...).
    #[error("{0}")]
    Universe(String),
    /// A universe file that does not exist.
    #[error("universe file not found: {}", .0.display())]
    UniverseNotFound(PathBuf),
    /// A failure in the HMM or likelihood decoders.
    #[error("{0}")]
    Hmm(String),
    /// Any other invalid argument (mismatched lengths, bad options).
    #[error("{0}")]
    InvalidInput(String),
}

impl GenimlError {
    /// Wrap an I/O error with the path it concerns.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Self::Io {
            path: path.into(),
            source,
        }
    }
}

/// Result alias used across the core.
pub type Result<T> = std::result::Result<T, GenimlError>;
