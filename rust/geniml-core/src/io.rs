//! Reading and writing BED-like files: BED3+, BED6/9, narrowPeak/broadPeak and fragment files,
//! plain, gzip or bgzip (detected by magic bytes), with per-line validation.

use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use rayon::prelude::*;

use crate::chrom::ChromTable;
use crate::error::{GenimlError, Result};
use crate::regions::{Extra, RegionSet, RegionsRef};

/// What to do with a malformed line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Stop at the first bad line with an error.
    #[default]
    Raise,
    /// Drop bad lines and report them.
    Skip,
}

/// Options of [`read_bed`].
#[derive(Debug, Clone, Default)]
pub struct ReadOptions {
    /// Policy for malformed lines.
    pub on_error: OnError,
    /// When given, every chromosome must be listed and every end must lie within its length.
    pub chrom_sizes: Option<HashMap<String, u64>>,
    /// Keep the columns after the third as raw text.
    pub keep_extra: bool,
    /// Accept a file without any region (otherwise an error).
    pub allow_empty: bool,
}

/// One dropped line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineIssue {
    /// 1-based line number.
    pub line: u64,
    /// Why the line was rejected.
    pub msg: String,
}

/// What a read saw besides the regions.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReadReport {
    /// Lines in the file (including headers and blank lines).
    pub n_lines: u64,
    /// Malformed lines dropped under [`OnError::Skip`].
    pub n_skipped: u64,
    /// The first [`MAX_ISSUES`] dropped lines.
    pub issues: Vec<LineIssue>,
}

/// How many dropped lines a report lists one by one.
pub const MAX_ISSUES: usize = 20;
const PARALLEL_MIN_BYTES: usize = 1 << 22;
const MAX_SHOWN: usize = 60;

/// Read the whole file, decompressing gzip/bgzip when the magic bytes say so.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let mut file = File::open(path).map_err(|e| GenimlError::io(path, e))?;
    let size = file.metadata().map_or(0, |m| m.len() as usize);
    let mut data = Vec::with_capacity(size + 1);

    file.read_to_end(&mut data)
        .map_err(|e| GenimlError::io(path, e))?;
    if data.len() >= 2 && data[0] == 0x1f && data[1] == 0x8b {
        let mut out = Vec::with_capacity(data.len() * 4);
        if let Err(e) = MultiGzDecoder::new(&data[..]).read_to_end(&mut out) {
            let line = memchr::memchr_iter(b'\n', &out).count() as u64 + 1;
            return Err(GenimlError::BedParse {
                path: path.to_path_buf(),
                line,
                msg: format!("gzip data is truncated or corrupt ({e})"),
            });
        }
        return Ok(out);
    }
    Ok(data)
}

/// The bytes of a file: memory-mapped when plain, decompressed when gzip/bgzip.
pub enum FileBytes {
    /// A read-only mapping of a plain file.
    Mapped(memmap2::Mmap),
    /// Bytes in memory (decompressed, or a file that could not be mapped).
    Owned(Vec<u8>),
}

impl std::ops::Deref for FileBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Self::Mapped(m) => m,
            Self::Owned(v) => v,
        }
    }
}

/// Map a plain file (no copy), or decompress a gzip/bgzip one.
pub fn file_bytes(path: &Path) -> Result<FileBytes> {
    let file = File::open(path).map_err(|e| GenimlError::io(path, e))?;
    let len = file.metadata().map_err(|e| GenimlError::io(path, e))?.len();
    if len < (1 << 20) || !file.metadata().is_ok_and(|m| m.is_file()) {
        return read_bytes(path).map(FileBytes::Owned);
    }
    // SAFETY: the mapping is read-only and private to this call; as with every reader of
    // mapped files (polars, ripgrep), a file truncated by another process while we parse it
    // can fault, which is the documented trade-off for not copying large inputs.
    #[allow(unsafe_code)]
    let map = unsafe { memmap2::Mmap::map(&file) };
    match map {
        Ok(m) if m.len() >= 2 && m[0] == 0x1f && m[1] == 0x8b => {
            read_bytes(path).map(FileBytes::Owned)
        }
        Ok(m) => Ok(FileBytes::Mapped(m)),
        Err(_) => read_bytes(path).map(FileBytes::Owned),
    }
}

