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
/// Bytes per block of a streamed read: large enough to split across threads, small enough that
/// memory stays bounded by the parsed data (at most three blocks are in flight).
pub const BLOCK: usize = 8 << 20;
/// Longest accepted line: a longer one is not BED text (and would otherwise be buffered whole).
pub const MAX_LINE: usize = 64 << 20;
const BOM: &[u8] = b"\xef\xbb\xbf";

/// Read the whole file, decompressing gzip/bgzip when the magic bytes say so.
/// A leading UTF-8 byte-order mark is removed.
pub fn read_bytes(path: &Path) -> Result<Vec<u8>> {
    let mut src = Blocks::open(path, BLOCK)?;
    let mut out = Vec::new();
    let mut lines = 0;
    loop {
        match src.next_block() {
            Ok(Some(b)) => {
                lines += memchr::memchr_iter(b'\n', &b).count() as u64;
                out.extend_from_slice(&b);
            }
            Ok(None) => return Ok(out),
            Err(f) => return Err(f.into_error(path, lines)),
        }
    }
}

/// The text of a file, plain or gzip/bgzip (detected by the magic bytes), in blocks of whole
/// lines. Plain files are read with `read(2)`, never mapped, so a file that shrinks while it is
/// read gives an error instead of a fault; gzip is streamed, so memory does not depend on the
/// compression ratio.
struct Blocks {
    reader: Box<dyn Read + Send>,
    gzip: bool,
    /// Size of a plain file when opened (`None` for gzip).
    plain_len: Option<u64>,
    block: usize,
    /// The partial last line of the previous block.
    pending: Vec<u8>,
    /// Decompressed bytes handed out before `pending`.
    emitted: u64,
    first: bool,
    done: bool,
    /// A block handed back by the consumer, refilled next (no fresh pages per block).
    spare: Option<Vec<u8>>,
    /// Text size the gzip trailer announces (ISIZE, mod 2^32) or the plain file's size.
    size_hint: u64,
}

/// Why a block source stopped early: the bytes read so far in the current block and the cause.
struct ReadFailure {
    partial: Vec<u8>,
    offset: u64,
    gzip: bool,
    kind: Failure,
}

enum Failure {
    Io(std::io::Error),
    Shrank { expected: u64 },
    LongLine,
}

impl ReadFailure {
    /// The error of a failed read, placed after `lines` complete lines.
    fn into_error(self, path: &Path, lines: u64) -> GenimlError {
        let line = lines + memchr::memchr_iter(b'\n', &self.partial).count() as u64 + 1;
        let at = self.offset + self.partial.len() as u64;
        let msg = match self.kind {
            Failure::Io(e) if self.gzip => format!(
                "gzip data is truncated or corrupt: decompression stopped at byte {at} of the \
                 text, inside line {line} ({e})"
            ),
            Failure::Io(e) => return GenimlError::io(path, e),
            Failure::Shrank { expected } => format!(
                "the file shrank while it was read ({expected} bytes when opened, {at} read): \
                 another process truncated or rewrote it"
            ),
            Failure::LongLine => format!(
                "line is longer than {} MiB: not a BED text file?",
                MAX_LINE >> 20
            ),
        };
        GenimlError::BedParse {
            path: path.to_path_buf(),
            line,
            msg,
        }
    }
}

impl Blocks {
    fn open(path: &Path, block: usize) -> Result<Self> {
        let file = File::open(path).map_err(|e| GenimlError::io(path, e))?;
        let meta = file.metadata().map_err(|e| GenimlError::io(path, e))?;
        let mut buf = std::io::BufReader::with_capacity(1 << 16, file);
        let head = std::io::BufRead::fill_buf(&mut buf).map_err(|e| GenimlError::io(path, e))?;
        let gzip = head.len() >= 2 && head[0] == 0x1f && head[1] == 0x8b;
        let size_hint = if gzip {
            gzip_isize(path).unwrap_or(0)
        } else {
            meta.len()
        };
        let reader: Box<dyn Read + Send> = if gzip {
            Box::new(MultiGzDecoder::new(buf))
        } else {
            Box::new(buf)
        };
        Ok(Self {
            reader,
            gzip,
            plain_len: (!gzip && meta.is_file()).then_some(meta.len()),
            block: block.max(1),
            pending: Vec::new(),
            emitted: 0,
            first: true,
            done: false,
            spare: None,
            size_hint,
        })
    }

