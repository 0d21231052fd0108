//! Universe builders over run-length encoded coverage: coverage cut-off (CC) and coverage
//! cut-off flexible (CCF). Chromosomes are processed in parallel; output is sorted in natural
//! chromosome order. Coordinates are 0-based half-open.
//!
//! Flexible universes are BED9 lines `chrom start end universe 0 . thickStart thickEnd 0,0,255`
//! (as upstream geniml writes them): `[start, end)` is the widest extent, `[thickStart,
//! thickEnd)` the core.

use rayon::prelude::*;

use crate::coverage::{ChromCoverage, Coverage, Track};
use crate::error::{GenimlError, Result};
use crate::regions::{Extra, RegionSet};

/// One region of a universe; `thick` is the core of a flexible region.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlexRegion {
    /// Start of the widest extent.
    pub start: u32,
    /// End of the widest extent.
    pub end: u32,
    /// Core `[thickStart, thickEnd)` (equal to `[start, end)` for hard regions).
    pub thick: (u32, u32),
}

/// Options of [`cc_universe`].
#[derive(Debug, Clone, Copy, Default)]
pub struct CcOptions {
    /// Bases with coverage `>= cutoff` enter the universe; `None`: the chromosome's mean
    /// coverage (upstream's default).
    pub cutoff: Option<f64>,
    /// Two regions whose closest bases are less than `merge` bp apart are joined (upstream:
    /// `next_start - (prev_end - 1) < merge`; 0 and 1 join nothing).
    pub merge: u32,
    /// Regions shorter than this are dropped.
    pub min_size: u32,
}

/// Options of [`ccf_universe`].
#[derive(Debug, Clone, Copy)]
pub struct CcfOptions {
    /// Centre of the flexible band; `None`: the chromosome's mean coverage (upstream).
    pub cutoff: Option<f64>,
    /// The cut-offs are the quantiles `q -/+ (1 - confidence)` of the non-zero coverage
    /// around the quantile `q` of the centre value (upstream: `+-0.2`, i.e. 0.8).
    pub confidence: f64,
    /// Join flexible regions separated by a gap of less than `merge` bp (0: never).
    pub merge: u32,
    /// Drop flexible regions shorter than this.
    pub min_size: u32,
}

impl Default for CcfOptions {
    fn default() -> Self {
        Self {
            cutoff: None,
            confidence: 0.8,
            merge: 0,
            min_size: 0,
        }
    }
}

/// Size filter and flexible merge applied to the ML and HMM universes (in this order: regions
/// shorter than `min_size` are dropped first, then the rest are joined as in [`CcfOptions`]).
#[derive(Debug, Clone, Copy, Default)]
pub struct FlexPost {
    /// Join flexible regions separated by a gap of less than `merge` bp (0: never).
    pub merge: u32,
    /// Drop flexible regions shorter than this (before merging).
    pub min_size: u32,
}

impl FlexPost {
    /// Filter then merge one chromosome's regions (sorted, non-overlapping).
    #[must_use]
    pub fn apply(&self, mut regions: Vec<FlexRegion>) -> Vec<FlexRegion> {
        regions.retain(|r| r.end - r.start >= self.min_size);
        merge_flexible(regions, self.merge)
    }
}

/// Mean coverage of a chromosome (sum over bases / length).
fn mean(track: &Track, size: u32) -> f64 {
    if size == 0 {
        return 0.0;
    }
    track.total() as f64 / f64::from(size)
}

