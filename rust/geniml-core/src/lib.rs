//! geniml-core: the pure-Rust engine of geniml.
//!
//! Coordinates are 0-based half-open `[start, end)` everywhere, stored as `u32`.

pub mod assess;
pub mod atomic;
pub mod bedspace;
pub mod chrom;
pub mod coverage;
pub mod coverage_stream;
pub mod decode;
pub mod error;
pub mod fragments;
pub mod gtok;
pub mod hmm;
pub mod index;
pub mod io;
pub mod likelihood;
pub mod regions;
mod sgd;
pub mod shift;
pub mod threads;
pub mod token_files;
pub mod tokenize;
pub mod universe;
pub mod w2v;

pub use error::{GenimlError, Result};
pub use regions::{RegionSet, RegionsRef};
