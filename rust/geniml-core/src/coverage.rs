//! Coverage tracks of a BED collection: `start`, `core` and `end`, run-length encoded.
//!
//! * `core`: number of regions covering each base;
//! * `start`: number of region starts within `smooth` bases (a start at `s` adds 1 on the closed
//!   window `[s - smooth, s + smooth]`, clipped to the chromosome);
//! * `end`: the same for region ends, the end of `[s, e)` being the BED end coordinate `e`.
//!
//! Tracks are computed per chromosome in parallel on the shared rayon pool and are never
//! expanded to one value per base. Coordinates are 0-based half-open `[start, end)`.
//!
//! ```
//! use geniml_core::coverage::coverage_from_regions;
//! use geniml_core::RegionsRef;
//! let names = vec!["chr1".to_string()];
//! let (c, s, e) = (vec![0u32, 0], vec![10u32, 15], vec![20u32, 30]);
//! let r = RegionsRef::new(&names, &c, &s, &e).unwrap();
//! let cov = coverage_from_regions(&[r], &["a".into()], &[("chr1".into(), 100)], 0).unwrap();
//! let core: Vec<_> = cov.chroms[0].core.runs().collect();
//! assert_eq!(core, vec![(10, 15, 1), (15, 20, 2), (20, 30, 1)]);
//! ```

use std::collections::HashMap;
use std::fmt::Write as _;
use std::io::Write;
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::atomic;
use crate::chrom::natural_cmp;
use crate::error::{GenimlError, Result};
use crate::io::{self as bio, ReadOptions};
use crate::regions::RegionsRef;

/// The three tracks, in file-name order.
pub const TRACKS: [TrackKind; 3] = [TrackKind::Start, TrackKind::Core, TrackKind::End];

/// Zoom levels written into bigWig files (bp per zoom record).
const ZOOM_SIZES: [u32; 5] = [10_240, 40_960, 163_840, 655_360, 2_621_440];

/// Which of the three coverage tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TrackKind {
    /// Smoothed region starts.
    Start,
    /// Bases covered.
    Core,
    /// Smoothed region ends.
    End,
}

impl TrackKind {
    /// `"start"`, `"core"` or `"end"` (the file-name suffix).
    pub fn name(self) -> &'static str {
        match self {
            Self::Start => "start",
            Self::Core => "core",
            Self::End => "end",
        }
    }
}

/// A run-length encoded, non-negative integer track of one chromosome. Only runs with a
/// non-zero value are stored; runs are sorted, disjoint, and adjacent runs differ in value.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Track {
    starts: Vec<u32>,
    ends: Vec<u32>,
    values: Vec<u32>,
}

impl Track {
    /// Append the run `[start, end)` with `value`; runs must come in order. Zero values and
    /// empty runs are dropped, and a run continuing the previous one with the same value
    /// extends it.
    pub fn push(&mut self, start: u32, end: u32, value: u32) {
        if value == 0 || end <= start {
            return;
        }
        if let (Some(last_end), Some(&last_v)) = (self.ends.last_mut(), self.values.last())
            && *last_end == start
            && last_v == value
        {
            *last_end = end;
            return;
        }
        self.starts.push(start);
        self.ends.push(end);
        self.values.push(value);
    }

    /// Build from sorted window openings and sorted window closings (equal counts): the value
    /// at `x` is `#{ups <= x} - #{downs <= x}`.
    pub fn from_events(ups: &[u32], downs: &[u32]) -> Track {
        let mut t = Track::default();
        let (mut i, mut j) = (0usize, 0usize);
        let mut v: u32 = 0;
        let mut pos: u32 = 0;
        while i < ups.len() || j < downs.len() {
            let next = match (ups.get(i), downs.get(j)) {
                (Some(&a), Some(&b)) => a.min(b),
                (Some(&a), None) => a,
                (None, Some(&b)) => b,
                (None, None) => break,
            };
            t.push(pos, next, v);
            pos = next;
            while i < ups.len() && ups[i] == next {
                v += 1;
                i += 1;
            }
            while j < downs.len() && downs[j] == next {
                v = v.saturating_sub(1);
                j += 1;
            }
        }
        t
    }

