//! The mock's contract tier: every derived operation without a hand-written emulation is served
//! from the contract, as Prism serves an OpenAPI file but from conform's own contract (byte
//! limits included).
//!
//! A request is matched to an operation by method and path template (routing tables built at
//! start-up, `router`; empty segments, a trailing slash among them, are ignored); its body is
//! validated against the derived request schema; a bad one gets 400 in the operation's
//! documented error envelope with a documented code. A valid one gets the documented success
//! status and a body built from the response schema, with path parameters and echoed request
//! fields filled in.
//! Every kind of the resource table is stateful (`contract_memory`): a create stores one, a
//! read or list answers what is stored, an update merges into it, a delete removes it, and an
//! id nobody created is the documented 404, for actions too.
//!
//! Unlike the hand-written emulations, this tier reads the derived schemas by design: it is what
//! a contract says, served, for operations nobody has emulated yet.

use std::borrow::Cow;
use std::sync::Arc;

use axum::http::{Method, StatusCode};
use serde_json::{json, Map, Value};

use super::contract_memory::{Memory, Role, Unknown};
use super::faults::{Fault, Faults};
use super::router::Table;
use super::scalars::Scalars;
use crate::contract::{Contract, ErrorCode, Operation, SchemaKind};

/// State of the contract tier: the contract and the table's resources by (collection, project, id).
#[derive(Debug)]
pub struct Tier {
    contract: Arc<Contract>,
    memory: Memory,
    jobs: super::jobs::Jobs,
    /// The ids the contract names that none of its operations creates.
    pub seeds: super::seeds::Seeds,
    /// The `unknown-id-ok` fault: an unknown id is answered as if it existed.
    unknown_id_ok: bool,
    /// The operations by method, then path template: indices into the contract's operations.
    /// A table per method, so that a request is routed among its method's templates only, as
    /// Nova's and Neutron's routers match a route with its method: `DELETE …/tags/action` is
    /// the delete of the tag `action` even where `POST …/tags/action` is another operation.
    routes: Vec<(Method, Table<usize>)>,
    /// The constrained schemas of the success answers, each compiled once for the echo.
    scalars: Scalars,
}

/// An answer: status and JSON body (None: no body).
pub type Answer = (StatusCode, Option<Value>);

/// A matched operation with its path parameters.
type Matched<'a> = (&'a Operation, Vec<(String, String)>);

impl Tier {
    /// A tier serving this contract, deviating from it as the faults say.
    pub fn new(contract: Arc<Contract>, faults: Faults) -> Tier {
        let mut routes: Vec<(Method, Table<usize>)> = Vec::new();
        for (i, op) in contract.operations.iter().enumerate() {
            let Ok(method) = Method::from_bytes(op.method.as_bytes()) else {
                tracing::warn!("{} {}: not an HTTP method, not served", op.method, op.path);
                continue;
            };
            let at = match routes.iter().position(|(m, _)| *m == method) {
                Some(at) => at,
                None => {
                    routes.push((method.clone(), Table::new()));
                    routes.len() - 1
                }
            };
            if let Err(refused) = routes[at].1.insert(method, &compact(&op.path), i) {
                tracing::warn!("{refused}");
            }
        }
        let answers = contract.operations.iter().filter_map(|op| {
            let status = *op.success.first()?;
            contract.schema(&op.id, SchemaKind::Response(status))
        });
        let queries = contract
            .operations
            .iter()
            .flat_map(|op| op.query_params.iter().map(|q| &q.schema));
        let scalars = Scalars::of(answers.chain(queries));
        Tier {
            scalars,
            unknown_id_ok: faults.has(Fault::UnknownIdOk),
            memory: Memory::new(&contract.resources, faults),
            jobs: Default::default(),
            seeds: super::seeds::Seeds::of(&contract),
            contract,
            routes,
        }
    }

