//! word2vec training for Region2Vec: corpus preparation, batch building and a Hogwild SGD kernel.
//!
//! A *document* is one tokenized region set (a BED file or a cell): a sequence of token ids whose
//! order carries no meaning. Every epoch each document is shuffled afresh, frequent tokens are
//! subsampled, the result is cut into sentences of at most `max_sentence_len` tokens and a
//! word2vec window (reduced at random, as in word2vec.c and gensim) slides over each sentence.
//! Negatives are drawn from the unigram distribution raised to `ns_exponent` (0.75).
//!
//! Token ids are the tokenizer's ids; the weight tables have one row per id (`vocab_size` rows).
//! Tokens seen fewer than `min_count` times are dropped from the corpus and never trained.
//!
//! Randomness is derived from `(seed, epoch, document index)`, so the prepared documents and the
//! batches do not depend on the number of threads. The in-place kernel is bitwise reproducible
//! with one thread; with more it updates shared weights without locks (Hogwild, as gensim does).
//!
//! ```
//! use geniml_core::w2v::{Corpus, Mode, W2vParams};
//! let tokens: Vec<i64> = (0..200).map(|i| i % 10).collect();
//! let offsets = vec![0_i64, 100, 200];
//! let params = W2vParams { dim: 8, min_count: 1, ..W2vParams::default() };
//! let corpus = Corpus::new(&tokens, &offsets, 12, &[], params).unwrap();
//! let (mut w_in, mut w_out) = (vec![0.01_f32; 12 * 8], vec![0.0_f32; 12 * 8]);
//! let stats = corpus.train(&mut w_in, &mut w_out, 0, 0..2, 0.025, 0.0001, Some(1)).unwrap();
//! assert!(stats.words > 0);
//! ```

use std::ops::Range;
use std::sync::OnceLock;

use rayon::prelude::*;

use crate::error::{GenimlError, Result};
use crate::sgd::Rng;

/// CBOW (predict a token from the mean of its context) or skip-gram (predict each context token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Cbow,
    SkipGram,
}

/// Default of [`W2vParams::shared_negatives`].
pub const DEFAULT_SHARED_NEGATIVES: usize = 1;

/// Training hyper-parameters (gensim's names where they exist).
#[derive(Clone, Copy, Debug)]
pub struct W2vParams {
    /// Embedding dimension.
    pub dim: usize,
    /// Maximal half-width of the context window.
    pub window: usize,
    /// Negative samples per prediction.
    pub negative: usize,
    /// Subsampling threshold for frequent tokens (0 disables).
    pub sample: f64,
    /// Tokens seen fewer times are dropped.
    pub min_count: u64,
    pub mode: Mode,
    pub seed: u64,
    /// Sentences longer than this are cut (gensim cuts at 10,000).
    pub max_sentence_len: usize,
    /// Per epoch, train at most this many tokens of each document (a fresh random subset each
    /// epoch, counted after subsampling); 0 trains all. gensim keeps only the first 10,000
    /// tokens of a sentence, so whole-document upstream training behaves like 10,000 here.
    pub max_doc_tokens: usize,
    /// Exponent of the negative-sampling distribution.
    pub ns_exponent: f64,
    /// Consecutive positions (CBOW) or centres (skip-gram) that share one draw of `negative`
    /// negatives; 1 draws afresh for every position. Sharing keeps the negatives' rows in cache
    /// (the shared-negative scheme of pWord2Vec / BIDMach); each prediction still sees
    /// `negative` independent draws from the noise distribution. Faster, but measurably a
    /// little worse per epoch (benches/README.md, "Word2vec kernel"), hence off by default.
    pub shared_negatives: usize,
}

impl Default for W2vParams {
    fn default() -> Self {
        Self {
            dim: 100,
            window: 5,
            negative: 5,
            sample: 1e-3,
            min_count: 10,
            mode: Mode::Cbow,
            seed: 42,
            max_sentence_len: 10_000,
            max_doc_tokens: 0,
            ns_exponent: 0.75,
            shared_negatives: DEFAULT_SHARED_NEGATIVES,
        }
    }
}

/// What one call of [`Corpus::train`] did.
#[derive(Clone, Copy, Debug, Default)]
pub struct TrainStats {
    /// Sum of the negative-sampling losses (`-log σ(±f)`) of every prediction.
    pub loss: f64,
    /// Number of predictions (positive targets) trained.
    pub examples: u64,
    /// Tokens left after subsampling and processed.
    pub words: u64,
    /// Tokens of the documents before subsampling (the learning-rate clock).
    pub raw_words: u64,
}

/// Training batches for the torch path, row-major and flat.
///
/// Skip-gram: `inputs` has one context token per example (`width == 1`). CBOW: `inputs` has
/// `width = 2 * window` slots per example, unused slots hold `pad_id`, `counts` the number used.
#[derive(Clone, Debug, Default)]
pub struct Batches {
    pub centers: Vec<i64>,
    pub inputs: Vec<i64>,
    pub counts: Vec<f32>,
    pub negatives: Vec<i64>,
    pub width: usize,
    /// Tokens left after subsampling.
    pub words: u64,
    pub raw_words: u64,
}

const MAX_EXP: f32 = 6.0;
const TABLE_SIZE: usize = 1024;

struct Tables {
    sigmoid: Vec<f32>,
    log_sigmoid: Vec<f32>,
}

