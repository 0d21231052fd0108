//! geniml-core: the pure-Rust engine of geniml.
//!
//! Coordinates are 0-based half-open `[start, end)` everywhere, stored as `u32`.

pub mod chrom;
pub mod error;
pub mod fragments;
pub mod gtok;
pub mod index;
pub mod io;
pub mod regions;
pub mod threads;
pub mod tokenize;
pub mod w2v;

pub use error::{GenimlError, Result};
pub use regions::{RegionSet, RegionsRef};
