//! BEDshift: seeded random perturbation of a region set (null models that keep genomic context).
//!
//! A [`Shifter`] holds the original regions, the chromosome sizes and a list of [`Op`]s; it runs
//! the operations in the order given (the Python layer sorts them into upstream's fixed order
//! shift → add → cut → merge → drop) and returns the perturbed regions sorted by (natural
//! chromosome order, start, end), each with a flag byte: `-` original, `S` shifted, `A` added,
//! `C` cut, `M` merged.
//!
//! Randomness comes from a xoshiro256++ stream per replicate, seeded from `(seed, replicate)`
//! by SplitMix64, so replicate `r` is the same whatever the number of threads. Coordinates are
//! 0-based half-open `[start, end)`.
//!
//! ```
//! use geniml_core::shift::{Op, Options, Regions, Shifter};
//! let names = vec!["chr1".to_string()];
//! let original = Regions::new(vec![0, 0], vec![100, 500], vec![200, 700]);
//! let ops = vec![Op::Cut { rate: 1.0 }];
//! let shifter = Shifter::new(names, vec![Some(10_000)], original, ops, Options::default()).unwrap();
//! let (out, counts) = shifter.run_replicate(7, 0);
//! assert_eq!(counts, vec![2]);
//! assert_eq!(out.starts, vec![100, 150, 500, 600]);
//! assert_eq!(out.flags, b"CCCC".to_vec());
//! ```

use rayon::prelude::*;

use crate::chrom::natural_ranks;
use crate::error::{GenimlError, Result};
use crate::index::ChromIndex;

/// Flag of an unchanged region.
pub const ORIGINAL: u8 = b'-';
/// Flag of a shifted region.
pub const SHIFTED: u8 = b'S';
/// Flag of an added region.
pub const ADDED: u8 = b'A';
/// Flag of each half of a cut region.
pub const CUT: u8 = b'C';
/// Flag of a region made by merging two neighbours.
pub const MERGED: u8 = b'M';

/// How many times a normal draw is repeated before a shift that leaves the chromosome is given
/// up (the region then stays where it was and is not counted as shifted).
const MAX_REDRAWS: usize = 100;

/// Regions as columns plus one flag byte each; chromosome ids index the shifter's name table.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Regions {
    /// Chromosome id of each region.
    pub chroms: Vec<u32>,
    /// 0-based start of each region.
    pub starts: Vec<u32>,
    /// Exclusive end of each region.
    pub ends: Vec<u32>,
    /// Flag of each region (`-`, `S`, `A`, `C`, `M`).
    pub flags: Vec<u8>,
}

impl Regions {
    /// Unflagged (`-`) regions from columns.
    pub fn new(chroms: Vec<u32>, starts: Vec<u32>, ends: Vec<u32>) -> Self {
        let flags = vec![ORIGINAL; chroms.len()];
        Self {
            chroms,
            starts,
            ends,
            flags,
        }
    }

    /// Number of regions.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// True when there is no region.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    fn push(&mut self, c: u32, s: u32, e: u32, f: u8) {
        self.chroms.push(c);
        self.starts.push(s);
        self.ends.push(e);
        self.flags.push(f);
    }

    fn with_capacity(n: usize) -> Self {
        Self {
            chroms: Vec::with_capacity(n),
            starts: Vec::with_capacity(n),
            ends: Vec::with_capacity(n),
            flags: Vec::with_capacity(n),
        }
    }

    fn check(&self, what: &str, n_names: usize) -> Result<()> {
        let n = self.chroms.len();
        if self.starts.len() != n || self.ends.len() != n || self.flags.len() != n {
            return Err(GenimlError::InvalidInput(format!(
                "{what}: region columns differ in length"
            )));
        }
        for i in 0..n {
            if self.chroms[i] as usize >= n_names {
                return Err(GenimlError::InvalidInput(format!(
                    "{what}: region {i} has chromosome id {} outside the name table",
                    self.chroms[i]
                )));
            }
            if self.starts[i] > self.ends[i] {
                return Err(GenimlError::InvalidInput(format!(
                    "{what}: region {i} has start {} > end {}",
                    self.starts[i], self.ends[i]
                )));
            }
        }
        Ok(())
    }
}