    /// The operation a request is for, with its path parameters (decoded); of several templates
    /// that fit, the literal one wins (see `router`).
    fn route(&self, method: &str, path: &str) -> Option<Matched<'_>> {
        let path = compact(path);
        let (method, table) = self.routes.iter().find(|(m, _)| m == method)?;
        let hit = table.at(method, &path)?;
        let op = self.contract.operations.get(*hit.value)?;
        let params = hit
            .params
            .iter()
            .map(|(name, v)| (name.to_string(), percent_decode(v)))
            .collect();
        Some((op, params))
    }

    /// Whether any operation of the contract has this path (for 405 versus 404).
    fn path_known(&self, path: &str) -> bool {
        !self.methods(path).is_empty()
    }

    /// The methods the contract has an operation for at this path (for a 405's `Allow`).
    pub fn methods(&self, path: &str) -> Vec<&str> {
        let path = compact(path);
        let mut out: Vec<&str> = self
            .routes
            .iter()
            .filter(|(m, table)| table.at(m, &path).is_some())
            .map(|(m, _)| m.as_str())
            .collect();
        out.sort_by_key(|m| super::router::rank(m));
        out
    }

    /// Answers a request, or None when no operation of the contract has this path at all.
    pub fn answer(
        &self,
        method: &str,
        path: &str,
        query: Option<&str>,
        body: &[u8],
    ) -> Option<Answer> {
        let Some((op, params)) = self.route(method, path) else {
            return self
                .path_known(path)
                .then(|| self.error(None, StatusCode::METHOD_NOT_ALLOWED, "method not allowed"));
        };
        if let Some(refused) = super::query::refusal(&op.query_params, query, &self.scalars) {
            return Some(self.error(Some(op), StatusCode::BAD_REQUEST, &refused));
        }
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
        Some(self.serve(op, path, &params, query, request.as_ref()))
    }

    fn serve(
        &self,
        op: &Operation,
        path: &str,
        params: &[(String, String)],
        query: Option<&str>,
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
            echo(b, r, schema, &self.scalars);
        }
        if let Some((_, job)) = params.iter().find(|(p, _)| p == super::jobs::JOB_ID) {
            if op.method == "GET" {
                return match body.and_then(|b| self.jobs.complete(job, b)) {
                    Some(done) => (status, Some(done)),
                    None => self.not_found(
                        op,
                        &Unknown {
                            collection: "jobs".into(),
                            id: job.clone(),
                        },
                    ),
                };
            }
        }
        if let Some((name, id)) = self.seeds.unknown(params).filter(|_| !self.unknown_id_ok) {
            return self.not_found(
                op,
                &Unknown {
                    collection: name.clone(),
                    id: id.clone(),
                },
            );
        }
        let role = match self.memory.role(&op.path, path, params) {
            Ok(role) if op.method == "GET" => Memory::list_of(role),
            Ok(role) => role,
            // The made-up body of the operation's schema, as if the id existed.
            Err(_) if self.unknown_id_ok => Role::Other,
            Err(unknown) => return self.not_found(op, &unknown),
        };
        let fit = |stored: &Value| {
            let mut b = schema
                .map(|s| instance(s, params))
                .unwrap_or_else(|| stored.clone());
            echo(&mut b, stored, schema, &self.scalars);
            b
        };
        match (op.method.as_str(), role) {
            (
                "POST",
                Role::Create {
                    collection,
                    id_pointer,
                },
            ) => {
                let mut made = body.unwrap_or_else(|| json!({}));
                if let Some(s) = schema {
                    prime(&mut made, s, &id_pointer, params);
                }
                let (mut answer, id) =
                    self.memory
                        .create_with_id(&collection, &id_pointer, made, request);
                let at = self
                    .contract
                    .resources
                    .creating(&op.method, &op.path)
                    .and_then(|k| k.created_by_job.as_ref())
                    .map(|j| j.entity.clone());
                self.jobs.start(&mut answer, Some(id), at);
                (status, Some(answer))
            }
            (
                "GET",
                Role::List {
                    collection,
                    envelope,
                },
            ) => {
                let items = filtered(self.memory.list(&collection), envelope.as_deref(), query);
                (
                    status,
                    body.map(|b| {
                        fill_list(
                            b,
                            schema,
                            &items,
                            envelope.as_deref(),
                            params,
                            &self.scalars,
                        )
                    }),
                )
            }
            (method, Role::Item { collection, id }) => match method {
                "GET" => (status, self.memory.get(&collection, &id).map(|s| fit(&s))),
                "PUT" | "PATCH" => {
                    let stored = request.and_then(|r| self.memory.update(&collection, &id, r));
                    (status, body.and(stored.map(|s| fit(&s))))
                }
                "DELETE" => {
                    self.memory.delete(&collection, &id);
                    (status, body)
                }
                _ => (status, self.job_started(op, body)),
            },
            _ => (status, self.job_started(op, body)),
        }
    }

    /// A POST that is no create and answers a `job_id` starts a job of its own (a create's
    /// job completes with what the create made).
    fn job_started(&self, op: &Operation, mut body: Option<Value>) -> Option<Value> {
        if op.method == "POST" {
            if let Some(b) = &mut body {
                self.jobs.start(b, None, None);
            }
        }
        body
    }

    /// The documented 404 for an id nobody created, with the not-found code about that kind
    /// when the table has one (`Port does not exist` over `VPC does not exist` for a port).
    fn not_found(&self, op: &Operation, unknown: &Unknown) -> Answer {
        let noun = unknown
            .collection
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .trim_end_matches("_id")
            .trim_end_matches('s')
            .replace(['_', '-'], " ");
        let code = self
            .contract
            .error_codes
            .get(&op.service)
            .and_then(|c| not_found_code(c, &noun));
        self.error_with(Some(op), StatusCode::NOT_FOUND, &unknown.to_string(), code)
    }

    /// An error in the operation's documented envelope, with a documented code for the status.
    fn error(&self, op: Option<&Operation>, status: StatusCode, message: &str) -> Answer {
        self.error_with(op, status, message, None)
    }

    /// An error with a chosen code (None: a documented code of the status).
    fn error_with(
        &self,
        op: Option<&Operation>,
        status: StatusCode,
        message: &str,
        code: Option<String>,
    ) -> Answer {
        let service = op.map(|o| o.service.as_str()).unwrap_or_default();
        let code = code
            .or_else(|| {
                let codes = self.contract.error_codes.get(service)?;
                code_for(codes, status.as_u16())
            })
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

/// A path without its empty segments (`/v1//p/vpcs/` is `/v1/p/vpcs`): the tier has always
/// ignored them, in requests and in templates alike. Borrowed when there is none.
fn compact(path: &str) -> Cow<'_, str> {
    let clean = match path.strip_prefix('/') {
        Some(rest) => rest.is_empty() || !rest.split('/').any(str::is_empty),
        None => false,
    };
    if clean {
        return Cow::Borrowed(path);
    }
    let mut out = String::with_capacity(path.len());
    for segment in path.split('/').filter(|s| !s.is_empty()) {
        out.push('/');
        out.push_str(segment);
    }
    if out.is_empty() {
        out.push('/');
    }
    Cow::Owned(out)
}

