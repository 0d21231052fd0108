//! An augmented interval list (AIList-style) per chromosome for overlap queries.
//!
//! Intervals are sorted by start within sublists; each sublist keeps the running maximum of ends,
//! so that a query scans backwards from the last interval starting before its end and stops as
//! soon as no earlier interval can reach it. Long intervals, which would make those scans long,
//! are moved to later sublists (Feng, Ratan & Sheffield 2019). Intervals are half-open.

/// Sublist decomposition parameters: look at the next `LOOKAHEAD` intervals; an interval that
/// overlaps at least `MIN_COVERED` of them moves to the next sublist.
const LOOKAHEAD: usize = 20;
const MIN_COVERED: usize = 10;
const MAX_LEVELS: usize = 10;

#[derive(Debug, Clone, Default)]
struct Sublist {
    starts: Vec<u32>,
    ends: Vec<u32>,
    max_end: Vec<u32>,
    ids: Vec<u32>,
}

impl Sublist {
    fn from_sorted(items: &[(u32, u32, u32)]) -> Self {
        let mut s = Sublist {
            starts: Vec::with_capacity(items.len()),
            ends: Vec::with_capacity(items.len()),
            max_end: Vec::with_capacity(items.len()),
            ids: Vec::with_capacity(items.len()),
        };
        let mut m = 0u32;
        for &(st, en, id) in items {
            m = m.max(en);
            s.starts.push(st);
            s.ends.push(en);
            s.max_end.push(m);
            s.ids.push(id);
        }
        s
    }

    /// Index of the first interval starting at or after `qe`, galloping forward from `hint`
    /// (queries visited in increasing `qe` make this amortised O(1)); `hint` is updated.
    #[inline]
    fn upper_bound(&self, qe: u32, hint: &mut usize) -> usize {
        let n = self.starts.len();
        let mut lo = (*hint).min(n);
        if lo > 0 && self.starts[lo - 1] >= qe {
            // the query went backwards: plain binary search
            let p = self.starts.partition_point(|&s| s < qe);
            *hint = p;
            return p;
        }
        let mut step = 1;
        let mut hi = lo;
        while hi < n && self.starts[hi] < qe {
            lo = hi + 1;
            hi += step;
            step *= 2;
        }
        let hi = hi.min(n);
        let p = lo + self.starts[lo..hi].partition_point(|&s| s < qe);
        *hint = p;
        p
    }

    #[inline]
    fn query_from(&self, qs: u32, qe: u32, hint: &mut usize, out: &mut impl FnMut(u32, u32, u32)) {
        let mut i = self.upper_bound(qe, hint);
        while i > 0 {
            i -= 1;
            if self.max_end[i] <= qs {
                break;
            }
            if self.ends[i] > qs {
                out(self.ids[i], self.starts[i], self.ends[i]);
            }
        }
    }

    #[inline]
    fn query(&self, qs: u32, qe: u32, out: &mut impl FnMut(u32, u32, u32)) {
        let mut i = self.starts.partition_point(|&s| s < qe);

        while i > 0 {
            i -= 1;
            if self.max_end[i] <= qs {
                break;
            }
            if self.ends[i] > qs {
                out(self.ids[i], self.starts[i], self.ends[i]);
            }
        }
    }
}

/// The intervals of one chromosome.
#[derive(Debug, Clone, Default)]
pub struct ChromIndex {
    sublists: Vec<Sublist>,
}

impl ChromIndex {
    /// Build from `(start, end, id)` triples in any order.
    pub fn new(items: Vec<(u32, u32, u32)>) -> Self {
        Self::with_duplicates(items).0
    }

