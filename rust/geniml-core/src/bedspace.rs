//! BEDspace: StarSpace's `trainMode 0` objective over region sets and their labels.
//!
//! Each example is one region set (a line of StarSpace's fastText-format input): its *words* (the
//! universe regions it overlaps) on the left and its labels (`__label__…` tokens) on the right.
//! Words and labels share one embedding table (StarSpace's `shareEmb`), one row per symbol: words
//! first, then labels, each group by decreasing count (ties in order of first appearance).
//!
//! One training step works on a mini-batch of examples, as StarSpace's `trainOneBatch` does:
//! - the left side is the sum of the word rows divided by its L2 norm, the right side one label of
//!   the example chosen at random, also L2-normalised, so their dot product is the cosine;
//! - `neg_search_limit` negative labels are drawn for the whole batch, each by picking a random
//!   example and a random label of it (so labels are drawn in proportion to their frequency);
//! - for each example, every negative other than its positive whose cosine comes within `margin` of
//!   the positive's violates the hinge `max(0, margin - cos(l, r+) + cos(l, r-))`; up to
//!   `max_neg_samples` violators are kept; the loss is their sum over `neg_search_limit`;
//! - the gradient for the words is `mean(violators) - r+`, the positive label moves towards the
//!   left vector and each violator away from it with rate `lr / n_violators`;
//! - every row update is per-row AdaGrad: the row's accumulator grows by `|g|^2 / dim` and the
//!   step is `lr / sqrt(acc + 1e-6)`.
//!
//! After each epoch rows longer than `max_norm` are scaled back (StarSpace truncates them on a
//! background thread). Randomness comes from `(seed, epoch, batch)`, so a run with one thread is
//! bitwise reproducible; with more threads batches update the table without locks (Hogwild, as
//! StarSpace's threads do).
//!
//! ```
//! use geniml_core::bedspace::{Examples, StarSpaceParams};
//! // two examples: words {0, 1} labelled 3, words {1, 2} labelled 4 (rows 3 and 4 are labels)
//! let ex = Examples::new(vec![0, 2, 4], vec![0, 1, 1, 2], vec![0, 1, 2], vec![3, 4], 5).unwrap();
//! let p = StarSpaceParams { dim: 4, ..StarSpaceParams::default() };
//! let mut w: Vec<f32> = (0..20).map(|i| ((i * 7 % 11) as f32 - 5.0) * 0.01).collect();
//! let mut acc = vec![0.0_f32; 5];
//! let stats = ex.train_epoch(&mut w, &mut acc, &p, 0, 0.05, 0.04, Some(1)).unwrap();
//! assert_eq!(stats.examples, 2);
//! ```

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::Path;

use rayon::prelude::*;

use crate::error::{GenimlError, Result};
use crate::sgd::Rng;

/// Training hyper-parameters (StarSpace's names in the comments).
#[derive(Clone, Copy, Debug)]
pub struct StarSpaceParams {
    /// Embedding dimension (`-dim`).
    pub dim: usize,
    /// Negatives drawn per batch (`-negSearchLimit`).
    pub neg_search_limit: usize,
    /// Violating negatives kept per example (`-maxNegSamples`).
    pub max_neg_samples: usize,
    /// Hinge margin (`-margin`).
    pub margin: f32,
    /// Examples per mini-batch (`-batchSize`).
    pub batch_size: usize,
    /// Rows longer than this are scaled back after each epoch (`-norm`).
    pub max_norm: f32,
    /// Per-row AdaGrad (`-adagrad`); plain SGD otherwise.
    pub adagrad: bool,
    pub seed: u64,
}

impl Default for StarSpaceParams {
    fn default() -> Self {
        Self {
            dim: 100,
            neg_search_limit: 50,
            max_neg_samples: 10,
            margin: 0.05,
            batch_size: 5,
            max_norm: 10.0,
            adagrad: true,
            seed: 0,
        }
    }
}

/// Loss and counts of one epoch.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EpochStats {
    /// Sum over batches of the batch loss (StarSpace's per-batch `total_loss`).
    pub loss: f64,
    pub batches: u64,
    pub examples: u64,
}

