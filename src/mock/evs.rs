//! EVS snapshot handlers: update (v2, v3), show, and the metadata item.
//!
//! Rules cite the page they come from: seed 002 (更新云硬盘快照 v2), seeds 003/004 (update v3, zh
//! and en), seed 000 (更新云硬盘快照的单个元数据), and pages/evs for the reads.

use axum::response::{IntoResponse, Response};
use serde_json::{json, Map, Value};

use super::error::{ApiError, Service};
use super::faults::Fault;
use super::state::{now, Snapshot};
use super::{parse_json, Mock};

/// Cinder API version of a route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// /v2
    V2,
    /// /v3
    V3,
}

impl Version {
    /// The path segment, `v2` or `v3`.
    pub fn segment(self) -> &'static str {
        match self {
            Version::V2 => "v2",
            Version::V3 => "v3",
        }
    }
}

/// Documented limit of name and description: 255 UTF-8 bytes (seeds 002, 003: 最大支持255个字节).
const TEXT_LIMIT_BYTES: usize = 255;
/// Metadata keys are 1–255 characters, values at most 255. The EVS pages state no limit; this is
/// Cinder's (`cinder/api/schemas/snapshot_metadata.py`), the named deviation
/// `evs-metadata-item-limits` in `deviations.json`.
pub(super) const META_LIMIT_CHARS: usize = 255;
/// The metadata key that marks a snapshot made automatically by a backup (the show and list pages:
/// a snapshot whose metadata holds it was created by a backup). Seed 004: operations cannot be
/// performed on such snapshots. The `autobk_snapshot_` name prefix is only the name backups give
/// them: the pages advise against, but do not forbid, giving it to other snapshots, so a name
/// alone locks nothing.
pub const AUTOMATIC_MARK: &str = "__system__enableActive";
/// Metadata keys the system owns: users cannot set or delete them (EVS.5403 "metadata can not be
/// operated"), so no user can turn a snapshot into an automatic one and lock it for good.
pub(super) const SYSTEM_KEY_PREFIX: &str = "__system__";

/// Cinder's metadata key characters (`snapshot_metadata.py`): A-Z a-z 0-9 - _ : . and space.
fn valid_meta_key_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ':' | '.' | ' ')
}

/// Whether a metadata item keeps Cinder's limits: a key of 1 to [`META_LIMIT_CHARS`]
/// characters, each a [`valid_meta_key_char`], and a value of at most [`META_LIMIT_CHARS`].
pub(super) fn meta_item_fits(key: &str, value: &str) -> bool {
    (1..=META_LIMIT_CHARS).contains(&key.chars().count())
        && key.chars().all(valid_meta_key_char)
        && value.chars().count() <= META_LIMIT_CHARS
}

/// The snapshot body: seed 002's response table, plus the two reserved
/// `os-extended-snapshot-attributes` when the page of the answer documents them (`reserved`): the
/// v3 update (seeds 003/004) and both show pages do; seed 002, the v2 update page the contract
/// follows, does not (a newer v2 update page in pages/evs does: a documented disagreement).
/// `user_id` is added where the page documents it (the v3 show and v3 detail list).
pub(super) fn render(
    mock: &Mock,
    project: &str,
    s: &Snapshot,
    reserved: bool,
    user_id: bool,
) -> Value {
    let mut v = view(mock, project, s, reserved);
    if user_id {
        v.user_id = Some(FIXTURE_USER_ID);
    }
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// A snapshot as an answer shows it, serialised straight from the state: no JSON tree is built
/// per request (building one was a fifth of the mock's time on a read). Fields are declared in
/// alphabetical order, the order a JSON object map prints them in.
#[derive(serde::Serialize)]
pub(super) struct SnapshotView<'a> {
    created_at: &'a str,
    description: &'a str,
    id: &'a str,
    metadata: &'a std::collections::BTreeMap<String, String>,
    name: &'a str,
    #[serde(
        rename = "os-extended-snapshot-attributes:progress",
        skip_serializing_if = "Option::is_none"
    )]
    progress: Option<&'static str>,
    #[serde(
        rename = "os-extended-snapshot-attributes:project_id",
        skip_serializing_if = "Option::is_none"
    )]
    project_id: Option<&'a str>,
    size: Size,
    status: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    updated_at: Option<&'a str>,
    /// The v3 show page's extra field.
    #[serde(skip_serializing_if = "Option::is_none")]
    user_id: Option<&'static str>,
    volume_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    x_mock_internal: Option<&'static str>,
}

