//! The collection operations the OpenStack clients need to drive the mock (python-cinderclient
//! v3, python-novaclient, openstacksdk): snapshot lists and the metadata collections.
//!
//! EVS follows its pages (查询云硬盘快照列表, 查询云硬盘快照详细信息列表, 添加云硬盘快照的元数据,
//! 更新云硬盘快照的元数据). No ECS page documents `POST` or `PUT .../servers/{id}/metadata`:
//! those follow Nova (`server_metadata.py` create, update_all), with the metadata rules of seed
//! 001, and are listed as the deviation `nova-server-reads`.

use std::collections::BTreeMap;

use axum::response::Response;
use serde_json::{json, Value};

use super::error::{ApiError, Service};
use super::evs::Version;
use super::faults::Fault;
use super::state::{now, server_now};
use super::{ecs, evs, parse_json, Mock};

/// Largest page of a snapshot list (查询云硬盘快照详细信息列表: limit 1–1000, default 1000).
const MAX_LIMIT: usize = 1000;

/// The `metadata` object of a collection body: required, an object of strings.
fn metadata_body(body: &[u8], service: Service) -> Result<BTreeMap<String, String>, ApiError> {
    let body = parse_json(body, service)?;
    let items = body
        .get("metadata")
        .ok_or_else(|| {
            ApiError::invalid(service, "Invalid input received: 'metadata' is required")
        })?
        .as_object()
        .ok_or_else(|| {
            ApiError::invalid(
                service,
                "Invalid input received: 'metadata' must be an object",
            )
        })?;
    items
        .iter()
        .map(|(k, v)| match v {
            Value::String(v) => Ok((k.clone(), v.clone())),
            _ => Err(ApiError::invalid(
                service,
                format!("Invalid input received: the value of '{k}' must be a string"),
            )),
        })
        .collect()
}

/// EVS metadata items follow the item operation's rules (Cinder's key pattern and lengths).
fn check_evs_items(mock: &super::Mock, items: &BTreeMap<String, String>) -> Result<(), ApiError> {
    for (key, value) in items {
        if !evs::meta_item_fits(key, value) && !mock.fire(Fault::NoLengthCheck) {
            return Err(ApiError::invalid(
                Service::Evs,
                format!(
                    "Invalid input received: metadata key '{key}' or its value breaks the limits"
                ),
            ));
        }
    }
    Ok(())
}

/// Where a list was asked for, to build its next link from.
#[derive(Debug, Clone)]
pub struct ListUrl {
    /// `http://host` of the request, when it named one.
    pub origin: Option<String>,
    /// The list's path as requested (`/v3/{project_id}/snapshots/detail`).
    pub path: String,
}

impl ListUrl {
    /// The next page's URL: the same list (a detail list's link stays on `/detail`, as Cinder's
    /// `_get_collection_links` builds it), the same filters and limit, `marker` set to the last
    /// item shown. `offset` is dropped: it was applied once, and the marker now says where to go on.
    fn next(&self, query: &BTreeMap<String, String>, marker: &str) -> String {
        let mut params = form_urlencoded::Serializer::new(String::new());
        for (k, v) in query {
            if k != "marker" && k != "offset" {
                params.append_pair(k, v);
            }
        }
        params.append_pair("marker", marker);
        format!(
            "{}{}?{}",
            self.origin.as_deref().unwrap_or(""),
            self.path,
            params.finish()
        )
    }
}

/// A page of a project's snapshots: filters (name, status, volume_id), then marker, offset, limit.
/// `detail` is the version of a detailed list (reserved attributes; v3 adds `user_id`).
fn page(
    mock: &super::Mock,
    project: &str,
    query: &BTreeMap<String, String>,
    detail: Option<Version>,
    url: &ListUrl,
) -> Result<Value, ApiError> {
    let number = |name: &str, min: usize, max: usize| -> Result<Option<usize>, ApiError> {
        query
            .get(name)
            .map(|v| {
                v.parse::<usize>()
                    .ok()
                    .filter(|n| (min..=max).contains(n))
                    .ok_or_else(|| {
                        ApiError::invalid(
                            Service::Evs,
                            format!("Invalid input received: {name} must be an integer from {min} to {max}"),
                        )
                    })
            })
            .transpose()
    };
    let offset = number("offset", 0, usize::MAX)?.unwrap_or(0);
    let limit = number("limit", 1, MAX_LIMIT)?;
    let store = mock.read();
    let all: Vec<&super::state::Snapshot> = store
        .snapshots
        .get(project)
        .filter(|m| m.is_empty() || !mock.fire(Fault::ListMisses))
        .map(|m| m.values().collect())
        .unwrap_or_default();
    let wanted = |field: &str, actual: &str| query.get(field).is_none_or(|w| w == actual);
    let matching: Vec<&super::state::Snapshot> = all
        .into_iter()
        .filter(|s| wanted("name", &s.name) && wanted("status", &s.status))
        .filter(|s| wanted("volume_id", &s.volume_id))
        .collect();
    let start = match query.get("marker") {
        Some(m) => {
            matching
                .iter()
                .position(|s| &s.id == m)
                .ok_or_else(|| ApiError::not_found(Service::Evs, &format!("Marker {m}")))?
                + 1
        }
        None => 0,
    }
    .saturating_add(offset);
    let rest = matching.get(start..).unwrap_or(&[]);
    let shown = &rest[..rest.len().min(limit.unwrap_or(MAX_LIMIT))];
    let snapshots: Vec<Value> = shown
        .iter()
        .map(|s| {
            evs::render(
                mock,
                project,
                s,
                detail.is_some(),
                detail == Some(Version::V3),
            )
        })
        .collect();
    let mut body = json!({ "snapshots": snapshots });
    // The plain list pages answer `snapshots_links: null` when there is no next page, and the
    // v3 one adds the number of matching snapshots; the detail pages omit both.
    if detail.is_none() {
        body["snapshots_links"] = Value::Null;
        if url.path.starts_with("/v3/") {
            body["count"] = json!(matching.len());
        }
    }
    // snapshots_links holds the next page's link when a limit was given and more remain.
    if let (Some(_), Some(last)) = (limit, shown.last()) {
        if rest.len() > shown.len() {
            body["snapshots_links"] = json!([{
                "rel": "next",
                "href": url.next(query, &last.id),
            }]);
        }
    }
    Ok(body)
}