    /// Number of stored (non-zero) runs.
    pub fn n_runs(&self) -> usize {
        self.starts.len()
    }

    /// True when the track is zero everywhere.
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }

    /// The non-zero runs `(start, end, value)`.
    pub fn runs(&self) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        (0..self.starts.len()).map(|k| (self.starts[k], self.ends[k], self.values[k]))
    }

    /// The non-zero runs overlapping `[from, to)`, clipped to it (binary search, no scan).
    pub fn runs_in(&self, from: u32, to: u32) -> impl Iterator<Item = (u32, u32, u32)> + '_ {
        let k = self.ends.partition_point(|&e| e <= from);
        (k..self.starts.len())
            .take_while(move |&i| self.starts[i] < to)
            .map(move |i| {
                (
                    self.starts[i].max(from),
                    self.ends[i].min(to),
                    self.values[i],
                )
            })
    }

    /// Every segment of `[0, size)`, zero gaps included, as `(start, end, value)`.
    pub fn segments(&self, size: u32) -> Vec<(u32, u32, u32)> {
        let mut out = Vec::with_capacity(2 * self.starts.len() + 1);
        let mut pos = 0u32;
        for (s, e, v) in self.runs() {
            let s = s.min(size);
            let e = e.min(size);
            if s > pos {
                out.push((pos, s, 0));
            }
            if e > s {
                out.push((s, e, v));
            }
            pos = pos.max(e);
        }
        if pos < size {
            out.push((pos, size, 0));
        }
        out
    }

    /// Copies of the run columns `(starts, ends, values)`.
    pub fn columns(&self) -> (Vec<u32>, Vec<u32>, Vec<u32>) {
        (self.starts.clone(), self.ends.clone(), self.values.clone())
    }

    /// Sum of the values over all bases.
    pub fn total(&self) -> u64 {
        self.runs()
            .map(|(s, e, v)| u64::from(e - s) * u64::from(v))
            .sum()
    }

    /// The largest value (0 for an empty track).
    pub fn max_value(&self) -> u32 {
        self.values.iter().copied().max().unwrap_or(0)
    }

    /// The value at base `pos`.
    pub fn value_at(&self, pos: u32) -> u32 {
        let k = self.ends.partition_point(|&e| e <= pos);
        match (self.starts.get(k), self.values.get(k)) {
            (Some(&s), Some(&v)) if s <= pos => v,
            _ => 0,
        }
    }
}

/// The three tracks of one chromosome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChromCoverage {
    /// Chromosome name.
    pub name: String,
    /// Chromosome length.
    pub size: u32,
    /// Smoothed starts.
    pub start: Track,
    /// Coverage.
    pub core: Track,
    /// Smoothed ends.
    pub end: Track,
}

impl ChromCoverage {
    /// The track of `kind`.
    pub fn track(&self, kind: TrackKind) -> &Track {
        match kind {
            TrackKind::Start => &self.start,
            TrackKind::Core => &self.core,
            TrackKind::End => &self.end,
        }
    }
}

/// Coverage tracks of a whole genome, chromosomes in natural order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Coverage {
    /// One entry per chromosome of the chrom sizes (natural order).
    pub chroms: Vec<ChromCoverage>,
    /// Number of region sets the tracks were computed from (0 when read from files).
    pub n_files: usize,
}

fn check_sizes(chrom_sizes: &[(String, u64)]) -> Result<()> {
    if chrom_sizes.is_empty() {
        return Err(GenimlError::InvalidInput(
            "the chrom sizes are empty".into(),
        ));
    }
    if let Some((n, l)) = chrom_sizes.iter().find(|(_, l)| *l > u64::from(u32::MAX)) {
        return Err(GenimlError::InvalidInput(format!(
            "chromosome '{n}' has length {l}, more than 2^32-1 bases"
        )));
    }
    Ok(())
}

