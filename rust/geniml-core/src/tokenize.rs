//! Tokenization: query regions to universe token ids.
//!
//! Token id `i` is the `i`-th universe region in file order; the special tokens follow, in the
//! order gtars 0.10 uses: `<unk>`, `<pad>`, `<mask>`, `<cls>`, `<eos>`, `<bos>`, `<sep>`.
//! A query region maps to every universe region it overlaps by at least one base (half-open
//! coordinates), optionally only when the overlap reaches a fraction of the query (or of the
//! universe region, as `bedtools intersect -a universe -f`).

use std::collections::HashMap;
use std::path::Path;

use rayon::prelude::*;

use crate::error::{GenimlError, Result};
use crate::index::ChromIndex;
use crate::io::{ReadOptions, data_line_numbers, read_bed};
use crate::regions::{RegionSet, RegionsRef};

/// Special tokens, in id order after the universe regions.
pub const SPECIAL_TOKENS: [&str; 7] = [
    "<unk>", "<pad>", "<mask>", "<cls>", "<eos>", "<bos>", "<sep>",
];

const CHUNK: usize = 1 << 14;

/// Which length an overlap fraction is measured against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FractionOf {
    /// overlap / query length (as `bedtools intersect -a query -b universe -f`).
    #[default]
    Query,
    /// overlap / universe-region length (as upstream's `bedtools intersect -a universe -b query -f`).
    Universe,
    /// overlap / the longer of the two (fraction 1.0 keeps only identical intervals).
    Both,
}

/// Options of an overlap query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OverlapOptions {
    /// Minimum overlap fraction (> 0 keeps every overlap of >= 1 bp).
    pub fraction: f64,
    /// Length the fraction refers to.
    pub of: FractionOf,
}

impl OverlapOptions {
    /// Options with `fraction` checked: a number in `[0, 1]` (NaN and out-of-range values are
    /// errors, not silently "any overlap" or "no overlap").
    pub fn new(fraction: f64, of: FractionOf) -> Result<Self> {
        if !(0.0..=1.0).contains(&fraction) {
            return Err(GenimlError::InvalidInput(format!(
                "overlap fraction must be between 0 and 1, got {fraction}"
            )));
        }
        Ok(Self { fraction, of })
    }
}

impl Default for OverlapOptions {
    fn default() -> Self {
        Self {
            fraction: 1e-9,
            of: FractionOf::Query,
        }
    }
}

/// Compressed sparse rows of token ids (row `r` is `ids[offsets[r]..offsets[r+1]]`), with
/// optional per-entry weights.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Csr {
    /// Row boundaries; `len = n_rows + 1`.
    pub offsets: Vec<u64>,
    /// Token ids.
    pub ids: Vec<u32>,
    /// Per-entry weights (soft tokenization), empty otherwise.
    pub weights: Vec<f32>,
}

