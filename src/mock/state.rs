//! The mock's in-memory state: projects holding snapshots and servers, behind one lock.
//!
//! Fixtures are YAML; the defaults ship in `fixtures.yaml` with fixed ids. A broken fixtures file
//! is reported with file:line:column.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use time::format_description::FormatItem;
use time::macros::format_description;
use time::OffsetDateTime;

/// The default fixtures.
pub const DEFAULT_FIXTURES: &str = include_str!("fixtures.yaml");

/// Timestamp layout of the EVS pages: UTC `YYYY-MM-DDTHH:MM:SS.XXXXXX`.
const TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]");

/// Timestamp layout of a server's `created` and `updated` (the ECS server read): UTC
/// `YYYY-MM-DDTHH:MM:SSZ`.
const SERVER_TIMESTAMP: &[FormatItem<'static>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");

/// Now, in the documented layout.
pub fn now() -> String {
    timestamp(OffsetDateTime::now_utc())
}

/// Now, in a server's layout ([`SERVER_TIMESTAMP`]).
pub fn server_now() -> String {
    // As in `timestamp`: an `OffsetDateTime` has every component the layout names.
    OffsetDateTime::now_utc()
        .format(SERVER_TIMESTAMP)
        .unwrap_or_default()
}

/// Whether a server time is in its layout.
fn is_server_time(value: &str) -> bool {
    time::PrimitiveDateTime::parse(value, SERVER_TIMESTAMP).is_ok()
}

/// A UTC time in the documented layout ([`TIMESTAMP`]).
fn timestamp(t: OffsetDateTime) -> String {
    // `format` fails only on a value without a component the layout names: an
    // `OffsetDateTime` has them all.
    t.format(TIMESTAMP).unwrap_or_default()
}

/// The snapshot states the EVS pages document.
pub(super) const SNAPSHOT_STATES: &[&str] = &[
    "creating",
    "available",
    "error",
    "deleting",
    "error_deleting",
    "rollbacking",
    "backing-up",
];

/// Nova's server states (`OS-EXT-STS:vm_state`).
pub(super) const VM_STATES: &[&str] = &[
    "active",
    "building",
    "paused",
    "suspended",
    "stopped",
    "rescued",
    "resized",
    "soft_deleted",
    "deleted",
    "error",
    "shelved",
    "shelved_offloaded",
];

/// A snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    /// Id (UUID).
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// Description.
    #[serde(default)]
    pub description: String,
    /// One of the documented snapshot states.
    pub status: String,
    /// Source disk.
    #[serde(default)]
    pub volume_id: String,
    /// Size in GB.
    #[serde(default)]
    pub size: i64,
    /// Metadata items.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Creation time (set at load when absent).
    #[serde(default)]
    pub created_at: String,
    /// Last update time (set at load when absent).
    #[serde(default)]
    pub updated_at: String,
}

/// A server. Every field but `id` and `vm_state` has a default, so fixtures written before the
/// server read became whole still load.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Server {
    /// Id (UUID).
    pub id: String,
    /// Name.
    #[serde(default)]
    pub name: String,
    /// `OS-EXT-STS:vm_state`.
    pub vm_state: String,
    /// Metadata items.
    #[serde(default)]
    pub metadata: BTreeMap<String, String>,
    /// Creation time, UTC `YYYY-MM-DDTHH:MM:SSZ` (set at load when absent).
    #[serde(default)]
    pub created: String,
    /// Last change, same layout (set at load when absent; a metadata change moves it).
    #[serde(default)]
    pub updated: String,
    /// The user who created the server.
    #[serde(default)]
    pub user_id: String,
    /// The flavor's id.
    #[serde(default)]
    pub flavor_id: String,
    /// The image's id; none for a server booted from a disk (the read then shows `image: ""`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_id: Option<String>,
    /// The SSH key pair's name, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_name: Option<String>,
    /// The availability zone.
    #[serde(default)]
    pub availability_zone: String,
    /// The compute host; none while a server is not placed yet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host: Option<String>,
    /// `OS-DCF:diskConfig`: `AUTO` or `MANUAL`.
    #[serde(default = "manual")]
    pub disk_config: String,
    /// Addresses by network name.
    #[serde(default)]
    pub addresses: BTreeMap<String, Vec<Address>>,
    /// Names of the security groups.
    #[serde(default)]
    pub security_groups: Vec<String>,
    /// Ids of the attached disks.
    #[serde(default)]
    pub volumes_attached: Vec<String>,
    /// Why the server is in error, shown as `fault`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<ServerFault>,
}

