//! Where BED parsing time goes: `parse_timing FILE...`.
//!
//! For each file, the best of 5 runs of: reading the (decompressed) bytes, a `memchr` line
//! count over those bytes in memory (the memory-bandwidth floor of any parser), parsing the
//! bytes already in memory, and the whole `read_bed` (streamed read + parse, overlapped).
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;
use std::time::{Duration, Instant};

use geniml_core::io::{ReadOptions, parse_bed, read_bed, read_bytes};

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let mut best = Duration::MAX;
    for _ in 0..5 {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        out = Some(r);
    }
    (best, out.unwrap())
}

fn ms(d: Duration) -> String {
    format!("{:.1}", d.as_secs_f64() * 1e3)
}

fn main() {
    let opts = ReadOptions {
        keep_extra: true,
        ..ReadOptions::default()
    };
    println!(
        "| file | MB text | read ms | memchr count ms (floor) | parse in memory ms | read_bed ms | read_bed GB/s | read_bed / floor |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for path in std::env::args().skip(1) {
        let path = Path::new(&path);
        let (t_read, data) = best(|| read_bytes(path).unwrap());
        let (t_count, n) = best(|| memchr::memchr_iter(b'\n', &data).count());
        let (t_parse, r) = best(|| parse_bed(&data, path, &opts).unwrap().0.len());
        let (t_all, r2) = best(|| read_bed(path, &opts).unwrap().0.len());
        assert_eq!(r, r2);
        assert!(n + 1 >= r);
        println!(
            "| {} | {:.0} | {} | {} | {} | {} | {:.2} | {:.1}x |",
            path.file_name().unwrap().to_string_lossy(),
            data.len() as f64 / 1e6,
            ms(t_read),
            ms(t_count),
            ms(t_parse),
            ms(t_all),
            data.len() as f64 / t_all.as_secs_f64() / 1e9,
            t_all.as_secs_f64() / t_count.as_secs_f64(),
        );
    }
}