/// An overlap index over a region file, per chromosome id.
#[derive(Debug, Clone, Default)]
pub struct Overlaps {
    per_chrom: Vec<Option<ChromIndex>>,
}

impl Overlaps {
    /// Index `regions` (any order).
    pub fn new(regions: &Regions) -> Self {
        let n_chroms = regions.chroms.iter().map(|&c| c as usize + 1).max();
        let mut items: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); n_chroms.unwrap_or(0)];
        for i in 0..regions.len() {
            items[regions.chroms[i] as usize].push((regions.starts[i], regions.ends[i], i as u32));
        }
        let per_chrom = items
            .into_iter()
            .map(|v| (!v.is_empty()).then(|| ChromIndex::new(v)))
            .collect();
        Self { per_chrom }
    }

    /// True when `[s, e)` overlaps an indexed region by at least 1 bp.
    pub fn hits(&self, c: u32, s: u32, e: u32) -> bool {
        let Some(Some(idx)) = self.per_chrom.get(c as usize) else {
            return false;
        };
        let mut hit = false;
        idx.for_each_overlap(s, e, |_, _, _| hit = true);
        hit
    }
}

/// One perturbation. Rates are fractions of the base count (see [`RateBase`]).
#[derive(Debug, Clone)]
pub enum Op {
    /// Move `rate` of the regions (or of those overlapping `within`) by an offset drawn from
    /// normal(`mean`, `sd`), truncated toward zero; redrawn until the region stays inside its
    /// chromosome.
    Shift {
        rate: f64,
        mean: f64,
        sd: f64,
        within: Option<Overlaps>,
    },
    /// Add `rate` × base new regions with normal(`mean`, `sd`) widths, on chromosomes weighted
    /// by length (or inside `valid` regions weighted by their width).
    Add {
        rate: f64,
        mean: f64,
        sd: f64,
        valid: Option<Regions>,
    },
    /// Add `rate` × base regions drawn without replacement from `source`.
    AddFrom { rate: f64, source: Regions },
    /// Split `rate` × base regions in two at their midpoint.
    Cut { rate: f64 },
    /// Join `rate` × base randomly chosen regions with their right neighbour on the same
    /// chromosome (a region already joined is not joined again).
    Merge { rate: f64 },
    /// Remove `rate` × base regions (or of those overlapping `within`).
    Drop { rate: f64, within: Option<Overlaps> },
}

impl Op {
    fn name(&self) -> &'static str {
        match self {
            Op::Shift { within: None, .. } => "shift",
            Op::Shift { .. } => "shift_from_file",
            Op::Add { .. } => "add",
            Op::AddFrom { .. } => "add_from_file",
            Op::Cut { .. } => "cut",
            Op::Merge { .. } => "merge",
            Op::Drop { within: None, .. } => "drop",
            Op::Drop { .. } => "drop_from_file",
        }
    }

    fn rate(&self) -> f64 {
        match self {
            Op::Shift { rate, .. }
            | Op::Add { rate, .. }
            | Op::AddFrom { rate, .. }
            | Op::Cut { rate }
            | Op::Merge { rate }
            | Op::Drop { rate, .. } => *rate,
        }
    }
}

/// What a rate is a fraction of.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum RateBase {
    /// The number of original regions (every operation of a pipeline uses the same base).
    #[default]
    Original,
    /// The number of regions when the operation runs (upstream's `Bedshift` methods).
    Current,
}

/// Switches that keep parts of the input's structure.
#[derive(Debug, Clone, Copy, Default)]
pub struct Options {
    /// Added regions go on the chromosome of a randomly drawn original region (so per-chromosome
    /// counts are kept in expectation) instead of anywhere in the genome.
    pub preserve_chrom: bool,
    /// Added regions copy the width of a randomly drawn original region; cut and merge (which
    /// change sizes) are refused.
    pub preserve_size: bool,
    /// Shifted regions of one chromosome all move by one common offset, so the distances
    /// between them are kept.
    pub preserve_distance: bool,
    /// What rates are fractions of.
    pub rate_base: RateBase,
}