fn manual() -> String {
    "MANUAL".into()
}

impl Server {
    /// A server made now (by a create through the contract tier): its id, name and state, no
    /// metadata; placed on a host of its own unless it is still building (a host is a string
    /// wherever a page documents it, null only before placement), with the one port every
    /// ECS server has, on a network of its own.
    pub fn new(id: &str, name: &str, vm_state: &str) -> Server {
        let now = server_now();
        let short = id.get(..8).unwrap_or(id);
        let host = (vm_state != "building").then(|| format!("host-{short}"));
        // The address and MAC are made from the id's bytes, so each server has its own.
        let b = id.as_bytes();
        let byte = |i: usize| b.get(i).copied().unwrap_or(0);
        let port = Address {
            addr: format!("192.168.{}.{}", byte(0), byte(1).max(2)),
            version: 4,
            mac_addr: format!("fa:16:3e:{:02x}:{:02x}:{:02x}", byte(2), byte(3), byte(4)),
            kind: fixed(),
        };
        let addresses = BTreeMap::from([(format!("net-{short}"), vec![port])]);
        Server {
            id: id.to_string(),
            name: name.to_string(),
            vm_state: vm_state.to_string(),
            metadata: BTreeMap::new(),
            created: now.clone(),
            updated: now,
            user_id: String::new(),
            flavor_id: String::new(),
            image_id: None,
            key_name: None,
            availability_zone: String::new(),
            host,
            disk_config: manual(),
            addresses,
            security_groups: Vec::new(),
            volumes_attached: Vec::new(),
            fault: None,
        }
    }
}

/// One address of a server on a network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Address {
    /// The IP address.
    pub addr: String,
    /// 4 or 6, as `addr` is.
    pub version: u8,
    /// The port's MAC address (`OS-EXT-IPS-MAC:mac_addr`).
    pub mac_addr: String,
    /// `fixed` or `floating` (`OS-EXT-IPS:type`).
    #[serde(default = "fixed", rename = "type")]
    pub kind: String,
}

fn fixed() -> String {
    "fixed".into()
}

/// The fault of a server in error.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerFault {
    /// The HTTP-like code Nova records (500 for most failures).
    pub code: u16,
    /// What went wrong.
    pub message: String,
}

/// A project and its resources.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Project {
    /// Project id.
    pub id: String,
    /// The project's name as IAM lists it: a region's main project is named after the region
    /// (`cn-north-4`), a subproject `<region>_<name>`. Runs find the project ids by it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Snapshots.
    #[serde(default)]
    pub snapshots: Vec<Snapshot>,
    /// Servers.
    #[serde(default)]
    pub servers: Vec<Server>,
}

/// The whole state, as fixtures and as the admin dump.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fixtures {
    /// Variables a run against this mock gets (project_id, snapshot_id, …), by name.
    #[serde(default)]
    pub vars: BTreeMap<String, String>,
    /// Projects.
    pub projects: Vec<Project>,
}

