//! A bounded, dependency-free fuzzer of the BED reader on stable Rust.
//!
//! `geniml-fuzz [--seconds N] [--corpus DIR] [--seed S]`: seeds from every BED-like file under
//! the corpus folder (gzip decompressed), mutates them (bit flips, dictionary tokens such as
//! tabs, `track`, `-`, huge numbers, a BOM, NUL; deletions, duplications, splices) and checks
//! each input against properties that must hold for every byte string:
//!
//! 1. the reader never panics (a panic is caught, the input saved under `fuzz/artifacts/`);
//! 2. `parse_bed` agrees with a naive line-by-line oracle written here from the documented
//!    rules (regions, and the line of the first error under `raise`);
//! 3. streaming from a file, plain or gzip, with a random block size, gives the same result as
//!    parsing the bytes in memory;
//! 4. one input in 100 is repeated past the 4 MiB parallel threshold (chunked, multi-threaded
//!    path) and must still agree with the oracle.
//!
//! Exits 1 at the first failure, 0 when the time is up.
#![allow(clippy::print_stdout, clippy::print_stderr, clippy::unwrap_used)]

use std::io::Write;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use geniml_core::io::{OnError, ReadOptions, parse_bed, read_bed_blocks};
use geniml_core::{GenimlError, RegionSet};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&[u8]] = &[
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b" ",
    b"#",
    b"track",
    b"track ",
    b"browser",
    b"browser\t",
    b"-",
    b"-1",
    b"0",
    b"4294967295",
    b"4294967296",
    b"99999999999",
    b"\xef\xbb\xbf",
    b"\0",
    b"chr1",
    b"chrX",
    b"\xff\xfe",
    b"\t\t",
    b"\n\n",
    b"+",
    b"1e5",
    b"\t.\t",
    b"track\t1\t2\n",
];

fn mutate(rng: &mut Rng, seeds: &[Vec<u8>], input: &mut Vec<u8>) {
    for _ in 0..=rng.below(8) {
        let len = input.len();
        match rng.below(7) {
            0 if len > 0 => {
                let i = rng.below(len);
                input[i] ^= 1 << rng.below(8);
            }
            1 => {
                let t = TOKENS[rng.below(TOKENS.len())];
                let i = rng.below(len + 1);
                input.splice(i..i, t.iter().copied());
            }
            2 if len > 0 => {
                let i = rng.below(len);
                let n = rng.below(len - i).min(64) + 1;
                input.drain(i..(i + n).min(len));
            }
            3 if len > 0 => {
                let i = rng.below(len);
                let n = (rng.below(len - i) + 1).min(256);
                let piece = input[i..i + n].to_vec();
                let j = rng.below(len + 1);
                input.splice(j..j, piece);
            }
            4 => {
                let other = &seeds[rng.below(seeds.len())];
                if !other.is_empty() {
                    let i = rng.below(other.len());
                    let n = (rng.below(other.len() - i) + 1).min(512);
                    let j = rng.below(len + 1);
                    input.splice(j..j, other[i..i + n].iter().copied());
                }
            }
            5 if len > 0 => {
                let i = rng.below(len);
                let set = b"0123456789\t\n -#";
                input[i] = set[rng.below(set.len())];
            }
            _ => {
                let i = rng.below(len + 1);
                input.truncate(i);
            }
        }
    }
}

/// What the oracle and the reader must agree on.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Regions(Vec<(Vec<u8>, u32, u32, Vec<u8>)>, u64),
    Error(u64),
}

fn digits(f: &[u8]) -> Option<u32> {
    if f.is_empty() || !f.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut v: u64 = 0;
    for &b in f {
        v = v * 10 + u64::from(b - b'0');
        if v > u64::from(u32::MAX) {
            return None;
        }
    }
    Some(v as u32)
}

fn oracle_header(line: &[u8]) -> bool {
    if line.starts_with(b"#") {
        return true;
    }
    for w in [&b"track"[..], b"browser"] {
        if let Some(rest) = line.strip_prefix(w) {
            return match rest {
                [] | [b' ', ..] | [b'\t'] => true,
                [b'\t', d, ..] => !d.is_ascii_digit(),
                _ => false,
            };
        }
    }
    false
}