/// `size` as documented (a number), or as a string under `wrong-field-type`.
#[derive(serde::Serialize)]
#[serde(untagged)]
enum Size {
    Number(i64),
    Text(String),
}

/// The body of one snapshot (see [`SnapshotView`]).
pub(super) fn view<'a>(
    mock: &Mock,
    project: &'a str,
    s: &'a Snapshot,
    reserved: bool,
) -> SnapshotView<'a> {
    SnapshotView {
        created_at: &s.created_at,
        description: &s.description,
        id: &s.id,
        metadata: &s.metadata,
        name: &s.name,
        progress: reserved.then_some(if s.status == "creating" {
            "50%"
        } else {
            "100%"
        }),
        project_id: reserved.then_some(project),
        size: if mock.fire(Fault::WrongFieldType) {
            Size::Text(s.size.to_string())
        } else {
            Size::Number(s.size)
        },
        status: &s.status,
        updated_at: (!mock.fire(Fault::MissingField)).then_some(s.updated_at.as_str()),
        user_id: None,
        volume_id: &s.volume_id,
        x_mock_internal: mock.fire(Fault::ExtraField).then_some("leaked"),
    }
}

/// `{"snapshot": …}`.
#[derive(serde::Serialize)]
struct OneSnapshot<'a> {
    snapshot: SnapshotView<'a>,
}

/// Finds a snapshot of a project (or of any project under `cross-project-leak`).
pub(super) fn find<'a>(
    mock: &Mock,
    store: &'a super::state::State,
    project: &'a str,
    id: &str,
) -> Option<(&'a str, &'a Snapshot)> {
    if let Some(s) = store.snapshots.get(project).and_then(|m| m.get(id)) {
        return Some((project, s));
    }
    store
        .snapshots
        .iter()
        .find_map(|(p, m)| m.get(id).map(|s| (p.as_str(), s)))
        .filter(|_| mock.fire(Fault::CrossProjectLeak))
}

fn find_mut<'a>(
    mock: &Mock,
    store: &'a mut super::state::State,
    project: &str,
    id: &str,
) -> Option<&'a mut Snapshot> {
    let owner = if store
        .snapshots
        .get(project)
        .is_some_and(|m| m.contains_key(id))
    {
        project.to_string()
    } else {
        store
            .snapshots
            .iter()
            .find(|(_, m)| m.contains_key(id))
            .map(|(p, _)| p.clone())
            .filter(|_| mock.fire(Fault::CrossProjectLeak))?
    };
    store.snapshots.get_mut(&owner).and_then(|m| m.get_mut(id))
}

/// A snapshot a request may change: 404 when the project has none with that id, 403 for a snapshot
/// a backup made (marked by [`AUTOMATIC_MARK`]; seed 004: operations cannot be performed on them).
pub(super) fn writable<'a>(
    mock: &Mock,
    store: &'a mut super::state::State,
    project: &str,
    id: &str,
    what: &str,
) -> Result<&'a mut Snapshot, ApiError> {
    let snapshot = find_mut(mock, store, project, id)
        .ok_or_else(|| ApiError::not_found(Service::Evs, &format!("Snapshot {id}")))?;
    if snapshot.metadata.contains_key(AUTOMATIC_MARK) {
        return Err(ApiError::autobk(what));
    }
    Ok(snapshot)
}

