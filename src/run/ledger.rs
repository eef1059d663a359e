//! The undo ledger: a real region is precious, so every resource a case changes is read first,
//! the state appended to a JSONL ledger (synced to disk before the change is sent), and restored
//! and verified with a read after the case, pass or fail; every resource a case creates is
//! deleted after it. `conform restore LEDGER` finishes the job after a crash: every `saved`
//! entry without a later `restored` one is restored, every `created` one without a `deleted`
//! one is deleted.
//!
//! What a resource is, how to read, restore and delete it, comes from the contract's resource
//! table ([`crate::contract::resources`]): this module interprets it and knows no kind itself.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::auth::authorize;
use super::client::{Http, Outgoing};
use super::target::Auth;
use crate::contract::resources::{
    fill_body, fill_path, Bindings, Call, ResourceKind, ResourceTable,
};

/// A resource the ledger can save and restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// The kind, a name from the resource table.
    pub kind: String,
    /// Its collection segment.
    pub collection: String,
    /// Project id.
    pub project: String,
    /// Resource id.
    pub id: String,
    /// Base URL of the service that holds it.
    pub base_url: String,
}

/// What is saved of a resource: its fields and its items, as the table names them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Scalar fields by name (absent ones are null).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fields: BTreeMap<String, Value>,
    /// Items (metadata), when the kind has them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<BTreeMap<String, Value>>,
}

/// One ledger line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// `saved`, `restored`, `restore_failed`, `created`, `deleted` or `delete_failed`.
    pub event: String,
    /// The case that changed the resource.
    pub case: String,
    /// The resource.
    pub resource: Resource,
    /// The saved state (on `saved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    /// What happened (on `restored`, `restore_failed`, `deleted` and `delete_failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One mutation and its undo, for the run report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mutation {
    /// The resource.
    pub resource: Resource,
    /// Restored (or deleted) and verified by a read.
    pub restored: bool,
    /// What happened.
    pub detail: String,
}

/// Why the ledger cannot protect a change: said before anything is sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Unrestorable {
    /// The collection is not in the table.
    #[error("no undo for {collection} ({method} {path}): add it to the resource table (resources: in pages.yaml), or pass --allow-unrestorable")]
    Unknown {
        /// The collection segment.
        collection: String,
        /// The method.
        method: String,
        /// The path template.
        path: String,
    },
    /// A create of a kind that cannot be deleted.
    #[error("no delete for {kind} ({method} {path} creates one): add delete and created_id to its resource entry, or pass --allow-unrestorable")]
    NoDelete {
        /// The kind.
        kind: String,
        /// The method.
        method: String,
        /// The path template.
        path: String,
    },
    /// The path names no collection at all.
    #[error("no undo for {method} {path}: the path names no resource collection; pass --allow-unrestorable")]
    NoCollection {
        /// The method.
        method: String,
        /// The path template.
        path: String,
    },
}

/// Whether the table can undo a mutating request to `path` (a template or a resolved path).
pub fn check_undo(table: &ResourceTable, method: &str, path: &str) -> Result<(), Unrestorable> {
    let Some(collection) = crate::contract::resources::collection_of(path) else {
        return Err(Unrestorable::NoCollection {
            method: method.into(),
            path: path.into(),
        });
    };
    let Some(kind) = table.by_collection(collection) else {
        return Err(Unrestorable::Unknown {
            collection: collection.into(),
            method: method.into(),
            path: path.into(),
        });
    };
    // A POST to the collection itself creates one: it must be deletable.
    let creates = method == "POST" && is_collection_path(path);
    if creates && (kind.delete.is_none() || kind.created_id.is_none()) {
        return Err(Unrestorable::NoDelete {
            kind: kind.kind.clone(),
            method: method.into(),
            path: path.into(),
        });
    }
    Ok(())
}

/// Whether a path ends at the collection (no id after it).
pub fn is_collection_path(path: &str) -> bool {
    crate::run::locks::resource_key(path).split('/').count() == 2
}

