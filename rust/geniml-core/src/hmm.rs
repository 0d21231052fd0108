//! Likelihood model, maximum-likelihood (ML) and HMM universes: four states (0 start, 1 core,
//! 2 end, 3 background) decoded per base by dynamic programming over the start/core/end
//! tracks, in log space, chromosome-parallel, only inside windows around covered positions
//! (as upstream geniml's `find_full`). Coordinates are 0-based half-open.

use rayon::prelude::*;

use crate::coverage::{ChromCoverage, Coverage, Track};
use crate::error::{GenimlError, Result};
use crate::regions::{RegionSet, RegionsRef};
use crate::universe::{FlexRegion, build_parallel};

/// Likelihood tables of one chromosome: for each track (start, core, end), row `v` holds
/// `[log10 P(background | v), log10 P(universe | v)]`, flattened (`2 * (max + 1)` values).
#[derive(Debug, Clone, PartialEq)]
pub struct ChromModel {
    /// Chromosome name.
    pub name: String,
    /// Chromosome length.
    pub size: u32,
    /// Start, core and end tables.
    pub tables: [Vec<f64>; 3],
}

/// Upstream's binomial likelihood table of one track. Values above `n_files` are clipped (the
/// count of files without the event would be negative, which gave NaN upstream); their count is
/// returned.
pub fn binomial_table(track: &Track, size: u32, n_files: u32) -> (Vec<f64>, u64) {
    let max = track.max_value();
    let mut present = vec![false; max as usize + 1];
    let mut covered = 0u64;
    for (s, e, v) in track.runs() {
        present[v as usize] = true;
        covered += u64::from(e - s);
    }
    if covered < u64::from(size) {
        present[0] = true;
    }
    let n_possible = f64::from(n_files) * f64::from(size);
    let n_cov = track.total() as f64;
    let mut table = vec![0.0; 2 * (max as usize + 1)];
    let mut clipped = 0u64;
    for (v, &p) in present.iter().enumerate() {
        if !p {
            continue;
        }
        let mut free = f64::from(n_files) - v as f64;
        if free < 0.0 {
            clipped += 1;
            free = 0.0;
        }
        let denom = n_possible - n_cov;
        let bg = if denom > 0.0 { free / denom } else { 0.0 };
        let fg = if n_cov > 0.0 { v as f64 / n_cov } else { 0.0 };
        table[2 * v] = (bg + 1e-10).log10();
        table[2 * v + 1] = (fg + 1e-10).log10();
    }
    (table, clipped)
}

/// Likelihood model of every chromosome with coverage (others are skipped: a chromosome
/// without coverage has no universe). Returns the model and the number of clipped values.
pub fn build_model(cov: &Coverage, n_files: u32) -> Result<(Vec<ChromModel>, u64)> {
    if n_files == 0 {
        return Err(GenimlError::InvalidInput(
            "the number of files (`file_no`) must be at least 1".into(),
        ));
    }
    let parts: Vec<(ChromModel, u64)> = cov
        .chroms
        .par_iter()
        .filter(|c| !c.core.is_empty() || !c.start.is_empty())
        .map(|c| {
            let (s, a) = binomial_table(&c.start, c.size, n_files);
            let (k, b) = binomial_table(&c.core, c.size, n_files);
            let (e, d) = binomial_table(&c.end, c.size, n_files);
            (
                ChromModel {
                    name: c.name.clone(),
                    size: c.size,
                    tables: [s, k, e],
                },
                a + b + d,
            )
        })
        .collect();
    if parts.is_empty() {
        return Err(GenimlError::Universe(
            "the coverage is zero everywhere; no likelihood model to build".into(),
        ));
    }
    let clipped = parts.iter().map(|p| p.1).sum();
    Ok((parts.into_iter().map(|p| p.0).collect(), clipped))
}

