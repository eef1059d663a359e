//! ECS: the server read and the server metadata handlers (seed 001, pages/ecs read pages).
//!
//! The server read is the whole server as Huawei's NovaShowServer (查询云服务器详情,
//! `GET /v2.1/{project_id}/servers/{server_id}`) documents it at the base microversion 2.1, the
//! one the mock answers every request at: the fields its page marks for later microversions
//! (`tags` 2.26, `locked` 2.9, `description` 2.19, the 2.3 `OS-EXT-SRV-ATTR:*` extras, the 2.47
//! flavor) are left out, as Nova leaves them out at 2.1. Where the page differs from Nova 2.1
//! (`host_status` without a microversion, its own power-state codes) the read follows the page:
//! the deviations `ecs-server-host-status` and `ecs-server-power-state`.

use axum::http::HeaderMap;
use axum::response::Response;
use serde_json::{json, Value};
use sha2::{Digest, Sha224};

use super::error::{ApiError, Service};
use super::evs::single_item;
use super::faults::Fault;
use super::state::Server;
use super::Mock;

/// Seed 001: keys and values are at most 255 Unicode characters; keys are not empty.
pub(super) const LIMIT_CHARS: usize = 255;
/// Seed 001 (接口约束): the server's vm_state must be one of these.
pub(super) const ALLOWED_VM_STATES: &[&str] = &["active", "stopped", "paused", "suspended"];

/// Seed 001: A-Z, a-z, 0-9, '-', '_', ':' and '.'.
fn valid_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')
}

/// Seed 001's key rule: 1 to [`LIMIT_CHARS`] characters, each a [`valid_key_char`].
pub(super) fn key_fits(key: &str) -> bool {
    (1..=LIMIT_CHARS).contains(&key.chars().count()) && key.chars().all(valid_key_char)
}

/// Seed 001's value rule: at most [`LIMIT_CHARS`] characters.
pub(super) fn value_fits(value: &str) -> bool {
    value.chars().count() <= LIMIT_CHARS
}

fn owner<'a>(
    mock: &Mock,
    store: &'a super::state::State,
    project: &'a str,
    id: &str,
) -> Option<&'a str> {
    if store
        .servers
        .get(project)
        .is_some_and(|m| m.contains_key(id))
    {
        return Some(project);
    }
    store
        .servers
        .iter()
        .find(|(_, m)| m.contains_key(id))
        .map(|(p, _)| p.as_str())
        .filter(|_| mock.fire(Fault::CrossProjectLeak))
}

/// The server a read names (404 when the project has no such server; under `unknown-id-ok`,
/// any stored server made up under the id asked for).
pub(super) fn server<'a>(
    mock: &Mock,
    store: &'a super::state::State,
    project: &str,
    id: &str,
) -> Result<std::borrow::Cow<'a, Server>, ApiError> {
    if let Some(s) =
        owner(mock, store, project, id).and_then(|p| store.servers.get(p).and_then(|m| m.get(id)))
    {
        return Ok(std::borrow::Cow::Borrowed(s));
    }
    let made_up = store.servers.values().find_map(|m| m.values().next());
    match made_up.filter(|_| mock.fire(Fault::UnknownIdOk)) {
        Some(s) => Ok(std::borrow::Cow::Owned(Server {
            id: id.to_string(),
            ..s.clone()
        })),
        None => Err(ApiError::not_found(Service::Ecs, &format!("Instance {id}"))),
    }
}

/// The server a path names, for changing it (404 when the project has no such server).
pub(super) fn server_mut<'a>(
    mock: &Mock,
    store: &'a mut super::state::State,
    project: &str,
    id: &str,
) -> Result<&'a mut Server, ApiError> {
    let not_found = || ApiError::not_found(Service::Ecs, &format!("Instance {id}"));
    // The usual case, the server in the path's project, borrows; only a leak names another.
    let project_of = match owner(mock, store, project, id).ok_or_else(not_found)? {
        p if p == project => std::borrow::Cow::Borrowed(project),
        p => std::borrow::Cow::Owned(p.to_string()),
    };
    store
        .servers
        .get_mut(project_of.as_ref())
        .and_then(|m| m.get_mut(id))
        .ok_or_else(not_found)
}

/// Seed 001's precondition for every metadata change (set, merge, replace, delete): the server's
/// vm_state is one of [`ALLOWED_VM_STATES`], else 409 (`ecs-vm-state-conflict`), as Nova checks
/// every metadata change alike.
pub(super) fn check_vm_state(mock: &Mock, s: &Server) -> Result<(), ApiError> {
    let paused_refused = s.vm_state == "paused" && mock.fire(Fault::PausedRefused);
    if (!ALLOWED_VM_STATES.contains(&s.vm_state.as_str()) && !mock.fire(Fault::IgnoreVmState))
        || paused_refused
    {
        return Err(ApiError::vm_state(&s.vm_state));
    }
    Ok(())
}