/// Read a BED-like file into a columnar region set.
pub fn read_bed(path: &Path, opts: &ReadOptions) -> Result<(RegionSet, ReadReport)> {
    let data = file_bytes(path)?;
    parse_bed(&data, path, opts)
}

/// Read many files in parallel; results keep the order of `paths`.
pub fn read_many(paths: &[PathBuf], opts: &ReadOptions) -> Vec<Result<(RegionSet, ReadReport)>> {
    paths.par_iter().map(|p| read_bed(p, opts)).collect()
}

struct Chunk {
    table: ChromTable,
    chroms: Vec<u32>,
    starts: Vec<u32>,
    ends: Vec<u32>,
    extra: Option<Extra>,
    n_lines: u64,
    n_skipped: u64,
    issues: Vec<LineIssue>,
    fatal: Option<LineIssue>,
    header_lines: u64,
}

/// Parse BED text already in memory. `path` only names the source in messages.
pub fn parse_bed(data: &[u8], path: &Path, opts: &ReadOptions) -> Result<(RegionSet, ReadReport)> {
    let pieces = split_chunks(data, rayon::current_num_threads() * 4);
    let chunks: Vec<Chunk> = if pieces.len() > 1 {
        pieces.par_iter().map(|c| parse_chunk(c, opts)).collect()
    } else {
        pieces.iter().map(|c| parse_chunk(c, opts)).collect()
    };
    let mut table = ChromTable::new();
    let total: usize = chunks.iter().map(|c| c.starts.len()).sum();
    let mut out = RegionSet::default();
    let any_extra = chunks.iter().any(|c| c.extra.is_some());
    let mut report = ReadReport::default();
    let mut header_lines = 0;
    // the first error wins; chromosome ids of each chunk map to the global table in order
    let mut line_base = 0;
    let mut maps = Vec::with_capacity(chunks.len());
    for c in &chunks {
        if let Some(f) = &c.fatal {
            return Err(GenimlError::BedParse {
                path: path.to_path_buf(),
                line: line_base + f.line,
                msg: f.msg.clone(),
            });
        }
        line_base += c.n_lines;
        maps.push(
            c.table
                .names()
                .iter()
                .map(|n| table.intern(n))
                .collect::<Vec<u32>>(),
        );
    }
    // copy the columns into place, chunks in parallel
    out.chroms = vec![0; total];
    out.starts = vec![0; total];
    out.ends = vec![0; total];
    {
        let mut dst: Vec<(&mut [u32], &mut [u32], &mut [u32])> = Vec::with_capacity(chunks.len());
        let (mut rc, mut rs, mut re) =
            (&mut out.chroms[..], &mut out.starts[..], &mut out.ends[..]);
        for c in &chunks {
            let n = c.starts.len();
            let (a, b) = std::mem::take(&mut rc).split_at_mut(n);
            let (d, e) = std::mem::take(&mut rs).split_at_mut(n);
            let (f, g) = std::mem::take(&mut re).split_at_mut(n);
            dst.push((a, d, f));
            (rc, rs, re) = (b, e, g);
        }
        dst.into_par_iter()
            .zip(chunks.par_iter().zip(maps.par_iter()))
            .for_each(|((dc, ds, de), (c, map))| {
                for (o, &id) in dc.iter_mut().zip(&c.chroms) {
                    *o = map[id as usize];
                }
                ds.copy_from_slice(&c.starts);
                de.copy_from_slice(&c.ends);
            });
    }
    for c in chunks {
        if any_extra {
            let dst = out.extra.get_or_insert_with(|| Extra {
                buf: Vec::new(),
                offsets: vec![0],
            });
            let base = dst.buf.len() as u64;
            match c.extra {
                Some(src) => {
                    dst.buf.extend_from_slice(&src.buf);
                    dst.offsets
                        .extend(src.offsets[1..].iter().map(|o| o + base));
                }
                None => dst
                    .offsets
                    .extend(std::iter::repeat_n(base, c.starts.len())),
            }
        }
        for mut issue in c.issues {
            if report.issues.len() < MAX_ISSUES {
                issue.line += report.n_lines;
                report.issues.push(issue);
            }
        }
        report.n_skipped += c.n_skipped;
        report.n_lines += c.n_lines;
        header_lines += c.header_lines;
    }
    out.names = table.into_names();
    if out.is_empty() && !opts.allow_empty {
        let (line, msg) = if report.n_lines == 0 {
            (
                0,
                "file is empty: expected BED lines `chrom<TAB>start<TAB>end`".to_string(),
            )
        } else if report.n_skipped > 0 {
            (
                report.n_lines,
                format!(
                    "no valid region: all {} data lines were malformed",
                    report.n_skipped
                ),
            )
        } else if header_lines > 0 {
            (
                report.n_lines,
                "file holds only header lines (track/browser/#), no region".to_string(),
            )
        } else {
            (
                report.n_lines,
                "file holds only blank lines, no region".to_string(),
            )
        };
        return Err(GenimlError::BedParse {
            path: path.to_path_buf(),
            line,
            msg,
        });
    }
    Ok((out, report))
}