/// Constant-value segments of the three tracks over `[from, to)`: `(start, end, [s, c, e])`.
fn joint_segments(c: &ChromCoverage, from: u32, to: u32) -> Vec<(u32, u32, [u32; 3])> {
    let tracks = [&c.start, &c.core, &c.end];
    let mut cuts: Vec<u32> = vec![from, to];
    let mut runs: Vec<Vec<(u32, u32, u32)>> = Vec::with_capacity(3);
    for t in tracks {
        let r: Vec<(u32, u32, u32)> = t.runs_in(from, to).collect();
        for &(s, e, _) in &r {
            cuts.push(s);
            cuts.push(e);
        }
        runs.push(r);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut idx = [0usize; 3];
    let mut out = Vec::with_capacity(cuts.len());
    for w in cuts.windows(2) {
        let (s, e) = (w[0], w[1]);
        let mut vals = [0u32; 3];
        for t in 0..3 {
            while idx[t] < runs[t].len() && runs[t][idx[t]].1 <= s {
                idx[t] += 1;
            }
            if let Some(&(rs, _, v)) = runs[t].get(idx[t])
                && rs <= s
            {
                vals[t] = v;
            }
        }
        out.push((s, e, vals));
    }
    out
}

/// Upstream's `find_full`: windows around positions where any track is non-zero (500 bp on
/// each side; positions more than 1000 bp apart start a new window).
fn windows(c: &ChromCoverage, values: impl Fn([u32; 3]) -> bool) -> Vec<(u32, u32)> {
    let segs = joint_segments(c, 0, c.size);
    let mut nz: Vec<(u32, u32)> = Vec::new();
    for (s, e, v) in segs {
        if values(v) {
            match nz.last_mut() {
                Some(l) if l.1 == s => l.1 = e,
                _ => nz.push((s, e)),
            }
        }
    }
    let mut out: Vec<(u32, u32)> = Vec::new();
    let mut first = true;
    let mut cur: Option<(u32, u32)> = None; // first and last non-zero position
    for (s, e) in nz {
        match cur {
            Some((a, last)) if s - last <= 1000 => cur = Some((a, e - 1)),
            Some((a, last)) => {
                out.push((win_start(a, first), last.saturating_add(500)));
                first = false;
                cur = Some((s, e - 1));
            }
            None => cur = Some((s, e - 1)),
        }
    }
    if let Some((a, last)) = cur {
        out.push((win_start(a, first), last.saturating_add(500).min(c.size)));
    }
    out
}

fn win_start(first_pos: u32, first_window: bool) -> u32 {
    if first_window && first_pos <= 1000 {
        0
    } else {
        first_pos.saturating_sub(500)
    }
}

/// Viterbi over `segs` (constant emissions per segment), cyclic topology: state `j` is reached
/// from `j` or `j - 1` (0 from 3). Ties keep the state (upstream ML), or with `lowest_wins`
/// go to the lower-numbered predecessor (hmmlearn's argmax). Returns the per-base path.
fn decode(
    segs: &[(u32, u32, [u32; 3])],
    emit: impl Fn([u32; 3]) -> Result<[f64; 4]>,
    log_stay: [f64; 4],
    log_move: [f64; 4],
    log_start: [f64; 4],
    lowest_wins: bool,
) -> Result<Vec<u8>> {
    let n: usize = segs.iter().map(|&(s, e, _)| (e - s) as usize).sum();
    let mut back: Vec<u8> = Vec::with_capacity(n);
    let mut score = [f64::NEG_INFINITY; 4];
    let mut first = true;
    for &(s, e, v) in segs {
        let em = emit(v)?;
        for _ in s..e {
            if first {
                for j in 0..4 {
                    score[j] = log_start[j] + em[j];
                }
                back.push(0);
                first = false;
                continue;
            }
            let mut bits = 0u8;
            let mut next = [0.0; 4];
            for j in 0..4 {
                let p = (j + 3) % 4;
                let stay = score[j] + log_stay[j];
                let mv = score[p] + log_move[j];
                if mv > stay || (lowest_wins && j > 0 && mv == stay) {
                    bits |= 1 << j;
                    next[j] = mv + em[j];
                } else {
                    next[j] = stay + em[j];
                }
            }
            score = next;
            back.push(bits);
        }
    }
    let mut path = vec![3u8; n];
    if n == 0 {
        return Ok(path);
    }
    let mut state = 0usize;
    for j in 1..4 {
        if score[j] > score[state] {
            state = j;
        }
    }
    for i in (0..n).rev() {
        path[i] = state as u8;
        if back[i] & (1 << state) != 0 {
            state = (state + 3) % 4;
        }
    }
    Ok(path)
}

/// Upstream's `predictions_to_bed`: each run of non-background states becomes a flexible
/// region, its core from the first core base to the first end base. Runs without a core or an
/// end state are skipped (upstream raised `IndexError` on them, or dropped the last one).
fn path_to_regions(offset: u32, path: &[u8], out: &mut Vec<FlexRegion>) {
    let mut i = 0;
    while i < path.len() {
        if path[i] == 3 {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < path.len() && path[j] != 3 {
            j += 1;
        }
        let run = &path[i..j];
        let core = run.iter().position(|&s| s == 1);
        let end = run.iter().position(|&s| s == 2);
        if let (Some(a), Some(b)) = (core, end) {
            out.push(FlexRegion {
                start: offset + i as u32,
                end: offset + j as u32,
                thick: (offset + (i + a) as u32, offset + (i + b) as u32),
            });
        }
        i = j;
    }
}

/// Decode one chromosome window by window.
fn decode_chrom(
    c: &ChromCoverage,
    nonzero: impl Fn([u32; 3]) -> bool,
    transform: impl Fn([u32; 3]) -> [u32; 3],
    emit: impl Fn([u32; 3]) -> Result<[f64; 4]>,
    log_stay: [f64; 4],
    log_move: [f64; 4],
    log_start: [f64; 4],
    lowest_wins: bool,
) -> Result<Vec<FlexRegion>> {
    let mut out = Vec::new();
    for (s, e) in windows(c, &nonzero) {
        let e = e.min(c.size);
        let segs: Vec<(u32, u32, [u32; 3])> = joint_segments(c, s, e)
            .into_iter()
            .map(|(a, b, v)| (a, b, transform(v)))
            .collect();
        let path = decode(&segs, &emit, log_stay, log_move, log_start, lowest_wins)?;
        path_to_regions(s, &path, &mut out);
    }
    Ok(out)
}

/// Maximum-likelihood flexible universe (upstream `ml_universe`): per base, state scores are
/// sums of the model's log10 likelihoods (`start + core_bg + end_bg` for state 0, ...).
pub fn ml_universe(cov: &Coverage, model: &[ChromModel]) -> Result<RegionSet> {
    for c in &cov.chroms {
        if !c.core.is_empty() && !model.iter().any(|m| m.name == c.name) {
            let known: Vec<&str> = model.iter().take(5).map(|m| m.name.as_str()).collect();
            return Err(GenimlError::UnknownChrom(format!(
                "the likelihood model has no chromosome '{}' (it holds {}{}); was it built \
                 from other coverage?",
                c.name,
                known.join(", "),
                if model.len() > 5 { ", ..." } else { "" }
            )));
        }
    }
    build_parallel(cov, true, |c| {
        let Some(m) = model.iter().find(|m| m.name == c.name) else {
            return Ok(Vec::new());
        };
        let lookup = |t: usize, v: u32| -> Result<(f64, f64)> {
            let tab = &m.tables[t];
            let i = 2 * v as usize;
            match (tab.get(i), tab.get(i + 1)) {
                (Some(&b), Some(&u)) => Ok((b, u)),
                _ => Err(GenimlError::Hmm(format!(
                    "{}: coverage value {v} of the {} track lies outside the likelihood \
                     model (max {}); was the model built from other coverage?",
                    c.name,
                    ["start", "core", "end"][t],
                    tab.len() / 2 - 1
                ))),
            }
        };
        let emit = |v: [u32; 3]| -> Result<[f64; 4]> {
            let (sb, su) = lookup(0, v[0])?;
            let (cb, cu) = lookup(1, v[1])?;
            let (eb, eu) = lookup(2, v[2])?;
            Ok([su + cb + eb, sb + cu + eb, sb + cb + eu, sb + cb + eb])
        };
        decode_chrom(
            c,
            |v| v.iter().sum::<u32>() >= 1,
            |v| v,
            emit,
            [0.0; 4],
            [0.0; 4],
            [0.0; 4],
            false,
        )
    })
}

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
pub fn hmm_universe(cov: &Coverage, params: &HmmParams, states: u8) -> Result<RegionSet> {
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
        decode_chrom(
            c,
            |v| transform(v).iter().sum::<u32>() >= 1,
            transform,
            emit,
            log_stay,
            log_move,
            log_start,
            true,
        )
    })
}