/// Examples as CSR tables of row ids: words `lhs[lhs_offsets[i]..lhs_offsets[i+1]]`, labels
/// `rhs[rhs_offsets[i]..rhs_offsets[i+1]]`, all ids `< n_rows`.
#[derive(Clone, Debug)]
pub struct Examples {
    lhs_offsets: Vec<usize>,
    lhs: Vec<u32>,
    rhs_offsets: Vec<usize>,
    rhs: Vec<u32>,
    n_rows: usize,
}

fn invalid(msg: impl Into<String>) -> GenimlError {
    GenimlError::InvalidInput(msg.into())
}

fn check_csr(name: &str, offsets: &[usize], ids: &[u32], n_rows: usize) -> Result<()> {
    if offsets.first() != Some(&0) || offsets.last() != Some(&ids.len()) {
        return Err(invalid(format!(
            "{name}: offsets must start at 0 and end at {} (the number of ids)",
            ids.len()
        )));
    }
    if offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err(invalid(format!("{name}: offsets must not decrease")));
    }
    if let Some(bad) = ids.iter().find(|&&i| i as usize >= n_rows) {
        return Err(invalid(format!(
            "{name}: row id {bad} is outside the table ({n_rows} rows)"
        )));
    }
    Ok(())
}

impl Examples {
    /// Validate and hold the examples. Every example needs at least one word and one label.
    pub fn new(
        lhs_offsets: Vec<usize>,
        lhs: Vec<u32>,
        rhs_offsets: Vec<usize>,
        rhs: Vec<u32>,
        n_rows: usize,
    ) -> Result<Self> {
        check_csr("words", &lhs_offsets, &lhs, n_rows)?;
        check_csr("labels", &rhs_offsets, &rhs, n_rows)?;
        if lhs_offsets.len() != rhs_offsets.len() {
            return Err(invalid(format!(
                "{} word lists but {} label lists",
                lhs_offsets.len() - 1,
                rhs_offsets.len() - 1
            )));
        }
        for i in 0..lhs_offsets.len() - 1 {
            if lhs_offsets[i] == lhs_offsets[i + 1] || rhs_offsets[i] == rhs_offsets[i + 1] {
                return Err(invalid(format!(
                    "example {i} has no word or no label (trainMode 0 needs both)"
                )));
            }
        }
        if lhs_offsets.len() < 2 {
            return Err(invalid("no training example"));
        }
        Ok(Self {
            lhs_offsets,
            lhs,
            rhs_offsets,
            rhs,
            n_rows,
        })
    }

    /// Number of examples.
    pub fn len(&self) -> usize {
        self.lhs_offsets.len() - 1
    }

    /// Whether there is no example (never true for a constructed value).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn words(&self, i: usize) -> &[u32] {
        &self.lhs[self.lhs_offsets[i]..self.lhs_offsets[i + 1]]
    }

    fn labels(&self, i: usize) -> &[u32] {
        &self.rhs[self.rhs_offsets[i]..self.rhs_offsets[i + 1]]
    }

    /// One epoch over the examples in a shuffled order, updating `weights` (`n_rows x dim`,
    /// row-major) and the AdaGrad accumulators `acc` (`n_rows`) in place. The learning rate falls
    /// linearly from `lr_start` to `lr_end` across the epoch. `n_threads`: `None` uses the
    /// shared pool, `Some(1)` runs serially (bitwise reproducible).
    #[allow(clippy::too_many_arguments)]
    pub fn train_epoch(
        &self,
        weights: &mut [f32],
        acc: &mut [f32],
        params: &StarSpaceParams,
        epoch: u64,
        lr_start: f32,
        lr_end: f32,
        n_threads: Option<usize>,
    ) -> Result<EpochStats> {
        let dim = params.dim;
        if dim == 0 || weights.len() != self.n_rows * dim || acc.len() != self.n_rows {
            return Err(invalid(format!(
                "weights must be {} x {dim} and accumulators {} long, got {} and {}",
                self.n_rows,
                self.n_rows,
                weights.len(),
                acc.len()
            )));
        }
        if params.batch_size == 0 {
            return Err(invalid("batch_size must be at least 1"));
        }
        let n = self.len();
        let mut order: Vec<usize> = (0..n).collect();
        let mut rng = Rng::stream(params.seed, epoch, u64::MAX);
        for i in (1..n).rev() {
            order.swap(i, rng.below(i + 1));
        }
        let batches: Vec<&[usize]> = order.chunks(params.batch_size).collect();
        let n_batches = batches.len().max(1) as f32;
        let shared = Shared {
            w: weights.as_mut_ptr(),
            acc: acc.as_mut_ptr(),
        };
        let nsl = params.neg_search_limit.min(n);
        let run = |b: usize, batch: &[usize], scratch: &mut Scratch| {
            let lr = lr_start + (lr_end - lr_start) * (b as f32 / n_batches);
            let mut rng = Rng::stream(params.seed, epoch, b as u64);
            kernel::batch(self, shared, params, batch, nsl, lr, &mut rng, scratch)
        };
        let losses: Vec<f64> = if n_threads == Some(1) {
            let mut s = Scratch::new(dim);
            batches
                .iter()
                .enumerate()
                .map(|(b, x)| run(b, x, &mut s))
                .collect()
        } else {
            crate::threads::install(n_threads, || {
                batches
                    .par_iter()
                    .enumerate()
                    .map_init(|| Scratch::new(dim), |s, (b, x)| run(b, x, s))
                    .collect()
            })
        };
        truncate_rows(weights, dim, params.max_norm);
        Ok(EpochStats {
            loss: losses.iter().sum(),
            batches: batches.len() as u64,
            examples: n as u64,
        })
    }
}