impl Resource {
    /// The resource a lock key (`project/collection/id`) names, if the table knows its kind.
    pub fn from_key(
        key: &str,
        table: &ResourceTable,
        base_url: impl Fn(&str) -> Option<String>,
    ) -> Option<Resource> {
        let mut parts = key.split('/');
        let (project, collection, id) = (parts.next()?, parts.next()?, parts.next()?);
        let kind = table.by_collection(collection)?;
        Some(Resource {
            kind: kind.kind.clone(),
            collection: collection.into(),
            project: project.into(),
            id: id.into(),
            base_url: base_url(&kind.service)?,
        })
    }

    /// The key the lock table uses.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.project, self.collection, self.id)
    }

    fn bindings(&self) -> Bindings<'static> {
        let mut b = Bindings::new();
        b.insert("project_id", Value::String(self.project.clone()));
        b.insert("id", Value::String(self.id.clone()));
        b
    }
}

/// The ledger file, appended to by every case.
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl Ledger {
    /// Opens (creates) a ledger for appending.
    pub fn open(path: &Path) -> Result<Ledger, String> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| format!("ledger {}: {e}", path.display()))?;
        Ok(Ledger {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and syncs it, so a crash right after cannot lose it.
    pub fn append(&self, entry: &Entry) -> Result<(), String> {
        let line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
        let mut f = self.file.lock().unwrap_or_else(|p| p.into_inner());
        writeln!(f, "{line}")
            .and_then(|_| f.sync_data())
            .map_err(|e| format!("ledger {}: {e}", self.path.display()))
    }
}

/// The `saved` entries that no `restored` entry followed, in file order, each with its line
/// number (1-based), so a refusal can point at the entry.
pub fn pending(path: &Path) -> Result<Vec<(usize, Entry)>, String> {
    let text = crate::input::read_text(path, crate::input::REPORT)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let mut open: BTreeMap<String, (usize, Entry)> = BTreeMap::new();
    for (n, line) in text
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        // A line cut by a crash is the last one; anything else malformed is an error.
        let entry: Entry = match serde_json::from_str(line) {
            Ok(e) => e,
            Err(_) if n + 1 == text.lines().count() => continue,
            Err(e) => {
                return Err(format!(
                    "{}:{}: not a ledger entry: {e}",
                    path.display(),
                    n + 1
                ))
            }
        };
        let key = format!("{}|{}", entry.resource.base_url, entry.resource.key());
        match entry.event.as_str() {
            // A resource created and then changed is deleted, not restored.
            "saved" if open.get(&key).is_none_or(|(_, e)| e.event != "created") => {
                open.insert(key, (n, entry));
            }
            "created" => {
                open.insert(key, (n, entry));
            }
            "restored" | "deleted" => {
                open.remove(&key);
            }
            _ => {}
        }
    }
    let mut list: Vec<(usize, Entry)> = open.into_values().collect();
    list.sort_by_key(|(n, _)| *n);
    Ok(list.into_iter().map(|(n, e)| (n + 1, e)).collect())
}

/// Talks to the resources the ledger protects, as the resource table says.
#[derive(Debug, Clone)]
pub struct Restorer<'a> {
    /// The pooled client.
    pub http: &'a Http,
    /// The target's auth.
    pub auth: &'a Auth,
    /// Per-request timeout.
    pub timeout: Duration,
    /// The resource table.
    pub table: &'a ResourceTable,
}