/// Split `data` into about `n` pieces that end on line boundaries.
fn split_chunks(data: &[u8], n: usize) -> Vec<&[u8]> {
    if data.len() < PARALLEL_MIN_BYTES || n <= 1 {
        return vec![data];
    }
    let target = data.len() / n + 1;
    let mut out = Vec::with_capacity(n + 1);
    let mut begin = 0;
    while begin < data.len() {
        let mut end = (begin + target).min(data.len());
        if end < data.len() {
            end = match memchr::memchr(b'\n', &data[end..]) {
                Some(k) => end + k + 1,
                None => data.len(),
            };
        }
        out.push(&data[begin..end]);
        begin = end;
    }
    out
}

fn shown(text: &[u8]) -> String {
    let s = String::from_utf8_lossy(text);
    if s.chars().count() > MAX_SHOWN {
        let cut: String = s.chars().take(MAX_SHOWN).collect();
        format!("{cut}... ({} bytes)", text.len())
    } else {
        s.into_owned()
    }
}

fn parse_coord(field: &[u8], what: &str) -> std::result::Result<u32, String> {
    if field.is_empty() {
        return Err(format!("{what} is empty: expected a non-negative integer"));
    }
    if field[0] == b'-' && field.len() > 1 && field[1..].iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "{what} is negative ('{}'): BED coordinates are 0-based and non-negative",
            shown(field)
        ));
    }
    let mut v: u64 = 0;
    for &b in field {
        if !b.is_ascii_digit() {
            return Err(format!(
                "{what} is not an integer: '{}'{}",
                shown(field),
                if b == b' ' {
                    " (columns must be separated by tabs, not spaces)"
                } else {
                    ""
                }
            ));
        }
        v = v * 10 + u64::from(b - b'0');
        if v > u64::from(u32::MAX) {
            return Err(format!(
                "{what} {} exceeds the largest supported coordinate ({})",
                shown(field),
                u32::MAX
            ));
        }
    }
    Ok(v as u32)
}