    /// Build, also returning the ids of intervals equal to one with a smaller id, as
    /// `(duplicate id, first id)` pairs.
    pub fn with_duplicates(mut items: Vec<(u32, u32, u32)>) -> (Self, Vec<(u32, u32)>) {
        items.sort_unstable();
        let mut dups = Vec::new();
        for w in items.windows(2) {
            if w[0].0 == w[1].0 && w[0].1 == w[1].1 {
                // ids ascend within equal (start, end); report against the first copy
                let first = items[..].partition_point(|x| (x.0, x.1) < (w[0].0, w[0].1));
                dups.push((w[1].2, items[first].2));
            }
        }
        let mut sublists = Vec::new();
        let mut level = 0;
        while !items.is_empty() {
            if level + 1 == MAX_LEVELS || items.len() <= LOOKAHEAD {
                sublists.push(Sublist::from_sorted(&items));
                break;
            }
            let mut keep = Vec::with_capacity(items.len());
            let mut moved = Vec::new();
            for (i, &it) in items.iter().enumerate() {
                let window = &items[i + 1..(i + 1 + LOOKAHEAD).min(items.len())];
                let covered = window.iter().take_while(|w| w.0 < it.1).count();
                if covered >= MIN_COVERED {
                    moved.push(it);
                } else {
                    keep.push(it);
                }
            }
            sublists.push(Sublist::from_sorted(&keep));
            items = moved;
            level += 1;
        }
        (ChromIndex { sublists }, dups)
    }

    /// Call `out(id, start, end)` for every interval overlapping `[qs, qe)` by >= 1 bp.
    #[inline]
    pub fn for_each_overlap(&self, qs: u32, qe: u32, mut out: impl FnMut(u32, u32, u32)) {
        if qs >= qe {
            return;
        }
        for s in &self.sublists {
            s.query(qs, qe, &mut out);
        }
    }

    /// As [`Self::for_each_overlap`], resuming the search from `hints` (one per sublist, start
    /// them at 0 for each chromosome); fast when queries come in increasing end order.
    #[inline]
    pub fn for_each_overlap_from(
        &self,
        qs: u32,
        qe: u32,
        hints: &mut Vec<usize>,
        mut out: impl FnMut(u32, u32, u32),
    ) {
        if qs >= qe {
            return;
        }
        hints.resize(self.sublists.len(), 0);
        for (s, h) in self.sublists.iter().zip(hints.iter_mut()) {
            s.query_from(qs, qe, h, &mut out);
        }
    }

    /// Number of intervals.
    pub fn len(&self) -> usize {
        self.sublists.iter().map(|s| s.ids.len()).sum()
    }

    /// True when empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn finds_exactly_the_overlaps(
            ivs in proptest::collection::vec((0u32..2000, 0u32..400), 0..300),
            qs in proptest::collection::vec((0u32..2100, 0u32..300), 1..50),
        ) {
            let items: Vec<(u32, u32, u32)> = ivs.iter().enumerate().map(|(i, &(s, l))| (s, s + l, i as u32)).collect();
            let idx = ChromIndex::new(items.clone());
            prop_assert_eq!(idx.len(), items.len());
            let mut hints = Vec::new();
            for &(q, l) in &qs {
                let (a, b) = (q, q + l);
                let mut got = Vec::new();
                idx.for_each_overlap(a, b, |id, _, _| got.push(id));
                got.sort_unstable();
                // the resumed search gives the same hits, whatever order queries come in
                let mut resumed = Vec::new();
                idx.for_each_overlap_from(a, b, &mut hints, |id, _, _| resumed.push(id));
                resumed.sort_unstable();
                prop_assert_eq!(&resumed, &got);

                let want: Vec<u32> = items.iter().filter(|&&(s, e, _)| s < b && e > a && a < b).map(|x| x.2).collect();
                prop_assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn long_intervals_move_to_later_sublists() {
        let mut items: Vec<(u32, u32, u32)> = (0..1000).map(|i| (i * 10, i * 10 + 5, i)).collect();
        items.push((0, 1_000_000, 1000));
        let idx = ChromIndex::new(items);
        assert!(idx.sublists.len() >= 2);
        let mut hits = Vec::new();
        idx.for_each_overlap(9_995, 9_996, |id, _, _| hits.push(id));
        assert_eq!(hits, vec![1000]);
    }
}
