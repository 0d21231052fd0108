//! Poisson-HMM universe (upstream geniml's `hmm_universe`): four states (start -> core -> end
//! -> background -> start) with optional quantile normalisation of the tracks, decoded with
//! Viterbi in log space, chromosome-parallel. Coordinates are 0-based half-open.

use rayon::prelude::*;

use crate::coverage::{ChromCoverage, Coverage, Track};
use crate::decode::{decode_chrom, joint_segments, windows};
use crate::error::{GenimlError, Result};
use crate::regions::RegionSet;
use crate::universe::{FlexPost, build_parallel};

/// Parameters of the Poisson HMM.
#[derive(Debug, Clone)]
pub struct HmmParams {
    /// Transition matrix (rows: from; 4 x 4). Only self and cyclic-next transitions are used
    /// (upstream's matrix has no other non-zero entry).
    pub transmat: [[f64; 4]; 4],
    /// Poisson means per state (rows) and track (start, core, end).
    pub lambdas: [[f64; 3]; 4],
    /// Start probabilities.
    pub startprob: [f64; 4],
    /// Quantile-normalise the tracks first (upstream default).
    pub normalize: bool,
}

impl Default for HmmParams {
    /// Upstream geniml's defaults (`universe/const.py`, `models.py`).
    fn default() -> Self {
        Self {
            transmat: [
                [1.0 - 1e-10, 1e-10, 0.0, 0.0],
                [0.0, 1.0 - 1e-6, 1e-6, 0.0],
                [0.0, 0.0, 1.0 - 1e-10, 1e-10],
                [0.1, 0.0, 0.0, 0.9],
            ],
            lambdas: [
                [5.0, 3.0, 0.0001],
                [0.05, 5.0, 0.05],
                [0.0001, 3.0, 5.0],
                [0.0001, 0.001, 0.0001],
            ],
            startprob: [0.01, 0.01, 0.97, 0.01],
            normalize: true,
        }
    }
}

/// `scipy.stats.nbinom.ppf(q, 1, p)` (a geometric distribution): the smallest `k >= 0` with
/// `1 - (1 - p)^(k + 1) >= q`.
fn geometric_ppf(q: f64, p: f64) -> u32 {
    const CAP: u32 = 65_535; // upstream stores the result in a uint16 track
    if q <= 0.0 {
        return 0;
    }
    if q >= 1.0 {
        return CAP;
    }
    let guess = ((1.0 - q).ln() / (1.0 - p).ln() - 1.0)
        .ceil()
        .clamp(0.0, f64::from(CAP));
    let mut k = guess as u32;
    let cdf = |k: u32| 1.0 - (1.0 - p).powi(k.min(CAP) as i32 + 1);
    while k > 0 && cdf(k - 1) >= q {
        k -= 1;
    }
    while k < CAP && cdf(k) < q {
        k += 1;
    }
    k
}

/// Upstream's `norm`: map each non-zero value to the geometric quantile of the middle of its
/// share of the non-zero value distribution (`p = 0.1` for start/end, `0.2` for core).
fn normaliser(track: &Track, p: f64) -> Vec<u32> {
    let max = track.max_value() as usize;
    let mut counts = vec![0u64; max + 1];
    for (s, e, v) in track.runs() {
        counts[v as usize] += u64::from(e - s);
    }
    let total: u64 = counts.iter().sum();
    let mut map = vec![0u32; max + 1];
    let mut bs = 0.0;
    for v in 1..=max {
        if counts[v] == 0 {
            continue;
        }
        let mv = counts[v] as f64 / total as f64 / 2.0;
        map[v] = geometric_ppf(bs + mv, p);
        bs += mv * 2.0;
    }
    map
}

fn poisson_logpmf(x: u32, lambda: f64) -> f64 {
    // scipy's order: xlogy(k, mu) - gammaln(k + 1) - mu.
    let xlogy = if x == 0 {
        0.0
    } else {
        f64::from(x) * lambda.ln()
    };
    xlogy - ln_factorial(x) - lambda
}