impl Csr {
    /// Number of rows.
    pub fn n_rows(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// Ids of row `r`.
    pub fn row(&self, r: usize) -> &[u32] {
        &self.ids[self.offsets[r] as usize..self.offsets[r + 1] as usize]
    }

    fn concat(parts: Vec<Csr>) -> Csr {
        let n_ids: usize = parts.iter().map(|p| p.ids.len()).sum();
        let n_rows: usize = parts.iter().map(Csr::n_rows).sum();
        let mut out = Csr {
            offsets: Vec::with_capacity(n_rows + 1),
            ids: Vec::with_capacity(n_ids),
            weights: Vec::new(),
        };
        out.offsets.push(0);
        for p in parts {
            let base = out.ids.len() as u64;
            out.offsets.extend(p.offsets[1..].iter().map(|o| o + base));
            out.ids.extend_from_slice(&p.ids);
            out.weights.extend_from_slice(&p.weights);
        }
        out
    }
}

/// Where the previous query of a chunk left the index search (queries come sorted).
#[derive(Default)]
struct Cursor {
    chrom: Option<u32>,
    hints: Vec<usize>,
}

/// A universe with its interval index.
#[derive(Debug, Clone)]
pub struct Tokenizer {
    universe: RegionSet,
    index: Vec<ChromIndex>,
    chrom_ids: HashMap<String, u32>,
    duplicates: Vec<(u32, u32)>,
}

impl Tokenizer {
    /// Index a universe (regions in token-id order).
    pub fn new(universe: RegionSet) -> Result<Self> {
        if universe.is_empty() {
            return Err(GenimlError::Universe("the universe holds no region".into()));
        }
        if universe.len() + SPECIAL_TOKENS.len() > u32::MAX as usize {
            return Err(GenimlError::Universe(
                "the universe has too many regions".into(),
            ));
        }
        let mut per_chrom: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); universe.names.len()];
        for i in 0..universe.len() {
            per_chrom[universe.chroms[i] as usize].push((
                universe.starts[i],
                universe.ends[i],
                i as u32,
            ));
        }
        let built: Vec<(ChromIndex, Vec<(u32, u32)>)> = per_chrom
            .into_par_iter()
            .map(ChromIndex::with_duplicates)
            .collect();
        let mut index = Vec::with_capacity(built.len());
        let mut duplicates = Vec::new();
        for (ix, d) in built {
            index.push(ix);
            duplicates.extend(d);
        }
        duplicates.sort_unstable();
        let chrom_ids = universe
            .names
            .iter()
            .enumerate()
            .map(|(i, n)| (n.clone(), i as u32))
            .collect();
        Ok(Self {
            universe,
            index,
            chrom_ids,
            duplicates,
        })
    }

    /// Universe rows equal to an earlier row, as `(duplicate row, first row)`, ascending.
    pub fn duplicates(&self) -> &[(u32, u32)] {
        &self.duplicates
    }

    /// The universe regions, in token-id order.
    pub fn universe(&self) -> &RegionSet {
        &self.universe
    }

    /// Number of universe regions (the first special token's id).
    pub fn n_regions(&self) -> usize {
        self.universe.len()
    }

    /// Universe regions plus special tokens.
    pub fn vocab_size(&self) -> usize {
        self.universe.len() + SPECIAL_TOKENS.len()
    }

    /// Id of special token `name` (`"<unk>"`, ...).
    pub fn special_id(&self, name: &str) -> Option<u32> {
        SPECIAL_TOKENS
            .iter()
            .position(|t| *t == name)
            .map(|k| (self.universe.len() + k) as u32)
    }

    /// Id of `<unk>`.
    pub fn unk_id(&self) -> u32 {
        self.universe.len() as u32
    }

    /// Universe chromosome id of each query chromosome name (`None`: not in the universe).
    pub fn map_chroms(&self, names: &[String]) -> Vec<Option<u32>> {
        names
            .iter()
            .map(|n| self.chrom_ids.get(n).copied())
            .collect()
    }

    #[inline]
    fn hits_of(
        &self,
        chrom: Option<u32>,
        qs: u32,
        qe: u32,
        opts: OverlapOptions,
        cursor: &mut Cursor,
        buf: &mut Vec<(u32, f32)>,
    ) {
        buf.clear();
        let Some(c) = chrom else { return };
        if cursor.chrom != Some(c) {
            cursor.chrom = Some(c);
            cursor.hints.clear();
        }
        let qlen = f64::from(qe - qs);
        self.index[c as usize].for_each_overlap_from(qs, qe, &mut cursor.hints, |id, us, ue| {
            let ov = f64::from(qe.min(ue) - qs.max(us));
            let denom = match opts.of {
                FractionOf::Query => qlen,
                FractionOf::Universe => f64::from(ue - us),
                FractionOf::Both => qlen.max(f64::from(ue - us)),
            };
            let frac = if denom > 0.0 { ov / denom } else { 1.0 };
            if frac >= opts.fraction {
                buf.push((id, frac as f32));
            }
        });
        buf.sort_unstable_by_key(|h| h.0);
    }

    /// Every overlapping universe token of every query region (rows in query order, ids in
    /// universe order), with the overlap fraction as weight when `weights`.
    pub fn overlaps(&self, q: &RegionsRef<'_>, opts: OverlapOptions, weights: bool) -> Csr {
        let map = self.map_chroms(q.names);
        let chrom_of = |i: usize| map[q.chroms[i] as usize];
        // Queries in genome order keep the index in cache; unsorted input is visited in sorted
        // order (a sorted copy of the query columns) and the result put back in query order.
        let key = |i: usize| {
            // unknown chromosomes sort last, as the id u32::MAX
            let c = chrom_of(i).map_or(u64::from(u32::MAX), u64::from);
            (c << 32) | u64::from(q.starts[i])
        };
        let sorted = (1..q.len()).all(|i| key(i - 1) <= key(i));
        if sorted {
            return self.overlaps_of(
                q.len(),
                |i| (chrom_of(i), q.starts[i], q.ends[i]),
                opts,
                weights,
            );
        }
        let mut order: Vec<(u64, u32, u32)> = (0..q.len())
            .into_par_iter()
            .map(|i| (key(i), q.ends[i], i as u32))
            .collect();
        order.par_sort_unstable();
        let by_sort = self.overlaps_of(
            order.len(),
            |r| {
                let (k, e, _) = order[r];
                let c = (k >> 32) as u32;
                ((c != u32::MAX).then_some(c), k as u32, e)
            },
            opts,
            weights,
        );
        // scatter rows back to query order
        let mut offsets = vec![0u64; q.len() + 1];
        for (r, &(_, _, i)) in order.iter().enumerate() {
            offsets[i as usize + 1] = by_sort.offsets[r + 1] - by_sort.offsets[r];
        }
        for i in 0..q.len() {
            offsets[i + 1] += offsets[i];
        }
        let mut ids = vec![0u32; by_sort.ids.len()];
        let mut w = vec![0f32; by_sort.weights.len()];
        for (r, &(_, _, i)) in order.iter().enumerate() {
            let (a, b) = (by_sort.offsets[r] as usize, by_sort.offsets[r + 1] as usize);
            let dst = offsets[i as usize] as usize;
            ids[dst..dst + b - a].copy_from_slice(&by_sort.ids[a..b]);
            if weights {
                w[dst..dst + b - a].copy_from_slice(&by_sort.weights[a..b]);
            }
        }
        Csr {
            offsets,
            ids,
            weights: w,
        }
    }

    /// Overlaps of `n` queries given by `query(r) -> (universe chrom, start, end)`; rows in
    /// that order.
    fn overlaps_of<F>(&self, n: usize, query: F, opts: OverlapOptions, weights: bool) -> Csr
    where
        F: Fn(usize) -> (Option<u32>, u32, u32) + Sync,
    {
        let parts: Vec<Csr> = (0..n.div_ceil(CHUNK))
            .into_par_iter()
            .map(|k| {
                let (a, b) = (k * CHUNK, ((k + 1) * CHUNK).min(n));
                let mut part = Csr {
                    offsets: Vec::with_capacity(b - a + 1),
                    ids: Vec::with_capacity(b - a),
                    weights: Vec::new(),
                };
                part.offsets.push(0);
                let mut buf = Vec::new();
                let mut cursor = Cursor::default();
                for r in a..b {
                    let (c, s, e) = query(r);
                    self.hits_of(c, s, e, opts, &mut cursor, &mut buf);
                    part.ids.extend(buf.iter().map(|h| h.0));
                    if weights {
                        part.weights.extend(buf.iter().map(|h| h.1));
                    }
                    part.offsets.push(part.ids.len() as u64);
                }
                part
            })
            .collect();
        if parts.is_empty() {
            return Csr {
                offsets: vec![0],
                ..Csr::default()
            };
        }
        Csr::concat(parts)
    }

    /// Hard tokenization as a flat id list: every overlap, in query order then universe order.
    /// A query region without overlap contributes `<unk>` unless `drop_unknown`. With `unique`,
    /// each universe token appears once and the result is sorted (no `<unk>`).
    pub fn tokenize(
        &self,
        q: &RegionsRef<'_>,
        opts: OverlapOptions,
        drop_unknown: bool,
        unique: bool,
    ) -> Vec<i64> {
        let csr = self.overlaps(q, opts, false);
        if unique {
            let mut seen = vec![false; self.n_regions()];
            for &id in &csr.ids {
                seen[id as usize] = true;
            }
            return seen
                .iter()
                .enumerate()
                .filter(|(_, s)| **s)
                .map(|(i, _)| i as i64)
                .collect();
        }
        let unk = i64::from(self.unk_id());
        let mut out = Vec::with_capacity(csr.ids.len() + 16);
        for r in 0..csr.n_rows() {
            let row = csr.row(r);
            if row.is_empty() {
                if !drop_unknown {
                    out.push(unk);
                }
            } else {
                out.extend(row.iter().map(|&x| i64::from(x)));
            }
        }
        out
    }

    /// Cells to tokens: `indptr`/`indices` is a cells x peaks CSR matrix (non-zero entries only),
    /// `peak_tokens` the tokens of each peak. Each cell gets the sorted set of its peaks' tokens.
    pub fn cells_to_tokens<I: Copy + Into<i64> + Sync>(
        &self,
        indptr: &[i64],
        indices: &[I],
        peak_tokens: &Csr,
    ) -> Result<Csr> {
        cells_to_tokens(indptr, indices, peak_tokens, self.n_regions())
    }
}