impl Restorer<'_> {
    async fn call(
        &self,
        base: &str,
        call: &Call,
        b: &Bindings<'_>,
    ) -> Result<(u16, Value), String> {
        let path = fill_path(&call.path, b);
        let mut headers = Vec::new();
        let bytes = call
            .body
            .as_ref()
            .map(|t| fill_body(t, b).to_string().into_bytes());
        if bytes.is_some() {
            headers.push(("content-type".to_string(), "application/json".to_string()));
        }
        let (url, headers) = authorize(
            self.auth,
            &call.method,
            base,
            &path,
            &[],
            headers,
            bytes.as_deref(),
        )?;
        let method =
            reqwest::Method::from_bytes(call.method.as_bytes()).map_err(|e| e.to_string())?;
        let resp = self
            .http
            .send(
                &Outgoing {
                    method,
                    url,
                    headers,
                    body: bytes,
                },
                self.timeout,
            )
            .await
            .map_err(|e| e.to_string())?;
        let json = serde_json::from_slice(&resp.body).unwrap_or(Value::Null);
        Ok((resp.status, json))
    }

    async fn ok(&self, base: &str, call: &Call, b: &Bindings<'_>) -> Result<Value, String> {
        match self.call(base, call, b).await? {
            (200..=299, v) => Ok(v),
            (status, v) => Err(format!(
                "{} {}: status {status} {v}",
                call.method,
                fill_path(&call.path, b)
            )),
        }
    }

    fn kind(&self, r: &Resource) -> Result<&ResourceKind, String> {
        self.table.by_kind(&r.kind).ok_or_else(|| {
            format!(
                "resource kind '{}' is not in the resource table (resources.json)",
                r.kind
            )
        })
    }

    /// Reads a resource's state.
    pub async fn read(&self, r: &Resource) -> Result<State, String> {
        let kind = self.kind(r)?;
        let v = self.ok(&r.base_url, &kind.read, &r.bindings()).await?;
        let fields = kind
            .fields
            .iter()
            .map(|(name, ptr)| (name.clone(), v.pointer(ptr).cloned().unwrap_or(Value::Null)))
            .collect();
        let items = kind.items.as_ref().map(|i| {
            v.pointer(&i.pointer)
                .and_then(Value::as_object)
                .map(|o| o.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default()
        });
        Ok(State { fields, items })
    }

    /// Brings a resource back to a saved state and verifies it with a read. Writes nothing when
    /// the resource is already in that state.
    pub async fn restore(&self, r: &Resource, saved: &State) -> Result<String, String> {
        let kind = self.kind(r)?;
        let now = self.read(r).await?;
        if &now == saved {
            return Ok("unchanged".into());
        }
        let base = &r.base_url;
        if now.fields != saved.fields {
            if let Some(update) = &kind.update {
                let mut b = r.bindings();
                for (k, v) in &saved.fields {
                    b.insert(k.as_str(), v.clone());
                }
                self.ok(base, update, &b).await?;
            }
        }
        if let (Some(items), Some(now_items), Some(saved_items)) =
            (&kind.items, &now.items, &saved.items)
        {
            for key in now_items.keys().filter(|k| !saved_items.contains_key(*k)) {
                let mut b = r.bindings();
                b.insert("key", Value::String(key.clone()));
                self.ok(base, &items.delete, &b).await?;
            }
            for (k, v) in saved_items
                .iter()
                .filter(|(k, v)| now_items.get(*k) != Some(*v))
            {
                let mut b = r.bindings();
                b.insert("key", Value::String(k.clone()));
                b.insert("value", v.clone());
                self.ok(base, &items.put, &b).await?;
            }
        }
        let after = self.read(r).await?;
        if &after == saved {
            Ok("restored and verified".into())
        } else {
            Err(format!(
                "restore verification failed: read back {after:?}, expected {saved:?}"
            ))
        }
    }

    /// Deletes what a case created and verifies that a read no longer finds it.
    pub async fn delete(&self, r: &Resource) -> Result<String, String> {
        let kind = self.kind(r)?;
        let Some(delete) = &kind.delete else {
            return Err(format!("resource kind '{}' has no delete", kind.kind));
        };
        let b = r.bindings();
        match self.call(&r.base_url, delete, &b).await? {
            (200..=299 | 404, _) => {}
            (status, v) => {
                return Err(format!(
                    "{} {}: status {status} {v}",
                    delete.method,
                    fill_path(&delete.path, &b)
                ))
            }
        }
        match self.call(&r.base_url, &kind.read, &b).await? {
            (404, _) => Ok("deleted and verified".into()),
            (status, _) => Err(format!(
                "delete verification failed: a read still answers {status}"
            )),
        }
    }
}