/// ln(x!) computed as scipy's `gammaln(x + 1)` (cephes `lgam`) does for integers: the log of
/// the exact product below 13, Stirling's series with cephes' coefficients above.
fn ln_factorial(x: u32) -> f64 {
    const LS2PI: f64 = 0.918_938_533_204_672_8;
    const A: [f64; 5] = [
        8.116_141_674_705_085e-4,
        -5.950_619_042_843_014e-4,
        7.936_503_404_577_169e-4,
        -2.777_777_777_300_997e-3,
        8.333_333_333_333_319e-2,
    ];
    let z = f64::from(x) + 1.0;
    if z < 13.0 {
        let mut f = 1.0_f64;
        for i in 2..=x {
            f *= f64::from(i);
        }
        return f.ln();
    }
    let mut q = (z - 0.5) * z.ln() - z + LS2PI;
    if z > 1.0e8 {
        return q;
    }
    let p = 1.0 / (z * z);
    if z >= 1000.0 {
        q += ((7.936_507_936_507_937e-4 * p - 2.777_777_777_777_778e-3) * p
            + 0.083_333_333_333_333_33)
            / z;
    } else {
        let mut ans = A[0];
        for &c in &A[1..] {
            ans = ans * p + c;
        }
        q += ans / z;
    }
    q
}

/// Upstream's per-track normalisation tables (`None` without normalisation).
fn hmm_maps(c: &ChromCoverage, normalize: bool) -> Option<[Vec<u32>; 3]> {
    normalize.then(|| {
        [
            normaliser(&c.start, 0.1),
            normaliser(&c.core, 0.2),
            normaliser(&c.end, 0.1),
        ]
    })
}

/// Normalise (when asked) and, for 3 states, sum start and end into one boundary signal.
fn hmm_apply(maps: Option<&[Vec<u32>; 3]>, states: u8, v: [u32; 3]) -> [u32; 3] {
    let mut v = match maps {
        Some(m) => std::array::from_fn(|t| m[t].get(v[t] as usize).copied().unwrap_or(0)),
        None => v,
    };
    if states == 3 {
        let b = v[0].saturating_add(v[2]);
        v = [b, v[1], b];
    }
    v
}

/// Dense `(start, core, end)` observations of an evenly spaced sample of the HMM windows
/// (at most about `max_bases` positions), for fitting the parameters (Baum-Welch) outside the
/// core. Returns the flattened `n x 3` values and the window lengths.
pub fn hmm_sample(
    cov: &Coverage,
    normalize: bool,
    states: u8,
    max_bases: u64,
) -> Result<(Vec<u32>, Vec<u64>)> {
    if states != 3 && states != 4 {
        return Err(GenimlError::InvalidInput(format!(
            "`states` must be 3 or 4, got {states}"
        )));
    }
    let per_chrom: Vec<(usize, Vec<(u32, u32)>)> = cov
        .chroms
        .par_iter()
        .enumerate()
        .map(|(k, c)| {
            let maps = hmm_maps(c, normalize);
            let nz = |v: [u32; 3]| hmm_apply(maps.as_ref(), states, v).iter().sum::<u32>() >= 1;
            (k, windows(c, nz))
        })
        .collect();
    let all: Vec<(usize, u32, u32)> = per_chrom
        .into_iter()
        .flat_map(|(k, w)| w.into_iter().map(move |(s, e)| (k, s, e)))
        .collect();
    let total: u64 = all.iter().map(|&(_, s, e)| u64::from(e - s)).sum();
    if total == 0 {
        return Err(GenimlError::Hmm(
            "no covered position to fit the HMM on".into(),
        ));
    }
    let stride = total.div_ceil(max_bases.max(1)).max(1) as usize;
    let mut values = Vec::new();
    let mut lengths = Vec::new();
    for &(k, s, e) in all.iter().step_by(stride) {
        let c = &cov.chroms[k];
        let e = e.min(c.size);
        let maps = hmm_maps(c, normalize);
        for (a, b, v) in joint_segments(c, s, e) {
            let v = hmm_apply(maps.as_ref(), states, v);
            for _ in a..b {
                values.extend_from_slice(&v);
            }
        }
        lengths.push(u64::from(e - s));
    }
    Ok((values, lengths))
}

