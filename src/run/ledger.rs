//! The undo ledger: a real region is precious, so every resource a case changes is read first,
//! the state appended to a JSONL ledger (synced to disk before the case runs), and restored and
//! verified with a read after the case, pass or fail. `conform restore LEDGER` finishes the job
//! after a crash: every `saved` entry without a later `restored` one is restored.
//!
//! It knows the two resource kinds the operations change: EVS snapshots (name, description,
//! metadata) and ECS servers (metadata).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::auth::authorize;
use super::client::{Http, Outgoing};
use super::target::Auth;

/// A resource the ledger can save and restore.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Resource {
    /// `snapshot` or `server`.
    pub kind: String,
    /// Project id.
    pub project: String,
    /// Resource id.
    pub id: String,
    /// Base URL of the service that holds it.
    pub base_url: String,
}

/// What is saved of a resource.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// Snapshot name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Snapshot description.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Metadata items.
    pub metadata: BTreeMap<String, String>,
}

/// One ledger line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// `saved`, `restored` or `restore_failed`.
    pub event: String,
    /// The case that changed the resource.
    pub case: String,
    /// The resource.
    pub resource: Resource,
    /// The saved state (on `saved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    /// What happened (on `restored` and `restore_failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
}

/// One mutation and its restore, for the run report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Mutation {
    /// The resource.
    pub resource: Resource,
    /// Restored and verified by a read.
    pub restored: bool,
    /// What happened.
    pub detail: String,
}

impl Resource {
    /// The resource a lock key (`project/collection/id`) names, if the ledger knows its kind.
    pub fn from_key(key: &str, base_url: impl Fn(&str) -> Option<String>) -> Option<Resource> {
        let mut parts = key.split('/');
        let (project, collection, id) = (parts.next()?, parts.next()?, parts.next()?);
        let (kind, service) = match collection {
            "snapshots" => ("snapshot", "evs"),
            "servers" => ("server", "ecs"),
            _ => return None,
        };
        Some(Resource {
            kind: kind.into(),
            project: project.into(),
            id: id.into(),
            base_url: base_url(service)?,
        })
    }

    fn item_path(&self) -> String {
        match self.kind.as_str() {
            "snapshot" => format!("/v2/{}/snapshots/{}", self.project, self.id),
            _ => format!("/v2.1/{}/servers/{}", self.project, self.id),
        }
    }

    /// The key the lock table uses.
    pub fn key(&self) -> String {
        let collection = if self.kind == "snapshot" {
            "snapshots"
        } else {
            "servers"
        };
        format!("{}/{collection}/{}", self.project, self.id)
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

/// The `saved` entries that no `restored` entry followed, in file order.
pub fn pending(path: &Path) -> Result<Vec<Entry>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
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
            "saved" => {
                open.insert(key, (n, entry));
            }
            "restored" => {
                open.remove(&key);
            }
            _ => {}
        }
    }
    let mut list: Vec<(usize, Entry)> = open.into_values().collect();
    list.sort_by_key(|(n, _)| *n);
    Ok(list.into_iter().map(|(_, e)| e).collect())
}

/// Talks to the resources the ledger protects.
#[derive(Debug, Clone)]
pub struct Restorer<'a> {
    /// The pooled client.
    pub http: &'a Http,
    /// The target's auth.
    pub auth: &'a Auth,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Restorer<'_> {
    async fn call(
        &self,
        base: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<(u16, Value), String> {
        let mut headers = Vec::new();
        let bytes = body.map(|b| b.to_string().into_bytes());
        if bytes.is_some() {
            headers.push(("content-type".to_string(), "application/json".to_string()));
        }
        let (url, headers) = authorize(
            self.auth,
            method,
            base,
            path,
            &[],
            headers,
            bytes.as_deref(),
        )?;
        let method = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
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

    async fn ok(
        &self,
        base: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Value, String> {
        match self.call(base, method, path, body).await? {
            (200..=299, v) => Ok(v),
            (status, v) => Err(format!("{method} {path}: status {status} {v}")),
        }
    }

    /// Reads a resource's state.
    pub async fn read(&self, r: &Resource) -> Result<State, String> {
        let strings = |v: &Value| -> BTreeMap<String, String> {
            v.as_object()
                .map(|o| {
                    o.iter()
                        .map(|(k, v)| {
                            (
                                k.clone(),
                                v.as_str()
                                    .map(str::to_string)
                                    .unwrap_or_else(|| v.to_string()),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default()
        };
        if r.kind == "snapshot" {
            let v = self.ok(&r.base_url, "GET", &r.item_path(), None).await?;
            let s = &v["snapshot"];
            Ok(State {
                name: Some(s["name"].as_str().unwrap_or_default().to_string()),
                description: Some(s["description"].as_str().unwrap_or_default().to_string()),
                metadata: strings(&s["metadata"]),
            })
        } else {
            let v = self
                .ok(
                    &r.base_url,
                    "GET",
                    &format!("{}/metadata", r.item_path()),
                    None,
                )
                .await?;
            Ok(State {
                metadata: strings(&v["metadata"]),
                ..State::default()
            })
        }
    }

    /// Brings a resource back to a saved state and verifies it with a read. Writes nothing when
    /// the resource is already in that state.
    pub async fn restore(&self, r: &Resource, saved: &State) -> Result<String, String> {
        let now = self.read(r).await?;
        if &now == saved {
            return Ok("unchanged".into());
        }
        let base = &r.base_url;
        if r.kind == "snapshot" && (now.name != saved.name || now.description != saved.description)
        {
            let body = json!({"snapshot": {"name": saved.name, "description": saved.description}});
            self.ok(base, "PUT", &r.item_path(), Some(body)).await?;
        }
        let meta = format!("{}/metadata", r.item_path());
        for key in now
            .metadata
            .keys()
            .filter(|k| !saved.metadata.contains_key(*k))
        {
            self.ok(
                base,
                "DELETE",
                &format!("{meta}/{}", crate::contract::percent_encode_segment(key)),
                None,
            )
            .await?;
        }
        for (k, v) in saved
            .metadata
            .iter()
            .filter(|(k, v)| now.metadata.get(*k) != Some(*v))
        {
            self.ok(
                base,
                "PUT",
                &format!("{meta}/{}", crate::contract::percent_encode_segment(k)),
                Some(json!({"meta": {k: v}})),
            )
            .await?;
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
}
