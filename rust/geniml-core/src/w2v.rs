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

/// CBOW (predict a token from the mean of its context) or skip-gram (predict each context token).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    Cbow,
    SkipGram,
}

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

/// A small fast generator (wyrand); streams are derived with splitmix64.
#[derive(Clone)]
struct Rng(u64);

fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    fn stream(seed: u64, a: u64, b: u64) -> Self {
        Self(splitmix(splitmix(splitmix(seed) ^ a) ^ b))
    }
    #[inline]
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.0).wrapping_mul(u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db));
        ((t >> 64) as u64) ^ (t as u64)
    }
    /// Uniform in `0..n` (multiply-shift; `n` > 0).
    #[inline]
    fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// Walker/Vose alias table: O(1) draws from a discrete distribution.
#[derive(Clone, Debug, Default)]
struct Alias {
    ids: Vec<u32>,
    prob: Vec<u32>,
    alt: Vec<u32>,
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
        Self { ids, prob, alt }
    }
    #[inline]
    fn draw(&self, rng: &mut Rng) -> u32 {
        let r = rng.next_u64();
        let i = ((u128::from(r >> 32) * self.ids.len() as u128) >> 32) as usize;
        let k = if (r as u32) < self.prob[i] {
            i
        } else {
            self.alt[i] as usize
        };
        self.ids[k]
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
    h: Vec<f32>,
    grad: Vec<f32>,
    targets: Vec<u32>,
    next: Vec<u32>,
}