/// The documented rules, one line at a time, with no shared code.
fn oracle(data: &[u8], skip: bool) -> Outcome {
    let data = data.strip_prefix(b"\xef\xbb\xbf").unwrap_or(data);
    let mut out = Vec::new();
    let mut skipped = 0;
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if data.ends_with(b"\n") || data.is_empty() {
        lines.pop();
    }
    for (k, raw) in lines.iter().enumerate() {
        let line = raw.strip_suffix(b"\r").unwrap_or(raw);
        if line.iter().all(|&b| b == b' ' || b == b'\t') || oracle_header(line) {
            continue;
        }
        let f: Vec<&[u8]> = line.splitn(4, |&b| b == b'\t').collect();
        let ok = f.len() >= 3
            && !f[0].is_empty()
            && !f[0].contains(&b' ')
            && !f[0].contains(&0)
            && std::str::from_utf8(f[0]).is_ok();
        let coords = if ok {
            digits(f[1]).zip(digits(f[2]))
        } else {
            None
        };
        match coords {
            Some((s, e)) if s <= e => {
                let extra = f.get(3).map_or(Vec::new(), |x| x.to_vec());
                out.push((f[0].to_vec(), s, e, extra));
            }
            _ if skip => skipped += 1,
            _ => return Outcome::Error(k as u64 + 1),
        }
    }
    if out.is_empty() {
        return Outcome::Error(0);
    }
    Outcome::Regions(out, skipped)
}

fn outcome(r: Result<(RegionSet, geniml_core::io::ReadReport), GenimlError>) -> Outcome {
    match r {
        Ok((rs, rep)) => {
            let rows = (0..rs.len())
                .map(|i| {
                    let extra = rs.extra.as_ref().map_or(Vec::new(), |x| x.get(i).to_vec());
                    (
                        rs.names[rs.chroms[i] as usize].as_bytes().to_vec(),
                        rs.starts[i],
                        rs.ends[i],
                        extra,
                    )
                })
                .collect();
            Outcome::Regions(rows, rep.n_skipped)
        }
        Err(GenimlError::BedParse { line, msg, .. }) => {
            assert!(msg.len() < 1000, "oversized message: {} bytes", msg.len());
            Outcome::Error(line)
        }
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

/// Compare only what both sides define: an empty result is an error at line 0 for the oracle
/// and at the last line for the reader (both say "no region").
fn same(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Outcome::Error(0), Outcome::Error(_)) => true,
        _ => a == b,
    }
}

fn opts(skip: bool) -> ReadOptions {
    ReadOptions {
        on_error: if skip { OnError::Skip } else { OnError::Raise },
        keep_extra: true,
        ..ReadOptions::default()
    }
}

fn check(input: &[u8], rng: &mut Rng, work: &Path, stream: bool) -> Result<(), String> {
    for skip in [false, true] {
        let want = oracle(input, skip);
        let got = outcome(parse_bed(input, Path::new("fuzz.bed"), &opts(skip)));
        // the three-column read Python's read_bed does: same regions, `has_extra` says
        // whether the eager read has extra text, same errors
        let three = ReadOptions {
            keep_extra: false,
            ..opts(skip)
        };
        match (
            parse_bed(input, Path::new("fuzz.bed"), &three),
            parse_bed(input, Path::new("fuzz.bed"), &opts(skip)),
        ) {
            (Ok((l, lrep)), Ok((mut e, erep))) => {
                if lrep.has_extra != e.extra.is_some() || lrep != erep {
                    return Err(format!("keep_extra=false report {lrep:?} vs {erep:?}"));
                }
                e.extra = None;
                if l != e {
                    return Err("keep_extra=false gives other regions".into());
                }
            }
            (Err(a), Err(b)) if a.to_string() == b.to_string() => {}
            (a, b) => {
                return Err(format!(
                    "keep_extra=false {:?} vs keep_extra=true {:?}",
                    a.err(),
                    b.err()
                ));
            }
        }
        if !same(&want, &got) {
            return Err(format!(
                "parse_bed (skip={skip}) = {got:?}, oracle = {want:?}"
            ));
        }
        if stream {
            let gz = rng.below(2) == 0;
            let path = work.join(if gz { "in.bed.gz" } else { "in.bed" });
            let bytes = if gz {
                let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
                e.write_all(input).unwrap();
                e.finish().unwrap()
            } else {
                input.to_vec()
            };
            std::fs::write(&path, bytes).unwrap();
            let block = [1, 2, 7, 100, 4096, 1 << 20][rng.below(6)];
            let streamed = outcome(read_bed_blocks(&path, &opts(skip), block));
            if streamed != got {
                return Err(format!(
                    "read_bed (gzip={gz}, block={block}, skip={skip}) = {streamed:?}, in memory = {got:?}"
                ));
            }
        }
    }
    Ok(())
}