/// Coverage tracks of in-memory region sets (`labels[i]` names set `i` in messages).
///
/// Every chromosome must be in `chrom_sizes` and every region must end within it.
pub fn coverage_from_regions(
    sets: &[RegionsRef<'_>],
    labels: &[String],
    chrom_sizes: &[(String, u64)],
    smooth: u32,
) -> Result<Coverage> {
    check_sizes(chrom_sizes)?;
    let total: usize = sets.iter().map(RegionsRef::len).sum();
    if total == 0 {
        return Err(GenimlError::InvalidInput(
            "the BED collection is empty: no region to compute coverage from".into(),
        ));
    }
    let index: HashMap<&str, usize> = chrom_sizes
        .iter()
        .enumerate()
        .map(|(k, (n, _))| (n.as_str(), k))
        .collect();
    let mut starts: Vec<Vec<u32>> = vec![Vec::new(); chrom_sizes.len()];
    let mut ends: Vec<Vec<u32>> = vec![Vec::new(); chrom_sizes.len()];
    for (si, set) in sets.iter().enumerate() {
        let label = labels.get(si).map_or("regions", String::as_str);
        let mut map = Vec::with_capacity(set.names.len());
        let mut used = vec![false; set.names.len()];
        for &c in set.chroms {
            used[c as usize] = true;
        }
        for (id, n) in set.names.iter().enumerate() {
            match index.get(n.as_str()) {
                Some(&k) => map.push(k),
                None if !used[id] => map.push(usize::MAX),
                None => {
                    return Err(GenimlError::UnknownChrom(format!(
                        "{label}: chromosome '{}' is not in the chrom sizes",
                        bio::shown(n.as_bytes())
                    )));
                }
            }
        }
        for i in 0..set.len() {
            let k = map[set.chroms[i] as usize];
            let (s, e) = (set.starts[i], set.ends[i]);
            let len = chrom_sizes[k].1;
            if u64::from(e) > len {
                return Err(GenimlError::InvalidInput(format!(
                    "{label}: region {} ({}:{s}-{e}) lies beyond the end of {} (length {len})",
                    i + 1,
                    chrom_sizes[k].0,
                    chrom_sizes[k].0
                )));
            }
            starts[k].push(s);
            ends[k].push(e);
        }
    }
    let mut order: Vec<usize> = (0..chrom_sizes.len()).collect();
    order.sort_by(|&a, &b| natural_cmp(&chrom_sizes[a].0, &chrom_sizes[b].0));
    let mut jobs: Vec<(usize, Vec<u32>, Vec<u32>)> = order
        .into_iter()
        .map(|k| {
            (
                k,
                std::mem::take(&mut starts[k]),
                std::mem::take(&mut ends[k]),
            )
        })
        .collect();
    // Largest chromosomes first keeps the pool busy.
    let chroms = jobs
        .par_iter_mut()
        .map(|(k, s, e)| {
            let (name, len) = &chrom_sizes[*k];
            chrom_tracks(name, *len as u32, s, e, smooth)
        })
        .collect();
    Ok(Coverage {
        chroms,
        n_files: sets.len(),
    })
}

/// LSD radix sort of `u32` keys (three 11-bit passes); small slices use the std sort.
/// Public for the `coverage_timing` example's breakdown.
pub fn radix_sort(v: &mut [u32]) {
    const BITS: u32 = 11;
    const BUCKETS: usize = 1 << BITS;
    if v.len() < 4096 {
        v.sort_unstable();
        return;
    }
    let max = v.iter().copied().max().unwrap_or(0);
    let mut buf = vec![0u32; v.len()];
    let mut shift = 0;
    let mut in_buf = false;
    while shift < 32 && (shift == 0 || (max >> shift) > 0) {
        let (src, dst): (&[u32], &mut [u32]) = if in_buf {
            (&buf[..], &mut v[..])
        } else {
            (&v[..], &mut buf[..])
        };
        let mut count = vec![0usize; BUCKETS + 1];
        for &x in src {
            count[((x >> shift) as usize & (BUCKETS - 1)) + 1] += 1;
        }
        for i in 0..BUCKETS {
            count[i + 1] += count[i];
        }
        for &x in src {
            let b = (x >> shift) as usize & (BUCKETS - 1);
            dst[count[b]] = x;
            count[b] += 1;
        }
        in_buf = !in_buf;
        shift += BITS;
    }
    if in_buf {
        v.copy_from_slice(&buf);
    }
}

/// Tracks of one chromosome from its (unsorted) region starts and ends.
fn chrom_tracks(
    name: &str,
    size: u32,
    starts: &mut [u32],
    ends: &mut [u32],
    smooth: u32,
) -> ChromCoverage {
    rayon::join(|| radix_sort(starts), || radix_sort(ends));
    let core = Track::from_events(starts, ends);
    let window = |pos: &[u32]| {
        let ups: Vec<u32> = pos.iter().map(|&p| p.saturating_sub(smooth)).collect();
        let downs: Vec<u32> = pos
            .iter()
            .map(|&p| (u64::from(p) + u64::from(smooth) + 1).min(u64::from(size)) as u32)
            .collect();
        Track::from_events(&ups, &downs)
    };
    let (start, end) = rayon::join(|| window(starts), || window(ends));
    ChromCoverage {
        name: name.to_owned(),
        size,
        start,
        core,
        end,
    }
}

/// Coverage tracks of BED files, read in parallel and validated against `chrom_sizes`
/// (unknown chromosomes and regions past a chromosome end are errors naming file and line).
pub fn coverage_from_files(
    paths: &[PathBuf],
    chrom_sizes: &[(String, u64)],
    smooth: u32,
) -> Result<Coverage> {
    check_sizes(chrom_sizes)?;
    if paths.is_empty() {
        return Err(GenimlError::InvalidInput(
            "the BED collection is empty: no file given".into(),
        ));
    }
    let opts = ReadOptions {
        chrom_sizes: Some(chrom_sizes.iter().cloned().collect()),
        allow_empty: true,
        ..ReadOptions::default()
    };
    let sets = bio::read_many(paths, &opts)
        .into_iter()
        .map(|r| r.map(|(rs, _)| rs))
        .collect::<Result<Vec<_>>>()?;
    let views: Vec<RegionsRef<'_>> = sets.iter().map(crate::RegionSet::view).collect();
    let labels: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    coverage_from_regions(&views, &labels, chrom_sizes, smooth)
}

/// Output format of [`write_tracks`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrackFormat {
    /// `{prefix}_{track}.bw`
    BigWig,
    /// `{prefix}_{track}.bedGraph`
    BedGraph,
}

