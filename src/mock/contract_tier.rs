//! The mock's contract tier: every derived operation without a hand-written emulation is served
//! from the contract, as Prism serves an OpenAPI file but from conform's own contract (byte
//! limits included).
//!
//! A request is matched to an operation by method and path template; its body is validated
//! against the derived request schema; a bad one gets 400 in the operation's documented error
//! envelope with a documented code. A valid one gets the documented success status and a body
//! built from the response schema, with path parameters and echoed request fields filled in.
//! Resources of the resource table are stateful: a create stores one, a read finds it (404
//! otherwise), an update merges into it, a delete removes it.
//!
//! Unlike the hand-written emulations, this tier reads the derived schemas by design: it is what
//! a contract says, served, for operations nobody has emulated yet.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use axum::http::StatusCode;
use serde_json::{json, Map, Value};

use crate::contract::resources::collection_of;
use crate::contract::{Contract, Operation, SchemaKind};

/// State of the contract tier: the contract and the table's resources by (collection, project, id).
#[derive(Debug)]
pub struct Tier {
    contract: Arc<Contract>,
    store: RwLock<HashMap<(String, String, String), Value>>,
}

/// An answer: status and JSON body (None: no body).
pub type Answer = (StatusCode, Option<Value>);

/// A matched operation with its path parameters.
type Matched<'a> = (&'a Operation, Vec<(String, String)>);

impl Tier {
    /// A tier serving this contract.
    pub fn new(contract: Arc<Contract>) -> Tier {
        Tier {
            contract,
            store: RwLock::new(HashMap::new()),
        }
    }

    /// The operation a request is for, with its path parameters; the most literal template wins.
    fn route(&self, method: &str, path: &str) -> Option<Matched<'_>> {
        let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
        let mut best: Option<(Matched<'_>, usize)> = None;
        for op in self
            .contract
            .operations
            .iter()
            .filter(|o| o.method == method)
        {
            let t: Vec<&str> = op.path.split('/').filter(|s| !s.is_empty()).collect();
            if t.len() != segs.len() {
                continue;
            }
            let mut params = Vec::new();
            let mut literal = 0;
            let fits = t.iter().zip(&segs).all(|(t, s)| {
                match t.strip_prefix('{').and_then(|x| x.strip_suffix('}')) {
                    Some(name) => {
                        params.push((name.to_string(), percent_decode(s)));
                        true
                    }
                    None => {
                        literal += 1;
                        t == s
                    }
                }
            });
            if fits && best.as_ref().is_none_or(|b| literal > b.1) {
                best = Some(((op, params), literal));
            }
        }
        best.map(|(m, _)| m)
    }

    /// Whether any operation of the contract has this path (for 405 versus 404).
    fn path_known(&self, path: &str) -> bool {
        !self.methods(path).is_empty()
    }