/// Words an error-code message uses for "not found" (the tables are Chinese or English).
const NOT_FOUND_WORDS: &[&str] = &[
    "not found",
    "not be found",
    "not exist",
    "does not exist",
    "no such",
    "不存在",
    "找不到",
    "未找到",
];

/// A documented code for a status. A 404 takes the code whose message means "not found",
/// looked for among the 404 codes, then all the service's codes: tables list codes in no
/// meaningful order, so the first one may be about something else entirely.
fn code_for(codes: &Codes, status: u16) -> Option<String> {
    let of_status = codes.get(&status).map(Vec::as_slice).unwrap_or_default();
    if status == 404 {
        if let Some(c) = not_found_code(codes, "") {
            return Some(c);
        }
    }
    of_status.first().map(|c| c.code.clone())
}

/// Documented codes of one service by status.
type Codes = std::collections::BTreeMap<u16, Vec<ErrorCode>>;

/// The code whose message means "not found", preferring one that names `noun`, among the 404
/// codes first (any 404 code before another status's), then all of the service's.
fn not_found_code(codes: &Codes, noun: &str) -> Option<String> {
    let means = |c: &&ErrorCode| {
        let m = c.message.to_lowercase();
        NOT_FOUND_WORDS.iter().any(|w| m.contains(w))
    };
    let about = |c: &&ErrorCode| !noun.is_empty() && c.message.to_lowercase().contains(noun);
    let of_404 = || codes.get(&404).into_iter().flatten();
    let all = || codes.values().flatten();
    of_404()
        .filter(means)
        .find(about)
        .or_else(|| of_404().find(means))
        // A documented 404 code whatever its message says ("cound not be found"): a code of
        // another status would contradict the table.
        .or_else(|| of_404().next())
        .or_else(|| all().filter(means).find(about))
        .or_else(|| all().find(means))
        .map(|c| c.code.clone())
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

pub(crate) fn percent_decode(s: &str) -> String {
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
                    // A resource's own `id` is the last id of its path: the first one of
                    // `/vpcs/{vpc_id}/subnets/{subnet_id}` names the parent, not the subnet.
                    let by_name = params
                        .iter()
                        .rev()
                        .find(|(p, _)| {
                            p == name
                                || (name == "tenant_id" && p == "project_id")
                                || (name == "id" && p.ends_with("_id") && p != "project_id")
                        })
                        .map(|(_, v)| Value::String(v.clone()));
                    // A plain string (typed so, or typed not at all and nothing else).
                    let string = match s.get("type") {
                        Some(t) => t == "string",
                        None => ["properties", "items", "oneOf", "anyOf", "enum"]
                            .iter()
                            .all(|k| s.get(k).is_none()),
                    };
                    let v = match (by_name, s.get("type").and_then(Value::as_str)) {
                        (Some(v), Some("string") | None) => v,
                        (None, _) if string && s.get("enum").is_none() => named_string(name, s),
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
        _ => named_string("", schema),
    }
}

/// Copies request fields into the response where the response has the same place and the
/// value is one the response schema allows there: an array's items are built from the item
/// schema, then echoed into, so an item the request left partial still has what the response
/// requires; a scalar outside the response's enum or pattern keeps the instance's value.
fn echo(response: &mut Value, request: &Value, schema: Option<&Value>, scalars: &Scalars) {
    let (Value::Object(resp), Value::Object(req)) = (response, request) else {
        return;
    };
    let props = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object);
    for (k, v) in req {
        let sub = props.and_then(|p| p.get(k));
        match (resp.get_mut(k), v) {
            (Some(r @ Value::Object(_)), Value::Object(_)) => echo(r, v, sub, scalars),
            (Some(r @ Value::Array(_)), Value::Array(items)) => {
                let item_schema = sub.and_then(|s| s.get("items"));
                let built: Vec<Value> = items
                    .iter()
                    .filter_map(|item| match (item_schema, item) {
                        (Some(is), Value::Object(_)) => {
                            let mut it = instance(is, &[]);
                            echo(&mut it, item, Some(is), scalars);
                            Some(it)
                        }
                        (Some(is), _) => scalars.allows(is, item).then(|| item.clone()),
                        (None, _) => Some(item.clone()),
                    })
                    .collect();
                *r = Value::Array(built);
            }
            (Some(r), _)
                if std::mem::discriminant(r) == std::mem::discriminant(v)
                    && sub.is_none_or(|s| scalars.allows(s, v)) =>
            {
                *r = v.clone();
            }
            _ => {}
        }
    }
}

