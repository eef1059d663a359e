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
    fill_body, fill_path, fill_query, Bindings, Call, ResourceKind, ResourceTable,
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
    /// The other parameters of its path (a parent's id), for the table's templates.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub params: BTreeMap<String, String>,
}

/// A create about to be sent: written (and synced) before the request leaves, so that a run
/// killed before the answer still says what it may have made, and how to find it without its id.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateIntent {
    /// Ties the `created` or `not_created` entry that follows to this intent.
    pub token: String,
    /// The operation (or `METHOD path` of a raw step).
    pub operation: String,
    /// The method.
    pub method: String,
    /// The resolved path the create is sent to (its kind's collection).
    pub path: String,
    /// The run that sent it.
    pub run_id: String,
    /// The name the body gives the new resource, when it gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// When it was written (RFC 3339, UTC), to look for it by hand when nothing else finds it.
    pub at: String,
    /// The step expected the create to be refused (a negative case): a body built to be
    /// refused often cannot carry a name, and most likely made nothing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub expects_refusal: bool,
}

/// How a search by name that could not be made starts its detail when the create was expected
/// to be refused: reported, not failed (`conform restore` prints it as a warning).
pub const UNCONFIRMED: &str = "unconfirmed:";

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
    /// `saved`, `restored`, `restore_failed`, `create_intent`, `created`, `not_created`,
    /// `deleted` or `delete_failed`.
    pub event: String,
    /// The case that changed the resource.
    pub case: String,
    /// The resource.
    pub resource: Resource,
    /// The saved state (on `saved`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<State>,
    /// What happened (on `restored`, `restore_failed`, `not_created`, `deleted` and
    /// `delete_failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The create this entry announces (`create_intent`; its resource has no id yet) or
    /// settles (`created`, `not_created`, and `deleted`/`delete_failed` of a search by name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<CreateIntent>,
}

impl Entry {
    /// Whether this entry announces a create whose id the ledger does not know.
    pub fn is_open_intent(&self) -> bool {
        self.event == "create_intent"
    }
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
    // A kind's create, wherever its collection sits (`/v2.0/ports`, `/v3/{p}/vpc/vpcs`).
    if let Some(kind) = table.creating(method, path) {
        if kind.delete.is_none() || !kind.finds_created_id() {
            return Err(Unrestorable::NoDelete {
                kind: kind.kind.clone(),
                method: method.into(),
                path: path.into(),
            });
        }
        return Ok(());
    }
    let Some(kind) = table.of_path(path) else {
        let Some(collection) = crate::contract::resources::collection_of(path) else {
            return Err(Unrestorable::NoCollection {
                method: method.into(),
                path: path.into(),
            });
        };
        return Err(Unrestorable::Unknown {
            collection: collection.into(),
            method: method.into(),
            path: path.into(),
        });
    };
    // A POST to the collection itself creates one: it must be deletable.
    let creates = method == "POST" && is_collection_path(path);
    if creates && (kind.delete.is_none() || !kind.finds_created_id()) {
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
            params: BTreeMap::new(),
        })
    }

    /// The key the lock table uses.
    pub fn key(&self) -> String {
        format!("{}/{}/{}", self.project, self.collection, self.id)
    }

    /// Whether two records name one resource: one service, one collection, one id (the
    /// project is left out: a path outside any project gives the lock key none to read).
    pub fn same(&self, other: &Resource) -> bool {
        self.base_url == other.base_url
            && self.collection == other.collection
            && self.id == other.id
    }

    fn bindings(&self) -> Bindings<'_> {
        let mut b: Bindings<'_> = self
            .params
            .iter()
            .map(|(k, v)| (k.as_str(), Value::String(v.clone())))
            .collect();
        b.insert("project_id", Value::String(self.project.clone()));
        b.insert("id", Value::String(self.id.clone()));
        b
    }
}