    /// The methods the contract has an operation for at this path (for a 405's `Allow`).
    pub fn methods(&self, path: &str) -> Vec<&'static str> {
        ["GET", "PUT", "POST", "DELETE", "PATCH", "HEAD"]
            .into_iter()
            .filter(|m| self.route(m, path).is_some())
            .collect()
    }

    /// Answers a request, or None when no operation of the contract has this path at all.
    pub fn answer(&self, method: &str, path: &str, body: &[u8]) -> Option<Answer> {
        let Some((op, params)) = self.route(method, path) else {
            return self
                .path_known(path)
                .then(|| self.error(None, StatusCode::METHOD_NOT_ALLOWED, "method not allowed"));
        };
        let request = if op.request_body {
            if body.is_empty() {
                return Some(self.error(
                    Some(op),
                    StatusCode::BAD_REQUEST,
                    "the request body is empty",
                ));
            }
            let Ok(v) = serde_json::from_slice::<Value>(body) else {
                return Some(self.error(
                    Some(op),
                    StatusCode::BAD_REQUEST,
                    "the request body is not JSON",
                ));
            };
            if let Some(validator) = self.contract.validator(&op.id, SchemaKind::Request) {
                if let Some(e) = validator.iter_errors(&v).next() {
                    let msg = format!("'{}': {}", e.instance_path().as_str(), e.masked());
                    return Some(self.error(Some(op), StatusCode::BAD_REQUEST, &msg));
                }
            }
            Some(v)
        } else {
            None
        };
        Some(self.serve(op, path, &params, request.as_ref()))
    }

    fn serve(
        &self,
        op: &Operation,
        path: &str,
        params: &[(String, String)],
        request: Option<&Value>,
    ) -> Answer {
        let status = op
            .success
            .first()
            .and_then(|s| StatusCode::from_u16(*s).ok())
            .unwrap_or(StatusCode::OK);
        let schema = op
            .success
            .first()
            .and_then(|s| self.contract.schema(&op.id, SchemaKind::Response(*s)));
        let mut body = schema.map(|s| instance(s, params));
        if let (Some(b), Some(r)) = (&mut body, request) {
            echo(b, r);
        }
        let Some(kind) = collection_of(path).and_then(|c| self.contract.resources.by_collection(c))
        else {
            return (status, body);
        };
        let project = path_segment_after_version(path, 0).unwrap_or_default();
        let id = path_segment_after_version(path, 2);
        let mut store = self.store.write().unwrap_or_else(|p| p.into_inner());
        match (op.method.as_str(), id) {
            ("POST", None) => {
                let new_id = uuid::Uuid::new_v4().to_string();
                let mut b = body.unwrap_or_else(|| json!({}));
                if let Some(ptr) = &kind.created_id {
                    set_pointer(&mut b, ptr, Value::String(new_id.clone()));
                }
                store.insert((kind.collection.clone(), project, new_id), b.clone());
                (status, Some(b))
            }
            (method, Some(id)) => {
                let key = (kind.collection.clone(), project, id);
                // Sub-resources (metadata items) of a stored resource answer from the schema.
                let whole = crate::run::locks::resource_key(path).split('/').count() == 3
                    && path.trim_end_matches('/').ends_with(&key.2);
                match (method, store.get_mut(&key)) {
                    (_, None) => self.error(
                        Some(op),
                        StatusCode::NOT_FOUND,
                        "the resource does not exist",
                    ),
                    ("DELETE", Some(_)) if whole => {
                        store.remove(&key);
                        (status, body)
                    }
                    ("GET", Some(stored)) if whole => (status, Some(stored.clone())),
                    ("PUT" | "PATCH", Some(stored)) if whole => {
                        if let Some(r) = request {
                            merge(stored, r);
                        }
                        (status, Some(stored.clone()))
                    }
                    _ => (status, body),
                }
            }
            _ => (status, body),
        }
    }

    /// An error in the operation's documented envelope, with a documented code for the status.
    fn error(&self, op: Option<&Operation>, status: StatusCode, message: &str) -> Answer {
        let service = op.map(|o| o.service.as_str()).unwrap_or_default();
        let codes = self.contract.error_codes.get(service);
        let code = codes
            .and_then(|c| c.get(&status.as_u16()))
            .and_then(|c| c.first())
            .map(|c| c.code.clone())
            .unwrap_or_default();
        let schema = op.and_then(|o| self.contract.schema(&o.id, SchemaKind::Error));
        let kind = match status.as_u16() {
            404 => "itemNotFound",
            405 => "methodNotAllowed",
            409 => "conflictingRequest",
            413 => "overLimit",
            _ => "badRequest",
        };
        let inner = json!({"code": code, "message": message});
        let body = match schema {
            Some(s) if s.get("properties").is_some() => fill_error(s, &code, message),
            _ => json!({ kind: inner }),
        };
        (status, Some(body))
    }
}

/// An error body for an envelope with named properties (`error_code`, `error_msg` …).
fn fill_error(schema: &Value, code: &str, message: &str) -> Value {
    let mut out = Map::new();
    if let Some(props) = schema.get("properties").and_then(Value::as_object) {
        for (name, s) in props {
            let lower = name.to_ascii_lowercase();
            let v = if s.get("properties").is_some() {
                fill_error(s, code, message)
            } else if lower.contains("code") {
                Value::String(code.into())
            } else if lower.contains("msg") || lower.contains("message") {
                Value::String(message.into())
            } else {
                instance(s, &[])
            };
            out.insert(name.clone(), v);
        }
    }
    Value::Object(out)
}

/// The n-th segment after an API version (0: the project).
fn path_segment_after_version(path: &str, n: usize) -> Option<String> {
    let mut segs = path.split('/').filter(|s| !s.is_empty()).peekable();
    if segs.peek().is_some_and(|s| {
        s.starts_with('v') && s[1..].chars().all(|c| c.is_ascii_digit() || c == '.')
    }) {
        segs.next();
    }
    segs.nth(n).map(percent_decode)
}