fn tables() -> &'static Tables {
    static T: OnceLock<Tables> = OnceLock::new();
    T.get_or_init(|| {
        let mut sigmoid = Vec::with_capacity(TABLE_SIZE + 1);
        let mut log_sigmoid = Vec::with_capacity(TABLE_SIZE + 1);
        for i in 0..=TABLE_SIZE {
            let x = (i as f64 / TABLE_SIZE as f64 * 2.0 - 1.0) * f64::from(MAX_EXP);
            let s = 1.0 / (1.0 + (-x).exp());
            sigmoid.push(s as f32);
            log_sigmoid.push(s.ln() as f32);
        }
        Tables {
            sigmoid,
            log_sigmoid,
        }
    })
}

/// Walker/Vose alias table: O(1) draws from a discrete distribution. Each slot packs its
/// threshold, its own id and its alias's id in one 16-byte cell, so a draw touches one cache line.
#[derive(Clone, Debug, Default)]
struct Alias {
    slots: Vec<[u32; 4]>,
}

impl Alias {
    fn new(ids: Vec<u32>, weights: &[f64]) -> Self {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
        let mut prob = vec![u32::MAX; n];
        let mut alt: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<usize>, Vec<usize>) =
            (0..n).partition(|&i| scaled[i] < 1.0);
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            prob[s] = (scaled[s] * f64::from(u32::MAX)) as u32;
            alt[s] = l as u32;
            scaled[l] -= 1.0 - scaled[s];
            if scaled[l] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        let slots = (0..n)
            .map(|i| [prob[i], ids[i], ids[alt[i] as usize], 0])
            .collect();
        Self { slots }
    }
    #[inline]
    fn draw(&self, rng: &mut Rng) -> u32 {
        let r = rng.next_u64();
        let i = ((u128::from(r >> 32) * self.slots.len() as u128) >> 32) as usize;
        let [p, id, alt, _] = self.slots[i];
        if (r as u32) < p { id } else { alt }
    }
}

/// A corpus ready for training: the documents without untrained tokens, counts, subsampling
/// thresholds and the negative-sampling table.
#[derive(Clone, Debug)]
pub struct Corpus {
    params: W2vParams,
    vocab_size: usize,
    counts: Vec<u64>,
    keep: Vec<u32>,
    tokens: Vec<u32>,
    offsets: Vec<usize>,
    neg: Alias,
}

fn invalid(msg: String) -> GenimlError {
    GenimlError::InvalidInput(msg)
}

impl Corpus {
    /// Build from documents in CSR form: document `d` is `tokens[offsets[d]..offsets[d + 1]]`.
    ///
    /// `exclude` lists ids never trained (e.g. `<pad>`). Fails when an id is outside
    /// `0..vocab_size`, offsets are not a non-decreasing cover of `tokens`, a parameter is out of
    /// range, or no token reaches `min_count`.
    pub fn new(
        tokens: &[i64],
        offsets: &[i64],
        vocab_size: usize,
        exclude: &[i64],
        params: W2vParams,
    ) -> Result<Self> {
        if params.dim == 0 || params.window == 0 || params.max_sentence_len == 0 {
            return Err(invalid(format!(
                "`dim`, `window` and `max_sentence_len` must be positive, got {}, {}, {}",
                params.dim, params.window, params.max_sentence_len
            )));
        }
        if !(params.sample >= 0.0 && params.ns_exponent.is_finite()) {
            return Err(invalid(format!(
                "`sample` must be >= 0 and `ns_exponent` finite, got {} and {}",
                params.sample, params.ns_exponent
            )));
        }
        let offs = check_offsets(offsets, tokens.len())?;
        let mut counts = vec![0_u64; vocab_size];
        for (pos, &t) in tokens.iter().enumerate() {
            if let Some(c) = usize::try_from(t).ok().and_then(|u| counts.get_mut(u)) {
                *c += 1;
            } else {
                {
                    let doc = offs.partition_point(|&o| o <= pos).saturating_sub(1);
                    return Err(invalid(format!(
                        "document {doc}, position {}: token id {t} is outside the vocabulary 0..{vocab_size}",
                        pos - offs.get(doc).copied().unwrap_or(0)
                    )));
                }
            }
        }
        for &e in exclude {
            if let Some(c) = usize::try_from(e).ok().and_then(|u| counts.get_mut(u)) {
                *c = 0;
            }
        }
        let min_count = params.min_count.max(1);
        let trained = |t: usize| counts[t] >= min_count;
        let retained: u64 = (0..vocab_size)
            .filter(|&t| trained(t))
            .map(|t| counts[t])
            .sum();
        if retained == 0 {
            return Err(invalid(format!(
                "no token occurs at least min_count={} times; lower `min_count` or use more documents",
                params.min_count
            )));
        }
        let threshold = params.sample * retained as f64;
        let keep = (0..vocab_size)
            .map(|t| {
                if !trained(t) {
                    return 0;
                }
                if params.sample <= 0.0 {
                    return u32::MAX;
                }
                let v = counts[t] as f64;
                let p = ((v / threshold).sqrt() + 1.0) * (threshold / v);
                (p.min(1.0) * f64::from(u32::MAX)) as u32
            })
            .collect();
        let mut ft = Vec::with_capacity(tokens.len());
        let mut fo = Vec::with_capacity(offs.len());
        fo.push(0);
        for w in offs.windows(2) {
            ft.extend(
                tokens[w[0]..w[1]]
                    .iter()
                    .map(|&t| t as usize)
                    .filter(|&t| trained(t))
                    .map(|t| t as u32),
            );
            fo.push(ft.len());
        }
        let ids: Vec<u32> = (0..vocab_size as u32)
            .filter(|&t| trained(t as usize))
            .collect();
        let weights: Vec<f64> = ids
            .iter()
            .map(|&t| (counts[t as usize] as f64).powf(params.ns_exponent))
            .collect();
        let neg = Alias::new(ids, &weights);
        Ok(Self {
            params,
            vocab_size,
            counts,
            keep,
            tokens: ft,
            offsets: fo,
            neg,
        })
    }

