//! Time the stages of file -> tokens on two BED files: `tokenize_timing UNIVERSE QUERY`.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::path::Path;
use std::time::Instant;

use geniml_core::io::{ReadOptions, read_bed};
use geniml_core::tokenize::{OverlapOptions, Tokenizer};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let opts = ReadOptions::default();
    for _ in 0..3 {
        let t = Instant::now();
        let (u, _) = read_bed(Path::new(&args[1]), &opts).unwrap();
        let t_parse_u = t.elapsed();
        let t = Instant::now();
        let tok = Tokenizer::new(u).unwrap();
        let t_index = t.elapsed();
        let t = Instant::now();
        let (q, _) = read_bed(Path::new(&args[2]), &opts).unwrap();
        let t_parse_q = t.elapsed();
        let t = Instant::now();
        let ids = tok.tokenize(&q.view(), OverlapOptions::default(), false, false);
        let t_tok = t.elapsed();
        println!(
            "parse u {t_parse_u:?} index {t_index:?} parse q {t_parse_q:?} tokenize {t_tok:?} ({} ids)",
            ids.len()
        );
    }
}