/// Row `v` of a likelihood table: `(background, universe)`.
fn row(tab: &[f64], v: u32, chrom: &str, track: usize) -> Result<(f64, f64)> {
    let i = 2 * v as usize;
    match (tab.get(i), tab.get(i + 1)) {
        (Some(&b), Some(&u)) => Ok((b, u)),
        _ => Err(GenimlError::Hmm(format!(
            "{chrom}: coverage value {v} of the {} track lies outside the likelihood model \
             (max {}); was the model built from other coverage?",
            ["start", "core", "end"][track],
            (tab.len() / 2).saturating_sub(1)
        ))),
    }
}

/// Sum of `f(value)` over the bases of `[from, to)` of a track (zero gaps included).
fn sum_over(
    track: &Track,
    from: u32,
    to: u32,
    mut f: impl FnMut(u32) -> Result<f64>,
) -> Result<f64> {
    let mut acc = 0.0;
    let mut pos = from;
    for (s, e, v) in track.runs_in(from, to) {
        if s > pos {
            acc += f(0)? * f64::from(s - pos);
        }
        acc += f(v)? * f64::from(e - s);
        pos = e;
    }
    if to > pos {
        acc += f(0)? * f64::from(to - pos);
    }
    Ok(acc)
}

/// Per-base values of a track over `[from, to)`.
fn values_in(track: &Track, from: u32, to: u32) -> Vec<u32> {
    let mut out = Vec::with_capacity((to - from) as usize);
    let mut pos = from;
    for (s, e, v) in track.runs_in(from, to) {
        out.extend(std::iter::repeat_n(0, (s - pos) as usize));
        out.extend(std::iter::repeat_n(v, (e - s) as usize));
        pos = e;
    }
    out.extend(std::iter::repeat_n(0, (to - pos) as usize));
    out
}

