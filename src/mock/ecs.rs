//! ECS server metadata handlers (seed 001, pages/ecs read pages).

use axum::response::Response;
use serde_json::json;

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
pub(super) fn valid_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.')
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
    if mock.fault(Fault::CrossProjectLeak) {
        return store
            .servers
            .iter()
            .find(|(_, m)| m.contains_key(id))
            .map(|(p, _)| p.as_str());
    }
    None
}

pub(super) fn server<'a>(
    mock: &Mock,
    store: &'a super::state::State,
    project: &str,
    id: &str,
) -> Result<&'a Server, ApiError> {
    owner(mock, store, project, id)
        .and_then(|p| store.servers.get(p).and_then(|m| m.get(id)))
        .ok_or_else(|| ApiError::not_found(Service::Ecs, &format!("Instance {id}")))
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
    let paused_refused = mock.fault(Fault::PausedRefused) && s.vm_state == "paused";
    if (!ALLOWED_VM_STATES.contains(&s.vm_state.as_str()) && !mock.fault(Fault::IgnoreVmState))
        || paused_refused
    {
        return Err(ApiError::vm_state(&s.vm_state));
    }
    Ok(())
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
    if !mock.fault(Fault::NoLengthCheck) {
        let chars = key.chars().count();
        if chars == 0 || chars > LIMIT_CHARS || !key.chars().all(valid_key_char) {
            return Err(ApiError::invalid(
                Service::Ecs,
                format!("Invalid parameter values: metadata keys have 1 to {LIMIT_CHARS} characters of A-Z a-z 0-9 - _ : ."),
            ));
        }
        if value.chars().count() > LIMIT_CHARS {
            return Err(ApiError::invalid(Service::Ecs, format!("Invalid parameter values: metadata values have at most {LIMIT_CHARS} characters")));
        }
    }
    let mut store = mock.write();
    let s = server_mut(mock, &mut store, project, id)?;
    check_vm_state(mock, s)?;
    if !mock.fault(Fault::MetadataNotPersisted) {
        s.metadata.insert(key.clone(), value.clone());
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
    Ok(axum::response::IntoResponse::into_response(
        axum::http::StatusCode::NO_CONTENT,
    ))
}
