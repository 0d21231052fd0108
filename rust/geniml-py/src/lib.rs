//! `geniml._core`: the PyO3 bindings of geniml-core. A manifest; each file mirrors a core module.

mod assess;
mod bedspace;
mod coverage;
mod coverage_stream;
mod error;
mod gil;
mod hmm;
mod io;
mod likelihood;
mod regions;
mod shift;
mod threads;
mod token_files;
mod tokenize;
mod universe;
mod w2v;

#[pyo3::pymodule]
mod _core {
    use pyo3::prelude::*;

    #[pymodule_export]
    use crate::assess::assess_universe;
    #[pymodule_export]
    use crate::bedspace::{PyStarSpaceExamples, bedspace_embed, read_starspace_input};
    #[pymodule_export]
    use crate::coverage::PyCoverage;
    #[pymodule_export]
    use crate::coverage_stream::{
        coverage_add, coverage_from_bytes, coverage_is_empty, coverage_of_batch, coverage_to_bytes,
    };
    #[pymodule_export]
    use crate::hmm::{hmm_sample, hmm_universe};
    #[pymodule_export]
    use crate::io::{read_bed, read_chrom_sizes, read_many, write_bed};
    #[pymodule_export]
    use crate::likelihood::{
        build_lh_model, ml_universe, region_max_coverage, universe_likelihood,
    };
    #[pymodule_export]
    use crate::regions::{
        bedset_identifier, dedup_order, extra_column, extra_n_columns, identifier, is_sorted,
        merge, sort_order, summary, take_extra,
    };
    #[pymodule_export]
    use crate::shift::bedshift_run;
    #[pymodule_export]
    use crate::threads::{_after_fork, num_threads};
    #[pymodule_export]
    use crate::token_files::{write_token_lines, write_weighted_regions};
    #[pymodule_export]
    use crate::tokenize::{
        PyTokenizer, cells_to_tokens, parse_region_names, read_gtok, read_universe, write_gtok,
    };
    #[pymodule_export]
    use crate::universe::{cc_universe, ccf_universe};
    #[pymodule_export]
    use crate::w2v::PyW2vCorpus;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        // Load numpy's C API now: loaded lazily, a pending Ctrl-C during its import turns into
        // a Rust panic ("Failed to access NumPy array API capsule: KeyboardInterrupt").
        numpy::get_array_module(m.py())?;
        let _ = numpy::PyArray1::<u8>::zeros(m.py(), 0, false);
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