    pub fn params(&self) -> &W2vParams {
        &self.params
    }
    pub fn vocab_size(&self) -> usize {
        self.vocab_size
    }
    pub fn n_docs(&self) -> usize {
        self.offsets.len() - 1
    }
    /// Occurrences of every token id in the input (excluded ids count 0).
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }
    /// True for the ids that are trained (count >= `min_count`).
    pub fn trained_mask(&self) -> Vec<bool> {
        self.keep.iter().map(|&k| k > 0).collect()
    }
    /// Length of every document after dropping untrained tokens.
    pub fn doc_lengths(&self) -> Vec<u64> {
        self.offsets
            .windows(2)
            .map(|w| (w[1] - w[0]) as u64)
            .collect()
    }
    /// Total tokens the model trains on per epoch, before subsampling.
    pub fn total_words(&self) -> u64 {
        self.tokens.len() as u64
    }

    fn check_range(&self, docs: &Range<usize>) -> Result<()> {
        if docs.start > docs.end || docs.end > self.n_docs() {
            return Err(invalid(format!(
                "document range {}..{} is outside 0..{}",
                docs.start,
                docs.end,
                self.n_docs()
            )));
        }
        Ok(())
    }

    /// Document `d` of `epoch`: shuffled, subsampled, with the generator for its windows.
    fn prepare(&self, epoch: u64, d: usize) -> (Vec<u32>, Rng) {
        let mut rng = Rng::stream(self.params.seed, epoch, d as u64);
        let mut doc = self.tokens[self.offsets[d]..self.offsets[d + 1]].to_vec();
        for i in (1..doc.len()).rev() {
            let j = rng.below(i + 1);
            doc.swap(i, j);
        }
        if self.params.sample > 0.0 {
            doc.retain(|&t| self.keep[t as usize] > (rng.next_u64() >> 32) as u32);
        }
        if self.params.max_doc_tokens > 0 {
            doc.truncate(self.params.max_doc_tokens);
        }
        (doc, rng)
    }

    fn check_weights(&self, w_in: &[f32], w_out: &[f32]) -> Result<()> {
        let need = self.vocab_size * self.params.dim;
        if w_in.len() != need || w_out.len() != need {
            return Err(invalid(format!(
                "weight tables must have {} x {} = {need} values, got {} and {}",
                self.vocab_size,
                self.params.dim,
                w_in.len(),
                w_out.len()
            )));
        }
        Ok(())
    }

    /// Train documents `docs` of `epoch` in place on `w_in` (input vectors, the embeddings) and
    /// `w_out` (output vectors), both `vocab_size x dim` row-major. The learning rate falls
    /// linearly from `lr_start` to `lr_end` across the range. `n_threads`: `None` uses the shared
    /// pool, `Some(1)` runs serially (bitwise reproducible).
    pub fn train(
        &self,
        w_in: &mut [f32],
        w_out: &mut [f32],
        epoch: u64,
        docs: Range<usize>,
        lr_start: f64,
        lr_end: f64,
        n_threads: Option<usize>,
    ) -> Result<TrainStats> {
        self.check_range(&docs)?;
        self.check_weights(w_in, w_out)?;
        let base = self.offsets[docs.start];
        let span = (self.offsets[docs.end] - base).max(1) as f64;
        let shared = Shared {
            w_in: w_in.as_mut_ptr(),
            w_out: w_out.as_mut_ptr(),
        };
        let run = |d: usize, scratch: &mut Scratch| {
            let (doc, mut rng) = self.prepare(epoch, d);
            let frac = (self.offsets[d] - base) as f64 / span;
            let lr = (lr_start + (lr_end - lr_start) * frac) as f32;
            let mut st = TrainStats {
                raw_words: (self.offsets[d + 1] - self.offsets[d]) as u64,
                words: doc.len() as u64,
                ..TrainStats::default()
            };
            for sentence in doc.chunks(self.params.max_sentence_len) {
                let (loss, n) = match self.params.mode {
                    Mode::Cbow => kernel::cbow(self, shared, sentence, lr, &mut rng, scratch),
                    Mode::SkipGram => {
                        kernel::skipgram(self, shared, sentence, lr, &mut rng, scratch)
                    }
                };
                st.loss += loss;
                st.examples += n;
            }
            st
        };
        let add = |a: TrainStats, b: TrainStats| TrainStats {
            loss: a.loss + b.loss,
            examples: a.examples + b.examples,
            words: a.words + b.words,
            raw_words: a.raw_words + b.raw_words,
        };
        let dim = self.params.dim;
        if n_threads == Some(1) {
            let mut scratch = Scratch::new(dim);
            return Ok(docs
                .map(|d| run(d, &mut scratch))
                .fold(TrainStats::default(), add));
        }
        let per_doc: Vec<TrainStats> = crate::threads::install(n_threads, || {
            docs.into_par_iter()
                .map_init(|| Scratch::new(dim), |s, d| run(d, s))
                .collect()
        });
        Ok(per_doc.into_iter().fold(TrainStats::default(), add))
    }

    /// The examples of documents `docs` of `epoch` as flat arrays for the torch path, in document
    /// order (independent of the thread count). `pad_id` fills unused CBOW context slots.
    pub fn batches(
        &self,
        epoch: u64,
        docs: Range<usize>,
        pad_id: i64,
        n_threads: Option<usize>,
    ) -> Result<Batches> {
        self.check_range(&docs)?;
        let p = self.params;
        let width = match p.mode {
            Mode::Cbow => 2 * p.window,
            Mode::SkipGram => 1,
        };
        let one = |d: usize| {
            let (doc, mut rng) = self.prepare(epoch, d);
            let mut b = Batches {
                width,
                raw_words: (self.offsets[d + 1] - self.offsets[d]) as u64,
                words: doc.len() as u64,
                ..Batches::default()
            };
            for s in doc.chunks(p.max_sentence_len) {
                for (i, &w) in s.iter().enumerate() {
                    let red = p.window - rng.below(p.window);
                    let lo = i.saturating_sub(red);
                    let hi = (i + red + 1).min(s.len());
                    let ctx = s[lo..hi]
                        .iter()
                        .enumerate()
                        .filter(|&(j, _)| lo + j != i)
                        .map(|(_, &c)| i64::from(c));
                    match p.mode {
                        Mode::Cbow => {
                            let before = b.inputs.len();
                            b.inputs.extend(ctx);
                            let n = b.inputs.len() - before;
                            if n == 0 {
                                continue;
                            }
                            b.inputs.resize(before + width, pad_id);
                            b.counts.push(n as f32);
                            self.push_example(&mut b, w, &mut rng);
                        }
                        Mode::SkipGram => {
                            for c in ctx {
                                b.inputs.push(c);
                                b.counts.push(1.0);
                                self.push_example(&mut b, w, &mut rng);
                            }
                        }
                    }
                }
            }
            b
        };
        let parts: Vec<Batches> = if n_threads == Some(1) {
            docs.map(one).collect()
        } else {
            crate::threads::install(n_threads, || docs.into_par_iter().map(one).collect())
        };
        let mut out = Batches {
            width,
            ..Batches::default()
        };
        for b in parts {
            out.centers.extend_from_slice(&b.centers);
            out.inputs.extend_from_slice(&b.inputs);
            out.counts.extend_from_slice(&b.counts);
            out.negatives.extend_from_slice(&b.negatives);
            out.raw_words += b.raw_words;
            out.words += b.words;
        }
        Ok(out)
    }

    fn push_example(&self, b: &mut Batches, center: u32, rng: &mut Rng) {
        b.centers.push(i64::from(center));
        for _ in 0..self.params.negative {
            b.negatives.push(i64::from(self.neg.draw(rng)));
        }
    }
}