/// The `status` Nova derives from a stable vm_state (云服务器状态, table 4, task_state null;
/// paused, suspended, rescued, resized and soft_deleted, which the table omits, as Nova's
/// `common.py` state map names them).
fn status_of(vm_state: &str) -> &'static str {
    match vm_state {
        "active" => "ACTIVE",
        "building" => "BUILD",
        "stopped" => "SHUTOFF",
        "paused" => "PAUSED",
        "suspended" => "SUSPENDED",
        "rescued" => "RESCUE",
        "resized" => "VERIFY_RESIZE",
        "soft_deleted" => "SOFT_DELETED",
        "deleted" => "DELETED",
        "shelved" => "SHELVED",
        "shelved_offloaded" => "SHELVED_OFFLOADED",
        _ => "ERROR",
    }
}

/// `OS-EXT-STS:power_state` in the page's codes (0 pending, 1 running, 2 paused, 3 shutdown,
/// 4 crashed): what the guest is doing in each stable vm_state. A suspended guest is saved to
/// disk and not running; a server in error was never started (the fixtures' error server failed
/// to be placed).
fn power_state_of(vm_state: &str) -> u8 {
    match vm_state {
        "active" | "rescued" | "resized" => 1,
        "paused" => 2,
        "stopped" | "suspended" | "soft_deleted" | "deleted" | "shelved" | "shelved_offloaded" => 3,
        _ => 0,
    }
}

