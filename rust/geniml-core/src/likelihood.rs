//! Upstream geniml's binomial likelihood model (`geniml lh`), the maximum-likelihood (ML)
//! universe decoded from it, the likelihood of a universe, and per-region coverage maxima used
//! to filter universes. Chromosome-parallel; coordinates are 0-based half-open.

use rayon::prelude::*;

use crate::coverage::{ChromCoverage, Coverage, Track};
use crate::decode::decode_chrom;
use crate::error::{GenimlError, Result};
use crate::regions::{RegionSet, RegionsRef};
use crate::universe::{FlexPost, build_parallel};

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

/// Maximum-likelihood flexible universe (upstream `ml_universe`): per base, state scores are
/// sums of the model's log10 likelihoods (`start + core_bg + end_bg` for state 0, ...).
///
/// `post` filters and merges the regions of each chromosome.
pub fn ml_universe(cov: &Coverage, model: &[ChromModel], post: &FlexPost) -> Result<RegionSet> {
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
        let lookup = |t: usize, v: u32| row(&m.tables[t], v, &c.name, t);
        let emit = |v: [u32; 3]| -> Result<[f64; 4]> {
            let (sb, su) = lookup(0, v[0])?;
            let (cb, cu) = lookup(1, v[1])?;
            let (eb, eu) = lookup(2, v[2])?;
            Ok([su + cb + eb, sb + cu + eb, sb + cb + eu, sb + cb + eb])
        };
        let regions = decode_chrom(
            c,
            |v| v.iter().sum::<u32>() >= 1,
            |v| v,
            emit,
            [0.0; 4],
            [0.0; 4],
            [0.0; 4],
            false,
        )?;
        Ok(post.apply(regions))
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