/// How well a universe covers a set of query regions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Coverage {
    /// Query regions.
    pub n_regions: u64,
    /// Query regions with at least one token.
    pub n_regions_with_token: u64,
    /// Bases of all query regions.
    pub bp_total: u64,
    /// Query bases inside at least one universe region.
    pub bp_covered: u64,
    /// Distinct universe regions hit.
    pub n_universe_used: u64,
}

impl Tokenizer {
    /// Coverage of `q` by the universe (overlaps kept with `opts`).
    pub fn coverage(&self, q: &RegionsRef<'_>, opts: OverlapOptions) -> Coverage {
        let csr = self.overlaps(q, opts, false);
        let u = &self.universe;
        let (with_token, bp_total, bp_covered) = (0..q.len())
            .into_par_iter()
            .fold(
                || (0u64, 0u64, 0u64, Vec::new()),
                |(mut n, mut tot, mut cov, mut spans): (u64, u64, u64, Vec<(u32, u32)>), i| {
                    let (qs, qe) = (q.starts[i], q.ends[i]);
                    tot += u64::from(qe - qs);
                    let row = csr.row(i);
                    if !row.is_empty() {
                        n += 1;
                        spans.clear();
                        spans.extend(row.iter().map(|&t| {
                            let t = t as usize;
                            (u.starts[t].max(qs), u.ends[t].min(qe))
                        }));
                        spans.sort_unstable();
                        let mut cur: Option<(u32, u32)> = None;
                        for &(a, b) in &spans {
                            match cur {
                                Some((ca, cb)) if a <= cb => cur = Some((ca, cb.max(b))),
                                _ => {
                                    if let Some((ca, cb)) = cur {
                                        cov += u64::from(cb - ca);
                                    }
                                    cur = Some((a, b));
                                }
                            }
                        }
                        if let Some((ca, cb)) = cur {
                            cov += u64::from(cb - ca);
                        }
                    }
                    (n, tot, cov, spans)
                },
            )
            .map(|(n, t, c, _)| (n, t, c))
            .reduce(|| (0, 0, 0), |a, b| (a.0 + b.0, a.1 + b.1, a.2 + b.2));
        let mut used = vec![false; self.n_regions()];
        for &t in &csr.ids {
            used[t as usize] = true;
        }
        Coverage {
            n_regions: q.len() as u64,
            n_regions_with_token: with_token,
            bp_total,
            bp_covered,
            n_universe_used: used.iter().filter(|&&b| b).count() as u64,
        }
    }
}