fn truncate_rows(weights: &mut [f32], dim: usize, max_norm: f32) {
    if max_norm <= 0.0 {
        return;
    }
    for row in weights.chunks_exact_mut(dim) {
        let norm = row.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > max_norm {
            let s = max_norm / norm;
            for x in row.iter_mut() {
                *x *= s;
            }
        }
    }
}

/// One vector per bag of rows: the sum of the rows divided by its L2 norm (StarSpace's
/// `projectLHS` under cosine similarity; an empty bag gives zeros). Bag `i` is
/// `ids[offsets[i]..offsets[i+1]]`. Returns `n_bags x dim` row-major.
pub fn embed_bags(
    weights: &[f32],
    dim: usize,
    offsets: &[usize],
    ids: &[u32],
    n_threads: Option<usize>,
) -> Result<Vec<f32>> {
    if dim == 0 || weights.len() % dim != 0 {
        return Err(invalid(format!(
            "weights hold {} values, not a multiple of dim {dim}",
            weights.len()
        )));
    }
    let n_rows = weights.len() / dim;
    check_csr("bags", offsets, ids, n_rows)?;
    let n = offsets.len().saturating_sub(1);
    let mut out = vec![0.0_f32; n * dim];
    crate::threads::install(n_threads, || {
        out.par_chunks_mut(dim).enumerate().for_each(|(i, o)| {
            for &t in &ids[offsets[i]..offsets[i + 1]] {
                let r = &weights[t as usize * dim..(t as usize + 1) * dim];
                for (a, b) in o.iter_mut().zip(r) {
                    *a += b;
                }
            }
            let norm = o.iter().map(|x| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                for x in o.iter_mut() {
                    *x /= norm.max(f32::EPSILON);
                }
            }
        });
    });
    Ok(out)
}

/// A parsed StarSpace input file (fastText format, `trainMode 0`).
#[derive(Clone, Debug, Default)]
pub struct ParsedInput {
    /// Row symbols: words (by decreasing count), then labels (by decreasing count).
    pub symbols: Vec<String>,
    pub n_words: usize,
    /// Word row ids of each kept line (CSR, duplicates kept as StarSpace keeps them).
    pub lhs_offsets: Vec<usize>,
    pub lhs: Vec<u32>,
    /// Label row ids of each kept line (CSR).
    pub rhs_offsets: Vec<usize>,
    pub rhs: Vec<u32>,
    /// 0-based line number of each kept example.
    pub lines: Vec<u64>,
    /// 1-based numbers of the lines skipped for lacking words or labels.
    pub skipped: Vec<u64>,
}