/// GET /v2|v3/{project_id}/snapshots (查询云硬盘快照列表: no reserved attributes), and with
/// `detail` (its version), GET /v2|v3/{project_id}/snapshots/detail (查询云硬盘快照详细信息列表;
/// the v3 page adds `user_id`, as Cinder's v3 detail view does).
pub fn list_snapshots(
    mock: &Mock,
    project: &str,
    query: &BTreeMap<String, String>,
    detail: Option<Version>,
    url: &ListUrl,
) -> Result<Response, ApiError> {
    Ok(mock.ok(page(mock, project, query, detail, url)?))
}

/// How a metadata collection write treats the items it does not name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write {
    /// POST (添加云硬盘快照的元数据): add or update the given items, keep the others.
    Merge,
    /// PUT (更新云硬盘快照的元数据): the given items become the whole metadata.
    Replace,
}

fn write_snapshot_metadata(
    mock: &Mock,
    project: &str,
    id: &str,
    body: &[u8],
    mode: Write,
) -> Result<Response, ApiError> {
    let items = metadata_body(body, Service::Evs)?;
    check_evs_items(mock, &items)?;
    let mut store = mock.write();
    let snapshot = evs::writable(mock, &mut store, project, id, "Updating metadata")?;
    // System keys are the system's: none may be set, and a replace keeps them out of reach.
    if let Some(key) = items.keys().find(|k| k.starts_with(evs::SYSTEM_KEY_PREFIX)) {
        return Err(ApiError::system_metadata(key));
    }
    if !mock.fire(Fault::MetadataNotPersisted) {
        if mode == Write::Replace {
            snapshot.metadata.clear();
        }
        snapshot.metadata.extend(items);
        snapshot.updated_at = now();
    }
    // Cinder answers with the snapshot's whole metadata after the write.
    let all = snapshot.metadata.clone();
    Ok(mock.ok(json!({ "metadata": all })))
}

/// POST /v2|v3/{project_id}/snapshots/{snapshot_id}/metadata (添加云硬盘快照的元数据).
pub fn create_snapshot_metadata(
    mock: &Mock,
    project: &str,
    id: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    write_snapshot_metadata(mock, project, id, body, Write::Merge)
}

/// PUT /v2|v3/{project_id}/snapshots/{snapshot_id}/metadata (更新云硬盘快照的元数据).
pub fn replace_snapshot_metadata(
    mock: &Mock,
    project: &str,
    id: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    write_snapshot_metadata(mock, project, id, body, Write::Replace)
}

fn write_server_metadata(
    mock: &Mock,
    project: &str,
    id: &str,
    body: &[u8],
    mode: Write,
) -> Result<Response, ApiError> {
    let items = metadata_body(body, Service::Ecs)?;
    for (key, value) in &items {
        let fits = ecs::key_fits(key) && ecs::value_fits(value);
        if !fits && !mock.fire(Fault::NoLengthCheck) {
            return Err(ApiError::invalid(
                Service::Ecs,
                format!(
                    "Invalid parameter values: metadata key '{key}' or its value breaks the limits"
                ),
            ));
        }
    }
    let mut store = mock.write();
    let s = ecs::server_mut(mock, &mut store, project, id)?;
    ecs::check_vm_state(mock, s)?;
    if !mock.fire(Fault::MetadataNotPersisted) {
        if mode == Write::Replace {
            s.metadata.clear();
        }
        s.metadata.extend(items);
        s.updated = server_now();
    }
    let all = s.metadata.clone();
    Ok(mock.ok(json!({ "metadata": all })))
}

/// POST /v2.1/{project_id}/servers/{server_id}/metadata: adds or updates the given items (Nova
/// `server_metadata.py` create), with seed 001's key and value rules and vm_state precondition;
/// answers the whole metadata.
pub fn create_server_metadata(
    mock: &Mock,
    project: &str,
    id: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    write_server_metadata(mock, project, id, body, Write::Merge)
}

/// PUT /v2.1/{project_id}/servers/{server_id}/metadata: the given items become the whole
/// metadata (Nova `server_metadata.py` update_all), with the rules of the POST; answers them.
pub fn replace_server_metadata(
    mock: &Mock,
    project: &str,
    id: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    write_server_metadata(mock, project, id, body, Write::Replace)
}