fn check_offsets(offsets: &[i64], n_tokens: usize) -> Result<Vec<usize>> {
    let bad = || {
        invalid(format!(
            "document offsets must start at 0, never decrease and end at the number of tokens ({n_tokens})"
        ))
    };
    let offs: Vec<usize> = offsets
        .iter()
        .map(|&o| usize::try_from(o).map_err(|_| bad()))
        .collect::<Result<_>>()?;
    if offs.first() != Some(&0)
        || offs.last() != Some(&n_tokens)
        || offs.windows(2).any(|w| w[0] > w[1])
    {
        return Err(bad());
    }
    Ok(offs)
}

/// Per-thread buffers.
struct Scratch {
    /// CBOW: the mean of the context rows.
    h: Vec<f32>,
    /// Gradients of the input rows of one prediction (`contexts x dim`).
    grad: Vec<f32>,
    /// The negatives of the current group of positions, and those of the next (drawn ahead so
    /// their rows can be prefetched).
    negs: Vec<u32>,
    next: Vec<u32>,
    /// The positive followed by the negatives that differ from it.
    targets: Vec<u32>,
    /// Skip-gram: the context ids of the current centre.
    ctx: Vec<u32>,
    /// Scores, then gradient scales, of every (context, target) pair.
    scores: Vec<f32>,
    /// Row pointers and coefficients of one `combine` call.
    rows: Vec<*const f32>,
    coef: Vec<f32>,
}

impl Scratch {
    fn new(dim: usize) -> Self {
        Self {
            h: vec![0.0; dim],
            grad: vec![0.0; dim],
            negs: Vec::with_capacity(16),
            next: Vec::with_capacity(16),
            targets: Vec::with_capacity(16),
            ctx: Vec::with_capacity(32),
            scores: Vec::with_capacity(256),
            rows: Vec::with_capacity(32),
            coef: Vec::with_capacity(32),
        }
    }
}

/// The two weight tables shared by the Hogwild workers.
#[derive(Clone, Copy)]
struct Shared {
    w_in: *mut f32,
    w_out: *mut f32,
}