/// Upstream's `weigh_livelihood` over `[s, e)`: the boundary part of a flexible region.
fn weigh(
    c: &ChromCoverage,
    m: &ChromModel,
    (s, e): (u32, u32),
    process: usize,
    out: usize,
    reverse: bool,
) -> Result<f64> {
    let n = (e - s) as usize;
    if n == 0 {
        return Ok(0.0);
    }
    let tracks = [&c.start, &c.core, &c.end];
    let (pv, cv, ov) = (
        values_in(tracks[process], s, e),
        values_in(&c.core, s, e),
        values_in(tracks[out], s, e),
    );
    let e_w = 1.0 / n as f64;
    let step = if n > 1 {
        (1.0 - e_w) / (n - 1) as f64
    } else {
        0.0
    };
    let mut res = 0.0;
    for k in 0..n {
        let idx = if reverse { n - 1 - k } else { k };
        let c_w = if idx == n - 1 {
            1.0
        } else {
            e_w + idx as f64 * step
        };
        let (p0, p1) = row(&m.tables[process], pv[k], &c.name, process)?;
        let (c0, c1) = row(&m.tables[1], cv[k], &c.name, 1)?;
        let (o0, _) = row(&m.tables[out], ov[k], &c.name, out)?;
        res += e_w * p1 + c_w * c1 + (1.0 - e_w) * p0 + (1.0 - c_w) * c0 + o0;
    }
    Ok(res)
}

/// Log10 likelihood of a universe given a model and coverage (upstream
/// `hard_universe_likelihood` / `likelihood_flexible_universe`). Hard: a region contributes
/// its first base to the start track, `[start, end)` to the core track and the base at `end`
/// to the end track; every other base is background. Flexible (`thick` given): the core
/// `[thickStart, thickEnd)` counts as universe on the core track, the boundaries are weighted
/// linearly as upstream does. Universe chromosomes absent from the model are skipped; regions
/// are assumed sorted and non-overlapping (as every builder writes them).
pub fn universe_likelihood(
    cov: &Coverage,
    model: &[ChromModel],
    universe: &crate::assess::UniverseRef<'_>,
) -> Result<f64> {
    Ok(universe_likelihood_detail(cov, model, universe)?.0)
}

