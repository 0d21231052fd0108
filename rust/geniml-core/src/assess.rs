//! Assessment of a universe against the files of a collection (upstream geniml `assess`):
//! base-pair overlap (for the F10 score), median boundary distances in both directions (hard
//! and flexible) and the fraction of input regions the universe overlaps. Files are merged
//! first (bedtools-merge semantics) as upstream does; files are processed in parallel.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::regions::RegionsRef;

/// A universe: regions, and for flexible universes the core `[thickStart, thickEnd)`.
#[derive(Debug, Clone, Copy)]
pub struct UniverseRef<'a> {
    /// The regions.
    pub regions: RegionsRef<'a>,
    /// `(thickStarts, thickEnds)` of a flexible (BED9) universe.
    pub thick: Option<(&'a [u32], &'a [u32])>,
}

/// Assessment of one file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FileAssessment {
    /// Universe bases not in the file.
    pub only_universe: u64,
    /// File bases not in the universe.
    pub only_file: u64,
    /// Bases in both.
    pub both: u64,
    /// Median distance of file starts/ends to the nearest universe starts/ends.
    pub median_file_to_universe: Option<f64>,
    /// The same from universe to file.
    pub median_universe_to_file: Option<f64>,
    /// Flexible variant (universe boundaries are the intervals `[start, thickStart]` and
    /// `[thickEnd, end]`); `None` for hard universes.
    pub median_file_to_universe_flex: Option<f64>,
    /// Flexible variant from universe to file.
    pub median_universe_to_file_flex: Option<f64>,
    /// Regions of the (unmerged) file.
    pub n_regions: u64,
    /// Regions of the file overlapping at least one universe region.
    pub n_overlapping: u64,
}

type Iv = (u32, u32);

struct ChromUni {
    regions: Vec<Iv>,
    merged: Vec<Iv>,
    starts: Vec<u32>,
    ends: Vec<u32>,
    start_iv: Vec<Iv>,
    end_iv: Vec<Iv>,
}

fn merge(mut v: Vec<Iv>) -> Vec<Iv> {
    v.sort_unstable();
    let mut out: Vec<Iv> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(l) if s <= l.1 => l.1 = l.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn group<'a>(r: &RegionsRef<'a>) -> HashMap<&'a str, Vec<usize>> {
    let mut m: HashMap<&str, Vec<usize>> = HashMap::new();
    for i in 0..r.len() {
        m.entry(r.names[r.chroms[i] as usize].as_str())
            .or_default()
            .push(i);
    }
    m
}

fn overlap_bp(a: &[Iv], b: &[Iv]) -> u64 {
    let (mut i, mut j, mut total) = (0, 0, 0u64);
    while i < a.len() && j < b.len() {
        let lo = a[i].0.max(b[j].0);
        let hi = a[i].1.min(b[j].1);
        if hi > lo {
            total += u64::from(hi - lo);
        }
        if a[i].1 < b[j].1 {
            i += 1;
        } else {
            j += 1;
        }
    }
    total
}

fn nearest(sorted: &[u32], q: u32) -> Option<u32> {
    let k = sorted.partition_point(|&x| x < q);
    let after = sorted.get(k).map(|&x| x - q);
    let before = k.checked_sub(1).map(|i| q - sorted[i]);
    match (before, after) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// Distance from `q` to the nearest of disjoint sorted closed intervals `[a, b]`.
fn nearest_iv(ivs: &[Iv], q: u32) -> Option<u32> {
    let k = ivs.partition_point(|&(a, _)| a <= q);
    let mut best: Option<u32> = None;
    for i in [k.checked_sub(1), Some(k)].into_iter().flatten() {
        if let Some(&(a, b)) = ivs.get(i) {
            let d = if a <= q && q <= b {
                0
            } else {
                a.abs_diff(q).min(b.abs_diff(q))
            };
            best = Some(best.map_or(d, |x: u32| x.min(d)));
        }
    }
    best
}

/// Distance from the closed interval `[a, b]` to the nearest sorted position.
fn nearest_to_iv(sorted: &[u32], (a, b): Iv) -> Option<u32> {
    let k = sorted.partition_point(|&x| x < a);
    if sorted.get(k).is_some_and(|&x| x <= b) {
        return Some(0);
    }
    let after = sorted.get(k).map(|&x| x - b);
    let before = k.checked_sub(1).map(|i| a - sorted[i]);
    match (before, after) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, y) => x.or(y),
    }
}

fn median(mut v: Vec<u32>) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let n = v.len();
    Some(if n % 2 == 1 {
        f64::from(v[n / 2])
    } else {
        f64::midpoint(f64::from(v[n / 2 - 1]), f64::from(v[n / 2]))
    })
}

fn sorted_col(v: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut c: Vec<u32> = v.collect();
    c.sort_unstable();
    c
}