    /// The next block of whole lines (the last one may lack its newline), `None` at the end.
    fn next_block(&mut self) -> std::result::Result<Option<Vec<u8>>, ReadFailure> {
        if self.done {
            return Ok(None);
        }
        let mut buf = self.spare.take().unwrap_or_default();
        buf.clear();
        buf.extend_from_slice(&self.pending);
        let mut target = buf.len() + self.block;
        let cut = loop {
            let mut want = target.saturating_sub(buf.len());
            if self.first {
                want = want.max(BOM.len());
            }
            buf.reserve(want);
            let before = buf.len();
            let got = match (&mut self.reader).take(want as u64).read_to_end(&mut buf) {
                Ok(n) => n,
                Err(e) => return Err(self.failure(buf, Failure::Io(e))),
            };
            if std::mem::take(&mut self.first) && buf.starts_with(BOM) {
                buf.drain(..BOM.len());
                self.emitted += BOM.len() as u64;
            }
            if got < want {
                self.done = true;
                let read = self.emitted + buf.len() as u64;
                if let Some(expected) = self.plain_len.filter(|&n| read < n) {
                    return Err(self.failure(buf, Failure::Shrank { expected }));
                }
                break buf.len();
            }
            let before = before.min(buf.len());
            match memchr::memrchr(b'\n', &buf[before..]) {
                Some(k) => break before + k + 1,
                None if buf.len() > MAX_LINE => {
                    return Err(self.failure(buf, Failure::LongLine));
                }
                None => target = buf.len() + self.block,
            }
        };
        self.pending.clear();
        self.pending.extend_from_slice(&buf[cut..]);
        buf.truncate(cut);
        self.emitted += cut as u64;
        if buf.is_empty() && self.done {
            return Ok(None);
        }
        Ok(Some(buf))
    }

    /// Hand back a consumed block for reuse.
    fn recycle(&mut self, block: Vec<u8>) {
        self.spare = Some(block);
    }

    fn failure(&mut self, partial: Vec<u8>, kind: Failure) -> ReadFailure {
        self.done = true;
        ReadFailure {
            partial,
            offset: self.emitted,
            gzip: self.gzip,
            kind,
        }
    }
}

/// The uncompressed size of the last gzip member (its ISIZE trailer): the whole text of a
/// single-member file, modulo 4 GiB. Only a hint for sizing buffers.
fn gzip_isize(path: &Path) -> Option<u64> {
    use std::io::{Seek, SeekFrom};
    let mut f = File::open(path).ok()?;
    f.seek(SeekFrom::End(-4)).ok()?;
    let mut b = [0u8; 4];
    f.read_exact(&mut b).ok()?;
    Some(u64::from(u32::from_le_bytes(b)))
}

/// Read a BED-like file into a columnar region set, streaming it in blocks of [`BLOCK`] bytes.
pub fn read_bed(path: &Path, opts: &ReadOptions) -> Result<(RegionSet, ReadReport)> {
    read_bed_blocks(path, opts, BLOCK)
}

/// [`read_bed`] with another block size (the fuzz harness checks that it never matters).
#[doc(hidden)]
pub fn read_bed_blocks(
    path: &Path,
    opts: &ReadOptions,
    block: usize,
) -> Result<(RegionSet, ReadReport)> {
    let mut src = Blocks::open(path, block)?;
    let mut b = Builder::new(path, opts);
    // at most 4 GiB of reserved address space from a hint (pages are touched on use)
    b.size_hint = src.size_hint.min(1 << 32) as usize;
    // small inputs in this thread; larger ones read (and decompress) in a second thread while
    // this one parses the previous block
    let small = src.plain_len.is_some_and(|n| n <= block as u64);
    if small {
        loop {
            match src.next_block() {
                Ok(Some(data)) => {
                    b.feed(&data)?;
                    src.recycle(data);
                }
                Ok(None) => break,
                Err(f) => return Err(f.into_error(path, b.report.n_lines)),
            }
        }
    } else {
        std::thread::scope(|s| -> Result<()> {
            let (tx, rx) = std::sync::mpsc::sync_channel(1);
            let (back_tx, back_rx) = std::sync::mpsc::channel::<Vec<u8>>();
            s.spawn(move || {
                loop {
                    if let Ok(v) = back_rx.try_recv() {
                        src.recycle(v);
                    }
                    let r = src.next_block();
                    let more = matches!(r, Ok(Some(_)));
                    if tx.send(r).is_err() || !more {
                        break;
                    }
                }
            });
            for r in rx {
                match r {
                    Ok(Some(data)) => {
                        b.feed(&data)?;
                        // the reader may have finished: then the block is simply dropped
                        let _ = back_tx.send(data);
                    }
                    Ok(None) => break,
                    Err(f) => return Err(f.into_error(path, b.report.n_lines)),
                }
            }
            Ok(())
        })?;
    }
    b.finish()
}