// SAFETY: the pointers come from `&mut [f32]` borrowed for the whole `train` call; workers read
// and write rows concurrently without locks (Hogwild): a lost update is the accepted price of the
// algorithm, the same trade word2vec.c and gensim make. Bounds are checked by `check_weights`.
#[allow(unsafe_code)]
unsafe impl Send for Shared {}
#[allow(unsafe_code)]
unsafe impl Sync for Shared {}

#[allow(unsafe_code, clippy::inline_always)]
mod kernel {
    use super::{Corpus, MAX_EXP, Scratch, Shared, TABLE_SIZE, Tables, tables};
    use crate::sgd::{Fused, Madd, Plain, Rng, axpy, dot};

    /// Row `r` of a shared table, for writing.
    ///
    /// SAFETY: callers hold at most one mutable row of each table at a time within a thread and
    /// never a shared row of the same table alongside it; `r < vocab_size` because every id in a
    /// prepared document and every negative is a trained id.
    #[inline(always)]
    unsafe fn row_mut<'a>(base: *mut f32, r: u32, dim: usize) -> &'a mut [f32] {
        unsafe { std::slice::from_raw_parts_mut(base.add(r as usize * dim), dim) }
    }

    /// Row `r` of a shared table, for reading (same contract as [`row_mut`]).
    #[inline(always)]
    unsafe fn row<'a>(base: *mut f32, r: u32, dim: usize) -> &'a [f32] {
        unsafe { std::slice::from_raw_parts(base.add(r as usize * dim), dim) }
    }

    /// `out += Σ_k coef[k] * rows[k]` (rows of `dim` values), one pass over `out` with the
    /// running sum held in registers.
    ///
    /// SAFETY: every pointer addresses `dim` readable values that `out` does not overlap.
    #[inline(always)]
    unsafe fn combine<M: Madd>(coef: &[f32], rows: &[*const f32], out: &mut [f32]) {
        let dim = out.len();
        let full = dim - dim % 8;
        let mut c = 0;
        while c < full {
            let mut acc = [0.0_f32; 8];
            acc.copy_from_slice(&out[c..c + 8]);
            for (&g, &r) in coef.iter().zip(rows) {
                // SAFETY: `c + 8 <= dim` (see the contract).
                let x = unsafe { std::slice::from_raw_parts(r.add(c), 8) };
                for l in 0..8 {
                    acc[l] = M::madd(g, x[l], acc[l]);
                }
            }
            out[c..c + 8].copy_from_slice(&acc);
            c += 8;
        }
        for (i, o) in out.iter_mut().enumerate().skip(full) {
            let mut a = *o;
            for (&g, &r) in coef.iter().zip(rows) {
                // SAFETY: `i < dim` (see the contract).
                a = M::madd(g, unsafe { *r.add(i) }, a);
            }
            *o = a;
        }
    }

    /// Gradient scale and loss of one prediction with score `f` (table lookups, as word2vec.c).
    #[inline(always)]
    fn score(t: &Tables, f: f32, label: f32, lr: f32) -> (f32, f32) {
        if f >= MAX_EXP {
            return ((label - 1.0) * lr, if label > 0.0 { 0.0 } else { f });
        }
        if f <= -MAX_EXP {
            return (label * lr, if label > 0.0 { -f } else { 0.0 });
        }
        let i = ((f + MAX_EXP) * (TABLE_SIZE as f32 / MAX_EXP / 2.0)) as usize;
        let s = t.sigmoid[i];
        // log σ(-f) = log(1 - σ(f)) = log σ at the mirrored index.
        let loss = if label > 0.0 {
            -t.log_sigmoid[i]
        } else {
            -t.log_sigmoid[TABLE_SIZE - i]
        };
        ((label - s) * lr, loss)
    }

