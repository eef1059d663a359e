//! Resource locks: cases that touch the same resource never interleave.
//!
//! A case's resources come from its resolved paths (`{project}/{collection}/{id}`, the API
//! version dropped so that v2 and v3 of one snapshot are one resource) or from its `resource`
//! field. Mutating cases take them exclusively, reading cases shared; keys are taken in sorted
//! order, so two cases can never wait on each other.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedRwLockReadGuard, OwnedRwLockWriteGuard, RwLock};

/// The resource a resolved path names.
pub fn resource_key(path: &str) -> String {
    let segments: Vec<&str> = path
        .split('?')
        .next()
        .unwrap_or("")
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let skip = usize::from(segments.first().is_some_and(|s| {
        s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
    }));
    segments
        .iter()
        .skip(skip)
        .take(3)
        .copied()
        .collect::<Vec<_>>()
        .join("/")
}

/// A guard held for the duration of a case.
#[derive(Debug)]
pub enum Guard {
    /// Shared.
    Read(OwnedRwLockReadGuard<()>),
    /// Exclusive.
    Write(OwnedRwLockWriteGuard<()>),
}

/// The lock table of one run.
#[derive(Debug, Default)]
pub struct Locks {
    table: Mutex<HashMap<String, Arc<RwLock<()>>>>,
}

impl Locks {
    fn lock_for(&self, key: &str) -> Arc<RwLock<()>> {
        let mut table = self.table.lock().unwrap_or_else(|p| p.into_inner());
        table.entry(key.to_string()).or_default().clone()
    }

    /// Takes every lock a case needs (key → exclusive?), in sorted key order.
    pub async fn acquire(&self, wanted: &BTreeMap<String, bool>) -> Vec<Guard> {
        let mut guards = Vec::with_capacity(wanted.len());
        for (key, exclusive) in wanted {
            let lock = self.lock_for(key);
            guards.push(if *exclusive {
                Guard::Write(lock.write_owned().await)
            } else {
                Guard::Read(lock.read_owned().await)
            });
        }
        guards
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_collapse_to_one_resource() {
        assert_eq!(resource_key("/v2/p/snapshots/s1"), "p/snapshots/s1");
        assert_eq!(resource_key("/v3/p/snapshots/s1"), "p/snapshots/s1");
        assert_eq!(
            resource_key("/v2/p/snapshots/s1/metadata/k"),
            "p/snapshots/s1"
        );
        assert_eq!(
            resource_key("/v2.1/p/servers/x/metadata/k?q=1"),
            "p/servers/x"
        );
    }
}