/// Read a StarSpace input file: whitespace-separated tokens per line, those starting with
/// `label_prefix` are labels. Lines without a word or without a label are skipped (as StarSpace
/// skips them in `trainMode 0`) and reported.
pub fn read_input(path: &Path, label_prefix: &str) -> Result<ParsedInput> {
    let file = std::fs::File::open(path).map_err(|e| GenimlError::io(path, e))?;
    let mut reader = BufReader::new(file);
    // symbol -> (count, first seen, is_label)
    let mut vocab: HashMap<String, (u64, usize, bool)> = HashMap::new();
    let mut raw: Vec<(Vec<usize>, Vec<usize>)> = Vec::new();
    let mut names: Vec<String> = Vec::new();
    let mut out = ParsedInput::default();
    let mut line = String::new();
    let mut lineno = 0_u64;
    loop {
        line.clear();
        let n = reader
            .read_line(&mut line)
            .map_err(|e| GenimlError::io(path, e))?;
        if n == 0 {
            break;
        }
        lineno += 1;
        let (mut w, mut l) = (Vec::new(), Vec::new());
        for tok in line.split_ascii_whitespace() {
            let is_label = tok.starts_with(label_prefix);
            let next = names.len();
            let e = vocab.entry(tok.to_owned()).or_insert_with(|| {
                names.push(tok.to_owned());
                (0, next, is_label)
            });
            e.0 += 1;
            if is_label { &mut l } else { &mut w }.push(e.1);
        }
        if w.is_empty() || l.is_empty() {
            out.skipped.push(lineno);
            continue;
        }
        out.lines.push(lineno - 1);
        raw.push((w, l));
    }
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by_key(|&i| {
        let (count, first, is_label) = vocab[&names[i]];
        (is_label, std::cmp::Reverse(count), first)
    });
    let mut row_of = vec![0_u32; names.len()];
    for (row, &i) in order.iter().enumerate() {
        row_of[i] = u32::try_from(row).map_err(|_| invalid("more than 2^32 symbols"))?;
    }
    out.n_words = order.iter().filter(|&&i| !vocab[&names[i]].2).count();
    out.lhs_offsets.push(0);
    out.rhs_offsets.push(0);
    for (w, l) in raw {
        out.lhs.extend(w.iter().map(|&i| row_of[i]));
        out.rhs.extend(l.iter().map(|&i| row_of[i]));
        out.lhs_offsets.push(out.lhs.len());
        out.rhs_offsets.push(out.rhs.len());
    }
    out.symbols = order
        .into_iter()
        .map(|i| std::mem::take(&mut names[i]))
        .collect();
    Ok(out)
}

#[derive(Clone, Copy)]
struct Shared {
    w: *mut f32,
    acc: *mut f32,
}

// SAFETY: the pointers come from `&mut [f32]` borrowed for the whole `train_epoch` call and sized
// by its check; workers read and write rows without locks (Hogwild, as StarSpace's threads do):
// a lost update is the accepted price of the algorithm.
#[allow(unsafe_code)]
unsafe impl Send for Shared {}
#[allow(unsafe_code)]
unsafe impl Sync for Shared {}

struct Scratch {
    lhs: Vec<f32>,
    pos: Vec<f32>,
    grad: Vec<f32>,
    negs: Vec<f32>,
    neg_ids: Vec<u32>,
    pos_ids: Vec<u32>,
    pos_sim: Vec<f32>,
    n_viol: Vec<usize>,
    viol: Vec<bool>,
}

impl Scratch {
    fn new(dim: usize) -> Self {
        Self {
            lhs: Vec::with_capacity(dim * 8),
            pos: Vec::with_capacity(dim * 8),
            grad: Vec::with_capacity(dim * 8),
            negs: Vec::new(),
            neg_ids: Vec::new(),
            pos_ids: Vec::new(),
            pos_sim: Vec::new(),
            n_viol: Vec::new(),
            viol: Vec::new(),
        }
    }
}

#[allow(unsafe_code)]
mod kernel {
    use super::{Examples, Scratch, Shared, StarSpaceParams};
    use crate::sgd::{Plain, Rng};

    fn dot(a: &[f32], b: &[f32]) -> f32 {
        crate::sgd::dot::<Plain>(a, b)
    }

    fn normalize(v: &mut [f32]) {
        let n = dot(v, v).sqrt().max(f32::EPSILON);
        for x in v.iter_mut() {
            *x /= n;
        }
    }

    /// Row `r` of the shared table.
    ///
    /// SAFETY: `r < n_rows` (checked when the examples were built) and the table holds
    /// `n_rows * dim` values (checked by `train_epoch`); no two live references alias within a
    /// thread.
    #[inline]
    unsafe fn row<'a>(sh: Shared, r: u32, dim: usize) -> &'a mut [f32] {
        unsafe { std::slice::from_raw_parts_mut(sh.w.add(r as usize * dim), dim) }
    }