/// Assess `universe` against every file (in parallel; order kept).
pub fn assess(universe: &UniverseRef<'_>, files: &[RegionsRef<'_>]) -> Vec<FileAssessment> {
    let u = &universe.regions;
    let mut uni: HashMap<&str, ChromUni> = HashMap::new();
    for (name, rows) in group(u) {
        let regions: Vec<Iv> = rows.iter().map(|&i| (u.starts[i], u.ends[i])).collect();
        let (start_iv, end_iv) = match universe.thick {
            Some((ts, te)) => {
                let mut s: Vec<Iv> = rows.iter().map(|&i| (u.starts[i], ts[i])).collect();
                let mut e: Vec<Iv> = rows.iter().map(|&i| (te[i], u.ends[i])).collect();
                s.sort_unstable();
                e.sort_unstable();
                (s, e)
            }
            None => (Vec::new(), Vec::new()),
        };
        uni.insert(
            name,
            ChromUni {
                merged: merge(regions.clone()),
                starts: sorted_col(regions.iter().map(|r| r.0)),
                ends: sorted_col(regions.iter().map(|r| r.1)),
                regions,
                start_iv,
                end_iv,
            },
        );
    }
    let uni_bp: u64 = uni
        .values()
        .flat_map(|c| c.merged.iter())
        .map(|&(s, e)| u64::from(e - s))
        .sum();
    let flexible = universe.thick.is_some();
    files
        .par_iter()
        .map(|f| assess_file(&uni, uni_bp, flexible, f))
        .collect()
}

fn assess_file(
    uni: &HashMap<&str, ChromUni>,
    uni_bp: u64,
    flexible: bool,
    f: &RegionsRef<'_>,
) -> FileAssessment {
    let mut out = FileAssessment {
        n_regions: f.len() as u64,
        ..FileAssessment::default()
    };
    let (mut ftu, mut utf, mut ftu_x, mut utf_x) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut file_bp = 0u64;
    for (name, rows) in group(f) {
        let raw: Vec<Iv> = rows.iter().map(|&i| (f.starts[i], f.ends[i])).collect();
        let merged = merge(raw.clone());
        file_bp += merged.iter().map(|&(s, e)| u64::from(e - s)).sum::<u64>();
        let Some(c) = uni.get(name) else {
            continue;
        };
        out.both += overlap_bp(&c.merged, &merged);
        for &(s, e) in &raw {
            let k = c.merged.partition_point(|&(_, ue)| ue <= s);
            if c.merged.get(k).is_some_and(|&(us, _)| us < e) {
                out.n_overlapping += 1;
            }
        }
        let fs: Vec<u32> = merged.iter().map(|r| r.0).collect();
        let fe: Vec<u32> = merged.iter().map(|r| r.1).collect();
        for &(s, e) in &merged {
            ftu.extend(nearest(&c.starts, s));
            ftu.extend(nearest(&c.ends, e));
            if flexible {
                ftu_x.extend(nearest_iv(&c.start_iv, s));
                ftu_x.extend(nearest_iv(&c.end_iv, e));
            }
        }
        for &(s, e) in &c.regions {
            utf.extend(nearest(&fs, s));
            utf.extend(nearest(&fe, e));
        }
        if flexible {
            for &iv in &c.start_iv {
                utf_x.extend(nearest_to_iv(&fs, iv));
            }
            for &iv in &c.end_iv {
                utf_x.extend(nearest_to_iv(&fe, iv));
            }
        }
    }
    out.only_universe = uni_bp - out.both;
    out.only_file = file_bp - out.both;
    out.median_file_to_universe = median(ftu);
    out.median_universe_to_file = median(utf);
    if flexible {
        out.median_file_to_universe_flex = median(ftu_x);
        out.median_universe_to_file_flex = median(utf_x);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn overlap_and_distances() {
        let names = vec!["c".to_string()];
        let (uc, us, ue) = (vec![0u32, 0], vec![10u32, 100], vec![20u32, 150]);
        let u = RegionsRef::new(&names, &uc, &us, &ue).unwrap();
        let (fc, fs, fe) = (vec![0u32, 0, 0], vec![12u32, 15, 300], vec![18u32, 25, 310]);
        let f = RegionsRef::new(&names, &fc, &fs, &fe).unwrap();
        let r = assess(
            &UniverseRef {
                regions: u,
                thick: None,
            },
            &[f],
        );
        let a = &r[0];
        // file merged: [12,25), [300,310)
        assert_eq!(a.both, 8);
        assert_eq!(a.only_universe, 10 + 50 - 8);
        assert_eq!(a.only_file, 13 + 10 - 8);
        assert_eq!(a.n_overlapping, 2);
        // starts 12->10 (2), 300->100 (200); ends 25->20 (5), 310->150 (160): median 82.5
        assert_eq!(a.median_file_to_universe, Some(82.5));
    }

    #[test]
    fn interval_distances() {
        let ivs = vec![(10, 20), (40, 45)];
        assert_eq!(nearest_iv(&ivs, 15), Some(0));
        assert_eq!(nearest_iv(&ivs, 30), Some(10));
        assert_eq!(nearest_iv(&ivs, 50), Some(5));
        assert_eq!(nearest_to_iv(&[5, 33], (10, 20)), Some(5));
        assert_eq!(nearest_to_iv(&[12], (10, 20)), Some(0));
    }
}