impl Scratch {
    fn new(dim: usize) -> Self {
        Self {
            h: vec![0.0; dim],
            grad: vec![0.0; dim],
            targets: Vec::with_capacity(16),
            next: Vec::with_capacity(16),
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
    use super::{Corpus, MAX_EXP, Rng, Scratch, Shared, TABLE_SIZE, tables};

    #[inline(always)]
    fn dot(a: &[f32], b: &[f32]) -> f32 {
        let mut acc = [0.0_f32; 8];
        let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
        let (ra, rb) = (ca.remainder(), cb.remainder());
        for (x, y) in ca.zip(cb) {
            for k in 0..8 {
                acc[k] += x[k] * y[k];
            }
        }
        let mut s = 0.0;
        for (x, y) in ra.iter().zip(rb) {
            s += x * y;
        }
        s + ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
    }

    #[inline(always)]
    fn axpy(alpha: f32, x: &[f32], y: &mut [f32]) {
        for (yi, xi) in y.iter_mut().zip(x) {
            *yi += alpha * xi;
        }
    }

    /// Row `r` of a shared table.
    ///
    /// SAFETY: callers hold at most one row of each table at a time within a thread; `r <
    /// vocab_size` because every id in a prepared document and every negative is a trained id.
    #[inline(always)]
    unsafe fn row<'a>(base: *mut f32, r: u32, dim: usize) -> &'a mut [f32] {
        unsafe { std::slice::from_raw_parts_mut(base.add(r as usize * dim), dim) }
    }

    /// Gradient scale and loss of one prediction with score `f`.
    #[inline(always)]
    fn score(f: f32, label: f32, lr: f32) -> (f32, f32) {
        let t = tables();
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

    /// Fill `targets` with `w` followed by up to `negative` draws (draws equal to `w` are
    /// dropped, as in word2vec.c).
    #[inline(always)]
    fn draw_targets(c: &Corpus, w: u32, rng: &mut Rng, targets: &mut Vec<u32>) {
        targets.clear();
        targets.push(w);
        for _ in 0..c.params.negative {
            let t = c.neg.draw(rng);
            if t != w {
                targets.push(t);
            }
        }
    }

    /// Ask the CPU to fetch rows `rows` of a table into cache (a hint; no effect elsewhere).
    #[inline(always)]
    fn prefetch(base: *mut f32, rows: &[u32], dim: usize) {
        #[cfg(target_arch = "x86_64")]
        for &r in rows {
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
        let _ = (base, rows, dim);
    }

    /// Draw the targets of position `i + 1` (one position ahead) and prefetch their rows.
    #[inline(always)]
    fn look_ahead(c: &Corpus, sh: Shared, s: &[u32], i: usize, rng: &mut Rng, sc: &mut Scratch) {
        std::mem::swap(&mut sc.targets, &mut sc.next);
        if let Some(&w) = s.get(i + 1) {
            draw_targets(c, w, rng, &mut sc.next);
            prefetch(sh.w_out, &sc.next, c.params.dim);
            let edge = (i + 1 + c.params.window).min(s.len() - 1);
            prefetch(sh.w_in, &s[edge..=edge], c.params.dim);
        }
    }

    /// Negative-sampling update of `h` against `targets` (first = positive); accumulates the
    /// gradient for `h` into `grad`.
    #[inline(always)]
    fn predict(
        c: &Corpus,
        sh: Shared,
        h: &[f32],
        grad: &mut [f32],
        targets: &[u32],
        lr: f32,
    ) -> f64 {
        let dim = c.params.dim;
        let mut loss = 0.0_f64;
        let mut label = 1.0;
        for &target in targets {
            // SAFETY: see `row`.
            let u = unsafe { row(sh.w_out, target, dim) };
            let (g, l) = score(dot(h, u), label, lr);
            loss += f64::from(l);
            axpy(g, u, grad);
            axpy(g, h, u);
            label = 0.0;
        }
        loss
    }

    #[inline(always)]
    fn cbow_impl(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> (f64, u64) {
        let dim = c.params.dim;
        let win = c.params.window;
        let (mut loss, mut n) = (0.0, 0);
        if let Some(&w0) = s.first() {
            draw_targets(c, w0, rng, &mut scratch.next);
        }
        for i in 0..s.len() {
            look_ahead(c, sh, s, i, rng, scratch);
            let red = win - rng.below(win);
            let lo = i.saturating_sub(red);
            let hi = (i + red + 1).min(s.len());
            let count = hi - lo - 1;
            if count == 0 {
                continue;
            }
            let h = &mut scratch.h;
            h.fill(0.0);
            for (j, &x) in s[lo..hi].iter().enumerate() {
                if lo + j != i {
                    // SAFETY: see `row`.
                    let v = unsafe { row(sh.w_in, x, dim) };
                    axpy(1.0, v, h);
                }
            }
            let inv = 1.0 / count as f32;
            for v in h.iter_mut() {
                *v *= inv;
            }
            scratch.grad.fill(0.0);
            loss += predict(c, sh, &scratch.h, &mut scratch.grad, &scratch.targets, lr);
            n += 1;
            for (j, &x) in s[lo..hi].iter().enumerate() {
                if lo + j != i {
                    // SAFETY: see `row`.
                    let v = unsafe { row(sh.w_in, x, dim) };
                    axpy(1.0, &scratch.grad, v);
                }
            }
        }
        (loss, n)
    }

    /// Skip-gram: every context token predicts the centre. The negatives are drawn once per
    /// centre and shared by its context tokens, so the centre's output rows stay in cache
    /// (the shared-negative scheme of pWord2Vec, Ji et al. 2016).
    #[inline(always)]
    fn skipgram_impl(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> (f64, u64) {
        let dim = c.params.dim;
        let win = c.params.window;
        let (mut loss, mut n) = (0.0, 0);
        if let Some(&w0) = s.first() {
            draw_targets(c, w0, rng, &mut scratch.next);
        }
        for i in 0..s.len() {
            look_ahead(c, sh, s, i, rng, scratch);
            let red = win - rng.below(win);
            let lo = i.saturating_sub(red);
            let hi = (i + red + 1).min(s.len());
            if hi - lo <= 1 {
                continue;
            }
            for (j, &x) in s[lo..hi].iter().enumerate() {
                if lo + j == i {
                    continue;
                }
                // SAFETY: see `row`.
                let v = unsafe { row(sh.w_in, x, dim) };
                scratch.grad.fill(0.0);
                loss += predict(c, sh, v, &mut scratch.grad, &scratch.targets, lr);
                axpy(1.0, &scratch.grad, v);
                n += 1;
            }
        }
        (loss, n)
    }

    /// The sentence kernels compiled for AVX2 (wider vectors; same arithmetic order, so the
    /// results equal the baseline build's).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn cbow_avx2(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> (f64, u64) {
        cbow_impl(c, sh, s, lr, rng, scratch)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn skipgram_avx2(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> (f64, u64) {
        skipgram_impl(c, sh, s, lr, rng, scratch)
    }

    pub(super) fn cbow(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> (f64, u64) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2.
            return unsafe { cbow_avx2(c, sh, s, lr, rng, scratch) };
        }
        cbow_impl(c, sh, s, lr, rng, scratch)
    }

    pub(super) fn skipgram(
        c: &Corpus,
        sh: Shared,
        s: &[u32],
        lr: f32,
        rng: &mut Rng,
        scratch: &mut Scratch,
    ) -> (f64, u64) {
        #[cfg(target_arch = "x86_64")]
        if std::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2.
            return unsafe { skipgram_avx2(c, sh, s, lr, rng, scratch) };
        }
        skipgram_impl(c, sh, s, lr, rng, scratch)
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
