//! Shards: a deterministic, disjoint slice of a selection, so N processes on a CI matrix run
//! every case exactly once (nextest's `--partition`).
//!
//! Cases that touch one resource (the case's `resource:` or a resource path its steps name, the
//! same keys the runner locks on) form one group and always land in the same shard: two shards
//! on two machines can never change one resource at once. Groups are named by their smallest
//! case id, so the plan depends only on the selected case files, never on the process.
//!
//! - `count:K/N` (the default) deals groups, largest first, to the shard holding the fewest
//!   cases: shards are as even as the groups allow. Adding a case may move others to another
//!   shard, which does not matter when every shard runs the same commit (a CI matrix).
//! - `hash:K/N` puts a group by a hash of its name: a case keeps its shard as the suite grows,
//!   useful when shards are compared across commits (timings, flakiness per shard); sizes are
//!   only even on average, so small suites can be lopsided.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::str::FromStr;

use sha2::{Digest, Sha256};

/// The largest N accepted: more shards than this is a typo, not a CI matrix.
pub const MAX_SHARDS: usize = 1024;

/// How groups are dealt to shards.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ShardMode {
    /// Even shards (the default).
    #[default]
    Count,
    /// Stable shards: by a hash of the group's name.
    Hash,
}

/// One shard of N: `--shard [count:|hash:]K/N`, K counted from 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// How groups are dealt.
    pub mode: ShardMode,
    /// Which shard, 1 ≤ index ≤ total.
    pub index: usize,
    /// How many shards.
    pub total: usize,
}

/// Why a `--shard` value was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    /// Not `K/N`.
    #[error("'{0}': expected K/N, count:K/N or hash:K/N (for example 2/4)")]
    Syntax(String),
    /// An unknown mode before the colon.
    #[error("'{0}': unknown shard mode (expected count or hash)")]
    Mode(String),
    /// K or N out of range.
    #[error("'{value}': {why}")]
    Range {
        /// What was given.
        value: String,
        /// What is wrong.
        why: String,
    },
}

impl FromStr for Shard {
    type Err = ShardError;
    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let (mode, rest) = match s.split_once(':') {
            Some(("count", r)) => (ShardMode::Count, r),
            Some(("hash", r)) => (ShardMode::Hash, r),
            Some((m, _)) => return Err(ShardError::Mode(m.to_string())),
            None => (ShardMode::Count, s),
        };
        let (k, n) = rest
            .split_once('/')
            .ok_or_else(|| ShardError::Syntax(s.to_string()))?;
        let parse = |t: &str| {
            t.trim()
                .parse::<usize>()
                .map_err(|_| ShardError::Syntax(s.to_string()))
        };
        let (index, total) = (parse(k)?, parse(n)?);
        let range = |why: String| ShardError::Range {
            value: s.to_string(),
            why,
        };
        if total == 0 || total > MAX_SHARDS {
            return Err(range(format!("N must be from 1 to {MAX_SHARDS}")));
        }
        if index == 0 || index > total {
            return Err(range(format!("K must be from 1 to N ({total})")));
        }
        Ok(Shard { mode, index, total })
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mode = match self.mode {
            ShardMode::Count => "count",
            ShardMode::Hash => "hash",
        };
        write!(f, "{mode}:{}/{}", self.index, self.total)
    }
}

/// A fingerprint of a plan: the ids of every case it holds, in any order. The shard reports
/// of one suite and selection carry the same one; shards of different suites do not.
pub fn fingerprint<'a>(ids: impl Iterator<Item = &'a str>) -> String {
    use sha2::Digest;
    let mut ids: Vec<&str> = ids.collect();
    ids.sort_unstable();
    let mut hash = sha2::Sha256::new();
    for id in ids {
        hash.update(id.as_bytes());
        hash.update([0]);
    }
    hex::encode(&hash.finalize()[..8])
}

/// The shard (0-based) of each item, given its id and the resource keys it touches. Items
/// sharing a key share a shard; the result depends only on the ids and keys, not their order.
pub fn assign(items: &[(String, Vec<String>)], mode: ShardMode, total: usize) -> Vec<usize> {
    let total = total.max(1);
    // Union-find over items joined by a common key.
    let mut parent: Vec<usize> = (0..items.len()).collect();
    fn find(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut owner: HashMap<&str, usize> = HashMap::new();
    for (i, (_, keys)) in items.iter().enumerate() {
        for k in keys {
            match owner.get(k.as_str()) {
                Some(&j) => {
                    let (a, b) = (find(&mut parent, i), find(&mut parent, j));
                    if a != b {
                        parent[a.max(b)] = a.min(b);
                    }
                }
                None => {
                    owner.insert(k.as_str(), i);
                }
            }
        }
    }
    // Each group is named by its smallest id; members listed per group.
    let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    let mut root_name: HashMap<usize, &str> = HashMap::new();
    for (i, (id, _)) in items.iter().enumerate() {
        let r = find(&mut parent, i);
        let name = root_name.entry(r).or_insert(id.as_str());
        if id.as_str() < *name {
            *name = id.as_str();
        }
    }
    for i in 0..items.len() {
        let r = find(&mut parent, i);
        groups.entry(root_name[&r]).or_default().push(i);
    }
    let mut out = vec![0; items.len()];
    match mode {
        ShardMode::Hash => {
            for (name, members) in &groups {
                let digest = Sha256::digest(name.as_bytes());
                let mut first = [0u8; 8];
                first.copy_from_slice(&digest[..8]);
                let shard = (u64::from_be_bytes(first) % total as u64) as usize;
                for &i in members {
                    out[i] = shard;
                }
            }
        }
        ShardMode::Count => {
            // Largest first, ties by name; each to the lightest shard, ties to the lowest index.
            let mut order: Vec<(&str, &Vec<usize>)> = groups.iter().map(|(n, m)| (*n, m)).collect();
            order.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
            let mut load = vec![0usize; total];
            for (_, members) in order {
                let shard = (0..total).min_by_key(|&s| (load[s], s)).unwrap_or(0);
                load[shard] += members.len();
                for &i in members {
                    out[i] = shard;
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_parse_and_bad_values_are_refused() {
        assert_eq!(
            "2/4".parse::<Shard>(),
            Ok(Shard {
                mode: ShardMode::Count,
                index: 2,
                total: 4
            })
        );
        assert_eq!(
            "hash:1/1".parse::<Shard>().map(|s| s.mode),
            Ok(ShardMode::Hash)
        );
        for bad in [
            "0/4", "5/4", "1/0", "1/1025", "x/4", "3", "ring:1/2", "1/2/3",
        ] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn items_sharing_a_key_share_a_shard_and_count_is_even() {
        let items: Vec<(String, Vec<String>)> = (0..100)
            .map(|i| (format!("c{i:03}"), vec![format!("r{}", i / 4)]))
            .collect();
        for mode in [ShardMode::Count, ShardMode::Hash] {
            let a = assign(&items, mode, 5);
            for i in 0..100 {
                assert_eq!(a[i], a[i - i % 4], "{mode:?} {i}");
            }
        }
        let a = assign(&items, ShardMode::Count, 5);
        for s in 0..5 {
            assert_eq!(a.iter().filter(|&&x| x == s).count(), 20);
        }
    }
}
