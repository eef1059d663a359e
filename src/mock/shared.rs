//! The one store of the emulated kinds (EVS snapshots, v2 and v3 alike; ECS servers; their
//! metadata), which both tiers read and write: the hand-written emulation owns the data (typed,
//! as its fixtures are), and the contract tier's memory hands every request on these kinds to it
//! as JSON. So whatever one tier creates, updates or deletes, the other sees.

use std::collections::BTreeMap;
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};

use bytes::Bytes;
use serde_json::{json, Map, Value};

use super::state::{self, now, Server, Snapshot, State};

/// Serialised show-snapshot bodies: owner project → snapshot id → [v2, v3]. Serialising a
/// snapshot was a fifth of a GET's instructions, and reads outnumber writes in every suite.
/// Hashed with foldhash: SipHash of the two keys cost a GET about 480 instructions.
pub(super) type Rendered = foldhash::HashMap<String, foldhash::HashMap<String, [Option<Bytes>; 2]>>;

/// The emulation's state and the bodies rendered from it.
#[derive(Debug)]
pub struct Shared {
    /// Resources. A plain lock: critical sections are short and never await. Private: every
    /// change goes through [`Shared::write`], which forgets the rendered bodies.
    store: RwLock<State>,
    /// Show-snapshot bodies already serialised, for the state as it is.
    pub(super) rendered: Mutex<Rendered>,
}

impl Shared {
    /// A store holding `state`.
    pub fn new(state: State) -> Shared {
        Shared {
            store: RwLock::new(state),
            rendered: Mutex::new(Rendered::default()),
        }
    }