impl TrackFormat {
    /// File extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::BigWig => "bw",
            Self::BedGraph => "bedGraph",
        }
    }
}

/// Chromosome lengths written next to bedGraph tracks.
pub fn sizes_path(dir: &Path, prefix: &str) -> PathBuf {
    dir.join(format!("{prefix}_chrom.sizes"))
}

/// Read a bedGraph track (`chrom start end value`; sorted or not) into RLE tracks, with the
/// chromosome lengths of `sizes`. Values are truncated to integers as for bigWig.
pub fn read_bedgraph(path: &Path, sizes: &[(String, u64)]) -> Result<Vec<(String, u32, Track)>> {
    let data = bio::read_bytes(path)?;
    let index: HashMap<&str, usize> = sizes
        .iter()
        .enumerate()
        .map(|(k, (n, _))| (n.as_str(), k))
        .collect();
    let mut rows: Vec<Vec<(u32, u32, u32)>> = vec![Vec::new(); sizes.len()];
    for (ln, raw) in data.split(|&b| b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() || bio::is_header(line) {
            continue;
        }
        let err = |msg: String| GenimlError::BedParse {
            path: path.to_path_buf(),
            line: ln as u64 + 1,
            msg,
        };
        let text = String::from_utf8_lossy(line);
        let f: Vec<&str> = text.split('\t').collect();
        if f.len() < 4 {
            return Err(err(format!(
                "expected 4 columns (chrom start end value), got {}",
                f.len()
            )));
        }
        let k = *index.get(f[0]).ok_or_else(|| {
            err(format!(
                "chromosome '{}' is not in the chrom sizes",
                bio::shown(f[0].as_bytes())
            ))
        })?;
        let start: u32 = f[1]
            .parse()
            .map_err(|_| err(format!("bad start '{}'", bio::shown(f[1].as_bytes()))))?;
        let end: u32 = f[2]
            .parse()
            .map_err(|_| err(format!("bad end '{}'", bio::shown(f[2].as_bytes()))))?;
        let v: f64 = f[3]
            .trim()
            .parse()
            .map_err(|_| err(format!("bad value '{}'", bio::shown(f[3].as_bytes()))))?;
        if !v.is_finite() || v < 0.0 || start > end {
            return Err(err(format!(
                "invalid interval or value: {start}-{end} = {v}"
            )));
        }
        rows[k].push((start, end, v as u32));
    }
    sizes
        .iter()
        .zip(rows)
        .map(|((name, len), mut r)| {
            r.sort_unstable();
            let mut t = Track::default();
            let mut last_end = 0u32;
            for (s, e, v) in r {
                if s < last_end {
                    return Err(GenimlError::BedParse {
                        path: path.to_path_buf(),
                        line: 0,
                        msg: format!(
                            "{name}: overlapping intervals at {s} (a bedGraph track \
                                      needs disjoint intervals)"
                        ),
                    });
                }
                last_end = e;
                t.push(s, e.min(*len as u32), v);
            }
            Ok((name.clone(), *len as u32, t))
        })
        .collect()
}

