//! Coverage of collections too large to hold: tracks are additive, so the tracks of a
//! collection are the run-wise sum of the tracks of its parts.
//!
//! The Python layer reads a collection a batch of files at a time ([`coverage_of_batch`]) and
//! adds each batch's tracks into an accumulator ([`add_coverage`]), so memory is bounded by
//! one batch plus the accumulated runs (bounded by the genome, not by the number of files);
//! Dask workers compute parts the same way, and
//! [`coverage_to_bytes`] / [`coverage_from_bytes`] move tracks between processes.

use std::path::PathBuf;

use crate::coverage::{ChromCoverage, Coverage, Track, coverage_from_files};
use crate::error::{GenimlError, Result};

/// Run-wise sum of two tracks of the same chromosome: `(a + b)(x) = a(x) + b(x)`.
pub fn add_tracks(a: &Track, b: &Track) -> Track {
    // Each track's runs are sorted and disjoint, so its value changes (+v at a run's start,
    // -v at its end) come in position order; merge the two change lists and sweep.
    fn changes(t: &Track) -> impl Iterator<Item = (u32, i64)> + '_ {
        t.runs()
            .flat_map(|(s, e, v)| [(s, i64::from(v)), (e, -i64::from(v))])
    }
    let mut ca = changes(a).peekable();
    let mut cb = changes(b).peekable();
    let mut out = Track::default();
    let (mut pos, mut value) = (0u32, 0i64);
    loop {
        let next = match (ca.peek(), cb.peek()) {
            (None, None) => break,
            (Some(&(x, _)), None) | (None, Some(&(x, _))) => x,
            (Some(&(x, _)), Some(&(y, _))) => x.min(y),
        };
        out.push(pos, next, value as u32);
        pos = next;
        while let Some(&(_, d)) = ca.peek().filter(|c| c.0 == next) {
            value += d;
            ca.next();
        }
        while let Some(&(_, d)) = cb.peek().filter(|c| c.0 == next) {
            value += d;
            cb.next();
        }
    }
    out
}

/// Sum of two coverages of the same genome (same chromosomes, same sizes, same order).
pub fn add_coverage(a: &Coverage, b: &Coverage) -> Result<Coverage> {
    if a.chroms.len() != b.chroms.len()
        || a.chroms
            .iter()
            .zip(&b.chroms)
            .any(|(x, y)| x.name != y.name || x.size != y.size)
    {
        return Err(GenimlError::InvalidInput(
            "coverage tracks of different genomes (chromosome names or sizes differ) cannot be \
             added"
                .into(),
        ));
    }
    let chroms = a
        .chroms
        .iter()
        .zip(&b.chroms)
        .map(|(x, y)| ChromCoverage {
            name: x.name.clone(),
            size: x.size,
            start: add_tracks(&x.start, &y.start),
            core: add_tracks(&x.core, &y.core),
            end: add_tracks(&x.end, &y.end),
        })
        .collect();
    Ok(Coverage {
        chroms,
        n_files: a.n_files + b.n_files,
    })
}

/// Coverage of one batch of a collection: [`coverage_from_files`], except that a batch whose
/// files hold no region gives all-zero tracks (the collection as a whole may still have
/// regions; [`is_empty`] tells at the end).
pub fn coverage_of_batch(
    paths: &[PathBuf],
    chrom_sizes: &[(String, u64)],
    smooth: u32,
) -> Result<Coverage> {
    if paths.is_empty() {
        return coverage_from_files(paths, chrom_sizes, smooth);
    }
    let opts = crate::io::ReadOptions {
        chrom_sizes: Some(chrom_sizes.iter().cloned().collect()),
        allow_empty: true,
        ..crate::io::ReadOptions::default()
    };
    let sets = crate::io::read_many(paths, &opts)
        .into_iter()
        .map(|r| r.map(|(rs, _)| rs))
        .collect::<Result<Vec<_>>>()?;
    if sets.iter().all(crate::RegionSet::is_empty) {
        return Ok(empty_coverage(chrom_sizes, paths.len()));
    }
    let views: Vec<crate::RegionsRef<'_>> = sets.iter().map(crate::RegionSet::view).collect();
    let labels: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    crate::coverage::coverage_from_regions(&views, &labels, chrom_sizes, smooth)
}

/// True when every track of every chromosome is zero.
pub fn is_empty(cov: &Coverage) -> bool {
    cov.chroms
        .iter()
        .all(|c| c.core.is_empty() && c.start.is_empty() && c.end.is_empty())
}

fn empty_coverage(chrom_sizes: &[(String, u64)], n_files: usize) -> Coverage {
    let mut order: Vec<&(String, u64)> = chrom_sizes.iter().collect();
    order.sort_by(|a, b| crate::chrom::natural_cmp(&a.0, &b.0));
    Coverage {
        chroms: order
            .into_iter()
            .map(|(n, l)| ChromCoverage {
                name: n.clone(),
                size: *l as u32,
                ..ChromCoverage::default()
            })
            .collect(),
        n_files,
    }
}

const MAGIC: &[u8; 8] = b"GNMLCOV1";

