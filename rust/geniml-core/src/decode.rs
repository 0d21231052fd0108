//! State-path decoding shared by the ML and HMM universes: four states (0 start, 1 core,
//! 2 end, 3 background) decoded per base by dynamic programming over the start/core/end
//! tracks, in log space, only inside windows around covered positions (as upstream geniml's
//! `find_full`), and the path turned into flexible regions. Coordinates are 0-based half-open.

use crate::coverage::ChromCoverage;
use crate::error::Result;
use crate::universe::FlexRegion;

/// Constant-value segments of the three tracks over `[from, to)`: `(start, end, [s, c, e])`.
pub(crate) fn joint_segments(c: &ChromCoverage, from: u32, to: u32) -> Vec<(u32, u32, [u32; 3])> {
    let tracks = [&c.start, &c.core, &c.end];
    let mut cuts: Vec<u32> = vec![from, to];
    let mut runs: Vec<Vec<(u32, u32, u32)>> = Vec::with_capacity(3);
    for t in tracks {
        let r: Vec<(u32, u32, u32)> = t.runs_in(from, to).collect();
        for &(s, e, _) in &r {
            cuts.push(s);
            cuts.push(e);
        }
        runs.push(r);
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut idx = [0usize; 3];
    let mut out = Vec::with_capacity(cuts.len());
    for w in cuts.windows(2) {
        let (s, e) = (w[0], w[1]);
        let mut vals = [0u32; 3];
        for t in 0..3 {
            while idx[t] < runs[t].len() && runs[t][idx[t]].1 <= s {
                idx[t] += 1;
            }
            if let Some(&(rs, _, v)) = runs[t].get(idx[t])
                && rs <= s
            {
                vals[t] = v;
            }
        }
        out.push((s, e, vals));
    }
    out
}

/// Upstream's `find_full`: windows around positions where any track is non-zero (500 bp on
/// each side; positions more than 1000 bp apart start a new window).
pub(crate) fn windows(c: &ChromCoverage, values: impl Fn([u32; 3]) -> bool) -> Vec<(u32, u32)> {
    let segs = joint_segments(c, 0, c.size);
    let mut nz: Vec<(u32, u32)> = Vec::new();
    for (s, e, v) in segs {
        if values(v) {
            match nz.last_mut() {
                Some(l) if l.1 == s => l.1 = e,
                _ => nz.push((s, e)),
            }
        }
    }
    let mut out: Vec<(u32, u32)> = Vec::new();
    let mut first = true;
    let mut cur: Option<(u32, u32)> = None; // first and last non-zero position
    for (s, e) in nz {
        match cur {
            Some((a, last)) if s - last <= 1000 => cur = Some((a, e - 1)),
            Some((a, last)) => {
                out.push((win_start(a, first), last.saturating_add(500)));
                first = false;
                cur = Some((s, e - 1));
            }
            None => cur = Some((s, e - 1)),
        }
    }
    if let Some((a, last)) = cur {
        out.push((win_start(a, first), last.saturating_add(500).min(c.size)));
    }
    out
}

fn win_start(first_pos: u32, first_window: bool) -> u32 {
    if first_window && first_pos <= 1000 {
        0
    } else {
        first_pos.saturating_sub(500)
    }
}

/// Viterbi over `segs` (constant emissions per segment), cyclic topology: state `j` is reached
/// from `j` or `j - 1` (0 from 3). Ties keep the state (upstream ML), or with `lowest_wins`
/// go to the lower-numbered predecessor (hmmlearn's argmax). Returns the per-base path.
fn decode(
    segs: &[(u32, u32, [u32; 3])],
    emit: impl Fn([u32; 3]) -> Result<[f64; 4]>,
    log_stay: [f64; 4],
    log_move: [f64; 4],
    log_start: [f64; 4],
    lowest_wins: bool,
) -> Result<Vec<u8>> {
    let n: usize = segs.iter().map(|&(s, e, _)| (e - s) as usize).sum();
    let mut back: Vec<u8> = Vec::with_capacity(n);
    let mut score = [f64::NEG_INFINITY; 4];
    let mut first = true;
    for &(s, e, v) in segs {
        let em = emit(v)?;
        for _ in s..e {
            if first {
                for j in 0..4 {
                    score[j] = log_start[j] + em[j];
                }
                back.push(0);
                first = false;
                continue;
            }
            let mut bits = 0u8;
            let mut next = [0.0; 4];
            for j in 0..4 {
                let p = (j + 3) % 4;
                let stay = score[j] + log_stay[j];
                let mv = score[p] + log_move[j];
                if mv > stay || (lowest_wins && j > 0 && mv == stay) {
                    bits |= 1 << j;
                    next[j] = mv + em[j];
                } else {
                    next[j] = stay + em[j];
                }
            }
            score = next;
            back.push(bits);
        }
    }
    let mut path = vec![3u8; n];
    if n == 0 {
        return Ok(path);
    }
    let mut state = 0usize;
    for j in 1..4 {
        if score[j] > score[state] {
            state = j;
        }
    }
    for i in (0..n).rev() {
        path[i] = state as u8;
        if back[i] & (1 << state) != 0 {
            state = (state + 3) % 4;
        }
    }
    Ok(path)
}

/// Upstream's `predictions_to_bed`: each run of non-background states becomes a flexible
/// region, its core from the first core base to the first end base. Runs without a core or an
/// end state are skipped (upstream raised `IndexError` on them, or dropped the last one).
fn path_to_regions(offset: u32, path: &[u8], out: &mut Vec<FlexRegion>) {
    let mut i = 0;
    while i < path.len() {
        if path[i] == 3 {
            i += 1;
            continue;
        }
        let mut j = i;
        while j < path.len() && path[j] != 3 {
            j += 1;
        }
        let run = &path[i..j];
        let core = run.iter().position(|&s| s == 1);
        let end = run.iter().position(|&s| s == 2);
        if let (Some(a), Some(b)) = (core, end) {
            out.push(FlexRegion {
                start: offset + i as u32,
                end: offset + j as u32,
                thick: (offset + (i + a) as u32, offset + (i + b) as u32),
            });
        }
        i = j;
    }
}

/// Decode one chromosome window by window.
pub(crate) fn decode_chrom(
    c: &ChromCoverage,
    nonzero: impl Fn([u32; 3]) -> bool,
    transform: impl Fn([u32; 3]) -> [u32; 3],
    emit: impl Fn([u32; 3]) -> Result<[f64; 4]>,
    log_stay: [f64; 4],
    log_move: [f64; 4],
    log_start: [f64; 4],
    lowest_wins: bool,
) -> Result<Vec<FlexRegion>> {
    let mut out = Vec::new();
    for (s, e) in windows(c, &nonzero) {
        let e = e.min(c.size);
        let segs: Vec<(u32, u32, [u32; 3])> = joint_segments(c, s, e)
            .into_iter()
            .map(|(a, b, v)| (a, b, transform(v)))
            .collect();
        let path = decode(&segs, &emit, log_stay, log_move, log_start, lowest_wins)?;
        path_to_regions(s, &path, &mut out);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_follows_the_cycle() {
        // Emissions favour 3,0,0,1,1,2,3.
        let pref = [3usize, 0, 0, 1, 1, 2, 3];
        let segs: Vec<(u32, u32, [u32; 3])> = pref
            .iter()
            .enumerate()
            .map(|(i, &p)| (i as u32, i as u32 + 1, [p as u32, 0, 0]))
            .collect();
        let emit = |v: [u32; 3]| -> Result<[f64; 4]> {
            let mut e = [-5.0; 4];
            e[v[0] as usize] = 0.0;
            Ok(e)
        };
        let path = decode(&segs, emit, [0.0; 4], [0.0; 4], [0.0; 4], false).unwrap();
        assert_eq!(path, vec![3, 0, 0, 1, 1, 2, 3]);
        let mut out = Vec::new();
        path_to_regions(100, &path, &mut out);
        assert_eq!(
            out,
            vec![FlexRegion {
                start: 101,
                end: 106,
                thick: (103, 105)
            }]
        );
    }
}
