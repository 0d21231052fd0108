//! geniml-core: the pure-Rust engine of geniml.
//!
//! Coordinates are 0-based half-open `[start, end)` everywhere, stored as `u32`.

pub mod assess;
pub mod chrom;
pub mod coverage;
pub mod error;
pub mod hmm;
pub mod io;
pub mod regions;
pub mod threads;
pub mod universe;

pub use error::{GenimlError, Result};
pub use regions::{RegionSet, RegionsRef};