/// Parse one data line (no newline, no `\r`) into (chrom, start, end, extra).
fn parse_line<'a>(
    line: &'a [u8],
    opts: &ReadOptions,
) -> std::result::Result<(&'a [u8], u32, u32, &'a [u8]), String> {
    let mut it = memchr::memchr_iter(b'\t', line);
    let (t1, t2) = match (it.next(), it.next()) {
        (Some(a), Some(b)) => (a, b),
        (first, _) => {
            if memchr::memchr(0, line).is_some() {
                return Err(BINARY.into());
            }
            let got = usize::from(first.is_some()) + 1;
            let hint = if line.contains(&b' ') {
                " (columns must be separated by tabs; this line uses spaces)"
            } else {
                ""
            };
            return Err(format!(
                "expected at least 3 tab-separated columns (chrom, start, end), got {got}{hint}: '{}'",
                shown(line)
            ));
        }
    };
    let t3 = it.next();
    let chrom = &line[..t1];
    let start_f = &line[t1 + 1..t2];
    let end_f = &line[t2 + 1..t3.unwrap_or(line.len())];
    let extra = t3.map_or(&b""[..], |t| &line[t + 1..]);
    if chrom.is_empty() {
        return Err(format!("chromosome name is empty: '{}'", shown(line)));
    }
    if chrom.contains(&0) {
        return Err(BINARY.into());
    }
    if chrom.contains(&b' ') {
        return Err(format!(
            "chromosome name '{}' contains a space (columns must be separated by tabs)",
            shown(chrom)
        ));
    }
    let start = parse_coord(start_f, "start").map_err(|m| binary_or(line, m))?;

    let end = parse_coord(end_f, "end").map_err(|m| binary_or(line, m))?;
    if start > end {
        return Err(format!(
            "start ({start}) is greater than end ({end}); zero-length regions (start == end) are allowed"
        ));
    }
    if let Some(sizes) = &opts.chrom_sizes {
        let name = String::from_utf8_lossy(chrom);

        match sizes.get(name.as_ref()) {
            None => return Err(format!("chromosome '{name}' is not in the chrom sizes")),
            Some(&len) if u64::from(end) > len => {
                return Err(format!(
                    "end ({end}) lies beyond the end of {name} (length {len})"
                ));
            }
            Some(_) => {}
        }
    }
    Ok((chrom, start, end, extra))
}

/// Positions of a well-formed data line found by [`fast_line`].
struct FastLine {
    chrom_end: usize,
    start: u32,
    end: u32,
    /// First byte of the extra columns (`line_end` when there are none).
    extra_start: usize,
    /// End of the line's content (before `\r\n` / `\n`).
    line_end: usize,
    /// Start of the next line.
    next: usize,
}

/// Parse an unsigned decimal field at `i` in one pass; returns (value, index after it).
#[inline]
fn fast_uint(data: &[u8], mut i: usize) -> Option<(u32, usize)> {
    let begin = i;
    let mut v: u64 = 0;
    while let Some(&b) = data.get(i) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        v = v * 10 + u64::from(d);
        i += 1;
        if i - begin > 10 {
            return None;
        }
    }
    if i == begin || v > u64::from(u32::MAX) {
        return None;
    }
    Some((v as u32, i))
}

/// The common case in one pass over the bytes: `chrom<TAB>start<TAB>end[<TAB>extra]` with a
/// non-empty chromosome free of spaces and NULs and `start <= end`. Anything else (headers,
/// blank lines, malformed lines) returns `None` and goes through the general path, which
/// words the errors.
#[inline]
fn fast_line(data: &[u8], pos: usize) -> Option<FastLine> {
    let mut i = pos;
    loop {
        match *data.get(i)? {
            b'\t' => break,
            b'\n' | b'\r' | b' ' | 0 => return None,
            _ => i += 1,
        }
    }
    let first = *data.get(pos)?;
    if i == pos || first == b'#' {
        return None;
    }
    let chrom_end = i;
    let (start, i) = fast_uint(data, chrom_end + 1)?;
    if *data.get(i)? != b'\t' {
        return None;
    }
    let (end, i) = fast_uint(data, i + 1)?;
    if start > end {
        return None;
    }
    let (extra_start, line_end) = match data.get(i) {
        None | Some(b'\n') => (i, i),
        Some(b'\r') if matches!(data.get(i + 1), None | Some(b'\n')) => (i, i),

        Some(b'\t') => {
            let e = memchr::memchr(b'\n', &data[i..]).map_or(data.len(), |k| i + k);
            let content_end = if e > i && data[e - 1] == b'\r' {
                e - 1
            } else {
                e
            };
            (i + 1, content_end)
        }
        Some(_) => return None,
    };
    let next = match memchr::memchr(b'\n', &data[line_end..]) {
        Some(k) => line_end + k + 1,
        None => data.len(),
    };
    Some(FastLine {
        chrom_end,
        start,
        end,
        extra_start,
        line_end,
        next,
    })
}

const BINARY: &str = "line holds binary data (a NUL byte): is this a BED text file?";

/// On a parse failure, say "binary data" when the line holds a NUL byte.
fn binary_or(line: &[u8], msg: String) -> String {
    if memchr::memchr(0, line).is_some() {
        BINARY.into()
    } else {
        msg
    }
}