/// `(duplicate row, first row)` of every region equal to an earlier one, ascending.
fn duplicate_rows(v: &RegionsRef<'_>) -> Vec<(u32, u32)> {
    let order = v.sort_order();
    let key = |i: u32| {
        let i = i as usize;
        (v.chroms[i], v.starts[i], v.ends[i])
    };
    let mut out = Vec::new();
    let mut first = None;
    for &row in &order {
        match first {
            Some(f) if key(f) == key(row) => out.push((row, f)),
            _ => first = Some(row),
        }
    }
    out.sort_unstable();
    out
}

/// Check a universe (token id i = row i): it must hold a region, and a region equal to an
/// earlier one is an error naming both rows - both 1-based line numbers when `path` is the
/// file the regions were read from - unless `dedup` (then the first copy is kept).
/// Returns the universe and the number of duplicates dropped.
pub fn check_universe(
    regions: RegionSet,
    dedup: bool,
    path: Option<&Path>,
) -> Result<(RegionSet, usize)> {
    let label = path.map_or_else(|| "universe".to_string(), |p| p.display().to_string());
    if regions.is_empty() {
        return Err(GenimlError::Universe(format!(
            "{label}: the universe holds no region"
        )));
    }
    let dups = duplicate_rows(&regions.view());
    let Some(&(dup, first)) = dups.first() else {
        return Ok((regions, 0));
    };
    if !dedup {
        let place = match path {
            Some(p) => {
                let lines = data_line_numbers(p, &[first as u64, dup as u64])?;
                format!("lines {} and {}", lines[0], lines[1])
            }
            None => format!("rows {first} and {dup}"),
        };
        let i = dup as usize;
        return Err(GenimlError::Universe(format!(
            "{label}: {} duplicate region(s); {}:{}-{} is on {place} \
             (pass dedup=True to keep the first copy)",
            dups.len(),
            regions.names[regions.chroms[i] as usize],
            regions.starts[i],
            regions.ends[i],
        )));
    }
    let mut dropped = dups.iter().map(|d| d.0).peekable();
    let keep: Vec<u32> = (0..regions.len() as u32)
        .filter(|&r| {
            if dropped.peek() == Some(&r) {
                dropped.next();
                false
            } else {
                true
            }
        })
        .collect();
    let mut out = regions.view().take(&keep);
    out.extra = regions.extra.as_ref().map(|x| x.take(&keep));
    Ok((out, dups.len()))
}