/// A prepared perturbation pipeline.
#[derive(Debug, Clone)]
pub struct Shifter {
    names: Vec<String>,
    rank: Vec<u32>,
    sizes: Vec<Option<u64>>,
    original: Regions,
    ops: Vec<Op>,
    opts: Options,
    /// Cumulative lengths of the chromosomes with a size, and their ids.
    genome_cum: Vec<u64>,
    genome_ids: Vec<u32>,
    /// Per add op with valid regions: cumulative widths (all, and per chromosome).
    valid_cum: Vec<Option<ValidTable>>,
    /// Add-from sources filtered to the original's chromosomes under `preserve_chrom`.
    sources: Vec<Option<Regions>>,
}

#[derive(Debug, Clone)]
struct ValidTable {
    all: Vec<u64>,
    per_chrom: Vec<(Vec<u32>, Vec<u64>)>,
}

fn cumulative(weights: impl Iterator<Item = u64>) -> Vec<u64> {
    let mut acc = 0u64;
    weights
        .map(|w| {
            acc += w;
            acc
        })
        .collect()
}

fn check_rate(op: &Op) -> Result<()> {
    let rate = op.rate();
    let adds = matches!(op, Op::Add { .. } | Op::AddFrom { .. });
    let ok = rate.is_finite() && rate >= 0.0 && (adds || rate <= 1.0);
    if ok {
        return Ok(());
    }
    let range = if adds { ">= 0" } else { "in [0, 1]" };
    Err(GenimlError::InvalidInput(format!(
        "{} rate must be {range}, got {rate}",
        op.name()
    )))
}

fn check_normal(what: &str, mean: f64, sd: f64) -> Result<()> {
    if !mean.is_finite() || !sd.is_finite() || sd < 0.0 {
        return Err(GenimlError::InvalidInput(format!(
            "{what}: mean must be finite and the standard deviation finite and >= 0, got mean {mean}, sd {sd}"
        )));
    }
    Ok(())
}

impl Shifter {
    /// Prepare a pipeline.
    ///
    /// `names` is the chromosome name table used by every region set involved, `sizes[i]` the
    /// length of chromosome `i` (`None` when unknown). Fails on a rate out of range (`[0, 1]`, or
    /// `>= 0` for add), a region past its chromosome's end, a shift or genome-wide add on a
    /// chromosome without a size, and `preserve_size` combined with cut or merge.
    pub fn new(
        names: Vec<String>,
        sizes: Vec<Option<u64>>,
        original: Regions,
        ops: Vec<Op>,
        opts: Options,
    ) -> Result<Self> {
        if sizes.len() != names.len() {
            return Err(GenimlError::InvalidInput(format!(
                "{} chromosome sizes for {} names",
                sizes.len(),
                names.len()
            )));
        }
        original.check("input", names.len())?;
        let needs_sizes = ops
            .iter()
            .any(|op| matches!(op, Op::Shift { .. }) || matches!(op, Op::Add { valid: None, .. }));
        if needs_sizes && sizes.iter().all(Option::is_none) {
            return Err(GenimlError::InvalidInput(
                "shift and add (without valid regions) need chromosome sizes (a genome)".into(),
            ));
        }
        for i in 0..original.len() {
            let c = original.chroms[i] as usize;
            match sizes[c] {
                Some(len) if u64::from(original.ends[i]) > len => {
                    return Err(GenimlError::UnknownChrom(format!(
                        "region {i} ({}:{}-{}) ends past the chromosome's length {len}",
                        names[c], original.starts[i], original.ends[i]
                    )));
                }
                None if needs_sizes => {
                    return Err(GenimlError::UnknownChrom(format!(
                        "chromosome {:?} (region {i}) is not in the chromosome sizes, which shift and add need",
                        names[c]
                    )));
                }
                _ => {}
            }
        }
        let mut valid_cum = Vec::with_capacity(ops.len());
        let mut sources = Vec::with_capacity(ops.len());
        for op in &ops {
            check_rate(op)?;
            let mut valid = None;
            let mut source = None;
            match op {
                Op::Shift { mean, sd, .. } => check_normal("shift", *mean, *sd)?,
                Op::Add {
                    mean, sd, valid: v, ..
                } => {
                    if !opts.preserve_size {
                        check_normal("add", *mean, *sd)?;
                    }
                    if let Some(v) = v {
                        v.check("valid regions", names.len())?;
                        valid = Some(Self::valid_table(&names, &original, v, opts)?);
                    } else if !sizes.iter().any(|s| s.is_some_and(|x| x > 0)) {
                        return Err(GenimlError::InvalidInput(
                            "add needs chromosome sizes (a genome) or valid regions".into(),
                        ));
                    }
                }
                Op::AddFrom { source: s, .. } => {
                    s.check("add-from regions", names.len())?;
                    if opts.preserve_chrom {
                        let mut on = vec![false; names.len()];
                        for &c in &original.chroms {
                            on[c as usize] = true;
                        }
                        let mut kept = Regions::default();
                        for i in 0..s.len() {
                            if on[s.chroms[i] as usize] {
                                kept.push(s.chroms[i], s.starts[i], s.ends[i], ADDED);
                            }
                        }
                        source = Some(kept);
                    }
                }
                Op::Cut { .. } | Op::Merge { .. } if opts.preserve_size => {
                    return Err(GenimlError::InvalidInput(format!(
                        "preserve_size keeps region widths, so {} (which changes them) cannot be used with it",
                        op.name()
                    )));
                }
                Op::Cut { .. } | Op::Merge { .. } | Op::Drop { .. } => {}
            }
            valid_cum.push(valid);
            sources.push(source);
        }
        let genome_ids: Vec<u32> = (0..sizes.len() as u32)
            .filter(|&i| sizes[i as usize].is_some_and(|s| s > 0))
            .collect();
        let genome_cum = cumulative(genome_ids.iter().map(|&i| sizes[i as usize].unwrap_or(0)));
        let rank = natural_ranks(&names);
        let mut shifter = Self {
            names,
            rank,
            sizes,
            original: Regions::default(),
            ops,
            opts,
            genome_cum,
            genome_ids,
            valid_cum,
            sources,
        };
        // replicates start from the sorted input, so that their states stay nearly sorted
        shifter.original = shifter.sorted(original);
        Ok(shifter)
    }