/// The path of one track file.
pub fn track_path(dir: &Path, prefix: &str, kind: TrackKind, format: TrackFormat) -> PathBuf {
    dir.join(format!("{prefix}_{}.{}", kind.name(), format.extension()))
}

/// A track-file prefix must name files inside the folder: no path separators, not `.`/`..`.
pub fn check_prefix(prefix: &str) -> Result<()> {
    if prefix.is_empty() || prefix == "." || prefix == ".." || prefix.contains(['/', '\\', '\0']) {
        return Err(GenimlError::InvalidInput(format!(
            "coverage prefix {:?} must be a plain file-name prefix (no '/', '\\', '.' or '..'), \
             so that the tracks stay inside the coverage folder",
            prefix.chars().take(100).collect::<String>()
        )));
    }
    Ok(())
}

/// The manifest of a coverage folder written by [`write_tracks`].
pub fn manifest_path(dir: &Path, prefix: &str) -> PathBuf {
    dir.join(format!("{prefix}_tracks.manifest"))
}

/// Write the three tracks into `dir` (created when missing) as `{prefix}_{start,core,end}`
/// files, as one set: existing files are refused unless `force` (nothing is written then), all
/// tracks are written to a staging folder first, and the set is committed under the manifest
/// `{prefix}_tracks.manifest` that [`read_tracks`] checks (see [`crate::atomic::write_file_set`]).
pub fn write_tracks(
    cov: &Coverage,
    dir: &Path,
    prefix: &str,
    format: TrackFormat,
    force: bool,
) -> Result<Vec<PathBuf>> {
    check_prefix(prefix)?;
    let mut paths: Vec<PathBuf> = TRACKS
        .iter()
        .map(|&k| track_path(dir, prefix, k, format))
        .collect();
    if format == TrackFormat::BigWig
        && let Some(&kind) = TRACKS
            .iter()
            .find(|&&k| cov.chroms.iter().all(|c| c.track(k).is_empty()))
    {
        // Checked before anything is written, so no track of the set is replaced.
        return Err(GenimlError::InvalidInput(format!(
            "{}: the {} track is zero everywhere; a bigWig needs at least one value",
            track_path(dir, prefix, kind, format).display(),
            kind.name()
        )));
    }
    if format == TrackFormat::BedGraph {
        // bedGraph has no header: keep the chromosome lengths next to the tracks so that the
        // folder can be read back (default cut-offs depend on them).
        paths.push(sizes_path(dir, prefix));
    }
    let manifest = manifest_path(dir, prefix);
    atomic::write_file_set(dir, &paths, &manifest, force, |i, path| {
        let Some(&kind) = TRACKS.get(i) else {
            return bio::atomic_write(path, true, |w| {
                for c in &cov.chroms {
                    writeln!(w, "{}\t{}", c.name, c.size)?;
                }
                Ok(())
            });
        };
        match format {
            TrackFormat::BedGraph => write_bedgraph(cov, kind, path, true),
            TrackFormat::BigWig => write_bigwig(cov, kind, path, true),
        }
    })?;
    paths.truncate(TRACKS.len());
    Ok(paths)
}

