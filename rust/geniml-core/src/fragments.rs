//! Tokenizing fragment files (10x style: chrom, start, end, barcode, count; plain or gzip),
//! block by block, into one token set per cell barcode.

use std::collections::{HashMap, HashSet};
use std::fs::File;
use std::hash::BuildHasher;
use std::io::Read;
use std::path::Path;

use flate2::read::MultiGzDecoder;
use rayon::prelude::*;

use crate::error::{GenimlError, Result};
use crate::io::{ReadOptions, parse_bed};
use crate::tokenize::{Csr, OverlapOptions, Tokenizer};

const BLOCK: usize = 1 << 25;

/// Tokens of each cell of a fragment file.
#[derive(Debug, Clone, Default)]
pub struct CellTokens {
    /// Cell barcodes in order of first appearance (the file stem when the file has no barcode
    /// column).
    pub barcodes: Vec<String>,
    /// Sorted, unique token ids of each cell.
    pub tokens: Csr,
    /// Fragments read (data lines).
    pub n_fragments: u64,
}

fn open(path: &Path) -> Result<Box<dyn Read>> {
    let mut f = File::open(path).map_err(|e| GenimlError::io(path, e))?;
    let mut magic = [0u8; 2];
    let n = f.read(&mut magic).map_err(|e| GenimlError::io(path, e))?;
    let f = File::open(path).map_err(|e| GenimlError::io(path, e))?;
    Ok(if n == 2 && magic == [0x1f, 0x8b] {
        Box::new(MultiGzDecoder::new(std::io::BufReader::with_capacity(
            1 << 20,
            f,
        )))
    } else {
        Box::new(f)
    })
}

/// Tokenize a fragment file. With `barcodes`, other cells are ignored.
pub fn tokenize_fragments<S: BuildHasher>(
    path: &Path,
    tok: &Tokenizer,
    barcodes: Option<&HashSet<String, S>>,
    opts: OverlapOptions,
) -> Result<CellTokens> {
    let mut reader = open(path)?;
    let stem = path
        .file_name()
        .map_or_else(|| "cell".to_string(), |n| n.to_string_lossy().into_owned());
    let stem = stem
        .strip_suffix(".gz")
        .unwrap_or(&stem)
        .trim_end_matches(".tsv")
        .trim_end_matches(".bed")
        .to_string();
    let mut cell_ids: HashMap<String, u32> = HashMap::new();
    let mut names: Vec<String> = Vec::new();
    let mut per_cell: Vec<Vec<u32>> = Vec::new();
    let mut carry: Vec<u8> = Vec::new();
    let mut lines_before = 0u64;
    let mut n_fragments = 0u64;
    let mut block = vec![0u8; BLOCK];
    let read_opts = ReadOptions {
        keep_extra: true,
        allow_empty: true,
        ..ReadOptions::default()
    };
    loop {
        let n = read_full(&mut reader, &mut block).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound | std::io::ErrorKind::PermissionDenied => {
                GenimlError::io(path, e)
            }
            _ => GenimlError::BedParse {
                path: path.to_path_buf(),
                line: lines_before + 1,
                msg: format!("could not read the fragment file (truncated or corrupt gzip?): {e}"),
            },
        })?;
        let eof = n < block.len();
        carry.extend_from_slice(&block[..n]);
        let cut = if eof {
            carry.len()
        } else {
            match memchr::memrchr(b'\n', &carry) {
                Some(k) => k + 1,
                None => continue,
            }
        };
        let (rs, rep) = parse_bed(&carry[..cut], path, &read_opts).map_err(|e| match e {
            GenimlError::BedParse { path, line, msg } => GenimlError::BedParse {
                path,
                line: line + lines_before,
                msg,
            },
            other => other,
        })?;
        lines_before += rep.n_lines;
        n_fragments += rs.len() as u64;
        let hits = tok.overlaps(&rs.view(), opts, false);
        let extra = rs.extra.as_ref();
        for i in 0..rs.len() {
            let bc = extra.map_or(&b""[..], |x| {
                let t = x.get(i);
                memchr::memchr(b'\t', t).map_or(t, |k| &t[..k])
            });
            let bc = if bc.is_empty() { stem.as_bytes() } else { bc };
            // A lossy decoding would merge distinct barcodes into one cell: refuse instead.
            let Ok(bc) = std::str::from_utf8(bc) else {
                return Err(GenimlError::InvalidInput(format!(
                    "{}: fragment {} has a barcode that is not valid UTF-8 ({:?}); barcodes \
                     must be text",
                    path.display(),
                    n_fragments - rs.len() as u64 + i as u64 + 1,
                    String::from_utf8_lossy(&bc[..bc.len().min(64)])
                )));
            };
            let bc = std::borrow::Cow::Borrowed(bc);
            if let Some(keep) = barcodes {
                if !keep.contains(bc.as_ref()) {
                    continue;
                }
            }
            let id = if let Some(&id) = cell_ids.get(bc.as_ref()) {
                id
            } else {
                let id = names.len() as u32;
                cell_ids.insert(bc.to_string(), id);
                names.push(bc.into_owned());
                per_cell.push(Vec::new());
                id
            };
            per_cell[id as usize].extend_from_slice(hits.row(i));
        }
        carry.drain(..cut);
        if eof {
            break;
        }
    }
    if n_fragments == 0 {
        return Err(GenimlError::BedParse {
            path: path.to_path_buf(),
            line: 0,
            msg: format!(
                "no fragment lines ({lines_before} line(s), all empty, comments or headers): \
                 expected `chrom<TAB>start<TAB>end<TAB>barcode[<TAB>count]`"
            ),
        });
    }
    per_cell.par_iter_mut().for_each(|v| {
        v.sort_unstable();
        v.dedup();
    });
    let mut tokens = Csr {
        offsets: Vec::with_capacity(per_cell.len() + 1),
        ..Csr::default()
    };
    tokens.offsets.push(0);
    for v in per_cell {
        tokens.ids.extend_from_slice(&v);
        tokens.offsets.push(tokens.ids.len() as u64);
    }
    Ok(CellTokens {
        barcodes: names,
        tokens,
        n_fragments,
    })
}

fn read_full(r: &mut dyn Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}
