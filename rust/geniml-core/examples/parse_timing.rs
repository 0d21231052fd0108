//! Time BED parsing: `parse_timing FILE`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;
use std::time::Instant;

use geniml_core::io::{ReadOptions, read_bed, read_bytes};

fn main() {
    let path = std::env::args().nth(1).unwrap();
    let opts = ReadOptions::default();
    for _ in 0..3 {
        let t = Instant::now();
        let data = read_bytes(Path::new(&path)).unwrap();
        let t_read = t.elapsed();
        drop(data);
        let t = Instant::now();
        let (r, _) = read_bed(Path::new(&path), &opts).unwrap();
        println!(
            "read {t_read:?} read+parse {:?} ({} regions)",
            t.elapsed(),
            r.len()
        );
    }
}