fn seeds(dir: &Path) -> Vec<Vec<u8>> {
    let mut out: Vec<Vec<u8>> = TOKENS.iter().map(|t| t.to_vec()).collect();
    out.push(b"chr1\t10\t20\tpeak\t5\t+\t1.0\t2.0\t3.0\t50\n".to_vec());
    out.push(b"track name=x\r\nbrowser position chr1:1-2\n#c\nchr1\t1\t2\r\n".to_vec());
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                stack.push(p);
                continue;
            }
            let name = p.to_string_lossy().to_lowercase();
            let bedlike = [
                ".bed",
                ".bed.gz",
                ".narrowpeak",
                ".broadpeak",
                ".sizes",
                ".bedgraph",
            ]
            .iter()
            .any(|x| name.ends_with(x));
            if !bedlike {
                continue;
            }
            let Ok(text) = geniml_core::io::read_bytes(&p) else {
                continue;
            };
            // the first 200 lines of each file keep inputs small and executions fast
            let cut = text
                .iter()
                .enumerate()
                .filter(|(_, b)| **b == b'\n')
                .nth(199)
                .map_or(text.len(), |(i, _)| i + 1);
            out.push(text[..cut].to_vec());
        }
    }
    out
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |flag: &str| {
        args.iter()
            .position(|a| a == flag)
            .and_then(|i| args.get(i + 1).cloned())
    };
    let seconds: u64 = arg("--seconds").map_or(60, |s| s.parse().unwrap());
    let corpus = PathBuf::from(arg("--corpus").unwrap_or_else(|| "../shared/data".into()));
    let seed: u64 = arg("--seed").map_or_else(
        || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        },
        |s| s.parse().unwrap(),
    );
    let seeds = seeds(&corpus);
    let work = std::env::temp_dir().join(format!("geniml-fuzz-{}", std::process::id()));
    std::fs::create_dir_all(&work).unwrap();
    println!(
        "fuzzing the BED reader for {seconds} s: {} seeds from {}, rng seed {seed}",
        seeds.len(),
        corpus.display()
    );
    std::panic::set_hook(Box::new(|_| {}));
    let mut rng = Rng(seed);
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let (mut execs, mut big) = (0u64, 0u64);
    let mut failure = None;
    while Instant::now() < deadline {
        let mut input = seeds[rng.below(seeds.len())].clone();
        mutate(&mut rng, &seeds, &mut input);
        let large = execs % 100 == 99 && !input.is_empty();
        if large {
            // above the parallel threshold: repeat, then mutate once more inside
            let reps = (4 << 20) / input.len() + 2;
            input = input.repeat(reps.min(1 << 22));
            let i = rng.below(input.len());
            input.splice(i..i, TOKENS[rng.below(TOKENS.len())].iter().copied());
            big += 1;
        }
        let stream = !large && execs % 4 == 0;
        let r = catch_unwind(AssertUnwindSafe(|| check(&input, &mut rng, &work, stream)));
        execs += 1;
        let problem = match r {
            Ok(Ok(())) => continue,
            Ok(Err(msg)) => msg,
            Err(p) => format!(
                "panic: {}",
                p.downcast_ref::<String>()
                    .cloned()
                    .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_string()))
                    .unwrap_or_default()
            ),
        };
        failure = Some((input, problem));
        break;
    }
    let _ = std::fs::remove_dir_all(&work);
    let _ = std::panic::take_hook();
    println!("{execs} executions ({big} above the parallel threshold)");
    if let Some((input, problem)) = failure {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("artifacts");
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(format!("failure-{seed}.bed"));
        std::fs::write(&path, &input).unwrap();
        eprintln!(
            "FAILED after {execs} executions: {}\ninput saved to {}",
            problem.chars().take(2000).collect::<String>(),
            path.display()
        );
        std::process::exit(1);
    }
    println!("clean");
}