/// Write one track as bedGraph (non-zero runs only, chromosomes in natural order).
pub fn write_bedgraph(cov: &Coverage, kind: TrackKind, path: &Path, force: bool) -> Result<()> {
    bio::atomic_write(path, force, |w| {
        let mut line = String::with_capacity(64);
        for c in &cov.chroms {
            for (s, e, v) in c.track(kind).runs() {
                line.clear();
                let _ = writeln!(line, "{}\t{s}\t{e}\t{v}", c.name);
                w.write_all(line.as_bytes())?;
            }
        }
        Ok(())
    })
}

/// Write one track as bigWig with the `bigtools` crate (zoom levels included), atomically.
pub fn write_bigwig(cov: &Coverage, kind: TrackKind, path: &Path, force: bool) -> Result<()> {
    use bigtools::beddata::BedParserStreamingIterator;
    use bigtools::{BigWigWrite, Value};

    atomic::refuse_existing(path, force)?;
    // bigWig wants chromosomes in byte order.
    let mut chroms: Vec<&ChromCoverage> = cov.chroms.iter().collect();
    chroms.sort_by(|a, b| a.name.cmp(&b.name));
    if chroms.iter().all(|c| c.track(kind).is_empty()) {
        return Err(GenimlError::InvalidInput(format!(
            "{}: the {} track is zero everywhere; a bigWig needs at least one value",
            path.display(),
            kind.name()
        )));
    }
    let sizes: HashMap<String, u32> = cov
        .chroms
        .iter()
        .map(|c| (c.name.clone(), c.size))
        .collect();
    let values = chroms.into_iter().flat_map(move |c| {
        c.track(kind).runs().map(move |(start, end, v)| {
            (
                c.name.as_str(),
                Value {
                    start,
                    end,
                    value: v as f32,
                },
            )
        })
    });
    atomic::write_file(path, force, |tmp| {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(rayon::current_num_threads().max(1))
            .build()?;
        let mut out = BigWigWrite::create_file(tmp, sizes).map_err(std::io::Error::other)?;
        // bigtools' default first zoom level (160 bp) costs ~100 s per hg19 track; start at
        // 10 kb (UCSC browsers and pyBigWig fall back to full data below a zoom's size).
        out.options.manual_zoom_sizes = Some(ZOOM_SIZES.to_vec());
        let data = BedParserStreamingIterator::wrap_infallible_iter(values, false);
        out.write(data, runtime).map_err(std::io::Error::other)
    })
}

