//! Bindings of `geniml_core::shift` (BEDshift): columns and op tuples in, columns out.

use geniml_core::GenimlError;
use geniml_core::shift::{Batch, Op, Options, Overlaps, RateBase, Regions, Shifter};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::error::{PyGenimlErr, to_py};
use crate::gil::run_detached;

type Cols<'py> = (
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, u32>,
    PyReadonlyArray1<'py, u32>,
);

/// One operation as handed over by `geniml.bedshift`: `(kind, rate, mean, sd, regions)`.
type OpSpec<'py> = (String, f64, f64, f64, Option<Cols<'py>>);

fn regions(c: &Cols<'_>) -> PyResult<Regions> {
    Ok(Regions::new(
        c.0.as_slice()?.to_vec(),
        c.1.as_slice()?.to_vec(),
        c.2.as_slice()?.to_vec(),
    ))
}

fn missing(kind: &str) -> PyErr {
    PyGenimlErr::from(GenimlError::InvalidInput(format!(
        "bedshift op `{kind}` needs a region file"
    )))
    .into()
}

fn to_op(spec: &OpSpec<'_>) -> PyResult<Op> {
    let (kind, rate, mean, sd, cols) = spec;
    let (rate, mean, sd) = (*rate, *mean, *sd);
    let regs = cols.as_ref().map(regions).transpose()?;
    Ok(match kind.as_str() {
        "shift" => Op::Shift {
            rate,
            mean,
            sd,
            within: regs.as_ref().map(Overlaps::new),
        },
        "add" => Op::Add {
            rate,
            mean,
            sd,
            valid: regs,
        },
        "add_from_file" => Op::AddFrom {
            rate,
            source: regs.ok_or_else(|| missing(kind))?,
        },
        "cut" => Op::Cut { rate },
        "merge" => Op::Merge { rate },
        "drop" => Op::Drop {
            rate,
            within: regs.as_ref().map(Overlaps::new),
        },
        other => {
            return to_py(Err(GenimlError::InvalidInput(format!(
                "bedshift op must be one of {{'shift','add','add_from_file','cut','merge','drop'}}, got '{other}'"
            ))));
        }
    })
}

type Out<'py> = (
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u32>>,
    Bound<'py, PyArray1<u8>>,
    Bound<'py, PyArray1<u64>>,
    Bound<'py, PyArray1<u64>>,
);

/// Run a BEDshift pipeline; replicates concatenated (`offsets`), counts row-major per replicate.
#[pyfunction]
#[allow(clippy::fn_params_excessive_bools)] // mirrors the Python keyword flags one to one
#[pyo3(signature = (names, sizes, original, ops, *, preserve_chrom, preserve_size, preserve_distance, current_base, seed, n_iterations, state=None))]
pub(crate) fn bedshift_run<'py>(
    py: Python<'py>,
    names: Vec<String>,
    sizes: Vec<Option<u64>>,
    original: Cols<'py>,
    ops: Vec<OpSpec<'py>>,
    preserve_chrom: bool,
    preserve_size: bool,
    preserve_distance: bool,
    current_base: bool,
    seed: u64,
    n_iterations: usize,
    state: Option<(Cols<'py>, PyReadonlyArray1<'py, u8>)>,
) -> PyResult<Out<'py>> {
    let original = regions(&original)?;
    let ops = ops.iter().map(to_op).collect::<PyResult<Vec<_>>>()?;
    let state = match state {
        Some((c, f)) => Some(Regions {
            flags: f.as_slice()?.to_vec(),
            ..regions(&c)?
        }),
        None => None,
    };
    let rate_base = if current_base {
        RateBase::Current
    } else {
        RateBase::Original
    };
    let opts = Options {
        preserve_chrom,
        preserve_size,
        preserve_distance,
        rate_base,
    };
    let out = run_detached(py, move || {
        let sh = Shifter::new(names, sizes, original, ops, opts)?;
        match &state {
            Some(st) => {
                sh.check_state(st)?;
                Ok(vec![sh.run_on(st, seed, 0)])
            }
            None => Ok(sh.run(seed, n_iterations)),
        }
    })?;
    let b = Batch::concat(out);
    Ok((
        b.regions.chroms.into_pyarray(py),
        b.regions.starts.into_pyarray(py),
        b.regions.ends.into_pyarray(py),
        b.regions.flags.into_pyarray(py),
        b.offsets.into_pyarray(py),
        b.counts.into_pyarray(py),
    ))
}