    fn valid_table(
        names: &[String],
        original: &Regions,
        valid: &Regions,
        opts: Options,
    ) -> Result<ValidTable> {
        let all = cumulative((0..valid.len()).map(|i| u64::from(valid.ends[i] - valid.starts[i])));
        if all.last().copied().unwrap_or(0) == 0 {
            return Err(GenimlError::InvalidInput(
                "valid regions cover no base".into(),
            ));
        }
        let mut per_chrom = vec![(Vec::new(), Vec::new()); names.len()];
        if opts.preserve_chrom {
            let mut acc = vec![0u64; names.len()];
            for i in 0..valid.len() {
                let c = valid.chroms[i] as usize;
                acc[c] += u64::from(valid.ends[i] - valid.starts[i]);
                per_chrom[c].0.push(i as u32);
                per_chrom[c].1.push(acc[c]);
            }
            for &c in &original.chroms {
                if acc[c as usize] == 0 {
                    return Err(GenimlError::InvalidInput(format!(
                        "valid regions have no base on {:?}, where preserve_chrom would add regions",
                        names[c as usize]
                    )));
                }
            }
        }
        Ok(ValidTable { all, per_chrom })
    }

    /// The chromosome name table.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The original regions.
    pub fn original(&self) -> &Regions {
        &self.original
    }

    /// Run the pipeline once on the original regions, as replicate `replicate` of `seed`.
    /// Returns the sorted, flagged regions and the count of each operation.
    pub fn run_replicate(&self, seed: u64, replicate: u64) -> (Regions, Vec<u64>) {
        self.run_on(&self.original, seed, replicate)
    }

    /// Run the pipeline on `state` (regions in this shifter's name table).
    pub fn run_on(&self, state: &Regions, seed: u64, replicate: u64) -> (Regions, Vec<u64>) {
        let mut rng = Rng::for_replicate(seed, replicate);
        let mut cur = state.clone();
        let mut counts = Vec::with_capacity(self.ops.len());
        for (k, op) in self.ops.iter().enumerate() {
            let base = match self.opts.rate_base {
                RateBase::Original => self.original.len(),
                RateBase::Current => cur.len(),
            };
            let n = (base as f64 * op.rate()) as usize;
            let (next, count) = self.apply(k, op, cur, n, &mut rng);
            cur = next;
            counts.push(count);
        }
        (self.sorted(cur), counts)
    }

