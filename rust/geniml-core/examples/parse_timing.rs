//! Where BED parsing time goes: `parse_timing FILE...`.
//!
//! For each file, the median of 5 runs (wall and process CPU time, all threads) of: reading the
//! (decompressed) bytes, a `memchr` line count over those bytes in memory on one thread (the
//! memory-bandwidth floor of any parser), parsing the bytes already in memory, and the whole
//! `read_bed` (streamed read + parse, overlapped). CPU time survives a loaded machine better
//! than wall time. `parse_timing --read-bed-only FILE...` runs only the `read_bed` step (for
//! `perf stat` / `perf record`).
#![allow(clippy::print_stdout, clippy::unwrap_used, unsafe_code)]

use std::path::Path;
use std::time::Instant;

use geniml_core::io::{ReadOptions, parse_bed, read_bed, read_bytes};

/// Process CPU seconds (user + system, every thread, finished ones included).
fn cpu_now() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut u: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &raw mut u) };
    let tv = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 * 1e-6;
    tv(u.ru_utime) + tv(u.ru_stime)
}

/// Median wall and median CPU milliseconds of 5 runs, and the last result.
fn median<T>(mut f: impl FnMut() -> T) -> (f64, f64, T) {
    let (mut walls, mut cpus, mut out) = (Vec::new(), Vec::new(), None);
    for _ in 0..5 {
        let (t, c) = (Instant::now(), cpu_now());
        let r = f();
        cpus.push((cpu_now() - c) * 1e3);
        walls.push(t.elapsed().as_secs_f64() * 1e3);
        out = Some(r);
    }
    walls.sort_by(f64::total_cmp);
    cpus.sort_by(f64::total_cmp);
    (walls[2], cpus[2], out.unwrap())
}

fn main() {
    let opts = ReadOptions {
        keep_extra: true,
        ..ReadOptions::default()
    };
    println!(
        "| file | MB text | read ms (CPU) | memchr count ms (CPU; floor) | parse in memory ms (CPU) | read_bed ms (CPU) | read_bed GB/s | read_bed CPU / floor CPU |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("--read-bed-only") {
        // for `perf stat` / `perf record`: 5 streamed reads of each file and nothing else
        for path in &args[1..] {
            let (w, c, n) = median(|| read_bed(Path::new(path), &opts).unwrap().0.len());
            println!("{path}: {n} regions, read_bed {w:.1} ms wall, {c:.1} ms CPU");
        }
        return;
    }
    for path in &args {
        let path = Path::new(path);
        let (w_read, c_read, data) = median(|| read_bytes(path).unwrap());
        let (w_count, c_count, n) = median(|| memchr::memchr_iter(b'\n', &data).count());
        let (w_parse, c_parse, r) = median(|| parse_bed(&data, path, &opts).unwrap().0.len());
        let (w_all, c_all, r2) = median(|| read_bed(path, &opts).unwrap().0.len());
        assert_eq!(r, r2);
        assert!(n + 1 >= r);
        println!(
            "| {} | {:.0} | {w_read:.1} ({c_read:.1}) | {w_count:.1} ({c_count:.1}) | {w_parse:.1} ({c_parse:.1}) | {w_all:.1} ({c_all:.1}) | {:.2} | {:.1}x |",
            path.file_name().unwrap().to_string_lossy(),
            data.len() as f64 / 1e6,
            data.len() as f64 / w_all / 1e6,
            c_all / c_count.max(0.1),
        );
    }
}