fn is_header(line: &[u8]) -> bool {
    line.starts_with(b"#") || line.starts_with(b"track") || line.starts_with(b"browser")
}

/// Chromosome names of one chunk: a small open-addressing table keyed by an FNV hash of the
/// name bytes, in front of the interning table (files hold few distinct names).
struct ChunkNames {
    slots: Vec<Option<(u64, Vec<u8>, u32)>>,
}

impl ChunkNames {
    const SLOTS: usize = 256;

    fn new() -> Self {
        Self {
            slots: vec![None; Self::SLOTS],
        }
    }

    #[inline]
    fn hash(name: &[u8]) -> u64 {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for &b in name {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h
    }

    /// The id of `name`, or `None` when it is not valid UTF-8.
    #[inline]
    fn id(&mut self, table: &mut ChromTable, name: &[u8]) -> Option<u32> {
        let h = Self::hash(name);
        let mut slot = (h as usize) & (Self::SLOTS - 1);
        for _ in 0..Self::SLOTS {
            match &self.slots[slot] {
                Some((sh, sn, id)) if *sh == h && sn.as_slice() == name => return Some(*id),
                Some(_) => slot = (slot + 1) & (Self::SLOTS - 1),
                None => {
                    let id = table.intern(std::str::from_utf8(name).ok()?);
                    // keep a quarter of the slots free so that probes stay short
                    if table.len() < Self::SLOTS * 3 / 4 {
                        self.slots[slot] = Some((h, name.to_vec(), id));
                    }
                    return Some(id);
                }
            }
        }
        Some(table.intern(std::str::from_utf8(name).ok()?))
    }
}

fn parse_chunk(data: &[u8], opts: &ReadOptions) -> Chunk {
    let est = data.len() / 40 + 1;
    let mut c = Chunk {
        table: ChromTable::new(),
        chroms: Vec::with_capacity(est),
        starts: Vec::with_capacity(est),
        ends: Vec::with_capacity(est),
        extra: None,
        n_lines: 0,
        n_skipped: 0,
        issues: Vec::new(),
        fatal: None,
        header_lines: 0,
    };
    let mut names = ChunkNames::new();
    let mut last_chrom: &[u8] = b"";
    let mut last_id = u32::MAX;
    let mut pos = 0;
    let fast_ok = opts.chrom_sizes.is_none();
    while pos < data.len() {
        if fast_ok {
            let fast = fast_line(data, pos).and_then(|f| {
                let chrom = &data[pos..f.chrom_end];
                if chrom == last_chrom && last_id != u32::MAX {
                    Some((f, chrom, last_id))
                } else {
                    // None (not UTF-8): the general path below reports the line
                    names.id(&mut c.table, chrom).map(|id| (f, chrom, id))
                }
            });
            if let Some((f, chrom, id)) = fast {
                c.n_lines += 1;
                last_id = id;
                last_chrom = chrom;
                c.chroms.push(last_id);

                c.starts.push(f.start);
                c.ends.push(f.end);
                let extra = &data[f.extra_start.min(f.line_end)..f.line_end];
                if opts.keep_extra && (c.extra.is_some() || !extra.is_empty()) {
                    let x = c.extra.get_or_insert_with(|| Extra {
                        buf: Vec::new(),
                        offsets: vec![0; c.starts.len()],
                    });
                    x.buf.extend_from_slice(extra);
                    x.offsets.push(x.buf.len() as u64);
                }
                pos = f.next;
                continue;
            }
        }
        let nl = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |k| pos + k);
        let mut line = &data[pos..nl];
        pos = nl + 1;
        c.n_lines += 1;

        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if line.is_empty() || line.iter().all(|b| *b == b' ' || *b == b'\t') {
            continue;
        }
        if is_header(line) {
            c.header_lines += 1;
            continue;
        }
        match parse_line(line, opts) {
            Ok((chrom, s, e, extra)) => {
                if chrom != last_chrom || last_id == u32::MAX {
                    let Some(id) = names.id(&mut c.table, chrom) else {
                        let issue = LineIssue {
                            line: c.n_lines,
                            msg: format!("chromosome name is not valid UTF-8: '{}'", shown(chrom)),
                        };
                        if opts.on_error == OnError::Raise {
                            c.fatal = Some(issue);
                            return c;
                        }
                        c.n_skipped += 1;
                        if c.issues.len() < MAX_ISSUES {
                            c.issues.push(issue);
                        }
                        continue;
                    };
                    last_id = id;
                    last_chrom = chrom;
                }
                c.chroms.push(last_id);
                c.starts.push(s);
                c.ends.push(e);
                if opts.keep_extra && (c.extra.is_some() || !extra.is_empty()) {
                    // rows before the first one with extra columns get empty text
                    let x = c.extra.get_or_insert_with(|| Extra {
                        buf: Vec::new(),
                        offsets: vec![0; c.starts.len()],
                    });
                    x.buf.extend_from_slice(extra);
                    x.offsets.push(x.buf.len() as u64);
                }
            }
            Err(msg) => {
                let issue = LineIssue {
                    line: c.n_lines,
                    msg,
                };
                if opts.on_error == OnError::Raise {
                    c.fatal = Some(issue);
                    return c;
                }
                c.n_skipped += 1;
                if c.issues.len() < MAX_ISSUES {
                    c.issues.push(issue);
                }
            }
        }
    }
    c
}