/// Read many files in parallel; results keep the order of `paths`.
pub fn read_many(paths: &[PathBuf], opts: &ReadOptions) -> Vec<Result<(RegionSet, ReadReport)>> {
    paths.par_iter().map(|p| read_bed(p, opts)).collect()
}

/// The 1-based file line of each data row of `rows` (rows count the lines that are neither
/// blank nor headers, as [`read_bed`] does); a row past the end maps to `row + 1`.
pub fn data_line_numbers(path: &Path, rows: &[u64]) -> Result<Vec<u64>> {
    let mut src = Blocks::open(path, BLOCK)?;
    let mut wanted: Vec<(u64, usize)> = rows.iter().copied().zip(0..).collect();
    wanted.sort_unstable();
    let mut out: Vec<u64> = rows.iter().map(|r| r + 1).collect();
    let (mut line, mut row, mut next) = (0u64, 0u64, 0usize);
    loop {
        let data = match src.next_block() {
            Ok(Some(d)) => d,
            Ok(None) => return Ok(out),
            Err(f) => return Err(f.into_error(path, line)),
        };
        for raw in data.split_inclusive(|&b| b == b'\n') {
            line += 1;
            let text = raw.strip_suffix(b"\n").unwrap_or(raw);
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            if is_blank(text) || is_header(text) {
                continue;
            }
            while next < wanted.len() && wanted[next].0 == row {
                out[wanted[next].1] = line;
                next += 1;
            }
            row += 1;
            if next == wanted.len() {
                return Ok(out);
            }
        }
    }
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
    /// Buffers of `extra` kept between blocks (a read reuses its chunks: no page faults).
    extra_store: Extra,
}

impl Chunk {
    fn new() -> Self {
        Self {
            table: ChromTable::new(),
            chroms: Vec::new(),
            starts: Vec::new(),
            ends: Vec::new(),
            extra: None,
            n_lines: 0,
            n_skipped: 0,
            issues: Vec::new(),
            fatal: None,
            header_lines: 0,
            extra_store: Extra::default(),
        }
    }

    /// Empty again, keeping the allocations.
    fn recycled(mut self) -> Self {
        self.table = ChromTable::new();
        self.chroms.clear();
        self.starts.clear();
        self.ends.clear();
        if let Some(x) = self.extra.take() {
            self.extra_store = x;
        }
        self.n_lines = 0;
        self.n_skipped = 0;
        self.issues.clear();
        self.fatal = None;
        self.header_lines = 0;
        self
    }

    /// The extra text of the rows so far, created on the first row with extra columns
    /// (earlier rows get empty text; the current row is already pushed).
    fn extra_mut(&mut self, capacity: usize) -> &mut Extra {
        let rows = self.starts.len();
        let store = &mut self.extra_store;
        self.extra.get_or_insert_with(|| {
            let mut x = std::mem::take(store);
            x.buf.clear();
            x.buf.reserve(capacity);
            x.offsets.clear();
            x.offsets.resize(rows, 0);
            x
        })
    }
}

/// Parse BED text already in memory. `path` only names the source in messages.
pub fn parse_bed(data: &[u8], path: &Path, opts: &ReadOptions) -> Result<(RegionSet, ReadReport)> {
    let mut b = Builder::new(path, opts);
    b.size_hint = data.len();
    b.feed(data.strip_prefix(BOM).unwrap_or(data))?;
    b.finish()
}

/// Regions of a file fed block by block (each block holds whole lines).
struct Builder<'a> {
    path: &'a Path,
    opts: &'a ReadOptions,
    table: ChromTable,
    out: RegionSet,
    report: ReadReport,
    header_lines: u64,
    /// Bytes expected in total (0: unknown), to size the columns once.
    size_hint: usize,
    /// Chunks of the previous block, emptied, for the next one.
    spare: Vec<Chunk>,
}