/// Coverage cut-off regions of one chromosome.
pub fn cc_chrom(c: &ChromCoverage, opts: &CcOptions) -> Vec<FlexRegion> {
    if c.core.is_empty() {
        return Vec::new();
    }
    let cutoff = opts.cutoff.unwrap_or_else(|| mean(&c.core, c.size));
    let mut runs: Vec<(u32, u32)> = Vec::new();
    for (s, e, v) in c.core.runs() {
        if f64::from(v) >= cutoff {
            match runs.last_mut() {
                Some(last) if last.1 == s => last.1 = e,
                _ => runs.push((s, e)),
            }
        }
    }
    let mut out: Vec<(u32, u32)> = Vec::with_capacity(runs.len());
    for (s, e) in runs {
        match out.last_mut() {
            Some(last) if u64::from(s - last.1) + 1 < u64::from(opts.merge) => last.1 = e,
            _ => out.push((s, e)),
        }
    }
    out.into_iter()
        .filter(|&(s, e)| e - s >= opts.min_size)
        .map(|(s, e)| FlexRegion {
            start: s,
            end: e,
            thick: (s, e),
        })
        .collect()
}

/// Sorted histogram of the non-zero values of a track: `(value, n_bases)`.
fn histogram(track: &Track) -> Vec<(u32, u64)> {
    let mut h: Vec<(u32, u64)> = track
        .runs()
        .map(|(s, e, v)| (v, u64::from(e - s)))
        .collect();
    h.sort_unstable_by_key(|&(v, _)| v);
    let mut out: Vec<(u32, u64)> = Vec::with_capacity(h.len());
    for (v, n) in h {
        match out.last_mut() {
            Some(last) if last.0 == v => last.1 += n,
            _ => out.push((v, n)),
        }
    }
    out
}

/// The value of rank `k` (0-based) in the sorted non-zero values.
fn value_at_rank(hist: &[(u32, u64)], cum: &[u64], k: u64) -> f64 {
    let i = cum.partition_point(|&c| c <= k);
    f64::from(hist[i.min(hist.len() - 1)].0)
}

/// `numpy.quantile(sorted, q)` with the default linear method, from a histogram.
fn quantile(hist: &[(u32, u64)], cum: &[u64], q: f64) -> f64 {
    let n = *cum.last().unwrap_or(&0);
    if n == 0 {
        return 0.0;
    }
    let nf = n as f64;
    // numpy: n * q + (alpha + q * (1 - alpha - beta)) - 1 with alpha = beta = 1.
    let (alpha, beta) = (1.0_f64, 1.0_f64);
    let virtual_index = nf * q + (alpha + q * (1.0 - alpha - beta)) - 1.0;
    if virtual_index < 0.0 {
        return value_at_rank(hist, cum, 0);
    }
    if virtual_index >= nf - 1.0 {
        return value_at_rank(hist, cum, n - 1);
    }
    let prev = virtual_index.floor();
    let gamma = virtual_index - prev;
    let a = value_at_rank(hist, cum, prev as u64);
    let b = value_at_rank(hist, cum, prev as u64 + 1);
    let diff = b - a;
    if gamma >= 0.5 {
        b - diff * (1.0 - gamma)
    } else {
        a + diff * gamma
    }
}

/// Lower and upper cut-offs of CCF for one chromosome (upstream `get_uni` of ccf).
pub fn ccf_cutoffs(c: &ChromCoverage, cutoff: Option<f64>, confidence: f64) -> Option<(f64, f64)> {
    let hist = histogram(&c.core);
    if hist.is_empty() {
        return None;
    }
    let mut cum = Vec::with_capacity(hist.len());
    let mut acc = 0u64;
    for &(_, n) in &hist {
        acc += n;
        cum.push(acc);
    }
    let n = acc as f64;
    let centre = cutoff.unwrap_or_else(|| mean(&c.core, c.size));
    let centre = centre.round_ties_even().max(1.0);
    // Exact value, else the nearest one (ties: the smaller).
    let k = if let Some(k) = hist.iter().position(|&(v, _)| f64::from(v) == centre) {
        k
    } else {
        let mut best = 0;
        for (i, &(v, _)) in hist.iter().enumerate() {
            if (f64::from(v) - centre).abs() < (f64::from(hist[best].0) - centre).abs() {
                best = i;
            }
        }
        best
    };
    let first = if k == 0 { 0 } else { cum[k - 1] } as f64;
    let last = (cum[k] - 1) as f64;
    let q = f64::midpoint(first / n, last / n);
    // Rounded so that confidence 0.8 gives exactly upstream's 0.2 (1.0 - 0.8 != 0.2 in f64).
    let half = ((1.0 - confidence) * 1e12).round() / 1e12;
    let lower = quantile(&hist, &cum, (q - half).max(0.0));
    let upper = quantile(&hist, &cum, (q + half).min(1.0));
    Some((lower, upper))
}

