//! Where coverage-track time goes: `coverage_timing SIZES BED...`.
//!
//! Best of 3 runs of each step on the current rayon pool: reading and validating the BED files,
//! sorting the per-chromosome start/end keys (the radix sort the tracks use), the whole
//! in-memory computation (sort + sweep; sweep = whole - sort), and writing each bigWig track.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use geniml_core::RegionsRef;
use geniml_core::coverage::{TRACKS, coverage_from_regions, radix_sort, write_bigwig};
use geniml_core::io::{ReadOptions, read_chrom_sizes, read_many};

fn best<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut out = None;
    let mut best = Duration::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        let r = f();
        best = best.min(t.elapsed());
        out = Some(r);
    }
    (best, out.unwrap())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let sizes = read_chrom_sizes(Path::new(&args[0])).unwrap();
    let paths: Vec<PathBuf> = args[1..].iter().map(PathBuf::from).collect();
    let opts = ReadOptions {
        chrom_sizes: Some(sizes.iter().cloned().collect()),
        allow_empty: true,
        ..ReadOptions::default()
    };
    let (t_read, sets) = best(|| {
        read_many(&paths, &opts)
            .into_iter()
            .map(|r| r.unwrap().0)
            .collect::<Vec<_>>()
    });
    let n: usize = sets.iter().map(|s| s.starts.len()).sum();
    let views: Vec<RegionsRef<'_>> = sets.iter().map(|s| s.view()).collect();
    let (t_sort, ()) = best(|| {
        let mut st: Vec<u32> = sets.iter().flat_map(|s| s.starts.iter().copied()).collect();
        let mut en: Vec<u32> = sets.iter().flat_map(|s| s.ends.iter().copied()).collect();
        radix_sort(&mut st);
        radix_sort(&mut en);
    });
    let labels: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let (t_cov, cov) = best(|| coverage_from_regions(&views, &labels, &sizes, 25).unwrap());
    let dir = std::env::temp_dir().join(format!("coverage_timing_{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut writes = Vec::new();
    for kind in TRACKS {
        let path = dir.join(format!("t_{}.bw", kind.name()));
        let (t, ()) = best(|| write_bigwig(&cov, kind, &path, true).unwrap());
        let runs: usize = cov.chroms.iter().map(|c| c.track(kind).n_runs()).sum();
        writes.push(format!("{} {:.1} ms ({runs} runs)", kind.name(), ms(t)));
    }
    std::fs::remove_dir_all(&dir).unwrap();
    println!(
        "{n} regions, {} chromosomes, {} threads: read {:.1} ms, sort {:.1} ms (all keys as one \
         array, upper bound), sort + sweep {:.1} ms, write {}",
        sizes.len(),
        rayon::current_num_threads(),
        ms(t_read),
        ms(t_sort),
        ms(t_cov),
        writes.join(", ")
    );
}