fn percent_decode(s: &str) -> String {
    percent_encoding::percent_decode_str(s)
        .decode_utf8_lossy()
        .into_owned()
}

/// A value the schema accepts: required and documented properties filled, path parameters used
/// where a field has their name (or is the resource's `id`).
pub fn instance(schema: &Value, params: &[(String, String)]) -> Value {
    if let Some(e) = schema
        .get("enum")
        .and_then(Value::as_array)
        .and_then(|a| a.first())
    {
        return e.clone();
    }
    if let Some(alts) = schema
        .get("oneOf")
        .or(schema.get("anyOf"))
        .and_then(Value::as_array)
    {
        if let Some(first) = alts.first() {
            return instance(first, params);
        }
    }
    let ty = match schema.get("type") {
        Some(Value::String(t)) => t.as_str(),
        Some(Value::Array(a)) => a.iter().find_map(Value::as_str).unwrap_or("object"),
        _ if schema.get("properties").is_some() => "object",
        _ => "string",
    };
    match ty {
        "object" => {
            let mut out = Map::new();
            if let Some(props) = schema.get("properties").and_then(Value::as_object) {
                for (name, s) in props {
                    let by_name = params
                        .iter()
                        .find(|(p, _)| {
                            p == name || (name == "id" && p.ends_with("_id") && p != "project_id")
                        })
                        .map(|(_, v)| Value::String(v.clone()));
                    let v = match (by_name, s.get("type").and_then(Value::as_str)) {
                        (Some(v), Some("string") | None) => v,
                        _ => instance(s, params),
                    };
                    out.insert(name.clone(), v);
                }
            }
            Value::Object(out)
        }
        "array" => Value::Array(Vec::new()),
        "integer" => json!(schema.get("minimum").and_then(Value::as_i64).unwrap_or(0)),
        "number" => json!(schema.get("minimum").and_then(Value::as_f64).unwrap_or(0.0)),
        "boolean" => Value::Bool(false),
        "null" => Value::Null,
        _ => {
            let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
            Value::String("x".repeat(min.max(1)))
        }
    }
}

/// Copies request fields into the response where the response has the same place.
fn echo(response: &mut Value, request: &Value) {
    if let (Value::Object(resp), Value::Object(req)) = (response, request) {
        for (k, v) in req {
            match resp.get_mut(k) {
                Some(r @ Value::Object(_)) if v.is_object() => echo(r, v),
                Some(r) if std::mem::discriminant(r) == std::mem::discriminant(v) => *r = v.clone(),
                _ => {}
            }
        }
    }
}

/// Merges an update body into a stored resource (objects deeply, values replaced).
fn merge(stored: &mut Value, update: &Value) {
    match (stored, update) {
        (Value::Object(s), Value::Object(u)) => {
            for (k, v) in u {
                match s.get_mut(k) {
                    Some(x) if x.is_object() && v.is_object() => merge(x, v),
                    _ => {
                        s.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        (s, u) => *s = u.clone(),
    }
}

fn set_pointer(v: &mut Value, pointer: &str, value: Value) {
    let mut cur = v;
    let parts: Vec<&str> = pointer.split('/').skip(1).collect();
    for (i, p) in parts.iter().enumerate() {
        if !cur.is_object() {
            *cur = json!({});
        }
        let Value::Object(o) = cur else { return };
        if i + 1 == parts.len() {
            o.insert((*p).to_string(), value);
            return;
        }
        cur = o.entry((*p).to_string()).or_insert_with(|| json!({}));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instances_satisfy_their_schema() {
        let schema = json!({"type": "object", "required": ["volume"], "properties": {"volume": {"type": "object", "properties": {"id": {"type": "string"}, "size": {"type": "integer", "minimum": 1}, "status": {"enum": ["available", "error"]}, "tags": {"type": "array"}}}}});
        let v = instance(&schema, &[("volume_id".into(), "v-1".into())]);
        assert_eq!(
            v,
            json!({"volume": {"id": "v-1", "size": 1, "status": "available", "tags": []}})
        );
        let compiled = crate::contract::keywords::compile(&schema).unwrap();
        assert!(compiled.is_valid(&v));
    }

    #[test]
    fn percent_decoding_and_pointers() {
        assert_eq!(percent_decode("a%20b%zz"), "a b%zz");
        let mut v = json!({});
        set_pointer(&mut v, "/volume/id", json!("x"));
        assert_eq!(v, json!({"volume": {"id": "x"}}));
    }
}