/// A fixtures file could not be used.
#[derive(Debug, thiserror::Error)]
#[error("{file}:{line}:{column}: {message}")]
pub struct FixtureError {
    /// The file (or `<default>`).
    pub file: String,
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl Fixtures {
    /// Parses fixtures YAML; `file` names the source in errors.
    pub fn parse(text: &str, file: &str) -> Result<Fixtures, FixtureError> {
        let mut fixtures: Fixtures = serde_saphyr::from_str(text).map_err(|e| {
            let (line, column, message) = crate::yaml::error_parts(&e);
            FixtureError {
                file: file.to_string(),
                line,
                column,
                message: crate::yaml::plain_words(&message),
            }
        })?;
        fixtures.check(text, file)?;
        let stamp = now();
        let server_stamp = server_now();
        for p in &mut fixtures.projects {
            for s in &mut p.servers {
                if s.created.is_empty() {
                    s.created = server_stamp.clone();
                }
                if s.updated.is_empty() {
                    s.updated = s.created.clone();
                }
            }
            for s in &mut p.snapshots {
                if s.created_at.is_empty() {
                    s.created_at = stamp.clone();
                }
                if s.updated_at.is_empty() {
                    s.updated_at = stamp.clone();
                }
            }
        }
        Ok(fixtures)
    }

    /// What the mock could not serve faithfully, refused with the line of the value: ids given
    /// twice (a lookup would find only one), states the pages do not document, a negative size.
    fn check(&self, text: &str, file: &str) -> Result<(), FixtureError> {
        // The line of `key: value` (the last one for a value given twice), else of the value.
        let find = |key: &str, value: &str, last: bool| {
            let needle = format!("{key}: {value}");
            let hits = |n: &str| -> Vec<(usize, usize)> {
                text.lines()
                    .enumerate()
                    .filter_map(|(i, l)| l.find(n).map(|c| (i + 1, c + 1)))
                    .collect()
            };
            let mut found = hits(&needle);
            if found.is_empty() {
                found = hits(value);
            }
            let pick = if last { found.last() } else { found.first() };
            pick.copied().unwrap_or((0, 0))
        };
        let twice = |key: &str, value: &str, message: String| {
            let (line, column) = find(key, value, true);
            FixtureError {
                file: file.to_string(),
                line,
                column,
                message,
            }
        };
        let fail = |key: &str, value: &str, message: String| {
            let (line, column) = find(key, value, false);
            FixtureError {
                file: file.to_string(),
                line,
                column,
                message,
            }
        };
        let mut projects = std::collections::BTreeSet::new();
        let mut ids = std::collections::BTreeSet::new();
        for p in &self.projects {
            if !projects.insert(p.id.as_str()) {
                return Err(twice(
                    "id",
                    &p.id,
                    format!("project '{}' is listed twice", p.id),
                ));
            }
            for s in &p.snapshots {
                if !ids.insert(s.id.as_str()) {
                    return Err(twice("id", &s.id, format!("id '{}' is used twice", s.id)));
                }
                if !SNAPSHOT_STATES.contains(&s.status.as_str()) {
                    return Err(fail(
                        "status",
                        &s.status,
                        format!(
                            "snapshot {}: status '{}' is not a documented snapshot state ({})",
                            s.id,
                            s.status,
                            SNAPSHOT_STATES.join(", ")
                        ),
                    ));
                }
                if s.size < 0 {
                    return Err(fail(
                        "size",
                        &s.size.to_string(),
                        format!("snapshot {}: size {} is negative", s.id, s.size),
                    ));
                }
            }
            for s in &p.servers {
                if !ids.insert(s.id.as_str()) {
                    return Err(twice("id", &s.id, format!("id '{}' is used twice", s.id)));
                }
                if !VM_STATES.contains(&s.vm_state.as_str()) {
                    return Err(fail(
                        "vm_state",
                        &s.vm_state,
                        format!(
                            "server {}: vm_state '{}' is not a server state ({})",
                            s.id,
                            s.vm_state,
                            VM_STATES.join(", ")
                        ),
                    ));
                }
                for (key, value) in [("created", &s.created), ("updated", &s.updated)] {
                    if !value.is_empty() && !is_server_time(value) {
                        return Err(fail(
                            key,
                            value,
                            format!(
                                "server {}: {key} '{value}' is not a UTC time as YYYY-MM-DDTHH:MM:SSZ",
                                s.id
                            ),
                        ));
                    }
                }
                if !matches!(s.disk_config.as_str(), "AUTO" | "MANUAL") {
                    return Err(fail(
                        "disk_config",
                        &s.disk_config,
                        format!(
                            "server {}: disk_config '{}' is neither AUTO nor MANUAL",
                            s.id, s.disk_config
                        ),
                    ));
                }
                for a in s.addresses.values().flatten() {
                    if let Some(message) = address_problem(a) {
                        return Err(fail("addr", &a.addr, format!("server {}: {message}", s.id)));
                    }
                }
            }
        }
        Ok(())
    }

    /// Reads a fixtures file.
    pub fn load(path: &Path) -> Result<Fixtures, FixtureError> {
        let text =
            crate::input::read_text(path, crate::input::DOCUMENT).map_err(|e| FixtureError {
                file: path.display().to_string(),
                line: 0,
                column: 0,
                message: e.to_string(),
            })?;
        Fixtures::parse(&text, &path.display().to_string())
    }

    /// The shipped defaults.
    pub fn defaults() -> Fixtures {
        // ok: the embedded file is covered by a test; a failure here is a build defect.
        Fixtures::parse(DEFAULT_FIXTURES, "<default fixtures>").expect("default fixtures parse")
    }
}

/// What is wrong with a server address, if anything: the read shows it as Nova does, so the
/// address must be an IP of its version, the MAC six hex pairs, the type fixed or floating.
fn address_problem(a: &Address) -> Option<String> {
    let version = match a.addr.parse::<std::net::IpAddr>() {
        Ok(std::net::IpAddr::V4(_)) => 4,
        Ok(std::net::IpAddr::V6(_)) => 6,
        Err(_) => return Some(format!("address '{}' is not an IP address", a.addr)),
    };
    if a.version != version {
        return Some(format!(
            "address '{}' is IPv{version}, not version {}",
            a.addr, a.version
        ));
    }
    let pairs: Vec<&str> = a.mac_addr.split(':').collect();
    if pairs.len() != 6
        || !pairs
            .iter()
            .all(|p| p.len() == 2 && p.chars().all(|c| c.is_ascii_hexdigit()))
    {
        return Some(format!("mac_addr '{}' is not six hex pairs", a.mac_addr));
    }
    if !matches!(a.kind.as_str(), "fixed" | "floating") {
        return Some(format!(
            "address type '{}' is neither fixed nor floating",
            a.kind
        ));
    }
    None
}

/// Live state, indexed for lookups.
#[derive(Debug, Clone, Default)]
pub struct State {
    /// project id → snapshot id → snapshot.
    pub snapshots: BTreeMap<String, BTreeMap<String, Snapshot>>,
    /// project id → server id → server.
    pub servers: BTreeMap<String, BTreeMap<String, Server>>,
}

impl State {
    /// Indexes fixtures.
    pub fn from_fixtures(f: &Fixtures) -> State {
        let mut state = State::default();
        for p in &f.projects {
            let snaps = state.snapshots.entry(p.id.clone()).or_default();
            for s in &p.snapshots {
                snaps.insert(s.id.clone(), s.clone());
            }
            let servers = state.servers.entry(p.id.clone()).or_default();
            for s in &p.servers {
                servers.insert(s.id.clone(), s.clone());
            }
        }
        state
    }

