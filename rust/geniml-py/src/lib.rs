//! `geniml._core`: the PyO3 bindings of geniml-core. A manifest; each file mirrors a core module.

mod assess;
mod coverage;
mod error;
mod gil;
mod hmm;
mod io;
mod regions;
mod shift;
mod threads;
mod tokenize;
mod universe;
mod w2v;

#[pyo3::pymodule]
mod _core {
    use pyo3::prelude::*;

    #[pymodule_export]
    use crate::assess::assess_universe;
    #[pymodule_export]
    use crate::coverage::PyCoverage;
    #[pymodule_export]
    use crate::hmm::{
        build_lh_model, hmm_sample, hmm_universe, ml_universe, region_max_coverage,
        universe_likelihood,
    };
    #[pymodule_export]
    use crate::io::{read_bed, read_chrom_sizes, read_many, write_bed};
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
    use crate::tokenize::{
        PyTokenizer, cells_to_tokens, parse_region_names, read_gtok, write_gtok,
    };
    #[pymodule_export]
    use crate::universe::{cc_universe, ccf_universe};
    #[pymodule_export]
    use crate::w2v::PyW2vCorpus;

    #[pymodule_init]
    fn init(m: &Bound<'_, PyModule>) -> PyResult<()> {
        m.add("__version__", env!("CARGO_PKG_VERSION"))
    }
}