impl<'a> Builder<'a> {
    fn new(path: &'a Path, opts: &'a ReadOptions) -> Self {
        Self {
            path,
            opts,
            table: ChromTable::new(),
            out: RegionSet::default(),
            report: ReadReport::default(),
            header_lines: 0,
            size_hint: 0,
            spare: Vec::new(),
        }
    }

    fn feed(&mut self, data: &[u8]) -> Result<()> {
        let opts = self.opts;
        let pieces = split_chunks(data, rayon::current_num_threads() * 4);
        let mut spare: Vec<Chunk> = Vec::with_capacity(pieces.len());
        while spare.len() < pieces.len() {
            spare.push(self.spare.pop().unwrap_or_else(Chunk::new));
        }
        let chunks: Vec<Chunk> = if pieces.len() > 1 {
            pieces
                .par_iter()
                .zip(spare)
                .map(|(p, c)| parse_chunk(p, opts, c))
                .collect()
        } else {
            pieces
                .iter()
                .zip(spare)
                .map(|(p, c)| parse_chunk(p, opts, c))
                .collect()
        };
        // the first error wins; chromosome ids of each chunk map to the global table in order
        let mut line_base = self.report.n_lines;
        let mut maps = Vec::with_capacity(chunks.len());
        for c in &chunks {
            if let Some(f) = &c.fatal {
                return Err(GenimlError::BedParse {
                    path: self.path.to_path_buf(),
                    line: line_base + f.line,
                    msg: f.msg.clone(),
                });
            }
            line_base += c.n_lines;
            maps.push(
                c.table
                    .names()
                    .iter()
                    .map(|n| self.table.intern(n))
                    .collect::<Vec<u32>>(),
            );
        }
        let old = self.out.starts.len();
        let added: usize = chunks.iter().map(|c| c.starts.len()).sum();
        if old == 0 && self.size_hint > data.len() && !data.is_empty() {
            // size the columns for the whole file from the first block's line density
            let est = (added as f64 * self.size_hint as f64 / data.len() as f64 * 1.05) as usize;
            for v in [
                &mut self.out.chroms,
                &mut self.out.starts,
                &mut self.out.ends,
            ] {
                v.reserve(est);
            }
        }
        // copy the columns into place, chunks in parallel
        for v in [
            &mut self.out.chroms,
            &mut self.out.starts,
            &mut self.out.ends,
        ] {
            v.resize(old + added, 0);
        }
        {
            let mut dst: Vec<(&mut [u32], &mut [u32], &mut [u32])> =
                Vec::with_capacity(chunks.len());
            let (mut rc, mut rs, mut re) = (
                &mut self.out.chroms[old..],
                &mut self.out.starts[old..],
                &mut self.out.ends[old..],
            );
            for c in &chunks {
                let n = c.starts.len();
                let (a, b) = std::mem::take(&mut rc).split_at_mut(n);
                let (d, e) = std::mem::take(&mut rs).split_at_mut(n);
                let (f, g) = std::mem::take(&mut re).split_at_mut(n);
                dst.push((a, d, f));
                (rc, rs, re) = (b, e, g);
            }
            let copy = |((dc, ds, de), (c, map)): (
                (&mut [u32], &mut [u32], &mut [u32]),
                (&Chunk, &Vec<u32>),
            )| {
                for (o, &id) in dc.iter_mut().zip(&c.chroms) {
                    *o = map[id as usize];
                }
                ds.copy_from_slice(&c.starts);
                de.copy_from_slice(&c.ends);
            };
            if chunks.len() > 1 {
                dst.into_par_iter()
                    .zip(chunks.par_iter().zip(maps.par_iter()))
                    .for_each(copy);
            } else {
                dst.into_iter()
                    .zip(chunks.iter().zip(maps.iter()))
                    .for_each(copy);
            }
        }
        let any_extra = self.out.extra.is_some() || chunks.iter().any(|c| c.extra.is_some());
        let mut rows = old;
        let extra_est = if self.out.extra.is_none() && any_extra && self.size_hint > data.len() {
            // the whole file's extra text, from this block's share of it
            let here: usize = chunks
                .iter()
                .filter_map(|c| c.extra.as_ref().map(|x| x.buf.len()))
                .sum();
            (here as f64 * self.size_hint as f64 / data.len() as f64 * 1.05) as usize
        } else {
            0
        };
        for mut c in chunks {
            if any_extra {
                // rows before the first one with extra columns get empty text
                let dst = self.out.extra.get_or_insert_with(|| {
                    let mut x = Extra {
                        buf: Vec::with_capacity(extra_est),
                        offsets: Vec::with_capacity(self.out.starts.capacity() + 1),
                    };
                    x.offsets.resize(rows + 1, 0);
                    x
                });
                let base = dst.buf.len() as u64;
                match &c.extra {
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
            rows += c.starts.len();
            for mut issue in c.issues.drain(..) {
                if self.report.issues.len() < MAX_ISSUES {
                    issue.line += self.report.n_lines;
                    self.report.issues.push(issue);
                }
            }
            self.report.n_skipped += c.n_skipped;
            self.report.n_lines += c.n_lines;
            self.header_lines += c.header_lines;
            self.spare.push(c.recycled());
        }
        Ok(())
    }

    fn finish(self) -> Result<(RegionSet, ReadReport)> {
        let Self {
            path,
            opts,
            table,
            mut out,
            report,
            header_lines,
            ..
        } = self;
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

/// `text` for an error message: at most [`MAX_SHOWN`] characters, then its length.
pub fn shown(text: &[u8]) -> String {
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
            None => {
                return Err(format!(
                    "chromosome '{}' is not in the chrom sizes",
                    shown(chrom)
                ));
            }
            Some(&len) if u64::from(end) > len => {
                return Err(format!(
                    "end ({end}) lies beyond the end of {} (length {len})",
                    shown(chrom)
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

/// Eight bytes at `i` as a little-endian word (`None` near the end of the data).
#[inline]
fn word_at(data: &[u8], i: usize) -> Option<u64> {
    let w: [u8; 8] = data.get(i..i + 8)?.try_into().ok()?;
    Some(u64::from_le_bytes(w))
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Parse an unsigned decimal field at `i`; returns (value, index after it). At most 10 digits
/// and at most `u32::MAX`. Eight digits at a time (SWAR) when eight bytes are readable.
#[inline]
fn fast_uint(data: &[u8], i: usize) -> Option<(u32, usize)> {
    if let Some(x) = word_at(data, i) {
        // t holds each byte's digit value; a byte is a digit iff its t is <= 9
        let t = x ^ (0x30 * ONES);
        let non_digit = (((t & (0x7f * ONES)) + (0x76 * ONES)) | t) & HIGH;
        let n = (non_digit.trailing_zeros() / 8) as usize;
        if n == 0 {
            return None;
        }
        if n < 8 {
            // the digits move to the top bytes; the bytes below become leading zeros
            let mut v = t << (8 * (8 - n));
            v = (v.wrapping_mul(10) + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
            v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_ffff_0000_ffff;
            v = (v.wrapping_mul(10_000) + (v >> 32)) & 0xffff_ffff;
            return Some((v as u32, i + n));
        }
        let mut v = t;
        v = (v.wrapping_mul(10) + (v >> 8)) & 0x00ff_00ff_00ff_00ff;
        v = (v.wrapping_mul(100) + (v >> 16)) & 0x0000_ffff_0000_ffff;
        v = (v.wrapping_mul(10_000) + (v >> 32)) & 0xffff_ffff;
        return slow_uint_from(data, i + 8, v, 8);
    }
    slow_uint_from(data, i, 0, 0)
}

/// Digit by digit from `i`, continuing `v` after `done` digits.
#[inline]
fn slow_uint_from(data: &[u8], mut i: usize, mut v: u64, mut done: usize) -> Option<(u32, usize)> {
    while let Some(&b) = data.get(i) {
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        v = v * 10 + u64::from(d);
        i += 1;
        done += 1;
        if done > 10 {
            return None;
        }
    }
    if done == 0 || v > u64::from(u32::MAX) {
        return None;
    }
    Some((v as u32, i))
}

/// Index of the first newline at or after `i`, or `data.len()`: word by word over the first
/// 32 bytes (most BED lines end there), then `memchr`.
#[inline]
fn find_newline(data: &[u8], i: usize) -> usize {
    let mut j = i;
    while j < i + 32 {
        let Some(x) = word_at(data, j) else { break };
        let y = x ^ (0x0a * ONES);
        let m = y.wrapping_sub(ONES) & !y & HIGH;
        if m != 0 {
            return j + (m.trailing_zeros() / 8) as usize;
        }
        j += 8;
    }
    memchr::memchr(b'\n', &data[j..]).map_or(data.len(), |k| j + k)
}

/// Index of the first byte at or after `i` below `0x21` (tab, newline, CR, space, NUL and
/// the other control bytes), or `data.len()`.
#[inline]
fn first_control(data: &[u8], mut i: usize) -> usize {
    while let Some(x) = word_at(data, i) {
        // the lowest flagged byte is exact (borrows only travel upwards)
        let m = x.wrapping_sub(0x21 * ONES) & !x & HIGH;
        if m != 0 {
            return i + (m.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while let Some(&b) = data.get(i) {
        if b < 0x21 {
            return i;
        }
        i += 1;
    }
    data.len()
}

/// The common case in one pass over the bytes: `chrom<TAB>start<TAB>end[<TAB>extra]` with a
/// non-empty chromosome free of spaces and NULs and `start <= end`. Anything else (headers,
/// blank lines, malformed lines) returns `None` and goes through the general path, which
/// words the errors.
#[inline]
fn fast_line(data: &[u8], pos: usize) -> Option<FastLine> {
    // other control bytes in a name go through the general path, which accepts them too
    let i = first_control(data, pos);
    if *data.get(i)? != b'\t' {
        return None;
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
    // (extra_start, line_end, next)
    let (extra_start, line_end, next) = match data.get(i) {
        None => (i, i, data.len()),
        Some(b'\n') => (i, i, i + 1),
        Some(b'\r') => match data.get(i + 1) {
            None => (i, i, data.len()),
            Some(b'\n') => (i, i, i + 2),
            Some(_) => return None,
        },
        Some(b'\t') => {
            let e = find_newline(data, i);
            let content_end = if data[e - 1] == b'\r' { e - 1 } else { e };
            (i + 1, content_end, (e + 1).min(data.len()))
        }
        Some(_) => return None,
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

/// The one header rule of every reader: a `#` line, or a UCSC `track` / `browser` line, whose
/// first word is followed by a space, the end of the line, or a tab and a non-digit. So
/// `track\t10\t20` is a data line on a chromosome named `track` in every code path (the fast
/// path, the validating path and the line numbering of error messages alike).
pub fn is_header(line: &[u8]) -> bool {
    if line.first() == Some(&b'#') {
        return true;
    }
    [&b"track"[..], b"browser"]
        .iter()
        .any(|w| match line.strip_prefix(*w) {
            Some([] | [b' ' | b'\t'] | [b' ', ..]) => true,
            Some([b'\t', next, ..]) => !next.is_ascii_digit(),
            _ => false,
        })
}

/// An empty line or one of spaces and tabs only.
fn is_blank(line: &[u8]) -> bool {
    line.iter().all(|b| *b == b' ' || *b == b'\t')
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

/// A chromosome name of at most 16 bytes as two words, the bytes after the name zeroed (a
/// name holds no NUL byte, so the pair identifies it); `None` for longer names and near the
/// end of the data.
#[inline]
fn name_key(data: &[u8], pos: usize, end: usize) -> Option<(u64, u64)> {
    let len = end - pos;
    if len > 16 {
        return None;
    }
    let (lo, hi) = (word_at(data, pos)?, word_at(data, pos + 8)?);
    let keep = |n: usize| {
        if n >= 8 {
            u64::MAX
        } else {
            (1u64 << (8 * n)) - 1
        }
    };
    Some((lo & keep(len), hi & keep(len.saturating_sub(8))))
}

/// Direct-mapped cache of chromosome ids keyed by [`name_key`], in front of [`ChunkNames`]:
/// unsorted files change chromosome on most lines.
struct NameCache {
    slots: [(u64, u64, u32); NameCache::SLOTS],
}

impl NameCache {
    const SLOTS: usize = 512;

    #[inline]
    fn slot(key: (u64, u64)) -> usize {
        let h = (key.0 ^ key.1.rotate_left(23)).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        (h >> 55) as usize & (Self::SLOTS - 1)
    }
}

/// Parse `data` into `c` (empty, possibly holding buffers of an earlier block).
fn parse_chunk(data: &[u8], opts: &ReadOptions, mut c: Chunk) -> Chunk {
    // the shortest data line is 6 bytes: reserve address space, pages are touched on use
    let est = data.len() / 6 + 1;
    for v in [&mut c.chroms, &mut c.starts, &mut c.ends] {
        v.reserve(est);
    }
    let mut names = ChunkNames::new();
    let mut cache = NameCache {
        slots: [(0, 0, 0); NameCache::SLOTS],
    };
    // (0, 0) is no name: names are never empty and never hold a NUL byte
    let mut last_key = (0u64, 0u64);
    let mut last_chrom: &[u8] = b"";
    let mut last_id = u32::MAX;
    let mut pos = 0;
    let fast_ok = opts.chrom_sizes.is_none();
    while pos < data.len() {
        if fast_ok {
            let fast = fast_line(data, pos).and_then(|f| {
                let chrom = &data[pos..f.chrom_end];
                match name_key(data, pos, f.chrom_end) {
                    Some(key) if key == last_key => Some((f, chrom, last_id)),
                    Some(key) => {
                        let slot = NameCache::slot(key);
                        let hit = cache.slots[slot];
                        if (hit.0, hit.1) == key {
                            last_key = key;
                            return Some((f, chrom, hit.2));
                        }
                        // None (not UTF-8): the general path below reports the line
                        let id = names.id(&mut c.table, chrom)?;
                        cache.slots[slot] = (key.0, key.1, id);
                        last_key = key;
                        Some((f, chrom, id))
                    }
                    None => {
                        last_key = (0, 0);
                        if chrom == last_chrom && last_id != u32::MAX {
                            Some((f, chrom, last_id))
                        } else {
                            names.id(&mut c.table, chrom).map(|id| (f, chrom, id))
                        }
                    }
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
                    let x = c.extra_mut(data.len());
                    x.buf.extend_from_slice(extra);
                    x.offsets.push(x.buf.len() as u64);
                }
                pos = f.next;
                continue;
            }
        }
        if data[pos] == b'\n' {
            // a run of empty lines in one step
            let run = data[pos..].iter().take_while(|&&b| b == b'\n').count();
            c.n_lines += run as u64;
            pos += run;
            continue;
        }
        let nl = memchr::memchr(b'\n', &data[pos..]).map_or(data.len(), |k| pos + k);
        let mut line = &data[pos..nl];
        pos = nl + 1;
        c.n_lines += 1;

        if let [rest @ .., b'\r'] = line {
            line = rest;
        }
        if is_blank(line) {
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
                    let x = c.extra_mut(data.len());
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
                "chromosome '{}' is listed twice (first on line {prev})",
                shown(name.as_bytes())
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
    fn word_parsers_match_digit_by_digit() {
        let cases = [
            "0",
            "7",
            "12",
            "99999999",
            "100000000",
            "123456789",
            "4294967295",
            "4294967296",
            "04294967295",
            "12345678901",
            "1a",
            "",
            "a",
            "-1",
            "\t",
            "00000000000",
        ];
        for c in cases {
            for tail in ["", "\t", "\n", "\tx\tyyyyyyyyyyyy", "\r\n"] {
                let text = format!("{c}{tail}");
                let b = text.as_bytes();
                assert_eq!(fast_uint(b, 0), slow_uint_from(b, 0, 0, 0), "{text:?}");
            }
        }
        for v in (0..u32::MAX).step_by(9_999_991).chain([u32::MAX]) {
            let text = format!("{v}\tpad_pad_");
            assert_eq!(
                fast_uint(text.as_bytes(), 0),
                Some((v, v.to_string().len()))
            );
        }
        let line = b"chr10_random\t1\t2\n";
        for i in 0..line.len() {
            let want = line[i..]
                .iter()
                .position(|&b| b < 0x21)
                .map_or(line.len(), |k| i + k);
            assert_eq!(first_control(line, i), want);
        }
        assert_eq!(first_control(b"\xff\xfe\x80abcdefgh ", 0), 11);
        let text = format!("a\tb{}\nc\n{}", "x".repeat(70), "y".repeat(9));
        let b = text.as_bytes();
        for i in 0..b.len() {
            let want = b[i..]
                .iter()
                .position(|&c| c == b'\n')
                .map_or(b.len(), |k| i + k);
            assert_eq!(find_newline(b, i), want, "{i}");
        }
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

    fn tmp_file(name: &str, bytes: &[u8]) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("geniml-io-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }

    fn gz(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn block_size_never_changes_the_result() {
        let mut text = String::from("\u{feff}track name=x\n");
        for i in 0..2000u32 {
            text.push_str(&format!("chr{}\t{}\t{}\tn{i}\r\n", i % 5, i, i + 7));
            if i % 97 == 0 {
                text.push_str("# comment\n\n");
            }
        }
        let opts = ReadOptions {
            keep_extra: true,
            ..ReadOptions::default()
        };
        let whole = parse_bed(text.as_bytes(), Path::new("t"), &opts).unwrap();
        assert_eq!(whole.0.names[0], "chr0", "the BOM is not part of the name");
        let plain = tmp_file("blocks.bed", text.as_bytes());
        let packed = tmp_file("blocks.bed.gz", &gz(text.as_bytes()));
        for block in [1, 2, 3, 7, 64, 1000, 1 << 20] {
            for p in [&plain, &packed] {
                let got = read_bed_blocks(p, &opts, block).unwrap();
                assert_eq!(got, whole, "block {block} {p:?}");
            }
        }
        // an error line is the file's line whatever the block size
        let bad = format!("{text}chr1\t9\t3\n");
        let want = bad.matches('\n').count() as u64;
        let p = tmp_file("bad.bed.gz", &gz(bad.as_bytes()));
        for block in [5, 333, 1 << 20] {
            match read_bed_blocks(&p, &opts, block) {
                Err(GenimlError::BedParse { line, .. }) => assert_eq!(line, want),
                other => panic!("{other:?}"),
            }
        }
    }

    #[test]
    fn truncated_gzip_names_the_line_and_byte() {
        let mut text = String::new();
        for i in 0..200_000u32 {
            text.push_str(&format!("chr1\t{i}\t{}\n", i + 100));
        }
        let mut z = gz(text.as_bytes());
        z.truncate(z.len() * 2 / 3);
        let p = tmp_file("cut.bed.gz", &z);
        match read_bed(&p, &ReadOptions::default()) {
            Err(GenimlError::BedParse { line, msg, .. }) => {
                assert!(line > 50_000 && line <= 200_000, "{line}");
                assert!(msg.contains("truncated") && msg.contains("byte"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn gzip_bomb_stops_without_buffering_it() {
        // 200 MB of one line without a newline: refused after MAX_LINE bytes
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        let zeros = vec![b'#'; 1 << 20];
        for _ in 0..200 {
            e.write_all(&zeros).unwrap();
        }
        let p = tmp_file("bomb.bed.gz", &e.finish().unwrap());
        match read_bed(&p, &ReadOptions::default()) {
            Err(GenimlError::BedParse { line, msg, .. }) => {
                assert_eq!(line, 1);
                assert!(msg.contains("longer than"), "{msg}");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_file_that_shrinks_while_read_is_an_error() {
        let p = tmp_file("shrink.bed", "chr1\t1\t2\n".repeat(10_000).as_bytes());
        let mut src = Blocks::open(&p, 1000).unwrap();
        assert!(src.next_block().ok().flatten().is_some());
        File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_len(5000)
            .unwrap();
        let err = loop {
            match src.next_block() {
                Ok(Some(_)) => {}
                Ok(None) => panic!("a short read went unnoticed"),
                Err(f) => break f.into_error(&p, 0),
            }
        };
        assert!(err.to_string().contains("shrank"), "{err}");
    }

    #[test]
    fn one_header_rule_for_every_path() {
        assert!(is_header(b"track name=x"));
        assert!(is_header(b"browser position chr1:1-10"));
        assert!(is_header(b"track"));
        assert!(is_header(b"#chrom\tstart"));
        assert!(is_header(b"track\tname=x"));
        assert!(!is_header(b"track\t10\t20"));
        assert!(!is_header(b"trackX\t10\t20"));
        assert!(!is_header(b"browser2 1 2"));
        let text = "track name=t\ntrack\t10\t20\nbrowser\t1\t2\ttail\ntrackX\t3\t4\n";
        let fast = parse(text).unwrap().0;
        assert_eq!(fast.names, vec!["track", "browser", "trackX"]);
        // the validating path (chrom sizes) and the skip path read the same lines
        let sizes: HashMap<String, u64> = fast.names.iter().map(|n| (n.clone(), 100)).collect();
        for opts in [
            ReadOptions {
                chrom_sizes: Some(sizes),
                ..ReadOptions::default()
            },
            ReadOptions {
                on_error: OnError::Skip,
                ..ReadOptions::default()
            },
        ] {
            let (r, rep) = parse_bed(text.as_bytes(), Path::new("t"), &opts).unwrap();
            assert_eq!(r, fast);
            assert_eq!(rep.n_skipped, 0);
        }
        let p = tmp_file("hdr.bed", text.as_bytes());
        assert_eq!(
            data_line_numbers(&p, &[0, 1, 2, 7]).unwrap(),
            vec![2, 3, 4, 8]
        );
    }
}