/// A text field of the update body: absent, or a string within the byte limit.
fn text_field(
    mock: &Mock,
    obj: &Map<String, Value>,
    name: &str,
) -> Result<Option<String>, ApiError> {
    match obj.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => {
            // Each fault counts only where it changes the verdict: characters are fewer than
            // bytes only beyond ASCII.
            let over = s.len() > TEXT_LIMIT_BYTES
                && !(s.chars().count() <= TEXT_LIMIT_BYTES && mock.fire(Fault::CharsNotBytes));
            let unchecked_alias =
                || name.starts_with("display_") && mock.fire(Fault::NoDisplayNameLimit);
            if over && !unchecked_alias() && !mock.fire(Fault::NoLengthCheck) {
                return Err(ApiError::invalid(
                    Service::Evs,
                    format!(
                        "Invalid input received: {name} has {} bytes, more than {TEXT_LIMIT_BYTES}",
                        s.len()
                    ),
                ));
            }
            Ok(Some(s.clone()))
        }
        Some(other) => Err(ApiError::invalid(
            Service::Evs,
            format!(
                "Invalid input received: {name} must be a string, not {}",
                kind(other)
            ),
        )),
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// The fields Cinder's snapshot update schema (`cinder/api/schemas/snapshots.py`) knows; v3 reads
/// only the first two (seeds 003/004), but the schema, shared by both versions, admits all four.
const UPDATABLE: &[&str] = &["name", "description", "display_name", "display_description"];

/// PUT /v2/{project_id}/snapshots/{snapshot_id} (seed 002) and
/// PUT /v3/{project_id}/snapshots/{snapshot_id} (seeds 003 and 004).
pub fn update_snapshot(
    mock: &Mock,
    project: &str,
    id: &str,
    body: &[u8],
    version: Version,
) -> Result<Response, ApiError> {
    let body = parse_json(body, Service::Evs)?;
    // Seeds 002/003: `snapshot` is a required object.
    let Some(obj) = body.get("snapshot") else {
        return Err(ApiError::invalid(
            Service::Evs,
            "Invalid input received: 'snapshot' is required",
        ));
    };
    let Some(obj) = obj.as_object() else {
        return Err(ApiError::invalid(
            Service::Evs,
            "Invalid input received: 'snapshot' must be an object",
        ));
    };
    // Cinder's update schema sets additionalProperties false at both levels: a field beside a
    // known one is refused, not ignored (`snapshot-update-needs-a-field`).
    let top_extra = body
        .as_object()
        .and_then(|top| top.keys().find(|k| k.as_str() != "snapshot"));
    let inner_extra = obj.keys().find(|k| !UPDATABLE.contains(&k.as_str()));
    if let Some(extra) = top_extra.or(inner_extra) {
        return Err(ApiError::invalid(
            Service::Evs,
            format!("Invalid input received: additional properties are not allowed ('{extra}' was unexpected)"),
        ));
    }
    let name = text_field(mock, obj, "name")?;
    let description = text_field(mock, obj, "description")?;
    let (name, description) = match version {
        // Seed 002: display_name / display_description are aliases; name wins over display_name.
        Version::V2 => {
            let display_name = text_field(mock, obj, "display_name")?;
            let display_description = text_field(mock, obj, "display_description")?;
            let name = match (name, display_name) {
                (Some(n), Some(d)) if n != d && mock.fire(Fault::DisplayNameWins) => Some(d),
                (name, display_name) => name.or(display_name),
            };
            (name, description.or(display_description))
        }
        // Seeds 003/004: v3 documents name and description only.
        Version::V3 => (name, description),
    };
    if name.is_none() && description.is_none() {
        return Err(ApiError::invalid(
            Service::Evs,
            "Invalid input received: no updatable field in 'snapshot'",
        ));
    }
    let mut store = mock.write();
    let snapshot = writable(mock, &mut store, project, id, "Updating a snapshot")?;
    if !mock.fire(Fault::IgnoreUpdate) {
        if let Some(n) = name {
            snapshot.name = n;
        }
        if let Some(d) = description {
            snapshot.description = d;
        }
        snapshot.updated_at = now();
    }
    let reserved = version == Version::V3;
    let snapshot = view(mock, project, snapshot, reserved);
    Ok(mock.ok(OneSnapshot { snapshot }))
}

/// The user that created every fixture snapshot (the v3 show page documents `user_id`).
pub const FIXTURE_USER_ID: &str = "7a3e1c2b4d5f40718293a4b5c6d7e8f9";

/// GET /v2|v3/{project_id}/snapshots/{snapshot_id} (查询单个云硬盘快照详细信息-Cinder-v2, -v3).
/// Both show pages document the same body, reserved attributes included; the v3 page adds
/// `user_id`, as Cinder's v3 show does.
pub fn show_snapshot(mock: &Mock, project: &str, id: &str, v3: bool) -> Result<Response, ApiError> {
    let store = mock.read();
    let Some((owner, s)) = find(mock, &store, project, id) else {
        // `unknown-id-ok`: any stored snapshot, under the id asked for.
        let made_up = store
            .snapshots
            .iter()
            .find_map(|(p, m)| Some((p, m.values().next()?)));
        return match made_up.filter(|_| mock.fire(Fault::UnknownIdOk)) {
            Some((owner, s)) => {
                let mut snapshot = view(mock, owner, s, true);
                snapshot.id = id;
                Ok(mock.ok_json(super::json_body(&OneSnapshot { snapshot })))
            }
            None => Err(ApiError::not_found(Service::Evs, &format!("Snapshot {id}"))),
        };
    };
    let body = mock.rendered(&store, owner, &s.id, v3, || {
        let mut snapshot = view(mock, owner, s, true);
        if v3 {
            snapshot.user_id = Some(FIXTURE_USER_ID);
        }
        super::json_body(&OneSnapshot { snapshot })
    });
    Ok(mock.ok_json(body))
}

/// POST /v2|v3/{project_id}/snapshots (创建云硬盘快照): 202 with the new snapshot, `creating`
/// in the answer as Cinder's is; it is stored `available`, so the next read finds it ready.
/// `volume_id` is required; v2 takes `display_name` / `display_description` as aliases.
pub fn create_snapshot(
    mock: &Mock,
    project: &str,
    body: &[u8],
    version: Version,
) -> Result<Response, ApiError> {
    let body = parse_json(body, Service::Evs)?;
    let invalid = |m: &str| ApiError::invalid(Service::Evs, format!("Invalid input received: {m}"));
    let obj = body
        .get("snapshot")
        .and_then(Value::as_object)
        .ok_or_else(|| invalid("'snapshot' is a required object"))?;
    let volume_id = obj
        .get("volume_id")
        .and_then(Value::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| invalid("'volume_id' is required"))?;
    let mut name = text_field(mock, obj, "name")?;
    let mut description = text_field(mock, obj, "description")?;
    if version == Version::V2 {
        name = name.or(text_field(mock, obj, "display_name")?);
        description = description.or(text_field(mock, obj, "display_description")?);
    }
    if obj.get("force").is_some_and(|f| !f.is_boolean()) {
        return Err(invalid("'force' must be a boolean"));
    }
    let mut metadata = std::collections::BTreeMap::new();
    match obj.get("metadata") {
        None => {}
        Some(Value::Object(m)) => {
            for (k, v) in m {
                let v = v
                    .as_str()
                    .ok_or_else(|| invalid("metadata values must be strings"))?;
                metadata.insert(k.clone(), v.to_string());
            }
        }
        Some(_) => return Err(invalid("'metadata' must be an object")),
    }
    let stamp = now();
    let stored = Snapshot {
        id: uuid::Uuid::new_v4().to_string(),
        name: name.unwrap_or_default(),
        description: description.unwrap_or_default(),
        status: "available".into(),
        volume_id: volume_id.to_string(),
        size: 1,
        metadata,
        created_at: stamp.clone(),
        updated_at: stamp,
    };
    mock.write()
        .snapshots
        .entry(project.to_string())
        .or_default()
        .insert(stored.id.clone(), stored.clone());
    let answered = Snapshot {
        status: "creating".into(),
        ..stored
    };
    // The create pages document no `user_id` (the v3 show page does).
    let snapshot = view(mock, project, &answered, false);
    let bytes = super::json_body(&OneSnapshot { snapshot })
        .map_err(|e| ApiError::invalid(Service::Evs, e.to_string()))?;
    Ok((
        axum::http::StatusCode::ACCEPTED,
        [(
            axum::http::header::CONTENT_TYPE,
            axum::http::HeaderValue::from_static("application/json"),
        )],
        bytes,
    )
        .into_response())
}

/// DELETE /v2|v3/{project_id}/snapshots/{snapshot_id} (删除云硬盘快照): 202, no body; an unknown
/// id (or another project's) is the 404 of a read.
pub fn delete_snapshot(mock: &Mock, project: &str, id: &str) -> Result<Response, ApiError> {
    let mut store = mock.write();
    let held = store
        .snapshots
        .get(project)
        .is_some_and(|m| m.contains_key(id));
    let removed = if held && mock.fire(Fault::DeleteKeeps) {
        store
            .snapshots
            .get(project)
            .and_then(|m| m.get(id))
            .cloned()
    } else {
        store.snapshots.get_mut(project).and_then(|m| m.remove(id))
    };
    match removed {
        Some(_) => Ok(axum::http::StatusCode::ACCEPTED.into_response()),
        None => Err(ApiError::not_found(Service::Evs, &format!("Snapshot {id}"))),
    }
}

/// GET /v2|v3/{project_id}/snapshots/{snapshot_id}/metadata (查询云硬盘快照的元数据).
pub fn list_metadata(mock: &Mock, project: &str, id: &str) -> Result<Response, ApiError> {
    let store = mock.read();
    let (_, s) = find(mock, &store, project, id)
        .ok_or_else(|| ApiError::not_found(Service::Evs, &format!("Snapshot {id}")))?;
    Ok(mock.ok(json!({"metadata": s.metadata})))
}

/// GET …/metadata/{key} (查询云硬盘快照的单个元数据).
pub fn show_metadata_item(
    mock: &Mock,
    project: &str,
    id: &str,
    key: &str,
) -> Result<Response, ApiError> {
    let store = mock.read();
    let (_, s) = find(mock, &store, project, id)
        .ok_or_else(|| ApiError::not_found(Service::Evs, &format!("Snapshot {id}")))?;
    let value = s
        .metadata
        .get(key)
        .ok_or_else(|| ApiError::not_found(Service::Evs, &format!("Metadata key {key}")))?;
    Ok(mock.ok(super::MetaItem(key, value)))
}

/// Reads a metadata-item body: its single `meta` item, checked against the URI key.
/// Seeds 000 and 001: `meta` is required, holds exactly one item, its key equals the URI key,
/// and its value is a string.
pub fn single_item(
    mock: &Mock,
    body: &[u8],
    uri_key: &str,
    service: Service,
) -> Result<(String, String), ApiError> {
    let mut body = parse_json(body, service)?;
    // Taken out of the parsed body, not copied: a PUT's key and value are kept as they came.
    let meta = match body.get_mut("meta") {
        None => {
            return Err(ApiError::invalid(
                service,
                "Invalid input received: 'meta' is required",
            ))
        }
        Some(Value::Object(meta)) => std::mem::take(meta),
        Some(_) => {
            return Err(ApiError::invalid(
                service,
                "Invalid input received: 'meta' must be an object",
            ))
        }
    };
    if meta.len() != 1 {
        return Err(ApiError::invalid(
            service,
            format!(
                "Invalid input received: 'meta' must hold exactly one item, not {}",
                meta.len()
            ),
        ));
    }
    let (key, value) = meta.into_iter().next().unwrap_or_default();
    if key != uri_key && !mock.fire(Fault::UriKeyMismatchAccepted) {
        return Err(ApiError::uri_mismatch(service));
    }
    match value {
        Value::String(v) => Ok((key, v)),
        _ => Err(ApiError::invalid(
            service,
            format!("Invalid input received: the value of '{key}' must be a string"),
        )),
    }
}

/// PUT /v2/{project_id}/snapshots/{snapshot_id}/metadata/{key} (seed 000).
pub fn update_metadata_item(
    mock: &Mock,
    project: &str,
    id: &str,
    uri_key: &str,
    body: &[u8],
) -> Result<Response, ApiError> {
    let (key, value) = single_item(mock, body, uri_key, Service::Evs)?;
    if !meta_item_fits(&key, &value) && !mock.fire(Fault::NoLengthCheck) {
        return Err(ApiError::invalid(
            Service::Evs,
            format!("Invalid input received: metadata keys must have 1 to {META_LIMIT_CHARS} characters of A-Z a-z 0-9 - _ : . and space, and values at most {META_LIMIT_CHARS}"),
        ));
    }
    let mut store = mock.write();
    let snapshot = writable(mock, &mut store, project, id, "Updating metadata")?;
    if key.starts_with(SYSTEM_KEY_PREFIX) {
        return Err(ApiError::system_metadata(&key));
    }
    if !mock.fire(Fault::MetadataNotPersisted) {
        snapshot.metadata.insert(key.clone(), value.clone());
        snapshot.updated_at = now();
    }
    Ok(mock.ok(super::MetaItem(&key, &value)))
}

/// DELETE /v2|v3/{project_id}/snapshots/{snapshot_id}/metadata/{key}
/// (删除云硬盘快照的单个元数据: 200, no body; an unknown key is 404).
pub fn delete_metadata_item(
    mock: &Mock,
    project: &str,
    id: &str,
    key: &str,
) -> Result<Response, ApiError> {
    let mut store = mock.write();
    let snapshot = writable(mock, &mut store, project, id, "Deleting metadata")?;
    if key.starts_with(SYSTEM_KEY_PREFIX) {
        return Err(ApiError::system_metadata(key));
    }
    snapshot
        .metadata
        .remove(key)
        .ok_or_else(|| ApiError::not_found(Service::Evs, &format!("Metadata key {key}")))?;
    snapshot.updated_at = now();
    Ok(axum::response::IntoResponse::into_response(
        mock.ok_status(),
    ))
}