    /// Check a state handed in from outside (same name table, start <= end).
    pub fn check_state(&self, state: &Regions) -> Result<()> {
        state.check("state", self.names.len())
    }

    /// Run `n_iterations` replicates in parallel (replicate `r` depends only on `seed` and `r`).
    pub fn run(&self, seed: u64, n_iterations: usize) -> Vec<(Regions, Vec<u64>)> {
        (0..n_iterations as u64)
            .into_par_iter()
            .map(|r| self.run_replicate(seed, r))
            .collect()
    }

    fn sorted(&self, r: Regions) -> Regions {
        // One packed key per region: rank (24 bits) | start | end | flag | index. Keys are
        // unique, so an unstable sort is deterministic.
        let mut keys: Vec<u128> = (0..r.len())
            .map(|i| {
                let rank = u128::from(self.rank[r.chroms[i] as usize] & 0x00FF_FFFF);
                (rank << 104)
                    | (u128::from(r.starts[i]) << 72)
                    | (u128::from(r.ends[i]) << 40)
                    | (u128::from(r.flags[i]) << 32)
                    | i as u128
            })
            .collect();
        keys.sort_unstable();
        let mut out = Regions::with_capacity(r.len());
        for k in keys {
            let i = (k & 0xFFFF_FFFF) as usize;
            out.push(r.chroms[i], r.starts[i], r.ends[i], r.flags[i]);
        }
        out
    }

    fn apply(&self, k: usize, op: &Op, cur: Regions, n: usize, rng: &mut Rng) -> (Regions, u64) {
        match op {
            Op::Shift {
                mean, sd, within, ..
            } => self.shift(cur, n, *mean, *sd, within.as_ref(), rng),
            Op::Add {
                mean, sd, valid, ..
            } => {
                let table = self.valid_cum[k].as_ref();
                self.add(cur, n, *mean, *sd, valid.as_ref().zip(table), rng)
            }
            Op::AddFrom { source, .. } => {
                let src = self.sources[k].as_ref().unwrap_or(source);
                add_from(cur, n, src, rng)
            }
            Op::Cut { .. } => cut(cur, n, rng),
            Op::Merge { .. } => {
                let sorted = self.sorted(cur);
                merge(sorted, n, rng)
            }
            Op::Drop { within, .. } => drop_regions(cur, n, within.as_ref(), rng),
        }
    }

    fn size_of(&self, c: u32) -> u64 {
        self.sizes[c as usize].unwrap_or(u64::from(u32::MAX))
    }

    fn shift(
        &self,
        mut cur: Regions,
        n: usize,
        mean: f64,
        sd: f64,
        within: Option<&Overlaps>,
        rng: &mut Rng,
    ) -> (Regions, u64) {
        let picked = rng.sample(candidate_rows(&cur, within), n);
        let fits = |s: u32, e: u32, d: i64, size: u64| {
            let ns = i64::from(s) + d;
            let ne = i64::from(e) + d;
            ns >= 0 && (ne as u64) <= size && ne <= i64::from(u32::MAX)
        };
        let mut count = 0u64;
        if self.opts.preserve_distance {
            // one offset per chromosome for all its picked regions
            let mut by_chrom: Vec<(u32, u32, u32)> = Vec::new(); // (chrom, min start, max end)
            let mut sorted_pick = picked.clone();
            sorted_pick.sort_unstable_by_key(|&i| (cur.chroms[i as usize], i));
            for &i in &sorted_pick {
                let i = i as usize;
                let c = cur.chroms[i];
                match by_chrom.last_mut() {
                    Some(last) if last.0 == c => {
                        last.1 = last.1.min(cur.starts[i]);
                        last.2 = last.2.max(cur.ends[i]);
                    }
                    _ => by_chrom.push((c, cur.starts[i], cur.ends[i])),
                }
            }
            let mut offset = vec![None; self.names.len()];
            for &(c, lo, hi) in &by_chrom {
                let size = self.size_of(c);
                offset[c as usize] = (0..MAX_REDRAWS)
                    .map(|_| rng.normal(mean, sd) as i64)
                    .find(|&d| fits(lo, hi, d, size));
            }
            for &i in &sorted_pick {
                let i = i as usize;
                if let Some(d) = offset[cur.chroms[i] as usize] {
                    cur.starts[i] = (i64::from(cur.starts[i]) + d) as u32;
                    cur.ends[i] = (i64::from(cur.ends[i]) + d) as u32;
                    cur.flags[i] = SHIFTED;
                    count += 1;
                }
            }
        } else {
            for &i in &picked {
                let i = i as usize;
                let size = self.size_of(cur.chroms[i]);
                let (s, e) = (cur.starts[i], cur.ends[i]);
                let d = (0..MAX_REDRAWS)
                    .map(|_| rng.normal(mean, sd) as i64)
                    .find(|&d| fits(s, e, d, size));
                if let Some(d) = d {
                    cur.starts[i] = (i64::from(s) + d) as u32;
                    cur.ends[i] = (i64::from(e) + d) as u32;
                    cur.flags[i] = SHIFTED;
                    count += 1;
                }
            }
        }
        (cur, count)
    }