/// Gives the arrays on the way to a create's id pointer the items it indexes, each an instance
/// of the array's item schema: a create that answers the list it made
/// (`/instances/0/instance_id`) answers one item, whole.
fn prime(body: &mut Value, schema: &Value, pointer: &str, params: &[(String, String)]) {
    let (mut cur, mut sch) = (body, schema);
    for part in pointer.split('/').skip(1) {
        match cur {
            Value::Object(o) => {
                let Some(next) = sch.get("properties").and_then(|p| p.get(part)) else {
                    return;
                };
                let Some(v) = o.get_mut(part) else { return };
                (cur, sch) = (v, next);
            }
            Value::Array(a) => {
                let (Ok(n), Some(items)) = (part.parse::<usize>(), sch.get("items")) else {
                    return;
                };
                while a.len() <= n {
                    a.push(instance(items, params));
                }
                (cur, sch) = (&mut a[n], items);
            }
            _ => return,
        }
    }
}

/// A string a server would answer for a field: what its pattern or format states, else what its
/// name means (an id is an id, a `created_at` a timestamp of now), else `x`s to its minimum
/// length. A value that breaks the field's length limits falls back to the `x`s.
fn named_string(name: &str, schema: &Value) -> Value {
    let min = schema.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let max = schema
        .get("maxLength")
        .and_then(Value::as_u64)
        .map_or(usize::MAX, |m| m as usize);
    let plain = "x".repeat(min.max(1));
    if let Some(p) = schema.get("pattern").and_then(Value::as_str) {
        return Value::String(super::patterned::value(p).unwrap_or(plain));
    }
    let now = || {
        time::OffsetDateTime::now_utc()
            .replace_nanosecond(0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
    };
    let format = schema.get("format").and_then(Value::as_str).unwrap_or("");
    let meant = match format {
        "date-time" => now(),
        "date" => now().map(|t| t[..10].to_string()),
        "uuid" => Some(uuid::Uuid::new_v4().to_string()),
        "ipv4" => Some("192.0.2.10".into()),
        "ipv6" => Some("2001:db8::10".into()),
        "email" => Some("conform@example.invalid".into()),
        "uri" => Some("https://example.invalid/".into()),
        _ if name == "id" || name.ends_with("_id") => Some(uuid::Uuid::new_v4().to_string()),
        _ if name.ends_with("_at") || name.ends_with("_time") => now(),
        _ if name == "name" => Some("conform".into()),
        _ => None,
    };
    Value::String(
        meant
            .filter(|v| (min..=max).contains(&v.chars().count()))
            .unwrap_or(plain),
    )
}

/// A list answer: the schema's first array of objects holds the stored items, each shaped by
/// the array's item schema (the stored body's envelope opened when it has one).
fn fill_list(
    mut body: Value,
    schema: Option<&Value>,
    items: &[Value],
    envelope: Option<&str>,
    params: &[(String, String)],
    scalars: &Scalars,
) -> Value {
    let Some(props) = schema
        .and_then(|s| s.get("properties"))
        .and_then(Value::as_object)
    else {
        return body;
    };
    let Some((name, item_schema)) = props.iter().find_map(|(name, s)| {
        let items = s.get("items")?;
        Some((name, items))
    }) else {
        return body;
    };
    let filled: Vec<Value> = items
        .iter()
        .map(|stored| {
            // The envelope of the id (`/vpc`, `/instances/0`); where the id sits in a list of
            // ids (`/volume_ids`), the request's envelope the memory opened.
            let mut copy;
            let inner = match envelope.and_then(|e| stored.pointer(e)) {
                Some(v) if v.is_object() => v,
                Some(_) => {
                    copy = stored.clone();
                    match super::contract_memory::opened(&mut copy) {
                        Some(v) => &*v,
                        None => stored,
                    }
                }
                None => stored,
            };
            let mut v = instance(item_schema, params);
            echo(&mut v, inner, Some(item_schema), scalars);
            v
        })
        .collect();
    let n = filled.len();
    if let Some(o) = body.as_object_mut() {
        o.insert(name.clone(), Value::Array(filled));
    }
    last_page(&mut body, schema, n);
    body
}

/// The stored items a list's query keeps: a parameter naming a field of the items (`name`,
/// `id`, `status`; repeated: any of its values) keeps those whose field has that value; `limit`
/// keeps the first so many. Other parameters (markers, offsets) change nothing.
fn filtered(items: Vec<Value>, envelope: Option<&str>, query: Option<&str>) -> Vec<Value> {
    let Some(query) = query.filter(|q| !q.is_empty()) else {
        return items;
    };
    let mut wanted: Vec<(String, Vec<String>)> = Vec::new();
    let mut limit = None;
    for pair in query.split('&') {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let (k, v) = (percent_decode(k), percent_decode(&v.replace('+', " ")));
        if k == "limit" {
            limit = v.parse::<usize>().ok();
            continue;
        }
        match wanted.iter_mut().find(|(name, _)| *name == k) {
            Some((_, values)) => values.push(v),
            None => wanted.push((k, vec![v])),
        }
    }
    let mut kept: Vec<Value> = items
        .into_iter()
        .filter(|stored| {
            let inner = envelope
                .and_then(|e| stored.pointer(e))
                .filter(|v| v.is_object())
                .unwrap_or(stored);
            wanted.iter().all(|(k, values)| match inner.get(k) {
                Some(Value::String(s)) => values.iter().any(|v| v == s),
                Some(Value::Number(n)) => values.iter().any(|v| *v == n.to_string()),
                Some(Value::Bool(b)) => values.iter().any(|v| *v == b.to_string()),
                // Not a field of the items: a paging or presentation parameter.
                _ => true,
            })
        })
        .collect();
    if let Some(n) = limit {
        kept.truncate(n);
    }
    kept
}

/// A list answer is one whole page: counts say how many items it holds, and a marker of the
/// next page is left out where the schema lets it (a client following it would loop).
fn last_page(body: &mut Value, schema: Option<&Value>, n: usize) {
    fn walk(v: &mut Value, schema: Option<&Value>, n: usize, depth: usize) {
        let Some(o) = v.as_object_mut() else { return };
        let required: Vec<&str> = schema
            .and_then(|s| s.get("required"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        o.retain(|k, _| {
            !(k.ends_with("next_marker") || k == "next") || required.contains(&k.as_str())
        });
        for (k, child) in o.iter_mut() {
            let counts = matches!(
                k.as_str(),
                "count" | "current_count" | "total_count" | "total"
            );
            if counts && child.is_u64() {
                *child = json!(n);
            } else if depth == 0 && child.is_object() {
                let inner = schema
                    .and_then(|s| s.get("properties"))
                    .and_then(|p| p.get(k));
                walk(child, inner, n, depth + 1);
            }
        }
    }
    walk(body, schema, n, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An echoed request must not make the answer break its own schema: a partial array item
    /// gets what the response requires, a value outside the response's enum is not copied.
    /// The one page a list answers says how many items it holds and offers no next page where
    /// the schema lets the marker go.
    /// A list query keeps the items whose fields it names, any of a repeated parameter's values,
    /// and at most `limit`; what names no field of the items changes nothing.
    #[test]
    fn a_list_query_filters_by_the_items_fields() {
        let items = || {
            vec![
                json!({"vpc": {"id": "a", "name": "x", "size": 1}}),
                json!({"vpc": {"id": "b", "name": "y", "size": 2}}),
                json!({"vpc": {"id": "c", "name": "x", "size": 2}}),
            ]
        };
        let ids = |q: Option<&str>| -> Vec<String> {
            filtered(items(), Some("/vpc"), q)
                .iter()
                .map(|v| v["vpc"]["id"].as_str().unwrap_or_default().to_string())
                .collect()
        };
        assert_eq!(ids(None), ["a", "b", "c"]);
        assert_eq!(ids(Some("name=x")), ["a", "c"]);
        assert_eq!(ids(Some("id=a&id=b")), ["a", "b"]);
        assert_eq!(ids(Some("size=2&name=x")), ["c"]);
        assert_eq!(ids(Some("marker=zz&limit=2")), ["a", "b"]);
        assert_eq!(ids(Some("name=%78")), ["a", "c"]);
    }

    #[test]
    fn a_list_answer_is_its_last_page() {
        let s = json!({"type": "string"});
        let schema = json!({
            "properties": {
                "vpcs": {"type": "array", "items": {"properties": {"id": s}}},
                "count": {"type": "integer"},
                "page_info": {
                    "required": ["previous_marker"],
                    "properties": {"next_marker": s, "previous_marker": s, "current_count": {"type": "integer"}}
                }
            }
        });
        let body = instance(&schema, &[]);
        let items = [json!({"id": "a"}), json!({"id": "b"})];
        let listed = fill_list(body, Some(&schema), &items, None, &[], &Scalars::default());
        assert_eq!(listed["count"], 2, "{listed}");
        assert_eq!(listed["page_info"]["current_count"], 2, "{listed}");
        assert!(listed["page_info"].get("next_marker").is_none(), "{listed}");
        assert!(
            listed["page_info"].get("previous_marker").is_some(),
            "{listed}"
        );
        assert_eq!(listed["vpcs"][1]["id"], "b");
    }

    #[test]
    fn echoed_fields_keep_the_answer_within_its_schema() {
        let schema = json!({
            "type": "object",
            "required": ["pools", "state"],
            "properties": {
                "pools": {"type": "array", "items": {
                    "type": "object",
                    "required": ["start", "end"],
                    "properties": {"start": {"type": "string"}, "end": {"type": "string"}}
                }},
                "state": {"type": "string", "enum": ["ACTIVE", "DOWN"]},
                "name": {"type": "string"}
            }
        });
        let mut answer = instance(&schema, &[]);
        let request = json!({"pools": [{"start": "a"}], "state": "weird", "name": "n"});
        echo(&mut answer, &request, Some(&schema), &Scalars::default());
        assert_eq!(answer["pools"][0]["start"], "a");
        assert!(answer["pools"][0]["end"].is_string(), "{answer}");
        assert_eq!(answer["state"], "ACTIVE");
        assert_eq!(answer["name"], "n");
        let v = jsonschema::validator_for(&schema).unwrap();
        assert!(v.is_valid(&answer), "{answer}");
    }

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

    /// Server-side fields are filled by what they mean (issue 37): ids are ids, times are now in
    /// RFC 3339, formats are honoured, and a length limit wins over meaning.
    #[test]
    fn server_side_fields_are_filled_by_meaning() {
        let s = json!({"type": "string"});
        let schema = json!({"type": "object", "properties": {
            "created_at": s, "update_time": s, "volume_id": s, "name": s, "status": s,
            "when": {"type": "string", "format": "date-time"},
            "ip": {"type": "string", "format": "ipv4"},
            "short_id": {"type": "string", "maxLength": 8},
        }});
        let v = instance(&schema, &[]);
        for t in ["created_at", "update_time", "when"] {
            let t = v[t].as_str().unwrap_or_default();
            assert!(
                time::OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339)
                    .is_ok(),
                "{t}"
            );
        }
        assert!(uuid::Uuid::parse_str(v["volume_id"].as_str().unwrap_or_default()).is_ok());
        assert_eq!(v["name"], "conform");
        assert_eq!(v["status"], "x", "no meaning read into an open status");
        assert_eq!(v["ip"], "192.0.2.10");
        assert_eq!(v["short_id"], "x", "a uuid would break maxLength 8");
        assert!(crate::contract::keywords::compile(&schema)
            .unwrap()
            .is_valid(&v));
    }

    /// A nested path's answer carries the addressed resource's id, not its parent's (the
    /// Huawei SDK's UpdateSubnet read the VPC's id as the subnet's).
    #[test]
    fn a_nested_resources_id_is_the_last_id_of_its_path() {
        let schema = json!({"type": "object", "properties": {"subnet": {"type": "object",
            "properties": {"id": {"type": "string"}, "vpc_id": {"type": "string"}}}}});
        let params = [
            ("project_id".to_string(), "p".to_string()),
            ("vpc_id".to_string(), "v-1".to_string()),
            ("subnet_id".to_string(), "s-1".to_string()),
        ];
        let v = instance(&schema, &params);
        assert_eq!(v, json!({"subnet": {"id": "s-1", "vpc_id": "v-1"}}));
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b%zz"), "a b%zz");
    }
}