/// Position of the first minimum over `[from, to)` of contiguous segments `(start, end, value)`.
fn argmin(segs: &[(u32, u32, u32)], from: u32, to: u32) -> u32 {
    let k0 = segs.partition_point(|&(_, e, _)| e <= from);
    let mut best = (u32::MAX, from);
    for &(s, _, v) in &segs[k0..] {
        if s >= to {
            break;
        }
        if v < best.0 {
            best = (v, s.max(from));
        }
    }
    best.1
}

/// Coverage cut-off flexible regions of one chromosome.
pub fn ccf_chrom(c: &ChromCoverage, opts: &CcfOptions) -> Vec<FlexRegion> {
    let Some((lower, upper)) = ccf_cutoffs(c, opts.cutoff, opts.confidence) else {
        return Vec::new();
    };
    // State segments: 1 boundary (>= lower), 2 core (> upper); only non-zero coverage can pass.
    let segs: Vec<(u32, u32, u32)> = c.core.runs().collect();
    let state = |v: u32| -> u8 {
        let v = f64::from(v);
        if v > upper { 2 } else { u8::from(v >= lower) }
    };
    let mut out = Vec::new();
    let mut k = 0;
    while k < segs.len() {
        if state(segs[k].2) == 0 {
            k += 1;
            continue;
        }
        // A run of contiguous non-background segments [k, j).
        let mut j = k + 1;
        while j < segs.len() && segs[j].0 == segs[j - 1].1 && state(segs[j].2) != 0 {
            j += 1;
        }
        flexible_run(&segs[k..j], &segs, state, &mut out);
        k = j;
    }
    out = merge_flexible(out, opts.merge);
    out.retain(|r| r.end - r.start >= opts.min_size);
    out
}

/// Upstream's `ana_region` on one run of non-background bases.
fn flexible_run(
    run: &[(u32, u32, u32)],
    all: &[(u32, u32, u32)],
    state: impl Fn(u32) -> u8,
    out: &mut Vec<FlexRegion>,
) {
    let (Some(first), Some(last)) = (run.first(), run.last()) else {
        return;
    };
    let (rs, re) = (first.0, last.1);
    // Maximal core segments.
    let mut cores: Vec<(u32, u32)> = Vec::new();
    for &(s, e, v) in run {
        if state(v) == 2 {
            match cores.last_mut() {
                Some(c) if c.1 == s => c.1 = e,
                _ => cores.push((s, e)),
            }
        }
    }
    let (Some(&c0), Some(&cl)) = (cores.first(), cores.last()) else {
        return;
    };
    let mut starts = vec![rs];
    let mut ends: Vec<u32> = Vec::new();
    let mut core_s = vec![c0.0 + u32::from(c0.0 == rs)];
    let mut core_e: Vec<u32> = Vec::new();
    for w in cores.windows(2) {
        let (prev, next) = (w[0], w[1]);
        if next.0 - (prev.1 - 1) >= 50 {
            core_e.push(prev.1 - 1);
            let m = argmin(all, prev.1 - 1, next.0);
            ends.push(m);
            starts.push(m + 1);
            core_s.push(next.0 + u32::from(next.0 == m + 1));
        }
    }
    core_e.push((cl.1 - 1).saturating_sub(u32::from(cl.1 == re)));
    ends.push(re - 1);
    for i in 0..starts.len() {
        let (a, b) = (core_s[i], core_e[i]);
        // Upstream drops a == b only for runs before the last of a chromosome and can emit
        // thickStart > thickEnd; both are dropped here.
        if a < b {
            out.push(FlexRegion {
                start: starts[i],
                end: ends[i] + 1,
                thick: (a, b),
            });
        }
    }
}