    /// Reads the state (a panicked writer cannot leave it half-changed: every write is one
    /// assignment or insert, so a poisoned lock is still consistent).
    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.store.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Changes the state, and forgets every rendered body: no change, however small, can leave
    /// a stale one behind.
    pub fn write(&self) -> RwLockWriteGuard<'_, State> {
        let guard = self.store.write().unwrap_or_else(|p| p.into_inner());
        self.rendered
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
        guard
    }

    /// The concrete collection of the emulated kind `template` (a normalised collection
    /// template: `/v2/{}/snapshots`) that holds `id`, in `project` (None: any project).
    pub fn find(&self, template: &str, id: &str, project: Option<&str>) -> Option<String> {
        let kind = Kind::of(template)?;
        let store = self.read();
        let in_project = |p: &str| project.is_none_or(|want| want == p);
        let fill = |parts: &[&str]| {
            parts
                .iter()
                .fold(template.to_string(), |t, p| t.replacen("{}", p, 1))
        };
        match kind {
            Kind::Snapshots => store
                .snapshots
                .iter()
                .find(|(p, m)| in_project(p) && m.contains_key(id))
                .map(|(p, _)| fill(&[p])),
            Kind::Servers => store
                .servers
                .iter()
                .find(|(p, m)| in_project(p) && m.contains_key(id))
                .map(|(p, _)| fill(&[p])),
            Kind::SnapshotMeta => store.snapshots.iter().find_map(|(p, m)| {
                let s = m
                    .values()
                    .find(|s| in_project(p) && s.metadata.contains_key(id))?;
                Some(fill(&[p, &s.id]))
            }),
            Kind::ServerMeta => store.servers.iter().find_map(|(p, m)| {
                let s = m
                    .values()
                    .find(|s| in_project(p) && s.metadata.contains_key(id))?;
                Some(fill(&[p, &s.id]))
            }),
        }
    }

    /// Whether the concrete collection holds `id`.
    pub fn holds(&self, at: &Owned, id: &str) -> bool {
        self.get(at, id).is_some()
    }

    /// One item of a collection, as the contract tier stores bodies (`{"snapshot": {…}}`,
    /// `{"meta": {key: value}}`).
    pub fn get(&self, at: &Owned, id: &str) -> Option<Value> {
        let store = self.read();
        match at {
            Owned::Snapshots(p) => Some(snapshot_json(p, store.snapshots.get(p)?.get(id)?)),
            Owned::Servers(p) => Some(server_json(p, store.servers.get(p)?.get(id)?)),
            Owned::SnapshotMeta(p, s) => {
                let v = store.snapshots.get(p)?.get(s)?.metadata.get(id)?;
                Some(json!({"meta": {id: v}}))
            }
            Owned::ServerMeta(p, s) => {
                let v = store.servers.get(p)?.get(s)?.metadata.get(id)?;
                Some(json!({"meta": {id: v}}))
            }
        }
    }

    /// Every item of a collection, in the order the emulation lists them.
    pub fn list(&self, at: &Owned) -> Vec<Value> {
        let store = self.read();
        let meta = |m: &BTreeMap<String, String>| -> Vec<Value> {
            m.iter().map(|(k, v)| json!({"meta": {k: v}})).collect()
        };
        match at {
            Owned::Snapshots(p) => store
                .snapshots
                .get(p)
                .map(|m| m.values().map(|s| snapshot_json(p, s)).collect())
                .unwrap_or_default(),
            Owned::Servers(p) => store
                .servers
                .get(p)
                .map(|m| m.values().map(|s| server_json(p, s)).collect())
                .unwrap_or_default(),
            Owned::SnapshotMeta(p, s) => store
                .snapshots
                .get(p)
                .and_then(|m| m.get(s))
                .map(|s| meta(&s.metadata))
                .unwrap_or_default(),
            Owned::ServerMeta(p, s) => store
                .servers
                .get(p)
                .and_then(|m| m.get(s))
                .map(|s| meta(&s.metadata))
                .unwrap_or_default(),
        }
    }

    /// Stores what the contract tier created under `id`: the body's fields the emulation keeps,
    /// the rest as a new one starts (an `available` snapshot, an `active` server).
    pub fn insert(&self, at: &Owned, id: &str, body: &Value) {
        let mut store = self.write();
        match at {
            Owned::Snapshots(p) => {
                let s = snapshot_from(body, id, None);
                store
                    .snapshots
                    .entry(p.clone())
                    .or_default()
                    .insert(id.to_string(), s);
            }
            Owned::Servers(p) => {
                let s = server_from(body, id, None);
                store
                    .servers
                    .entry(p.clone())
                    .or_default()
                    .insert(id.to_string(), s);
            }
            Owned::SnapshotMeta(..) | Owned::ServerMeta(..) => {
                if let Some(m) = metadata_of(&mut store, at) {
                    if let Some(v) = meta_value(body, id) {
                        m.insert(id.to_string(), v);
                    }
                }
            }
        }
    }

    /// Applies `change` to an item's body and stores the result (unless `keep`: the
    /// `ignore-update` fault answers the change without storing it); None when there is no such
    /// item.
    pub fn update(
        &self,
        at: &Owned,
        id: &str,
        keep: bool,
        change: impl FnOnce(&mut Value),
    ) -> Option<Value> {
        let mut body = self.get(at, id)?;
        change(&mut body);
        if keep {
            return Some(body);
        }
        let mut store = self.write();
        match at {
            Owned::Snapshots(p) => {
                let s = store.snapshots.get_mut(p)?.get_mut(id)?;
                *s = snapshot_from(&body, id, Some(s));
                s.updated_at = now();
            }
            Owned::Servers(p) => {
                let s = store.servers.get_mut(p)?.get_mut(id)?;
                *s = server_from(&body, id, Some(s));
            }
            Owned::SnapshotMeta(..) | Owned::ServerMeta(..) => {
                let v = meta_value(&body, id)?;
                metadata_of(&mut store, at)?.insert(id.to_string(), v);
            }
        }
        Some(body)
    }

    /// Removes an item.
    pub fn remove(&self, at: &Owned, id: &str) {
        let mut store = self.write();
        match at {
            Owned::Snapshots(p) => {
                store.snapshots.get_mut(p).and_then(|m| m.remove(id));
            }
            Owned::Servers(p) => {
                store.servers.get_mut(p).and_then(|m| m.remove(id));
            }
            Owned::SnapshotMeta(..) | Owned::ServerMeta(..) => {
                metadata_of(&mut store, at).and_then(|m| m.remove(id));
            }
        }
    }
}

/// The emulated kinds, by their collection template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Snapshots,
    Servers,
    SnapshotMeta,
    ServerMeta,
}

impl Kind {
    /// The kind of a normalised collection template, if the emulation owns it.
    fn of(template: &str) -> Option<Kind> {
        let segs: Vec<&str> = template.split('/').collect();
        match segs.as_slice() {
            ["", "v2" | "v3", "{}", "snapshots"] => Some(Kind::Snapshots),
            ["", "v2.1", "{}", "servers"] => Some(Kind::Servers),
            ["", "v2" | "v3", "{}", "snapshots", "{}", "metadata"] => Some(Kind::SnapshotMeta),
            ["", "v2.1", "{}", "servers", "{}", "metadata"] => Some(Kind::ServerMeta),
            _ => None,
        }
    }
}