/// Read one bigWig track into run-length encoded tracks, keyed by chromosome, with sizes.
/// Values are truncated to integers (as upstream geniml casts to integers); NaN or negative
/// values are errors.
pub fn read_bigwig(path: &Path) -> Result<Vec<(String, u32, Track)>> {
    use bigtools::BigWigRead;
    let err = |msg: String| GenimlError::io(path, std::io::Error::other(msg));
    if !path.exists() {
        return Err(GenimlError::io(
            path,
            std::io::Error::new(std::io::ErrorKind::NotFound, "coverage track not found"),
        ));
    }
    let mut bw = BigWigRead::open_file(path).map_err(|e| err(format!("not a bigWig: {e}")))?;
    let infos: Vec<(String, u32)> = bw
        .chroms()
        .iter()
        .map(|c| (c.name.clone(), c.length))
        .collect();
    let mut out = Vec::with_capacity(infos.len());
    for (name, len) in infos {
        let mut t = Track::default();
        let iter = bw
            .get_interval(&name, 0, len)
            .map_err(|e| err(format!("{name}: {e}")))?;
        for v in iter {
            let v = v.map_err(|e| err(format!("{name}: {e}")))?;
            if !v.value.is_finite() || v.value < 0.0 {
                return Err(err(format!(
                    "{name}:{}-{}: value {} is not a non-negative count",
                    v.start, v.end, v.value
                )));
            }
            t.push(v.start, v.end.min(len), v.value as u32);
        }
        out.push((name, len, t));
    }
    Ok(out)
}

/// Read the three tracks `{prefix}_{start,core,end}.bw` of a coverage folder. Every track must
/// exist; chromosomes absent from a track are zero there. Chromosomes come in natural order.
pub fn read_coverage_folder(dir: &Path, prefix: &str) -> Result<Coverage> {
    read_tracks(dir, prefix, &TRACKS)
}