/// Poisson-HMM flexible universe (upstream `hmm_universe`) decoded with Viterbi in log space.
/// `states = 3` merges start and end into the boundary state: the start and end tracks are
/// summed and the boundary emission is used before and after the core.
///
/// `post` filters and merges the regions of each chromosome.
pub fn hmm_universe(
    cov: &Coverage,
    params: &HmmParams,
    states: u8,
    post: &FlexPost,
) -> Result<RegionSet> {
    if states != 3 && states != 4 {
        return Err(GenimlError::InvalidInput(format!(
            "`states` must be 3 or 4, got {states}"
        )));
    }
    for (i, row) in params.transmat.iter().enumerate() {
        let other: f64 = (0..4)
            .filter(|&j| j != i && j != (i + 1) % 4)
            .map(|j| row[j])
            .sum();
        if other > 0.0 || row.iter().any(|&x| !(0.0..=1.0).contains(&x)) {
            return Err(GenimlError::Hmm(format!(
                "transition matrix row {i} must only move to itself or to state {} (start -> \
                 core -> end -> background -> start), with probabilities in [0, 1]",
                (i + 1) % 4
            )));
        }
    }
    if params
        .lambdas
        .iter()
        .flatten()
        .any(|&l| l.is_nan() || l <= 0.0)
    {
        return Err(GenimlError::Hmm("Poisson means must be positive".into()));
    }
    let ln = |x: f64| if x > 0.0 { x.ln() } else { f64::NEG_INFINITY };
    let log_stay: [f64; 4] = std::array::from_fn(|j| ln(params.transmat[j][j]));
    let log_move: [f64; 4] = std::array::from_fn(|j| ln(params.transmat[(j + 3) % 4][j]));
    let log_start: [f64; 4] = std::array::from_fn(|j| ln(params.startprob[j]));
    let lam = params.lambdas;
    build_parallel(cov, true, |c| {
        let maps = hmm_maps(c, params.normalize);
        let transform = |v: [u32; 3]| hmm_apply(maps.as_ref(), states, v);
        let emit = |v: [u32; 3]| -> Result<[f64; 4]> {
            Ok(std::array::from_fn(|j| {
                (0..3).map(|t| poisson_logpmf(v[t], lam[j][t])).sum()
            }))
        };
        let regions = decode_chrom(
            c,
            |v| transform(v).iter().sum::<u32>() >= 1,
            transform,
            emit,
            log_stay,
            log_move,
            log_start,
            true,
        )?;
        Ok(post.apply(regions))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn geometric_ppf_matches_scipy() {
        // scipy.stats.nbinom.ppf([0.05, 0.5, 0.9, 0.99], 1, 0.1) == [0, 6, 21, 43]
        let got: Vec<u32> = [0.05, 0.5, 0.9, 0.99]
            .iter()
            .map(|&q| geometric_ppf(q, 0.1))
            .collect();
        assert_eq!(got, vec![0, 6, 21, 43]);
    }

    #[test]
    fn ln_factorial_is_accurate() {
        assert_eq!(ln_factorial(0), 0.0);
        assert!((ln_factorial(4) - 24f64.ln()).abs() < 1e-12);
        assert!((ln_factorial(10) - 3_628_800f64.ln()).abs() < 1e-12);
        // 20! = 2432902008176640000 (exact in f64); the Stirling branch agrees
        assert!((ln_factorial(20) - 2_432_902_008_176_640_000f64.ln()).abs() < 1e-12);
        assert!((ln_factorial(150) - (ln_factorial(149) + 150f64.ln())).abs() < 1e-9);
    }
}