    fn add(
        &self,
        mut cur: Regions,
        n: usize,
        mean: f64,
        sd: f64,
        valid: Option<(&Regions, &ValidTable)>,
        rng: &mut Rng,
    ) -> (Regions, u64) {
        let orig = &self.original;
        let need_source = self.opts.preserve_chrom || self.opts.preserve_size;
        if need_source && orig.is_empty() {
            return (cur, 0);
        }
        for _ in 0..n {
            let src = if need_source {
                Some(rng.below(orig.len() as u64) as usize)
            } else {
                None
            };
            let width = match src {
                Some(r) if self.opts.preserve_size => u64::from(orig.ends[r] - orig.starts[r]),
                _ => (0..MAX_REDRAWS)
                    .map(|_| rng.normal(mean, sd) as i64)
                    .find(|&w| w >= 1)
                    .map_or(1, |w| w as u64),
            };
            let chrom_of_src = src
                .filter(|_| self.opts.preserve_chrom)
                .map(|r| orig.chroms[r]);
            let (c, s, e) = if let Some((v, table)) = valid {
                let j = match chrom_of_src {
                    Some(c) => {
                        let (ids, cum) = &table.per_chrom[c as usize];
                        ids[rng.weighted(cum)] as usize
                    }
                    None => rng.weighted(&table.all),
                };
                let (vs, ve) = (u64::from(v.starts[j]), u64::from(v.ends[j]));
                let w = width.min(ve - vs);
                let s = vs + rng.below(ve - vs - w + 1);
                (v.chroms[j], s, s + w)
            } else {
                let c = match chrom_of_src {
                    Some(c) => c,
                    None => self.genome_ids[rng.weighted(&self.genome_cum)],
                };
                let size = self.size_of(c).min(u64::from(u32::MAX));
                let w = width.min(size);
                let s = rng.below(size - w + 1);
                (c, s, s + w)
            };
            cur.push(c, s as u32, e as u32, ADDED);
        }
        (cur, n as u64)
    }
}

/// Replicates laid end to end: `regions`, `offsets` (`len = n + 1`, replicate `r` is
/// `offsets[r]..offsets[r + 1]`) and the per-operation counts, row-major per replicate.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// All replicates' regions, concatenated.
    pub regions: Regions,
    /// Replicate boundaries.
    pub offsets: Vec<u64>,
    /// Operation counts, `n_ops` per replicate.
    pub counts: Vec<u64>,
}

impl Batch {
    /// Concatenate replicate results.
    pub fn concat(results: Vec<(Regions, Vec<u64>)>) -> Self {
        let total: usize = results.iter().map(|(r, _)| r.len()).sum();
        let mut out = Batch {
            regions: Regions::with_capacity(total),
            offsets: vec![0],
            counts: Vec::new(),
        };
        for (r, k) in results {
            out.regions.chroms.extend_from_slice(&r.chroms);
            out.regions.starts.extend_from_slice(&r.starts);
            out.regions.ends.extend_from_slice(&r.ends);
            out.regions.flags.extend_from_slice(&r.flags);
            out.offsets.push(out.regions.len() as u64);
            out.counts.extend_from_slice(&k);
        }
        out
    }
}

fn add_from(mut cur: Regions, n: usize, source: &Regions, rng: &mut Rng) -> (Regions, u64) {
    let picked = rng.sample((0..source.len() as u32).collect(), n);
    for &i in &picked {
        let i = i as usize;
        cur.push(source.chroms[i], source.starts[i], source.ends[i], ADDED);
    }
    (cur, picked.len() as u64)
}