    /// Back to the fixtures form, for the admin dump.
    pub fn to_fixtures(&self) -> Fixtures {
        let ids: std::collections::BTreeSet<&String> =
            self.snapshots.keys().chain(self.servers.keys()).collect();
        Fixtures {
            vars: BTreeMap::new(),
            projects: ids
                .into_iter()
                .map(|id| Project {
                    id: id.clone(),
                    name: None,
                    snapshots: self
                        .snapshots
                        .get(id)
                        .map(|m| m.values().cloned().collect())
                        .unwrap_or_default(),
                    servers: self
                        .servers
                        .get(id)
                        .map(|m| m.values().cloned().collect())
                        .unwrap_or_default(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_fixtures_load_and_cover_the_documented_states() {
        let f = Fixtures::defaults();
        assert_eq!(f.projects.len(), 2);
        let states: Vec<&str> = f.projects[0]
            .snapshots
            .iter()
            .map(|s| s.status.as_str())
            .collect();
        for s in ["available", "creating", "error"] {
            assert!(states.contains(&s), "{s}");
        }
        let vm: Vec<&str> = f.projects[0]
            .servers
            .iter()
            .map(|s| s.vm_state.as_str())
            .collect();
        for s in [
            "active",
            "stopped",
            "paused",
            "suspended",
            "building",
            "error",
        ] {
            assert!(vm.contains(&s), "{s}");
        }
        assert!(f.projects[0]
            .snapshots
            .iter()
            .any(|s| s.name.starts_with("autobk_snapshot_")));
    }

    #[test]
    fn broken_fixtures_name_line_and_column() {
        let e = Fixtures::parse("projects:\n  - id: p\n    snapshotz: []\n", "f.yaml").unwrap_err();
        assert_eq!((e.file.as_str(), e.line), ("f.yaml", 3));
        assert!(e.column > 0);
        assert!(e.message.contains("snapshotz"), "{}", e.message);
    }

    #[test]
    fn fixtures_the_mock_could_not_serve_faithfully_are_refused_at_their_line() {
        let snap = |fields: &str| {
            format!("projects:\n  - id: p\n    snapshots:\n      - {{id: a, status: available}}\n      - {{{fields}}}\n")
        };
        let server = |field: &str| {
            format!("projects:\n  - id: p\n    servers:\n      - id: s\n        {field}\n        vm_state: active\n")
        };
        let address = |fields: &str| {
            format!("projects:\n  - id: p\n    servers:\n      - id: s\n        vm_state: active\n        addresses:\n          net:\n            - {{{fields}}}\n")
        };
        for (text, line, needle) in [
            (snap("id: a, status: available"), 5, "id 'a' is used twice"),
            (
                snap("id: b, status: sleeping"),
                5,
                "status 'sleeping' is not a documented",
            ),
            (
                snap("id: b, status: available, size: -1"),
                5,
                "size -1 is negative",
            ),
            (
                snap("id: b, status: available, size: big"),
                5,
                "expected a whole number",
            ),
            (
                "projects:\n  - id: p\n  - id: p\n".to_string(),
                3,
                "project 'p' is listed twice",
            ),
            (
                "projects:\n  - id: p\n    servers:\n      - {id: s, vm_state: dreaming}\n"
                    .to_string(),
                4,
                "vm_state 'dreaming'",
            ),
            (
                server("created: '2026-11-01 08:00:00'"),
                5,
                "is not a UTC time as YYYY-MM-DDTHH:MM:SSZ",
            ),
            (server("disk_config: NONE"), 5, "neither AUTO nor MANUAL"),
            (
                address("addr: 10.0.0.300, version: 4, mac_addr: 'fa:16:3e:00:00:01'"),
                8,
                "'10.0.0.300' is not an IP address",
            ),
            (
                address("addr: 10.0.0.3, version: 6, mac_addr: 'fa:16:3e:00:00:01'"),
                8,
                "is IPv4, not version 6",
            ),
            (
                address("addr: 10.0.0.3, version: 4, mac_addr: 'fa:16:3e:00:01'"),
                8,
                "is not six hex pairs",
            ),
            (
                address("addr: 10.0.0.3, version: 4, mac_addr: 'fa:16:3e:00:00:01', type: elastic"),
                8,
                "neither fixed nor floating",
            ),
        ] {
            let e = Fixtures::parse(&text, "f.yaml").expect_err(&text);
            assert!(e.message.contains(needle), "{text}: {}", e.message);
            assert_eq!(e.line, line, "{text}: {}", e.message);
            assert!(e.column > 0, "{text}");
        }
    }

    #[test]
    fn servers_of_old_fixtures_get_defaults_and_their_load_time() {
        let f = Fixtures::parse(
            "projects:\n  - id: p\n    servers:\n      - {id: s, vm_state: active}\n",
            "old.yaml",
        )
        .unwrap();
        let s = &f.projects[0].servers[0];
        assert!(is_server_time(&s.created), "{}", s.created);
        assert_eq!(s.updated, s.created);
        assert_eq!(s.disk_config, "MANUAL");
        assert!(s.host.is_none() && s.image_id.is_none() && s.addresses.is_empty());
        // Given times are kept.
        let f = Fixtures::parse(
            "projects:\n  - id: p\n    servers:\n      - {id: s, vm_state: active, created: '2026-01-02T03:04:05Z'}\n",
            "f.yaml",
        )
        .unwrap();
        let s = &f.projects[0].servers[0];
        assert_eq!(
            (s.created.as_str(), s.updated.as_str()),
            ("2026-01-02T03:04:05Z", "2026-01-02T03:04:05Z")
        );
    }

    #[test]
    fn timestamps_follow_the_documented_layout() {
        let re = regex::Regex::new(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}$").unwrap();
        assert!(re.is_match(&now()));
    }

    #[test]
    fn timestamps_pad_every_field() {
        let t = time::macros::datetime!(0987-01-02 03:04:05.000_007 UTC);
        assert_eq!(timestamp(t), "0987-01-02T03:04:05.000007");
        let t = time::macros::datetime!(2026-12-31 23:59:59.999_999_999 UTC);
        assert_eq!(timestamp(t), "2026-12-31T23:59:59.999999");
    }
}