/// Read a chrom sizes file (`name<TAB>length` per line; extra columns ignored).
pub fn read_chrom_sizes(path: &Path) -> Result<Vec<(String, u64)>> {
    let data = read_bytes(path)?;
    let mut out = Vec::new();
    let mut seen = HashMap::new();
    for (i, raw) in data.split(|&b| b == b'\n').enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.is_empty() || line.starts_with(b"#") {
            continue;
        }
        let err = |msg: String| GenimlError::BedParse {
            path: path.to_path_buf(),
            line: i as u64 + 1,
            msg,
        };
        let mut f = line
            .split(|&b| b == b'\t' || b == b' ')
            .filter(|x| !x.is_empty());
        let (Some(name), Some(len)) = (f.next(), f.next()) else {
            return Err(err(format!(
                "expected `name<TAB>length`, got '{}'",
                shown(line)
            )));
        };
        let name = String::from_utf8_lossy(name).into_owned();
        let len = std::str::from_utf8(len)
            .ok()
            .and_then(|s| s.parse::<u64>().ok())
            .ok_or_else(|| {
                err(format!(
                    "length is not a non-negative integer: '{}'",
                    shown(len)
                ))
            })?;
        if let Some(prev) = seen.insert(name.clone(), i + 1) {
            return Err(err(format!(
                "chromosome '{name}' is listed twice (first on line {prev})"
            )));
        }
        out.push((name, len));
    }
    if out.is_empty() {
        return Err(GenimlError::BedParse {
            path: path.to_path_buf(),
            line: 0,
            msg: "chrom sizes file holds no chromosome".into(),
        });
    }
    Ok(out)
}

/// Write `regions` (and their extra columns, when given) as BED, gzip-compressed when `gzip`.
/// The file is written to a temporary name and renamed, so a failure never leaves half a file;
/// an existing `path` is replaced only when `force`.
pub fn write_bed(
    regions: &RegionsRef<'_>,
    extra: Option<&Extra>,
    path: &Path,
    gzip: bool,
    force: bool,
) -> Result<()> {
    atomic_write(path, force, |w| {
        let mut buf = Vec::with_capacity(1 << 16);
        let mut w: Box<dyn Write> = if gzip {
            Box::new(flate2::write::GzEncoder::new(
                w,
                flate2::Compression::fast(),
            ))
        } else {
            Box::new(w)
        };
        for i in 0..regions.len() {
            buf.extend_from_slice(regions.names[regions.chroms[i] as usize].as_bytes());
            buf.push(b'\t');
            buf.extend_from_slice(regions.starts[i].to_string().as_bytes());
            buf.push(b'\t');
            buf.extend_from_slice(regions.ends[i].to_string().as_bytes());
            if let Some(x) = extra {
                let t = x.get(i);
                if !t.is_empty() {
                    buf.push(b'\t');
                    buf.extend_from_slice(t);
                }
            }
            buf.push(b'\n');
            if buf.len() > 1 << 16 {
                w.write_all(&buf)?;
                buf.clear();
            }
        }
        w.write_all(&buf)?;
        w.flush()
    })
}

