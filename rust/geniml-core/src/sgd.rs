//! Small helpers shared by the SGD trainers (word2vec in `w2v`, StarSpace in `bedspace`): a fast
//! seeded generator and the f32 dot / axpy loops the kernels are built from.
//!
//! `dot` and `axpy` work on chunks of 8 lanes so that LLVM turns them into one SSE/AVX register
//! per chunk. They are `#[inline(always)]`, so inside a `#[target_feature(enable = "avx2,fma")]`
//! function they become 256-bit instructions. The summation order is fixed; whether `a * b + c`
//! rounds once or twice is the caller's choice ([`Madd`]).

/// A small fast generator (wyrand); independent streams are derived with splitmix64.
#[derive(Clone)]
pub(crate) struct Rng(u64);

pub(crate) fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

impl Rng {
    /// The stream of `(seed, a, b)`.
    pub(crate) fn stream(seed: u64, a: u64, b: u64) -> Self {
        Self(splitmix(splitmix(splitmix(seed) ^ a) ^ b))
    }
    #[inline]
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0xa076_1d64_78bd_642f);
        let t = u128::from(self.0).wrapping_mul(u128::from(self.0 ^ 0xe703_7ed1_a0b4_28db));
        ((t >> 64) as u64) ^ (t as u64)
    }
    /// Uniform in `0..n` (multiply-shift; `n > 0`).
    #[inline]
    pub(crate) fn below(&mut self, n: usize) -> usize {
        ((u128::from(self.next_u64()) * n as u128) >> 64) as usize
    }
}

/// How a kernel computes `a * b + c`: [`Plain`] rounds twice, [`Fused`] once (`f32::mul_add`,
/// one instruction where FMA is enabled, e.g. inside `#[target_feature(enable = "avx2,fma")]`).
/// Kernels are generic over it so that one source serves both builds.
pub(crate) trait Madd {
    fn madd(a: f32, b: f32, c: f32) -> f32;
}

/// `a * b + c` with two roundings (any CPU).
pub(crate) struct Plain;
/// `a * b + c` with one rounding (use only where FMA instructions are enabled).
pub(crate) struct Fused;

impl Madd for Plain {
    #[inline(always)]
    #[allow(clippy::inline_always)]
    fn madd(a: f32, b: f32, c: f32) -> f32 {
        a * b + c
    }
}

impl Madd for Fused {
    #[inline(always)]
    #[allow(clippy::inline_always)]
    fn madd(a: f32, b: f32, c: f32) -> f32 {
        a.mul_add(b, c)
    }
}

/// `a · b` over the common length, accumulated in 8 lanes then summed pairwise.
#[inline(always)]
#[allow(clippy::inline_always)]
pub(crate) fn dot<M: Madd>(a: &[f32], b: &[f32]) -> f32 {
    let mut acc = [0.0_f32; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] = M::madd(x[k], y[k], acc[k]);
        }
    }
    let mut s = 0.0;
    for (x, y) in ra.iter().zip(rb) {
        s = M::madd(*x, *y, s);
    }
    s + ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]))
}

/// `y += alpha * x` over the common length.
///
/// Each chunk of 8 is loaded whole into registers before it is stored, so the compiler needs no
/// run-time overlap check (rows reached through raw pointers carry no aliasing facts) and always
/// emits the vector loop.
#[inline(always)]
#[allow(clippy::inline_always)]
pub(crate) fn axpy<M: Madd>(alpha: f32, x: &[f32], y: &mut [f32]) {
    let n = x.len().min(y.len());
    let (x, y) = (&x[..n], &mut y[..n]);
    let (cx, mut cy) = (x.chunks_exact(8), y.chunks_exact_mut(8));
    let rx = cx.remainder();
    for (a, b) in cx.zip(&mut cy) {
        let mut v = [0.0_f32; 8];
        v.copy_from_slice(b);
        for k in 0..8 {
            v[k] = M::madd(alpha, a[k], v[k]);
        }
        b.copy_from_slice(&v);
    }
    for (yi, xi) in cy.into_remainder().iter_mut().zip(rx) {
        *yi = M::madd(alpha, *xi, *yi);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_and_axpy_match_naive_loops() {
        for n in [0, 1, 7, 8, 9, 100, 129] {
            let a: Vec<f32> = (0..n).map(|i| (i as f32 * 0.37).sin()).collect();
            let b: Vec<f32> = (0..n).map(|i| (i as f32 * 0.11).cos()).collect();
            let naive: f32 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot::<Plain>(&a, &b) - naive).abs() < 1e-4, "n={n}");
            assert!((dot::<Fused>(&a, &b) - naive).abs() < 1e-4, "n={n}");
            let mut y = b.clone();
            axpy::<Plain>(0.5, &a, &mut y);
            for i in 0..n {
                assert_eq!(y[i], b[i] + 0.5 * a[i]);
            }
        }
    }

    #[test]
    fn streams_differ_and_below_stays_in_range() {
        let (mut r1, mut r2) = (Rng::stream(1, 0, 0), Rng::stream(1, 0, 1));
        assert_ne!(r1.next_u64(), r2.next_u64());
        assert!((0..1000).all(|_| r1.below(7) < 7));
    }
}