    /// `row -= rate * g` with per-row AdaGrad on the accumulator of `r` (`g2` = `|g|^2`).
    #[inline]
    fn update(sh: Shared, p: &StarSpaceParams, r: u32, g: &[f32], g2: f32, rate: f32) {
        let dim = p.dim;
        let mut rate = rate;
        if p.adagrad {
            // SAFETY: `r < n_rows`, the length of the accumulator table (see `row`).
            let a = unsafe { &mut *sh.acc.add(r as usize) };
            *a += g2 / dim as f32;
            rate /= (*a + 1e-6).sqrt();
        }
        // SAFETY: see `row`.
        let w = unsafe { row(sh, r, dim) };
        for (x, y) in w.iter_mut().zip(g) {
            *x -= rate * y;
        }
    }

    /// One mini-batch (StarSpace's `trainOneBatch` + `backward` for the hinge loss).
    #[allow(clippy::too_many_arguments)]
    pub(super) fn batch(
        ex: &Examples,
        sh: Shared,
        p: &StarSpaceParams,
        batch: &[usize],
        nsl: usize,
        lr: f32,
        rng: &mut Rng,
        s: &mut Scratch,
    ) -> f64 {
        let dim = p.dim;
        let bsz = batch.len();
        s.lhs.clear();
        s.lhs.resize(bsz * dim, 0.0);
        s.pos.clear();
        s.pos.resize(bsz * dim, 0.0);
        s.pos_ids.clear();
        s.pos_sim.clear();
        for (k, &i) in batch.iter().enumerate() {
            let l = &mut s.lhs[k * dim..(k + 1) * dim];
            for &w in ex.words(i) {
                // SAFETY: see `row`; `l` is scratch, not the table.
                let r = unsafe { row(sh, w, dim) };
                for (a, b) in l.iter_mut().zip(r.iter()) {
                    *a += b;
                }
            }
            normalize(l);
            let labels = ex.labels(i);
            let y = labels[rng.below(labels.len())];
            s.pos_ids.push(y);
            let pv = &mut s.pos[k * dim..(k + 1) * dim];
            // SAFETY: see `row`.
            pv.copy_from_slice(unsafe { row(sh, y, dim) });
            normalize(pv);
            s.pos_sim.push(dot(l, pv));
        }
        s.neg_ids.clear();
        s.negs.clear();
        s.negs.resize(nsl * dim, 0.0);
        for j in 0..nsl {
            let e = rng.below(ex.len());
            let labels = ex.labels(e);
            let y = labels[rng.below(labels.len())];
            s.neg_ids.push(y);
            let nv = &mut s.negs[j * dim..(j + 1) * dim];
            // SAFETY: see `row`.
            nv.copy_from_slice(unsafe { row(sh, y, dim) });
            normalize(nv);
        }
        s.grad.clear();
        s.grad.resize(bsz * dim, 0.0);
        s.n_viol.clear();
        s.n_viol.resize(bsz, 0);
        s.viol.clear();
        s.viol.resize(bsz * nsl, false);
        let mut total = 0.0_f64;
        for k in 0..bsz {
            let l = &s.lhs[k * dim..(k + 1) * dim];
            let g = &mut s.grad[k * dim..(k + 1) * dim];
            let mut loss = 0.0_f32;
            for j in 0..nsl {
                if s.neg_ids[j] == s.pos_ids[k] {
                    continue;
                }
                let nv = &s.negs[j * dim..(j + 1) * dim];
                let v = (p.margin - s.pos_sim[k] + dot(l, nv)).clamp(0.0, 1e8);
                if v > 0.0 {
                    s.n_viol[k] += 1;
                    loss += v;
                    for (a, b) in g.iter_mut().zip(nv) {
                        *a += b;
                    }
                    s.viol[k * nsl + j] = true;
                    if s.n_viol[k] == p.max_neg_samples {
                        break;
                    }
                }
            }
            let m = s.n_viol[k];
            if m == 0 {
                continue;
            }
            total += f64::from(loss / nsl as f32);
            let pv = &s.pos[k * dim..(k + 1) * dim];
            for (a, b) in g.iter_mut().zip(pv) {
                *a = *a / m as f32 - b;
            }
        }
        if total == 0.0 || lr == 0.0 {
            return total;
        }
        for (k, &i) in batch.iter().enumerate() {
            let m = s.n_viol[k];
            if m == 0 {
                continue;
            }
            let g = &s.grad[k * dim..(k + 1) * dim];
            let l = &s.lhs[k * dim..(k + 1) * dim];
            let (g2, l2) = (dot(g, g), dot(l, l));
            for &w in ex.words(i) {
                update(sh, p, w, g, g2, lr);
            }
            update(sh, p, s.pos_ids[k], l, l2, -lr);
            let rate = lr / m as f32;
            for j in 0..nsl {
                if s.viol[k * nsl + j] {
                    update(sh, p, s.neg_ids[j], l, l2, rate);
                }
            }
        }
        total
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy() -> Examples {
        // 6 words, labels at rows 6 (words 0-2) and 7 (words 3-5), 20 examples
        let (mut lo, mut l, mut ro, mut r) = (vec![0], vec![], vec![0], vec![]);
        for i in 0..20_u32 {
            let base = if i % 2 == 0 { 0 } else { 3 };
            l.extend([base, base + 1 + (i / 2) % 2]);
            lo.push(l.len());
            r.push(6 + i % 2);
            ro.push(r.len());
        }
        Examples::new(lo, l, ro, r, 8).unwrap()
    }

    fn init(n: usize, dim: usize) -> Vec<f32> {
        let mut rng = Rng::stream(1, 2, 3);
        (0..n * dim)
            .map(|_| (rng.below(2001) as f32 - 1000.0) * 1e-5)
            .collect()
    }

    #[test]
    fn learns_to_separate_labels_and_is_reproducible() {
        let ex = toy();
        let p = StarSpaceParams {
            dim: 8,
            neg_search_limit: 5,
            seed: 7,
            ..StarSpaceParams::default()
        };
        let run = || {
            let mut w = init(8, 8);
            let mut acc = vec![0.0; 8];
            let mut last = EpochStats::default();
            for e in 0..30 {
                last = ex
                    .train_epoch(&mut w, &mut acc, &p, e, 0.05, 0.05, Some(1))
                    .unwrap();
            }
            (w, last)
        };
        let (w, last) = run();
        let (w2, _) = run();
        assert_eq!(w, w2);
        assert!(last.loss < 0.5, "loss {}", last.loss);
        let v = embed_bags(&w, 8, &[0, 2, 4], &[0, 1, 3, 4], Some(1)).unwrap();
        let lab = embed_bags(&w, 8, &[0, 1, 2], &[6, 7], Some(1)).unwrap();
        let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
        assert!(cos(&v[..8], &lab[..8]) > cos(&v[..8], &lab[8..]));
        assert!(cos(&v[8..], &lab[8..]) > cos(&v[8..], &lab[..8]));
    }

    #[test]
    fn rejects_bad_input() {
        assert!(Examples::new(vec![0, 1], vec![9], vec![0, 1], vec![0], 5).is_err());
        assert!(Examples::new(vec![0, 0], vec![], vec![0, 1], vec![0], 5).is_err());
        let ex = toy();
        let mut w = vec![0.0; 3];
        let mut acc = vec![0.0; 8];
        let p = StarSpaceParams::default();
        assert!(
            ex.train_epoch(&mut w, &mut acc, &p, 0, 0.1, 0.1, Some(1))
                .is_err()
        );
        assert!(embed_bags(&[0.0; 8], 4, &[0, 1], &[5], None).is_err());
    }

    #[test]
    fn reads_fasttext_lines() {
        let dir = std::env::temp_dir().join(format!("geniml-bedspace-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let f = dir.join("in.txt");
        std::fs::write(
            &f,
            "a b __label__x\nb c __label__y __label__x\n__label__z\nb\n",
        )
        .unwrap();
        let p = read_input(&f, "__label__").unwrap();
        assert_eq!(
            p.symbols,
            ["b", "a", "c", "__label__x", "__label__y", "__label__z"]
        );
        assert_eq!(p.n_words, 3);
        assert_eq!(p.lhs, [1, 0, 0, 2]);
        assert_eq!(p.rhs, [3, 4, 3]);
        assert_eq!(p.skipped, [3, 4]);
        assert_eq!(p.lines, [0, 1]);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
