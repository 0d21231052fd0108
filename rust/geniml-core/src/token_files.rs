//! Text outputs of file-level tokenization (`geniml.tokenization.files`): weighted universe
//! regions (soft tokenization, one BED4 per input file) and one token line per query region
//! (`universe_tokenization`). Written atomically; numbers formatted as Python's `%.6g`.
//!
//! ```
//! use geniml_core::token_files::format_g;
//! assert_eq!(format_g(0.5, 6), "0.5");
//! assert_eq!(format_g(1.0 / 3.0, 6), "0.333333");
//! assert_eq!(format_g(1.5e-7, 6), "1.5e-07");
//! ```

use std::io::Write;
use std::path::Path;

use crate::atomic::atomic_write;
use crate::error::{GenimlError, Result};
use crate::regions::RegionsRef;

/// `x` as C's and Python's `%.{precision}g`: `precision` significant digits, fixed notation
/// for decimal exponents in `[-4, precision)`, else `d.ddde±XX`; trailing zeros removed.
#[must_use]
pub fn format_g(x: f64, precision: usize) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "inf" } else { "-inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0" } else { "0" }.into();
    }
    let p = precision.max(1);
    // Rounded once to `p` significant digits; the exponent decides the notation.
    let sci = format!("{:.*e}", p - 1, x);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i64 = exp.parse().unwrap_or(0);
    let p_i = i64::try_from(p).unwrap_or(i64::MAX);
    if (-4..p_i).contains(&exp) {
        let decimals = usize::try_from(p_i - 1 - exp).unwrap_or(0);
        strip_zeros(&format!("{x:.decimals$}")).to_string()
    } else {
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{}e{sign}{:02}", strip_zeros(mantissa), exp.abs())
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

fn push_region(buf: &mut Vec<u8>, regions: &RegionsRef<'_>, i: usize) {
    buf.extend_from_slice(regions.names[regions.chroms[i] as usize].as_bytes());
    buf.push(b'\t');
    buf.extend_from_slice(regions.starts[i].to_string().as_bytes());
    buf.push(b'\t');
    buf.extend_from_slice(regions.ends[i].to_string().as_bytes());
    buf.push(b'\t');
}

/// Write `chrom<TAB>start<TAB>end<TAB>weight` for each `regions[ids[k]]` with `weights[k]`
/// (`%.6g`), in the given order, to `path` (atomically; an existing `path` only with `force`).
///
/// # Errors
/// `InvalidInput` when `ids` and `weights` differ in length or an id is out of range; `Io`
/// when the file cannot be written.
pub fn write_weighted_regions(
    path: &Path,
    regions: &RegionsRef<'_>,
    ids: &[u32],
    weights: &[f32],
    force: bool,
) -> Result<()> {
    if ids.len() != weights.len() {
        return Err(GenimlError::InvalidInput(format!(
            "{} ids but {} weights",
            ids.len(),
            weights.len()
        )));
    }
    if let Some(&bad) = ids.iter().find(|&&i| i as usize >= regions.len()) {
        return Err(GenimlError::InvalidInput(format!(
            "region id {bad} is out of range (the universe holds {} regions)",
            regions.len()
        )));
    }
    atomic_write(path, force, |w| {
        let mut buf = Vec::with_capacity(1 << 16);
        for (&i, &wt) in ids.iter().zip(weights) {
            push_region(&mut buf, regions, i as usize);
            buf.extend_from_slice(format_g(f64::from(wt), 6).as_bytes());
            buf.push(b'\n');
            if buf.len() > 1 << 16 {
                w.write_all(&buf)?;
                buf.clear();
            }
        }
        w.write_all(&buf)
    })
}

/// Write one line per query region, `chrom<TAB>start<TAB>end<TAB>tokens`, to `path`
/// (atomically; an existing `path` only with `force`). The tokens of region `r` are
/// `ids[offsets[r]..offsets[r + 1]]`, comma-separated; without `weights` a region with no
/// token gets `unk`, with `weights` each token is `id:weight` (`%.6g`) and a region without
/// any has an empty field.
///
/// # Errors
/// `InvalidInput` when `offsets` does not have one entry more than `queries`, decreases or
/// points past `ids`, or `weights` differs from `ids` in length; `Io` when the file cannot be
/// written.
pub fn write_token_lines(
    path: &Path,
    queries: &RegionsRef<'_>,
    offsets: &[u64],
    ids: &[u32],
    weights: Option<&[f32]>,
    unk: u32,
    force: bool,
) -> Result<()> {
    if offsets.len() != queries.len() + 1 {
        return Err(GenimlError::InvalidInput(format!(
            "{} offsets for {} regions (want one more than the regions)",
            offsets.len(),
            queries.len()
        )));
    }
    if offsets.windows(2).any(|w| w[0] > w[1])
        || offsets.last().is_some_and(|&e| e as usize > ids.len())
    {
        return Err(GenimlError::InvalidInput(format!(
            "token offsets must be non-decreasing and at most the number of ids ({})",
            ids.len()
        )));
    }
    if let Some(w) = weights
        && w.len() != ids.len()
    {
        return Err(GenimlError::InvalidInput(format!(
            "{} ids but {} weights",
            ids.len(),
            w.len()
        )));
    }
    let unk = unk.to_string();
    atomic_write(path, force, |w| {
        let mut buf = Vec::with_capacity(1 << 16);
        for r in 0..queries.len() {
            push_region(&mut buf, queries, r);
            let (a, b) = (offsets[r] as usize, offsets[r + 1] as usize);
            match weights {
                None if a == b => buf.extend_from_slice(unk.as_bytes()),
                None => {
                    for (k, id) in ids[a..b].iter().enumerate() {
                        if k > 0 {
                            buf.push(b',');
                        }
                        buf.extend_from_slice(id.to_string().as_bytes());
                    }
                }
                Some(wt) => {
                    for (k, (id, x)) in ids[a..b].iter().zip(&wt[a..b]).enumerate() {
                        if k > 0 {
                            buf.push(b',');
                        }
                        buf.extend_from_slice(id.to_string().as_bytes());
                        buf.push(b':');
                        buf.extend_from_slice(format_g(f64::from(*x), 6).as_bytes());
                    }
                }
            }
            buf.push(b'\n');
            if buf.len() > 1 << 16 {
                w.write_all(&buf)?;
                buf.clear();
            }
        }
        w.write_all(&buf)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_g_matches_python() {
        // Python: [f"{x:.6g}" for x in ...]
        let cases = [
            (1.0, "1"),
            (0.1, "0.1"),
            (0.123_456_789, "0.123457"),
            (123_456.7, "123457"),
            (1_234_567.0, "1.23457e+06"),
            (0.000_123_456_7, "0.000123457"),
            (0.000_012_345_67, "1.23457e-05"),
            (9.999_999_5, "10"),
            (999_999.5, "1e+06"),
            (-2.5, "-2.5"),
            (1e100, "1e+100"),
        ];
        for (x, want) in cases {
            assert_eq!(format_g(x, 6), want, "{x}");
        }
        assert_eq!(format_g(0.125, 2), "0.12");
        assert_eq!(format_g(0.375, 2), "0.38");
    }
}