/// Whether the emulation owns the kind of a normalised collection template.
pub fn owns(template: &str) -> bool {
    Kind::of(template).is_some()
}

/// A concrete collection of an emulated kind: its project, and the owner of a metadata
/// collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owned {
    /// `/v2|v3/{project}/snapshots`.
    Snapshots(String),
    /// `/v2.1/{project}/servers`.
    Servers(String),
    /// `/v2|v3/{project}/snapshots/{snapshot}/metadata`.
    SnapshotMeta(String, String),
    /// `/v2.1/{project}/servers/{server}/metadata`.
    ServerMeta(String, String),
}

impl Owned {
    /// The emulated collection a concrete path is (decoded segments), if any.
    pub fn of(collection: &str) -> Option<Owned> {
        let segs: Vec<String> = collection
            .split('/')
            .map(super::contract_tier::percent_decode)
            .collect();
        let s: Vec<&str> = segs.iter().map(String::as_str).collect();
        match s.as_slice() {
            ["", "v2" | "v3", p, "snapshots"] => Some(Owned::Snapshots(p.to_string())),
            ["", "v2.1", p, "servers"] => Some(Owned::Servers(p.to_string())),
            ["", "v2" | "v3", p, "snapshots", id, "metadata"] => {
                Some(Owned::SnapshotMeta(p.to_string(), id.to_string()))
            }
            ["", "v2.1", p, "servers", id, "metadata"] => {
                Some(Owned::ServerMeta(p.to_string(), id.to_string()))
            }
            _ => None,
        }
    }
}

/// The path parameters that name an emulated resource.
pub const OWNED_PARAMS: &[&str] = &["snapshot_id", "server_id"];

impl Shared {
    /// Whether the emulation holds the resource a path parameter names (`snapshot_id`,
    /// `server_id`) in `project` (None: any project).
    pub fn names(&self, param: &str, id: &str, project: Option<&str>) -> bool {
        let store = self.read();
        let in_project = |p: &str| project.is_none_or(|want| want == p);
        match param {
            "snapshot_id" => store
                .snapshots
                .iter()
                .any(|(p, m)| in_project(p) && m.contains_key(id)),
            "server_id" => store
                .servers
                .iter()
                .any(|(p, m)| in_project(p) && m.contains_key(id)),
            _ => false,
        }
    }
}

/// The metadata map a metadata collection addresses.
fn metadata_of<'s>(store: &'s mut State, at: &Owned) -> Option<&'s mut BTreeMap<String, String>> {
    match at {
        Owned::SnapshotMeta(p, s) => Some(&mut store.snapshots.get_mut(p)?.get_mut(s)?.metadata),
        Owned::ServerMeta(p, s) => Some(&mut store.servers.get_mut(p)?.get_mut(s)?.metadata),
        _ => None,
    }
}

/// The value of metadata item `key` in a body (`{"meta": {key: value}}`).
fn meta_value(body: &Value, key: &str) -> Option<String> {
    match body.get("meta")?.get(key)? {
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

/// The one object a body holds its fields under (`{"snapshot": {…}}`), else the body.
fn inner<'v>(body: &'v Value, envelope: &str) -> &'v Value {
    body.get(envelope).filter(|v| v.is_object()).unwrap_or(body)
}