/// A compact little-endian encoding of tracks (for moving them between processes).
pub fn coverage_to_bytes(cov: &Coverage) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(cov.n_files as u64).to_le_bytes());
    out.extend_from_slice(&(cov.chroms.len() as u64).to_le_bytes());
    for c in &cov.chroms {
        out.extend_from_slice(&(c.name.len() as u64).to_le_bytes());
        out.extend_from_slice(c.name.as_bytes());
        out.extend_from_slice(&c.size.to_le_bytes());
        for t in [&c.start, &c.core, &c.end] {
            out.extend_from_slice(&(t.n_runs() as u64).to_le_bytes());
            for (s, e, v) in t.runs() {
                out.extend_from_slice(&s.to_le_bytes());
                out.extend_from_slice(&e.to_le_bytes());
                out.extend_from_slice(&v.to_le_bytes());
            }
        }
    }
    out
}

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Reader<'_> {
    fn take(&mut self, n: usize) -> Result<&[u8]> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len());
        let Some(end) = end else {
            return Err(GenimlError::InvalidInput(format!(
                "coverage bytes truncated at byte {} (needed {n} more)",
                self.pos
            )));
        };
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }
    fn u64(&mut self) -> Result<u64> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])))
    }
    fn u32(&mut self) -> Result<u32> {
        let b = self.take(4)?;
        Ok(u32::from_le_bytes(b.try_into().unwrap_or([0; 4])))
    }
    fn len(&mut self, what: &str, unit: usize) -> Result<usize> {
        let n = self.u64()?;
        let left = (self.buf.len() - self.pos) as u64;
        if n.saturating_mul(unit as u64) > left {
            return Err(GenimlError::InvalidInput(format!(
                "coverage bytes: {what} count {n} exceeds the {left} bytes left"
            )));
        }
        Ok(n as usize)
    }
}

/// Decode [`coverage_to_bytes`]; every count is checked against the buffer.
pub fn coverage_from_bytes(buf: &[u8]) -> Result<Coverage> {
    let mut r = Reader { buf, pos: 0 };
    if r.take(MAGIC.len())? != MAGIC {
        return Err(GenimlError::InvalidInput(
            "not geniml coverage bytes (bad magic)".into(),
        ));
    }
    let n_files = r.u64()? as usize;
    let n_chroms = r.len("chromosome", 8)?;
    let mut chroms = Vec::with_capacity(n_chroms);
    for _ in 0..n_chroms {
        let nl = r.len("name byte", 1)?;
        let name = String::from_utf8(r.take(nl)?.to_vec()).map_err(|_| {
            GenimlError::InvalidInput("coverage bytes: chromosome name is not UTF-8".into())
        })?;
        let size = r.u32()?;
        let mut tracks = Vec::with_capacity(3);
        for _ in 0..3 {
            let n = r.len("run", 12)?;
            let mut t = Track::default();
            let mut last_end = 0u32;
            for _ in 0..n {
                let (s, e, v) = (r.u32()?, r.u32()?, r.u32()?);
                if s < last_end || e <= s || e > size {
                    return Err(GenimlError::InvalidInput(format!(
                        "coverage bytes: run {s}-{e} of {name} is out of order or out of range"
                    )));
                }
                t.push(s, e, v);
                last_end = e;
            }
            tracks.push(t);
        }
        let end = tracks.pop().unwrap_or_default();
        let core = tracks.pop().unwrap_or_default();
        let start = tracks.pop().unwrap_or_default();
        chroms.push(ChromCoverage {
            name,
            size,
            start,
            core,
            end,
        });
    }
    if r.pos != buf.len() {
        return Err(GenimlError::InvalidInput(format!(
            "coverage bytes: {} trailing bytes",
            buf.len() - r.pos
        )));
    }
    Ok(Coverage { chroms, n_files })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dense(t: &Track, size: u32) -> Vec<u32> {
        (0..size).map(|x| t.value_at(x)).collect()
    }

    fn track_of(runs: &[(u32, u32)], size: u32) -> Track {
        let mut ups: Vec<u32> = runs.iter().map(|r| r.0.min(size)).collect();
        let mut downs: Vec<u32> = runs.iter().map(|r| r.1.min(size)).collect();
        ups.sort_unstable();
        downs.sort_unstable();
        Track::from_events(&ups, &downs)
    }

    proptest! {
        #[test]
        fn sum_is_pointwise(a in prop::collection::vec((0u32..200, 1u32..40), 0..30),
                            b in prop::collection::vec((0u32..200, 1u32..40), 0..30)) {
            let size = 250;
            let ra: Vec<(u32, u32)> = a.iter().map(|&(s, w)| (s, s + w)).collect();
            let rb: Vec<(u32, u32)> = b.iter().map(|&(s, w)| (s, s + w)).collect();
            let (ta, tb) = (track_of(&ra, size), track_of(&rb, size));
            let sum = add_tracks(&ta, &tb);
            let want: Vec<u32> = dense(&ta, size).iter().zip(dense(&tb, size)).map(|(x, y)| x + y).collect();
            prop_assert_eq!(dense(&sum, size), want);
            // canonical: equal to the track of the union built directly
            let both: Vec<(u32, u32)> = ra.iter().chain(&rb).copied().collect();
            prop_assert_eq!(sum, track_of(&both, size));
        }
    }

    #[test]
    fn bytes_round_trip_and_reject_garbage() {
        let t = track_of(&[(1, 5), (3, 9)], 20);
        let cov = Coverage {
            chroms: vec![ChromCoverage {
                name: "chr1".into(),
                size: 20,
                start: t.clone(),
                core: t.clone(),
                end: t,
            }],
            n_files: 2,
        };
        let b = coverage_to_bytes(&cov);
        assert_eq!(coverage_from_bytes(&b).ok(), Some(cov));
        for cut in [0, 7, 20, b.len() - 1] {
            assert!(coverage_from_bytes(&b[..cut]).is_err());
        }
        let mut huge = b.clone();
        huge[16..24].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(coverage_from_bytes(&huge).is_err());
    }
}