fn cut(cur: Regions, n: usize, rng: &mut Rng) -> (Regions, u64) {
    let candidates: Vec<u32> = (0..cur.len() as u32)
        .filter(|&i| cur.ends[i as usize] - cur.starts[i as usize] >= 2)
        .collect();
    let picked = rng.sample(candidates, n);
    let mut is_cut = vec![false; cur.len()];
    for &i in &picked {
        is_cut[i as usize] = true;
    }
    let mut out = Regions::with_capacity(cur.len() + picked.len());
    for (i, &was_cut) in is_cut.iter().enumerate() {
        let (c, s, e) = (cur.chroms[i], cur.starts[i], cur.ends[i]);
        if was_cut {
            let mid = s + (e - s) / 2;
            out.push(c, s, mid, CUT);
            out.push(c, mid, e, CUT);
        } else {
            out.push(c, s, e, cur.flags[i]);
        }
    }
    (out, picked.len() as u64)
}

/// `cur` must be sorted; returns the number of regions consumed (two per merge).
fn merge(cur: Regions, n: usize, rng: &mut Rng) -> (Regions, u64) {
    let picked = rng.sample((0..cur.len() as u32).collect(), n);
    let mut joined_with_next = vec![false; cur.len()];
    let mut used = vec![false; cur.len()];
    let mut count = 0u64;
    for &i in &picked {
        let i = i as usize;
        let j = i + 1;
        if j < cur.len() && cur.chroms[i] == cur.chroms[j] && !used[i] && !used[j] {
            used[i] = true;
            used[j] = true;
            joined_with_next[i] = true;
            count += 2;
        }
    }
    let mut out = Regions::with_capacity(cur.len());
    let mut i = 0;
    while i < cur.len() {
        if joined_with_next[i] {
            let e = cur.ends[i].max(cur.ends[i + 1]);
            out.push(cur.chroms[i], cur.starts[i], e, MERGED);
            i += 2;
        } else {
            out.push(cur.chroms[i], cur.starts[i], cur.ends[i], cur.flags[i]);
            i += 1;
        }
    }
    (out, count)
}

/// Rows of `cur` an operation may pick: all of them, or those overlapping `within`.
fn candidate_rows(cur: &Regions, within: Option<&Overlaps>) -> Vec<u32> {
    let all = 0..cur.len() as u32;
    match within {
        None => all.collect(),
        Some(ov) => all
            .filter(|&i| {
                let i = i as usize;
                ov.hits(cur.chroms[i], cur.starts[i], cur.ends[i])
            })
            .collect(),
    }
}

fn drop_regions(
    cur: Regions,
    n: usize,
    within: Option<&Overlaps>,
    rng: &mut Rng,
) -> (Regions, u64) {
    let picked = rng.sample(candidate_rows(&cur, within), n);
    let mut gone = vec![false; cur.len()];
    for &i in &picked {
        gone[i as usize] = true;
    }
    let mut out = Regions::with_capacity(cur.len() - picked.len());
    for (i, &g) in gone.iter().enumerate() {
        if !g {
            out.push(cur.chroms[i], cur.starts[i], cur.ends[i], cur.flags[i]);
        }
    }
    (out, picked.len() as u64)
}

/// xoshiro256++ with Box–Muller normals; seeded by SplitMix64.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
    spare: Option<f64>,
}