pub use crate::atomic::atomic_write;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<(RegionSet, ReadReport)> {
        parse_bed(text.as_bytes(), Path::new("t.bed"), &ReadOptions::default())
    }

    fn err_line(text: &str) -> (u64, String) {
        match parse(text) {
            Err(GenimlError::BedParse { line, msg, .. }) => (line, msg),
            other => panic!("expected a parse error, got {other:?}"),
        }
    }

    #[test]
    fn reads_headers_crlf_and_extras() {
        let text = "track name=x\r\n#c\nchr1\t5\t10\tpeak\t3\t+\r\nchr2\t0\t0\n\n";
        let opts = ReadOptions {
            keep_extra: true,
            ..ReadOptions::default()
        };
        let (r, rep) = parse_bed(text.as_bytes(), Path::new("t"), &opts).unwrap();
        assert_eq!(r.names, vec!["chr1", "chr2"]);
        assert_eq!(r.starts, vec![5, 0]);
        assert_eq!(r.ends, vec![10, 0]);
        assert_eq!(rep.n_lines, 5);
        let x = r.extra.unwrap();
        assert_eq!(x.get(0), b"peak\t3\t+");
        assert_eq!(x.column(2), vec!["+".to_string(), String::new()]);
    }

    #[test]
    fn reports_line_and_reason() {
        assert_eq!(err_line("chr1\t1\t2\nchr1\t5\n").0, 2);
        let (l, m) = err_line("chr1\t1\t2\nchr1\t1\t2\nchr1\t9\t3\n");
        assert_eq!(l, 3);
        assert!(m.contains("greater than end"), "{m}");
        assert!(err_line("chr1\tx\t3\n").1.contains("not an integer"));
        assert!(err_line("chr1\t-1\t3\n").1.contains("negative"));
        assert!(err_line("").1.contains("empty"));
        assert!(err_line("track x\n").1.contains("header"));
        assert!(err_line("chr1 1 2\n").1.contains("spaces"));
    }

    #[test]
    fn skip_mode_counts() {
        let opts = ReadOptions {
            on_error: OnError::Skip,
            ..ReadOptions::default()
        };
        let (r, rep) = parse_bed(
            b"chr1\t1\t2\nbad\nchr1\t3\t1\nchr1\t4\t5\n",
            Path::new("t"),
            &opts,
        )
        .unwrap();
        assert_eq!(r.len(), 2);
        assert_eq!(rep.n_skipped, 2);
        assert_eq!(rep.issues[0].line, 2);
        assert_eq!(rep.issues[1].line, 3);
    }

    #[test]
    fn parallel_chunks_match_serial() {
        let mut text = String::new();
        for i in 0..300_000u32 {
            text.push_str(&format!("chr{}\t{}\t{}\n", i % 7 + 1, i, i + 10));
        }
        text.push_str("chr1\t5\t1\n");
        let e = parse(&text).unwrap_err();
        match e {
            GenimlError::BedParse { line, .. } => assert_eq!(line, 300_001),
            other => panic!("{other:?}"),
        }
        text.truncate(text.len() - "chr1\t5\t1\n".len());
        let (r, _) = parse(&text).unwrap();
        assert_eq!(r.len(), 300_000);
        assert_eq!(r.names[0], "chr1");
        assert_eq!(r.names[r.chroms[299_999] as usize], "chr1".to_string());
        assert_eq!(r.starts[123_456], 123_456);
        assert!(r.extra.is_none());
        // extra columns only in the last chunk: earlier rows get empty text
        text.push_str("chr1\t5\t6\tname\n");
        let opts = ReadOptions {
            keep_extra: true,
            ..ReadOptions::default()
        };
        let (r, _) = parse_bed(text.as_bytes(), Path::new("t"), &opts).unwrap();
        let x = r.extra.unwrap();
        assert_eq!(x.offsets.len(), 300_002);
        assert_eq!(x.get(300_000), b"name");
        assert_eq!(x.get(0), b"");
    }
}