fn merge_flexible(regions: Vec<FlexRegion>, merge: u32) -> Vec<FlexRegion> {
    if merge == 0 {
        return regions;
    }
    let mut out: Vec<FlexRegion> = Vec::with_capacity(regions.len());
    for r in regions {
        match out.last_mut() {
            Some(last) if r.start > last.end && r.start - last.end < merge => {
                last.end = r.end;
                last.thick.1 = r.thick.1;
            }
            _ => out.push(r),
        }
    }
    out
}

/// Run `per_chrom` on every chromosome in parallel and gather the regions in order.
pub fn build_parallel<F>(cov: &Coverage, flexible: bool, per_chrom: F) -> Result<RegionSet>
where
    F: Fn(&ChromCoverage) -> Result<Vec<FlexRegion>> + Sync,
{
    let parts: Vec<Result<Vec<FlexRegion>>> = cov.chroms.par_iter().map(&per_chrom).collect();
    let mut out = RegionSet {
        names: cov.chroms.iter().map(|c| c.name.clone()).collect(),
        ..RegionSet::default()
    };
    let mut extra = Extra {
        buf: Vec::new(),
        offsets: vec![0],
    };
    for (id, part) in parts.into_iter().enumerate() {
        for r in part? {
            out.chroms.push(id as u32);
            out.starts.push(r.start);
            out.ends.push(r.end);
            if flexible {
                let text = format!("universe\t0\t.\t{}\t{}\t0,0,255", r.thick.0, r.thick.1);
                extra.buf.extend_from_slice(text.as_bytes());
                extra.offsets.push(extra.buf.len() as u64);
            }
        }
    }
    if flexible {
        out.extra = Some(extra);
    }
    Ok(out)
}

fn check_nonempty(cov: &Coverage) -> Result<()> {
    if cov.chroms.iter().all(|c| c.core.is_empty()) {
        return Err(GenimlError::Universe(
            "the core coverage is zero everywhere; nothing to build a universe from".into(),
        ));
    }
    Ok(())
}

/// A coverage cut-off is a count: finite and `>= 0`.
fn check_cutoff(cutoff: Option<f64>) -> Result<()> {
    match cutoff {
        Some(c) if !c.is_finite() || c < 0.0 => Err(GenimlError::InvalidInput(format!(
            "`cutoff` must be a finite number >= 0 (a coverage count), got {c}"
        ))),
        _ => Ok(()),
    }
}

/// Coverage cut-off universe (BED3). A chromosome without coverage yields nothing.
pub fn cc_universe(cov: &Coverage, opts: &CcOptions) -> Result<RegionSet> {
    check_nonempty(cov)?;
    check_cutoff(opts.cutoff)?;
    build_parallel(cov, false, |c| Ok(cc_chrom(c, opts)))
}