/// The undo ledger, appended to by every case: a file on disk for real targets, kept in memory
/// for the built-in mock, whose state ends with the run (so every target takes one run path:
/// what a case changes is saved first and undone after it).
#[derive(Debug)]
pub struct Ledger {
    path: PathBuf,
    /// None in memory: nothing is written.
    file: Option<Mutex<std::fs::File>>,
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
            file: Some(Mutex::new(file)),
        })
    }

    /// A ledger in memory: nothing outlives the run, as nothing the built-in mock holds does.
    pub fn in_memory() -> Ledger {
        Ledger {
            path: PathBuf::from("(in memory)"),
            file: None,
        }
    }

    /// Whether it is kept in memory only.
    pub fn is_in_memory(&self) -> bool {
        self.file.is_none()
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends one line and syncs it, so a crash right after cannot lose it.
    pub fn append(&self, entry: &Entry) -> Result<(), String> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let line = serde_json::to_string(entry).map_err(|e| e.to_string())?;
        let mut f = file.lock().unwrap_or_else(|p| p.into_inner());
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
        // A create is open from its intent until its id (or a refusal) is recorded; once the id
        // is, the resource is open until deleted.
        let intent_key = entry.intent.as_ref().map(|i| format!("intent|{}", i.token));
        if let Some(k) = &intent_key {
            match entry.event.as_str() {
                "create_intent" => {
                    open.insert(k.clone(), (n, entry));
                    continue;
                }
                "created" | "not_created" => {
                    open.remove(k);
                }
                // A search by name settles the intent (deleted: nothing of it is left).
                "deleted" if entry.resource.id.is_empty() => {
                    open.remove(k);
                    continue;
                }
                _ if entry.resource.id.is_empty() => continue,
                _ => {}
            }
        }
        // By collection and id: a kind outside any project (`/v2.0/ports`) has no project
        // segment for a lock key to read, and its saved and created entries must still meet.
        let r = &entry.resource;
        let key = format!("{}|{}|{}", r.base_url, r.collection, r.id);
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
        self.call_with(base, call, b, &[]).await
    }

    /// [`Self::call`] with a query (a list narrowed to one id).
    async fn call_with(
        &self,
        base: &str,
        call: &Call,
        b: &Bindings<'_>,
        query: &[(String, String)],
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
        // The call's own documented query, then the one narrowing a list to one id.
        let mut all = fill_query(&call.query, b);
        all.extend(query.iter().cloned());
        let (url, headers) = authorize(
            self.auth,
            &call.method,
            base,
            &path,
            &all,
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

    /// Follows the job an asynchronous create answered until it ends, for at most `within`
    /// (the first pause 250 ms, doubling up to 2 s): the new id once it succeeds, None when it
    /// failed (nothing was made), an error when it did not end in time or cannot be read.
    pub async fn follow_job(
        &self,
        r: &Resource,
        job_id: &str,
        within: std::time::Duration,
    ) -> Result<Option<String>, String> {
        let kind = self.kind(r)?;
        let Some(follow) = &kind.created_by_job else {
            return Err(format!(
                "resource kind '{}' has no job to follow",
                kind.kind
            ));
        };
        let mut b = r.bindings();
        b.insert("job_id", Value::String(job_id.to_string()));
        let started = std::time::Instant::now();
        let mut pause = std::time::Duration::from_millis(250);
        loop {
            let job = self.ok(&r.base_url, &follow.query, &b).await?;
            match job.get("status").and_then(Value::as_str) {
                Some("SUCCESS") => {
                    return match job.pointer(&follow.entity).and_then(Value::as_str) {
                        Some(id) if !id.is_empty() => Ok(Some(id.to_string())),
                        _ => Err(format!(
                            "job {job_id} succeeded naming no id at {}",
                            follow.entity
                        )),
                    }
                }
                Some("FAIL") => return Ok(None),
                _ if started.elapsed() + pause > within => {
                    return Err(format!("job {job_id} did not end within {within:?}"))
                }
                _ => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(std::time::Duration::from_secs(2));
                }
            }
        }
    }

    /// Whether a read of the resource answers 404 (it does not exist).
    pub async fn absent(&self, r: &Resource) -> bool {
        let Ok(kind) = self.kind(r) else {
            return false;
        };
        matches!(
            self.call(&r.base_url, &kind.read, &r.bindings()).await,
            Ok((404, _))
        )
    }

    /// Reads a resource's state.
    pub async fn read(&self, r: &Resource) -> Result<State, String> {
        let kind = self.kind(r)?;
        let v = match &kind.read_by_list {
            // A kind read through its list: its item there, which must be listed.
            Some(how) => {
                let b = r.bindings();
                let answer = match self
                    .call_with(&r.base_url, &kind.read, &b, &how.query(&r.id))
                    .await?
                {
                    (200..=299, v) => v,
                    (status, v) => {
                        return Err(format!(
                            "{} {}: status {status} {v}",
                            kind.read.method,
                            fill_path(&kind.read.path, &b)
                        ))
                    }
                };
                how.find(&answer, &r.id)
                    .cloned()
                    .ok_or_else(|| format!("{} {} is not listed", kind.kind, r.id))?
            }
            None => self.ok(&r.base_url, &kind.read, &r.bindings()).await?,
        };
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

    /// Deletes what a create whose id never arrived made, found by the name it was sent with:
    /// the kind's collection is listed and every item of that name is deleted, each verified by
    /// a read. Only a name that carries the run id is looked for: any other could be a name
    /// someone else's resource has too. Nothing of that name is a success: the create never
    /// made one.
    pub async fn delete_by_name(
        &self,
        r: &Resource,
        intent: &CreateIntent,
    ) -> Result<String, String> {
        let kind = self.kind(r)?;
        let what = format!(
            "the create ({} {}, sent {}) got no id back",
            intent.method, intent.path, intent.at
        );
        let name = match &intent.name {
            Some(n) if super::creates::carries(n, &intent.run_id) => n,
            // A negative case's body (no envelope, a name of the wrong type or length): the
            // target should have refused it; a target that did not is a finding of its own.
            _ if intent.expects_refusal => {
                return Ok(format!(
                    "{UNCONFIRMED} {what}; it was expected to be refused and sent no name carrying run id {}, so it is not looked for; if the target accepted it, look for a {} created then by hand",
                    intent.run_id, kind.kind
                ))
            }
            Some(n) => {
                return Err(format!(
                    "{what}, and the name it sent ('{n}') does not carry run id {}: it cannot be told apart from what this run did not make; look for a {} of that name by hand",
                    intent.run_id, kind.kind
                ))
            }
            None => {
                return Err(format!(
                    "{what}, and it sent no name to find it by; look for a {} created then by hand",
                    kind.kind
                ))
            }
        };
        if kind.delete.is_none() {
            return Err(format!(
                "{what}; resource kind '{}' has no delete",
                kind.kind
            ));
        }
        let b = r.bindings();
        // Only the kind's list is searched: a kind without one (the contract documents no GET
        // of its collection) would answer a GET of the create's path 405, a failure that says
        // nothing of the leftover. What cannot be searched is said, for a search by hand.
        let Some(listed_at) = kind
            .list
            .as_ref()
            .filter(|l| l.method.eq_ignore_ascii_case("GET"))
        else {
            return Ok(format!(
                "{UNCONFIRMED} {what}; kind {} has no list: cannot find leftovers by name; look for a {} named '{name}' by hand",
                kind.kind, kind.kind
            ));
        };
        let list = Call {
            method: "GET".into(),
            path: fill_path(&listed_at.path, &b),
            body: None,
            query: Default::default(),
        };
        let listed = self.ok(&r.base_url, &list, &b).await?;
        let id_field = kind
            .created_id
            .as_deref()
            .and_then(|p| p.rsplit('/').next())
            .filter(|f| !f.is_empty() && f.parse::<usize>().is_err())
            .unwrap_or("id");
        let ids: Vec<String> = listed_items(&listed)
            .filter(|item| item.get("name").and_then(Value::as_str) == Some(name.as_str()))
            .filter_map(|item| match item.get(id_field)? {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect();
        if ids.is_empty() {
            return Ok(format!(
                "nothing named '{name}' in {} {}: the create made none",
                list.method, list.path
            ));
        }
        let mut failed = Vec::new();
        for id in &ids {
            let found = Resource {
                id: id.clone(),
                ..r.clone()
            };
            if let Err(e) = self.delete(&found).await {
                failed.push(format!("{id}: {e}"));
            }
        }
        if failed.is_empty() {
            Ok(format!(
                "found by name '{name}' and deleted and verified: {}",
                ids.join(", ")
            ))
        } else {
            Err(format!(
                "found by name '{name}' ({}), but not every one was deleted: {}",
                ids.join(", "),
                failed.join("; ")
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
        if let Some(how) = &kind.read_by_list {
            // A kind read through its list is gone once the list no longer shows it.
            return match self
                .call_with(&r.base_url, &kind.read, &b, &how.query(&r.id))
                .await?
            {
                (200..=299, v) if how.find(&v, &r.id).is_none() => {
                    Ok("deleted and verified".into())
                }
                // The list itself is gone: its parent was deleted (an API gateway's signature
                // keys below an instance the teardown deleted), and what it held with it.
                (404, _) => Ok("deleted and verified (its list is gone with its parent)".into()),
                (status, _) => Err(format!(
                    "delete verification failed: the list still shows it (status {status})"
                )),
            };
        }
        match self.call(&r.base_url, &kind.read, &b).await? {
            (404, _) => Ok("deleted and verified".into()),
            (status, _) => Err(format!(
                "delete verification failed: a read still answers {status}"
            )),
        }
    }
}

/// The items of a list answer: the answer itself when it is an array, else every object in an
/// array under one of its keys (`{"vpcs": [...]}`; a `*_links` array of a page holds no
/// named items and is passed over by the name match).
fn listed_items(v: &Value) -> impl Iterator<Item = &Value> {
    let arrays: Vec<&Vec<Value>> = match v {
        Value::Array(a) => vec![a],
        Value::Object(o) => o.values().filter_map(Value::as_array).collect(),
        _ => Vec::new(),
    };
    arrays.into_iter().flatten().filter(|i| i.is_object())
}