fn splitmix(x: &mut u64) -> u64 {
    *x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl Rng {
    /// The stream of replicate `replicate` under `seed`.
    pub fn for_replicate(seed: u64, replicate: u64) -> Self {
        let mut x = seed;
        let a = splitmix(&mut x);
        let mut y = a ^ replicate.wrapping_mul(0xD1B5_4A32_D192_ED03);
        let s = [
            splitmix(&mut y),
            splitmix(&mut y),
            splitmix(&mut y),
            splitmix(&mut y),
        ];
        Self { s, spare: None }
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform integer in `[0, n)` (Lemire's method, unbiased); `n` must be > 0.
    pub fn below(&mut self, n: u64) -> u64 {
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        let mut low = m as u64;
        if low < n {
            let threshold = n.wrapping_neg() % n;
            while low < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
                low = m as u64;
            }
        }
        (m >> 64) as u64
    }

    /// Uniform float in `(0, 1]`.
    fn unit(&mut self) -> f64 {
        ((self.next_u64() >> 11) + 1) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// A normal(`mean`, `sd`) draw.
    pub fn normal(&mut self, mean: f64, sd: f64) -> f64 {
        let z = if let Some(z) = self.spare.take() {
            z
        } else {
            let r = (-2.0 * self.unit().ln()).sqrt();
            let theta = std::f64::consts::TAU * self.unit();
            self.spare = Some(r * theta.sin());
            r * theta.cos()
        };
        mean + sd * z
    }

    /// Index drawn with probability proportional to the increments of the cumulative `cum`
    /// (whose last value must be > 0).
    fn weighted(&mut self, cum: &[u64]) -> usize {
        let total = cum.last().copied().unwrap_or(0);
        if total == 0 {
            return 0;
        }
        let r = self.below(total);
        cum.partition_point(|&c| c <= r)
    }

    /// `min(k, len)` distinct items of `items` (partial Fisher–Yates), in draw order.
    fn sample(&mut self, mut items: Vec<u32>, k: usize) -> Vec<u32> {
        let k = k.min(items.len());
        for i in 0..k {
            let j = i + self.below((items.len() - i) as u64) as usize;
            items.swap(i, j);
        }
        items.truncate(k);
        items
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy(n: u32) -> (Vec<String>, Vec<Option<u64>>, Regions) {
        let names = vec!["chr1".to_string(), "chr2".to_string()];
        let sizes = vec![Some(1_000_000), Some(500_000)];
        let chroms = (0..n).map(|i| i % 2).collect();
        let starts: Vec<u32> = (0..n).map(|i| 1000 + i * 300).collect();
        let ends = starts.iter().map(|s| s + 100).collect();
        (names, sizes, Regions::new(chroms, starts, ends))
    }

    #[test]
    fn counts_and_determinism() {
        let (names, sizes, orig) = toy(1000);
        let ops = vec![
            Op::Shift {
                rate: 0.3,
                mean: 0.0,
                sd: 150.0,
                within: None,
            },
            Op::Add {
                rate: 0.1,
                mean: 320.0,
                sd: 30.0,
                valid: None,
            },
            Op::Cut { rate: 0.2 },
            Op::Drop {
                rate: 0.315,
                within: None,
            },
        ];
        let sh = Shifter::new(names, sizes, orig, ops, Options::default()).unwrap();
        let (a, counts) = sh.run_replicate(1, 0);
        assert_eq!(counts, vec![300, 100, 200, 315]);
        assert_eq!(a.len(), 1000 + 100 + 200 - 315);
        assert_eq!(sh.run_replicate(1, 0).0, a);
        assert_ne!(sh.run_replicate(1, 1).0, a);
        let par = sh.run(1, 3);
        assert_eq!(par[0].0, a);
    }

    #[test]
    fn rates_are_checked() {
        let (names, sizes, orig) = toy(10);
        let err = Shifter::new(
            names.clone(),
            sizes.clone(),
            orig.clone(),
            vec![Op::Drop {
                rate: 1.5,
                within: None,
            }],
            Options::default(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("drop rate must be in [0, 1]"));
        let ok = Shifter::new(
            names,
            sizes,
            orig,
            vec![Op::Add {
                rate: 2.0,
                mean: 10.0,
                sd: 1.0,
                valid: None,
            }],
            Options::default(),
        );
        assert!(ok.is_ok());
    }

    #[test]
    fn merge_joins_neighbours() {
        let names = vec!["chr1".to_string()];
        let orig = Regions::new(vec![0; 4], vec![0, 10, 20, 30], vec![5, 15, 25, 35]);
        let sh = Shifter::new(
            names,
            vec![Some(100)],
            orig,
            vec![Op::Merge { rate: 1.0 }],
            Options::default(),
        )
        .unwrap();
        let (out, counts) = sh.run_replicate(3, 0);
        assert!(counts[0] >= 2 && counts[0] <= 4);
        assert_eq!(out.len() as u64, 4 - counts[0] / 2);
        assert!(out.flags.contains(&MERGED));
    }
}