/// Read only some tracks of a coverage folder (the others stay empty).
pub fn read_tracks(dir: &Path, prefix: &str, kinds: &[TrackKind]) -> Result<Coverage> {
    check_prefix(prefix)?;
    if !dir.is_dir() {
        return Err(GenimlError::io(
            dir,
            std::io::Error::new(
                std::io::ErrorKind::NotFound,
                "coverage folder not found (make one with `geniml coverage`)",
            ),
        ));
    }
    let paths: Vec<(TrackKind, PathBuf)> = kinds
        .iter()
        .map(|&k| {
            let bw = track_path(dir, prefix, k, TrackFormat::BigWig);
            let bg = track_path(dir, prefix, k, TrackFormat::BedGraph);
            (k, if !bw.exists() && bg.exists() { bg } else { bw })
        })
        .collect();
    if let Some((k, p)) = paths.iter().find(|(_, p)| !p.exists()) {
        return Err(GenimlError::Universe(format!(
            "{}: the coverage folder lacks the {} track {} (expected {prefix}_start.bw, \
             {prefix}_core.bw and {prefix}_end.bw, or .bedGraph; check --coverage-prefix)",
            dir.display(),
            k.name(),
            p.display()
        )));
    }
    // A folder written by `write_tracks` carries a manifest: refuse a set mixed from two runs.
    atomic::check_file_set(&manifest_path(dir, prefix))
        .map_err(|e| GenimlError::Universe(format!("coverage folder {}: {e}", dir.display())))?;
    let needs_sizes = paths
        .iter()
        .any(|(_, p)| p.extension().is_some_and(|e| e == "bedGraph"));
    let sizes = if needs_sizes {
        let sp = sizes_path(dir, prefix);
        if !sp.exists() {
            return Err(GenimlError::Universe(format!(
                "{}: bedGraph tracks need the chromosome lengths in {} (written by `geniml \
                 coverage --format bedgraph`)",
                dir.display(),
                sp.display()
            )));
        }
        bio::read_chrom_sizes(&sp)?
    } else {
        Vec::new()
    };
    let tracks: Vec<Result<Vec<(String, u32, Track)>>> = paths
        .par_iter()
        .map(|(_, p)| {
            if p.extension().is_some_and(|e| e == "bedGraph") {
                read_bedgraph(p, &sizes)
            } else {
                read_bigwig(p)
            }
        })
        .collect();
    let mut by_name: HashMap<String, ChromCoverage> = HashMap::new();
    for ((kind, _), t) in paths.iter().zip(tracks) {
        for (name, size, track) in t? {
            let e = by_name
                .entry(name.clone())
                .or_insert_with(|| ChromCoverage {
                    name,
                    size,
                    ..ChromCoverage::default()
                });
            e.size = e.size.max(size);
            match kind {
                TrackKind::Start => e.start = track,
                TrackKind::Core => e.core = track,
                TrackKind::End => e.end = track,
            }
        }
    }
    let mut chroms: Vec<ChromCoverage> = by_name.into_values().collect();
    chroms.sort_by(|a, b| natural_cmp(&a.name, &b.name));
    Ok(Coverage { chroms, n_files: 0 })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(size: u32, regions: &[(u32, u32)], m: u32) -> [Vec<u32>; 3] {
        let mut core = vec![0u32; size as usize];
        let mut st = vec![0u32; size as usize];
        let mut en = vec![0u32; size as usize];
        for &(s, e) in regions {
            for x in s..e {
                core[x as usize] += 1;
            }
            for (p, arr) in [(s, &mut st), (e, &mut en)] {
                let lo = p.saturating_sub(m);
                let hi = (p + m + 1).min(size);
                for x in lo..hi {
                    arr[x as usize] += 1;
                }
            }
        }
        [st, core, en]
    }

    fn dense(t: &Track, size: u32) -> Vec<u32> {
        (0..size).map(|x| t.value_at(x)).collect()
    }

    #[test]
    fn matches_naive() {
        let regions = [(5u32, 9u32), (0, 3), (7, 20), (7, 7), (18, 30), (29, 30)];
        let names = vec!["c".to_string()];
        let c = vec![0u32; regions.len()];
        let s: Vec<u32> = regions.iter().map(|r| r.0).collect();
        let e: Vec<u32> = regions.iter().map(|r| r.1).collect();
        let view = RegionsRef::new(&names, &c, &s, &e).unwrap();
        for m in [0u32, 1, 3, 40] {
            let cov = coverage_from_regions(&[view], &[], &[("c".into(), 30)], m).unwrap();
            let want = naive(30, &regions, m);
            let got = &cov.chroms[0];
            assert_eq!(dense(&got.start, 30), want[0], "start m={m}");
            assert_eq!(dense(&got.core, 30), want[1], "core m={m}");
            assert_eq!(dense(&got.end, 30), want[2], "end m={m}");
            assert_eq!(got.core.total(), 4 + 3 + 13 + 12 + 1);
        }
    }

    #[test]
    fn rejects_bad_input() {
        let names = vec!["c".to_string(), "x".to_string()];
        let (c, s, e) = (vec![1u32], vec![0u32], vec![5u32]);
        let view = RegionsRef::new(&names, &c, &s, &e).unwrap();
        let err =
            coverage_from_regions(&[view], &["f.bed".into()], &[("c".into(), 30)], 0).unwrap_err();
        assert!(
            err.to_string().contains("'x' is not in the chrom sizes"),
            "{err}"
        );
        let err =
            coverage_from_regions(&[view], &["f.bed".into()], &[("x".into(), 3)], 0).unwrap_err();
        assert!(err.to_string().contains("beyond the end"), "{err}");
        let empty = RegionsRef::new(&names, &[], &[], &[]).unwrap();
        let err = coverage_from_regions(&[empty], &[], &[("c".into(), 3)], 0).unwrap_err();
        assert!(err.to_string().contains("empty"), "{err}");
    }

    #[test]
    fn radix_sort_sorts() {
        let mut x: Vec<u32> = (0..20_000u32)
            .map(|i| i.wrapping_mul(2_654_435_761) >> 3)
            .collect();
        let mut y = x.clone();
        radix_sort(&mut x);
        y.sort_unstable();
        assert_eq!(x, y);
        let mut z = vec![5u32; 5000];
        radix_sort(&mut z);
        assert!(z.iter().all(|&v| v == 5));
    }

    #[test]
    fn segments_cover_the_chromosome() {
        let t = Track::from_events(&[2, 4], &[6, 6]);
        assert_eq!(
            t.segments(10),
            vec![(0, 2, 0), (2, 4, 1), (4, 6, 2), (6, 10, 0)]
        );
    }
}