/// A body's metadata object as the emulation keeps it (strings; another value as its JSON).
fn metadata_from(v: Option<&Value>) -> Option<BTreeMap<String, String>> {
    let m = v?.as_object()?;
    Some(
        m.iter()
            .map(|(k, v)| {
                let v = match v {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                (k.clone(), v)
            })
            .collect(),
    )
}

fn snapshot_json(project: &str, s: &Snapshot) -> Value {
    json!({"snapshot": {
        "id": s.id,
        "name": s.name,
        "description": s.description,
        "status": s.status,
        "volume_id": s.volume_id,
        "size": s.size,
        "metadata": s.metadata,
        "created_at": s.created_at,
        "updated_at": s.updated_at,
        "os-extended-snapshot-attributes:project_id": project,
        "os-extended-snapshot-attributes:progress": if s.status == "creating" { "50%" } else { "100%" },
    }})
}

/// A snapshot from a body, over `prev` (a new one: `available`, as the emulation's create
/// stores it, with the times of now).
fn snapshot_from(body: &Value, id: &str, prev: Option<&Snapshot>) -> Snapshot {
    let o = inner(body, "snapshot");
    let text = |name: &str, old: Option<&String>| {
        o.get(name)
            .and_then(Value::as_str)
            .map(str::to_string)
            .or_else(|| old.cloned())
            .unwrap_or_default()
    };
    let stamp = now();
    let status = o
        .get("status")
        .and_then(Value::as_str)
        .filter(|s| prev.is_some() && state::SNAPSHOT_STATES.contains(s))
        .map(str::to_string)
        .or_else(|| prev.map(|p| p.status.clone()))
        .unwrap_or_else(|| "available".into());
    Snapshot {
        id: id.to_string(),
        name: text("name", prev.map(|p| &p.name)),
        description: text("description", prev.map(|p| &p.description)),
        status,
        volume_id: text("volume_id", prev.map(|p| &p.volume_id)),
        size: o
            .get("size")
            .and_then(Value::as_i64)
            .filter(|n| *n >= 0)
            .or(prev.map(|p| p.size))
            .unwrap_or(0),
        metadata: metadata_from(o.get("metadata"))
            .or_else(|| prev.map(|p| p.metadata.clone()))
            .unwrap_or_default(),
        created_at: prev.map_or_else(|| stamp.clone(), |p| p.created_at.clone()),
        updated_at: prev.map_or(stamp, |p| p.updated_at.clone()),
    }
}

fn server_json(project: &str, s: &Server) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(s.id));
    o.insert("name".into(), json!(s.name));
    o.insert("metadata".into(), json!(s.metadata));
    o.insert("OS-EXT-STS:vm_state".into(), json!(s.vm_state));
    o.insert("tenant_id".into(), json!(project));
    // Where its ports are: a view below the server (`…/servers/{id}/ips`) shows them.
    o.insert("addresses".into(), super::ecs::addresses_json(s));
    json!({ "server": o })
}

/// A server from a body, over `prev` (a new one is `active`: the mock builds at once).
fn server_from(body: &Value, id: &str, prev: Option<&Server>) -> Server {
    let o = inner(body, "server");
    let name = o
        .get("name")
        .and_then(Value::as_str)
        .map(str::to_string)
        .or_else(|| prev.map(|p| p.name.clone()))
        .unwrap_or_default();
    let vm_state = o
        .get("OS-EXT-STS:vm_state")
        .and_then(Value::as_str)
        .filter(|s| prev.is_some() && state::VM_STATES.contains(s))
        .map(str::to_string)
        .or_else(|| prev.map(|p| p.vm_state.clone()))
        .unwrap_or_else(|| "active".into());
    let metadata = metadata_from(o.get("metadata"))
        .or_else(|| prev.map(|p| p.metadata.clone()))
        .unwrap_or_default();
    let base = prev.cloned().unwrap_or_else(|| {
        // What the create asked for, where Nova's and Huawei's bodies name it.
        let text = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| o.get(*k).and_then(Value::as_str))
                .map(str::to_string)
        };
        let mut made = Server::new(id, &name, &vm_state);
        made.flavor_id = text(&["flavorRef", "flavor_ref"]).unwrap_or_default();
        made.image_id = text(&["imageRef", "image_ref"]);
        made.key_name = text(&["key_name"]);
        made.availability_zone = text(&["availability_zone"]).unwrap_or_default();
        made
    });
    Server {
        id: id.to_string(),
        name,
        vm_state,
        metadata,
        ..base
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A server a create makes is placed (a host string, as every page documents it) and keeps
    /// what the create asked for: its flavor, image, key pair and zone.
    #[test]
    fn a_created_server_is_placed_and_keeps_what_it_was_asked_for() {
        let body = json!({"server": {"name": "web", "flavorRef": "s6.small.1",
            "imageRef": "img-1", "key_name": "kp", "availability_zone": "az-1"}});
        let s = server_from(&body, "0123456789abcdef", None);
        assert_eq!(s.vm_state, "active");
        assert_eq!(s.host.as_deref(), Some("host-01234567"));
        assert_eq!(
            (
                s.flavor_id.as_str(),
                s.image_id.as_deref(),
                s.key_name.as_deref(),
                s.availability_zone.as_str()
            ),
            ("s6.small.1", Some("img-1"), Some("kp"), "az-1")
        );
        assert_eq!(
            s.addresses.len(),
            1,
            "one port on a network: {:?}",
            s.addresses
        );
        let building = Server::new("id", "n", "building");
        assert_eq!(building.host, None);
    }
}