/// `hostId`: as Nova hides the host's name from the tenant, a SHA-224 of project and host, so
/// the same host looks different to two projects; empty while the server has no host.
fn host_id(project: &str, host: Option<&str>) -> String {
    let Some(host) = host else {
        return String::new();
    };
    let digest = Sha224::digest(format!("{project}{host}").as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// A server's addresses as Nova answers them: network name → its ports.
pub(crate) fn addresses_json(s: &Server) -> Value {
    s.addresses
        .iter()
        .map(|(network, list)| {
            let list: Vec<Value> = list
                .iter()
                .map(|a| {
                    json!({
                        "addr": a.addr,
                        "version": a.version,
                        "OS-EXT-IPS-MAC:mac_addr": a.mac_addr,
                        "OS-EXT-IPS:type": a.kind,
                    })
                })
                .collect();
            (network.clone(), Value::Array(list))
        })
        .collect::<serde_json::Map<String, Value>>()
        .into()
}

/// A bookmark link (the unversioned path Nova's view builders give flavors and images).
fn bookmark(origin: &str, project: &str, kind: &str, id: &str) -> Value {
    json!([{"rel": "bookmark", "href": format!("{origin}/{project}/{kind}/{id}")}])
}

/// The whole server, as the read answers it.
pub(super) fn render(s: &Server, project: &str, origin: &str) -> Value {
    let host = s.host.as_deref();
    let placed = host.is_some();
    // A server is launched once it leaves building (Nova sets launched_at when the guest first
    // starts); the page's layout for it is the one with microseconds and no zone.
    let launched = (s.vm_state != "building" && placed).then(|| {
        format!(
            "{}.000000",
            s.created.strip_suffix('Z').unwrap_or(&s.created)
        )
    });
    let image = match &s.image_id {
        Some(id) => json!({"id": id, "links": bookmark(origin, project, "images", id)}),
        None => json!(""),
    };
    let addresses = addresses_json(s);
    let mut server = json!({
        "id": s.id,
        "name": s.name,
        "status": status_of(&s.vm_state),
        "created": s.created,
        "updated": s.updated,
        "flavor": {"id": s.flavor_id, "links": bookmark(origin, project, "flavors", &s.flavor_id)},
        "image": image,
        "tenant_id": project,
        "user_id": s.user_id,
        "key_name": s.key_name,
        "metadata": s.metadata,
        "hostId": host_id(project, host),
        "addresses": addresses,
        "security_groups": s.security_groups.iter().map(|n| json!({"name": n})).collect::<Vec<_>>(),
        "links": [
            {"rel": "self", "href": format!("{origin}/v2.1/{project}/servers/{}", s.id)},
            {"rel": "bookmark", "href": format!("{origin}/{project}/servers/{}", s.id)},
        ],
        "OS-DCF:diskConfig": s.disk_config,
        "OS-EXT-AZ:availability_zone": s.availability_zone,
        "OS-EXT-SRV-ATTR:host": host,
        "OS-EXT-SRV-ATTR:hypervisor_hostname": host,
        "OS-EXT-SRV-ATTR:instance_name": format!("instance-{}", s.id.get(..8).unwrap_or(&s.id)),
        "OS-EXT-STS:power_state": power_state_of(&s.vm_state),
        "OS-EXT-STS:task_state": null,
        "OS-EXT-STS:vm_state": s.vm_state,
        "OS-SRV-USG:launched_at": launched,
        "OS-SRV-USG:terminated_at": null,
        "os-extended-volumes:volumes_attached":
            s.volumes_attached.iter().map(|id| json!({"id": id})).collect::<Vec<_>>(),
        // The page: UP for a server on a working host, the empty string for one without a host.
        "host_status": if placed { "UP" } else { "" },
        "accessIPv4": "",
        "accessIPv6": "",
        "config_drive": "",
        "progress": 0,
    });
    // Nova shows a fault only for a server in error (or deleted) that recorded one.
    if let (Some(fault), "error" | "deleted") = (&s.fault, s.vm_state.as_str()) {
        server["fault"] =
            json!({"code": fault.code, "created": s.updated, "message": fault.message});
    }
    json!({ "server": server })
}

/// GET /v2.1/{project_id}/servers/{server_id}: the whole server ([`render`]); links are
/// absolute when the request named its host.
pub fn show_server(
    mock: &Mock,
    headers: &HeaderMap,
    project: &str,
    id: &str,
) -> Result<Response, ApiError> {
    let origin = super::routes::origin(headers).unwrap_or_default();
    let store = mock.read();
    let s = server(mock, &store, project, id)?;
    Ok(mock.ok(render(&s, project, &origin)))
}

/// GET /v2.1/{project_id}/servers/{server_id}/metadata (查询云服务器元数据列表).
pub fn list_metadata(mock: &Mock, project: &str, id: &str) -> Result<Response, ApiError> {
    let store = mock.read();
    let s = server(mock, &store, project, id)?;
    Ok(mock.ok(json!({"metadata": s.metadata})))
}

/// GET /v2.1/{project_id}/servers/{server_id}/metadata/{key} (获取云服务器指定Key的元数据).
pub fn show_metadata_item(
    mock: &Mock,
    project: &str,
    id: &str,
    key: &str,
) -> Result<Response, ApiError> {
    let store = mock.read();
    let s = server(mock, &store, project, id)?;
    let value = s
        .metadata
        .get(key)
        .ok_or_else(|| ApiError::not_found(Service::Ecs, &format!("Metadata key {key}")))?;
    Ok(mock.ok(super::MetaItem(key, value)))
}

/// PUT /v2.1/{project_id}/servers/{server_id}/metadata/{key} (seed 001).
pub fn update_metadata_item(
    mock: &Mock,
    project: &str,
    id: &str,
    uri_key: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let (key, value) = single_item(mock, body, uri_key, Service::Ecs)?;
    if !key_fits(&key) && !mock.fire(Fault::NoLengthCheck) {
        return Err(ApiError::invalid(
            Service::Ecs,
            format!("Invalid parameter values: metadata keys have 1 to {LIMIT_CHARS} characters of A-Z a-z 0-9 - _ : ."),
        ));
    }
    if !value_fits(&value) && !mock.fire(Fault::NoLengthCheck) {
        return Err(ApiError::invalid(
            Service::Ecs,
            format!(
                "Invalid parameter values: metadata values have at most {LIMIT_CHARS} characters"
            ),
        ));
    }
    let mut store = mock.write();
    let s = server_mut(mock, &mut store, project, id)?;
    check_vm_state(mock, s)?;
    if !mock.fire(Fault::MetadataNotPersisted) {
        s.metadata.insert(key.clone(), value.clone());
        s.updated = super::state::server_now();
    }
    Ok(mock.ok(super::MetaItem(&key, &value)))
}

/// DELETE /v2.1/{project_id}/servers/{server_id}/metadata/{key}: 204, as the Nova API this
/// operation family follows answers; an unknown key is 404, then the vm_state rule of the writes
/// applies (Nova looks the key up before it asks the instance's state).
pub fn delete_metadata_item(
    mock: &Mock,
    project: &str,
    id: &str,
    key: &str,
) -> Result<Response, ApiError> {
    let mut store = mock.write();
    let s = server_mut(mock, &mut store, project, id)?;
    if !s.metadata.contains_key(key) {
        return Err(ApiError::not_found(
            Service::Ecs,
            &format!("Metadata key {key}"),
        ));
    }
    check_vm_state(mock, s)?;
    s.metadata.remove(key);
    s.updated = super::state::server_now();
    Ok(axum::response::IntoResponse::into_response(
        axum::http::StatusCode::NO_CONTENT,
    ))
}