/// Read a universe BED file (token id i = i-th region, file order) and [`check_universe`] it.
/// A missing file is [`GenimlError::UniverseNotFound`].
pub fn read_universe(path: &Path, dedup: bool, keep_extra: bool) -> Result<(RegionSet, usize)> {
    if !path.exists() {
        return Err(GenimlError::UniverseNotFound(path.to_path_buf()));
    }
    let opts = ReadOptions {
        keep_extra,
        allow_empty: true,
        ..ReadOptions::default()
    };
    let (regions, _) = read_bed(path, &opts)?;
    check_universe(regions, dedup, Some(path))
}

/// Union of peak tokens per cell (see [`Tokenizer::cells_to_tokens`]).
///
/// `indices` may be `i32` (as anndata and 10x store them) or `i64`. A cell's tokens come out
/// sorted: rows whose peaks are in genome order usually yield them in order already, so the
/// sort runs only for the rows that need it.
pub fn cells_to_tokens<I: Copy + Into<i64> + Sync>(
    indptr: &[i64],
    indices: &[I],
    peak_tokens: &Csr,
    n_tokens: usize,
) -> Result<Csr> {
    let n_peaks = peak_tokens.n_rows();
    if let Some(&t) = peak_tokens.ids.iter().find(|&&t| t as usize >= n_tokens) {
        return Err(GenimlError::InvalidInput(format!(
            "a peak maps to token {t}, but the universe has {n_tokens} tokens"
        )));
    }
    let bad_ptr = indptr.first().is_some_and(|&x| x != 0)
        || indptr.windows(2).any(|w| w[0] > w[1])
        || indptr.last().is_some_and(|&x| x as usize != indices.len());
    if bad_ptr {
        return Err(GenimlError::InvalidInput(
            "the cell matrix is not a valid CSR matrix (indptr does not partition indices)".into(),
        ));
    }
    if let Some(bad) = indices
        .iter()
        .map(|&j| j.into())
        .find(|&j: &i64| j < 0 || j as usize >= n_peaks)
    {
        return Err(GenimlError::InvalidInput(format!(
            "the cell matrix refers to peak column {bad}, but there are {n_peaks} peaks"
        )));
    }
    // Peak -> token table with 32-bit offsets when they fit (half the cache footprint).
    if let Ok(offs) = peak_tokens
        .offsets
        .iter()
        .map(|&o| u32::try_from(o))
        .collect::<std::result::Result<Vec<u32>, _>>()
    {
        Ok(cells_union(
            indptr,
            indices,
            &offs,
            &peak_tokens.ids,
            n_tokens,
        ))
    } else {
        Ok(cells_union(
            indptr,
            indices,
            &peak_tokens.offsets,
            &peak_tokens.ids,
            n_tokens,
        ))
    }
}