/// Coverage cut-off flexible universe (BED9).
pub fn ccf_universe(cov: &Coverage, opts: &CcfOptions) -> Result<RegionSet> {
    check_nonempty(cov)?;
    check_cutoff(opts.cutoff)?;
    if !(0.0..=1.0).contains(&opts.confidence) {
        return Err(GenimlError::InvalidInput(format!(
            "`confidence` must lie in [0, 1], got {}",
            opts.confidence
        )));
    }
    build_parallel(cov, true, |c| Ok(ccf_chrom(c, opts)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chrom(size: u32, runs: &[(u32, u32, u32)]) -> ChromCoverage {
        let mut core = Track::default();
        for &(s, e, v) in runs {
            core.push(s, e, v);
        }
        ChromCoverage {
            name: "c".into(),
            size,
            core,
            ..ChromCoverage::default()
        }
    }

    #[test]
    fn cc_cutoff_merge_filter() {
        let c = chrom(100, &[(10, 20, 3), (20, 25, 1), (25, 30, 4), (40, 42, 5)]);
        let got = |o: CcOptions| -> Vec<(u32, u32)> {
            cc_chrom(&c, &o).iter().map(|r| (r.start, r.end)).collect()
        };
        let o = CcOptions {
            cutoff: Some(3.0),
            ..CcOptions::default()
        };
        assert_eq!(got(o), vec![(10, 20), (25, 30), (40, 42)]);
        // gap 5 (20..25): joined when 5 + 1 < merge
        assert_eq!(
            got(CcOptions { merge: 6, ..o }),
            vec![(10, 20), (25, 30), (40, 42)]
        );
        assert_eq!(got(CcOptions { merge: 7, ..o }), vec![(10, 30), (40, 42)]);
        assert_eq!(
            got(CcOptions { min_size: 5, ..o }),
            vec![(10, 20), (25, 30)]
        );
        // default cutoff: mean = (30 + 5 + 20 + 10) / 100 = 0.65
        assert_eq!(got(CcOptions::default()), vec![(10, 30), (40, 42)]);
    }

    #[test]
    fn quantile_matches_numpy() {
        // numpy.quantile([1, 1, 2, 5], [0.1, 0.5, 0.7]) == [1.0, 1.5, 2.3]
        let hist = vec![(1u32, 2u64), (2, 1), (5, 1)];
        let cum = vec![2u64, 3, 4];
        assert!((quantile(&hist, &cum, 0.1) - 1.0).abs() < 1e-12);
        assert!((quantile(&hist, &cum, 0.5) - 1.5).abs() < 1e-12);
        assert!((quantile(&hist, &cum, 0.7) - 2.3).abs() < 1e-12);
        assert!((quantile(&hist, &cum, 1.0) - 5.0).abs() < 1e-12);
    }

    #[test]
    fn single_core_base_at_chromosome_start_does_not_panic() {
        let c = chrom(10, &[(0, 1, 9), (5, 6, 1)]);
        let got = ccf_chrom(
            &c,
            &CcfOptions {
                cutoff: Some(1.0),
                ..CcfOptions::default()
            },
        );
        assert!(got.iter().all(|r| r.thick.0 < r.thick.1));
    }

    #[test]
    fn empty_chromosome_yields_nothing() {
        let c = chrom(100, &[]);
        assert!(cc_chrom(&c, &CcOptions::default()).is_empty());
        assert!(ccf_chrom(&c, &CcfOptions::default()).is_empty());
    }

    #[test]
    fn flex_post_filters_before_merging() {
        let r = |start, end, ts, te| FlexRegion {
            start,
            end,
            thick: (ts, te),
        };
        let post = FlexPost {
            merge: 100,
            min_size: 50,
        };
        // The short region would bridge the first gap if merging came first.
        let regions = vec![
            r(0, 100, 10, 90),
            r(150, 160, 152, 158),
            r(300, 400, 310, 390),
        ];
        assert_eq!(
            post.apply(regions.clone()),
            vec![r(0, 100, 10, 90), r(300, 400, 310, 390)]
        );
        assert_eq!(merge_flexible(regions, 100)[0], r(0, 160, 10, 158));
        // Gaps shorter than `merge` join (core from the first start to the last end); touching
        // regions (gap 0) never do.
        let regions = vec![
            r(0, 100, 10, 90),
            r(180, 300, 190, 290),
            r(300, 400, 310, 390),
        ];
        assert_eq!(
            post.apply(regions),
            vec![r(0, 300, 10, 290), r(300, 400, 310, 390)]
        );
        assert_eq!(
            FlexPost::default().apply(vec![r(0, 5, 1, 4)]),
            vec![r(0, 5, 1, 4)]
        );
    }
}