    /// Ask the CPU to fetch row `r` of a table into cache (a hint; no effect elsewhere).
    #[inline(always)]
    fn prefetch(base: *mut f32, r: u32, dim: usize) {
        #[cfg(target_arch = "x86_64")]
        {
            use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
            let p = base
                .wrapping_add(r as usize * dim)
                .cast::<i8>()
                .cast_const();
            for off in (0..dim * 4).step_by(64) {
                // SAFETY: prefetch never faults, whatever the address.
                unsafe { _mm_prefetch::<_MM_HINT_T0>(p.wrapping_add(off)) };
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        let _ = (base, r, dim);
    }

    /// Start a group of positions: the negatives drawn ahead become current, the next group's
    /// are drawn and their rows prefetched (a group's length ahead of their use).
    #[inline(always)]
    fn next_group(c: &Corpus, sh: Shared, rng: &mut Rng, sc: &mut Scratch) {
        std::mem::swap(&mut sc.negs, &mut sc.next);
        sc.next.clear();
        for _ in 0..c.params.negative {
            let t = c.neg.draw(rng);
            prefetch(sh.w_out, t, c.params.dim);
            sc.next.push(t);
        }
    }

    /// `targets` = `w` then the current negatives that differ from it (as word2vec.c drops a
    /// negative equal to the word).
    #[inline(always)]
    fn set_targets(sc: &mut Scratch, w: u32) {
        sc.targets.clear();
        sc.targets.push(w);
        sc.targets.extend(sc.negs.iter().filter(|&&t| t != w));
    }

    /// Prefetch the rows position `i + 1` needs that position `i` does not: its output row and
    /// the input row that enters the window.
    #[inline(always)]
    fn look_ahead(sh: Shared, s: &[u32], i: usize, win: usize, dim: usize) {
        if let Some(&w) = s.get(i + 1) {
            prefetch(sh.w_out, w, dim);
            prefetch(sh.w_in, s[(i + 1 + win).min(s.len() - 1)], dim);
        }
    }

    /// CBOW: the mean `h` of the context rows predicts the centre. All scores are computed
    /// first (independent dot products, so the CPU overlaps them), then the input gradient (from
    /// the rows as scored), then each output row.
    #[inline(always)]
    fn cbow_impl<M: Madd>(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        sc: &mut Scratch,
    ) -> (f64, u64) {
        let t = tables();
        let dim = c.params.dim;
        let win = c.params.window;
        let share = c.params.shared_negatives.max(1);
        let (mut loss, mut n) = (0.0, 0);
        next_group(c, sh, rng, sc);
        for i in 0..s.len() {
            if i % share == 0 {
                next_group(c, sh, rng, sc);
            }
            look_ahead(sh, s, i, win, dim);
            let red = win - rng.below(win);
            let lo = i.saturating_sub(red);
            let hi = (i + red + 1).min(s.len());
            let count = hi - lo - 1;
            if count == 0 {
                continue;
            }
            sc.rows.clear();
            sc.rows.extend(
                s[lo..hi]
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| lo + j != i)
                    .map(|(_, &x)| sh.w_in.wrapping_add(x as usize * dim).cast_const()),
            );
            sc.coef.clear();
            sc.coef.resize(count, 1.0 / count as f32);
            sc.h.fill(0.0);
            // SAFETY: input rows of trained ids (see `row_mut`); `h` is scratch.
            unsafe { combine::<M>(&sc.coef, &sc.rows, &mut sc.h) };
            set_targets(sc, s[i]);
            sc.scores.clear();
            for &tg in &sc.targets {
                // SAFETY: see `row_mut`.
                sc.scores
                    .push(dot::<M>(&sc.h, unsafe { row(sh.w_out, tg, dim) }));
            }
            let mut label = 1.0;
            for f in &mut sc.scores {
                let (g, l) = score(t, *f, label, lr);
                loss += f64::from(l);
                *f = g;
                label = 0.0;
            }
            sc.rows.clear();
            sc.rows.extend(
                sc.targets
                    .iter()
                    .map(|&tg| sh.w_out.wrapping_add(tg as usize * dim).cast_const()),
            );
            let grad = &mut sc.grad[..dim];
            grad.fill(0.0);
            // SAFETY: output rows of trained ids; `grad` is scratch.
            unsafe { combine::<M>(&sc.scores, &sc.rows, grad) };
            for (&tg, &g) in sc.targets.iter().zip(&sc.scores) {
                // SAFETY: see `row_mut`.
                axpy::<M>(g, &sc.h, unsafe { row_mut(sh.w_out, tg, dim) });
            }
            n += 1;
            for (j, &x) in s[lo..hi].iter().enumerate() {
                if lo + j != i {
                    // SAFETY: see `row_mut`.
                    axpy::<M>(1.0, grad, unsafe { row_mut(sh.w_in, x, dim) });
                }
            }
        }
        (loss, n)
    }

    /// Skip-gram: every context token predicts the centre. The (context x target) block of one
    /// centre is trained as a mini-batch, as pWord2Vec does (Ji et al. 2016): all scores from the
    /// current rows, then the input gradients, then the output rows, then the input rows.
    #[inline(always)]
    fn skipgram_impl<M: Madd>(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        sc: &mut Scratch,
    ) -> (f64, u64) {
        let t = tables();
        let dim = c.params.dim;
        let win = c.params.window;
        let share = c.params.shared_negatives.max(1);
        let (mut loss, mut n) = (0.0, 0);
        next_group(c, sh, rng, sc);
        for i in 0..s.len() {
            if i % share == 0 {
                next_group(c, sh, rng, sc);
            }
            look_ahead(sh, s, i, win, dim);
            let red = win - rng.below(win);
            let lo = i.saturating_sub(red);
            let hi = (i + red + 1).min(s.len());
            if hi - lo <= 1 {
                continue;
            }
            set_targets(sc, s[i]);
            sc.ctx.clear();
            sc.ctx.extend(
                s[lo..hi]
                    .iter()
                    .enumerate()
                    .filter(|&(j, _)| lo + j != i)
                    .map(|(_, &x)| x),
            );
            let (m, nt) = (sc.ctx.len(), sc.targets.len());
            sc.scores.clear();
            for &x in &sc.ctx {
                // SAFETY: see `row_mut`.
                let h = unsafe { row(sh.w_in, x, dim) };
                for &tg in &sc.targets {
                    // SAFETY: see `row_mut`.
                    sc.scores
                        .push(dot::<M>(h, unsafe { row(sh.w_out, tg, dim) }));
                }
            }
            for (k, f) in sc.scores.iter_mut().enumerate() {
                let label = if k % nt == 0 { 1.0 } else { 0.0 };
                let (g, l) = score(t, *f, label, lr);
                loss += f64::from(l);
                *f = g;
            }
            // Input gradients from the output rows as scored.
            sc.rows.clear();
            sc.rows.extend(
                sc.targets
                    .iter()
                    .map(|&tg| sh.w_out.wrapping_add(tg as usize * dim).cast_const()),
            );
            sc.grad.clear();
            sc.grad.resize(m * dim, 0.0);
            for (gj, g) in sc
                .grad
                .chunks_exact_mut(dim)
                .zip(sc.scores.chunks_exact(nt))
            {
                // SAFETY: output rows of trained ids; `gj` is scratch.
                unsafe { combine::<M>(g, &sc.rows, gj) };
            }
            // Output rows from the input rows as scored.
            sc.rows.clear();
            sc.rows.extend(
                sc.ctx
                    .iter()
                    .map(|&x| sh.w_in.wrapping_add(x as usize * dim).cast_const()),
            );
            for (k, &tg) in sc.targets.iter().enumerate() {
                sc.coef.clear();
                sc.coef.extend(sc.scores.iter().skip(k).step_by(nt));
                // SAFETY: `u` is an output row, the `rows` are input rows (another table).
                unsafe { combine::<M>(&sc.coef, &sc.rows, row_mut(sh.w_out, tg, dim)) };
            }
            for (gj, &x) in sc.grad.chunks_exact(dim).zip(&sc.ctx) {
                // SAFETY: see `row_mut`.
                axpy::<M>(1.0, gj, unsafe { row_mut(sh.w_in, x, dim) });
            }
            n += m as u64;
        }
        (loss, n)
    }

    /// The sentence kernels compiled for AVX2 with FMA (wider vectors, fused multiply-adds).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn cbow_avx2(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> (f64, u64) {
        cbow_impl::<Fused>(c, sh, s, lr, rng, scratch)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn skipgram_avx2(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> (f64, u64) {
        skipgram_impl::<Fused>(c, sh, s, lr, rng, scratch)
    }

    #[cfg(target_arch = "x86_64")]
    fn has_avx2_fma() -> bool {
        std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
    }

    /// CBOW over one sentence. Where AVX2 and FMA exist the fused build runs; elsewhere the
    /// portable one (`a * b + c` rounded twice), so results are reproducible per machine.
    pub(super) fn cbow(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> (f64, u64) {
        #[cfg(target_arch = "x86_64")]
        if has_avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA.
            return unsafe { cbow_avx2(c, sh, s, lr, rng, scratch) };
        }
        cbow_impl::<Plain>(c, sh, s, lr, rng, scratch)
    }

    /// Skip-gram over one sentence (build chosen as for [`cbow`]).
    pub(super) fn skipgram(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> (f64, u64) {
        #[cfg(target_arch = "x86_64")]
        if has_avx2_fma() {
            // SAFETY: the CPU supports AVX2 and FMA.
            return unsafe { skipgram_avx2(c, sh, s, lr, rng, scratch) };
        }
        skipgram_impl::<Plain>(c, sh, s, lr, rng, scratch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toy(mode: Mode) -> Corpus {
        // Two "topics": tokens 0..10 co-occur, tokens 10..20 co-occur.
        let mut tokens = Vec::new();
        let mut offsets = vec![0_i64];
        for d in 0..40 {
            let base = if d % 2 == 0 { 0 } else { 10 };
            for r in 0..50 {
                tokens.push(base + (r % 10));
            }
            offsets.push(tokens.len() as i64);
        }
        let params = W2vParams {
            dim: 16,
            min_count: 1,
            mode,
            sample: 0.0,
            ..W2vParams::default()
        };
        Corpus::new(&tokens, &offsets, 22, &[21], params).unwrap()
    }

    fn init(c: &Corpus) -> (Vec<f32>, Vec<f32>) {
        let n = c.vocab_size() * c.params().dim;
        let mut rng = Rng::stream(1, 2, 3);
        let w_in = (0..n)
            .map(|_| ((rng.next_u64() >> 40) as f32 / (1u64 << 24) as f32 - 0.5) / 16.0)
            .collect();
        (w_in, vec![0.0; n])
    }

    fn cos(a: &[f32], b: &[f32]) -> f32 {
        let d = kernel_dot(a, b);
        d / (kernel_dot(a, a).sqrt() * kernel_dot(b, b).sqrt())
    }
    fn kernel_dot(a: &[f32], b: &[f32]) -> f32 {
        a.iter().zip(b).map(|(x, y)| x * y).sum()
    }

    #[test]
    fn learns_topics_both_modes_and_is_deterministic() {
        for mode in [Mode::Cbow, Mode::SkipGram] {
            let c = toy(mode);
            let (mut a, mut b) = init(&c);
            let (mut a2, mut b2) = init(&c);
            for e in 0..5 {
                let lr0 = 0.025 * (1.0 - e as f64 / 5.0);
                let s = c
                    .train(&mut a, &mut b, e, 0..40, lr0, lr0 - 0.005, Some(1))
                    .unwrap();
                c.train(&mut a2, &mut b2, e, 0..40, lr0, lr0 - 0.005, Some(1))
                    .unwrap();
                assert!(s.loss.is_finite() && s.examples > 0);
            }
            assert_eq!(a, a2);
            let r = |t: usize| &a[t * 16..(t + 1) * 16];
            assert!(cos(r(1), r(2)) > cos(r(1), r(12)) + 0.2, "{mode:?}");
            // untrained (excluded) and never-seen rows are untouched
            assert_eq!(r(21), &init(&c).0[21 * 16..22 * 16]);
        }
    }

    #[test]
    fn every_negative_sharing_lowers_the_loss_and_is_deterministic() {
        for mode in [Mode::Cbow, Mode::SkipGram] {
            let mut finals = Vec::new();
            for share in [DEFAULT_SHARED_NEGATIVES, 3, 8] {
                let mut c = toy(mode);
                c.params.shared_negatives = share;
                let (mut a, mut b) = init(&c);
                let (mut a2, mut b2) = init(&c);
                let mut losses = Vec::new();
                for e in 0..6 {
                    let s = c
                        .train(&mut a, &mut b, e, 0..40, 0.025, 0.025, Some(1))
                        .unwrap();
                    let s2 = c
                        .train(&mut a2, &mut b2, e, 0..40, 0.025, 0.025, Some(1))
                        .unwrap();
                    assert_eq!(
                        s.loss.to_bits(),
                        s2.loss.to_bits(),
                        "{mode:?} share {share}"
                    );
                    losses.push(s.loss / s.examples as f64);
                }
                assert_eq!((&a, &b), (&a2, &b2), "{mode:?} share {share}");
                assert!(
                    losses[5] < 0.9 * losses[0],
                    "{mode:?} share {share}: {losses:?}"
                );
                let r = |t: usize| &a[t * 16..(t + 1) * 16];
                assert!(
                    cos(r(3), r(7)) > cos(r(3), r(13)) + 0.2,
                    "{mode:?} share {share}"
                );
                finals.push(a);
            }
            // sharing changes which negatives are drawn, so the runs differ
            assert_ne!(finals[0], finals[2], "{mode:?}");
        }
    }

    #[test]
    fn batches_do_not_depend_on_threads() {
        for mode in [Mode::Cbow, Mode::SkipGram] {
            let c = toy(mode);
            let a = c.batches(3, 0..40, 21, Some(1)).unwrap();
            let b = c.batches(3, 0..40, 21, Some(2)).unwrap();
            assert_eq!(a.centers, b.centers);
            assert_eq!(a.inputs, b.inputs);
            assert_eq!(a.negatives, b.negatives);
            assert_eq!(a.inputs.len(), a.centers.len() * a.width);
            assert_eq!(a.negatives.len(), a.centers.len() * 5);
            assert_eq!(a.raw_words, 2000);
            if mode == Mode::Cbow {
                assert!(a.inputs.contains(&21) || a.counts.iter().all(|&n| n == 10.0));
            }
        }
    }

    #[test]
    fn rejects_bad_input() {
        let p = W2vParams {
            min_count: 1,
            ..W2vParams::default()
        };
        let e = Corpus::new(&[0, 5], &[0, 2], 5, &[], p).unwrap_err();
        assert!(
            e.to_string().contains("document 0, position 1: token id 5"),
            "{e}"
        );
        assert!(Corpus::new(&[0, 1], &[0, 1], 5, &[], p).is_err());
        assert!(Corpus::new(&[0, 1], &[0, 2, 1], 5, &[], p).is_err());
        let p10 = W2vParams::default();
        let e = Corpus::new(&[0, 1], &[0, 2], 5, &[], p10).unwrap_err();
        assert!(e.to_string().contains("min_count=10"));
        let c = Corpus::new(&[0, 1], &[0, 2], 5, &[], p).unwrap();
        let (mut a, mut b) = (vec![0.0; 5 * 100], vec![0.0; 10]);
        assert!(c.train(&mut a, &mut b, 0, 0..1, 0.1, 0.1, Some(1)).is_err());
        let mut b = vec![0.0; 500];
        assert!(c.train(&mut a, &mut b, 0, 0..2, 0.1, 0.1, Some(1)).is_err());
    }

    #[test]
    fn subsampling_and_min_count() {
        // token 0 very frequent, token 1 rare (below min_count), token 2 medium
        let mut tokens = vec![0_i64; 10_000];
        tokens.extend([1, 1]);
        tokens.extend(vec![2_i64; 100]);
        let offsets = [0, tokens.len() as i64];
        let p = W2vParams {
            min_count: 5,
            sample: 1e-3,
            ..W2vParams::default()
        };
        let c = Corpus::new(&tokens, &offsets, 3, &[], p).unwrap();
        assert_eq!(c.trained_mask(), vec![true, false, true]);
        assert_eq!(c.total_words(), 10_100);
        let (doc, _) = c.prepare(0, 0);
        let zeros = doc.iter().filter(|&&t| t == 0).count();
        let twos = doc.iter().filter(|&&t| t == 2).count();
        assert!(
            (200..500).contains(&zeros),
            "frequent token kept {zeros} times"
        );
        assert!((20..70).contains(&twos), "medium token kept {twos} times");
        assert!(!doc.contains(&1));
        let capped = Corpus::new(
            &tokens,
            &offsets,
            3,
            &[],
            W2vParams {
                max_doc_tokens: 100,
                sample: 0.0,
                ..p
            },
        )
        .unwrap();
        assert_eq!(capped.prepare(0, 0).0.len(), 100);
    }

    #[test]
    fn alias_matches_distribution() {
        let a = Alias::new(vec![7, 8, 9], &[1.0, 2.0, 7.0]);
        let mut rng = Rng::stream(0, 0, 0);
        let mut n = [0_usize; 3];
        for _ in 0..100_000 {
            n[(a.draw(&mut rng) - 7) as usize] += 1;
        }
        assert!((n[0] as f64 / 1e5 - 0.1).abs() < 0.01, "{n:?}");
        assert!((n[2] as f64 / 1e5 - 0.7).abs() < 0.01, "{n:?}");
    }
}