/// The kernel of [`cells_to_tokens`] on checked input, 1,024 cells per task.
///
/// Columns in order (the usual CSR layout) and a universe in genome order emit each cell's
/// tokens mostly in increasing order: a token above the last one is new (no lookup, only a
/// mark written); only tokens at or below it are looked up in the marks (a repeat, or a new
/// token out of order, which makes the row need a sort).
fn cells_union<I, O>(
    indptr: &[i64],
    indices: &[I],
    offsets: &[O],
    ids: &[u32],
    n_tokens: usize,
) -> Csr
where
    I: Copy + Into<i64> + Sync,
    O: Copy + Into<u64> + Sync,
{
    let n_cells = indptr.len().saturating_sub(1);
    let n_peaks = offsets.len().saturating_sub(1).max(1);
    let per_peak = ids.len() as f64 / n_peaks as f64;
    let parts: Vec<Csr> = (0..n_cells.div_ceil(1024))
        .into_par_iter()
        .map(|k| {
            let (a, b) = (k * 1024, ((k + 1) * 1024).min(n_cells));
            let nnz = (indptr[b] - indptr[a]) as f64;
            let mut part = Csr {
                offsets: Vec::with_capacity(b - a + 1),
                ids: Vec::with_capacity((nnz * per_peak) as usize + 16),
                weights: Vec::new(),
            };
            part.offsets.push(0);
            let mut mark = vec![u32::MAX; n_tokens];
            for cell in a..b {
                let start = part.ids.len();
                let tag = cell as u32;
                let mut sorted = true;
                let mut last: i64 = -1;
                for &j in &indices[indptr[cell] as usize..indptr[cell + 1] as usize] {
                    let j = j.into() as usize;
                    let (lo, hi) = (offsets[j].into() as usize, offsets[j + 1].into() as usize);
                    for &t in &ids[lo..hi] {
                        let ti = i64::from(t);
                        if ti > last {
                            last = ti;
                            mark[t as usize] = tag;
                            part.ids.push(t);
                        } else if mark[t as usize] != tag {
                            sorted = false;
                            mark[t as usize] = tag;
                            part.ids.push(t);
                        }
                    }
                }
                if !sorted {
                    part.ids[start..].sort_unstable();
                }
                part.offsets.push(part.ids.len() as u64);
            }
            part
        })
        .collect();
    if parts.is_empty() {
        return Csr {
            offsets: vec![0],
            ..Csr::default()
        };
    }
    Csr::concat(parts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn universe() -> RegionSet {
        RegionSet {
            names: vec!["chr1".into(), "chr2".into()],
            chroms: vec![0, 0, 1, 0],
            starts: vec![100, 150, 0, 500],
            ends: vec![200, 300, 50, 600],
            extra: None,
        }
    }

    #[test]
    fn special_tokens_follow_regions() {
        let t = Tokenizer::new(universe()).unwrap();
        assert_eq!(t.vocab_size(), 11);
        assert_eq!(t.special_id("<unk>"), Some(4));
        assert_eq!(t.special_id("<eos>"), Some(8));
        assert_eq!(t.special_id("<sep>"), Some(10));
    }

    #[test]
    fn half_open_every_overlap_and_unknowns() {
        let t = Tokenizer::new(universe()).unwrap();
        let names = vec!["chr1".to_string(), "chrZ".to_string()];
        // [200, 210) touches 100-200 only at its end: no overlap with id 0, overlaps id 1.
        let q = RegionsRef::new(
            &names,
            &[0, 0, 1, 0],
            &[199, 200, 5, 300],
            &[210, 210, 9, 500],
        )
        .unwrap();
        let ids = t.tokenize(&q, OverlapOptions::default(), false, false);
        assert_eq!(ids, vec![0, 1, 1, 4, 4]);
        let ids = t.tokenize(&q, OverlapOptions::default(), true, false);
        assert_eq!(ids, vec![0, 1, 1]);
        let ids = t.tokenize(&q, OverlapOptions::default(), false, true);
        assert_eq!(ids, vec![0, 1]);
    }

    #[test]
    fn fraction_filters() {
        let t = Tokenizer::new(universe()).unwrap();
        let names = vec!["chr1".to_string()];
        // query [190, 290): 10 bp with id 0 (0.1 of query), 100 bp with id 1 (1.0 of query).
        let q = RegionsRef::new(&names, &[0], &[190], &[290]).unwrap();
        let half = OverlapOptions {
            fraction: 0.5,
            of: FractionOf::Query,
        };
        assert_eq!(t.tokenize(&q, half, true, false), vec![1]);
        // of the universe region: id 0 is 10/100, id 1 is 100/150.
        let uni = OverlapOptions {
            fraction: 0.5,
            of: FractionOf::Universe,
        };
        assert_eq!(t.tokenize(&q, uni, true, false), vec![1]);
        let soft = t.overlaps(&q, OverlapOptions::default(), true);
        assert_eq!(soft.ids, vec![0, 1]);
        assert!((soft.weights[0] - 0.1).abs() < 1e-6 && (soft.weights[1] - 1.0).abs() < 1e-6);
    }

    #[test]
    fn coverage_counts_union_of_overlaps() {
        let t = Tokenizer::new(universe()).unwrap();
        let names = vec!["chr1".to_string(), "chr9".to_string()];
        // [120, 320) covered by 100-200 and 150-300 (union 120..300 = 180 bp); chr9 uncovered.
        let q = RegionsRef::new(&names, &[0, 1], &[120, 0], &[320, 10]).unwrap();
        let c = t.coverage(&q, OverlapOptions::default());
        assert_eq!(c.n_regions, 2);
        assert_eq!(c.n_regions_with_token, 1);
        assert_eq!(c.bp_total, 210);
        assert_eq!(c.bp_covered, 180);
        assert_eq!(c.n_universe_used, 2);
    }

    #[test]
    fn cells_union() {
        let peaks = Csr {
            offsets: vec![0, 2, 2, 3],
            ids: vec![3, 1, 1],
            weights: vec![],
        };
        let c = cells_to_tokens(&[0, 2, 2, 3], &[0, 2, 1], &peaks, 5).unwrap();
        assert_eq!(c.offsets, vec![0, 2, 2, 2]);
        assert_eq!(c.ids, vec![1, 3]);
        assert!(cells_to_tokens(&[0, 1], &[7], &peaks, 5).is_err());
        assert!(cells_to_tokens(&[0, 3], &[0], &peaks, 5).is_err());
        let c32 = cells_to_tokens(&[0, 2, 2, 3], &[0i32, 2, 1], &peaks, 5).unwrap();
        assert_eq!((c32.offsets, c32.ids), (c.offsets, c.ids));
        assert!(cells_to_tokens(&[0, 1], &[-1i32], &peaks, 5).is_err());
    }

    proptest! {
        /// Sorted-input fast path or not, each cell gets the sorted set of its peaks' tokens.
        #[test]
        fn cells_union_is_sorted_set(
            peak_rows in prop::collection::vec(prop::collection::vec(0u32..40, 0..4), 1..30),
            cells in prop::collection::vec(prop::collection::vec(0usize..30, 0..12), 0..20),
            sort_cols in any::<bool>(),
            one_token in any::<bool>(),
        ) {
            let mut peaks = Csr { offsets: vec![0], ..Csr::default() };
            for r in &peak_rows {
                let mut r = r.clone();
                r.sort_unstable();
                r.dedup();
                if one_token {
                    r.truncate(1); // the flat peak -> token table path
                }
                peaks.ids.extend_from_slice(&r);
                peaks.offsets.push(peaks.ids.len() as u64);
            }
            let mut indptr = vec![0i64];
            let mut indices: Vec<i32> = Vec::new();
            let mut want: Vec<Vec<u32>> = Vec::new();
            for c in &cells {
                let mut c: Vec<usize> = c.iter().map(|&j| j % peak_rows.len()).collect();
                if sort_cols {
                    c.sort_unstable();
                }
                let set: std::collections::BTreeSet<u32> =
                    c.iter().flat_map(|&j| peaks.row(j).iter().copied()).collect();
                want.push(set.into_iter().collect());
                indices.extend(c.iter().map(|&j| j as i32));
                indptr.push(indices.len() as i64);
            }
            let got = cells_to_tokens(&indptr, &indices, &peaks, 40).unwrap();
            for (k, w) in want.iter().enumerate() {
                prop_assert_eq!(got.row(k), &w[..]);
            }
            let wide: Vec<i64> = indices.iter().map(|&j| i64::from(j)).collect();
            let got64 = cells_to_tokens(&indptr, &wide, &peaks, 40).unwrap();
            prop_assert_eq!(got64.ids, got.ids);
        }
    }

    proptest! {
        #[test]
        fn tokens_match_naive(
            uni in proptest::collection::vec((0u32..2, 0u32..1000, 1u32..200), 1..80),
            qs in proptest::collection::vec((0u32..3, 0u32..1100, 0u32..150), 0..60),
        ) {
            let u = RegionSet {
                names: vec!["a".into(), "b".into()],
                chroms: uni.iter().map(|x| x.0).collect(),
                starts: uni.iter().map(|x| x.1).collect(),
                ends: uni.iter().map(|x| x.1 + x.2).collect(),
                extra: None,
            };
            let t = Tokenizer::new(u.clone()).unwrap();
            let names = vec!["a".to_string(), "b".to_string(), "c".to_string()];
            let c: Vec<u32> = qs.iter().map(|x| x.0).collect();
            let s: Vec<u32> = qs.iter().map(|x| x.1).collect();
            let e: Vec<u32> = qs.iter().map(|x| x.1 + x.2).collect();
            let q = RegionsRef::new(&names, &c, &s, &e).unwrap();
            let got = t.tokenize(&q, OverlapOptions::default(), false, false);
            let mut want = Vec::new();
            for i in 0..qs.len() {
                let mut hits: Vec<i64> = (0..u.len())
                    .filter(|&j| names[c[i] as usize] == u.names[u.chroms[j] as usize] && u.starts[j] < e[i] && u.ends[j] > s[i] && s[i] < e[i])
                    .map(|j| j as i64).collect();
                if hits.is_empty() { hits.push(u.len() as i64); }
                want.extend(hits);
            }
            prop_assert_eq!(got, want);
        }
    }
}