/// [`universe_likelihood`] and each region's contribution (its likelihood minus that of
/// background over the same bases; NaN on chromosomes absent from the model), as upstream's
/// `save_peak_input`.
pub fn universe_likelihood_detail(
    cov: &Coverage,
    model: &[ChromModel],
    universe: &crate::assess::UniverseRef<'_>,
) -> Result<(f64, Vec<f64>)> {
    let u = &universe.regions;
    let mut by_chrom: std::collections::HashMap<&str, Vec<usize>> =
        std::collections::HashMap::new();
    for i in 0..u.len() {
        by_chrom
            .entry(u.names[u.chroms[i] as usize].as_str())
            .or_default()
            .push(i);
    }
    let empty = ChromCoverage::default();
    let parts: Vec<Result<(f64, Vec<(usize, f64)>)>> = model
        .par_iter()
        .map(|m| {
            let mut contrib: Vec<(usize, f64)> = Vec::new();
            let found = cov.chroms.iter().find(|c| c.name == m.name);
            let c = found.unwrap_or(&empty);
            let size = if found.is_some() { c.size } else { m.size };
            let tracks = [&c.start, &c.core, &c.end];
            let mut res = 0.0;
            for (t, track) in tracks.iter().enumerate() {
                res += sum_over(track, 0, size, |v| Ok(row(&m.tables[t], v, &m.name, t)?.0))?;
            }
            let rows = by_chrom.get(m.name.as_str()).map_or(&[][..], Vec::as_slice);
            let diff = |t: usize, a: u32, b: u32| -> Result<f64> {
                let (a, b) = (a.min(size), b.min(size));
                sum_over(tracks[t], a, b, |v| {
                    let (bg, un) = row(&m.tables[t], v, &m.name, t)?;
                    Ok(un - bg)
                })
            };
            for &i in rows {
                let (s, e) = (u.starts[i], u.ends[i]);
                let before = res;
                match universe.thick {
                    None => {
                        res += diff(0, s, s.saturating_add(1))?;
                        res += diff(1, s, e)?;
                        res += diff(2, e, e.saturating_add(1))?;
                    }
                    Some((ts, te)) => {
                        let (ts, te) =
                            (ts[i].clamp(s, e), te[i].clamp(s, e).max(ts[i].clamp(s, e)));
                        let (s, e, ts, te) = (s.min(size), e.min(size), ts.min(size), te.min(size));
                        for (t, track) in tracks.iter().enumerate() {
                            res -=
                                sum_over(track, s, e, |v| Ok(row(&m.tables[t], v, &m.name, t)?.0))?;
                        }
                        res +=
                            sum_over(&c.core, ts, te, |v| Ok(row(&m.tables[1], v, &m.name, 1)?.1))?;
                        res +=
                            sum_over(
                                &c.start,
                                ts,
                                te,
                                |v| Ok(row(&m.tables[0], v, &m.name, 0)?.0),
                            )?;
                        res +=
                            sum_over(&c.end, ts, te, |v| Ok(row(&m.tables[2], v, &m.name, 2)?.0))?;
                        res += weigh(c, m, (s, ts), 0, 2, false)?;
                        res += weigh(c, m, (te, e), 2, 0, true)?;
                    }
                }
                contrib.push((i, res - before));
            }
            Ok((res, contrib))
        })
        .collect();
    let mut total = 0.0;
    let mut per_region = vec![f64::NAN; u.len()];
    for p in parts {
        let (t, c) = p?;
        total += t;
        for (i, x) in c {
            per_region[i] = x;
        }
    }
    Ok((total, per_region))
}

/// Largest value of `track` in each region of `regions` (0 on chromosomes the coverage lacks).
pub fn region_max(
    cov: &Coverage,
    kind: crate::coverage::TrackKind,
    regions: &RegionsRef<'_>,
) -> Vec<u32> {
    let index: std::collections::HashMap<&str, &ChromCoverage> =
        cov.chroms.iter().map(|c| (c.name.as_str(), c)).collect();
    (0..regions.len())
        .map(|i| {
            index
                .get(regions.names[regions.chroms[i] as usize].as_str())
                .map_or(0, |c| {
                    c.track(kind)
                        .runs_in(regions.starts[i], regions.ends[i])
                        .map(|r| r.2)
                        .max()
                        .unwrap_or(0)
                })
        })
        .collect()
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

    #[test]
    fn decode_follows_the_cycle() {
        // Emissions favour 3,0,0,1,1,2,3.
        let pref = [3usize, 0, 0, 1, 1, 2, 3];
        let segs: Vec<(u32, u32, [u32; 3])> = pref
            .iter()
            .enumerate()
            .map(|(i, &p)| (i as u32, i as u32 + 1, [p as u32, 0, 0]))
            .collect();
        let emit = |v: [u32; 3]| -> Result<[f64; 4]> {
            let mut e = [-5.0; 4];
            e[v[0] as usize] = 0.0;
            Ok(e)
        };
        let path = decode(&segs, emit, [0.0; 4], [0.0; 4], [0.0; 4], false).unwrap();
        assert_eq!(path, vec![3, 0, 0, 1, 1, 2, 3]);
        let mut out = Vec::new();
        path_to_regions(100, &path, &mut out);
        assert_eq!(
            out,
            vec![FlexRegion {
                start: 101,
                end: 106,
                thick: (103, 105)
            }]
        );
    }
}
