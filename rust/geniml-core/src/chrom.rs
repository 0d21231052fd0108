//! Chromosome names: natural ordering and interning.

use std::cmp::Ordering;
use std::collections::HashMap;

/// Sort key of a chromosome name in natural order:
/// chr1, chr2, ..., chr10, ..., chrX, chrY, chrM, then every other contig lexicographically.
/// The `chr` prefix is optional (`1`, `X`, `MT` sort like `chr1`, `chrX`, `chrM`).
fn natural_class(name: &str) -> (u8, u64) {
    let core = name.strip_prefix("chr").unwrap_or(name);
    if !core.is_empty() && core.len() <= 9 && core.bytes().all(|b| b.is_ascii_digit()) {
        return (0, core.parse::<u64>().unwrap_or(u64::MAX));
    }
    match core {
        "X" => (1, 0),
        "Y" => (2, 0),
        "M" | "MT" => (3, 0),
        _ => (4, 0),
    }
}

/// Compare two chromosome names in natural order.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    natural_class(a)
        .cmp(&natural_class(b))
        .then_with(|| a.cmp(b))
}

/// Rank of every name of `names` in natural order (`rank[id]` = position of `names[id]`).
pub fn natural_ranks(names: &[String]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&i, &j| natural_cmp(&names[i], &names[j]));
    let mut rank = vec![0u32; names.len()];
    for (r, &i) in order.iter().enumerate() {
        rank[i] = r as u32;
    }
    rank
}

/// An interned table of chromosome names: id `i` names `names()[i]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ChromTable {
    names: Vec<String>,
    ids: HashMap<String, u32>,
}

impl ChromTable {
    /// An empty table.
    pub fn new() -> Self {
        Self::default()
    }

    /// A table holding `names` in this order (duplicates keep their first id).
    pub fn from_names<I: IntoIterator<Item = S>, S: Into<String>>(names: I) -> Self {
        let mut t = Self::new();
        for n in names {
            t.intern(&n.into());
        }
        t
    }

    /// The id of `name`, adding it when new.
    pub fn intern(&mut self, name: &str) -> u32 {
        if let Some(&id) = self.ids.get(name) {
            return id;
        }
        let id = self.names.len() as u32;
        self.names.push(name.to_owned());
        self.ids.insert(name.to_owned(), id);
        id
    }

    /// The id of `name`, if known.
    pub fn get(&self, name: &str) -> Option<u32> {
        self.ids.get(name).copied()
    }

    /// All names, indexed by id.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Number of names.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// True when no name is interned.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Consume the table, returning the names.
    pub fn into_names(self) -> Vec<String> {
        self.names
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn natural_order() {
        let mut v = vec![
            "chrM",
            "chr10",
            "chrX",
            "chr2",
            "chr1",
            "chrY",
            "chrUn_gl1",
            "chr1_random",
            "chr22",
        ];
        v.sort_by(|a, b| natural_cmp(a, b));
        assert_eq!(
            v,
            vec![
                "chr1",
                "chr2",
                "chr10",
                "chr22",
                "chrX",
                "chrY",
                "chrM",
                "chr1_random",
                "chrUn_gl1"
            ]
        );
    }

    #[test]
    fn interning_is_stable() {
        let mut t = ChromTable::new();
        assert_eq!(t.intern("chr2"), 0);
        assert_eq!(t.intern("chr1"), 1);
        assert_eq!(t.intern("chr2"), 0);
        assert_eq!(t.get("chr1"), Some(1));
        assert_eq!(t.get("chr3"), None);
    }
}
